"""Errors raised by the client index, its importer and its storage.

Every message is a full sentence that names the bad value, so it can be shown to a
person as it is. The tree::

    ClientIndexError
    ├── MappingError          a column-mapping file is unreadable or wrong
    ├── ImportRejected        a CSV import failed; the index was left exactly as it was
    ├── StorageError          the index database cannot be opened or used
    └── RequestError          a command or call was given an impossible argument
"""

from __future__ import annotations

from dataclasses import dataclass


class ClientIndexError(Exception):
    """Base class for every error the client index raises on purpose."""


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem found in an import file: which row, which field, and why."""

    row: int | None
    field: str | None
    reason: str

    def render(self, source: str = "") -> str:
        """Render as ``source:ROW: field: reason`` (parts that are unknown are left out)."""
        where = source
        if self.row is not None:
            where = f"{where}:{self.row}" if where else f"row {self.row}"
        parts = [p for p in (where, self.field) if p]
        return ": ".join([*parts, self.reason])


class MappingError(ClientIndexError):
    """A column-mapping file is unreadable or names unknown fields or columns."""

    def __init__(self, message: str, *, path: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.field = field


class ImportRejected(ClientIndexError):
    """An import found problems, so nothing was written and the index is unchanged."""

    def __init__(self, problems: tuple[ImportProblem, ...] | list[ImportProblem], *,
                 source: str = "") -> None:
        self.problems = tuple(problems)
        self.source = source
        count = len(self.problems)
        lines = [p.render(source) for p in self.problems[:50]]
        more = f"\n... and {count - 50} more." if count > 50 else ""
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"The import of {source or 'the file'} was rejected with {count} {noun}; "
            "the client index is unchanged.\n" + "\n".join(lines) + more
        )


class StorageError(ClientIndexError):
    """The index database cannot be opened, created or queried."""


class RequestError(ClientIndexError):
    """A command or call was given an argument that cannot be used."""
