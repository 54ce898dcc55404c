"""Publishing and rolling back: moving a pathway's live pointer, for designers.

A version is made live only if it is loaded (so it validated), is ``ready``, and, when
published, is no less safe than the live version (:func:`triage.routing.diff.no_less_safe`,
with the candidate's signed waivers). A roll back goes to an earlier validated version
without the cross-version check, but with a reason. Each move names the live version the
designer saw (``expected_live``): if another designer moved it first, the move is refused
with a conflict naming what is live now, and nothing is changed. The repository writes
the history entry and moves the pointer in one transaction; every instance then takes it
up on its next tick (:meth:`PathwayLibrary.sync_live`), this one at once.
"""

from __future__ import annotations

from typing import Any

from api.service.pathways import PathwayLibrary
from api.service.users import User
from api.storage.port import LiveAction, LiveEntry, Repository
from triage.adapters.audit import audit_logger
from triage.errors import (
    DraftNotPublishable,
    LessSafeThanLive,
    LiveConflict,
    PublishRefused,
    VersionNotStored,
    VersionNotValid,
)
from triage.routing.catalogue import READY, CompiledPathway
from triage.routing.diff import no_less_safe

REASON_MAX = 2000


class LiveVersions:
    """What designers can do with the live pointer: look, publish, roll back."""

    def __init__(self, repository: Repository, library: PathwayLibrary) -> None:
        self.repository = repository
        self.library = library
        self.log = audit_logger()

    # --- looking -------------------------------------------------------------------------

    def versions(self, pathway_id: str) -> dict[str, Any]:
        """A pathway's versions (status, which is live, whether it can be used), and the
        history of its live pointer, the newest first."""
        catalogue = self.library.catalogue
        loaded = catalogue.versions(pathway_id)
        unusable = sorted(v for (p, v) in self.library.unusable if p == pathway_id)
        if not loaded and not unusable:
            raise VersionNotStored(pathway_id=pathway_id, version=0, loaded=[],
                                   why=self._unknown(pathway_id)) from None
        live = self.repository.live_now().get(pathway_id)
        rows = []
        for version in sorted({*loaded, *unusable}, reverse=True):
            compiled = catalogue.pathways.get((pathway_id, version))
            rows.append({
                "version": version,
                "status": compiled.status if compiled else None,
                "title": compiled.title if compiled else None,
                "change_note": compiled.change_note if compiled else None,
                "live": live is not None and live.version == version,
                "validates": compiled is not None,
                "problems": self.library.unusable.get((pathway_id, version), []),
                "waivers": [{"route": w.route, "signed_by": w.signed_by, "reason": w.reason}
                            for w in (compiled.waivers if compiled else ())],
            })
        return {"pathway": pathway_id, "live_version": live.version if live else None,
                "versions": rows,
                "history": [e.as_dict() for e in self.repository.live_history(pathway_id)]}

    # --- moving the pointer --------------------------------------------------------------

    def publish(self, user: User, pathway_id: str, version: int, *, reason: str,
                expected_live: int | None, replay_report: str | None = None) -> LiveEntry:
        """Make a ready version live, if it is no less safe than the live one."""
        candidate = self._usable(pathway_id, version, reason)
        current = self._expected(pathway_id, expected_live)
        if current is not None and current.version == version:
            raise PublishRefused(f"Version {version} of '{pathway_id}' is already live; "
                                 "nothing was changed.", pathway_id=pathway_id,
                                 version=version)
        waived = 0
        if current is not None:
            live = self.library.catalogue.get(pathway_id, current.version)
            checked = no_less_safe(live, candidate)
            if not checked.passed:
                self.log.warning("pathway_publish_refused", pathway=pathway_id,
                                 version=version, user=user.username, why="less_safe",
                                 routes=len(checked.refused))
                raise LessSafeThanLive(
                    pathway_id=pathway_id, version=version, live_version=current.version,
                    routes=[f"{c.describe_answers()} reached {c.old.describe()} and now "
                            f"reaches {c.new.describe()}" for c in checked.refused])
            waived = len(checked.waived)
        return self._move(user, candidate, expected_live, LiveAction.PUBLISH, reason,
                          replay_report, waived=waived)

    def rollback(self, user: User, pathway_id: str, version: int, *, reason: str,
                 expected_live: int | None) -> LiveEntry:
        """Make an earlier validated, ready version live again (no cross-version check:
        going back to what served before is the way out of a bad publish)."""
        candidate = self._usable(pathway_id, version, reason)
        current = self._expected(pathway_id, expected_live)
        if current is None or version >= current.version:
            live = f"version {current.version}" if current else "no version"
            raise PublishRefused(
                f"A roll back goes to a version earlier than the live one ({live} of "
                f"'{pathway_id}' is live); to make version {version} live, publish it. "
                "Nothing was changed.", pathway_id=pathway_id, version=version)
        return self._move(user, candidate, expected_live, LiveAction.ROLLBACK, reason, None)

    # --- the checks ----------------------------------------------------------------------

    def _usable(self, pathway_id: str, version: int, reason: str) -> CompiledPathway:
        """The loaded, ready version, with a reason given; refused otherwise."""
        if not reason.strip():
            raise PublishRefused(
                f"Say why version {version} of '{pathway_id}' should be live (the reason is "
                "kept in the history); nothing was changed.", pathway_id=pathway_id,
                version=version, field="reason")
        if len(reason) > REASON_MAX:
            raise PublishRefused(f"The reason is {len(reason)} characters long; keep it to "
                                 f"{REASON_MAX}. Nothing was changed.",
                                 pathway_id=pathway_id, version=version, field="reason")
        problems = self.library.unusable.get((pathway_id, version))
        if problems is not None and (pathway_id, version) not in self.library.catalogue.pathways:
            raise VersionNotValid(pathway_id=pathway_id, version=version, problems=problems)
        compiled = self.library.catalogue.pathways.get((pathway_id, version))
        if compiled is None:
            loaded = self.library.catalogue.versions(pathway_id)
            why = self._unknown(pathway_id) if not loaded else ""
            if self.library.problems:
                why += (f"; the files on disk have {len(self.library.problems)} problem(s), "
                        "so no new version was taken up (GET /api/pathways/problems)")
            raise VersionNotStored(pathway_id=pathway_id, version=version, loaded=loaded,
                                   why=why)
        if compiled.status != READY:
            raise DraftNotPublishable(pathway_id=pathway_id, version=version)
        return compiled

    def _unknown(self, pathway_id: str) -> str:
        return (f"; there is no pathway '{pathway_id}' (pathways are: "
                f"{', '.join(self.library.catalogue.ids()) or 'none'})")

    def _expected(self, pathway_id: str, expected_live: int | None) -> LiveEntry | None:
        """The live entry, read from the repository now, if it is the one the designer saw;
        LiveConflict (nothing written) if not."""
        current = self.repository.live_now().get(pathway_id)
        if (current.version if current else None) != expected_live:
            raise LiveConflict(pathway_id=pathway_id, expected=expected_live,
                               live_version=current.version if current else None,
                               published_by=current.published_by if current else None,
                               published_at=current.published_at if current else None)
        return current

    def _move(self, user: User, candidate: CompiledPathway, expected_live: int | None,
              action: LiveAction, reason: str, replay_report: str | None, *,
              waived: int = 0) -> LiveEntry:
        try:
            entry = self.repository.move_live(
                candidate.id, candidate.version, expected=expected_live, action=action,
                published_by=user.username, reason=reason.strip(),
                replay_report=replay_report.strip() if replay_report else None)
        except LiveConflict as exc:
            self.log.warning("pathway_live_conflict", pathway=candidate.id,
                             version=candidate.version, user=user.username,
                             expected=expected_live, live_version=exc.live_version)
            raise
        # This instance serves it at once; the others on their next tick.
        self.library.sync_live()
        event = "pathway_published" if action == LiveAction.PUBLISH else "pathway_rolled_back"
        self.log.info(event, pathway=candidate.id, version=candidate.version,
                      previous_version=expected_live, user=user.username,
                      entry_id=entry.entry_id, waived_routes=waived,
                      replay_report=replay_report is not None)
        return entry
