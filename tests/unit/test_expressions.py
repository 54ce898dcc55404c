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


# --- the compiled functions against simpleeval, the evaluator they replaced --------------

TRICKY = [
    "age >= 18 and age < 65", "18 <= age < 65", "1 < age < 3 < 5", "not has(alerts)",
    "reason or 'none'", "reason and age", "age == 18 or reason in ['complaint', 'x']",
    "'safeguarding' in alerts", "'safeguarding' not in alerts", "len(alerts) > 1",
    "-age < -17", "not (reason == 'complaint')", "contacts_in_days(3) >= 2",
    "reason != 'complaint' and not has(reason)", "has(age) or has(reason)",
    "age in (17, 18)", "[reason, age] == ['complaint', 18]",
]
POOL: list[object] = [None, "", "complaint", "carer_support", "yes", "no", 0, 17, 18, 40, 64.5,
                      True, False, [], ["safeguarding"], ["x", "safeguarding"], "18"]


def _simpleeval() -> object:
    from simpleeval import EvalWithCompoundTypes

    from triage import expressions
    from triage.vocabulary import CONTACT_DAYS

    names: dict[str, object] = {}
    engine = EvalWithCompoundTypes(names=names, functions={
        "age_in_years": expressions._age_in_years, "days_since": expressions._days_since,
        "len": len, "has": lambda n: engine.names.get(n) not in (None, "", []),
        "contacts_in_days": lambda d: expressions._contacts_within(
            engine.names.get(CONTACT_DAYS) or [], d)})
    return engine


def _outcome(run: object, values: dict[str, object]) -> tuple[str, object]:
    try:
        return "value", run(values)  # type: ignore[operator]
    except Exception as exc:  # TypeError, ValueError: the same class from both
        if type(exc).__name__ == "NameNotDefined":  # simpleeval's, or ours (a KeyError)
            return "missing", None
        return type(exc).__name__, None


def _shipped_sources() -> list[str]:
    from triage.cli.designer import DEFAULT_PATHS
    from triage.pipeline import load_catalogue

    found: set[str] = set()
    for compiled in load_catalogue(list(DEFAULT_PATHS)):
        for node in compiled.graph.nodes.values():
            found.update(e.condition.source for e in node.edges if e.condition is not None)
        found.update(c.expression.source for c in compiled.graph.calcs)
    return sorted(found)


def test_compiled_conditions_agree_with_simpleeval_on_every_shipped_condition() -> None:
    import random

    from triage.vocabulary import CONTACT_DAYS

    engine = _simpleeval()
    sources = _shipped_sources() + TRICKY
    assert len(sources) > 40  # the shipped set has many conditions; all are compared
    rng = random.Random(2026)
    compared = 0
    for source in sources:
        expr = compile_expression(source)

        def oracle(values: dict[str, object], expr: object = expr) -> object:
            engine.names = values  # type: ignore[attr-defined]
            return engine.eval(expr.source, previously_parsed=expr.tree)  # type: ignore[attr-defined]

        for _ in range(60):
            values = {n: rng.choice(POOL) for n in expr.names if rng.random() > 0.15}
            values[CONTACT_DAYS] = rng.choice([[], [1, 2], [0.5, 3, 10]])
            assert _outcome(expr.run, values) == _outcome(oracle, values), (source, values)
            compared += 1
    assert compared == 60 * len(sources)
