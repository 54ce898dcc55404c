"""Reading YAML files and pointing back into them (the parse stage of loading).

Files are parsed with yaml-rs (a YAML 1.2 parser in Rust: ``on``/``no`` stay strings, and
it is fast enough for thousands of steps). Line and column numbers are only needed when
something is wrong, so a file is re-read with ruamel.yaml's round-trip loader, which
keeps the position of every node, the first time a problem in it has to be located.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml_rs
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from triage.problems import Problem

Loc = tuple[str | int, ...]
"""A path into a document, as pydantic reports it: keys and list indexes."""


@dataclass
class SourceFile:
    """A parsed file and the means to locate a path inside it."""

    path: Path
    display: str
    text: str
    data: Any
    _positions: Any = field(default=None, repr=False)

    def _tree(self) -> Any:
        if self._positions is None:
            self._positions = YAML(typ="rt").load(self.text)
        return self._positions

    def locate(self, loc: Loc, *, at_key: bool = False) -> tuple[int, int]:
        """Return the 1-based (line, column) of the node at ``loc``, or of its nearest parent.

        With ``at_key`` the last step points at the key itself rather than its value.
        """
        node: Any = self._tree()
        line, col = 1, 1
        if hasattr(node, "lc"):
            line, col = node.lc.line + 1, node.lc.col + 1
        for index, part in enumerate(loc):
            if isinstance(part, str) and isinstance(node, CommentedMap):
                if part not in node:
                    # pydantic puts a union's tag in the path; it names no node.
                    continue
                if at_key and index == len(loc) - 1:
                    ln, cl = node.lc.key(part)
                    return ln + 1, cl + 1
                try:
                    pos = node.lc.value(part) if not isinstance(node[part], (dict, list)) else None
                    if pos is None or pos[0] is None:
                        pos = node.lc.key(part)
                    line, col = pos[0] + 1, pos[1] + 1
                except (AttributeError, KeyError, TypeError):
                    pass
                node = node[part]
                if isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
                    line, col = node.lc.line + 1, node.lc.col + 1
            elif isinstance(part, int) and isinstance(node, CommentedSeq) and 0 <= part < len(node):
                try:
                    ln, cl = node.lc.item(part)
                    line, col = ln + 1, cl + 1
                except (AttributeError, KeyError, TypeError):
                    pass
                node = node[part]
            else:
                continue
        return line, col

    def describe(self, loc: Loc) -> str:
        """Render ``loc`` for people, naming list items by their id where they have one."""
        out = ""
        node: Any = self.data
        for part in loc:
            if isinstance(part, int):
                item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
                name = None
                if isinstance(item, dict):
                    for key in ("id", "name", "code"):
                        if isinstance(item.get(key), str):
                            name = item[key]
                            break
                out += f".{name}" if name else f"[{part}]"
                node = item
            else:
                if isinstance(node, dict) and part not in node and node.get("kind") == part:
                    continue
                out += f".{part}" if out else str(part)
                node = node.get(part) if isinstance(node, dict) else None
        return out

    def problem(self, loc: Loc, message: str, check: str = "schema", *,
                at_key: bool = False) -> Problem:
        """A problem at ``loc`` in this file."""
        line, col = self.locate(loc, at_key=at_key)
        return Problem(self.display, line, col, self.describe(loc), message, check)


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as a person typed it: relative to the working directory where possible."""
    base = root or Path.cwd()
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> SourceFile | Problem:
    """Parse one file; a file that is not valid YAML comes back as a located problem."""
    display = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return Problem(display, 1, 1, "", f"the file is not UTF-8 text ({exc.reason})", "yaml")
    except OSError as exc:
        return Problem(display, 1, 1, "", f"cannot read the file: {exc.strerror}", "yaml")
    try:
        data = yaml_rs.loads(text, parse_datetime=False)
    except yaml_rs.YAMLDecodeError as exc:
        return _syntax_problem(display, text, str(exc))
    # yaml-rs gives plain dicts, lists and scalars (dates stay text with parse_datetime off).
    return SourceFile(path, display, text, data)


def _syntax_problem(display: str, text: str, fallback: str) -> Problem:
    """Explain a YAML syntax error with the position ruamel.yaml gives it."""
    try:
        YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        return Problem(display, line, col, "", f"invalid YAML: {what}", "yaml")
    except Exception as exc:  # ruamel raises several unrelated types for odd input
        first = fallback.splitlines()[0] if fallback else str(exc)
        return Problem(display, 1, 1, "", f"invalid YAML: {first}", "yaml")
    first_line = fallback.splitlines()[0] if fallback else "cannot be parsed"
    return Problem(display, 1, 1, "", f"invalid YAML: {first_line}", "yaml")


def yaml_files(paths: Sequence[Path]) -> list[Path]:
    """Every .yaml/.yml file under the given files and folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            found.append(path)
    return found


def unreadable_folders(paths: Sequence[Path]) -> list[tuple[Path, str]]:
    """Folders under the given ones that cannot be listed, with the reason (a folder that
    cannot be read would otherwise look empty, and its files would be silently left out)."""
    failed: list[tuple[Path, str]] = []

    def note(exc: OSError) -> None:
        failed.append((Path(exc.filename or "."), exc.strerror or str(exc)))

    for path in paths:
        if path.is_dir():
            for _ in os.walk(path, onerror=note):
                pass
    return failed
