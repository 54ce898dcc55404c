"""Storage behind a repository port: the port the service layer uses
(:class:`Repository`), and its SQLAlchemy adapter over SQLite or PostgreSQL with the
schema (:mod:`api.storage.schema`) and the Alembic migrations that make it."""

from __future__ import annotations

from api.storage.database import database_url, make_engine
from api.storage.port import KeyHistory, Repository, StoredCall, Update, utc_now
from api.storage.sql import SqlRepository
from api.storage.upgrade import migrate

__all__ = [
    "KeyHistory",
    "Repository",
    "SqlRepository",
    "StoredCall",
    "Update",
    "database_url",
    "make_engine",
    "migrate",
    "utc_now",
]
