"""Running calls: start, answer, go back, correct an answer (with a reason), search for
the person, and in the wrap-up confirm the person, add a further need and see the
person's earlier contacts; take over another handler's call, and list a handler's own
calls.

Every change to a call is: load the saved call, check whose it is and its version, apply
one engine operation, and save it in one transaction that checks the row version. The
change is committed before this returns, so a call survives a crash or a closed tab.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from api.service.access import CallAccess
from api.service.state import CallState, CallStatus, CallSummary, OpenCall, state_of
from api.service.users import User
from api.storage.port import Repository, ReviewStore, StoredCall, Update
from triage.adapters.audit import audit_logger
from triage.calls import CallEngine, CallSession
from triage.errors import (
    CallError,
    CallFinished,
    InvalidAnswer,
    NoRouteMatched,
    StaleUpdate,
    TriageError,
)
from triage.matching.port import SearchDetails, SearchResult
from triage.reviews import REFUSAL_PATTERN_AT, RefusalKind
from triage.timeframes import UK_TIME

TAKE_OVER_REASON_LIMIT = 500
ACTIVE_LIST_LIMIT = 200
FINISHED_LIST_LIMIT = 50
FINISHED_ALREADY = "The call is finished and its contact record written; it takes no more changes."


class Calls:
    """A handler's calls, stored durably."""

    def __init__(self, repository: Repository, engine: CallEngine, access: CallAccess,
                 refusals: ReviewStore | None = None) -> None:
        self.repository = repository
        self.engine = engine
        self.access = access
        self.refusals = refusals
        self.log = audit_logger()

    # --- reading -------------------------------------------------------------------------

    def open(self, user: User, call_id: str) -> OpenCall:
        """The handler's call loaded once: stored row, restored session and state."""
        stored = self.access.own(user, call_id)
        session = self.engine.restore(stored.data)
        return OpenCall(stored, session, state_of(self.engine, stored.row_version, session))

    def get(self, user: User, call_id: str) -> CallState:
        """The call as it is now (only to the handler it belongs to)."""
        return self.open(user, call_id).state

    def mine(self, user: User, status: str = CallStatus.ACTIVE) -> list[CallSummary]:
        """The handler's own calls, newest (most recently started) first: every call in
        progress, or the calls finished today (UK time), at most 50."""
        statuses = [s.value for s in CallStatus]
        if status not in statuses:
            raise CallError(f"'{status}' is not a call status (statuses: "
                            f"{', '.join(statuses)}).", field="status")
        if status == CallStatus.FINISHED:
            today = dt.datetime.now(UK_TIME).replace(hour=0, minute=0, second=0,
                                                     microsecond=0)
            stored = self.repository.calls_of(user.username, status,
                                              since=today.astimezone(dt.UTC),
                                              limit=FINISHED_LIST_LIMIT)
        else:
            stored = self.repository.calls_of(user.username, status, limit=ACTIVE_LIST_LIMIT)
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

    # --- changing a call -----------------------------------------------------------------

    def start(self, user: User, pathway_id: str, facts: Mapping[str, Any],
              language: str = "en") -> CallState:
        """Start and store a call."""
        session = self.engine.start(pathway_id, facts, language=language,
                                    handler=user.display_name)
        version = self.repository.create_call(session.to_dict(), user.username)
        return state_of(self.engine, version, session)

    def _change(self, user: User, call_id: str, version: int,
                operation: Callable[[CallSession], Sequence[str] | None]) -> CallState:
        changed: list[tuple[CallSession, Sequence[str]]] = []
        tried: list[CallSession] = []

        def change(stored: StoredCall) -> Update:
            self.access.changeable(user, stored, version, FINISHED_ALREADY)
            session = self.engine.restore(stored.data)
            tried.append(session)
            changed.append((session, operation(session) or ()))
            return session.to_dict(), version, None

        try:
            new_version = self.repository.update_call(call_id, change)
        except (InvalidAnswer, NoRouteMatched) as exc:
            if tried:
                self._record_refusal(tried[0], exc)
            raise
        session, dropped = changed[0]
        return state_of(self.engine, new_version, session, dropped)

    def _record_refusal(self, session: CallSession, exc: CallError) -> None:
        """Record a refused answer or "no route fits" for the review queue: the step (in
        the pathway version that has it) and the kind, never the answer. The call is
        already left as it was; a failure to record is logged, and the refusal still
        stands."""
        if self.refusals is None:
            return
        kind = RefusalKind.NO_ROUTE if isinstance(exc, NoRouteMatched) else \
            RefusalKind.INVALID_ANSWER
        try:
            compiled = self.engine.catalogue.get(session.pathway_id, session.version)
            nodes = compiled.graph.nodes
            state = session.state
            if exc.step in nodes:
                state = str(exc.step)
            elif exc.step:
                here = nodes[session.state].pathway_id
                named = [n for n in nodes.values() if n.local_id == exc.step]
                named.sort(key=lambda n: n.pathway_id != here)
                state = named[0].state if named else state
            node = nodes[state]
            self.refusals.record_refusal(node.pathway_id, node.pathway_version,
                                         node.local_id, kind.value,
                                         pattern_at=REFUSAL_PATTERN_AT)
        except Exception as failure:  # the refusal stands whatever happens here
            self.log.error("refusal_not_recorded", call_id=session.call_id,
                           error=type(failure).__name__)
            return
        self.log.info("refusal_recorded", call_id=session.call_id, kind=kind.value,
                      step=node.local_id)

    def answer(self, user: User, call_id: str, version: int, step: str | None,
               answer: Any) -> CallState:
        """Answer the current step (committed before this returns)."""
        def give(session: CallSession) -> None:
            self.engine.answer(session, step, answer)
        return self._change(user, call_id, version, give)

    def back(self, user: User, call_id: str, version: int) -> CallState:
        """Go back to the previous question."""
        def go_back(session: CallSession) -> None:
            self.engine.back(session)
        return self._change(user, call_id, version, go_back)

    def change(self, user: User, call_id: str, version: int, step: str,
               answer: Any, reason: str | None = None) -> CallState:
        """Correct an earlier answer; the state lists the answers dropped. The trail keeps
        the superseded answer, who changed it, when and ``reason``; a red-flag answer
        changed after an escalation needs one (refused without, the call unchanged)."""
        if reason is not None and len(reason) > TAKE_OVER_REASON_LIMIT:
            raise CallError(f"The reason is {len(reason)} characters long; it must be "
                            f"{TAKE_OVER_REASON_LIMIT} characters or fewer.", field="reason")

        def correct(session: CallSession) -> Sequence[str]:
            return self.engine.change(session, step, answer, reason=reason).dropped
        return self._change(user, call_id, version, correct)

    # --- the wrap-up ---------------------------------------------------------------------

    def add_need(self, user: User, call_id: str, version: int) -> CallState:
        """Record a further need on the call (a linked contact for another reason): it
        starts at the reason question with the caller, red flags and person carried over.
        Of two handlers adding a need from one version, one wins and the other gets 409."""
        def add(session: CallSession) -> None:
            self.engine.add_need(session)
        state = self._change(user, call_id, version, add)
        self.log.info("need_added_by", call_id=call_id, user=user.username, need=state.need)
        return state

    def confirm_person(self, user: User, call_id: str, version: int,
                       answer: Any) -> CallState:
        """The person check in the wrap-up, after an escalation: confirm a person the last
        search found (by id), or answer ``not_known`` / ``possible_match``. Confirming
        someone looks up their earlier contacts (an audited view)."""
        def confirm(session: CallSession) -> None:
            self.engine.confirm_person(session, answer)
        state = self._change(user, call_id, version, confirm)
        self.log.info("person_confirmed_by", call_id=call_id, user=user.username)
        return state

    def earlier_contacts(self, user: User, call_id: str) -> list[dict[str, Any]]:
        """The confirmed person's contacts of the last 28 days, looked up now: when,
        reason, outcome, team and whether still open (the view is audited)."""
        opened = self.open(user, call_id)
        person_id = opened.session.values.get("person_id")
        if not person_id:
            raise CallError("No person is confirmed on this call yet: confirm who the "
                            "person is at the person check, then their earlier contacts "
                            "can be shown.", field="call")
        found = self.engine.earlier_contacts(opened.session, str(person_id))
        self.log.info("earlier_contacts_viewed_by", call_id=call_id, user=user.username,
                      contacts=len(found))
        return found

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

    def take_over(self, user: User, call_id: str, version: int, reason: str) -> CallState:
        """Move another handler's call to ``user``; the call's trail (and so its contact
        record) keeps who took it from whom, when and why."""
        reason = reason.strip()
        if not reason:
            raise CallError("Say why you are taking over this call.", field="reason")
        if len(reason) > TAKE_OVER_REASON_LIMIT:
            raise CallError(f"The reason is {len(reason)} characters long; it must be "
                            f"{TAKE_OVER_REASON_LIMIT} characters or fewer.", field="reason")
        stored = self.repository.load_call(call_id)
        if stored.status == CallStatus.FINISHED:
            raise CallFinished("The call is finished and its contact record written, so it "
                               "cannot be taken over.", field="call_id")
        if stored.handler == user.username:
            raise CallError("This call is already yours; there is nothing to take over.",
                            field="call_id")
        if stored.row_version != version:
            raise StaleUpdate(current_version=stored.row_version)
        session = self.engine.restore(stored.data)
        self.engine.take_over(session, user.display_name, reason, {
            "from": stored.handler, "from_name": self.access.owner_name(stored.handler),
            "to": user.username, "to_name": user.display_name})
        new_version = self.repository.save_call(session.to_dict(), version,
                                                handler=user.username)
        self.log.info("call_taken_over", call_id=call_id, user=user.username,
                      from_user=stored.handler)
        return state_of(self.engine, new_version, session)
