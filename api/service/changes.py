"""Comparing two loaded versions of a pathway, for designers: what changed in the steps,
outcomes and words, which routes (answer combinations) reach a different outcome, and
which of those are less safe (an escalation in the older version, an early exit in the
newer). No personal data is involved: only the pathway definitions.

A comparison is worked out once per pair of versions and kept: a loaded version never
changes, and route exploration is the costly part.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from api.service.pathways import PathwayLibrary
from triage.adapters.audit import audit_logger
from triage.errors import LookupRefused
from triage.routing.catalogue import CompiledPathway
from triage.routing.diff import PathwayDiff, RouteChange, compare, less_safe_of

KEPT = 64
"""Comparisons kept (each pair of versions once)."""


@dataclass(frozen=True)
class Comparison:
    """Two versions compared, with the routes that became less safe picked out."""

    diff: PathwayDiff
    less_safe: tuple[RouteChange, ...]

    def as_dict(self) -> dict[str, object]:
        """Plain data for the API."""
        return {**self.diff.as_dict(), "less_safe": [r.as_dict() for r in self.less_safe]}


class PathwayChanges:
    """Comparisons between the versions the library has loaded."""

    def __init__(self, library: PathwayLibrary) -> None:
        self.library = library
        self._kept: dict[tuple[str, int, int], Comparison] = {}
        self._lock = threading.Lock()
        self.log = audit_logger()

    def version(self, pathway_id: str, version: int, field: str) -> CompiledPathway:
        """A loaded version, or LookupRefused naming ``field`` and the versions there are."""
        catalogue = self.library.catalogue
        if pathway_id not in catalogue.ids():
            raise LookupRefused(f"There is no pathway '{pathway_id}'; pathways are: "
                                f"{', '.join(catalogue.ids())}.", field="pathway")
        versions = catalogue.versions(pathway_id)
        if version not in versions:
            raise LookupRefused(f"'{pathway_id}' has no version {version}; its versions are "
                                f"{', '.join(str(v) for v in versions)}.", field=field)
        return catalogue.get(pathway_id, version)

    def compare(self, pathway_id: str, old: int, new: int, *, user: str = "") -> Comparison:
        """Version ``old`` of ``pathway_id`` against version ``new``."""
        before = self.version(pathway_id, old, "old")
        after = self.version(pathway_id, new, "new")
        key = (pathway_id, old, new)
        with self._lock:
            found = self._kept.get(key)
        if found is None:
            diff = compare(before, after)
            found = Comparison(diff, tuple(less_safe_of(diff.routes, after.policy)))
            with self._lock:
                if len(self._kept) >= KEPT:
                    self._kept.pop(next(iter(self._kept)))
                self._kept[key] = found
        self.log.info("pathways_compared", user=user, pathway=pathway_id, old=old, new=new,
                      routes_changed=len(found.diff.routes), less_safe=len(found.less_safe))
        return found
