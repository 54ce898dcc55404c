"""Bringing the schema up to date with the Alembic migrations (``api/storage/migrations``),
one instance at a time."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
"""The Alembic script folder: ``env.py`` and ``versions/``."""
# Any fixed number will do, as long as nothing else on the server uses it: "triage" in ASCII.
MIGRATION_LOCK_KEY = 0x747269616765


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the database at ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema up to date with the Alembic migrations.

    Several instances starting at once on a new database would otherwise race to create
    the same tables, and all but one would fail to start. So the upgrade runs under a lock
    that every instance takes first: a PostgreSQL advisory lock (held by a connection of
    its own), or for SQLite an exclusive ``flock`` on ``<database>.migrate.lock`` next to
    the file. Whoever waits finds the schema already at head and changes nothing.
    """
    with _migration_lock(url):
        command.upgrade(alembic_config(url), "head")


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    """Held by one process (or thread) at a time per database, across machines for
    PostgreSQL and across processes on one machine for a SQLite file."""
    parsed = sa.engine.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            # Autocommit: the lock belongs to the session, and the connection must not sit
            # "idle in transaction" while the migrations run on another connection.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
                lock.execute(sa.text("SELECT pg_advisory_lock(:key)"),
                             {"key": MIGRATION_LOCK_KEY})
                try:
                    yield
                finally:
                    lock.execute(sa.text("SELECT pg_advisory_unlock(:key)"),
                                 {"key": MIGRATION_LOCK_KEY})
        finally:
            engine.dispose()
    elif backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(f"{parsed.database}.migrate.lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    else:  # an in-memory database belongs to one process; nothing to race with
        yield
