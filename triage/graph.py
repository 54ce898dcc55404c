"""Composing a pathway with its sub-pathways into one flat graph, and walking its routes.

A handover step ``h`` in pathway P inlines the sub-pathway's steps as states named
``h/step`` (nested handovers give ``h/g/step``). Answer names are renamed statically:
a sub-pathway's own answers become ``h/name``, its inputs become the parent's names, and
the parent's names for its outputs become the sub-pathway's. Call facts keep their names
across the whole call. Nothing is copied at run time.

:func:`explore` walks every route through a composed graph with abstract answers (sets
of possible codes), for ``triage paths`` and the safety rule.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from triage.analysis import PathwayAnalysis
from triage.answers import allowed_codes
from triage.definitions import (
    AnswerSpec,
    AnswerType,
    HandoverStep,
    LocalText,
    LookupStep,
    OutcomeSpec,
    OutcomeStep,
    QuestionStep,
    ReturnStep,
    SayStep,
)
from triage.expressions import Expression, kleene

SEP = "/"


@dataclass(frozen=True)
class Edge:
    """One way out of a state: a condition (None for the default or next) and a target."""

    condition: Expression | None
    target: str
    why: str
    label: str


@dataclass
class Node:
    """A state of the composed graph, with everything the run time needs about its step."""

    state: str
    kind: str
    local_id: str
    pathway_id: str
    pathway_version: int
    title: str | None
    var: str | None = None
    answer: AnswerSpec | None = None
    edges: list[Edge] = field(default_factory=list)
    scripts: tuple[str, ...] = ()
    text: LocalText | None = None
    outcome: OutcomeSpec | None = None
    red_flag: bool = False
    calc_triggers: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    """This step's pathway names -> names in the composed call (for placeholders)."""


@dataclass
class Calc:
    """A calculation with its names resolved in the composed graph."""

    name: str
    expression: Expression
    type: str


@dataclass
class ComposedGraph:
    """An entry pathway and all its sub-pathways as one flat graph."""

    pathway_id: str
    version: int
    start: str
    nodes: dict[str, Node]
    calcs: list[Calc]
    red_flag_states: tuple[str, ...]
    subpathways: dict[str, int]
    var_specs: dict[str, AnswerSpec]


def _scripts(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def compose(analyses: Mapping[str, PathwayAnalysis], pathway_id: str) -> ComposedGraph:
    """Compose ``pathway_id`` with its sub-pathways; references must already be checked."""
    root = analyses[pathway_id].pathway
    nodes: dict[str, Node] = {}
    calcs: list[Calc] = []
    subs: dict[str, int] = {}
    var_specs: dict[str, AnswerSpec] = {}

    def resolve(analysis: PathwayAnalysis, scope: str, inputs: Mapping[str, str]) -> dict[str, str]:
        mapping: dict[str, str] = {}
        for name in analysis.local_names:
            mapping[name] = inputs.get(name, scope + name)
        for step in analysis.pathway.steps:
            if isinstance(step, HandoverStep):
                sub = analyses[step.pathway]
                sub_scope = scope + step.id + SEP
                for parent_name, sub_name in step.outputs.items():
                    sub_is_local = sub_name in sub.local_names
                    mapping[parent_name] = (sub_scope + sub_name) if sub_is_local else sub_name
        return mapping

    def add(analysis: PathwayAnalysis, scope: str, inputs: Mapping[str, str],
            return_to: str | None) -> str:
        pathway = analysis.pathway
        meta = pathway.pathway
        if scope:
            subs[meta.id] = meta.version
        names = resolve(analysis, scope, inputs)
        for calc in pathway.calculations:
            if calc.name in analysis.calculations:
                calcs.append(Calc(names.get(calc.name, calc.name),
                                  analysis.calculations[calc.name].renamed(names), calc.type))

        def state(step_id: str) -> str:
            return scope + step_id

        red_flags = set(pathway.red_flag_screen)
        for step in pathway.steps:
            node = Node(state(step.id), step.kind, step.id, meta.id, meta.version, step.title,
                        names=names)
            nodes[node.state] = node
            if isinstance(step, (SayStep, QuestionStep, LookupStep)):
                node.scripts = _scripts(step.script)
                node.text = step.text
            if isinstance(step, SayStep):
                node.edges.append(Edge(None, state(step.next), "", "next"))
            elif isinstance(step, (QuestionStep, LookupStep)):
                local = analysis.step_var.get(step.id)
                node.var = names.get(local, local) if local else None
                node.answer = analysis.answer_specs.get(local) if local else None
                if node.var is not None and node.answer is not None:
                    var_specs[node.var] = node.answer
                node.red_flag = step.id in red_flags
                for j, route in enumerate(step.routes):
                    cond = analysis.conditions[(step.id, j)].renamed(names)
                    node.edges.append(Edge(cond, state(route.goto), route.why or route.when,
                                           route.when))
                if step.default is not None:
                    node.edges.append(Edge(None, state(step.default), "no other route applied",
                                           "default"))
                if step.next is not None:
                    node.edges.append(Edge(None, state(step.next), "", "next"))
            elif isinstance(step, HandoverStep):
                sub = analyses[step.pathway]
                sub_inputs = {k: names.get(v, v) for k, v in step.inputs.items()}
                after = state(step.next) if step.next is not None else return_to
                sub_start = add(sub, scope + step.id + SEP, sub_inputs, after)
                node.edges.append(Edge(None, sub_start, f"handed over to {step.pathway}",
                                       "handover"))
            elif isinstance(step, ReturnStep):
                if return_to is not None:
                    node.edges.append(Edge(None, return_to, "returned from sub-pathway", "return"))
            elif isinstance(step, OutcomeStep):
                node.outcome = step.outcome
                node.scripts = _scripts(step.outcome.script)
                node.text = step.outcome.text
        return state(pathway.start)

    start = add(analyses[pathway_id], "", {}, None)
    # Which calculations to recompute when an answer changes.
    for node in nodes.values():
        if node.var is not None:
            node.calc_triggers = tuple(c.name for c in _dependents(calcs, node.var))
    return ComposedGraph(pathway_id, root.pathway.version, start, nodes, calcs,
                         tuple(root.red_flag_screen), subs, var_specs)


def _dependents(calcs: list[Calc], name: str) -> list[Calc]:
    """Calculations that depend on ``name``, directly or through other calculations."""
    found: list[Calc] = []
    frontier = {name}
    changed = True
    while changed:
        changed = False
        for calc in calcs:
            if calc not in found and calc.expression.names & frontier:
                found.append(calc)
                frontier.add(calc.name)
                changed = True
    return found


# --- route exploration -------------------------------------------------------------------

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


def domain(node: Node) -> frozenset[Any] | None:
    """The finite set of values conditions can see for a step's answer, or None if open.

    On a yes/no/not sure question with ``unsure_means``, "not sure" is routed as that
    answer, so conditions never see it (:func:`routed`).
    """
    if node.kind == "lookup":
        return frozenset(("open", "previously_known", "not_known", "possible_match"))
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


def branches(node: Node, env: Abstract) -> Iterator[tuple[Edge, Abstract, frozenset[Any] | None]]:
    """Each edge the route may take from ``node``, with the answers that take it."""
    if node.red_flag:
        yield from _red_flag_branches(node, env)
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
    stack: list[tuple[str, Abstract, tuple[PathStep, ...]]] = [
        (start or graph.start, env or {}, ())
    ]
    while stack:
        state, env_now, trail = stack.pop()
        node = graph.nodes[state]
        if node.kind == "outcome" or not node.edges:
            count += 1
            yield Route(trail + (PathStep(state, None, None, "end"),), state, True)
            if count >= limit:
                return
            continue
        if sum(1 for s in trail if s.state == state) >= 2:
            yield Route(trail, state, False)
            continue
        found = list(branches(node, env_now))
        for edge, new_env, values in reversed(found):
            stack.append((edge.target, new_env,
                          trail + (PathStep(state, node.var, values, edge.label),)))
