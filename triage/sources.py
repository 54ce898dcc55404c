"""Definitions read from files, each with where it was written, and the library of them.

The core only needs a file to give back its parsed data and to say where a path inside it
is (:class:`Source`); the YAML adapter (:mod:`triage.adapters.yamlsource`) provides that. Checks use
it to report every problem as ``file:line:col``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from triage.definitions import Directory, Fact, Pathway, Script
from triage.hazards import HazardsFile
from triage.problems import Problem

Loc = tuple[str | int, ...]
"""A path into a document, as pydantic reports it: keys and list indexes."""


class Source(Protocol):
    """A parsed file that can locate a path inside it."""

    path: Path
    display: str  # the file as a person typed it
    text: str
    data: Any

    def locate(self, loc: Loc, *, at_key: bool = False) -> tuple[int, int]:
        """The 1-based (line, column) of the node at ``loc``, or of its nearest parent."""

    def describe(self, loc: Loc) -> str:
        """``loc`` for people, naming list items by their id where they have one."""

    def problem(self, loc: Loc, message: str, check: str = "schema", *,
                at_key: bool = False) -> Problem:
        """A problem at ``loc`` in this file."""


T = TypeVar("T")


@dataclass
class Located(Generic[T]):
    """A definition and where it was written."""

    value: T
    source: Source
    loc: Loc


@dataclass
class Library:
    """Every definition read, by id, and the problems found while reading them."""

    pathways: dict[str, Located[Pathway]] = field(default_factory=dict)
    scripts: dict[str, Located[Script]] = field(default_factory=dict)
    facts: dict[str, Located[Fact]] = field(default_factory=dict)
    directory: Located[Directory] | None = None
    hazards: Located[HazardsFile] | None = None
    scenarios: frozenset[str] | None = None
    """Every Gherkin scenario the hazard log's features folder holds, as "FILE: NAME"
    (the file relative to that folder); None when there is no such folder."""
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """Reported to the designer; they do not stop the files loading."""
    files: list[Source] = field(default_factory=list)
