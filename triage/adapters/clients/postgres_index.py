"""The client index on PostgreSQL: the same tables and searches as the SQLite index.

Everything lives in one schema (``clients`` unless told otherwise), so several indexes
(or parallel test runs) can share a database without clashing.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from array import array
from collections.abc import Iterable, Sequence

import psycopg
from psycopg import sql

from triage.adapters.clients.audit import SearchRecorder
from triage.adapters.clients.store import ImportSummary, StoredClientIndex, storage_failure
from triage.errors import RequestError, StorageError
from triage.matching.keys import KEYS_VERSION, record_keys
from triage.matching.profile import MatchProfile, profile_of
from triage.matching.records import PersonRecord

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS people (
    pid BIGSERIAL PRIMARY KEY,
    system_id TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS block_keys (
    k BIGINT NOT NULL,
    pid BIGINT NOT NULL,
    PRIMARY KEY (k, pid)
);
"""
_CANDIDATES = (
    "WITH c AS (SELECT b.pid, SUM(q.w) AS s FROM unnest(%s::bigint[], %s::float8[]) AS q(k, w) "
    "JOIN block_keys AS b ON b.k = q.k GROUP BY b.pid ORDER BY s DESC, b.pid LIMIT %s) "
    "SELECT p.profile FROM c JOIN people AS p ON p.pid = c.pid"
)


def _url_for_messages(url: str) -> str:
    """The URL without any password, for error messages."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


class PostgresClientIndex(StoredClientIndex):
    """A client index in a PostgreSQL schema (created if it does not exist)."""

    _driver_errors = (psycopg.Error,)

    def __init__(self, url: str, *, schema: str = "clients",
                 audit: SearchRecorder | None = None, searcher: str = "unknown") -> None:
        super().__init__(audit=audit, searcher=searcher)
        if not _SCHEMA_NAME.match(schema):
            raise RequestError(f"The schema name '{schema}' is not allowed; use lower-case "
                               "letters, digits and underscores, starting with a letter.")
        self.url = url
        self.schema = schema
        try:
            self._db = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise StorageError(f"Cannot connect to the PostgreSQL client index at "
                               f"'{_url_for_messages(url)}': {exc}".rstrip() + ".") from exc
        try:
            self._db.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}")
                             .format(sql.Identifier(schema)))
            self._db.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
            with self._db.transaction():
                for statement in _TABLES.split(";"):
                    if statement.strip():
                        self._db.execute(statement.encode())
                # An index made before keys had a version was made with version 1.
                people = self._db.execute("SELECT COUNT(*) FROM people").fetchone()
                self._db.execute("INSERT INTO meta VALUES ('keys_version', %s) "
                                 "ON CONFLICT DO NOTHING",
                                 (KEYS_VERSION if not people or not people[0] else "1",))
        except psycopg.Error as exc:
            self._db.close()
            raise StorageError(f"Cannot create the client index tables in schema '{schema}': "
                               f"{exc}.") from exc
        self._lock = threading.Lock()

    def _location(self) -> str:
        return f"in PostgreSQL schema '{self.schema}'"

    # ---- reading

    def _candidates(self, keys: dict[int, float], limit: int) -> list[MatchProfile]:
        with self._lock:
            rows = self._db.execute(_CANDIDATES, (list(keys), list(keys.values()), limit),
                                    prepare=True).fetchall()
        return [MatchProfile.from_row(json.loads(r[0])) for r in rows]

    def _sample(self, count: int, seed: int) -> list[PersonRecord]:
        with self._lock:
            rows = self._db.execute("SELECT record FROM people ORDER BY random() LIMIT %s",
                                    (count,)).fetchall()
        return [PersonRecord.from_json(r[0]) for r in rows]

    def _person(self, person_id: str) -> PersonRecord | None:
        with self._lock:
            row = self._db.execute("SELECT record FROM people WHERE system_id = %s",
                                   (person_id,)).fetchone()
        return PersonRecord.from_json(row[0]) if row else None

    def count(self) -> int:
        """How many people are on the index."""
        with self._reading("Counting the people on"), self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM people").fetchone()
        return int(row[0]) if row else 0

    def keys_version(self) -> str:
        """The version of the blocking-key table the stored keys were made with."""
        with self._reading("Reading the key version of"), self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'keys_version'"
                                   ).fetchone()
        return str(row[0]) if row else "1"

    def index_id(self) -> str:
        """A random id made when the index was made (trained weights name it)."""
        with self._reading("Reading the id of"), self._lock:
            self._db.execute("INSERT INTO meta VALUES ('index_id', %s) ON CONFLICT DO NOTHING",
                             (uuid.uuid4().hex,))
            row = self._db.execute("SELECT value FROM meta WHERE name = 'index_id'").fetchone()
        return str(row[0]) if row else ""

    def rebuild_keys(self) -> int:
        """Make every person's profile and blocking keys again with this version's key
        table, in one transaction; returns how many people."""
        total = 0
        try:
            with self._lock, self._db.transaction(), self._db.cursor() as cur:
                cur.execute("LOCK TABLE people, block_keys IN EXCLUSIVE MODE")
                cur.execute("DELETE FROM block_keys")
                rows = cur.execute("SELECT pid, record FROM people").fetchall()
                updates = []
                with cur.copy("COPY block_keys (k, pid) FROM STDIN") as keys_copy:
                    for pid, record in rows:
                        profile = profile_of(PersonRecord.from_json(record))
                        updates.append((json.dumps(profile.to_row(), ensure_ascii=False,
                                                   separators=(",", ":")), pid))
                        for k in record_keys(profile):
                            keys_copy.write_row((k, pid))
                        total += 1
                cur.executemany("UPDATE people SET profile = %s WHERE pid = %s", updates)
                cur.execute("UPDATE meta SET value = %s WHERE name = 'keys_version'",
                            (KEYS_VERSION,))
        except psycopg.Error as exc:
            raise storage_failure("Rebuilding the keys of", self._location(), exc,
                                  "nothing was changed.") from None
        return total

    # ---- writing

    def _write(self, people: Sequence[PersonRecord]) -> ImportSummary:
        added = updated = 0
        try:
            with self._lock, self._db.transaction(), self._db.cursor() as cur:
                for person in people:
                    profile = profile_of(person)
                    profile_json = json.dumps(profile.to_row(), ensure_ascii=False,
                                              separators=(",", ":"))
                    row = cur.execute("SELECT pid, profile FROM people WHERE system_id = %s "
                                      "FOR UPDATE", (person.system_id,)).fetchone()
                    if row:
                        pid = int(row[0])
                        old = MatchProfile.from_row(json.loads(row[1]))
                        cur.executemany("DELETE FROM block_keys WHERE k = %s AND pid = %s",
                                        [(k, pid) for k in record_keys(old)])
                        cur.execute("UPDATE people SET profile = %s, record = %s WHERE pid = %s",
                                    (profile_json, person.to_json(), pid))
                        updated += 1
                    else:
                        new = cur.execute("INSERT INTO people (system_id, profile, record) "
                                          "VALUES (%s, %s, %s) RETURNING pid",
                                          (person.system_id, profile_json,
                                           person.to_json())).fetchone()
                        pid = int(new[0]) if new else 0
                        added += 1
                    cur.executemany("INSERT INTO block_keys (k, pid) VALUES (%s, %s) "
                                    "ON CONFLICT DO NOTHING",
                                    [(k, pid) for k in record_keys(profile)])
        except psycopg.Error as exc:
            raise storage_failure("Writing to", self._location(), exc,
                                  "nothing was changed.") from None
        return ImportSummary(added, updated)

    def bulk_load(self, people: Iterable[PersonRecord], *, batch: int = 50_000) -> int:
        """Load people into an empty index quickly with COPY; returns how many."""
        if self.count():
            return self.add_people(people).total
        total = 0
        try:
            with self._lock:
                with self._db.transaction(), self._db.cursor() as cur:
                    cur.execute("DROP TABLE block_keys")
                    cur.execute("CREATE TABLE block_keys (k BIGINT NOT NULL, "
                                "pid BIGINT NOT NULL)")
                    # One COPY at a time per connection: keys wait in a compact array.
                    keys = array("q")
                    with cur.copy("COPY people (pid, system_id, profile, record) FROM STDIN") \
                            as people_copy:
                        for person in people:
                            total += 1
                            profile = profile_of(person)
                            people_copy.write_row((
                                total, person.system_id,
                                json.dumps(profile.to_row(), ensure_ascii=False,
                                           separators=(",", ":")),
                                person.to_json()))
                            for k in record_keys(profile):
                                keys.append(k)
                                keys.append(total)
                    with cur.copy("COPY block_keys (k, pid) FROM STDIN") as keys_copy:
                        for i in range(0, len(keys), 2):
                            keys_copy.write_row((keys[i], keys[i + 1]))
                    cur.execute("ALTER TABLE block_keys ADD PRIMARY KEY (k, pid)")
                    cur.execute("SELECT setval(pg_get_serial_sequence('people', 'pid'), "
                                "GREATEST(%s, 1))", (total,))
                    cur.execute("UPDATE meta SET value = %s WHERE name = 'keys_version'",
                                (KEYS_VERSION,))
                self._db.execute("VACUUM ANALYZE people")
                self._db.execute("VACUUM ANALYZE block_keys")
        except psycopg.Error as exc:
            raise storage_failure("Loading people into", self._location(), exc,
                                  "nothing was changed.") from None
        return total

    def size_bytes(self) -> int:
        """Bytes used by the index tables and their indexes."""
        with self._lock:
            row = self._db.execute(
                "SELECT pg_total_relation_size('people') + pg_total_relation_size('block_keys')"
            ).fetchone()
        return int(row[0]) if row else 0

    def drop(self) -> None:
        """Drop the whole schema (for tests and benchmarks), then close."""
        with self._lock:
            self._db.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
                             .format(sql.Identifier(self.schema)))
        self.close()

    def close(self) -> None:
        """Close the connection."""
        if not self._db.closed:
            self._db.close()
