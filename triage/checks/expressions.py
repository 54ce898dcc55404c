"""Checks of conditions and calculations: they compile, name known answers, compare
values of the right type, and together cover every answer a step can take."""

from __future__ import annotations

from triage.answers import allowed_codes
from triage.checks.context import CheckContext, step_index
from triage.definitions import LookupStep, QuestionStep
from triage.expressions import kleene, type_problems
from triage.problems import Problem
from triage.vocabulary import AnswerType, KnownStatus


def check_conditions(ctx: CheckContext) -> list[Problem]:
    """Conditions and calculations that do not compile, name unknown answers or mistype."""
    problems = []
    for analysis in ctx.analyses.values():
        src = analysis.located.source
        p = analysis.pathway
        for loc, message in analysis.expression_errors:
            problems.append(src.problem(loc, message, "conditions"))
        ids = step_index(p)
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
                codes: tuple[str, ...] = tuple(KnownStatus)
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
