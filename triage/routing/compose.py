"""Composing a pathway with its sub-pathways into one flat graph (the compose stage).

A handover step ``h`` in pathway P inlines the sub-pathway's steps as states named
``h/step`` (nested handovers give ``h/g/step``). Answer names are renamed statically:
a sub-pathway's own answers become ``h/name``, its inputs become the parent's names, and
the parent's names for its outputs become the sub-pathway's. Call facts keep their names
across the whole call. Nothing is copied at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from triage.analysis import PathwayAnalysis
from triage.definitions import (
    HandoverStep,
    LookupStep,
    OutcomeStep,
    QuestionStep,
    ReturnStep,
    SayStep,
)
from triage.routing.build import outcome_of
from triage.routing.plan import (
    AnswerRule,
    Calc,
    ComposedGraph,
    Edge,
    LocalText,
    Node,
    Outcome,
)
from triage.vocabulary import StepKind

SEP = "/"


def _scripts(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass
class _Draft:
    """A node while its graph is being put together (frozen as a :class:`Node` after)."""

    state: str
    kind: StepKind
    local_id: str
    pathway_id: str
    pathway_version: int
    title: str | None
    names: Mapping[str, str]
    var: str | None = None
    answer: AnswerRule | None = None
    edges: list[Edge] = field(default_factory=list)
    scripts: tuple[str, ...] = ()
    text: LocalText | None = None
    guidance: LocalText | None = None
    outcome: Outcome | None = None
    red_flag: bool = False


def compose(analyses: Mapping[str, PathwayAnalysis], pathway_id: str) -> ComposedGraph:
    """Compose ``pathway_id`` with its sub-pathways; references must already be checked."""
    root = analyses[pathway_id].pathway
    drafts: dict[str, _Draft] = {}
    calcs: list[Calc] = []
    subs: dict[str, int] = {}
    answers: dict[str, AnswerRule] = {}

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
            node = _Draft(state(step.id), StepKind(step.kind), step.id, meta.id, meta.version,
                          step.title, names)
            drafts[node.state] = node
            if isinstance(step, (SayStep, QuestionStep, LookupStep)):
                node.scripts = _scripts(step.script)
                node.text = step.text
                node.guidance = step.guidance
            if isinstance(step, SayStep):
                node.edges.append(Edge(None, state(step.next), "", "next"))
            elif isinstance(step, (QuestionStep, LookupStep)):
                local = analysis.step_var.get(step.id)
                node.var = names.get(local, local) if local else None
                node.answer = analysis.answer_specs.get(local) if local else None
                if node.var is not None and node.answer is not None:
                    answers[node.var] = node.answer
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
                node.outcome = outcome_of(step.outcome)
                node.scripts = _scripts(step.outcome.script)
                node.text = step.outcome.text
                node.guidance = step.outcome.guidance
        return state(pathway.start)

    start = add(analyses[pathway_id], "", {}, None)
    nodes = {state: Node(
        state=d.state, kind=d.kind, local_id=d.local_id, pathway_id=d.pathway_id,
        pathway_version=d.pathway_version, title=d.title, var=d.var, answer=d.answer,
        edges=tuple(d.edges), scripts=d.scripts, text=d.text, guidance=d.guidance,
        outcome=d.outcome,
        red_flag=d.red_flag, names=d.names,
        # Which calculations to work out again when this step's answer changes.
        calc_triggers=(tuple(c.name for c in _dependents(calcs, d.var))
                       if d.var is not None else ()),
    ) for state, d in drafts.items()}
    return ComposedGraph(pathway_id, root.pathway.version, start, nodes, tuple(calcs),
                         tuple(root.red_flag_screen), subs, answers)


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
