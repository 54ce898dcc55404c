"""The review queue and the monthly audits, for practice leads (the designer role) and
supervisors: no HTTP, no database library (storage is the :class:`ReviewStore` port).

A designer sees every item without personal data: no contact id, and a free-text reason
only once a supervisor has confirmed it, or rewritten it, as free of personal details.
A supervisor sees the reason as written and can open the contact itself (a recorded read).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from api.service.contacts import Contacts
from api.service.pathways import PathwayLibrary
from api.service.users import Role, User
from api.storage.port import ReviewStore
from triage.adapters.audit import audit_logger
from triage.adapters.auditform import load_audit_form
from triage.audit_form import AuditForm
from triage.audits import Candidate, draw, month_bounds, repeat_callers
from triage.errors import ReviewRefused, RoleNotAllowed, UnknownReviewItem
from triage.reviews import (
    ReasonState,
    ReviewSource,
    ReviewStatus,
    ReviewView,
    mentions,
)
from triage.timeframes import UK_TIME

FINDING_LIMIT = 2000
PAGE_LIMIT = 100
SHOWN_REASON_STATES = (ReasonState.CONFIRMED.value, ReasonState.REWRITTEN.value)


def _today() -> dt.date:
    return dt.datetime.now(UK_TIME).date()


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def presented(item: Mapping[str, Any], role: Role, today: dt.date) -> dict[str, Any]:
    """A review item as ``role`` may see it."""
    shown = item["reason_reviewed"] if item["reason_state"] in SHOWN_REASON_STATES else None
    out: dict[str, Any] = {
        "item_id": item["item_id"], "source": item["source"],
        "pathway": {"id": item["pathway_id"], "version": item["pathway_version"]},
        "step": item["step"], "suggested_outcome": item["suggested_outcome"],
        "chosen_outcome": item["chosen_outcome"], "refusals": item["refusals"],
        "reason": shown, "reason_state": item["reason_state"], "status": item["status"],
        "finding": item["finding"], "reviewer": item["reviewer"],
        "reviewed_at": _iso(item["reviewed_at"]),
        "closed_by": ({"pathway": item["closed_by_pathway"],
                       "version": item["closed_by_version"], "by": item["closed_by"],
                       "at": _iso(item["closed_at"])}
                      if item["status"] == ReviewStatus.CLOSED else None),
        "opened_at": _iso(item["opened_at"]), "due_on": item["due_on"].isoformat(),
        "overdue": item["status"] != ReviewStatus.CLOSED and item["due_on"] < today,
    }
    if role is Role.SUPERVISOR:
        out["contact_id"] = item["contact_id"]
        out["reason_as_written"] = item["reason"]
    return out


class Reviews:
    """The review queue: list, read, mark reviewed, close, and check reasons."""

    def __init__(self, store: ReviewStore, library: PathwayLibrary, contacts: Contacts
                 ) -> None:
        self.store = store
        self.library = library
        self.contacts = contacts
        self.log = audit_logger()

    def _stored(self, item_id: int) -> dict[str, Any]:
        item = self.store.review_item(item_id)
        if item is None:
            raise UnknownReviewItem(item_id=item_id)
        return item

    def queue(self, user: User, view: str = ReviewView.OPEN, *, before: int | None = None,
              limit: int = 50) -> list[dict[str, Any]]:
        """One page of the queue's ``view`` (open, overdue or closed), newest first."""
        views = [v.value for v in ReviewView]
        if view not in views:
            raise ReviewRefused(f"'{view}' is not a view of the queue (views: "
                                f"{', '.join(views)}).", field="view")
        today = _today()
        items = self.store.review_items(view, today, limit=min(limit, PAGE_LIMIT),
                                        before=before)
        self.log.info("review_queue_viewed", user=user.username, view=view, items=len(items))
        return [presented(i, user.role, today) for i in items]

    def item(self, user: User, item_id: int) -> dict[str, Any]:
        """One item, as the user's role may see it."""
        found = presented(self._stored(item_id), user.role, _today())
        self.log.info("review_item_viewed", user=user.username, item_id=item_id)
        return found

    def contact_of(self, user: User, item_id: int) -> dict[str, Any]:
        """The contact record an item is about (supervisors only; the read is recorded)."""
        if user.role is not Role.SUPERVISOR:
            raise RoleNotAllowed(role=user.role.value, allowed=[Role.SUPERVISOR.value])
        item = self._stored(item_id)
        if item["contact_id"] is None:
            raise ReviewRefused(f"Review item {item_id} is not about one contact (it is a "
                                f"{item['source'].replace('_', ' ')}).", field="item_id")
        return self.contacts.read(user, int(item["contact_id"]))

    def figures(self) -> dict[str, Any]:
        """How many items are open, overdue and closed, by source (for the reports)."""
        counts = self.store.review_counts(_today())
        return {view: {"total": sum(by.values()), "by_source": by}
                for view, by in counts.items()}

    def mark_reviewed(self, user: User, item_id: int, finding: str) -> dict[str, Any]:
        """Write the finding on an item not yet closed."""
        finding = (finding or "").strip()
        if not finding:
            raise ReviewRefused("Write the finding: what the review found.", field="finding")
        if len(finding) > FINDING_LIMIT:
            raise ReviewRefused(f"The finding is {len(finding)} characters long; it must be "
                                f"{FINDING_LIMIT} characters or fewer.", field="finding")
        self._stored(item_id)
        changed = self.store.change_review_item(item_id, {
            "status": ReviewStatus.REVIEWED.value, "finding": finding,
            "reviewer": user.username, "reviewed_at": dt.datetime.now(dt.UTC)},
            unless_status=ReviewStatus.CLOSED.value)
        if changed is None:
            raise ReviewRefused(f"Review item {item_id} is closed; it takes no more "
                                "findings.", field="item_id")
        self.log.info("review_item_reviewed", user=user.username, item_id=item_id)
        return presented(changed, user.role, _today())

    def close(self, user: User, item_id: int, version: int,
              pathway_id: str | None = None) -> dict[str, Any]:
        """Close an item by naming the pathway version whose change note answers it
        (``review #ID``); refused when that version is not loaded or does not say so."""
        item = self._stored(item_id)
        if item["status"] == ReviewStatus.CLOSED:
            raise ReviewRefused(f"Review item {item_id} is closed already (by "
                                f"{item['closed_by_pathway']} version "
                                f"{item['closed_by_version']}).", field="item_id")
        pathway_id = pathway_id or str(item["pathway_id"])
        versions = {p.version: p for p in self.library.listing() if p.id == pathway_id}
        if not versions:
            raise ReviewRefused(f"There is no pathway '{pathway_id}' loaded.",
                                field="pathway")
        named = versions.get(version)
        if named is None:
            raise ReviewRefused(f"Pathway '{pathway_id}' has no version {version}; its "
                                f"versions are: {', '.join(map(str, sorted(versions)))}.",
                                field="version")
        if not mentions(named.change_note, item_id):
            raise ReviewRefused(f"The change note of '{pathway_id}' version {version} does "
                                f"not mention review #{item_id}, so it cannot close it. "
                                f"Write 'review #{item_id}' in the change note of the "
                                "version that answers it.", field="version")
        changed = self.store.change_review_item(item_id, {
            "status": ReviewStatus.CLOSED.value, "closed_by_pathway": pathway_id,
            "closed_by_version": version, "closed_by": user.username,
            "closed_at": dt.datetime.now(dt.UTC)}, unless_status=ReviewStatus.CLOSED.value)
        if changed is None:
            raise ReviewRefused(f"Review item {item_id} is closed already.", field="item_id")
        self.log.info("review_item_closed", user=user.username, item_id=item_id,
                      pathway=pathway_id, version=version)
        return presented(changed, user.role, _today())

    def check_reason(self, user: User, item_id: int, state: str,
                     rewritten: str | None = None) -> dict[str, Any]:
        """A supervisor's check of an item's free-text reason: ``confirmed`` (free of
        personal details as written) or ``rewritten`` (with the rewording designers see)."""
        if user.role is not Role.SUPERVISOR:
            raise RoleNotAllowed(role=user.role.value, allowed=[Role.SUPERVISOR.value])
        item = self._stored(item_id)
        if item["reason"] is None:
            raise ReviewRefused(f"Review item {item_id} has no reason to check.",
                                field="item_id")
        if state == ReasonState.CONFIRMED:
            text = str(item["reason"])
        elif state == ReasonState.REWRITTEN:
            text = (rewritten or "").strip()
            if not text:
                raise ReviewRefused("Write the reason again without personal details.",
                                    field="rewritten")
            if len(text) > FINDING_LIMIT:
                raise ReviewRefused(f"The rewritten reason must be {FINDING_LIMIT} "
                                    "characters or fewer.", field="rewritten")
        else:
            raise ReviewRefused(f"'{state}' is not a check of a reason (checks: confirmed, "
                                "rewritten).", field="state")
        changed = self.store.change_review_item(item_id, {
            "reason_state": state, "reason_reviewed": text,
            "reason_reviewer": user.username})
        assert changed is not None
        self.log.info("review_reason_checked", user=user.username, item_id=item_id,
                      state=state)
        return presented(changed, user.role, _today())


class Audits:
    """Monthly audit samples, and supervisors' scores of the contacts in them."""

    def __init__(self, store: ReviewStore, library: PathwayLibrary, contacts: Contacts,
                 form_path: Path) -> None:
        self.store = store
        self.library = library
        self.contacts = contacts
        self.form_path = form_path
        self.log = audit_logger()

    def form(self) -> AuditForm:
        """The audit form as its file now is (AuditFormProblems if it cannot be used)."""
        return load_audit_form(self.form_path)

    def _early_exit_kinds(self) -> frozenset[str]:
        kinds: set[str] = set()
        for compiled in self.library.catalogue.pathways.values():
            kinds.update(k.value for k in compiled.policy.early_exit_kinds)
        return frozenset(kinds)

    def sample(self, user: User, month: str, seed: str | None = None) -> dict[str, Any]:
        """The month's sample: the one recorded, or drawn now from ``seed`` (a random one
        when None) and recorded, so that it is never quietly drawn again."""
        try:
            start, end = month_bounds(month)
        except ValueError as exc:
            raise ReviewRefused(str(exc), field="month") from exc
        recorded = self.store.audit_sample(month)
        if recorded is not None:
            self.log.info("audit_sample_viewed", user=user.username, month=month)
            return {**self._shown(recorded), "drawn_now": False}
        seed = seed or secrets.token_hex(8)
        rows = self.store.audit_population(start, end)
        early = self._early_exit_kinds()
        people = [str(r["person_id"]) for r in rows if r["person_id"]]
        history = self.store.earlier_contacts_of(people, start - dt.timedelta(days=28), end)
        repeats = repeat_callers(history)
        candidates = [Candidate(int(r["contact_id"]),
                                early_exit=r["outcome_kind"] in early,
                                overridden=bool(r["overridden"]),
                                repeat_caller=int(r["contact_id"]) in repeats,
                                third_party=bool(r["caller_type"]) and r["caller_type"]
                                not in ("self", "anonymous"))
                      for r in rows]
        drawn = [(cid, why.value) for cid, why in draw(candidates, seed)]
        recorded = self.store.record_audit_sample(month, seed, len(rows), drawn,
                                                  user.username)
        self.log.info("audit_sample_drawn", user=user.username, month=month,
                      population=len(rows), drawn=len(recorded["contacts"]))
        return {**self._shown(recorded), "drawn_now": recorded["seed"] == seed}

    @staticmethod
    def _shown(recorded: Mapping[str, Any]) -> dict[str, Any]:
        return {**recorded, "drawn_at": _iso(recorded["drawn_at"]),
                "size": len(recorded["contacts"])}

    def recorded(self, user: User, month: str) -> dict[str, Any]:
        """The month's recorded sample; refused if none is drawn yet."""
        found = self.store.audit_sample(month)
        if found is None:
            raise ReviewRefused(f"No audit sample is drawn for {month} yet.", field="month")
        self.log.info("audit_sample_viewed", user=user.username, month=month)
        return self._shown(found)

    def score(self, user: User, month: str, contact_id: int, answers: Mapping[str, str],
              findings: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """Score a sampled contact on the audit form as it now is. Each finding names a
        step of the contact's pathway version and says what was found; one with
        ``review: true`` enters the review queue."""
        sample = self.recorded(user, month)
        if contact_id not in {c["contact_id"] for c in sample["contacts"]}:
            raise ReviewRefused(f"Contact {contact_id} is not in the {month} sample.",
                                field="contact_id")
        form = self.form()
        try:
            score, out_of = form.score(dict(answers))
        except ValueError as exc:
            raise ReviewRefused(str(exc), field="answers") from exc
        record = self.contacts.read(user, contact_id)
        pathway_id, version = str(record["pathway_id"]), int(record["pathway_version"])
        kept, reviews = [], []
        for number, finding in enumerate(findings, start=1):
            text = str(finding.get("text") or "").strip()
            step = str(finding.get("step") or "")
            if not text or len(text) > FINDING_LIMIT:
                raise ReviewRefused(f"Finding {number}: say what was found, in "
                                    f"{FINDING_LIMIT} characters or fewer.", field="findings")
            node = self._step(pathway_id, version, step, number)
            kept.append({"step": step, "pathway": {"id": node[0], "version": node[1]},
                         "text": text, "review": bool(finding.get("review"))})
            if finding.get("review"):
                reviews.append((node, text))
        if not self.store.record_audit_score({
                "month": month, "contact_id": contact_id, "form_id": form.id,
                "form_version": form.version, "answers": dict(answers), "score": score,
                "out_of": out_of, "findings": kept, "scored_by": user.username}):
            raise ReviewRefused(f"Contact {contact_id} of the {month} sample is scored "
                                "already.", field="contact_id")
        opened = [self.store.add_review_item({
            "source": ReviewSource.AUDIT_FINDING.value, "contact_id": contact_id,
            "pathway_id": node[0], "pathway_version": node[1], "step": node[2],
            "reason": text, "reason_state": ReasonState.CONFIRMED.value,
            "reason_reviewed": text, "reason_reviewer": user.username})
            for node, text in reviews]
        self.log.info("audit_contact_scored", user=user.username, month=month,
                      contact_id=contact_id, findings=len(kept), reviews=len(opened))
        return {"month": month, "contact_id": contact_id,
                "form": {"id": form.id, "version": form.version}, "score": score,
                "out_of": out_of, "findings": kept, "review_items": opened}

    def _step(self, pathway_id: str, version: int, step: str, number: int
              ) -> tuple[str, int, str]:
        """The (pathway, version, step id) a finding's step names in the contact's
        pathway version (by its id, or ``pathway:step``)."""
        try:
            compiled = self.library.catalogue.get(pathway_id, version)
        except KeyError as exc:
            raise ReviewRefused(f"Finding {number}: the contact's pathway version "
                                f"({pathway_id} v{version}) is not loaded.",
                                field="findings") from exc
        nodes = compiled.graph.nodes
        node = nodes.get(step) or next((n for n in nodes.values() if n.local_id == step),
                                       None)
        if node is None:
            raise ReviewRefused(f"Finding {number}: '{step}' is not a step of {pathway_id} "
                                f"version {version}.", field="findings")
        return node.pathway_id, node.pathway_version, node.local_id
