"""The hazard log's check: every control names something that exists, every safety rule
the pathways use has a hazard, and no hazard's residual risk is above its initial risk."""

from __future__ import annotations

from collections.abc import Callable

from triage.checks.context import CheckContext
from triage.problems import Problem


def hazard_check(check_names: frozenset[str]) -> Callable[[CheckContext], list[Problem]]:
    """The check, knowing the names of the validator's checks that a control may name."""

    def check_hazards(ctx: CheckContext) -> list[Problem]:
        """The hazard log: every control names a check, step, rule or scenario that
        exists; every safety rule in use has a hazard; residual risk is not above initial."""
        lib = ctx.lib
        if lib.hazards is None:
            return []
        log, src = lib.hazards.value, lib.hazards.source
        problems: list[Problem] = []
        covered: set[str] = set()
        for i, hazard in enumerate(log.hazards):
            if hazard.residual.rating > hazard.initial.rating:
                problems.append(src.problem(
                    ("hazards", i, "residual"), f"hazard {hazard.id}: the residual risk "
                    f"({hazard.residual.rating}) is above the initial risk "
                    f"({hazard.initial.rating}); controls can only lower a risk", "hazards"))
            for j, control in enumerate(hazard.controls):
                where = ("hazards", i, "controls", j)
                if control.rule:
                    covered.add(control.rule)
                if control.check and control.check not in check_names:
                    problems.append(src.problem(
                        (*where, "check"), f"hazard {hazard.id}: no check is named "
                        f"'{control.check}'; checks are: {', '.join(sorted(check_names))}",
                        "hazards"))
                if control.step:
                    pathway_id, step_id = control.step.split(":", 1)
                    pathway = lib.pathways.get(pathway_id)
                    if pathway is None:
                        problems.append(src.problem(
                            (*where, "step"), f"hazard {hazard.id}: no pathway '{pathway_id}'; "
                            f"pathways are: {', '.join(sorted(lib.pathways)) or 'none'}",
                            "hazards"))
                    elif step_id not in {s.id for s in pathway.value.steps}:
                        problems.append(src.problem(
                            (*where, "step"), f"hazard {hazard.id}: pathway '{pathway_id}' has "
                            f"no step '{step_id}'", "hazards"))
                if control.scenario:
                    problems.extend(_scenario(ctx, hazard.id, control.scenario, where))
        for rule, in_use in (("red_flag_screen", _red_flags_in_use(ctx)),
                             ("repeat_contacts", lib.directory is not None)):
            if in_use and rule not in covered:
                problems.append(src.problem(
                    ("hazards",), f"the safety rule '{rule}' is in use but no hazard names it "
                    f"as a control; add the hazard it controls, with `- rule: {rule}`",
                    "hazards"))
        return problems

    return check_hazards


def _red_flags_in_use(ctx: CheckContext) -> bool:
    return any(p.value.red_flag_screen for p in ctx.lib.pathways.values())


def _scenario(ctx: CheckContext, hazard: str, scenario: str, where: tuple[str | int, ...]
              ) -> list[Problem]:
    assert ctx.lib.hazards is not None
    src = ctx.lib.hazards.source
    known = ctx.lib.scenarios
    if known is None:
        # A deployed copy of the pathways (a service's folder, a copy under review) need not
        # carry the scenarios; in a checkout, where they are, every one is checked.
        return []
    if scenario in known:
        return []
    file = scenario.split(":", 1)[0]
    in_file = sorted(s.split(": ", 1)[1] for s in known if s.startswith(file + ": "))
    hint = (f"scenarios in {file} are: {'; '.join(in_file)}" if in_file else
            "name it as 'FOLDER/FILE.feature: Scenario name', as written after 'Scenario:'")
    return [src.problem((*where, "scenario"), f"hazard {hazard}: no scenario '{scenario}'; "
                        f"{hint}", "hazards")]
