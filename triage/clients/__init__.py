"""The client index: "is this person known to adult social care?".

The engine depends only on the port, :mod:`triage.matching.port`. This package provides the real
indexes behind that port (SQLite by default, PostgreSQL for larger councils), the CSV
importer, the demo index (``data/demo-clients.csv`` imported once, for demos and tests),
the synthetic-people generator (benchmarks and index tests), the audit hook and the
``triage clients`` commands.
"""

from __future__ import annotations

from triage.clients.audit import (
    LogSearchRecorder,
    MemorySearchRecorder,
    SearchAuditEntry,
    SearchRecorder,
)
from triage.clients.demo import demo_index_file, demo_people, open_demo_index
from triage.clients.generator import generate_people, phone_queries, write_csv
from triage.clients.importer import ColumnMapping, import_csv, load_mapping, read_export
from triage.clients.sqlite_index import SqliteClientIndex
from triage.clients.store import (
    ImportSummary,
    StoredClientIndex,
    default_location,
    open_client_index,
)
from triage.errors import (
    ClientIndexError,
    ImportProblem,
    ImportRejected,
    MappingError,
    RequestError,
    StorageError,
)
from triage.matching.port import (
    Candidate,
    ClientIndex,
    ClientRecord,
    KnownStatus,
    MatchBand,
    SearchDetails,
    SearchResult,
)
from triage.matching.records import CaseStatus, PersonRecord

__all__ = [
    "Candidate",
    "CaseStatus",
    "ClientIndex",
    "ClientIndexError",
    "ClientRecord",
    "ColumnMapping",
    "ImportProblem",
    "ImportRejected",
    "ImportSummary",
    "KnownStatus",
    "LogSearchRecorder",
    "MappingError",
    "MatchBand",
    "MemorySearchRecorder",
    "PersonRecord",
    "RequestError",
    "SearchAuditEntry",
    "SearchDetails",
    "SearchRecorder",
    "SearchResult",
    "SqliteClientIndex",
    "StorageError",
    "StoredClientIndex",
    "default_location",
    "demo_index_file",
    "demo_people",
    "generate_people",
    "import_csv",
    "load_mapping",
    "open_client_index",
    "open_demo_index",
    "phone_queries",
    "read_export",
    "write_csv",
]
