"""Conditions: safe, compiled once, type-checked, and evaluated in three values."""

from __future__ import annotations

import pytest

from triage.errors import ExpressionError
from triage.expressions import VarType, compile_expression, kleene, type_problems

TYPES = {"reason": VarType("text", frozenset({"carer_support", "complaint"})),
         "age": VarType("number"), "alerts": VarType("list", frozenset({"safeguarding"}))}


def test_a_condition_is_evaluated_on_the_answers() -> None:
    cond = compile_expression("reason == 'carer_support' and age >= 18")
    assert cond.holds({"reason": "carer_support", "age": 40}) is True
    assert cond.holds({"reason": "complaint", "age": 40}) is False


def test_a_missing_answer_makes_a_condition_false_not_an_error() -> None:
    assert compile_expression("age >= 18").holds({}) is False


@pytest.mark.parametrize("source", [
    "__import__('os').system('true')",
    "reason.upper() == 'X'",
    "[x for x in alerts]",
    "open('/etc/passwd')",
    "lambda: 1",
])
def test_python_beyond_the_condition_language_is_refused(source: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(source)


def test_a_syntax_error_says_where() -> None:
    with pytest.raises(ExpressionError, match="is not valid at character"):
        compile_expression("age >= 18 18")


def test_type_problems_find_wrong_codes_and_types() -> None:
    assert type_problems(compile_expression("reason == 'carer'"), TYPES) == [
        "'carer' is not an answer to reason in 'reason == 'carer'' (answers: carer_support, "
        "complaint)"]
    assert type_problems(compile_expression("'safeguardin' in alerts"), TYPES)
    assert type_problems(compile_expression("age > 'old'"), TYPES)
    assert type_problems(compile_expression("reason"), TYPES)
    assert type_problems(compile_expression("reason in ['complaint'] and age > 3"), TYPES) == []


def test_three_valued_evaluation_knows_what_it_cannot_tell() -> None:
    cond = compile_expression("age >= 18 or reason == 'complaint'")
    assert kleene(cond, {"reason": "complaint"}) is True
    assert kleene(cond, {"reason": "carer_support"}) is None
    assert kleene(cond, {"reason": "carer_support", "age": 3}) is False


def test_renaming_answers_for_a_sub_pathway_keeps_the_meaning() -> None:
    cond = compile_expression("has(details) and age > 3").renamed({"details": "h/details"})
    assert cond.holds({"h/details": "x", "age": 4}) is True
    assert cond.holds({"details": "x", "age": 4}) is False
