"""The audit hook: who searched the client index, when, and which candidates were shown.

An entry never holds what the caller said (no names, dates of birth, NHS numbers,
postcodes or addresses): only the names of the fields given, the searcher's id, and the
person ids and bands of the candidates shown.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog


@dataclass(frozen=True, slots=True)
class SearchAuditEntry:
    """One search of the client index, without any personal details."""

    searcher: str
    at: datetime
    fields_given: tuple[str, ...]
    searched: bool
    missing: tuple[str, ...]
    candidates: tuple[tuple[str, str], ...]  # (person_id, band) as shown

    def as_dict(self) -> dict[str, object]:
        """A plain dictionary for a log line or an audit table."""
        return {
            "searcher": self.searcher,
            "at": self.at.isoformat(),
            "fields_given": list(self.fields_given),
            "searched": self.searched,
            "missing": list(self.missing),
            "candidates": [{"person_id": p, "band": b} for p, b in self.candidates],
        }


SearchRecorder = Callable[[SearchAuditEntry], None]


class LogSearchRecorder:
    """Writes each search to a structlog logger as a ``client_index_search`` event."""

    def __init__(self, logger: structlog.typing.FilteringBoundLogger | None = None) -> None:
        self._log = logger or structlog.get_logger("triage.adapters.clients.audit")

    def __call__(self, entry: SearchAuditEntry) -> None:
        self._log.info("client_index_search", **entry.as_dict())


class MemorySearchRecorder:
    """Keeps entries in a list (for tests and the demo)."""

    def __init__(self) -> None:
        self.entries: list[SearchAuditEntry] = []

    def __call__(self, entry: SearchAuditEntry) -> None:
        self.entries.append(entry)


class JsonLinesSearchRecorder:
    """Appends each search as one JSON line to a file (the command line's audit trail)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, entry: SearchAuditEntry) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry.as_dict(), sort_keys=True) + "\n")
