"""Finding, reading and parsing YAML files, and pointing back into them (the parse stage).

Files are parsed with yaml-rs (a YAML 1.2 parser in Rust: ``on``/``no`` stay strings, and
it is fast enough for thousands of steps). Line and column numbers are only needed when
something is wrong, so the first time a problem in a file has to be located, the file is
re-read as a stream of events (ruamel.yaml's parser, which never recurses) and the
position of every node is kept.

Whatever is wrong with a file, reading it gives located problems and never raises: a
link that loops or leads outside its folder, something that is not a plain file, a file
too large, text that is not UTF-8, YAML that does not parse, nesting deep enough to
exhaust a parser's stack, YAML tags, and aliases that expand without end.

Two guards keep the usual file on the fast path. yaml-rs limits flow nesting (``[[[``)
itself but not block nesting, which crashed the process at about 10,000 levels; block
nesting needs at least one more column per level (two levels at most share a column), so
a file whose lines are all short cannot be nested deeply enough to matter. A tag starts
with ``!`` and never follows a letter or digit. Only a file with a long line or such a
``!`` is first read as events, to measure its nesting and find its tags, before yaml-rs
sees it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml_rs
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
)

from triage.problems import Problem
from triage.sources import Loc

MAX_FILE_BYTES = 1024 * 1024
"""The largest file read (1 MiB); the largest shipped pathway is under 8 KB."""
MAX_DEPTH = 64
"""The deepest nesting read; pathway files need about ten levels."""
LONG_LINE = 400
"""Files with a line longer than this are measured before yaml-rs parses them: with all
lines shorter, block nesting is at most about 800 levels, far from yaml-rs's limit."""
ALIAS_LIMITS = yaml_rs.AliasLimits(max_total_replayed_events=10_000,
                                   max_replay_stack_depth=MAX_DEPTH)
"""yaml-rs copies an aliased node for every alias; this bounds the copies ("billion
laughs": nine lines of aliases can ask for a billion nodes)."""
YAML_SUFFIXES = (".yaml", ".yml")

_TAG_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])!")
_TAG_TOKEN = re.compile(r"!<[^>]*>|![^\s,\[\]{}]*")
_LINE_AT = re.compile(r"line (\d+),? column (\d+)")


@dataclass(slots=True)
class _Node:
    """Where one node of a document was written (0-based line and column)."""

    line: int
    col: int
    keys: dict[str, tuple[tuple[int, int], _Node]] | None = None
    items: list[_Node] | None = None


@dataclass
class _Structure:
    """What reading a file's events found: node positions, nesting, tags and documents."""

    root: _Node | None = None
    documents: int = 0
    too_deep: tuple[Loc, int, int] | None = None
    """Where the nesting first passes MAX_DEPTH (path, 1-based line and column)."""
    tags: list[tuple[Loc, int, str, str]] = field(default_factory=list)
    """(path, character index of the tag, the tag as written, the tag it stands for)."""
    error: Problem | None = None
    first_alias: tuple[int, int] | None = None
    """The 1-based line and column of the first alias (``*name``)."""


@dataclass
class SourceFile:
    """A parsed file and the means to locate a path inside it."""

    path: Path
    display: str
    text: str
    data: Any
    _structure: _Structure | None = field(default=None, repr=False)

    def structure(self) -> _Structure:
        """The file read as events (once, on first use)."""
        if self._structure is None:
            self._structure = _scan(self.display, self.text)
        return self._structure

    def locate(self, loc: Loc, *, at_key: bool = False) -> tuple[int, int]:
        """Return the 1-based (line, column) of the node at ``loc``, or of its nearest parent.

        With ``at_key`` the last step points at the key itself rather than its value.
        """
        node = self.structure().root
        if node is None:
            return 1, 1
        line, col = node.line + 1, node.col + 1
        for index, part in enumerate(loc):
            if isinstance(part, str) and node.keys is not None:
                if part not in node.keys:
                    # pydantic puts a union's tag in the path; it names no node.
                    continue
                (key_line, key_col), value = node.keys[part]
                if at_key and index == len(loc) - 1:
                    return key_line + 1, key_col + 1
                if value.keys is None and value.items is None:
                    line, col = value.line + 1, value.col + 1
                else:
                    line, col = key_line + 1, key_col + 1
                node = value
                if node.keys or node.items:
                    line, col = node.line + 1, node.col + 1
            elif (isinstance(part, int) and node.items is not None
                  and 0 <= part < len(node.items)):
                node = node.items[part]
                line, col = node.line + 1, node.col + 1
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

    def too_deep(self) -> Problem | None:
        """The problem of a file nested more than MAX_DEPTH levels deep, if it is."""
        found = self.structure().too_deep
        if found is None:
            return None
        loc, line, col = found
        return Problem(self.display, line, col, _short_where(self.describe(loc)),
                       f"the file is nested more than {MAX_DEPTH} levels deep here, more "
                       "than is read (pathway files need about ten levels)", "yaml")

    def documents(self) -> int:
        """How many YAML documents the file holds."""
        return self.structure().documents


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as a person typed it: relative to the working directory where possible.

    The last part is never followed as a link, so a link is named where it lies.
    """
    base = os.path.realpath(root or Path.cwd())
    full = os.path.join(os.path.realpath(path.parent), path.name)
    try:
        return str(Path(full).relative_to(base))
    except ValueError:
        return str(path)


# --- finding the files --------------------------------------------------------------------


@dataclass
class Listing:
    """The files found under the paths given, and the problems met while looking."""

    files: list[tuple[Path, Path | None]] = field(default_factory=list)
    """Each file with the folder it was found in (None for a file named directly)."""
    problems: list[Problem] = field(default_factory=list)

    def paths(self) -> list[Path]:
        """The files found, in order."""
        return [path for path, _ in self.files]


def list_files(paths: Sequence[Path]) -> Listing:
    """Every .yaml/.yml file under the given files and folders, in a stable order.

    Links to folders are not followed (as ``Path.rglob`` never did); a folder that cannot
    be listed is a problem, not a silent gap.
    """
    listing = Listing()
    for path in paths:
        if os.path.isdir(path):
            found: list[Path] = []
            _walk(path, found, listing.problems)
            listing.files.extend((p, path) for p in sorted(found))
        elif _missing(path):
            listing.problems.append(Problem(str(path), 1, 1, "", "no such file or folder",
                                            "files"))
        else:  # reading it says what it is, or why it cannot be read
            listing.files.append((path, None))
    return listing


def _missing(path: Path) -> bool:
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:  # there, perhaps, but out of reach: reading it will say why
        return False
    return False


def _walk(top: Path, found: list[Path], problems: list[Problem]) -> None:
    folders = [top]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as exc:
            problems.append(Problem(display_path(folder), 1, 1, "", "cannot list the folder ("
                                    f"{_reason(exc)}), so no file in it was read", "files"))
            continue
        for entry in listed:
            path = folder / entry.name
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                folders.append(path)
            elif path.suffix in YAML_SUFFIXES:
                found.append(path)


def yaml_files(paths: Sequence[Path]) -> list[Path]:
    """Every .yaml/.yml file under the given files and folders, in a stable order."""
    return list_files(paths).paths()


# --- reading one file -------------------------------------------------------------------------


def read_yaml(path: Path, root: Path | None = None) -> SourceFile | list[Problem]:
    """Read and parse one file; anything wrong with it comes back as located problems.

    ``root`` is the folder the file was found in: a link leading outside it is refused.
    """
    display = display_path(path)
    text = _read_text(path, display, root)
    if isinstance(text, Problem):
        return [text]
    structure = _scan(display, text) if _needs_a_careful_look(text) else None
    if structure is not None and (structure.error or structure.too_deep):
        return _refusal(path, display, text, structure)
    try:
        data = yaml_rs.loads(text, parse_datetime=False, alias_limits=ALIAS_LIMITS)
    except Exception as exc:  # YAMLDecodeError, and anything else a parser may raise
        structure = structure or _scan(display, text)
        return (_refusal(path, display, text, structure)
                or [_syntax_problem(display, exc, structure)])
    # yaml-rs gives plain dicts, lists and scalars (dates stay text with parse_datetime off).
    source = SourceFile(path, display, text, data, structure)
    if structure is not None and structure.tags:
        return [_tag_problem(source, *tag) for tag in structure.tags]
    return source


def _refusal(path: Path, display: str, text: str, structure: _Structure) -> list[Problem]:
    """What the events say is wrong with a file before it is parsed: a syntax error,
    nesting too deep, or tags (named where they are, as the parsed data is not there)."""
    if structure.error is not None:
        return [structure.error]
    source = SourceFile(path, display, text, None, structure)
    deep = source.too_deep()
    if deep is not None:
        return [deep]
    return [_tag_problem(source, *tag) for tag in structure.tags]


def _read_text(path: Path, display: str, root: Path | None) -> str | Problem:
    def problem(message: str, check: str = "files") -> Problem:
        return Problem(display, 1, 1, "", message, check)

    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            if root is not None:
                target = os.path.realpath(path)
                folder = os.path.realpath(root)
                if os.path.commonpath([target, folder]) != folder:
                    return problem(f"the file is a link ('{os.readlink(path)}') to a file "
                                   "outside the folder being read; only files inside the "
                                   "folders given are read (copy the file in, or name it on "
                                   "its own)")
            info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return problem(f"this is {_kind_of(info.st_mode)}, not a file; only plain "
                           "files are read")
        # O_NONBLOCK: if a named pipe took the file's place since, opening does not wait.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return problem(_open_failure(path, exc))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return problem(f"this is {_kind_of(info.st_mode)}, not a file; only plain "
                           "files are read")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(descriptor, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return problem(f"cannot read the file ({_reason(exc)})")
    finally:
        os.close(descriptor)
    if size > MAX_FILE_BYTES:
        return problem(f"the file is larger than {MAX_FILE_BYTES:,} bytes (1 MiB), the most "
                       "a pathway, script, facts or directory file may be; split it up")
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        return problem(f"the file is not UTF-8 text ({exc.reason})", "yaml")


def _open_failure(path: Path, exc: OSError) -> str:
    import errno

    if exc.errno == errno.ELOOP:
        return ("the file is a link that leads round in a loop (to itself, or through other "
                "links back to itself); point it at a real file or remove it")
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return (f"the file is a link to '{os.readlink(path)}', which does not exist; point "
                    "it at a real file or remove it")
        return ("the file disappeared before it could be read (moved or deleted meanwhile); "
                "check again once the change is complete")
    return f"cannot read the file ({_reason(exc)})"


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _needs_a_careful_look(text: str) -> bool:
    """True if the text may hold a tag or be nested deeply (see the module docstring)."""
    if "!" in text and _TAG_CANDIDATE.search(text):
        return True
    # Split at "\n" alone: a line ended by a lone "\r" only makes the longest line longer.
    return max(map(len, text.split("\n"))) > LONG_LINE


def _short_where(where: str, parts: int = 6) -> str:
    """A very long path cut to its first parts (a deeply nested file's path is long)."""
    pieces = re.split(r"(?=[.\[])", where)
    return where if len(pieces) <= parts else "".join(pieces[:parts]) + "..."


def _tag_problem(source: SourceFile, loc: Loc, index: int, written: str,
                 meaning: str) -> Problem:
    line = source.text.count("\n", 0, index) + 1
    col = index - (source.text.rfind("\n", 0, index) + 1) + 1
    # A %TAG shorthand is named with what it stands for; '!!set' needs no spelling out.
    custom = written != meaning and not written.startswith(("!!", "!<"))
    shown = f"'{written}' (standing for '{meaning}')" if custom else f"'{written}'"
    return Problem(source.display, line, col, source.describe(loc),
                   f"{shown} is a YAML tag, and tags are not part of the pathway language "
                   "(one would be dropped, or change what the value is); write the value "
                   "itself, without the tag", "yaml")


def _syntax_problem(display: str, exc: Exception, structure: _Structure) -> Problem:
    """A file yaml-rs refused that the events found nothing wrong with: yaml-rs's words."""
    message = str(exc).strip()
    first = message.splitlines()[0] if message else type(exc).__name__
    at = _LINE_AT.search(message)
    line, col = (int(at.group(1)), int(at.group(2))) if at else (1, 1)
    if "alias replay limit" in first:
        line, col = structure.first_alias or (line, col)
        first = ("the aliases (*name) from here on expand to more than "
                 f"{ALIAS_LIMITS.max_total_replayed_events:,} parts; a pathway file needs "
                 "few aliases, if any")
    return Problem(display, line, col, "", f"invalid YAML: {first}", "yaml")


# --- the file as events -----------------------------------------------------------------------


def _events(text: str) -> Iterator[Any]:
    return YAML(typ="rt").parse(text)  # type: ignore[no-any-return]


@dataclass(slots=True)
class _Open:
    """A collection whose end has not been read yet."""

    node: _Node
    loc: Loc
    key: tuple[str | None, tuple[int, int]] | None = None
    """In a mapping, the key read whose value comes next (its text, 0-based position)."""
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    """The mapping's keys so far, by what they mean, with their 0-based line."""


def _scan(display: str, text: str) -> _Structure:
    """Read the file as events: node positions, nesting, tags and documents.

    Iterative throughout, so no nesting depth can exhaust the stack; it stops where the
    nesting passes MAX_DEPTH. A syntax error, an undefined alias or a duplicate key
    becomes ``error``, located (yaml-rs refuses the same, without a position for some).
    """
    found = _Structure()
    anchors: dict[str, _Node] = {}
    stack: list[_Open] = []

    def problem(line: int, col: int, message: str) -> Problem:
        return Problem(display, line + 1, col + 1, "", f"invalid YAML: {message}", "yaml")

    try:
        for event in _events(text):
            if isinstance(event, DocumentStartEvent):
                found.documents += 1
                continue
            if isinstance(event, CollectionEndEvent):
                stack.pop()
                continue
            if not isinstance(event, NodeEvent):
                continue
            mark = event.start_mark
            if isinstance(event, AliasEvent):
                if event.anchor not in anchors:
                    found.error = problem(mark.line, mark.column,
                                          f"found undefined alias '{event.anchor}'")
                    return found
                node = anchors[event.anchor]
                found.first_alias = found.first_alias or (mark.line + 1, mark.column + 1)
            else:
                node = _Node(mark.line, mark.column)
                if isinstance(event, MappingStartEvent):
                    node.keys = {}
                elif isinstance(event, CollectionStartEvent):
                    node.items = []
            loc: Loc = ()
            if not stack:
                if found.root is None:  # later documents are not located into
                    found.root = node
            elif (items := stack[-1].node.items) is not None:
                loc = (*stack[-1].loc, len(items))
                items.append(node)
            elif stack[-1].key is None:  # a mapping's key
                parent = stack[-1]
                key = event.value if isinstance(event, ScalarEvent) else None
                parent.key = (key, (mark.line, mark.column))
                loc = (*parent.loc, key) if key is not None else parent.loc
                meaning = _key_meaning(event)
                if meaning is not None and meaning in parent.seen:
                    found.error = problem(mark.line, mark.column, f"duplicate key "
                                          f"'{_short(str(key))}' (it is already given at line "
                                          f"{parent.seen[meaning] + 1})")
                    return found
                if meaning is not None:
                    parent.seen[meaning] = mark.line
            else:  # a mapping's value
                parent = stack[-1]
                assert parent.key is not None and parent.node.keys is not None
                key, key_mark = parent.key
                parent.key = None
                loc = (*parent.loc, key) if key is not None else parent.loc
                if key is not None:
                    parent.node.keys.setdefault(key, (key_mark, node))
            if not isinstance(event, AliasEvent):
                if event.anchor:
                    anchors[event.anchor] = node
                tag = getattr(event, "tag", None)
                if tag is not None:
                    found.tags.append(_tag_at(text, mark.index, str(tag), loc))
            if isinstance(event, CollectionStartEvent):
                stack.append(_Open(node, loc))
                if len(stack) > MAX_DEPTH:
                    found.too_deep = (loc, mark.line + 1, mark.column + 1)
                    return found  # nothing deeper is worth the time
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        found.error = problem(mark.line if mark else 0, mark.column if mark else 0, what)
    except Exception as exc:  # ruamel raises several unrelated types for odd input
        lines = str(exc).strip().splitlines()
        found.error = problem(0, 0, lines[0] if lines else type(exc).__name__)
    return found


def _tag_at(text: str, index: int, meaning: str, loc: Loc) -> tuple[Loc, int, str, str]:
    """The tag as written: the first tag token from the node's start (after any anchor)."""
    token = _TAG_TOKEN.search(text, index)
    if token is None:
        return loc, index, meaning, meaning
    return loc, token.start(), token.group(), meaning


_CORE_SCHEMA = re.compile(
    r"~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)"
    r"|\.nan|\.NaN|\.NAN|")
"""Plain scalars YAML 1.2's core schema reads as null, a boolean or a number."""


def _key_meaning(event: Any) -> tuple[str, str] | None:
    """What a mapping key means, to find a key given twice: a plain ``1`` and a quoted
    ``"1"`` differ (a number and a text), a plain ``a`` and a quoted ``"a"`` do not."""
    if not isinstance(event, ScalarEvent) or event.tag is not None:
        return None
    if event.style is None and _CORE_SCHEMA.fullmatch(event.value):
        return ("typed", event.value)
    return ("text", event.value)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
