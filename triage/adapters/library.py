"""Parse files and validate them against the models (the first two stages of loading).

:func:`read_library` reads every pathway, script, facts and directory file it is given,
and returns a :class:`Library` of definitions together with every problem found, each
located as ``file:line:col``. It never raises for a bad file: whatever is wrong with one
(and should a check itself fail on it) the file is a located problem, and the others are
still read.
"""

from __future__ import annotations

import re
import reprlib
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from triage.adapters.yamlsource import SourceFile, display_path, list_files, read_yaml
from triage.definitions import (
    STEP_ID,
    DirectoryFile,
    FactsFile,
    Pathway,
    ScriptsFile,
)
from triage.hazards import HazardsFile
from triage.problems import Problem
from triage.sources import Library, Loc, Located, Source

FILE_KINDS: dict[str, type[BaseModel]] = {
    "pathway": Pathway,
    "scripts": ScriptsFile,
    "facts": FactsFile,
    "directory": DirectoryFile,
    "hazards": HazardsFile,
}


def read_library(paths: Sequence[Path]) -> Library:
    """Read files and folders of pathways, scripts, facts and the directory."""
    listing = list_files(paths)
    lib = Library(problems=list(listing.problems))
    for path, root in listing.files:
        read_file(lib, path, root)
    return lib


def read_file(lib: Library, path: Path, root: Path | None = None) -> None:
    """Read one file (found in the folder ``root``) into ``lib``."""
    try:
        parsed = read_yaml(path, root)
        if isinstance(parsed, list):
            lib.problems.extend(parsed)
            return
        lib.files.append(parsed)
        _add_file(lib, parsed)
    except Exception as exc:  # a fault of ours; the designer still hears of the file
        lib.problems.append(Problem(
            display_path(path), 1, 1, "", f"the file could not be checked ({type(exc).__name__} "
            "in the checker); this is a fault in the checker, not necessarily in the file: "
            "please report it with the file", "yaml"))


def _add_file(lib: Library, src: SourceFile) -> None:
    data = src.data
    if not isinstance(data, dict) or not data:
        if _too_deep(lib, src):
            return
        if src.documents() > 1:
            lib.problems.append(src.problem((), f"the file holds {src.documents()} YAML "
                                            "documents (each '---' line starts one); a file "
                                            "holds one: a pathway, scripts, facts or the "
                                            "directory", "yaml"))
            return
        lib.problems.append(
            src.problem((), "the file is empty or not a mapping; it should start with one of: "
                        + ", ".join(f"'{k}:'" for k in FILE_KINDS))
        )
        return
    kind = next((k for k in FILE_KINDS if k in data), None)
    if kind is None:
        if _too_deep(lib, src):
            return
        first = next(iter(data))
        lib.problems.append(
            src.problem((first,), f"unknown kind of file (top-level key '{_shown(first)}'); a "
                        "file starts with one of: " + ", ".join(f"'{k}:'" for k in FILE_KINDS))
        )
        return
    model = FILE_KINDS[kind]
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        if not _too_deep(lib, src):
            lib.problems.extend(_validation_problems(src, exc, model))
        return
    _register(lib, src, parsed)


def _too_deep(lib: Library, src: SourceFile) -> bool:
    """Report a file nested too deeply to locate anything else in (True if it is).

    Asked only of a file that does not fit the format: the models nest a few levels, so a
    file that fits them cannot be deep.
    """
    problem = src.too_deep()
    if problem is not None:
        lib.problems.append(problem)
    return problem is not None


_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxother, _SHOWN.maxlong = 3, 80, 80, 80
_SHOWN.maxlist = _SHOWN.maxtuple = _SHOWN.maxdict = _SHOWN.maxset = 6


def _as_written(value: Any) -> str:
    """A value from a file, quoted in a message as YAML writes it where that differs."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return _SHOWN.repr(value)


def _shown(value: Any) -> str:
    """A value from a file, quoted in a message: short, however large or deep it is."""
    return _SHOWN.repr(value) if not isinstance(value, str) else _SHOWN.repr(value)[1:-1]


def _register(lib: Library, src: SourceFile, parsed: BaseModel) -> None:
    def duplicate(what: str, ident: str, loc: Loc, first: Source) -> None:
        lib.problems.append(
            src.problem(loc, f"duplicate {what} id '{ident}' (already defined in {first.display})",
                        "duplicate_ids")
        )

    if isinstance(parsed, Pathway):
        ident = parsed.pathway.id
        if ident in lib.pathways:
            duplicate("pathway", ident, ("pathway", "id"), lib.pathways[ident].source)
        else:
            lib.pathways[ident] = Located(parsed, src, ())
            if src.path.stem != ident:
                lib.problems.append(src.problem(
                    ("pathway", "id"),
                    f"the pathway id '{ident}' differs from the file name '{src.path.stem}'; "
                    f"name the file {ident}.yaml so designers can find it", "file_names"))
    elif isinstance(parsed, ScriptsFile):
        for i, script in enumerate(parsed.scripts):
            if script.id in lib.scripts:
                duplicate("script", script.id, ("scripts", i, "id"), lib.scripts[script.id].source)
            else:
                lib.scripts[script.id] = Located(script, src, ("scripts", i))
    elif isinstance(parsed, FactsFile):
        for i, fact in enumerate(parsed.facts):
            if fact.name in lib.facts:
                duplicate("fact", fact.name, ("facts", i, "name"), lib.facts[fact.name].source)
            else:
                lib.facts[fact.name] = Located(fact, src, ("facts", i))
    elif isinstance(parsed, DirectoryFile):
        if lib.directory is not None:
            lib.problems.append(src.problem(
                ("directory",), "a second directory file; keep teams, services and the "
                f"safety policy in one (the first is {lib.directory.source.display})",
                "duplicate_ids"))
        else:
            lib.directory = Located(parsed.directory, src, ("directory",))
    elif isinstance(parsed, HazardsFile):
        if lib.hazards is not None:
            lib.problems.append(src.problem(
                ("hazards",), "a second hazard log; keep every hazard in one (the first is "
                f"{lib.hazards.source.display})", "duplicate_ids"))
        else:
            lib.hazards = Located(parsed, src, ())
            lib.scenarios = scenario_names(src.path.parent / parsed.features)


_SCENARIO = re.compile(r"^\s*Scenario(?: Outline)?:\s*(.+?)\s*$")


def scenario_names(folder: Path) -> frozenset[str] | None:
    """Every scenario in the ``.feature`` files under ``folder``, as "FILE: NAME"."""
    if not folder.is_dir():
        return None
    found = set()
    for path in sorted(folder.rglob("*.feature")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            match = _SCENARIO.match(line)
            if match:
                found.add(f"{path.relative_to(folder).as_posix()}: {match.group(1)}")
    return frozenset(found)


_FRIENDLY_PATTERNS = {
    r"^HAZ-[0-9]{3}$": "must be HAZ- and three digits, such as HAZ-010",
    r"^[a-z][a-z0-9-]*:[a-z][a-z0-9_]*$": "must be PATHWAY:STEP, such as "
    "front-door:danger_to_life",
    STEP_ID: "must be snake_case: lower-case letters, digits and _ , starting with a letter",
    r"^[a-z][a-z0-9-]*$": "must be kebab-case: lower-case letters, digits and - , starting "
    "with a letter",
}


def _validation_problems(
    src: SourceFile, exc: ValidationError, model: type[BaseModel]
) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = _without_tags(src.data, tuple(err["loc"]))
        problems.append(src.problem(loc, _message(err, src.data, loc, model),
                                    at_key=err["type"] == "extra_forbidden"))
    return sorted(set(problems))


def _without_tags(data: Any, loc: Loc) -> Loc:
    """Drop the union tags pydantic puts in a path (``steps.3.question.routes``)."""
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        if (isinstance(part, str) and i > 0 and isinstance(loc[i - 1], int)
                and isinstance(node, dict) and node.get("kind") == part):
            continue
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(out)


def _message(err: Any, data: Any, loc: Loc, model: type[BaseModel]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        valid = _valid_keys(model, data, loc[:-1])
        hint = f" (valid keys here: {', '.join(valid)})" if valid else ""
        return f"unknown key '{_shown(loc[-1])}'{hint}"
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        friendly = _FRIENDLY_PATTERNS.get(pattern, f"must match {pattern}")
        return f"'{_shown(err.get('input'))}' {friendly}"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return (f"unknown step kind '{_shown(ctx.get('tag'))}' (valid kinds: "
                f"{ctx.get('expected_tags', '').replace(chr(39), '')})")
    if kind == "union_tag_not_found":
        return "missing 'kind' (one of: say, question, lookup, handover, return, outcome)"
    msg: str = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if "input" in err and kind not in ("model_type",) and not isinstance(err["input"], dict):
        msg += f" (got {_as_written(err['input'])})"
    return msg


def _valid_keys(model: type[BaseModel], data: Any, loc: Loc) -> list[str]:
    """The keys the model allows at ``loc``, found by walking the model with the data."""
    annotation: Any = model
    node = data
    for part in loc:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            annotation = _item_annotation(annotation)
            continue
        current = _model_in(annotation, node)
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return []
        annotation = fields[part].annotation
        node = node.get(part) if isinstance(node, dict) else None
    fields = getattr(_model_in(annotation, node), "model_fields", None)
    return sorted(fields) if fields else []


def _item_annotation(annotation: Any) -> Any:
    """The item type of list[X] (or of list[X] | None)."""
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is list:
            return typing.get_args(arg)[0]
    return annotation


def _model_in(annotation: Any, value: Any) -> Any:
    """The BaseModel class an annotation such as X | None or a tagged union means for ``value``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    candidates = [c for c in (_model_in(a, value) for a in typing.get_args(annotation))
                  if c is not None]
    if len(candidates) > 1 and isinstance(value, dict) and "kind" in value:
        for c in candidates:
            kind_field = c.model_fields.get("kind")
            if kind_field is not None and value["kind"] in typing.get_args(kind_field.annotation):
                return c
    return candidates[0] if candidates else None
