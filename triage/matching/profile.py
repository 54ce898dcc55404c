"""The matching profile of a stored person: the normalised fields that searches are scored
against, compact and cheap to store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from triage.matching.normalise import (
    family_codes,
    given_codes,
    name_tokens,
    normalise_address,
    normalise_name,
)
from triage.matching.records import PersonRecord
from triage.vocabulary import normalise_postcode


@dataclass(frozen=True, slots=True)
class MatchProfile:
    """The normalised matching fields of one stored person (compact, cheap to score)."""

    person_id: str
    nhs_number: str
    given: tuple[str, ...]  # given-name words, first name first; aliases' first names after
    family: tuple[str, ...]  # current family name first, then previous and alias names
    dob: str  # ISO date or ""
    postcodes: tuple[str, ...]  # current first
    addresses: tuple[str, ...]  # current first, normalised
    given_codes: frozenset[str] = field(default_factory=frozenset)
    family_codes: frozenset[str] = field(default_factory=frozenset)

    def to_row(self) -> list[object]:
        """A JSON-friendly list for storage."""
        return [self.person_id, self.nhs_number, list(self.given), list(self.family), self.dob,
                list(self.postcodes), list(self.addresses), sorted(self.given_codes),
                sorted(self.family_codes)]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> MatchProfile:
        """Rebuild from :meth:`to_row` output."""
        pid, nhs, given, family, dob, pcs, addrs, gcodes, fcodes = row
        return cls(str(pid), str(nhs), tuple(given), tuple(family), str(dob), tuple(pcs),
                   tuple(addrs), frozenset(gcodes), frozenset(fcodes))


def profile_of(person: PersonRecord) -> MatchProfile:
    """Work out the matching profile of a stored person."""
    given_words: list[str] = list(name_tokens(person.given_name))
    families: list[str] = [normalise_name(person.family_name)]
    families += [normalise_name(n) for n in person.previous_family_names]
    gcodes = set(given_codes(person.given_name))
    for alias in person.aliases:
        words = name_tokens(alias)
        if len(words) >= 2:
            given_words.append(words[0])
            families.append(" ".join(words[1:]))
            gcodes |= given_codes(words[0])
        elif words:
            families.append(words[0])
    fcodes: set[str] = set()
    for fam in families:
        fcodes |= family_codes(fam)
    postcodes = [normalise_postcode(person.postcode)] if person.postcode else []
    postcodes += [normalise_postcode(p) for p in person.previous_postcodes if p]
    addresses = [normalise_address(person.address)] if person.address else []
    addresses += [normalise_address(a) for a in person.previous_addresses if a]
    return MatchProfile(
        person_id=person.system_id,
        nhs_number=person.nhs_number or "",
        given=tuple(dict.fromkeys(given_words)),
        family=tuple(dict.fromkeys(f for f in families if f)),
        dob=person.date_of_birth.isoformat() if person.date_of_birth else "",
        postcodes=tuple(dict.fromkeys(p for p in postcodes if p)),
        addresses=tuple(dict.fromkeys(a for a in addresses if a)),
        given_codes=frozenset(gcodes),
        family_codes=frozenset(fcodes),
    )
