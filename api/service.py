"""The front door's service layer: durable calls, contact records and pathway reloads.

Both the REST API and the handler's screen call this module; it knows nothing of HTTP.
Every change to a call is: load the saved call, apply one engine operation, and save it
in one transaction that checks the row version. The answer is committed before the
caller of this module gets a reply, so a call survives a crash or a closed tab.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from api.auth import User
from api.notify import Notifier, masked
from api.storage import Repository, StoredCall, Update
from triage.adapters.audit import audit_logger
from triage.adapters.yamlsource import list_files
from triage.calls import CallEngine, CallSession, OutcomeView, SavedSearch, StepView
from triage.errors import (
    CallError,
    CallFinished,
    NotYourCall,
    PathwaysNotStored,
    StaleUpdate,
    StorageRefused,
    TriageError,
)
from triage.matching.port import ClientIndex, SearchDetails, SearchResult
from triage.pipeline import check_paths, compile_library
from triage.problems import Problem
from triage.routing.catalogue import Catalogue
from triage.timeframes import UK_TIME
from triage.views import mermaid

OVERRIDE_KINDS = ("emergency_services", "urgent_escalation", "allocated_worker",
                  "team_referral", "deflect_online", "deflect_online_assisted", "signpost",
                  "no_further_action")
CALL_STATUSES = ("active", "finished")
TAKE_OVER_REASON_LIMIT = 500
ACTIVE_LIST_LIMIT = 200
FINISHED_LIST_LIMIT = 50


@dataclass
class CallState:
    """What a screen needs about a call: its version, and its step or outcome.

    At a person check, ``last_search`` is the latest search made there (the details
    given, the people found with their bands and reasons, advice and what is missing).
    """

    call_id: str
    version: int
    pathway_id: str
    pathway_version: int
    step: StepView | None
    outcome: OutcomeView | None
    answered: list[dict[str, Any]]
    dropped: list[str] = field(default_factory=list)
    last_search: SavedSearch | None = None


@dataclass
class CallSummary:
    """One of a handler's own calls in a list: where it is, and no personal details."""

    call_id: str
    status: str
    version: int
    pathway_id: str
    pathway_version: int
    pathway_title: str
    started_at: str
    updated_at: str | None
    step_id: str | None
    step_title: str | None
    outcome_kind: str | None


@dataclass
class Override:
    """A handler's decision to use a different outcome than the one suggested."""

    kind: str
    team: str | None
    reason: str


class PathwayLibrary:
    """The loaded pathway versions, reloaded from disk only when the files validate.

    A reload is all or nothing: new versions are compiled aside, their sources stored in
    one transaction, and only then added to the catalogue. If anything fails, the catalogue,
    the sources remembered and the problems shown are exactly as they were.
    """

    def __init__(self, paths: Sequence[Path], archive: Repository | None = None) -> None:
        self.paths = list(paths)
        self.archive = archive
        self.catalogue = Catalogue()
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
            sources = {(pid, loc.value.pathway.version): hashlib.sha256(
                loc.source.text.encode()).hexdigest() for pid, loc in lib.pathways.items()}
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
                    self._sources[(pathway_id, version)] = hashlib.sha256(
                        text.encode()).hexdigest()

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
                    target.write_text(text, encoding="utf-8")
                lib, ctx = check_paths([Path(folder)])
                if lib.problems:
                    self.log.warning("archived_pathways_unusable", versions=len(wanted))
                    continue
                compiled = compile_library(lib, ctx.composed)
            for key in wanted:
                if key in compiled.pathways:
                    self.catalogue.add(compiled.pathways[key])
                    restored.append(f"{key[0]} v{key[1]}")
        if restored:
            self.log.info("archived_pathways_loaded", restored=restored)
        return restored


class FrontDoor:
    """Calls and contact records, stored durably, for handlers, designers and supervisors."""

    def __init__(self, store: Repository, library: PathwayLibrary, clients: ClientIndex | None,
                 notifier: Notifier) -> None:
        self.store = store
        self.library = library
        self.engine = CallEngine(library.catalogue, clients, events=audit_logger())
        self.notifier = notifier
        self.log = audit_logger()

    # --- reading ---------------------------------------------------------------------------

    def pathways(self) -> list[dict[str, Any]]:
        """Every loaded entry pathway version, newest first, with its diagram."""
        out = []
        for p in sorted(self.library.catalogue.pathways.values(),
                        key=lambda p: (p.id, -p.version)):
            out.append({"id": p.id, "version": p.version, "title": p.title,
                        "status": p.status, "usage": p.usage, "owner": p.owner,
                        "change_note": p.change_note, "diagram": mermaid(p)})
        return out

    def _state(self, stored_version: int, session: CallSession,
               dropped: Sequence[str] = ()) -> CallState:
        compiled_outcome = None
        step = None
        node = self.engine.catalogue.get(session.pathway_id, session.version).node(session.state)
        if node.kind == "outcome":
            compiled_outcome = self.engine.outcome(session)
        else:
            step = self.engine.current(session)
        answered = [{"step": h.state, "answer": h.answer} for h in session.answered()]
        searched = session.last_search
        if node.kind != "lookup" or searched is None or searched.step != node.state:
            searched = None
        return CallState(session.call_id, stored_version, session.pathway_id, session.version,
                         step, compiled_outcome, answered, list(dropped), searched)

    def _restore(self, stored: StoredCall) -> CallSession:
        return self.engine.restore(stored.data)

    def call(self, user: User, call_id: str) -> CallState:
        """The call as it is now (only to the handler it belongs to)."""
        stored = self._own_call(user, call_id)
        return self._state(stored.row_version, self._restore(stored))

    def _own_call(self, user: User, call_id: str) -> StoredCall:
        """The stored call, if it belongs to ``user``; NotYourCall (and nothing read) if not."""
        return self._check_owner(user, self.store.load_call(call_id))

    def _check_owner(self, user: User, stored: StoredCall) -> StoredCall:
        """``stored`` if it belongs to ``user``; NotYourCall if not."""
        call_id = stored.call_id
        if stored.handler != user.username:
            self.log.info("call_refused_not_owner", call_id=call_id, user=user.username,
                          owner=stored.handler)
            owner = self.store.user(stored.handler)
            raise NotYourCall(call_id=call_id, owner=stored.handler,
                              owner_name=str(owner["display_name"]) if owner
                              else stored.handler,
                              version=stored.row_version, updated_at=stored.updated_at,
                              finished=stored.status == "finished")
        return stored

    def my_calls(self, user: User, status: str = "active") -> list[CallSummary]:
        """The handler's own calls, newest (most recently started) first: every call in
        progress, or the calls finished today (UK time), at most 50."""
        if status not in CALL_STATUSES:
            raise CallError(f"'{status}' is not a call status (statuses: "
                            f"{', '.join(CALL_STATUSES)}).", field="status")
        if status == "finished":
            today = dt.datetime.now(UK_TIME).replace(hour=0, minute=0, second=0,
                                                     microsecond=0)
            stored = self.store.calls_of(user.username, status, since=today.astimezone(dt.UTC),
                                         limit=FINISHED_LIST_LIMIT)
        else:
            stored = self.store.calls_of(user.username, status, limit=ACTIVE_LIST_LIMIT)
        summaries = [self._summary(call) for call in stored]
        summaries.sort(key=lambda c: (c.started_at, c.call_id), reverse=True)
        return summaries

    def _summary(self, stored: StoredCall) -> CallSummary:
        """Where a stored call is, from its pathway alone (its answers are not looked at)."""
        data = stored.data
        pathway_id = str(data.get("pathway_id", ""))
        version = int(data.get("version") or 0)
        title, step_id, step_title, kind = pathway_id, None, None, None
        try:
            compiled = self.engine.catalogue.get(pathway_id, version)
            title = compiled.title
            node = compiled.node(str(data.get("state", "")))
            if node.outcome is not None:
                kind = node.outcome.kind.value
            else:
                step_id, step_title = node.local_id, node.title
        except (KeyError, TriageError):
            # A version no longer loaded: the list still shows the call, without its step.
            pass
        return CallSummary(
            call_id=stored.call_id, status=stored.status, version=stored.row_version,
            pathway_id=pathway_id, pathway_version=version, pathway_title=title,
            started_at=str(data.get("started_at", "")),
            updated_at=(stored.updated_at.isoformat(timespec="seconds")
                        if stored.updated_at else None),
            step_id=step_id, step_title=step_title, outcome_kind=kind)

    # --- changing a call -------------------------------------------------------------------

    def start_call(self, user: User, pathway_id: str, facts: Mapping[str, Any],
                   language: str = "en") -> CallState:
        """Start and store a call."""
        session = self.engine.start(pathway_id, facts, language=language,
                                    handler=user.display_name)
        version = self.store.create_call(session.to_dict(), user.username)
        return self._state(version, session)

    def _changeable(self, user: User, stored: StoredCall, version: int,
                    finished: str) -> CallSession:
        """The session of ``stored``, if ``user`` may change it from ``version``: their own
        call, still at that version and not finished (``finished`` says why if it is)."""
        self._check_owner(user, stored)
        if stored.row_version != version:
            raise StaleUpdate(current_version=stored.row_version)
        if stored.status == "finished":
            raise CallFinished(finished)
        return self._restore(stored)

    def _change(self, user: User, call_id: str, version: int,
                operation: Callable[[CallSession], Sequence[str] | None]) -> CallState:
        changed: list[tuple[CallSession, Sequence[str]]] = []

        def change(stored: StoredCall) -> Update:
            session = self._changeable(user, stored, version, "The call is finished and its "
                                       "contact record written; it takes no more changes.")
            changed.append((session, operation(session) or ()))
            return session.to_dict(), version, None

        new_version = self.store.update_call(call_id, change)
        session, dropped = changed[0]
        return self._state(new_version, session, dropped)

    def answer(self, user: User, call_id: str, version: int, step: str | None,
               answer: Any) -> CallState:
        """Answer the current step (committed before this returns)."""
        return self._change(user, call_id, version,
                            lambda s: (self.engine.answer(s, step, answer), None)[1])

    def back(self, user: User, call_id: str, version: int) -> CallState:
        """Go back to the previous question."""
        return self._change(user, call_id, version, lambda s: (self.engine.back(s), None)[1])

    def change(self, user: User, call_id: str, version: int, step: str,
               answer: Any) -> CallState:
        """Correct an earlier answer; the state lists the answers dropped."""
        return self._change(user, call_id, version,
                            lambda s: self.engine.change(s, step, answer).dropped)

    def search(self, user: User, call_id: str, version: int, details: SearchDetails,
               step: str | None = None) -> tuple[CallState, SearchResult]:
        """Search for the person at the person check (or at ``step``, an answered person
        check being corrected); the result is kept on the call."""
        found: list[SearchResult] = []

        def run(session: CallSession) -> None:
            found.append(self.engine.search(session, details, step))

        state = self._change(user, call_id, version, run)
        self.log.info("person_search_by", call_id=call_id, user=user.username)
        return state, found[0]

    def finish(self, user: User, call_id: str, version: int,
               override: Override | None = None) -> dict[str, Any]:
        """Write the contact record for a call at its outcome; an override needs a reason."""
        records: list[dict[str, Any]] = []

        def change(stored: StoredCall) -> Update:
            session = self._changeable(user, stored, version, "The contact record for this "
                                       "call has already been written.")
            record, row = self._contact(user, call_id, session, override)
            records.append(record)
            return session.to_dict(), version, row

        self.store.update_call(call_id, change)
        record = records[0]
        self.log.info("contact_recorded", call_id=call_id, user=user.username,
                      outcome=record["suggested_outcome"]["id"],
                      overridden=override is not None)
        return record

    def _contact(self, user: User, call_id: str, session: CallSession,
                 override: Override | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """The contact record of a call at its outcome, and its row for the contacts table."""
        if not session.finished:
            raise CallError("The call has not reached an outcome yet; answer the remaining "
                            "questions first.", field="call")
        outcome = self.engine.outcome(session)
        if override is not None:
            if not override.reason.strip():
                raise CallError("Say why the suggested outcome is being overridden.",
                                field="override.reason")
            if override.kind not in OVERRIDE_KINDS:
                raise CallError(f"'{override.kind}' is not an outcome kind (kinds: "
                                f"{', '.join(OVERRIDE_KINDS)})", field="override.kind")
        record = contact_record(session, outcome, user, override)
        values = session.values
        row = {
            "call_id": call_id, "pathway_id": session.pathway_id,
            "pathway_version": session.version, "handler": user.username,
            "started_at": session.started_at, "ended_at": record["ended_at"],
            "outcome_id": outcome.outcome_id,
            "outcome_kind": override.kind if override else outcome.kind,
            "caller_type": values.get("caller_type"), "reason": values.get("reason"),
            "known_status": values.get("known_status"), "person_id": values.get("person_id"),
            "team": (override.team if override and override.team else
                     (outcome.team or {}).get("id")),
            "timeframe": outcome.timeframe, "record": _json(record),
        }
        return record, row

    def take_over(self, user: User, call_id: str, version: int, reason: str) -> CallState:
        """Move another handler's call to ``user``; the call's trail (and so its contact
        record) keeps who took it from whom, when and why."""
        reason = reason.strip()
        if not reason:
            raise CallError("Say why you are taking over this call.", field="reason")
        if len(reason) > TAKE_OVER_REASON_LIMIT:
            raise CallError(f"The reason is {len(reason)} characters long; it must be "
                            f"{TAKE_OVER_REASON_LIMIT} characters or fewer.", field="reason")
        stored = self.store.load_call(call_id)
        if stored.status == "finished":
            raise CallFinished("The call is finished and its contact record written, so it "
                               "cannot be taken over.", field="call_id")
        if stored.handler == user.username:
            raise CallError("This call is already yours; there is nothing to take over.",
                            field="call_id")
        if stored.row_version != version:
            raise StaleUpdate(current_version=stored.row_version)
        session = self._restore(stored)
        owner = self.store.user(stored.handler)
        self.engine.take_over(session, user.display_name, reason, {
            "from": stored.handler,
            "from_name": str(owner["display_name"]) if owner else stored.handler,
            "to": user.username, "to_name": user.display_name})
        new_version = self.store.save_call(session.to_dict(), version, handler=user.username)
        self.log.info("call_taken_over", call_id=call_id, user=user.username,
                      from_user=stored.handler)
        return self._state(new_version, session)

    def send_link(self, user: User, call_id: str, to: str, by: str) -> dict[str, str]:
        """Send the outcome's online link by text or email (GOV.UK Notify).

        Every attempt is recorded (sent, not sent or failed, with the recipient masked),
        also after the call is finished; the contact record lists them.
        """
        stored = self._own_call(user, call_id)
        outcome = self.engine.outcome(self._restore(stored))
        if not outcome.service:
            raise CallError("This outcome has no online link to send.", field="call")
        recipient = masked(to)
        # Recorded before Notify is asked, so a message that went is never missing from the
        # record: if the process dies, or the database fails, after Notify took it, the
        # record still says "sending" (sent or not, unknown) rather than nothing.
        message = self.store.add_message(call_id, channel=by, recipient=recipient,
                                         status="sending", username=user.username)
        result = self.notifier.send(by, to, outcome.service["name"], outcome.service["url"])
        reason = result.get("reason")
        if reason and to.strip():
            # Notify's own message may quote the recipient; the record keeps it masked.
            reason = reason.replace(to.strip(), recipient)
        out = {**result, **({"reason": reason} if reason else {}), "to": recipient,
               "sent_at": message["sent_at"]}
        try:
            self.store.finish_message(message["message_id"], status=result["status"],
                                      reference=result.get("reference") or None,
                                      reason=reason)
        except StorageRefused:
            self.log.error("link_record_failed", call_id=call_id, user=user.username,
                           message_id=message["message_id"], status=result["status"])
            out["recorded"] = ("The record of this attempt could not be completed; it shows "
                               "as 'sending'. Check with GOV.UK Notify before sending again.")
        self.log.info("link_sent", call_id=call_id, user=user.username, by=by,
                      status=result["status"], message_id=message["message_id"])
        return out

    def messages(self, call_id: str) -> list[dict[str, Any]]:
        """Every attempt to send the call's link, oldest first."""
        return self.store.messages_of(call_id)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, default=str)


def contact_record(session: CallSession, outcome: OutcomeView, user: User,
                   override: Override | None) -> dict[str, Any]:
    """Everything a manager needs about one contact, and exactly what produced it."""
    import datetime as dt

    values = session.values
    return {
        "call_id": session.call_id,
        "pathway": {"id": session.pathway_id, "version": session.version},
        "handler": user.username,
        "started_at": session.started_at,
        "ended_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "caller_type": values.get("caller_type"),
        "reason": values.get("reason"),
        "person": {"person_id": values.get("person_id"),
                   "known_status": values.get("known_status"),
                   "allocated_worker": values.get("allocated_worker"),
                   "allocated_team": values.get("allocated_team"),
                   "alerts": values.get("alerts") or []},
        "suggested_outcome": {"id": outcome.outcome_id, "kind": outcome.kind,
                              "summary": outcome.summary, "team": outcome.team,
                              "service": outcome.service, "timeframe": outcome.timeframe,
                              "due": outcome.due},
        "codes": outcome.codes,
        "override": asdict(override) if override else None,
        "trail": [{"at": h.at, "step": h.state, "kind": h.kind, "answer": h.answer,
                   "why": h.why, "route": h.route} for h in session.history],
    }
