"""Checks of what files name: steps, scripts, facts, teams, online services and
sub-pathways that exist, and sub-pathways that do not hand over in a cycle."""

from __future__ import annotations

from collections.abc import Mapping

from triage.checks.context import CheckContext, step_index, targets
from triage.definitions import (
    HandoverStep,
    LookupStep,
    OnlineService,
    OutcomeStep,
    QuestionStep,
    ReturnStep,
)
from triage.problems import Problem
from triage.sources import Source
from triage.timeframes import parse_timeframe
from triage.vocabulary import DEFLECTIONS, LOOKUP_FACTS, AnswerType, OutcomeKind


def check_duplicate_step_ids(ctx: CheckContext) -> list[Problem]:
    """Two steps in one pathway with the same id."""
    problems = []
    for located in ctx.lib.pathways.values():
        seen: set[str] = set()
        for i, step in enumerate(located.value.steps):
            if step.id in seen:
                problems.append(located.source.problem(
                    ("steps", i, "id"), f"duplicate step id '{step.id}'", "duplicate_ids"))
            seen.add(step.id)
    return problems


def check_step_references(ctx: CheckContext) -> list[Problem]:
    """Routes, defaults, next steps, the start and the red-flag screen naming unknown steps."""
    problems = []
    for located in ctx.lib.pathways.values():
        p, src = located.value, located.source
        ids = step_index(p)
        known = ", ".join(sorted(ids))

        def unknown(loc: tuple[str | int, ...], target: str, src: Source = src,
                    known: str = known) -> Problem:
            return src.problem(loc, f"unknown step '{target}'; steps in this pathway are: "
                               f"{known}", "references")

        if p.start not in ids:
            problems.append(unknown(("start",), p.start))
        for i, step in enumerate(p.steps):
            for loc, target in targets(step):
                if target not in ids:
                    problems.append(unknown(("steps", i, *loc), target))
        for k, flag in enumerate(p.red_flag_screen):
            if flag not in ids:
                problems.append(unknown(("red_flag_screen", k), flag))
            else:
                step = p.steps[ids[flag]]
                if not (isinstance(step, QuestionStep) and step.answer is not None and
                        step.answer.type in (AnswerType.YES_NO, AnswerType.YES_NO_UNSURE)):
                    problems.append(src.problem(
                        ("red_flag_screen", k), f"red-flag step '{flag}' must be a question with "
                        "a yes_no_unsure (or yes_no) answer", "references"))
    return problems


def check_other_references(ctx: CheckContext) -> list[Problem]:
    """Unknown scripts, facts, teams, online services and sub-pathways."""
    lib = ctx.lib
    problems = []
    directory = lib.directory.value if lib.directory else None
    teams = {t.id for t in directory.teams} if directory else set()
    services = {s.id: s for s in directory.online_services} if directory else {}
    for pid, located in lib.pathways.items():
        p, src = located.value, located.source
        for i, step in enumerate(p.steps):
            base: tuple[str | int, ...] = ("steps", i)
            scripts = getattr(step, "script", None)
            if isinstance(step, OutcomeStep):
                scripts = step.outcome.script
                base_script: tuple[str | int, ...] = (*base, "outcome", "script")
            else:
                base_script = (*base, "script")
            for k, sid in enumerate([scripts] if isinstance(scripts, str) else scripts or []):
                if sid not in lib.scripts:
                    loc = base_script if isinstance(scripts, str) else (*base_script, k)
                    problems.append(src.problem(loc, f"unknown script '{sid}'; scripts are: "
                                    f"{', '.join(sorted(lib.scripts)) or 'none'}"
                                    f"{ctx.follows('script', sid)}", "references"))
            if isinstance(step, QuestionStep) and step.fact and step.fact not in lib.facts:
                problems.append(src.problem((*base, "fact"), f"unknown fact '{step.fact}'; facts "
                                f"are: {', '.join(sorted(lib.facts))}"
                                f"{ctx.follows('fact', step.fact)}", "references"))
            if isinstance(step, LookupStep):
                missing = [f for f in LOOKUP_FACTS if f not in lib.facts]
                if missing:
                    problems.append(src.problem(base, "a lookup step sets the facts "
                                    f"{', '.join(missing)}, which facts.yaml does not declare",
                                    "references"))
            if isinstance(step, HandoverStep):
                problems.extend(_check_handover(ctx, src, base, step, pid))
            if isinstance(step, OutcomeStep):
                problems.extend(_check_outcome(ctx, src, base, step, teams, services))
    return problems


def _check_handover(ctx: CheckContext, src: Source, base: tuple[str | int, ...],
                    step: HandoverStep, pid: str) -> list[Problem]:
    lib = ctx.lib
    if step.pathway not in lib.pathways:
        return [src.problem((*base, "pathway"), f"unknown pathway '{step.pathway}'; pathways "
                            f"are: {', '.join(sorted(lib.pathways))}"
                            f"{ctx.follows('pathway', step.pathway)}", "references")]
    problems = []
    sub = lib.pathways[step.pathway].value
    declared_inputs = {i.name for i in sub.inputs}
    parent = ctx.analyses.get(pid)
    for name, parent_name in step.inputs.items():
        if name not in declared_inputs:
            have = ", ".join(sorted(declared_inputs)) or "none"
            problems.append(src.problem((*base, "inputs", name), f"'{step.pathway}' has no "
                            f"input '{name}' (its inputs: {have})", "references"))
        if parent is not None and parent_name not in parent.types:
            problems.append(src.problem((*base, "inputs", name), f"'{parent_name}' is not an "
                            "answer, fact or calculation in this pathway", "references"))
    for name in declared_inputs - set(step.inputs):
        problems.append(src.problem((*base, "inputs"), f"the handover does not give "
                        f"'{step.pathway}' its input '{name}'", "references"))
    for parent_name, sub_name in step.outputs.items():
        if sub_name not in sub.outputs:
            problems.append(src.problem((*base, "outputs", parent_name), f"'{step.pathway}' has "
                            f"no output '{sub_name}' (its outputs: "
                            f"{', '.join(sub.outputs) or 'none'})", "references"))
    sub_analysis = ctx.analyses.get(step.pathway)
    if sub_analysis is not None:
        for name in sub.outputs:
            if name not in sub_analysis.types:
                problems.append(src.problem((*base, "pathway"), f"'{step.pathway}' declares an "
                                f"output '{name}' that none of its answers, facts or "
                                "calculations provides", "references"))
    has_return = any(isinstance(s, ReturnStep) for s in sub.steps)
    if has_return and step.next is None:
        problems.append(src.problem(base, f"'{step.pathway}' can return, so this handover needs "
                        "'next' (where the call goes when it returns)", "references"))
    return problems


def _check_outcome(ctx: CheckContext, src: Source, base: tuple[str | int, ...],
                   step: OutcomeStep, teams: set[str],
                   services: Mapping[str, OnlineService]) -> list[Problem]:
    problems = []
    out = step.outcome
    loc = (*base, "outcome")
    if out.team is not None and out.team not in teams:
        problems.append(src.problem((*loc, "team"), f"unknown team '{out.team}'; teams are: "
                        f"{', '.join(sorted(teams)) or 'none'}{ctx.follows('team', out.team)}",
                        "references"))
    if out.service is not None and out.service not in services:
        problems.append(src.problem((*loc, "service"), f"unknown online service '{out.service}'; "
                        f"services are: {', '.join(sorted(services)) or 'none'}"
                        f"{ctx.follows('service', out.service)}", "references"))
    if out.kind in DEFLECTIONS and out.service is None:
        problems.append(src.problem((*loc, "service"), f"a {out.kind.value} outcome needs "
                        "'service' (the online service the caller is sent to)", "outcomes"))
    service = services.get(out.service or "")
    if (out.kind is OutcomeKind.DEFLECT_ONLINE_ASSISTED and isinstance(service, OnlineService)
            and not service.assisted):
        problems.append(src.problem((*loc, "service"), f"'{service.id}' cannot be completed by a "
                        "handler (assisted: false), so it cannot be an assisted deflection",
                        "outcomes"))
    if out.kind in (OutcomeKind.TEAM_REFERRAL, OutcomeKind.URGENT_ESCALATION) and out.team is None:
        problems.append(src.problem(loc, f"a {out.kind.value} outcome needs 'team'", "outcomes"))
    if out.script is None and out.text is None:
        problems.append(src.problem(loc, "an outcome needs 'script' or 'text': the words that "
                        "tell the caller what happens next", "outcomes"))
    try:
        parse_timeframe(out.timeframe)
    except ValueError as exc:
        problems.append(src.problem((*loc, "timeframe"), str(exc), "outcomes"))
    return problems


def check_subpathway_cycles(ctx: CheckContext) -> list[Problem]:
    """Pathways that hand over to themselves, directly or through others."""
    graph = {pid: [s.pathway for s in loc.value.steps if isinstance(s, HandoverStep)]
             for pid, loc in ctx.lib.pathways.items()}
    problems = []
    reported: set[frozenset[str]] = set()

    def visit(pid: str, trail: list[str]) -> None:
        for nxt in graph.get(pid, []):
            if nxt in trail:
                cycle = trail[trail.index(nxt):] + [nxt]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    located = ctx.lib.pathways[pid]
                    i = next(k for k, s in enumerate(located.value.steps)
                             if isinstance(s, HandoverStep) and s.pathway == nxt)
                    problems.append(located.source.problem(("steps", i, "pathway"),
                                    "sub-pathways hand over in a cycle: " + " -> ".join(cycle),
                                    "cycles"))
            elif nxt in graph:
                visit(nxt, trail + [nxt])

    for pid in graph:
        visit(pid, [pid])
    return problems


def check_directory_present(ctx: CheckContext) -> list[Problem]:
    """Pathways need a directory file (teams, services, safety policy) and facts."""
    if ctx.lib.pathways and ctx.lib.directory is None:
        first = next(iter(ctx.lib.pathways.values()))
        failed = ctx.unloaded.get(("directory", "directory"))
        if failed is not None:
            return [first.source.problem((), f"the directory file {failed} could not be "
                                         "loaded (see its problem first), so the pathways have "
                                         "no teams, online services, constants or safety "
                                         "policy", "references")]
        return [first.source.problem((), "no directory file was loaded (teams, online services, "
                                     "constants and the safety policy); load directory.yaml "
                                     "with the pathways" + ctx.follows("directory", "directory"),
                                     "references")]
    return []
