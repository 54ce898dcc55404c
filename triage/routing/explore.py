"""Route exploration: every route through a composed graph, walked with abstract answers.

Each answer is a set of the values it may have; a condition splits the set where it can
tell values apart (three-valued logic, :func:`triage.expressions.kleene`). ``triage
paths``, the designers' views and the safety rule read the routes. A red-flag question
gives each of its answers a route of its own (:func:`branches`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from triage.answers import allowed_codes
from triage.expressions import Expression, kleene
from triage.routing.plan import ComposedGraph, Edge, Node
from triage.vocabulary import (
    IN_HOURS,
    OUT_OF_HOURS,
    REPEAT_CONTACT,
    AnswerType,
    KnownStatus,
    StepKind,
)

CONFIRMED = frozenset({KnownStatus.OPEN, KnownStatus.PREVIOUSLY_KNOWN})
"""Known statuses that come from a record, so the person can have earlier contacts."""

Abstract = dict[str, frozenset[Any]]
"""What is known of each answer along a route: the set of values it may have."""


@dataclass(frozen=True)
class PathStep:
    """One step of an explored route: the state, and the answers that take this way."""

    state: str
    var: str | None
    values: frozenset[Any] | None
    via: str


@dataclass(frozen=True)
class Route:
    """One route through a composed graph, ending at an outcome (or cut short)."""

    steps: tuple[PathStep, ...]
    end: str
    complete: bool
    env: Abstract = field(default_factory=dict)
    """What is known of each answer at the end of the route."""


def domain(node: Node) -> frozenset[Any] | None:
    """The finite set of values conditions can see for a step's answer, or None if open.

    On a yes/no/not sure question with ``unsure_means``, "not sure" is routed as that
    answer, so conditions never see it (:func:`routed`).
    """
    if node.kind is StepKind.LOOKUP:
        return frozenset(KnownStatus)
    if node.answer is None or node.answer.type is AnswerType.MULTI_CHOICE:
        return None
    codes = allowed_codes(node.answer)
    if node.answer.type is AnswerType.YES_NO_UNSURE and node.answer.unsure_means:
        codes = tuple(c for c in codes if c != "not_sure")
    return frozenset(codes) if codes else None


def answers_of(node: Node) -> tuple[str, ...]:
    """Every answer a handler can give to a closed question, "not sure" included."""
    return allowed_codes(node.answer) if node.answer is not None else ()


def routed(node: Node, answer: Any) -> Any:
    """The value conditions see for ``answer``: "not sure" folded into ``unsure_means``."""
    spec = node.answer
    if answer == "not_sure" and spec is not None and spec.unsure_means:
        return spec.unsure_means
    return answer


def _decide(cond: Expression, env: Abstract) -> bool | None:
    """Three-valued truth of ``cond``, enumerating small sets of possible answers."""
    known = {k: next(iter(env[k])) for k in cond.names if k in env and len(env[k]) == 1}
    result = kleene(cond, known)
    if result is not None:
        return result
    multi = [n for n in cond.names if n in env and len(env[n]) > 1]
    if not multi or any(n not in env for n in cond.names):
        return None
    combos = list(itertools.product(*(sorted(env[n], key=str) for n in multi)))
    if len(combos) > 256:
        return None
    seen = set()
    for combo in combos:
        values = dict(known)
        values.update(zip(multi, combo, strict=True))
        seen.add(kleene(cond, values))
    return seen.pop() if len(seen) == 1 else None


CLOCK_STATES: tuple[Abstract, Abstract] = (
    {IN_HOURS: frozenset((True,)), OUT_OF_HOURS: frozenset((False,))},
    {IN_HOURS: frozenset((False,)), OUT_OF_HOURS: frozenset((True,))},
)
"""In hours and out of hours: the two clock states a route can be taken in."""


def _asks_the_clock(node: Node, env: Abstract) -> bool:
    """True when a route from ``node`` tests the clock and the route so far has not."""
    if OUT_OF_HOURS in env:
        return False
    return any(edge.condition is not None and edge.condition.names & {IN_HOURS, OUT_OF_HOURS}
               for edge in node.edges)


def branches(node: Node, env: Abstract) -> Iterator[tuple[Edge, Abstract, frozenset[Any] | None]]:
    """Each edge the route may take from ``node``, with the answers that take it.

    The first route to test the clock splits into one taken in hours and one out of hours
    (the clock facts are set together when the call starts, so the split is kept).
    """
    if _asks_the_clock(node, env):
        for clock in CLOCK_STATES:
            yield from branches(node, {**env, **clock})
        return
    if node.red_flag:
        yield from _red_flag_branches(node, env)
        return
    if node.kind is StepKind.LOOKUP:
        yield from _person_check_branches(node, env)
        return
    if node.var is None or not any(e.condition is not None for e in node.edges):
        for edge in node.edges:
            yield edge, env, env.get(node.var) if node.var else None
            return
        return
    dom = env.get(node.var) if node.var in env else domain(node)
    if dom is None:
        # Open answer: every route may be taken, then the default.
        for edge in node.edges:
            yield edge, env, None
            if edge.condition is None:
                return
        return
    groups: dict[int, set[Any]] = {}
    for value in dom:
        for index in _possible_edges(node, env, value):
            groups.setdefault(index, set()).add(value)
    for index in sorted(groups):
        values = frozenset(groups[index])
        new_env = dict(env)
        new_env[node.var] = values
        yield node.edges[index], new_env, values


def _red_flag_branches(node: Node, env: Abstract
                       ) -> Iterator[tuple[Edge, Abstract, frozenset[Any] | None]]:
    """A red-flag question: one branch per answer the handler can give, each on its own.

    Built so that no fold can hide an answer from the safety rule: "not sure" is a value
    of its own here even when ``unsure_means`` routes it as "yes" or "no", and the route
    records what was answered while later conditions see what it was routed as. The run
    time asks a red-flag question on every call (it is never pre-answered), so every
    answer is explored whatever is already known.
    """
    assert node.var is not None
    for answer in answers_of(node):
        value = routed(node, answer)
        new_env = dict(env)
        new_env[node.var] = frozenset((value,))
        for index in _possible_edges(node, env, value):
            yield node.edges[index], new_env, frozenset((answer,))


def _person_check_branches(node: Node, env: Abstract
                           ) -> Iterator[tuple[Edge, Abstract, frozenset[Any] | None]]:
    """The person check: each known status that takes each way on, and for a person found
    on the index a branch of its own where this contact is a repeat contact (their Nth in
    the directory's window), which the repeat-contact rule follows."""
    assert node.var is not None
    dom = env.get(node.var) or frozenset(KnownStatus)
    groups: dict[int, set[Any]] = {}
    for value in dom:
        for index in _possible_edges(node, env, value):
            groups.setdefault(index, set()).add(value)
    for index in sorted(groups):
        values = frozenset(groups[index])
        first = dict(env)
        first[node.var] = values
        first[REPEAT_CONTACT] = frozenset((False,))
        yield node.edges[index], first, values
        found = values & CONFIRMED
        if found:
            repeat = dict(env)
            repeat[node.var] = frozenset(found)
            repeat[REPEAT_CONTACT] = frozenset((True,))
            yield node.edges[index], repeat, frozenset(found)


def _possible_edges(node: Node, env: Abstract, value: Any) -> list[int]:
    """The edges that ``value`` of the step's answer may take, first-match order kept."""
    assert node.var is not None
    trial = dict(env)
    trial[node.var] = frozenset((value,))
    found = []
    for index, edge in enumerate(node.edges):
        verdict = True if edge.condition is None else _decide(edge.condition, trial)
        if verdict is False:
            continue
        found.append(index)
        if verdict is True:
            break
    return found


def explore(graph: ComposedGraph, *, limit: int = 50_000,
            start: str | None = None, env: Abstract | None = None) -> Iterator[Route]:
    """Every route from the start to an outcome; a route revisiting a state twice is cut."""
    count = 0
    # Until a person is confirmed, no contact is a repeat one (the run time's default too).
    first: Abstract = {REPEAT_CONTACT: frozenset((False,))} if env is None else env
    stack: list[tuple[str, Abstract, tuple[PathStep, ...]]] = [
        (start or graph.start, first, ())
    ]
    while stack:
        state, env_now, trail = stack.pop()
        node = graph.nodes[state]
        if node.kind is StepKind.OUTCOME or not node.edges:
            count += 1
            yield Route(trail + (PathStep(state, None, None, "end"),), state, True, env_now)
            if count >= limit:
                return
            continue
        if sum(1 for s in trail if s.state == state) >= 2:
            yield Route(trail, state, False, env_now)
            continue
        found = list(branches(node, env_now))
        for edge, new_env, values in reversed(found):
            stack.append((edge.target, new_env,
                          trail + (PathStep(state, node.var, values, edge.label),)))
