"""The client indexes behind the port (:mod:`triage.matching.port`): "is this person known
to adult social care?".

SQLite by default and PostgreSQL for larger councils (both on the shared search of
:mod:`~triage.adapters.clients.store`), the CSV importer, the demo index
(``data/demo-clients.csv`` imported once, for demos and tests) and the audit recorders.
The engine never imports this package; the entry points give it an index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.lazy import lazy_surface

if TYPE_CHECKING:
    from triage.adapters.clients.audit import (
        LogSearchRecorder,
        MemorySearchRecorder,
        SearchAuditEntry,
        SearchRecorder,
    )
    from triage.adapters.clients.demo import demo_index_file, demo_people, open_demo_index
    from triage.adapters.clients.importer import (
        ColumnMapping,
        import_csv,
        load_mapping,
        read_export,
    )
    from triage.adapters.clients.postgres_index import PostgresClientIndex
    from triage.adapters.clients.sqlite_index import SqliteClientIndex
    from triage.adapters.clients.store import (
        ImportSummary,
        StoredClientIndex,
        default_location,
        open_client_index,
    )

_AUDIT = "triage.adapters.clients.audit"
_DEMO = "triage.adapters.clients.demo"
_IMPORTER = "triage.adapters.clients.importer"
_STORE = "triage.adapters.clients.store"
_HOMES = {
    "LogSearchRecorder": _AUDIT, "MemorySearchRecorder": _AUDIT,
    "SearchAuditEntry": _AUDIT, "SearchRecorder": _AUDIT,
    "demo_index_file": _DEMO, "demo_people": _DEMO, "open_demo_index": _DEMO,
    "ColumnMapping": _IMPORTER, "import_csv": _IMPORTER, "load_mapping": _IMPORTER,
    "read_export": _IMPORTER,
    "PostgresClientIndex": "triage.adapters.clients.postgres_index",
    "SqliteClientIndex": "triage.adapters.clients.sqlite_index",
    "ImportSummary": _STORE, "StoredClientIndex": _STORE, "default_location": _STORE,
    "open_client_index": _STORE,
}

__all__ = [
    "ColumnMapping",
    "ImportSummary",
    "LogSearchRecorder",
    "MemorySearchRecorder",
    "PostgresClientIndex",
    "SearchAuditEntry",
    "SearchRecorder",
    "SqliteClientIndex",
    "StoredClientIndex",
    "default_location",
    "demo_index_file",
    "demo_people",
    "import_csv",
    "load_mapping",
    "open_client_index",
    "open_demo_index",
    "read_export",
]

__getattr__, __dir__ = lazy_surface(__name__, _HOMES, globals())
