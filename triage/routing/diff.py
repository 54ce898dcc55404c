"""Compare two versions of a pathway: what changed in its steps, outcomes and words, and,
above all, which answer combinations now reach a different outcome.

Everything is named by id (composed state, condition as written, language), never by a
position in a list, so that inserting a route does not show every later route as changed.
The route comparison reads route exploration (:mod:`triage.routing.explore`) on both
versions and pairs every old route with every new route that some call could take on both:
their answers overlap on every question both ask. The cross-version safety check
(:func:`less_safe`) is a filter over that comparison.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from triage.expressions import kleene
from triage.routing.catalogue import CompiledPathway, Waiver
from triage.routing.explore import Route, answers_of, domain, explore, routed
from triage.routing.plan import AnswerRule, LocalText, Node, Outcome, Policy
from triage.vocabulary import URGENCY, OutcomeKind


@dataclass(frozen=True, slots=True)
class Change:
    """One change to the pathway's definition."""

    area: str  # step, route, outcome, words, translation
    change: str  # added, removed, changed, missing, stale
    where: str  # a composed state, "state -> condition", or "script NAME"
    detail: str

    def __str__(self) -> str:
        return f"{self.area} {self.change}: {self.where}: {self.detail}"


@dataclass(frozen=True, slots=True)
class End:
    """Where a route ends: the outcome step and what it does."""

    state: str
    kind: OutcomeKind | None
    team: str | None
    timeframe: str | None
    codes: Mapping[str, object]

    @classmethod
    def of(cls, node: Node, complete: bool) -> End:
        outcome = node.outcome
        if outcome is None or not complete:
            return cls(node.state if complete else f"{node.state} (loop)", None, None, None, {})
        return cls(node.state, outcome.kind, outcome.team, outcome.timeframe,
                   outcome.codes.as_dict())

    def facts(self) -> tuple[object, ...]:
        return (self.kind, self.team, self.timeframe, tuple(sorted(self.codes.items())))

    def describe(self) -> str:
        if self.kind is None:
            return self.state
        team = f", {self.team}" if self.team else ""
        return f"{self.state} ({self.kind.value}{team}, {self.timeframe})"

    def as_dict(self) -> dict[str, object]:
        return {"state": self.state, "kind": self.kind.value if self.kind else None,
                "team": self.team, "timeframe": self.timeframe, "codes": dict(self.codes)}


@dataclass(frozen=True, slots=True)
class RouteChange:
    """Answers that reached ``old`` and now reach ``new``."""

    answers: tuple[tuple[str, tuple[str, ...]], ...]
    """(question, the answers that take this route), in the order the call asks them;
    a question not listed may have any answer."""
    old: End
    new: End

    @property
    def direction(self) -> str:
        """more urgent, less urgent, or as urgent (by the urgency order of outcome kinds)."""
        if self.old.kind is None or self.new.kind is None:
            return "as urgent" if self.old.kind == self.new.kind else "cannot compare"
        before, after = URGENCY[self.old.kind], URGENCY[self.new.kind]
        return "more urgent" if after < before else "less urgent" if after > before \
            else "as urgent"

    def describe_answers(self) -> str:
        return "; ".join(f"{q}={' | '.join(v)}" for q, v in self.answers) or "any answers"

    def __str__(self) -> str:
        return (f"{self.describe_answers()}: {self.old.describe()} -> {self.new.describe()} "
                f"({self.direction})")

    def as_dict(self) -> dict[str, object]:
        return {"answers": {q: list(v) for q, v in self.answers}, "old": self.old.as_dict(),
                "new": self.new.as_dict(), "direction": self.direction}


@dataclass(frozen=True, slots=True)
class PathwayDiff:
    """What changed between two versions of one pathway."""

    pathway_id: str
    old_version: int
    new_version: int
    changes: tuple[Change, ...]
    routes: tuple[RouteChange, ...]

    def as_dict(self) -> dict[str, object]:
        """Plain data for ``--json`` and the API."""
        return {"pathway": self.pathway_id, "old_version": self.old_version,
                "new_version": self.new_version,
                "changes": [{"area": c.area, "change": c.change, "where": c.where,
                             "detail": c.detail} for c in self.changes],
                "routes": [r.as_dict() for r in self.routes]}

    def text(self) -> str:
        """The comparison as a designer reads it: routes first, then the definition."""
        out = [f"{self.pathway_id}: version {self.old_version} -> {self.new_version}", ""]
        if self.routes:
            out.append(f"Routes whose outcome changed ({len(self.routes)}):")
            out.extend(f"  {r}" for r in self.routes)
        else:
            out.append("No route reaches a different outcome.")
        out.append("")
        if self.changes:
            out.append(f"Changes to the definition ({len(self.changes)}):")
            out.extend(f"  {c}" for c in self.changes)
        else:
            out.append("No change to steps, outcomes or words.")
        return "\n".join(out) + "\n"


def compare(old: CompiledPathway, new: CompiledPathway, *, limit: int = 50_000) -> PathwayDiff:
    """Compare two versions of one pathway (any two: older, newer, or the same)."""
    changes = [*_step_changes(old, new), *_word_changes(old, new)]
    return PathwayDiff(old.id, old.version, new.version, tuple(changes),
                       tuple(route_changes(old, new, limit=limit)))


def less_safe(old: CompiledPathway, new: CompiledPathway, policy: Policy,
              *, limit: int = 50_000) -> list[RouteChange]:
    """Answer combinations that reached an escalation in ``old`` and reach an early exit in
    ``new`` (the directory's ``escalation_kinds`` and ``early_exit_kinds``)."""
    return less_safe_of(route_changes(old, new, limit=limit), policy)


def less_safe_of(routes: Iterable[RouteChange], policy: Policy) -> list[RouteChange]:
    """The routes of a comparison that went from an escalation to an early exit."""
    return [r for r in routes
            if r.old.kind in policy.escalation_kinds and r.new.kind in policy.early_exit_kinds]


@dataclass(frozen=True)
class SafetyCheck:
    """The cross-version check of a candidate against the live version: the routes that
    went from an escalation to an early exit, split by whether the candidate's metadata
    records a signed waiver for exactly that route."""

    refused: tuple[RouteChange, ...]
    waived: tuple[tuple[RouteChange, Waiver], ...]

    @property
    def passed(self) -> bool:
        """True when no route ends early without a waiver."""
        return not self.refused


def no_less_safe(live: CompiledPathway, candidate: CompiledPathway, *,
                 limit: int = 50_000) -> SafetyCheck:
    """The cross-version check used by publishing and ``triage validate --against``: every
    route that reached one of the directory's ``escalation_kinds`` in ``live`` and reaches
    one of its ``early_exit_kinds`` in ``candidate`` is refused, unless the candidate's
    ``waivers`` name exactly that route (its answers as :meth:`RouteChange.describe_answers`
    prints them)."""
    return waive(less_safe(live, candidate, candidate.policy, limit=limit), candidate.waivers)


def waive(changes: Iterable[RouteChange], waivers: Iterable[Waiver]) -> SafetyCheck:
    """Split less-safe routes into those a waiver names exactly and the rest."""
    by_route = {w.route: w for w in waivers}
    refused, waived = [], []
    for change in changes:
        waiver = by_route.get(change.describe_answers())
        if waiver is None:
            refused.append(change)
        else:
            waived.append((change, waiver))
    return SafetyCheck(tuple(refused), tuple(waived))


# --- routes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Walk:
    """A route as the comparison needs it: closed answers as sets, open answers by the
    condition they took, and the end."""

    sets: Mapping[str, frozenset[Any]]
    ways: Mapping[str, str]
    """Each step the route passes once -> the way it took there (a condition as written,
    default, next...)."""
    order: tuple[str, ...]
    names: Mapping[str, str]
    """Each answer's name in the composed call -> the step that asked it on this route."""
    end: End
    route: Route


def _way(compiled: CompiledPathway, route: Route) -> tuple[object, ...]:
    end = End.of(compiled.node(route.end), route.complete)
    return (tuple((s.state, s.via, s.values) for s in route.steps), end.state, end.facts())


def _walk(compiled: CompiledPathway, route: Route) -> _Walk:
    sets: dict[str, frozenset[Any]] = {}
    ways: dict[str, str] = {}
    passes: dict[str, int] = {}
    names: dict[str, str] = {}  # in the order the call asks them
    for step in route.steps:
        passes[step.state] = passes.get(step.state, 0) + 1
        ways[step.state] = step.via
        if step.var is None:
            continue
        if step.var not in names:
            names[step.var] = compiled.node(step.state).local_id
        if step.values is None:
            continue
        if step.var in sets:
            # What was answered (a red-flag "not sure" stays "not sure"), not what it was
            # routed as; asked twice, both answers hold.
            sets[step.var] = sets[step.var] & step.values
        else:
            sets[step.var] = step.values
    for var, values in route.env.items():
        sets.setdefault(var, values)
    once = {state: way for state, way in ways.items() if passes[state] == 1}
    return _Walk(sets, once, tuple(names), names,
                 End.of(compiled.node(route.end), route.complete), route)


def _labels(compiled: CompiledPathway, state: str) -> tuple[str, ...]:
    """A step's conditions as written, in the order they are tried."""
    node = compiled.graph.nodes.get(state)
    return tuple(e.label for e in node.edges) if node is not None else ()


def route_changes(old: CompiledPathway, new: CompiledPathway,
                  *, limit: int = 50_000) -> Iterator[RouteChange]:
    """Every answer combination some call could give on both versions whose outcome
    differs, one per pair of overlapping routes (routes the same in both are left out).

    Two routes overlap when, on every question both constrain, some answer takes both;
    when, at every step both pass whose conditions are the same in both versions (the same
    conditions in the same order), both took the same way (the same answers meet the same
    conditions, so one call cannot take two ways there, whatever open answers such as a
    date or the alerts on a record were); and when some combination of the answers takes
    both routes, tried with the real conditions (:func:`_witnessed`). Where a step's
    conditions were edited, routes through it are taken to overlap: the change is shown
    rather than hidden.
    """
    # A route the same in both versions (every step with the answers and the way taken,
    # and the same end) is taken by the same calls to the same place: only routes that
    # went, or came, can have moved a call somewhere else.
    routes_before = {_way(old, r): r for r in explore(old.graph, limit=limit)}
    routes_after = {_way(new, r): r for r in explore(new.graph, limit=limit)}
    before = [_walk(old, r) for way, r in routes_before.items() if way not in routes_after]
    after = [_walk(new, r) for way, r in routes_after.items() if way not in routes_before]
    same_conditions = {state: _labels(old, state) == _labels(new, state)
                       for w in before for state in w.ways}
    # A question whose every answer takes the route is left out of the answers shown.
    every = {n.var: _every(n) for c in (old, new) for n in c.graph.nodes.values() if n.var}
    seen: set[tuple[object, ...]] = set()
    for a in before:
        for b in after:
            if a.end.state == b.end.state and a.end.facts() == b.end.facts():
                continue
            shared = _overlap(a, b, same_conditions)
            if shared is None or not _witnessed(shared, (old, a), (new, b)):
                continue
            order = a.order + tuple(v for v in b.order if v not in a.order)
            answers = tuple((b.names.get(var) or a.names.get(var) or var,
                             tuple(sorted(map(str, shared[var]))))
                            for var in order
                            if var in shared and shared[var] != every.get(var))
            key = (answers, a.end.state, b.end.state)
            if key in seen:
                continue
            seen.add(key)
            yield RouteChange(answers, a.end, b.end)


WITNESS_LIMIT = 256
"""How many combinations of answers are tried to find one call that takes both routes."""


def _witnessed(shared: Mapping[str, frozenset[Any]],
               *walks: tuple[CompiledPathway, _Walk]) -> bool:
    """Whether some combination of the shared answers takes each route, tried with the
    real conditions. Route exploration records only the answer a step asks; a condition
    there may also test an earlier answer (``known_status == 'open'``), so two routes whose
    answer sets overlap can still be taken by no call in common. Where more combinations
    exist than :data:`WITNESS_LIMIT`, or a condition needs an answer not known (an open
    answer, a calculation), the routes are kept as overlapping."""
    sets = dict(shared)
    # A closed question no condition splits at its own step (the caller type) is not in
    # the answer sets, but a later condition may test it: try each of its answers too.
    for compiled, walk in walks:
        for step in walk.route.steps:
            for edge in compiled.graph.nodes[step.state].edges:
                for name in edge.condition.names if edge.condition is not None else ():
                    asker = _asker(compiled, name)
                    every = domain(asker) if asker is not None and name not in sets else None
                    if every:
                        sets[name] = every
    names = sorted(sets)
    combos = itertools.product(*(sorted(sets[n], key=str) for n in names))
    for count, combo in enumerate(combos):
        if count >= WITNESS_LIMIT:
            return True
        values = dict(zip(names, combo, strict=True))
        if all(_takes(compiled, walk.route, values) for compiled, walk in walks):
            return True
    return False


def _takes(compiled: CompiledPathway, route: Route, answers: Mapping[str, Any]) -> bool:
    """False only if, with these answers, the call certainly leaves the route somewhere."""
    seen = {}
    for var, value in answers.items():
        asker = _asker(compiled, var)
        seen[var] = routed(asker, value) if asker is not None else value
    for step in route.steps:
        node = compiled.graph.nodes[step.state]
        if not any(e.condition is not None for e in node.edges):
            continue
        for edge in node.edges:
            verdict = True if edge.condition is None else kleene(edge.condition, seen)
            if verdict is None:
                break  # this edge may be taken, or a later one: cannot tell
            if edge.label == step.via:
                if verdict is False:
                    return False
                break
            if verdict is True:
                return False  # an earlier route certainly fits first
    return True


def _asker(compiled: CompiledPathway, var: str) -> Node | None:
    for node in compiled.graph.nodes.values():
        if node.var == var and node.answer is not None:
            return node
    return None


def _every(node: Node) -> frozenset[Any] | None:
    if node.red_flag:
        return frozenset(answers_of(node))
    return domain(node)


def _overlap(a: _Walk, b: _Walk, same_conditions: Mapping[str, bool]
             ) -> dict[str, frozenset[Any]] | None:
    shared: dict[str, frozenset[Any]] = {}
    for var in a.sets.keys() | b.sets.keys():
        if var in a.sets and var in b.sets:
            both = a.sets[var] & b.sets[var]
        else:  # asked on one version only: any answer there
            both = a.sets[var] if var in a.sets else b.sets[var]
        if not both:
            return None
        shared[var] = both
    for state, label in a.ways.items():
        other = b.ways.get(state)
        if other is not None and other != label and same_conditions.get(state, False):
            return None
    return shared


# --- the definition ------------------------------------------------------------------------

def _rule(rule: AnswerRule | None) -> tuple[object, ...]:
    if rule is None:
        return ()
    return (rule.type, rule.required, tuple(o.code for o in rule.options), rule.unsure_means,
            rule.min, rule.max, rule.integer, rule.not_in_future, rule.not_before)


def _outcome_fields(outcome: Outcome | None) -> dict[str, object]:
    if outcome is None:
        return {}
    return {"kind": outcome.kind.value, "team": outcome.team, "timeframe": outcome.timeframe,
            "service": outcome.service, "codes": outcome.codes.as_dict()}


def _step_changes(old: CompiledPathway, new: CompiledPathway) -> Iterator[Change]:
    was, now = old.graph.nodes, new.graph.nodes
    for state in sorted(now.keys() - was.keys()):
        yield Change("step", "added", state, _kind(now[state]))
    for state in sorted(was.keys() - now.keys()):
        yield Change("step", "removed", state, _kind(was[state]))
    for state in sorted(was.keys() & now.keys()):
        a, b = was[state], now[state]
        if a.kind != b.kind:
            yield Change("step", "changed", state, f"kind {a.kind.value} -> {b.kind.value}")
        if a.red_flag != b.red_flag:
            yield Change("step", "changed", state,
                         "now a red-flag question" if b.red_flag else "no longer a red-flag "
                         "question")
        if _rule(a.answer) != _rule(b.answer):
            yield Change("step", "changed", state, _rule_detail(a.answer, b.answer))
        yield from _edge_changes(a, b)
        fa, fb = _outcome_fields(a.outcome), _outcome_fields(b.outcome)
        for name in sorted(fa.keys() | fb.keys()):
            if fa.get(name) != fb.get(name):
                yield Change("outcome", "changed", state,
                             f"{name} {_show(fa.get(name))} -> {_show(fb.get(name))}")


def _kind(node: Node) -> str:
    if node.outcome is not None:
        return f"outcome {node.outcome.kind.value}"
    return node.kind.value + (" (red flag)" if node.red_flag else "")


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    return "none" if value is None else str(value)


def _rule_detail(a: AnswerRule | None, b: AnswerRule | None) -> str:
    if a is None or b is None:
        return "now asks a question" if b is not None else "no longer asks a question"
    parts = []
    if a.type != b.type:
        parts.append(f"answer type {a.type.value} -> {b.type.value}")
    codes_a, codes_b = [o.code for o in a.options], [o.code for o in b.options]
    added = [c for c in codes_b if c not in codes_a]
    removed = [c for c in codes_a if c not in codes_b]
    if added:
        parts.append(f"answers added: {', '.join(added)}")
    if removed:
        parts.append(f"answers removed: {', '.join(removed)}")
    if a.unsure_means != b.unsure_means:
        parts.append(f"'not sure' routed as {_show(a.unsure_means)} -> {_show(b.unsure_means)}")
    return "; ".join(parts) or "what the answer accepts (bounds, dates or whether required)"


def _edge_changes(a: Node, b: Node) -> Iterator[Change]:
    old = {e.label: e for e in a.edges}
    new = {e.label: e for e in b.edges}
    for label in [e.label for e in b.edges if e.label not in old]:
        yield Change("route", "added", f"{b.state} -> {label}", f"goes to {new[label].target}")
    for label in [e.label for e in a.edges if e.label not in new]:
        yield Change("route", "removed", f"{a.state} -> {label}",
                     f"went to {old[label].target}")
    for label in [e.label for e in a.edges if e.label in new]:
        if old[label].target != new[label].target:
            yield Change("route", "changed", f"{a.state} -> {label}",
                         f"goes to {new[label].target}, was {old[label].target}")
        elif old[label].why != new[label].why:
            yield Change("route", "changed", f"{a.state} -> {label}",
                         f"reason '{old[label].why}' -> '{new[label].why}'")
    common = [lbl for lbl in (e.label for e in a.edges) if lbl in new]
    if common != [lbl for lbl in (e.label for e in b.edges) if lbl in old]:
        yield Change("route", "changed", b.state,
                     "the routes are tried in a different order (the first that fits is taken)")


def _texts(compiled: CompiledPathway) -> dict[str, LocalText]:
    found: dict[str, LocalText] = {}
    for node in compiled.graph.nodes.values():
        if node.text:
            found[node.state] = node.text
    for name, text in compiled.scripts.items():
        found[f"script {name}"] = text
    return found


def _languages(texts: Iterable[LocalText]) -> set[str]:
    return {lang for text in texts for lang in text}


def _word_changes(old: CompiledPathway, new: CompiledPathway) -> Iterator[Change]:
    """Words changed per language; translations missing, or stale (English changed and the
    translation not)."""
    was, now = _texts(old), _texts(new)
    languages = _languages(now.values()) | _languages(was.values())
    for where in sorted(now):
        text = now[where]
        before = was.get(where, {})
        for lang in sorted(languages):
            if lang in before and lang in text and before[lang] != text[lang]:
                yield Change("words", "changed", where, f"{lang}: {_clip(text[lang])}")
            elif lang in text and lang not in before and before:
                yield Change("words", "added", where, f"{lang}: {_clip(text[lang])}")
        for lang in sorted(languages - {"en"}):
            if lang not in text:
                if lang in before or before == {}:
                    yield Change("translation", "missing", where, f"no {lang} words")
            elif "en" in before and before.get("en") != text.get("en") \
                    and before.get(lang) == text[lang]:
                yield Change("translation", "stale", where,
                             f"the English changed and the {lang} did not")
    for where in sorted(was.keys() - now.keys()):
        yield Change("words", "removed", where, _clip(was[where].get("en", "")))


def _clip(text: str, width: int = 70) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"
