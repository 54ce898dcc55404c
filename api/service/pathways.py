"""The pathway library the service uses: the versions loaded, reloads from disk that are
all or nothing, the versions kept in the repository so a call can finish on its version
after a restart, the live version of each pathway (polled from the repository, so every
instance learns of a publish within a tick), and listing what is loaded (a diagram only
when one is asked for)."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from api.storage.port import LiveEntry, Repository
from triage.adapters.audit import audit_logger
from triage.adapters.yamlsource import list_files
from triage.errors import PathwaysNotStored, StorageRefused
from triage.pipeline import check_paths, compile_library
from triage.problems import Problem
from triage.routing.catalogue import READY, Catalogue
from triage.views import mermaid


@dataclass(frozen=True)
class PathwaySummary:
    """A loaded pathway version, as listed."""

    id: str
    version: int
    title: str
    status: str
    usage: str
    owner: str
    change_note: str
    live: bool = False


SET_UP_REASON = ("Made live at set-up: the highest ready version when the service first "
                 "started on this store.")

_STATUS = re.compile(r"(\bstatus:[ \t]*)(draft|ready|live)\b")


def content_digest(text: str) -> str:
    """The digest that says whether a version's file changed: its status is left out,
    since marking a reviewed draft ``ready`` keeps its version number."""
    return hashlib.sha256(_STATUS.sub(r"\1_", text).encode()).hexdigest()


def archived_text(text: str) -> str:
    """An archived file as today's checks read it: ``status: live`` (the word before the
    live pointer) was a version that served calls, so it is read as ``ready``."""
    return _STATUS.sub(lambda m: m.group(1) + ("ready" if m.group(2) == "live"
                                               else m.group(2)), text)


class PathwayLibrary:
    """The loaded pathway versions, reloaded from disk only when the files validate.

    A reload is all or nothing: new versions are compiled aside, their sources stored in
    one transaction, and only then added to the catalogue. If anything fails, the catalogue,
    the sources remembered and the problems shown are exactly as they were.
    """

    def __init__(self, paths: Sequence[Path], archive: Repository | None = None) -> None:
        self.paths = list(paths)
        self.archive = archive
        # With a repository, new calls start only on the live version it records.
        self.catalogue = Catalogue(live_only=archive is not None)
        self.live: dict[str, LiveEntry] = {}
        self.unusable: dict[tuple[str, int], list[str]] = {}
        """Archived versions that no longer validate, with their problems."""
        self._diagrams: dict[tuple[str, int], str] = {}
        self.problems: list[Problem] = []
        self._stamps: dict[str, int] = {}
        self._sources: dict[tuple[str, int], str] = {}
        self._lock = threading.Lock()
        self.log = audit_logger()

    def _fingerprint(self) -> dict[str, int]:
        listing = list_files(self.paths)
        stamps = {f"problem:{p}": 0 for p in listing.problems}
        for path in listing.paths():
            try:
                stamps[str(path)] = path.stat().st_mtime_ns
            except OSError:  # a broken link, say: its own change time still counts
                try:
                    stamps[str(path)] = path.lstat().st_mtime_ns
                except OSError:
                    stamps[str(path)] = -1
        return stamps

    def reload_if_changed(self) -> bool:
        """Reload when any file changed since the last look; True if it tried."""
        if self._fingerprint() == self._stamps:
            return False
        self.reload()
        return True

    def reload(self) -> list[Problem]:
        """Validate the files; take up new pathway versions only if there are no problems.

        Returns the problems (none when the files are in use). Raises PathwaysNotStored,
        having changed nothing, when the new versions' sources cannot be stored.
        """
        with self._lock:
            stamps_before = self._stamps
            self._stamps = self._fingerprint()
            try:
                lib, ctx = check_paths(self.paths)
            except Exception as exc:
                return self._reject([self._fault("checked", exc)])
            problems = list(lib.problems)
            sources = {(pid, loc.value.pathway.version): content_digest(loc.source.text)
                       for pid, loc in lib.pathways.items()}
            for key, digest in sources.items():
                if key in self._sources and self._sources[key] != digest:
                    located = lib.pathways[key[0]]
                    problems.append(located.source.problem(
                        ("pathway", "version"), f"version {key[1]} of '{key[0]}' is already in "
                        "use with different content; give the changed pathway a new version",
                        "versions"))
            if problems:
                return self._reject(problems)
            try:
                compiled = compile_library(lib, ctx.composed)
            except Exception as exc:
                return self._reject([self._fault("compiled", exc)])
            new = [p for key, p in sorted(compiled.pathways.items())
                   if key not in self.catalogue.pathways]
            added = [f"{p.id} v{p.version}" for p in new]
            if new and self.archive is not None:
                # Kept so a call can finish on this version after a restart, even when the
                # files on disk have moved on.
                files = {f"{i:03d}/{source.path.name}": source.text
                         for i, source in enumerate(lib.files)}
                try:
                    self.archive.keep_pathway_versions([(p.id, p.version) for p in new], files)
                except Exception as exc:
                    # Nothing was taken up; look again at the next tick, as if unchanged.
                    self._stamps = stamps_before
                    self.log.error("pathways_not_stored", versions=added,
                                   error=type(exc).__name__)
                    reason = (exc.reason if isinstance(exc, StorageRefused)
                              else type(exc).__name__)
                    raise PathwaysNotStored(versions=added, reason=reason) from exc
            for pathway in new:
                self.catalogue.add(pathway)
            for key, pathway in compiled.pathways.items():
                loaded = self.catalogue.pathways.get(key)
                if loaded is not None and loaded.status != pathway.status:
                    # Marked ready after review (or back to draft): same content, same
                    # version, new status.
                    self.catalogue.add(pathway)
                    self.log.info("pathway_status_changed", pathway=key[0], version=key[1],
                                  status=pathway.status)
            self._sources.update(sources)
            self.problems = []
            self.log.info("pathways_loaded", added=added)
            return []

    def _reject(self, problems: list[Problem]) -> list[Problem]:
        self.problems = problems
        self.log.warning("pathways_rejected", problems=len(problems),
                         files=sorted({p.file for p in problems}))
        return problems

    def _fault(self, stage: str, exc: Exception) -> Problem:
        """A fault of ours while checking or compiling, told to the designer as a problem."""
        self.log.error("pathways_check_failed", stage=stage, error=type(exc).__name__)
        where = ", ".join(str(p) for p in self.paths)
        return Problem(where, 1, 1, "", f"the pathway files could not be {stage} "
                       f"({type(exc).__name__} in the checker), so nothing was taken up; this "
                       "is a fault in the checker, not necessarily in the files: please report "
                       "it with the files", "internal")

    def remember_archived(self) -> None:
        """Before the first reload: know what each archived version's own file said, so a
        file changed without a new version number is refused after a restart too."""
        if self.archive is None:
            return
        for pathway_id, version, files in self.archive.pathway_sources():
            for name, text in json.loads(files).items():
                if name.endswith(f"/{pathway_id}.yaml"):
                    self._sources[(pathway_id, version)] = content_digest(text)

    def restore_archived(self) -> list[str]:
        """Load versions kept in the archive that the files on disk no longer provide."""
        if self.archive is None:
            return []
        restored = []
        by_files: dict[str, list[tuple[str, int]]] = {}
        for pathway_id, version, files in self.archive.pathway_sources():
            if (pathway_id, version) not in self.catalogue.pathways:
                by_files.setdefault(files, []).append((pathway_id, version))
        for files, wanted in by_files.items():
            with tempfile.TemporaryDirectory(prefix="triage-archive-") as folder:
                for name, text in json.loads(files).items():
                    target = Path(folder) / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(archived_text(text), encoding="utf-8")
                lib, ctx = check_paths([Path(folder)])
                if lib.problems:
                    self.log.warning("archived_pathways_unusable", versions=len(wanted))
                    shown = [str(p).replace(folder + "/", "") for p in lib.problems]
                    for key in wanted:
                        self.unusable[key] = shown
                    continue
                compiled = compile_library(lib, ctx.composed)
            for key in wanted:
                if key in compiled.pathways:
                    self.catalogue.add(compiled.pathways[key])
                    restored.append(f"{key[0]} v{key[1]}")
        if restored:
            self.log.info("archived_pathways_loaded", restored=restored)
        return restored

    # --- the live version of each pathway -------------------------------------------------

    def set_up_live(self) -> list[str]:
        """On a store with no live version of a pathway yet: make its highest ready version
        live, recorded as published at set-up (so the embedded default runs with no extra
        step). Pathways that already have one, here or from another instance, keep it."""
        if self.archive is None:
            return []
        current = self.archive.live_now()
        wanted = {}
        for pathway_id in self.catalogue.ids():
            ready = [v for v in self.catalogue.versions(pathway_id)
                     if self.catalogue.pathways[(pathway_id, v)].status == READY]
            if pathway_id not in current and ready:
                wanted[pathway_id] = ready[-1]
        made = self.archive.set_up_live(wanted, SET_UP_REASON) if wanted else []
        if made:
            self.log.info("live_versions_set_up",
                          versions=[f"{e.pathway_id} v{e.version}" for e in made])
        self.sync_live()
        return [f"{e.pathway_id} v{e.version}" for e in made]

    def sync_live(self) -> bool:
        """Take up the live versions the repository records (a version another instance
        published from files this one has not loaded is restored from the archive); True
        if anything changed."""
        if self.archive is None:
            return False
        current = self.archive.live_now()
        if {p: e.entry_id for p, e in current.items()} == {
                p: e.entry_id for p, e in self.live.items()}:
            return False
        with self._lock:
            if any((e.pathway_id, e.version) not in self.catalogue.pathways
                   for e in current.values()):
                self.restore_archived()
            live = {p: e.version for p, e in current.items()
                    if (p, e.version) in self.catalogue.pathways}
            missing = sorted(f"{p} v{e.version}" for p, e in current.items() if p not in live)
            if missing:
                # Kept as it was for those: a new call goes on on the version this
                # instance last knew to be live, rather than on none.
                self.log.error("live_versions_not_loaded", versions=missing)
                live.update({p: v for p, v in self.catalogue.live.items()
                             if p not in live})
            changed = [f"{p} v{v}" for p, v in sorted(live.items())
                       if self.catalogue.live.get(p) != v]
            self.catalogue.set_live(live)
            self.live = {p: e for p, e in current.items() if p not in missing}
        if changed:
            self.log.info("live_versions_taken_up", versions=changed)
        return True

    def tick(self) -> None:
        """What the watcher does every few seconds: take up changed files (if they
        validate), then the live versions."""
        try:
            self.reload_if_changed()
        finally:
            self.sync_live()

    # --- what is loaded ------------------------------------------------------------------

    def listing(self) -> list[PathwaySummary]:
        """Every loaded pathway version, by id and newest first (no diagrams)."""
        live = self.catalogue.live
        return [PathwaySummary(p.id, p.version, p.title, p.status, p.usage, p.owner,
                               p.change_note, live.get(p.id) == p.version)
                for p in sorted(self.catalogue.pathways.values(),
                                key=lambda p: (p.id, -p.version))]

    def entry_pathways(self) -> list[PathwaySummary]:
        """The pathways a call can start on, each once: its live version (with no
        repository, the version a new call starts on)."""
        out = []
        for pathway in self.listing():
            if pathway.usage != "entry":
                continue
            if pathway.version == self.catalogue.default_version(pathway.id):
                out.append(pathway)
        return out

    def diagram(self, pathway_id: str, version: int) -> str:
        """The Mermaid flowchart of a loaded pathway version, drawn the first time it is
        asked for (a version never changes once loaded)."""
        key = (pathway_id, version)
        if key not in self._diagrams:
            self._diagrams[key] = mermaid(self.catalogue.get(pathway_id, version))
        return self._diagrams[key]
