"""The client index on SQLite, the embedded default.

Two tables: ``people`` (one row per person: system id, matching profile, full record,
both as JSON) and ``block_keys`` (hashed blocking key, person), a clustered
``WITHOUT ROWID`` table so a search reads only the people who share its keys.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

from triage.adapters.clients.audit import SearchRecorder
from triage.adapters.clients.store import ImportSummary, StoredClientIndex, storage_failure
from triage.errors import StorageError
from triage.matching.keys import KEYS_VERSION, record_keys
from triage.matching.profile import MatchProfile, profile_of
from triage.matching.records import PersonRecord

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS people (
    pid INTEGER PRIMARY KEY,
    system_id TEXT NOT NULL UNIQUE,
    profile TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS block_keys (
    k INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    PRIMARY KEY (k, pid)
) WITHOUT ROWID;
"""


class SqliteClientIndex(StoredClientIndex):
    """A client index in one SQLite file (created if ``create`` and it does not exist)."""

    _driver_errors = (sqlite3.Error,)

    def __init__(self, path: Path | str, *, audit: SearchRecorder | None = None,
                 searcher: str = "unknown", create: bool = True) -> None:
        super().__init__(audit=audit, searcher=searcher)
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StorageError(f"There is no client index at '{self.path}'; import a CSV or "
                               "generate people first.")
        try:
            if create and str(self.path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(self.path), isolation_level=None,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA cache_size=-262144")
            self._db.execute("PRAGMA mmap_size=4294967296")
            self._db.executescript(_SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                             (SCHEMA_VERSION,))
            if self._db.execute("SELECT 1 FROM meta WHERE name = 'keys_version'").fetchone() \
                    is None:
                # An index made before keys had a version was made with version 1.
                empty = self._db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 0
                self._db.execute("INSERT INTO meta VALUES ('keys_version', ?)",
                                 (KEYS_VERSION if empty else "1",))
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"Cannot open the client index at '{self.path}': {exc}.") \
                from exc
        self._lock = threading.Lock()

    def _location(self) -> str:
        return f"at '{self.path}'"

    # ---- reading

    def _candidates(self, keys: dict[int, float], limit: int) -> list[MatchProfile]:
        values, params = _weighted_keys(keys, limit)
        sql = (f"WITH q(k, w) AS (VALUES {values}), "
               "c AS (SELECT b.pid AS pid, SUM(q.w) AS s FROM q CROSS JOIN block_keys AS b "
               "ON b.k = q.k GROUP BY b.pid ORDER BY s DESC, b.pid LIMIT ?) "
               "SELECT p.profile FROM c JOIN people AS p ON p.pid = c.pid")
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [MatchProfile.from_row(json.loads(r[0])) for r in rows]

    def _sample(self, count: int, seed: int) -> list[PersonRecord]:
        with self._lock:
            rows = self._db.execute("SELECT record FROM people ORDER BY random() LIMIT ?",
                                    (count,)).fetchall()
        return [PersonRecord.from_json(r[0]) for r in rows]

    def _person(self, person_id: str) -> PersonRecord | None:
        with self._lock:
            row = self._db.execute("SELECT record FROM people WHERE system_id = ?",
                                   (person_id,)).fetchone()
        return PersonRecord.from_json(row[0]) if row else None

    def count(self) -> int:
        """How many people are on the index."""
        with self._reading("Counting the people on"), self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM people").fetchone()[0])

    def keys_version(self) -> str:
        """The version of the blocking-key table the stored keys were made with."""
        with self._reading("Reading the key version of"), self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'keys_version'"
                                   ).fetchone()
        return str(row[0]) if row else "1"

    def index_id(self) -> str:
        """A random id made when the index was made (trained weights name it)."""
        with self._reading("Reading the id of"), self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE name = 'index_id'").fetchone()
            if row:
                return str(row[0])
            made = uuid.uuid4().hex
            self._db.execute("INSERT INTO meta VALUES ('index_id', ?)", (made,))
            return made

    def rebuild_keys(self) -> int:
        """Make every person's profile and blocking keys again with this version's key
        table, in one transaction; returns how many people. Searches wait meanwhile."""
        total = 0
        with self._lock:
            cur = self._db.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                cur.execute("CREATE TEMP TABLE staged_keys (k INTEGER, pid INTEGER)")
                rows = self._db.execute("SELECT pid, record FROM people").fetchall()
                for pid, record in rows:
                    profile = profile_of(PersonRecord.from_json(record))
                    cur.execute("UPDATE people SET profile = ? WHERE pid = ?",
                                (json.dumps(profile.to_row(), ensure_ascii=False,
                                            separators=(",", ":")), pid))
                    cur.executemany("INSERT INTO staged_keys VALUES (?, ?)",
                                    [(k, pid) for k in record_keys(profile)])
                    total += 1
                cur.execute("DELETE FROM block_keys")
                cur.execute("INSERT OR IGNORE INTO block_keys SELECT k, pid FROM staged_keys "
                            "ORDER BY k, pid")
                cur.execute("DROP TABLE staged_keys")
                cur.execute("INSERT OR REPLACE INTO meta VALUES ('keys_version', ?)",
                            (KEYS_VERSION,))
                cur.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:
                    cur.execute("ROLLBACK")
                self._db.execute("DROP TABLE IF EXISTS temp.staged_keys")
                if isinstance(exc, sqlite3.Error):
                    raise storage_failure("Rebuilding the keys of", self._location(), exc,
                                          "nothing was changed.") from None
                raise
            finally:
                cur.close()
            self._db.execute("ANALYZE")
        return total

    # ---- writing

    def _write(self, people: Sequence[PersonRecord]) -> ImportSummary:
        added = updated = 0
        with self._lock:
            cur = self._db.cursor()
            try:
                cur.execute("BEGIN IMMEDIATE")
                for person in people:
                    profile = profile_of(person)
                    row = cur.execute("SELECT pid, profile FROM people WHERE system_id = ?",
                                      (person.system_id,)).fetchone()
                    profile_json = json.dumps(profile.to_row(), ensure_ascii=False,
                                              separators=(",", ":"))
                    if row:
                        pid = int(row[0])
                        old = MatchProfile.from_row(json.loads(row[1]))
                        cur.executemany("DELETE FROM block_keys WHERE k = ? AND pid = ?",
                                        [(k, pid) for k in record_keys(old)])
                        cur.execute("UPDATE people SET profile = ?, record = ? WHERE pid = ?",
                                    (profile_json, person.to_json(), pid))
                        updated += 1
                    else:
                        cur.execute("INSERT INTO people (system_id, profile, record) "
                                    "VALUES (?, ?, ?)",
                                    (person.system_id, profile_json, person.to_json()))
                        pid = int(cur.lastrowid or 0)
                        added += 1
                    cur.executemany("INSERT OR IGNORE INTO block_keys (k, pid) VALUES (?, ?)",
                                    [(k, pid) for k in record_keys(profile)])
                cur.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:
                    cur.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise storage_failure("Writing to", self._location(), exc,
                                          "nothing was changed.") from None
                raise
        return ImportSummary(added, updated)

    def bulk_load(self, people: Iterable[PersonRecord], *, batch: int = 50_000) -> int:
        """Load people into an empty index quickly (for generated indexes); returns count."""
        if self.count():
            return self.add_people(people).total
        total = 0
        with self._lock:
            cur = self._db.cursor()
            # A fresh file needs no write-ahead log while loading: write the pages once.
            cur.execute("PRAGMA journal_mode=DELETE").fetchall()
            cur.execute("PRAGMA temp_store=MEMORY")
            try:
                cur.execute("BEGIN IMMEDIATE")
                cur.execute("DROP TABLE block_keys")
                cur.execute("CREATE TEMP TABLE staged_keys (k INTEGER, pid INTEGER)")
                rows: list[tuple[int, str, str, str]] = []
                keys: list[tuple[int, int]] = []

                def flush() -> None:
                    cur.executemany("INSERT INTO people VALUES (?, ?, ?, ?)", rows)
                    cur.executemany("INSERT INTO staged_keys VALUES (?, ?)", keys)
                    rows.clear()
                    keys.clear()

                for person in people:
                    total += 1
                    profile = profile_of(person)
                    rows.append((total, person.system_id,
                                 json.dumps(profile.to_row(), ensure_ascii=False,
                                            separators=(",", ":")),
                                 person.to_json()))
                    keys.extend((k, total) for k in record_keys(profile))
                    if len(rows) >= batch:
                        flush()
                flush()
                cur.execute("CREATE TABLE block_keys (k INTEGER NOT NULL, pid INTEGER NOT NULL, "
                            "PRIMARY KEY (k, pid)) WITHOUT ROWID")
                cur.execute("INSERT OR IGNORE INTO block_keys SELECT k, pid FROM staged_keys "
                            "ORDER BY k, pid")
                cur.execute("DROP TABLE staged_keys")
                cur.execute("INSERT OR REPLACE INTO meta VALUES ('keys_version', ?)",
                            (KEYS_VERSION,))
                cur.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:
                    cur.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise storage_failure("Loading people into", self._location(), exc,
                                          "nothing was changed.") from None
                raise
            finally:
                cur.execute("PRAGMA journal_mode=WAL").fetchall()
                cur.close()
            self._db.execute("ANALYZE")
        return total

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self._db.close()


def _weighted_keys(keys: dict[int, float], limit: int) -> tuple[str, list[float | int]]:
    """The ``VALUES`` rows of a query's blocking keys and weights, and the parameters for
    them followed by ``limit``."""
    params: list[float | int] = []
    for key, weight in keys.items():
        params += [key, weight]
    params.append(limit)
    return ",".join("(?,?)" for _ in keys), params
