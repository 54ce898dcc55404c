"""Fixtures: client indexes on SQLite and PostgreSQL, so one suite runs against both.

PostgreSQL tests use ``$TRIAGE_TEST_POSTGRES_URL`` (default: the local test database).
Each index lives in its own uniquely named schema, dropped afterwards, so parallel runs
do not clash. If PostgreSQL cannot be reached the PostgreSQL tests fail; they never skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.adapters.clients.store import StoredClientIndex
from triage.errors import StorageError
from triage.matching.records import PersonRecord
from triage_qa.people import generate_people

POSTGRES_URL = os.environ.get("TRIAGE_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")
INDEXED = 3000  # people in the shared read-only index
ABSENT = 300  # generated with them but never indexed


def _open(backend: str, tmp: Path) -> StoredClientIndex:
    if backend == "sqlite":
        return SqliteClientIndex(tmp / "clients.sqlite3")
    from triage.adapters.clients.postgres_index import PostgresClientIndex

    schema = f"clients_test_{uuid.uuid4().hex[:12]}"
    try:
        return PostgresClientIndex(POSTGRES_URL, schema=schema)
    except StorageError as exc:
        pytest.fail(f"PostgreSQL is needed for the postgresql-backend tests but is not "
                    f"reachable at {POSTGRES_URL} (set TRIAGE_TEST_POSTGRES_URL): {exc}",
                    pytrace=False)


def _dispose(index: StoredClientIndex) -> None:
    drop = getattr(index, "drop", None)
    if drop is not None:
        drop()
    else:
        index.close()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """Where the PostgreSQL tests run."""
    return POSTGRES_URL


@pytest.fixture(scope="session")
def generated() -> list[PersonRecord]:
    """Synthetic people: the first INDEXED are indexed, the rest are not."""
    return list(generate_people(INDEXED + ABSENT, seed=11))


@pytest.fixture(scope="session")
def indexed(generated: list[PersonRecord]) -> list[PersonRecord]:
    return generated[:INDEXED]


@pytest.fixture(scope="session")
def absent(generated: list[PersonRecord]) -> list[PersonRecord]:
    return generated[INDEXED:]


@pytest.fixture(params=BACKENDS)
def empty_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoredClientIndex]:
    """A fresh, empty index on each backend."""
    index = _open(request.param, tmp_path)
    yield index
    _dispose(index)


@pytest.fixture(scope="session", params=BACKENDS)
def loaded_index(request: pytest.FixtureRequest, indexed: list[PersonRecord],
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoredClientIndex]:
    """A shared index of INDEXED synthetic people on each backend; tests must not write."""
    index = _open(request.param, tmp_path_factory.mktemp(request.param))
    index.bulk_load(indexed)
    yield index
    _dispose(index)
