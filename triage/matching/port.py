"""The client-index port: how the engine asks "is this person known to adult social care?".

The engine depends only on this module. Implementations (the SQLite and PostgreSQL
indexes of :mod:`triage.adapters.clients`) subclass :class:`ClientIndex`, and test fakes subclass
it too so they cannot drift from the contract.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from triage.errors import RequestError


class KnownStatus(StrEnum):
    """Whether the person a contact is about is already known to adult social care."""

    OPEN = "open"
    PREVIOUSLY_KNOWN = "previously_known"
    NOT_KNOWN = "not_known"
    POSSIBLE_MATCH = "possible_match"


class MatchBand(StrEnum):
    """How strongly a candidate matches the details the caller gave."""

    MATCH = "match"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"

    @property
    def words(self) -> str:
        """What the band means, in the words a handler is shown instead of a score."""
        return BAND_WORDS[self]


BAND_WORDS = {
    MatchBand.MATCH: "very likely the same person: confirm with the caller",
    MatchBand.POSSIBLE: "check carefully: may be the same person",
    MatchBand.UNLIKELY: "unlikely to be the same person",
}
"""The words for each band; docs/clients.md gives how often each band was right."""

_TEXT_FIELDS = ("nhs_number", "given_name", "family_name", "date_of_birth", "postcode",
                "address", "searcher")


@dataclass(frozen=True, slots=True)
class SearchDetails:
    """What the caller could tell the handler about the person; every field is optional."""

    nhs_number: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: str | None = None  # ISO date, or partial such as "1948" or "1948-03"
    postcode: str | None = None
    address: str | None = None
    # Who is searching (a user id, never a name); recorded in the audit trail, not matched.
    searcher: str | None = None

    def __post_init__(self) -> None:
        # Callers from Python may pass a date of birth as a date and an NHS number as an
        # int; anything else that is not text is refused with a sentence naming the field.
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            if value is None or isinstance(value, str):
                continue
            if name == "date_of_birth" and isinstance(value, date):
                text = (value.date() if isinstance(value, datetime) else value).isoformat()
            elif name == "nhs_number" and isinstance(value, int) and not isinstance(value, bool) \
                    and value >= 0:
                text = f"{value:010d}"
            else:
                accepted = {"date_of_birth": "text such as 1948-03-12, or a date",
                            "nhs_number": "text of 10 digits, or a whole number"}.get(
                                name, "text")
                raise RequestError(f"The {name.replace('_', ' ')} must be {accepted}, not "
                                   f"{type(value).__name__}.")
            object.__setattr__(self, name, text)

    def given_fields(self) -> tuple[str, ...]:
        """Names of the fields the caller actually gave (non-blank)."""
        return tuple(
            name
            for name in ("nhs_number", "given_name", "family_name", "date_of_birth", "postcode",
                         "address")
            if (getattr(self, name) or "").strip()
        )


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """What routing needs to know about a person on the client index."""

    person_id: str
    known_status: KnownStatus
    allocated_worker: str | None = None
    team: str | None = None
    alerts: tuple[str, ...] = ()
    preferred_language: str | None = None
    communication_needs: str | None = None
    # For the age band on contact records (reports); never shown on the call screen.
    date_of_birth: date | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """One person the index offers for the handler to confirm or reject.

    ``summary`` holds only what a handler needs to confirm identity (for example a
    masked name, year of birth and postcode district); ``reasons`` maps a field name to
    ``agrees`` / ``partly agrees`` / ``disagrees`` / ``missing``.
    """

    person_id: str
    score: float
    band: MatchBand
    summary: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def words(self) -> str:
        """The band in a handler's words (the score is for sorting, not for reading)."""
        return self.band.words


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Ranked candidates, or why no search was made (``missing`` says what to ask for)."""

    candidates: tuple[Candidate, ...] = ()
    missing: tuple[str, ...] = ()
    advice: str | None = None

    @property
    def searched(self) -> bool:
        """True when the details were enough to search."""
        return not self.missing


class ClientIndex(ABC):
    """Finds people known to adult social care. Nothing is merged or chosen automatically."""

    @abstractmethod
    def search(self, details: SearchDetails, *, limit: int = 5) -> SearchResult:
        """Return ranked candidates for the details, best first."""

    @abstractmethod
    def get(self, person_id: str) -> ClientRecord | None:
        """Return the routing record for a confirmed person, or None if there is none."""
