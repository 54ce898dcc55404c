"""The safety rules, checked on each entry pathway composed with its sub-pathways: no early
exit before the whole red-flag screen, every red-flag yes or not sure escalates, and a
repeat contact (the person's Nth within H hours, the directory's repeat-contact rule) never
ends in an early exit, and (the directory's out-of-hours rule) work due the same working day
or sooner for a team that keeps office hours is only passed to it in hours."""

from __future__ import annotations

from collections.abc import Mapping

from triage.checks.context import CheckContext, step_index
from triage.problems import Problem
from triage.routing.explore import PathStep, explore
from triage.routing.plan import ComposedGraph, Node
from triage.timeframes import Timeframe, parse_timeframe
from triage.vocabulary import OUT_OF_HOURS, REPEAT_CONTACT, StepKind


def _days(timeframe: Timeframe) -> float:
    """A timeframe's length, roughly, in days: enough to say which of two is shorter."""
    if timeframe.unit == "immediate":
        return 0.0
    if timeframe.unit == "hours":
        return timeframe.amount / 24
    if timeframe.unit == "working_hours":
        return timeframe.amount / 8
    return timeframe.amount + 1.0


def _route_text(trail: tuple[PathStep, ...]) -> str:
    parts = []
    for step in trail:
        if step.var is not None and step.values is not None:
            parts.append(f"{step.state}={'|'.join(sorted(map(str, step.values)))}")
        elif step.via not in ("next", "end"):
            parts.append(f"{step.state}->{step.via}")
    return ", ".join(parts) or "(straight from the start)"


def check_safety_rule(ctx: CheckContext, graph: ComposedGraph) -> list[Problem]:
    """No early exit before the whole red-flag screen; every red-flag yes or not sure escalates.

    Route exploration gives every answer to a red-flag question a route of its own
    ("not sure" included, whatever ``unsure_means`` routes it as), so the rule sees what
    the handler answered, not what a fold made of it.
    """
    lib = ctx.lib
    if lib.directory is None:
        return []
    policy = lib.directory.value.safety
    early, escalation = set(policy.early_exit_kinds), set(policy.escalation_kinds)
    entry = lib.pathways[graph.pathway_id]
    src = entry.source
    loc = ("red_flag_screen",) if entry.value.red_flag_screen else ("pathway", "id")
    problems: list[Problem] = []
    seen: set[tuple[str, ...]] = set()
    flags = {state for state, node in graph.nodes.items() if node.red_flag}
    unsafe: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    repeats: dict[str, tuple[str, str]] = {}
    out_of_hours: dict[str, tuple[Node, str]] = {}
    escalations = ", ".join(sorted(k.value for k in escalation))
    rule = policy.out_of_hours
    within = _days(parse_timeframe(rule.within)) if rule else -1.0
    for route in explore(graph):
        if not route.complete:
            continue
        node = graph.nodes[route.end]
        if node.outcome is None:
            continue
        kind = node.outcome.kind
        passed = {s.state for s in route.steps}
        outcome_name = f"{node.pathway_id}:{node.local_id}"
        if kind in early and True in route.env.get(REPEAT_CONTACT, ()):
            repeats.setdefault(outcome_name, (kind.value, _route_text(route.steps)))
        if (rule is not None and kind in rule.kinds and node.outcome.team is not None
                and node.outcome.team not in rule.teams
                and True in route.env.get(OUT_OF_HOURS, (True,))
                and _days(parse_timeframe(node.outcome.timeframe)) <= within):
            out_of_hours.setdefault(outcome_name, (node, _route_text(route.steps)))
        if kind in early:
            missing = [f for f in graph.red_flag_states if f not in passed]
            if not graph.red_flag_states:
                missing = ["(no red-flag screen is declared)"]
            if missing and ("early", outcome_name) not in seen:
                seen.add(("early", outcome_name))
                problems.append(src.problem(loc, f"safety rule: the {kind.value} outcome "
                                f"'{outcome_name}' can be reached without the red-flag step(s) "
                                f"{', '.join(missing)}; route: {_route_text(route.steps)}",
                                "safety"))
        if kind in escalation:
            continue
        for step in route.steps:
            if step.state not in flags or step.values is None:
                continue
            for answer in sorted(step.values & {"yes", "not_sure"}):
                ends = unsafe.setdefault((step.state, answer), {})
                ends.setdefault(outcome_name, (kind.value, _route_text(route.steps)))
    for (state, answer), ends in sorted(unsafe.items()):
        problems.append(_red_flag_problem(ctx, graph.nodes[state], answer, ends, escalations))
    if repeats:
        problems.append(_repeat_problem(ctx, graph, repeats))
    for name, (node, route_text) in sorted(out_of_hours.items()):
        problems.append(_out_of_hours_problem(ctx, name, node, route_text))
    return problems


def _out_of_hours_problem(ctx: CheckContext, name: str, node: Node, route: str) -> Problem:
    """An outcome for an office-hours team, due within a working day, reachable out of
    hours: at its timeframe in its own pathway."""
    assert ctx.lib.directory is not None and node.outcome is not None
    rule = ctx.lib.directory.value.safety.out_of_hours
    assert rule is not None
    located = ctx.lib.pathways[node.pathway_id]
    index = step_index(located.value)[node.local_id]
    return located.source.problem(("steps", index, "outcome", "timeframe"), (
        f"out-of-hours rule: the {node.outcome.kind.value} outcome '{name}' (team "
        f"'{node.outcome.team}', {node.outcome.timeframe}) can be reached out of hours, when "
        f"that team is not working; route on {OUT_OF_HOURS} before it to a team that works "
        f"out of hours ({', '.join(rule.teams)}); route: {route}"), "safety")


def _repeat_problem(ctx: CheckContext, graph: ComposedGraph,
                    ends: Mapping[str, tuple[str, str]]) -> Problem:
    """Repeat contacts that can end in an early exit, at the entry pathway's person check."""
    assert ctx.lib.directory is not None
    rule = ctx.lib.directory.value.safety.repeat_contacts
    entry = ctx.lib.pathways[graph.pathway_id]
    check = next((n for n in graph.nodes.values()
                  if n.kind is StepKind.LOOKUP and n.pathway_id == graph.pathway_id), None)
    loc: tuple[str | int, ...] = (("steps", step_index(entry.value)[check.local_id])
                                  if check is not None else ("pathway", "id"))
    where = ", ".join(f"'{name}' ({kind})" for name, (kind, _) in sorted(ends.items()))
    example = ends[min(ends)][1]
    return entry.source.problem(loc, (
        f"safety rule (repeat contacts): a person's contact number {rule.contacts} or more "
        f"within {rule.hours:g} hours can end at {where}, which "
        f"{'is an early exit' if len(ends) == 1 else 'are early exits'}; route a repeat "
        f"contact ({REPEAT_CONTACT}) to a team before anything that can end the call early; "
        f"for example: {example}, {REPEAT_CONTACT}=true"), "safety")


def _red_flag_problem(ctx: CheckContext, flag: Node, answer: str,
                      ends: Mapping[str, tuple[str, str]], escalations: str) -> Problem:
    """A red-flag answer that can end somewhere other than an escalation, at its step."""
    located = ctx.lib.pathways[flag.pathway_id]
    index = step_index(located.value)[flag.local_id]
    said = "a 'yes'" if answer == "yes" else "a 'not sure'"
    where = ", ".join(f"'{name}' ({kind})" for name, (kind, _) in sorted(ends.items()))
    first_route = ends[min(ends)][1]
    message = (f"safety rule: {said} to red-flag step '{flag.local_id}' can end at {where}, "
               f"which {'is not an escalation' if len(ends) == 1 else 'are not escalations'}; "
               f"a 'yes' or 'not sure' to a red-flag question must reach an escalation "
               f"({escalations})")
    if answer == "not_sure" and flag.answer is not None and flag.answer.unsure_means == "no":
        message += ", so its answer needs unsure_means: yes, not no (which routes 'not sure' " \
                   "as 'no')"
    return located.source.problem(("steps", index), f"{message}; for example: {first_route}",
                                  "safety")
