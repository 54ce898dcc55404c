"""Connecting to the service's database: SQLite under the home folder (the embedded
default) or PostgreSQL (``TRIAGE_DATABASE_URL``), and the base the SQL adapter's parts
share (one engine, one committed transaction at a time)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


def database_url(url: str | None, home: Path) -> str:
    """The SQLAlchemy URL: TRIAGE_DATABASE_URL as given, or SQLite under ``home``."""
    if url:
        if url.startswith("postgresql://"):
            return "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'triage.sqlite3'}"


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL and a busy timeout so two processes can share a file.

    Database errors never quote the statement's parameters (``hide_parameters``): they
    hold the call's JSON, with everything the caller said.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                                  hide_parameters=True)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True,
                            hide_parameters=True)


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as UTC (SQLite gives it back without a time zone)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def same(column: sa.Column[Any], value: Any) -> sa.ColumnElement[bool]:
    """``column`` equals ``value``, where None means NULL."""
    return column.is_(None) if value is None else column == value


def first_line(exc: BaseException) -> str:
    """The database's own first line about a failure (never the statement or its values,
    which the engine hides), for a sentence saying why a change was refused."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    reason = lines[0] if lines else ""
    return (reason[:200] or type(cause).__name__).rstrip(".")


class SqlTables:
    """What every part of the SQL adapter shares: the engine and its transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One committed transaction (rolled back on any error)."""
        with self.engine.begin() as connection:
            yield connection
