"""What the SQLite and PostgreSQL client indexes share: search, get, import and audit.

A storage adapter only has to look up blocking keys, load profiles and records, and
write people in one transaction; everything else (checking the search, scoring,
banding, auditing) happens here and in :mod:`triage.matching`.
"""

from __future__ import annotations

import os
import random
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from triage.adapters.clients.audit import SearchAuditEntry, SearchRecorder
from triage.errors import (
    ClientIndexError,
    ImportProblem,
    ImportRejected,
    RequestError,
    StorageError,
)
from triage.matching.keys import KEYS_VERSION, query_keys
from triage.matching.port import ClientIndex, ClientRecord, KnownStatus, SearchDetails, SearchResult
from triage.matching.profile import MatchProfile, profile_of
from triage.matching.query import Query, Refusal, prepare_query
from triage.matching.ranking import rank_candidates
from triage.matching.records import CaseStatus, PersonRecord
from triage.matching.scoring import score_profile
from triage.matching.weights import MIN_PEOPLE, MatchWeights, estimate
from triage.vocabulary import has_postcode_characters, is_full_postcode, normalise_postcode

DEFAULT_DB = "var/clients.sqlite3"
DB_ENV = "TRIAGE_CLIENTS_DB"
PG_SCHEMA_ENV = "TRIAGE_CLIENTS_PG_SCHEMA"
WEIGHTS_ENV = "TRIAGE_CLIENTS_WEIGHTS"
# How many people sharing the most blocking keys are scored in full.
CANDIDATES_SCORED = 40
MAX_LIMIT = 50


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """How many people an import added and updated."""

    added: int
    updated: int

    @property
    def total(self) -> int:
        """People written."""
        return self.added + self.updated


def client_record_of(person: PersonRecord) -> ClientRecord:
    """The routing record of a stored person."""
    status = (KnownStatus.OPEN if person.case_status is CaseStatus.OPEN
              else KnownStatus.PREVIOUSLY_KNOWN)
    return ClientRecord(
        person_id=person.system_id,
        known_status=status,
        allocated_worker=person.allocated_worker if status is KnownStatus.OPEN else None,
        team=person.team if status is KnownStatus.OPEN else None,
        alerts=person.alerts,
        preferred_language=person.preferred_language,
        communication_needs=person.communication_needs,
        date_of_birth=person.date_of_birth,
    )


def duplicate_id_problems(people: Sequence[PersonRecord]) -> list[ImportProblem]:
    """A problem for every person whose system id appears earlier in the same batch."""
    seen: set[str] = set()
    problems = []
    for i, person in enumerate(people, 1):
        if person.system_id in seen:
            problems.append(ImportProblem(i, "system_id", f"The system id '{person.system_id}' "
                                          "appears more than once in this import."))
        seen.add(person.system_id)
    return problems


def postcode_problems(people: Sequence[PersonRecord]) -> list[ImportProblem]:
    """A problem for every person with a postcode (current or previous) that is not a
    full UK postcode written as one: punctuation or other scripts are refused, never
    tidied into a postcode that was not given."""
    problems = []
    for i, person in enumerate(people, 1):
        for fld, values in (("postcode", (person.postcode,) if person.postcode else ()),
                            ("previous_postcodes", person.previous_postcodes)):
            for value in values:
                if not (has_postcode_characters(value)
                        and is_full_postcode(normalise_postcode(value))):
                    problems.append(ImportProblem(i, fld, f"'{value}' is not a full UK "
                                                  "postcode (such as SW1A 1AA) written with "
                                                  "letters, digits and one space."))
    return problems


def storage_failure(doing: str, where: str, exc: Exception, outcome: str) -> StorageError:
    """The error for a database error met while ``doing`` something to the index ``where``.

    It names the driver's error by its type and code only, and drops it as a cause: the
    driver's message can quote the values of the statement (PostgreSQL quotes a refused
    row in full), which are what was searched for or written.
    """
    code = getattr(exc, "sqlstate", None) or getattr(exc, "sqlite_errorname", None)
    named = f"{type(exc).__module__.split('.')[0]}.{type(exc).__name__}"
    if isinstance(code, str) and code:
        named += f", code {code}"
    # PostgreSQL names the constraint it enforced: a name from the schema, not a value.
    constraint = getattr(getattr(exc, "diag", None), "constraint_name", None)
    if isinstance(constraint, str) and constraint:
        named += f", constraint '{constraint}'"
    return StorageError(f"{doing} the client index {where} failed ({named}); {outcome}")


class StoredClientIndex(ClientIndex):
    """A client index kept in a database, searched through blocking keys.

    ``audit`` is called once for every search (refused searches too) with an entry that
    holds no personal details; ``searcher`` names who searches when the details do not.
    A database error while searching or reading becomes a :class:`StorageError` that
    carries nothing of the search (:func:`storage_failure`).
    """

    _driver_errors: tuple[type[Exception], ...] = ()
    """The database driver's errors, which an adapter sets."""

    def __init__(self, *, audit: SearchRecorder | None = None,
                 searcher: str = "unknown") -> None:
        self._audit = audit
        self._searcher = searcher
        self._weights: MatchWeights | None = None

    @property
    def weights(self) -> MatchWeights | None:
        """The learned match weights in use, or None for the built-in ones."""
        return self._weights

    def use_weights(self, path: Path) -> MatchWeights:
        """Search with the weights in ``path``; refuse a file trained on another index."""
        self._weights = MatchWeights.read(path, index_id=self.index_id())
        return self._weights

    def train_weights(self, path: Path, *, sample: int = 3000, seed: int = 1) -> MatchWeights:
        """Learn match weights from this index and write them to ``path`` (with its id).

        Refuses (and writes nothing) when the index holds fewer than
        :data:`~triage.matching.weights.MIN_PEOPLE` people, so the built-in weights stay.
        """
        people = self.count()
        if people < MIN_PEOPLE:
            estimate([], [], index_id="", people=people)  # raises, saying why
        rng = random.Random(seed)
        with self._reading("Sampling people from"):
            drawn = self._sample(min(people, 2 * sample), seed)
        profiles = [profile_of(p) for p in drawn]
        random_pairs = []
        for _ in range(min(20_000, 10 * len(drawn))):
            a, b = rng.randrange(len(drawn)), rng.randrange(len(drawn))
            if a != b:
                random_pairs.append(_compare(drawn[a], profiles[b]))
        blocked_pairs = []
        for person in drawn[:sample]:
            query = _query_of(person)
            if query is None:
                continue
            with self._reading("Reading candidates from"):
                found = self._candidates(query_keys(query), 6)
            blocked_pairs += [score_profile(query, other).reasons for other in found
                              if other.person_id != person.system_id]
        weights = estimate(random_pairs, blocked_pairs, index_id=self.index_id(),
                           people=people)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(weights.to_json() + "\n", encoding="utf-8")
        except OSError as exc:
            raise StorageError(f"Cannot write the match weights to '{path}': "
                               f"{exc.strerror or exc}; the built-in weights are kept.") \
                from None
        return weights

    def _location(self) -> str:
        """Where the index is, for messages (a path or a schema, never a password)."""
        return ""

    @contextmanager
    def _reading(self, doing: str) -> Iterator[None]:
        """Turn the driver's errors met while ``doing`` into a StorageError without them."""
        try:
            yield
        except self._driver_errors as exc:
            raise storage_failure(doing, self._location(), exc, "nothing was changed. Try "
                                  "again shortly.") from None

    # ---- what an adapter provides

    @abstractmethod
    def _candidates(self, keys: dict[int, float], limit: int) -> list[MatchProfile]:
        """Profiles of the ``limit`` people sharing the most weighted keys, best first."""

    @abstractmethod
    def _sample(self, count: int, seed: int) -> list[PersonRecord]:
        """About ``count`` stored people drawn at random."""

    @abstractmethod
    def _person(self, person_id: str) -> PersonRecord | None:
        """The stored record of a person by system id."""

    @abstractmethod
    def _write(self, people: Sequence[PersonRecord]) -> ImportSummary:
        """Add or update people by system id, all in one transaction."""

    @abstractmethod
    def bulk_load(self, people: Iterable[PersonRecord], *, batch: int = 50_000) -> int:
        """Load many people quickly into an empty index (adds or updates if not empty)."""

    @abstractmethod
    def count(self) -> int:
        """How many people are on the index."""

    @abstractmethod
    def close(self) -> None:
        """Release the database connection."""

    @abstractmethod
    def keys_version(self) -> str:
        """The version of the key table the stored blocking keys were made with."""

    @abstractmethod
    def rebuild_keys(self) -> int:
        """Make every stored person's blocking keys again with the current key table."""

    @abstractmethod
    def index_id(self) -> str:
        """The id of this index, made once (trained match weights are tied to it)."""

    def keys_out_of_date(self) -> str | None:
        """A sentence when the stored keys are older than the key table, else None."""
        stored = self.keys_version()
        if stored == KEYS_VERSION:
            return None
        return (f"This index's blocking keys were made with key table version {stored}; this "
                f"version uses {KEYS_VERSION}, which finds people with two slips in their "
                "details. Searches still work but can miss them: run 'triage clients "
                "rebuild' once to remake the keys.")

    # ---- the port

    def search(self, details: SearchDetails, *, limit: int = 5) -> SearchResult:
        """Return ranked candidates for what the caller gave, or say what is missing."""
        if not 1 <= limit <= MAX_LIMIT:
            raise RequestError(f"The search limit {limit} is out of range; use 1 to "
                               f"{MAX_LIMIT}.")
        prepared = prepare_query(details)
        if isinstance(prepared, Refusal):
            result = prepared.as_result()
            self._record_search(details, result)
            return result
        with self._reading("Searching"):
            result = self._search(prepared, limit)
        self._record_search(details, result)
        return result

    def _search(self, query: Query, limit: int) -> SearchResult:
        keys = query_keys(query)
        profiles = self._candidates(keys, max(CANDIDATES_SCORED, limit * 4)) if keys else []
        return rank_candidates(query, profiles, limit=limit, weights=self._weights)

    def get(self, person_id: str) -> ClientRecord | None:
        """The routing record (open / previously known, worker, team, alerts) of a person."""
        with self._reading("Reading a person from"):
            person = self._person(person_id)
        return client_record_of(person) if person else None

    def person(self, person_id: str) -> PersonRecord | None:
        """The full stored record, for showing after the handler has confirmed identity."""
        with self._reading("Reading a person from"):
            return self._person(person_id)

    # ---- writing

    def add_people(self, people: Iterable[PersonRecord]) -> ImportSummary:
        """Add or update people by system id; all or nothing.

        Raises :class:`ImportRejected` (and writes nothing) if a system id repeats or a
        postcode is not a postcode (punctuation is refused, not stripped).
        """
        batch = list(people)
        problems = duplicate_id_problems(batch) + postcode_problems(batch)
        if problems:
            raise ImportRejected(problems)
        return self._write(batch)

    def _record_search(self, details: SearchDetails, result: SearchResult) -> None:
        if self._audit is None:
            return
        self._audit(SearchAuditEntry(
            searcher=details.searcher or self._searcher,
            at=datetime.now(UTC),
            fields_given=details.given_fields(),
            searched=result.searched,
            missing=result.missing,
            candidates=tuple((c.person_id, c.band.value) for c in result.candidates),
        ))

    def __enter__(self) -> StoredClientIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _query_of(person: PersonRecord) -> Query | None:
    """A stored person's details as a search (None when they are too few to search on)."""
    prepared = prepare_query(SearchDetails(
        nhs_number=person.nhs_number, given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth.isoformat() if person.date_of_birth else None,
        postcode=person.postcode, address=person.address))
    return prepared if isinstance(prepared, Query) else None


def _compare(person: PersonRecord, other: MatchProfile) -> dict[str, str]:
    query = _query_of(person)
    return score_profile(query, other).reasons if query is not None else {}


def default_location() -> str:
    """The index location: ``$TRIAGE_CLIENTS_DB`` or ``var/clients.sqlite3``."""
    return os.environ.get(DB_ENV) or DEFAULT_DB


def open_client_index(location: str | None = None, *, audit: SearchRecorder | None = None,
                      searcher: str = "unknown", create: bool = True,
                      weights: bool = True) -> StoredClientIndex:
    """Open the index at a path (SQLite) or a ``postgresql://`` URL (PostgreSQL).

    The PostgreSQL schema is ``$TRIAGE_CLIENTS_PG_SCHEMA`` or ``clients``. Learned match
    weights (:func:`weights_location`) are used when present and ``weights`` is true; a
    weights file trained on another index is refused.
    """
    where = location or default_location()
    if where.startswith(("postgresql://", "postgres://")):
        from triage.adapters.clients.postgres_index import PostgresClientIndex

        schema = os.environ.get(PG_SCHEMA_ENV) or "clients"
        index: StoredClientIndex = PostgresClientIndex(where, schema=schema, audit=audit,
                                                       searcher=searcher)
    else:
        from triage.adapters.clients.sqlite_index import SqliteClientIndex

        index = SqliteClientIndex(Path(where), audit=audit, searcher=searcher, create=create)
    learned = weights_location(where)
    if weights and learned.exists():
        try:
            index.use_weights(learned)
        except ClientIndexError:
            index.close()
            raise
    return index


def weights_location(where: str | None = None) -> Path:
    """Where the learned match weights of an index are: ``$TRIAGE_CLIENTS_WEIGHTS``, else
    beside an SQLite file (``clients.sqlite3.weights.json``), else
    ``var/clients-weights.json`` for PostgreSQL."""
    chosen = os.environ.get(WEIGHTS_ENV)
    if chosen:
        return Path(chosen)
    where = where or default_location()
    if where.startswith(("postgresql://", "postgres://")):
        return Path("var/clients-weights.json")
    return Path(where + ".weights.json")
