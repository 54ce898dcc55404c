"""Storage behind a repository port: the port the service layer uses
(:class:`Repository`, in :mod:`api.storage.port`, which imports no database library),
and its SQLAlchemy adapter over SQLite or PostgreSQL with the schema
(:mod:`api.storage.schema`) and the Alembic migrations that make it.

The surface is lazy: the handlers import the port without loading SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.lazy import lazy_surface

if TYPE_CHECKING:
    from api.storage.database import database_url, make_engine
    from api.storage.port import KeyHistory, Repository, StoredCall, Update, utc_now
    from api.storage.sql import SqlRepository
    from api.storage.upgrade import migrate

_PORT = "api.storage.port"
_DATABASE = "api.storage.database"
_HOMES = {
    "KeyHistory": _PORT, "Repository": _PORT, "StoredCall": _PORT, "Update": _PORT,
    "utc_now": _PORT, "SqlRepository": "api.storage.sql", "database_url": _DATABASE,
    "make_engine": _DATABASE, "migrate": "api.storage.upgrade",
}

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

__getattr__, __dir__ = lazy_surface(__name__, _HOMES, globals())
