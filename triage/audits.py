"""Monthly audit samples, drawn towards risk and reproducible from a seed, with no storage.

Every contact of the month is a candidate. Each belongs to the first of these it is:
an early exit (an outcome of the directory's ``early_exit_kinds``), an override, a repeat
caller (another contact about the same person in the 28 days before), a third-party
caller (anyone but the person themselves or an anonymous caller), or none of them. The
sample is at least 2% of the month's contacts and at least 30 (all of them if there are
fewer). It is filled in that order, each kind up to its share of the sample (what a kind
cannot fill passes on to the next), and the rest is drawn at random from every contact
not yet drawn. Within a kind, contacts are drawn in an order shuffled from the seed, so
the same contacts and seed always give the same sample.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

SAMPLE_SHARE = 0.02
SAMPLE_AT_LEAST = 30
REPEAT_WITHIN = dt.timedelta(days=28)
FIRST_PARTY_CALLERS = frozenset({"self", "anonymous"})
MONTH = re.compile(r"\A(\d{4})-(0[1-9]|1[0-2])\Z")


class DrawnFor(StrEnum):
    """Why a contact was drawn, in the order the sample is filled."""

    EARLY_EXIT = "early_exit"
    OVERRIDE = "override"
    REPEAT_CALLER = "repeat_caller"
    THIRD_PARTY = "third_party"
    RANDOM = "random"


QUOTAS: dict[DrawnFor, float] = {
    DrawnFor.EARLY_EXIT: 0.4, DrawnFor.OVERRIDE: 0.2, DrawnFor.REPEAT_CALLER: 0.15,
    DrawnFor.THIRD_PARTY: 0.1,
}
"""The most of the sample each kind may take (ours); at least 15% is drawn at random."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One contact of the month, as the sample sees it."""

    contact_id: int
    early_exit: bool = False
    overridden: bool = False
    repeat_caller: bool = False
    third_party: bool = False

    def kind(self) -> DrawnFor:
        """The first kind of risk this contact is."""
        if self.early_exit:
            return DrawnFor.EARLY_EXIT
        if self.overridden:
            return DrawnFor.OVERRIDE
        if self.repeat_caller:
            return DrawnFor.REPEAT_CALLER
        if self.third_party:
            return DrawnFor.THIRD_PARTY
        return DrawnFor.RANDOM


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of ``month`` (``YYYY-MM``, UTC) and of the month after;
    ValueError with a sentence if it is not a month."""
    found = MONTH.match(month)
    if found is None:
        raise ValueError(f"'{month}' is not a month; give it as YYYY-MM, for example 2026-11")
    year, number = int(found.group(1)), int(found.group(2))
    start = dt.datetime(year, number, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=dt.UTC)
    return start, end


def sample_size(population: int) -> int:
    """At least 2% of ``population`` and at least 30 (all of them if fewer)."""
    return min(population, max(SAMPLE_AT_LEAST, math.ceil(population * SAMPLE_SHARE)))


def repeat_callers(contacts: Iterable[tuple[int, str | None, str]]) -> set[int]:
    """The contacts (id, person id, ISO start time) that had an earlier contact about the
    same person within 28 days before them."""
    by_person: dict[str, list[tuple[str, int]]] = {}
    for contact_id, person_id, started_at in contacts:
        if person_id:
            by_person.setdefault(person_id, []).append((started_at, contact_id))
    found: set[int] = set()
    for calls in by_person.values():
        if len(calls) < 2:
            continue
        calls.sort()
        previous: dt.datetime | None = None
        for started_at, contact_id in calls:
            when = dt.datetime.fromisoformat(started_at)
            if previous is not None and when - previous <= REPEAT_WITHIN:
                found.add(contact_id)
            previous = when
    return found


def draw(candidates: Sequence[Candidate], seed: str) -> list[tuple[int, DrawnFor]]:
    """The sample, in the order drawn: each contact id with why it was drawn."""
    ordered = sorted(candidates, key=lambda c: c.contact_id)
    size = sample_size(len(ordered))
    drawn: list[tuple[int, DrawnFor]] = []
    taken: set[int] = set()
    spare = 0
    for kind, share in QUOTAS.items():
        pool = [c.contact_id for c in ordered if c.kind() is kind]
        random.Random(f"{seed}:{kind.value}").shuffle(pool)
        room = min(size - len(drawn), math.floor(size * share) + spare)
        chosen = pool[:room]
        spare = room - len(chosen)
        drawn.extend((cid, kind) for cid in chosen)
        taken.update(chosen)
    rest = [c.contact_id for c in ordered if c.contact_id not in taken]
    random.Random(f"{seed}:{DrawnFor.RANDOM.value}").shuffle(rest)
    drawn.extend((cid, DrawnFor.RANDOM) for cid in rest[:size - len(drawn)])
    return drawn
