"""Conditions and calculations written by service designers.

The language is a small, safe subset of Python expression syntax: comparisons, ``in``,
``and``/``or``/``not``, string, number and list literals, names of answers, and a few
allow-listed functions. Each expression is parsed and checked once, when the pathway
loads, and turned into a tree of small Python functions, one per node of the checked
syntax tree (:func:`_closure`), which is what runs on every call: there is no Python
``eval`` or ``compile``, and no name a designer writes ever reaches the state machine.
Its results and errors are those of simpleeval evaluating the same tree (which this
module used until the per-node tree walk became a measurable share of a call's CPU);
``tests/unit/test_expressions.py`` checks the two agree on every shipped condition.

Besides run-time evaluation this module offers two static views used by the validator:
:func:`type_problems` (comparing an answer with a value of the wrong type, or with a
code the question does not offer) and :func:`kleene` (three-valued evaluation with some
answers unknown, for option coverage and route exploration).
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from triage.errors import ExpressionError
from triage.vocabulary import CONTACT_DAYS

Base = Literal["text", "number", "date", "list", "boolean"]


@dataclass(frozen=True, slots=True)
class VarType:
    """The static type of a name in conditions, with its allowed codes if it has them."""

    base: Base
    codes: frozenset[str] | None = None


def _age_in_years(value: object) -> int:
    born = dt.date.fromisoformat(str(value))
    today = dt.date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _days_since(value: object) -> int:
    return (dt.date.today() - dt.date.fromisoformat(str(value))).days


FUNCTIONS: dict[str, tuple[int, Base]] = {
    "age_in_years": (1, "number"),
    "contacts_in_days": (1, "number"),
    "days_since": (1, "number"),
    "has": (1, "boolean"),
    "len": (1, "number"),
}
"""Allow-listed functions: name -> (number of arguments, result type)."""

_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn,
    ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple, ast.Call,
)


class NameNotDefined(KeyError):
    """An answer the expression needs has not been given (yet)."""

    def __init__(self, name: str, source: str) -> None:
        super().__init__(name)
        self.name = name
        self.source = source

    def __str__(self) -> str:
        return f"'{self.name}' is not defined in '{self.source}'"


def _contacts_within(ages: Any, days: object) -> int:
    """How many earlier contacts (their ages in days) fall within ``days``."""
    if isinstance(days, bool) or not isinstance(days, int | float):
        raise TypeError("contacts_in_days() takes a number of days")
    return sum(1 for age in ages if age <= days)


Run = Callable[[Mapping[str, Any]], Any]
"""A compiled node: its value given the call's answers."""

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda x, y: x in y, ast.NotIn: lambda x, y: x not in y,
}
_PLAIN_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    "age_in_years": _age_in_years, "days_since": _days_since, "len": len,
}


def _has(values: Mapping[str, Any], name: object) -> bool:
    return values.get(name) not in (None, "", [])  # type: ignore[call-overload]


def _contacts_in_days(values: Mapping[str, Any], days: object) -> int:
    return _contacts_within(values.get(CONTACT_DAYS) or [], days)


_VALUE_FUNCTIONS: dict[str, Callable[[Mapping[str, Any], Any], Any]] = {
    "has": _has, "contacts_in_days": _contacts_in_days,
}
"""Functions that read the call's answers as well as their argument."""


def _closure(node: ast.AST, source: str) -> Run:
    """The function computing ``node`` (a node of a checked tree: see :data:`_ALLOWED`).

    The semantics are simpleeval's: ``and``/``or`` give the deciding operand, a chain of
    comparisons stops at the first false one, and a name with no answer raises
    :class:`NameNotDefined` (``holds`` treats that as "not true").
    """
    if isinstance(node, ast.Constant):
        value = node.value
        return lambda values: value
    if isinstance(node, ast.Name):
        return _name(node.id, source)
    if isinstance(node, ast.BoolOp):
        parts = tuple(_closure(v, source) for v in node.values)
        return _all_of(parts) if isinstance(node.op, ast.And) else _any_of(parts)
    if isinstance(node, ast.UnaryOp):
        inner = _closure(node.operand, source)
        if isinstance(node.op, ast.Not):
            return lambda values: not inner(values)
        return lambda values: -inner(values)
    if isinstance(node, ast.Compare):
        return _comparison(node, source)
    if isinstance(node, ast.List | ast.Tuple):
        items = tuple(_closure(e, source) for e in node.elts)
        if isinstance(node, ast.Tuple):
            return lambda values: tuple(item(values) for item in items)
        return lambda values: [item(values) for item in items]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        arg = _closure(node.args[0], source)
        name = node.func.id
        if name in _VALUE_FUNCTIONS:
            reads = _VALUE_FUNCTIONS[name]
            return lambda values: reads(values, arg(values))
        plain = _PLAIN_FUNCTIONS[name]
        return lambda values: plain(arg(values))
    raise ExpressionError(f"'{source}' uses {type(node).__name__}, which conditions do not "
                          "allow")


def _name(name: str, source: str) -> Run:
    def lookup(values: Mapping[str, Any]) -> Any:
        try:
            return values[name]
        except (TypeError, KeyError):
            pass
        if name in _VALUE_FUNCTIONS:  # a function named, not called: as simpleeval does
            reads = _VALUE_FUNCTIONS[name]
            return lambda arg: reads(values, arg)
        if name in _PLAIN_FUNCTIONS:
            return _PLAIN_FUNCTIONS[name]
        raise NameNotDefined(name, source)
    return lookup


def _all_of(parts: tuple[Run, ...]) -> Run:
    def all_of(values: Mapping[str, Any]) -> Any:
        result: Any = False
        for part in parts:
            result = part(values)
            if not result:
                break
        return result
    return all_of


def _any_of(parts: tuple[Run, ...]) -> Run:
    def any_of(values: Mapping[str, Any]) -> Any:
        result: Any = False
        for part in parts:
            result = part(values)
            if result:
                break
        return result
    return any_of


def _comparison(node: ast.Compare, source: str) -> Run:
    left = _closure(node.left, source)
    steps = tuple((_COMPARE[type(op)], _closure(comp, source))
                  for op, comp in zip(node.ops, node.comparators, strict=True))
    if len(steps) == 1:
        ((compare, right),) = steps
        return lambda values: compare(left(values), right(values))

    def chain(values: Mapping[str, Any]) -> Any:
        right = left(values)
        result: Any = True
        for compare, comp in steps:
            if not result:
                break
            result = compare(right, right := comp(values))
        return result
    return chain


@dataclass(frozen=True)
class Expression:
    """A checked, pre-parsed expression, ready to evaluate many times."""

    source: str
    tree: ast.expr
    names: frozenset[str]
    run: Run = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "run", _closure(self.tree, self.source))

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        """Evaluate with ``values``; raises NameNotDefined if an answer it needs is missing."""
        return self.run(values)

    def holds(self, values: Mapping[str, Any]) -> bool:
        """True only when the condition is true; a missing answer or a bad value is not."""
        try:
            return self.run(values) is True
        except (TypeError, ValueError, KeyError):
            return False

    def renamed(self, mapping: Mapping[str, str]) -> Expression:
        """The same expression with answer names replaced (used when composing pathways)."""
        mapping = {k: v for k, v in mapping.items() if k != v and k in self.names}
        if not mapping:
            return self
        tree = copy.deepcopy(self.tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in mapping:
                node.id = mapping[node.id]
            elif _is_has_call(node):
                arg = node.args[0]  # type: ignore[attr-defined]
                if isinstance(arg.value, str) and arg.value in mapping:
                    arg.value = mapping[arg.value]
        return Expression(self.source, tree, frozenset(mapping.get(n, n) for n in self.names))


def _is_has_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "has"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
    )


def _walk(root: ast.AST) -> list[ast.AST]:
    """Every node under ``root``; a leaner ast.walk, as every condition passes through it."""
    found = [root]
    index = 0
    while index < len(found):
        node = found[index]
        index += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                found.append(value)
            elif isinstance(value, list):
                found.extend(v for v in value if isinstance(v, ast.AST))
    return found


@lru_cache(maxsize=16384)
def compile_expression(source: str) -> Expression:
    """Parse and check ``source`` (cached: an Expression is immutable)."""
    return _compile(source)


def _compile(source: str) -> Expression:
    """Parse and check ``source``; raise ExpressionError with a clear sentence if unusable."""
    try:
        module = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        where = f" at character {exc.offset}" if exc.offset else ""
        raise ExpressionError(
            f"the condition '{source}' is not valid{where}: {exc.msg}. Conditions look like "
            "\"reason == 'carer_support' and age >= 18\"."
        ) from exc
    names: set[str] = set()
    for node in _walk(module):
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(
                f"'{source}' uses {type(node).__name__}, which conditions do not allow "
                "(allowed: comparisons, in, and, or, not, literals, answer names and the "
                f"functions {', '.join(sorted(FUNCTIONS))})"
            )
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                called = node.func.id if isinstance(node.func, ast.Name) else "that"
                raise ExpressionError(
                    f"'{source}' calls {called}(), which is not a condition function "
                    f"(functions: {', '.join(sorted(FUNCTIONS))})"
                )
            arity = FUNCTIONS[node.func.id][0]
            if len(node.args) != arity or node.keywords:
                raise ExpressionError(
                    f"{node.func.id}() takes {arity} argument(s) in '{source}'"
                )
            if node.func.id == "has":
                arg = node.args[0]
                if not isinstance(arg, ast.Name):
                    raise ExpressionError(f"has() takes the name of an answer in '{source}'")
                node.args[0] = ast.Constant(arg.id)
                names.add(arg.id)
        elif isinstance(node, ast.Name) and node.id not in FUNCTIONS:
            names.add(node.id)
        elif isinstance(node, ast.Constant) and not isinstance(
            node.value, (str, int, float, bool)
        ):
            raise ExpressionError(f"'{source}' uses a literal of an unsupported type")
    return Expression(source, module.body, frozenset(names))


# --- static type checking -------------------------------------------------------------

_UNKNOWN = None


def type_problems(expr: Expression, types: Mapping[str, VarType]) -> list[str]:
    """Sentences describing comparisons of the wrong type or with codes that cannot occur."""
    problems: list[str] = []
    result = _infer(expr.tree, types, problems, expr.source)
    if result is not None and result.base != "boolean":
        problems.append(
            f"'{expr.source}' is a {result.base}, not a true/false condition; compare it "
            "with something, e.g. \"x == 'yes'\""
        )
    return problems


def _literal_type(value: object) -> VarType:
    if isinstance(value, bool):
        return VarType("boolean")
    if isinstance(value, (int, float)):
        return VarType("number")
    return VarType("text")


def _infer(
    node: ast.AST, types: Mapping[str, VarType], out: list[str], src: str
) -> VarType | None:
    if isinstance(node, ast.Constant):
        return _literal_type(node.value)
    if isinstance(node, ast.Name):
        return types.get(node.id)
    if isinstance(node, (ast.List, ast.Tuple)):
        for elt in node.elts:
            _infer(elt, types, out, src)
        return VarType("list")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        for arg in node.args:
            _infer(arg, types, out, src)
        if node.func.id == "contacts_in_days" and node.args:
            arg_t = _infer(node.args[0], types, out, src)
            if arg_t is not None and arg_t.base != "number":
                out.append(f"contacts_in_days() needs a number of days, not a {arg_t.base}, "
                           f"in '{src}'")
        if node.func.id in ("age_in_years", "days_since") and node.args:
            arg_t = _infer(node.args[0], types, out, src)
            if arg_t is not None and arg_t.base != "date":
                out.append(f"{node.func.id}() needs a date, not a {arg_t.base}, in '{src}'")
        return VarType(FUNCTIONS[node.func.id][1])
    if isinstance(node, ast.UnaryOp):
        inner = _infer(node.operand, types, out, src)
        return VarType("boolean") if isinstance(node.op, ast.Not) else inner
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            t = _infer(value, types, out, src)
            if t is not None and t.base != "boolean":
                out.append(
                    f"'{ast.unparse(value)}' in '{src}' is a {t.base}, not true/false; "
                    "compare it with something"
                )
        return VarType("boolean")
    if isinstance(node, ast.Compare):
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            _check_comparison(left, op, right, types, out, src)
            left = right
        return VarType("boolean")
    return _UNKNOWN


def _codes_problem(name: str, t: VarType, value: object, src: str) -> str | None:
    if t.codes is None or not isinstance(value, str) or value in t.codes:
        return None
    return (
        f"'{value}' is not an answer to {name} in '{src}' "
        f"(answers: {', '.join(sorted(t.codes))})"
    )


def _check_comparison(
    left: ast.expr,
    op: ast.cmpop,
    right: ast.expr,
    types: Mapping[str, VarType],
    out: list[str],
    src: str,
) -> None:
    lt = _infer(left, types, out, src)
    rt = _infer(right, types, out, src)
    if isinstance(op, (ast.In, ast.NotIn)):
        if isinstance(right, (ast.List, ast.Tuple)):
            for elt in right.elts:
                et = _infer(elt, types, out, src)
                if lt is not None and et is not None and lt.base not in ("list",) and (
                    et.base != lt.base
                ):
                    out.append(
                        f"'{ast.unparse(left)}' is a {lt.base} but the list in '{src}' "
                        f"holds a {et.base}"
                    )
                if isinstance(left, ast.Name) and lt is not None and isinstance(elt, ast.Constant):
                    msg = _codes_problem(left.id, lt, elt.value, src)
                    if msg:
                        out.append(msg)
        elif rt is not None and rt.base == "list":
            if isinstance(right, ast.Name) and isinstance(left, ast.Constant):
                msg = _codes_problem(right.id, rt, left.value, src)
                if msg:
                    out.append(msg)
        elif rt is not None and rt.base != "text":
            out.append(f"'in' needs a list or text on its right in '{src}', not a {rt.base}")
        return
    if lt is None or rt is None:
        return
    if {lt.base, rt.base} == {"date", "text"} and isinstance(op, (ast.Eq, ast.NotEq, ast.Lt,
                                                                   ast.LtE, ast.Gt, ast.GtE)):
        literal = right if isinstance(right, ast.Constant) else left
        if isinstance(literal, ast.Constant):
            try:
                dt.date.fromisoformat(str(literal.value))
                return
            except ValueError:
                out.append(f"'{literal.value!s}' is not an ISO date (YYYY-MM-DD) in '{src}'")
                return
    if lt.base != rt.base:
        out.append(
            f"'{src}' compares {ast.unparse(left)} (a {lt.base}) with "
            f"{ast.unparse(right)} (a {rt.base})"
        )
        return
    if isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) and lt.base in ("text", "list",
                                                                           "boolean"):
        out.append(f"'{src}' orders {lt.base} values with {type(op).__name__}; use == or in")
        return
    for name_side, lit_side in ((left, right), (right, left)):
        if isinstance(name_side, ast.Name) and isinstance(lit_side, ast.Constant):
            t = types.get(name_side.id)
            if t is not None:
                msg = _codes_problem(name_side.id, t, lit_side.value, src)
                if msg:
                    out.append(msg)


# --- three-valued evaluation ------------------------------------------------------------

Kleene = bool | None
"""True, False, or None for "cannot tell yet"."""


def kleene(expr: Expression, values: Mapping[str, Any]) -> Kleene:
    """Evaluate with only some answers known: None where the result depends on the others."""
    try:
        result = _k(expr.tree, values)
    except (TypeError, ValueError, KeyError):
        return None
    return result if isinstance(result, bool) or result is None else None


class _Unknown:
    pass


_U = _Unknown()


def _k(node: ast.AST, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.BoolOp):
        results = [_truth(_k(v, values)) for v in node.values]
        if isinstance(node.op, ast.And):
            if any(r is False for r in results):
                return False
            return None if any(r is None for r in results) else True
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if isinstance(node, ast.UnaryOp):
        inner = _k(node.operand, values)
        if isinstance(node.op, ast.Not):
            t = _truth(inner)
            return None if t is None else not t
        return _U if inner is _U else -inner
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return values[node.id] if node.id in values else _U
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_k(e, values) for e in node.elts]
        return _U if any(i is _U for i in items) else items
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "has":
            name = node.args[0].value  # type: ignore[attr-defined]
            return _U if name not in values else values[name] not in (None, "", [])
        arg = _k(node.args[0], values)
        if arg is _U:
            return _U
        if node.func.id == "contacts_in_days":
            return _U if CONTACT_DAYS not in values else _contacts_within(values[CONTACT_DAYS],
                                                                          arg)
        fn: Callable[[Any], Any] = {
            "age_in_years": _age_in_years, "days_since": _days_since, "len": len
        }[node.func.id]
        return fn(arg)
    if isinstance(node, ast.Compare):
        left = _k(node.left, values)
        outcome: bool | None = True
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _k(comp, values)
            if left is _U or right is _U:
                outcome = None if outcome is not False else False
            else:
                if not _compare(op, left, right):
                    return False
            left = right
        return outcome
    return _U


def _truth(value: Any) -> bool | None:
    if value is _U or value is None:
        return None
    return bool(value)


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    match op:
        case ast.Eq():
            return bool(left == right)
        case ast.NotEq():
            return bool(left != right)
        case ast.Lt():
            return bool(left < right)
        case ast.LtE():
            return bool(left <= right)
        case ast.Gt():
            return bool(left > right)
        case ast.GtE():
            return bool(left >= right)
        case ast.In():
            return left in right
        case ast.NotIn():
            return left not in right
    raise ValueError(f"unsupported comparison {type(op).__name__}")
