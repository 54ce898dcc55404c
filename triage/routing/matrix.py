"""The route matrix: the outcomes a pathway reaches for every combination of named facts.

``triage matrix PATHWAY --by caller_type,known_status,reason`` explores the composed graph
once per combination, with those facts fixed and every other answer free. To show what
the facts decide, the red-flag screen is taken as passed (every red flag answered no: a
red flag escalates whatever the facts, and the safety rule proves it), the contact is not
a repeat one and the call is in hours, unless one of those is itself named.

The last fact named is the matrix's columns. A row where every column reaches the same
outcomes is marked: there the pathway ignores that fact.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from triage.answers import allowed_codes
from triage.errors import MatrixRefused
from triage.routing.catalogue import CompiledPathway
from triage.routing.explore import Abstract, explore
from triage.routing.plan import AnswerRule
from triage.vocabulary import (
    IN_HOURS,
    OUT_OF_HOURS,
    REPEAT_CONTACT,
    AnswerType,
    KnownStatus,
)

MAX_VALUES = 24
"""A fact with more values than this cannot be a row or a column of a matrix."""
MAX_CELLS = 5000
"""The most combinations one matrix tabulates."""
BOOLEAN_FACTS = (REPEAT_CONTACT, IN_HOURS, OUT_OF_HOURS)


@dataclass(frozen=True)
class RouteMatrix:
    """The outcomes reached for each combination of the named facts' values."""

    pathway_id: str
    version: int
    facts: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]
    """Each fact's values, in the order of ``facts``."""
    cells: Mapping[tuple[Any, ...], frozenset[str]]
    """Combination -> the outcomes reached ('pathway:step'); empty if none is reachable."""

    @property
    def column_fact(self) -> str:
        """The fact whose values are the columns: the last one named."""
        return self.facts[-1]

    def rows(self) -> list[tuple[Any, ...]]:
        """Each combination of the facts but the last, in order."""
        return list(itertools.product(*self.values[:-1]))

    def row_cells(self, row: tuple[Any, ...]) -> list[frozenset[str]]:
        """The outcomes of each column in ``row``."""
        return [self.cells[(*row, value)] for value in self.values[-1]]

    def ignores(self, row: tuple[Any, ...]) -> bool:
        """True when every value of the column fact reaches the same outcomes in ``row``."""
        found = self.row_cells(row)
        return len(self.values[-1]) > 1 and all(cell == found[0] for cell in found)


def fact_values(compiled: CompiledPathway) -> dict[str, tuple[Any, ...] | None]:
    """Every fact a matrix can name, with its values (None: too open to tabulate)."""
    found: dict[str, tuple[Any, ...] | None] = {}
    rules: dict[str, AnswerRule] = {**compiled.facts, **compiled.graph.answers}
    for name, rule in rules.items():
        found[name] = _values_of(rule)
    found["known_status"] = tuple(KnownStatus)
    for name in BOOLEAN_FACTS:
        found[name] = (True, False)
    return found


def _values_of(rule: AnswerRule) -> tuple[Any, ...] | None:
    if rule.type in (AnswerType.CHOICE, AnswerType.YES_NO, AnswerType.YES_NO_UNSURE):
        codes = allowed_codes(rule)
        if rule.type is AnswerType.YES_NO_UNSURE and rule.unsure_means:
            codes = tuple(c for c in codes if c != "not_sure")
        return tuple(codes)
    return None


def route_matrix(compiled: CompiledPathway, facts: Sequence[str], *,
                 limit: int = 50_000) -> RouteMatrix:
    """The matrix of ``compiled`` by ``facts``; MatrixRefused saying which facts can be
    named, or the limit a fact or the whole matrix goes past."""
    names = tuple(dict.fromkeys(f.strip() for f in facts if f.strip()))
    if not names:
        raise MatrixRefused("Name at least one fact to tabulate with --by, such as "
                            "--by caller_type,known_status.")
    known = fact_values(compiled)
    countable = sorted(n for n, v in known.items() if v is not None and len(v) <= MAX_VALUES)
    values: list[tuple[Any, ...]] = []
    for name in names:
        if name not in known:
            raise MatrixRefused(f"'{name}' is not a fact of pathway '{compiled.id}'; facts "
                                f"that can be tabulated are: {', '.join(countable)}.")
        options = known[name]
        if options is None or len(options) > MAX_VALUES:
            why = ("it is not a choice, so its values cannot be listed" if options is None
                   else f"it has {len(options)} values, more than the limit of {MAX_VALUES}")
            raise MatrixRefused(f"'{name}' cannot be tabulated: {why}. Facts that can be "
                                f"tabulated are: {', '.join(countable)}.")
        values.append(options)
    total = 1
    for options in values:
        total *= len(options)
    if total > MAX_CELLS:
        sizes = " x ".join(f"{len(v)} ({n})" for n, v in zip(names, values, strict=True))
        raise MatrixRefused(f"{sizes} is {total} combinations, more than the limit of "
                            f"{MAX_CELLS}; name fewer facts.")
    graph = compiled.graph
    red_flags = {graph.nodes[s].var for s in graph.red_flag_states} - set(names) - {None}
    # A fact no condition reads cannot change the route: it is explored once, left free,
    # and every one of its values gets the same cell.
    read = read_names(compiled)
    if read & {IN_HOURS, OUT_OF_HOURS}:
        read |= {IN_HOURS, OUT_OF_HOURS}
    cells: dict[tuple[Any, ...], frozenset[str]] = {}
    explored: dict[tuple[Any, ...], frozenset[str]] = {}
    for combo in itertools.product(*values):
        key = tuple(v if n in read else None for n, v in zip(names, combo, strict=True))
        if key in explored:
            cells[combo] = explored[key]
            continue
        env: Abstract = {}
        for name, value in zip(names, combo, strict=True):
            if name in read:
                env[name] = frozenset((value,))
        if OUT_OF_HOURS in names and OUT_OF_HOURS in env:
            env[IN_HOURS] = frozenset((not combo[names.index(OUT_OF_HOURS)],))
        elif IN_HOURS in names and IN_HOURS in env:
            env[OUT_OF_HOURS] = frozenset((not combo[names.index(IN_HOURS)],))
        env.setdefault(REPEAT_CONTACT, frozenset((False,)))
        ends: set[str] = set()
        for route in explore(graph, env=env, limit=limit):
            if not route.complete or not _wanted(route.env, route.steps, red_flags, names):
                continue
            node = graph.nodes[route.end]
            if node.outcome is not None:
                ends.add(f"{node.pathway_id}:{node.local_id}")
        cells[combo] = explored[key] = frozenset(ends)
    return RouteMatrix(compiled.id, compiled.version, names, tuple(values), cells)


def read_names(compiled: CompiledPathway) -> set[str]:
    """Every name a condition or calculation of the composed graph reads."""
    found: set[str] = set()
    for node in compiled.graph.nodes.values():
        for edge in node.edges:
            if edge.condition is not None:
                found |= edge.condition.names
    for calc in compiled.graph.calcs:
        found |= calc.expression.names
    return found


def _wanted(env: Abstract, steps: Sequence[Any], red_flags: set[str | None],
            names: tuple[str, ...]) -> bool:
    """A route in the matrix's conditions: red flags passed, no repeat, in hours."""
    for step in steps:
        if step.var in red_flags and step.values is not None and step.values != {"no"}:
            return False
    if REPEAT_CONTACT not in names and True in env.get(REPEAT_CONTACT, ()):
        return False
    clock_named = OUT_OF_HOURS in names or IN_HOURS in names
    return clock_named or env.get(OUT_OF_HOURS) != frozenset((True,))


def matrix_text(matrix: RouteMatrix) -> str:
    """The matrix as text: one letter per set of outcomes, the legend, and marked rows."""
    labels: dict[frozenset[str], str] = {}
    for row in matrix.rows():
        for cell in matrix.row_cells(row):
            if cell not in labels:
                labels[cell] = _letter(len(labels))
    head = [*matrix.facts[:-1], *(str(v) for v in matrix.values[-1])]
    table: list[list[str]] = []
    marked = 0
    for row in matrix.rows():
        ignored = matrix.ignores(row)
        marked += ignored
        table.append([*(str(v) for v in row),
                      *(labels[c] + ("=" if ignored else "") for c in matrix.row_cells(row))])
    widths = [max(len(r[i]) for r in [head, *table]) for i in range(len(head))]
    lines = [f"Outcomes of {matrix.pathway_id} (version {matrix.version}) by "
             f"{' x '.join(matrix.facts)}; columns are {matrix.column_fact}. Every other "
             "answer is free; the red-flag screen passed, not a repeat contact, in hours "
             "(unless named).", ""]
    for line in [head, *table]:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                     .rstrip())
    lines += ["", "Outcomes:"]
    for cell, letter in labels.items():
        lines.append(f"  {letter:<3} " + (", ".join(sorted(cell)) if cell else
                                          "(no outcome: no route gets this far)"))
    lines.append("")
    if marked:
        lines.append(f"= {marked} row(s) where every value of {matrix.column_fact} reaches the "
                     f"same outcomes: there the pathway ignores {matrix.column_fact}.")
    else:
        lines.append(f"No row ignores {matrix.column_fact}.")
    return "\n".join(lines) + "\n"


def _letter(index: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        text = letters[rest] + text
    return text
