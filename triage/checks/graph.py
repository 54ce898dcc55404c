"""Checks of the shape of each pathway: steps nothing leads to, and steps from which no
outcome can be reached."""

from __future__ import annotations

from triage.checks.context import CheckContext, edges_of, step_index
from triage.definitions import HandoverStep, OutcomeStep, ReturnStep
from triage.problems import Problem


def check_unreachable_steps(ctx: CheckContext) -> list[Problem]:
    """Steps that no route from the start reaches."""
    problems = []
    for located in ctx.lib.pathways.values():
        p = located.value
        ids = step_index(p)
        seen, frontier = {p.start}, [p.start]
        while frontier:
            current = frontier.pop()
            if current not in ids:
                continue
            for target in edges_of(p.steps[ids[current]]):
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
        ids = step_index(p)
        done = {s.id for s in p.steps if isinstance(s, (OutcomeStep, ReturnStep))}
        # A handover ends the call when its sub-pathway cannot return.
        for s in p.steps:
            if isinstance(s, HandoverStep) and s.next is None:
                done.add(s.id)
        changed = True
        while changed:
            changed = False
            for s in p.steps:
                if s.id not in done and any(t in done for t in edges_of(s)):
                    done.add(s.id)
                    changed = True
        for s in p.steps:
            if s.id not in done and s.id in ids:
                targets = edges_of(s)
                what = ("is a dead end: it has no way on" if not targets else
                        "cannot reach any outcome: its routes only loop back "
                        f"({', '.join(targets)})")
                problems.append(located.source.problem(("steps", ids[s.id]),
                                                       f"step '{s.id}' {what}", "dead_ends"))
    return problems
