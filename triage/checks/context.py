"""What every check reads: the library being checked, each pathway's analysis, and which
files could not be loaded (so that problems following from them can say so)."""

from __future__ import annotations

from dataclasses import dataclass, field

from triage.analysis import PathwayAnalysis
from triage.definitions import Pathway
from triage.sources import Library

ROOT_CAUSES = frozenset({"yaml", "schema", "files"})
"""Problems that keep a whole file out of the library; others may follow from them."""


@dataclass
class CheckContext:
    """The library being checked, with each pathway's analysis."""

    lib: Library
    analyses: dict[str, PathwayAnalysis] = field(default_factory=dict)
    unloaded: dict[tuple[str, str], str] = field(default_factory=dict)
    """(kind, id) -> the file that declares it but could not be loaded."""
    unreadable: tuple[str, ...] = ()
    """Files that could not be read at all, so what they declare is not known."""

    def follows(self, kind: str, ident: str) -> str:
        """Why a reference to an unknown ``ident`` may be a knock-on of another problem."""
        declared = self.unloaded.get((kind, ident))
        if declared is not None:
            return (f" (this follows from the problem in {declared}, which declares "
                    f"'{ident}' but could not be loaded: fix that first)")
        if self.unreadable:
            return (f" (this may follow from the problem in {', '.join(self.unreadable)}, "
                    "which could not be read: fix that first)")
        return ""


def unloaded_files(lib: Library) -> tuple[dict[tuple[str, str], str], tuple[str, ...]]:
    """What the files that failed to load declare, and the files that could not be read."""
    failed = {p.file for p in lib.problems if p.check in ROOT_CAUSES}
    parsed = {src.display: src for src in lib.files}
    declared: dict[tuple[str, str], str] = {}
    for name in sorted(failed & parsed.keys()):
        data = parsed[name].data
        if not isinstance(data, dict):
            continue

        def ids(items: object, key: str) -> list[str]:
            return [str(i[key]) for i in items if isinstance(i, dict) and key in i] \
                if isinstance(items, list) else []

        found: list[tuple[str, str]] = []
        found += [("script", i) for i in ids(data.get("scripts"), "id")]
        found += [("fact", i) for i in ids(data.get("facts"), "name")]
        directory = data.get("directory")
        if isinstance(directory, dict):
            found.append(("directory", "directory"))
            constants = directory.get("constants")
            if isinstance(constants, dict):
                found += [("constant", str(k)) for k in constants]
            found += [("team", i) for i in ids(directory.get("teams"), "id")]
            found += [("service", i) for i in ids(directory.get("online_services"), "id")]
        meta = data.get("pathway")
        if isinstance(meta, dict) and "id" in meta:
            found.append(("pathway", str(meta["id"])))
        for key in found:
            declared.setdefault(key, name)
    return declared, tuple(sorted(failed - parsed.keys()))


def step_index(p: Pathway) -> dict[str, int]:
    return {step.id: i for i, step in enumerate(p.steps)}


def targets(step: object) -> list[tuple[tuple[str | int, ...], str]]:
    """(path inside the step, target step id) for every place a step names another."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    for j, route in enumerate(getattr(step, "routes", None) or ()):
        out.append((("routes", j, "goto"), route.goto))
    for key in ("default", "next"):
        target = getattr(step, key, None)
        if isinstance(target, str):
            out.append(((key,), target))
    return out


def edges_of(step: object) -> list[str]:
    return [t for _, t in targets(step)]
