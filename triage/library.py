"""Parse files and validate them against the models (the first two stages of loading).

:func:`read_library` reads every pathway, script, facts and directory file it is given,
and returns a :class:`Library` of definitions together with every problem found, each
located as ``file:line:col``. It never raises for a bad file.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from triage.definitions import (
    STEP_ID,
    DirectoryFile,
    FactsFile,
    Pathway,
    ScriptsFile,
)
from triage.problems import Problem
from triage.sources import Library, Loc, Located, Source
from triage.yamlsource import SourceFile, read_yaml, unreadable_folders, yaml_files

FILE_KINDS: dict[str, type[BaseModel]] = {
    "pathway": Pathway,
    "scripts": ScriptsFile,
    "facts": FactsFile,
    "directory": DirectoryFile,
}


def read_library(paths: Sequence[Path]) -> Library:
    """Read files and folders of pathways, scripts, facts and the directory."""
    lib = Library()
    missing = [path for path in paths if not path.exists()]
    for path in missing:
        lib.problems.append(Problem(str(path), 1, 1, "", "no such file or folder", "files"))
    files = [path for path in yaml_files(paths) if path not in missing]  # reported once
    for folder, reason in unreadable_folders(paths):
        lib.problems.append(Problem(str(folder), 1, 1, "", f"cannot read the folder: {reason}",
                                    "files"))
    for path in files:
        parsed = read_yaml(path)
        if isinstance(parsed, Problem):
            lib.problems.append(parsed)
            continue
        lib.files.append(parsed)
        _add_file(lib, parsed)
    return lib


def _add_file(lib: Library, src: SourceFile) -> None:
    data = src.data
    if not isinstance(data, dict) or not data:
        lib.problems.append(
            src.problem((), "the file is empty or not a mapping; it should start with one of: "
                        + ", ".join(f"'{k}:'" for k in FILE_KINDS))
        )
        return
    kind = next((k for k in FILE_KINDS if k in data), None)
    if kind is None:
        first = next(iter(data))
        lib.problems.append(
            src.problem((first,), f"unknown kind of file (top-level key '{first}'); a file "
                        "starts with one of: " + ", ".join(f"'{k}:'" for k in FILE_KINDS))
        )
        return
    model = FILE_KINDS[kind]
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        lib.problems.extend(_validation_problems(src, exc, model))
        return
    _register(lib, src, parsed)


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


_FRIENDLY_PATTERNS = {
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
        return f"unknown key '{loc[-1]}'{hint}"
    if kind == "missing":
        return f"missing required key '{loc[-1]}'"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        friendly = _FRIENDLY_PATTERNS.get(pattern, f"must match {pattern}")
        return f"'{err.get('input')}' {friendly}"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return (f"unknown step kind '{ctx.get('tag')}' (valid kinds: "
                f"{ctx.get('expected_tags', '').replace(chr(39), '')})")
    if kind == "union_tag_not_found":
        return "missing 'kind' (one of: say, question, lookup, handover, return, outcome)"
    msg: str = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if "input" in err and kind not in ("model_type",) and not isinstance(err["input"], dict):
        msg += f" (got {err['input']!r})"
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
