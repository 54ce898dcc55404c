"""Semantic checks on pathway, script, facts and directory files.

Each check is a named function over the :class:`CheckContext` that returns located
problems; :data:`CHECKS` lists them in the order they run. The safety rule runs on each
entry pathway composed with its sub-pathways, once the other checks pass.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from triage.analysis import LOOKUP_FACTS, PathwayAnalysis, analyse, output_specs
from triage.answers import allowed_codes
from triage.definitions import (
    AnswerType,
    HandoverStep,
    LookupStep,
    OnlineService,
    OutcomeKind,
    OutcomeStep,
    Pathway,
    QuestionStep,
    ReturnStep,
    SayStep,
)
from triage.expressions import kleene, type_problems
from triage.graph import ComposedGraph, Node, PathStep, compose, explore
from triage.library import Library, Located
from triage.problems import Problem
from triage.timeframes import parse_timeframe
from triage.yamlsource import SourceFile

OUTCOME_PLACEHOLDERS = ("team", "team_phone", "service", "service_url", "timeframe", "due")
CALL_PLACEHOLDERS = ("handler_name",)
DEFLECTIONS = (OutcomeKind.DEFLECT_ONLINE, OutcomeKind.DEFLECT_ONLINE_ASSISTED)


ROOT_CAUSES = frozenset({"yaml", "schema", "files"})
"""Problems that keep a whole file out of the library; others may follow from them."""


@dataclass
class CheckContext:
    """The library being checked, with each pathway's analysis."""

    lib: Library
    analyses: dict[str, PathwayAnalysis] = field(default_factory=dict)
    composed: dict[str, ComposedGraph] = field(default_factory=dict)
    unloaded: dict[tuple[str, str], str] = field(default_factory=dict)
    """(kind, id) -> the file that declares it but could not be loaded."""
    unreadable: tuple[str, ...] = ()
    """Files that could not be read at all, so what they declare is not known."""

    def follows(self, kind: str, ident: str) -> str:
        """Why a reference to an unknown ``ident`` may be a knock-on of another problem."""
        declared = self.unloaded.get((kind, ident))
        if declared is not None:
            return (f" (this follows from the problem in {declared}, which declares "
                    f"'{ident}' but could not be loaded: fix that first)")
        if self.unreadable:
            return (f" (this may follow from the problem in {', '.join(self.unreadable)}, "
                    "which could not be read: fix that first)")
        return ""


def _unloaded_files(lib: Library) -> tuple[dict[tuple[str, str], str], tuple[str, ...]]:
    """What the files that failed to load declare, and the files that could not be read."""
    failed = {p.file for p in lib.problems if p.check in ROOT_CAUSES}
    parsed = {src.display: src for src in lib.files}
    declared: dict[tuple[str, str], str] = {}
    for name in sorted(failed & parsed.keys()):
        data = parsed[name].data
        if not isinstance(data, dict):
            continue

        def ids(items: object, key: str) -> list[str]:
            return [str(i[key]) for i in items if isinstance(i, dict) and key in i] \
                if isinstance(items, list) else []

        found: list[tuple[str, str]] = []
        found += [("script", i) for i in ids(data.get("scripts"), "id")]
        found += [("fact", i) for i in ids(data.get("facts"), "name")]
        directory = data.get("directory")
        if isinstance(directory, dict):
            found += [("team", i) for i in ids(directory.get("teams"), "id")]
            found += [("service", i) for i in ids(directory.get("online_services"), "id")]
        meta = data.get("pathway")
        if isinstance(meta, dict) and "id" in meta:
            found.append(("pathway", str(meta["id"])))
        for key in found:
            declared.setdefault(key, name)
    return declared, tuple(sorted(failed - parsed.keys()))


def _steps(p: Pathway) -> dict[str, int]:
    return {step.id: i for i, step in enumerate(p.steps)}


def _targets(step: object) -> list[tuple[tuple[str | int, ...], str]]:
    """(path inside the step, target step id) for every place a step names another."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    for j, route in enumerate(getattr(step, "routes", None) or ()):
        out.append((("routes", j, "goto"), route.goto))
    for key in ("default", "next"):
        target = getattr(step, key, None)
        if isinstance(target, str):
            out.append(((key,), target))
    return out


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
        ids = _steps(p)
        known = ", ".join(sorted(ids))

        def unknown(loc: tuple[str | int, ...], target: str, src: SourceFile = src,
                    known: str = known) -> Problem:
            return src.problem(loc, f"unknown step '{target}'; steps in this pathway are: "
                               f"{known}", "references")

        if p.start not in ids:
            problems.append(unknown(("start",), p.start))
        for i, step in enumerate(p.steps):
            for loc, target in _targets(step):
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


def _check_handover(ctx: CheckContext, src: SourceFile, base: tuple[str | int, ...],
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


def _check_outcome(ctx: CheckContext, src: SourceFile, base: tuple[str | int, ...],
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


def _edges(step: object) -> list[str]:
    return [t for _, t in _targets(step)]


def check_unreachable_steps(ctx: CheckContext) -> list[Problem]:
    """Steps that no route from the start reaches."""
    problems = []
    for located in ctx.lib.pathways.values():
        p = located.value
        ids = _steps(p)
        seen, frontier = {p.start}, [p.start]
        while frontier:
            current = frontier.pop()
            if current not in ids:
                continue
            for target in _edges(p.steps[ids[current]]):
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
        for i, step in enumerate(p.steps):
            if step.id not in seen:
                problems.append(located.source.problem(
                    ("steps", i), f"step '{step.id}' is unreachable: no route from the start "
                    f"('{p.start}') leads to it", "unreachable"))
    return problems


def check_dead_ends(ctx: CheckContext) -> list[Problem]:
    """Steps from which no outcome (or return) can be reached: dead ends and closed loops."""
    problems = []
    for located in ctx.lib.pathways.values():
        p = located.value
        ids = _steps(p)
        done = {s.id for s in p.steps if isinstance(s, (OutcomeStep, ReturnStep))}
        # A handover ends the call when its sub-pathway cannot return.
        for s in p.steps:
            if isinstance(s, HandoverStep) and s.next is None:
                done.add(s.id)
        changed = True
        while changed:
            changed = False
            for s in p.steps:
                if s.id not in done and any(t in done for t in _edges(s)):
                    done.add(s.id)
                    changed = True
        for s in p.steps:
            if s.id not in done and s.id in ids:
                targets = _edges(s)
                what = ("is a dead end: it has no way on" if not targets else
                        "cannot reach any outcome: its routes only loop back "
                        f"({', '.join(targets)})")
                problems.append(located.source.problem(("steps", ids[s.id]),
                                                       f"step '{s.id}' {what}", "dead_ends"))
    return problems


def check_conditions(ctx: CheckContext) -> list[Problem]:
    """Conditions and calculations that do not compile, name unknown answers or mistype."""
    problems = []
    for analysis in ctx.analyses.values():
        src = analysis.located.source
        p = analysis.pathway
        for loc, message in analysis.expression_errors:
            problems.append(src.problem(loc, message, "conditions"))
        ids = _steps(p)
        known = sorted(analysis.types)
        for (step_id, j), expr in analysis.conditions.items():
            loc = ("steps", ids[step_id], "routes", j, "when")
            for name in sorted(expr.names - analysis.types.keys()):
                problems.append(src.problem(loc, f"unknown name '{name}' in '{expr.source}'; "
                                f"names here are: {', '.join(known)}", "conditions"))
            for message in type_problems(expr, analysis.types):
                problems.append(src.problem(loc, message, "conditions"))
        for i, calc in enumerate(p.calculations):
            calc_expr = analysis.calculations.get(calc.name)
            if calc_expr is None:
                continue
            for name in sorted(calc_expr.names - analysis.types.keys()):
                problems.append(src.problem(("calculations", i, "expr"), f"unknown name "
                                f"'{name}' in '{calc_expr.source}'", "conditions"))
    return problems


def check_option_coverage(ctx: CheckContext) -> list[Problem]:
    """Answers that no route covers on a step without a default."""
    problems = []
    for analysis in ctx.analyses.values():
        p, src = analysis.pathway, analysis.located.source
        for i, step in enumerate(p.steps):
            if not isinstance(step, (QuestionStep, LookupStep)) or not step.routes:
                continue
            if step.default is not None:
                continue
            var = analysis.step_var.get(step.id)
            spec = analysis.answer_specs.get(var or "")
            conds = [analysis.conditions.get((step.id, j)) for j in range(len(step.routes))]
            if any(c is None for c in conds):
                continue
            if isinstance(step, LookupStep):
                codes: tuple[str, ...] = ("open", "previously_known", "not_known",
                                          "possible_match")
            elif spec is not None and spec.type is not AnswerType.MULTI_CHOICE:
                codes = allowed_codes(spec)
                if spec.type is AnswerType.YES_NO_UNSURE and spec.unsure_means:
                    codes = ("yes", "no")
            else:
                codes = ()
            if not codes:
                if not any(kleene(c, {}) is True for c in conds if c is not None):
                    problems.append(src.problem(("steps", i, "routes"), "the routes do not cover "
                                    "every answer to this open question; add a 'default'",
                                    "coverage"))
                continue
            uncovered = [code for code in codes
                         if not any(kleene(c, {var: code}) is True for c in conds
                                    if c is not None and var is not None)]
            if uncovered:
                problems.append(src.problem(("steps", i, "routes"), "no route covers the "
                                f"answer(s) {', '.join(uncovered)} and there is no 'default'; "
                                "add a route for them or a default", "coverage"))
    return problems


def _script_uses(ctx: CheckContext) -> Iterable[tuple[Located[Pathway], tuple[str | int, ...],
                                                      list[str], dict[str, str] | None, bool]]:
    for located in ctx.lib.pathways.values():
        for i, step in enumerate(located.value.steps):
            loc: tuple[str | int, ...]
            if isinstance(step, OutcomeStep):
                sc, text, loc, is_outcome = (step.outcome.script, step.outcome.text,
                                             ("steps", i, "outcome"), True)
            elif isinstance(step, (SayStep, QuestionStep, LookupStep)):
                sc, text, loc, is_outcome = step.script, step.text, ("steps", i), False
            else:
                continue
            ids = [sc] if isinstance(sc, str) else list(sc or [])
            yield located, loc, ids, text, is_outcome


def placeholders(text: str) -> list[str]:
    """The {names} in a script text; raises ValueError for malformed braces."""
    names = []
    for _, field_name, spec, conv in string.Formatter().parse(text):
        if field_name is None:
            continue
        if not field_name.isidentifier() or spec or conv:
            raise ValueError(f"'{{{field_name}}}' is not a placeholder; write {{name}} with a "
                             "plain name")
        names.append(field_name)
    return names


def check_placeholders(ctx: CheckContext) -> list[Problem]:
    """Placeholders that nothing in the call can fill, and malformed braces."""
    lib = ctx.lib
    problems = []
    constants = set(lib.directory.value.constants) if lib.directory else set()
    for script_id, located_script in lib.scripts.items():
        for lang, text in located_script.value.text.items():
            try:
                placeholders(text)
            except ValueError as exc:
                problems.append(located_script.source.problem(
                    (*located_script.loc, "text", lang), f"script '{script_id}': {exc}",
                    "placeholders"))
    for located, loc, ids, inline, is_outcome in _script_uses(ctx):
        analysis = ctx.analyses.get(located.value.pathway.id)
        names = set(analysis.types) if analysis else set()
        sources = names | constants | set(CALL_PLACEHOLDERS)
        if is_outcome:
            sources |= set(OUTCOME_PLACEHOLDERS)
        texts: list[tuple[tuple[str | int, ...], str, str]] = []
        for sid in ids:
            script = lib.scripts.get(sid)
            if script:
                for lang, t in script.value.text.items():
                    line, col = script.source.locate((*script.loc, "text", lang))
                    texts.append(((*loc, "script"), f"script '{sid}' (its {lang} text at "
                                  f"{script.source.display}:{line}:{col})", t))
        for lang, t in (inline or {}).items():
            texts.append(((*loc, "text", lang), "the text", t))
        for where, what, t in texts:
            try:
                used = placeholders(t)
            except ValueError:
                continue
            for name in used:
                if name not in sources:
                    extra = (" (outcome placeholders such as {team} only work in outcome words)"
                             if name in OUTCOME_PLACEHOLDERS else "")
                    problems.append(located.source.problem(
                        where, f"{what} uses {{{name}}}, which nothing in this call fills{extra}; "
                        f"placeholders can be answers, facts, calculations, directory constants "
                        f"({', '.join(sorted(constants))}) or {{handler_name}}", "placeholders"))
    return sorted(set(problems))


def check_english_text(ctx: CheckContext) -> list[Problem]:
    """Script fragments, inline text and option labels with no English ('en')."""
    problems = []
    for sid, script in ctx.lib.scripts.items():
        if "en" not in script.value.text:
            problems.append(script.source.problem((*script.loc, "text"),
                            f"script '{sid}' has no English text ('en'), which is required",
                            "english"))
    for located, loc, _ids, inline, _ in _script_uses(ctx):
        if inline is not None and "en" not in inline:
            problems.append(located.source.problem((*loc, "text"), "inline text needs English "
                            "('en')", "english"))
    for located in ctx.lib.pathways.values():
        for i, step in enumerate(located.value.steps):
            answer = getattr(step, "answer", None)
            for k, option in enumerate(getattr(answer, "options", None) or ()):
                if isinstance(option.label, dict) and "en" not in option.label:
                    problems.append(located.source.problem(
                        ("steps", i, "answer", "options", k, "label"),
                        f"option '{option.code}' has no English label ('en')", "english"))
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
        return [first.source.problem((), "no directory file was loaded (teams, online services, "
                                     "constants and the safety policy); load directory.yaml "
                                     "with the pathways", "references")]
    return []


STRUCTURAL = frozenset({"yaml", "schema", "files", "references", "cycles", "duplicate_ids",
                        "conditions"})
"""Problems that stop a pathway being composed (and so its safety being checked)."""

CHECKS: tuple[Callable[[CheckContext], list[Problem]], ...] = (
    check_directory_present,
    check_duplicate_step_ids,
    check_step_references,
    check_other_references,
    check_subpathway_cycles,
    check_unreachable_steps,
    check_dead_ends,
    check_conditions,
    check_option_coverage,
    check_placeholders,
    check_english_text,
)


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
    escalations = ", ".join(sorted(k.value for k in escalation))
    for route in explore(graph):
        if not route.complete:
            continue
        node = graph.nodes[route.end]
        if node.outcome is None:
            continue
        kind = node.outcome.kind
        passed = {s.state for s in route.steps}
        outcome_name = f"{node.pathway_id}:{node.local_id}"
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
    return problems


def _red_flag_problem(ctx: CheckContext, flag: Node, answer: str,
                      ends: Mapping[str, tuple[str, str]], escalations: str) -> Problem:
    """A red-flag answer that can end somewhere other than an escalation, at its step."""
    located = ctx.lib.pathways[flag.pathway_id]
    index = _steps(located.value)[flag.local_id]
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


def run_checks(lib: Library) -> CheckContext:
    """Run every check, compose entry pathways, and check the safety rule on each."""
    ctx = CheckContext(lib)
    ctx.unloaded, ctx.unreadable = _unloaded_files(lib)
    outs = output_specs(lib)
    for pid, located in lib.pathways.items():
        ctx.analyses[pid] = analyse(lib, located, outs)
    for check in CHECKS:
        lib.problems.extend(check(ctx))
    broken = {p.file for p in lib.problems if p.check in STRUCTURAL}
    for pid, located in lib.pathways.items():
        if not _composable(ctx, pid, broken, set()):
            continue
        graph = compose(ctx.analyses, pid)
        ctx.composed[pid] = graph
        if located.value.pathway.usage == "entry":
            lib.problems.extend(check_safety_rule(ctx, graph))
    # A file that could not be loaded comes first: what follows may be its knock-on.
    lib.problems.sort(key=lambda p: (p.check not in ROOT_CAUSES, p))
    return ctx


def _composable(ctx: CheckContext, pid: str, broken: set[str], trail: set[str]) -> bool:
    located = ctx.lib.pathways.get(pid)
    if located is None or located.source.display in broken or pid in trail:
        return False
    return all(_composable(ctx, s.pathway, broken, trail | {pid})
               for s in located.value.steps if isinstance(s, HandoverStep))

