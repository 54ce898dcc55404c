"""The call handler's screen: server-rendered GOV.UK Design System pages over the service.

Plain HTML forms, each POST answered with a redirect (Post/Redirect/Get), so a reload or
a closed tab never repeats or loses an answer: every change is committed by
:class:`api.service.FrontDoor` before the redirect. Each form carries the call's
``version``; a form made from an older version is refused and the handler is shown the
call as it is now. Forms also carry a CSRF token derived from the session (and the
``Origin`` header must be this site's), on top of the SameSite=Lax session cookie.

Pages (all but sign-in and ``/assets`` need a signed-in user; call pages need a handler):

- ``/sign-in``, ``/sign-out``
- ``/`` start a call, the handler's calls in progress (or go to one by its reference)
- ``/calls/{id}`` the current question, or the person search at the person check
- ``/calls/{id}/change?step=...`` an earlier question, to correct its answer
- ``/calls/{id}/check`` check your answers, with a change link for each
- ``/calls/{id}/outcome`` what to tell the caller, send the link, finish or override
- ``/calls/{id}/take-over`` (POST) take over another handler's call; every call page of a
  call that is not yours shows whose it is, with this form, instead of the call

CSS, JavaScript and fonts come from the npm package ``govuk-frontend`` (``npm ci``),
served at ``/assets``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.auth import Role, User, token_hash
from api.service import (
    OVERRIDE_KINDS,
    TAKE_OVER_REASON_LIMIT,
    CallState,
    CallSummary,
    FrontDoor,
    NotYourCall,
    Override,
)
from api.store import StaleUpdate, UnknownCall
from triage.answers import label_text
from triage.audit import audit_logger
from triage.clients.port import SearchDetails
from triage.errors import CallError, PathwayVersionNotLoaded, RestoreError
from triage.session import CallSession, StepView
from triage.timeframes import UK_TIME

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).resolve().parent / "templates"
GOVUK_DIST = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
SERVICE_NAME = "Social Care Direct: call handling"
CALL_ID = re.compile(r"^[0-9a-f]{32}$")
LOCAL_PATH = re.compile(r"^/[A-Za-z0-9/_.~%?&=+-]*$")

KIND_LABELS = {
    "emergency_services": "Emergency services now",
    "urgent_escalation": "Urgent escalation to a team",
    "allocated_worker": "Pass to the allocated worker",
    "team_referral": "Referral to a team",
    "deflect_online": "Online service",
    "deflect_online_assisted": "Online service, completed with the caller",
    "signpost": "Signpost to community services",
    "no_further_action": "No further action",
}
SEARCH_FIELDS = ("nhs_number", "given_name", "family_name", "date_of_birth", "postcode",
                 "address")
SEARCH_LABELS = {"nhs_number": "NHS number", "given_name": "First name",
                 "family_name": "Last name", "date_of_birth": "Date of birth",
                 "postcode": "Postcode", "address": "Address"}
SUMMARY_LABELS = {"initials": "Initials", "year_of_birth": "Year of birth",
                  "postcode_district": "Postcode district"}
KNOWN_LABELS = {"open": "Open case", "previously_known": "Previously known (case closed)",
                "not_known": "Not known", "possible_match": "Possible match, not confirmed"}
LANGUAGES = (("en", "English"), ("cy", "Welsh (Cymraeg)"))


# --- one-off notices, kept in memory (lost on restart, and nothing depends on them) -------

@dataclass(frozen=True)
class Notice:
    """A one-off message for the next page a handler sees."""

    title: str
    text: str
    success: bool = False


class Bounded(OrderedDict[Any, Any]):
    """A dictionary that forgets its oldest entries past ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.lock = threading.Lock()

    def put(self, key: Any, value: Any) -> None:
        """Store ``value``, dropping the oldest entries if there are too many."""
        with self.lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self.limit:
                self.popitem(last=False)

    def take(self, key: Any) -> Any:
        """Remove and return the value for ``key`` (None if there is none)."""
        with self.lock:
            return self.pop(key, None)

    def peek(self, key: Any) -> Any:
        """The value for ``key`` (None if there is none)."""
        with self.lock:
            return self.get(key)


@dataclass
class ScreenState:
    """Per-process state of the screen: one-off notices only.

    Everything a page shows about a call, the latest person search included, is read from
    the saved call, so any instance can show it, after a restart too.
    """

    notices: Bounded = field(default_factory=lambda: Bounded(2000))


# --- security helpers -------------------------------------------------------------------

def csrf_token(session_token: str) -> str:
    """The CSRF token for a session: only someone holding the session cookie can make it."""
    return hashlib.sha256(b"triage-screen-csrf:" + session_token.encode()).hexdigest()


def same_origin(request: Request) -> bool:
    """False when the browser says the form came from another site."""
    expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
    origin = request.headers.get("origin")
    if origin is not None:
        return origin == expected
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}" == expected
    return True


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in (never another site)."""
    if target and LOCAL_PATH.match(target) and not target.startswith("//"):
        return target
    return "/"


# --- presenting call data ---------------------------------------------------------------

def paragraphs(words: str | None) -> list[str]:
    """Words to read, split into paragraphs at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", words or "") if p.strip()]


def grouped(reference: str) -> str:
    """A call reference in groups of eight characters, easier to read out and to copy."""
    return " ".join(reference[i:i + 8] for i in range(0, len(reference), 8))


def due_text(timeframe: str, due: str) -> str:
    """'Now' for immediate outcomes, else 'by 17:00 on Monday 30 November 2026'."""
    if timeframe.strip().lower().startswith("immediate"):
        return "Now"
    try:
        when = dt.datetime.fromisoformat(due)
    except ValueError:
        return due
    return f"by {when:%H:%M} on {when:%A} {when.day} {when:%B %Y}"


def when_text(value: dt.datetime | str | None) -> str:
    """A moment in UK time: 'today at 14:05', or 'at 14:05 on Monday 2 March 2026'."""
    when = value
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(when, dt.datetime):
        return "at an unknown time"
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone(UK_TIME)
    if local.date() == dt.datetime.now(UK_TIME).date():
        return f"today at {local:%H:%M}"
    return f"at {local:%H:%M} on {local:%A} {local.day} {local:%B %Y}"


def where_text(summary: CallSummary) -> str:
    """Where a call is, in the words of its pathway (no personal details)."""
    if summary.outcome_kind:
        return f"At the outcome: {KIND_LABELS.get(summary.outcome_kind, summary.outcome_kind)}"
    return summary.step_title or summary.step_id or "Not known (its pathway version is not loaded)"


def date_parts(value: Any) -> tuple[str, str, str]:
    """(day, month, year) of an ISO date answer, for the date input."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", str(value or ""))
    if not match:
        return ("", "", "")
    year, month, day = match.groups()
    return (str(int(day)), str(int(month)), year)


def form_answer(kind: str, form: FormData) -> Any:
    """The answer a question form sent, in the shape the service takes."""
    if kind == "multi_choice":
        return [str(v) for v in form.getlist("answer")]
    if kind == "date":
        day, month, year = (str(form.get(f"answer-{p}", "")).strip()
                            for p in ("day", "month", "year"))
        if not (day or month or year):
            return ""
        if day.isdigit() and month.isdigit() and year.isdigit():
            return f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}"
        return f"{day}/{month}/{year}"
    return str(form.get("answer", ""))


def blank(value: Any) -> bool:
    """True for no answer."""
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def blank_message(view: StepView) -> str:
    """What to say when a required answer was left out."""
    match view.answer_type:
        case "multi_choice":
            return "Select at least one answer"
        case "choice" | "yes_no" | "yes_no_unsure":
            return "Select an answer"
        case "date":
            return "Enter a date, for example 21 3 1948"
        case "lookup":
            return "Select the person found, or say the person is not known or a possible match"
    return "Enter an answer"


def sentence(text: str) -> str:
    """A message from the service as a sentence."""
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


@dataclass(frozen=True)
class KnownRow:
    """One line of the panel about the call: who is calling, why, and the person."""

    label: str
    value: str
    warning: bool = False


class Presenter:
    """Turns codes in a call into the words a handler reads."""

    def __init__(self, door: FrontDoor) -> None:
        self.door = door

    def session(self, call_id: str) -> tuple[CallSession, str]:
        """The saved call (for values the call state does not carry) and its status."""
        stored = self.door.store.load_call(call_id)
        return self.door.engine.restore(stored.data), stored.status

    def _fact_label(self, session: CallSession, name: str, code: Any) -> str:
        try:
            compiled = self.door.engine.catalogue.get(session.pathway_id, session.version)
        except KeyError:
            return str(code)
        fact = compiled.facts.get(name)
        if fact is not None and fact.answer.options:
            for option in fact.answer.options:
                if option.code == code:
                    return label_text(option.label, session.language)
        return str(code)

    def known(self, session: CallSession) -> list[KnownRow]:
        """What is known so far, for the panel beside every call page."""
        values = session.values
        rows = []
        if values.get("caller_type"):
            rows.append(KnownRow("Caller", self._fact_label(session, "caller_type",
                                                            values["caller_type"])))
        if values.get("reason"):
            rows.append(KnownRow("Reason", self._fact_label(session, "reason",
                                                            values["reason"])))
        status = values.get("known_status")
        if status:
            rows.append(KnownRow("Known to adult social care",
                                 KNOWN_LABELS.get(str(status), str(status))))
        if values.get("person_id"):
            rows.append(KnownRow("Client index record", str(values["person_id"])))
        if status:
            rows.append(KnownRow("Allocated worker", str(values.get("allocated_worker")
                                                         or "None")))
            rows.append(KnownRow("Allocated team", str(values.get("allocated_team") or "None")))
            alerts = values.get("alerts") or []
            rows.append(KnownRow("Alerts", ", ".join(
                self._fact_label(session, "alerts", a) for a in alerts) or "None",
                warning=bool(alerts)))
        return rows

    def title_of(self, pathway_id: str) -> str:
        """A pathway's title."""
        try:
            return self.door.engine.catalogue.get(pathway_id, None).title
        except KeyError:
            return pathway_id

    def answer_text(self, view: StepView, answer: Any) -> str:
        """An answer as the handler chose it, in words."""
        labels = {c.code: c.label for c in view.choices}
        if isinstance(answer, Mapping) and "person_id" in answer:
            status = KNOWN_LABELS.get(str(answer.get("known_status")), "")
            return f"Confirmed: {answer['person_id']}" + (f" ({status})" if status else "")
        if isinstance(answer, list):
            return ", ".join(labels.get(str(a), str(a)) for a in answer) or "None"
        if answer is None or answer == "":
            return "Not answered"
        if view.answer_type == "date":
            day, month, year = date_parts(answer)
            if year:
                return dt.date(int(year), int(month), int(day)).strftime("%d %B %Y").lstrip("0")
        return labels.get(str(answer), str(answer))

    def teams(self, session: CallSession) -> list[tuple[str, str]]:
        """(id, name) of the teams in the call's pathway directory."""
        try:
            compiled = self.door.engine.catalogue.get(session.pathway_id, session.version)
        except KeyError:
            return []
        return [(t.id, t.name) for t in compiled.directory.teams]


# --- the screen -------------------------------------------------------------------------

def make_environment() -> Environment:
    """Jinja with this screen's templates and the GOV.UK Frontend macros."""
    env = Environment(
        loader=ChoiceLoader([
            FileSystemLoader(str(TEMPLATES)),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=select_autoescape(["html"]),
        # The GOV.UK macros read optional parameters that are often absent.
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = paragraphs
    env.filters["grouped"] = grouped
    env.filters["sentence"] = sentence
    env.globals["service_name"] = SERVICE_NAME
    return env


class Screen:
    """The handler's pages, rendered and routed."""

    def __init__(self) -> None:
        self.env = make_environment()
        self.state = ScreenState()
        self.log = audit_logger()

    # --- plumbing --------------------------------------------------------------------

    @staticmethod
    def door(request: Request) -> FrontDoor:
        """The service."""
        door: FrontDoor = request.app.state.front_door
        return door

    @staticmethod
    def token(request: Request) -> str | None:
        """The session token from the cookie."""
        from api.app import COOKIE

        return request.cookies.get(COOKIE)

    def user(self, request: Request) -> User | None:
        """The signed-in user, if any."""
        user: User | None = request.app.state.auth.user_of(self.token(request))
        return user

    def render(self, request: Request, template: str, status: int = 200,
               **context: Any) -> HTMLResponse:
        """A page, with the CSP nonce, CSRF token and any one-off notices."""
        nonce = secrets.token_urlsafe(16)
        token = self.token(request)
        notices = self.state.notices.take(token_hash(token)) if token else None
        errors: Sequence[tuple[str, str]] = context.pop("errors", ())
        error_map: dict[str, str] = {}
        for name, message in errors:
            error_map.setdefault(name, message)
        html = self.env.get_template(template).render(
            request=request, cspNonce=nonce, csrf=csrf_token(token) if token else "",
            notices=notices or [], errors=list(errors), error_map=error_map, **context)
        response = HTMLResponse(html, status_code=status)
        response.headers["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
            "img-src 'self' data:; font-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    def notify(self, request: Request, notice: Notice) -> None:
        """Show ``notice`` on the next page this session sees."""
        token = self.token(request)
        if token:
            key = token_hash(token)
            existing: list[Notice] = self.state.notices.peek(key) or []
            self.state.notices.put(key, [*existing, notice])

    def problem(self, request: Request, status: int, title: str, text: str,
                user: User | None = None) -> HTMLResponse:
        """A page saying what went wrong and what to do, never a traceback."""
        return self.render(request, "problem.html", status, title=title, text=text,
                           user=user)

    def to_sign_in(self, request: Request) -> RedirectResponse:
        """Send someone who is not signed in to the sign-in page, then back."""
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)

    @staticmethod
    def form(request: Request) -> FormData:
        """The posted form (read before the page ran; empty for a GET)."""
        form: FormData = getattr(request.state, "form", None) or FormData()
        return form

    def checked_form(self, request: Request) -> FormData | None:
        """The posted form, or None when its origin or CSRF token is wrong."""
        form = self.form(request)
        token = self.token(request)
        sent = str(form.get("csrf", ""))
        if not token or not same_origin(request) or not hmac.compare_digest(
                sent, csrf_token(token)):
            return None
        return form

    def forbidden_form(self, request: Request, user: User) -> HTMLResponse:
        """The answer to a form that failed the CSRF or origin check."""
        self.log.warning("screen_form_refused", user=user.username, path=request.url.path)
        return self.problem(request, 403, "This form could not be accepted",
                            "The form was out of date or did not come from this service. "
                            "Go back, reload the page and try again; nothing was changed.",
                            user)

    @staticmethod
    def version_of(form: FormData) -> int:
        """The call version a form was made from (0 when missing, which is always stale)."""
        raw = str(form.get("version", ""))
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 0

    def stale(self, request: Request, call_id: str, exc: StaleUpdate) -> RedirectResponse:
        """Show the call as it is now, saying the change was not made."""
        self.notify(request, Notice(
            "The call had changed",
            "This call was changed (in another tab or window) after this page was loaded, so "
            "your last change was not saved. This page shows the call as it is now: check "
            "it, then answer again if you need to."))
        return RedirectResponse(f"/calls/{call_id}", status_code=303)

    def call_failure(self, request: Request, user: User, exc: Exception) -> HTMLResponse:
        """A page for a call that cannot be shown or changed."""
        if isinstance(exc, UnknownCall):
            return self.problem(request, 404, "There is no call with this reference",
                                "Check the reference, or start a new call.", user)
        if isinstance(exc, PathwayVersionNotLoaded | RestoreError):
            return self.problem(request, 409, "This call cannot be continued here",
                                sentence(str(exc)), user)
        return self.problem(request, 422, "That could not be done", sentence(str(exc)), user)

    def not_yours(self, request: Request, user: User, exc: NotYourCall, *,
                  errors: Sequence[tuple[str, str]] = (), reason: str = "",
                  status: int = 403) -> HTMLResponse:
        """Whose call this is, with a form to take it over (no details of the call)."""
        return self.render(request, "take_over.html", status, user=user, call_id=exc.call_id,
                           owner_name=exc.owner_name, version=exc.version,
                           changed=when_text(exc.updated_at) if exc.updated_at else None,
                           finished=exc.finished,
                           posted=request.method == "POST"
                           and not request.url.path.endswith("/take-over"),
                           errors=errors, reason=reason, limit=TAKE_OVER_REASON_LIMIT)

    # --- pages -----------------------------------------------------------------------

    def call_page(self, request: Request, user: User, state: CallState, *,
                  errors: Sequence[tuple[str, str]] = (), entered: Any = None,
                  status: int = 200, change_step: str | None = None,
                  back_to: str | None = None, from_check: bool | None = None
                  ) -> HTMLResponse:
        """The question page for the current step (or an earlier one being changed)."""
        door = self.door(request)
        present = Presenter(door)
        session, _status = present.session(state.call_id)
        if change_step is not None:
            view = door.engine.view_of(session, change_step)
            previous = [a["answer"] for a in state.answered if a["step"] == view.state]
            value = entered if entered is not None else (previous[-1] if previous else None)
            action = f"/calls/{state.call_id}/change"
        else:
            assert state.step is not None
            view = state.step
            value = entered
            action = f"/calls/{state.call_id}/answer"
        steps = [a["step"] for a in state.answered]
        if change_step is not None:
            index = steps.index(view.state) if view.state in steps else len(steps)
        else:
            index = len(steps)
        back = back_to or (f"/calls/{state.call_id}/change?step={quote(steps[index - 1])}"
                           if index > 0 else "/")
        search = None
        saved = session.last_search
        if view.kind == "lookup" and saved is not None and saved.step == view.state:
            search = (search_form_values(saved.details), saved.result())
        if isinstance(value, Mapping):
            value = value.get("person_id")
        found = {c.person_id: c for c in saved.candidates} if saved else {}
        day, month, year = date_parts(value) if view.answer_type == "date" else ("", "", "")
        if view.answer_type == "date" and entered is not None and not year:
            day, month, year = (str(v) for v in entered_date(entered))
        return self.render(
            request, "question.html", status, user=user, call=state, view=view,
            anchors={"answer": "answer-day"} if view.answer_type == "date" else {},
            words=paragraphs(view.words), known=present.known(session),
            caption=present.title_of(view.pathway_id), errors=errors, value=value,
            date_value={"day": day, "month": month, "year": year}, action=action,
            back=back, change_step=change_step, search=search, found=found,
            search_labels=SEARCH_LABELS, summary_labels=SUMMARY_LABELS,
            from_check=(request.query_params.get("from") == "check" if from_check is None
                        else from_check))

    def outcome_page(self, request: Request, user: User, state: CallState, *,
                     errors: Sequence[tuple[str, str]] = (), entered: Mapping[str, str]
                     | None = None, status: int = 200) -> HTMLResponse:
        """What to tell the caller, and the ways to finish the call."""
        present = Presenter(self.door(request))
        session, stored_status = present.session(state.call_id)
        assert state.outcome is not None
        outcome = state.outcome
        messages = [message_line(m) for m in self.door(request).messages(state.call_id)]
        return self.render(
            request, "outcome.html", status, user=user, call=state, outcome=outcome,
            messages=messages,
            kind_label=KIND_LABELS.get(outcome.kind, outcome.kind),
            words=paragraphs(outcome.words), known=present.known(session),
            due=due_text(outcome.timeframe, outcome.due), finished=stored_status == "finished",
            errors=errors, entered=entered or {}, teams=present.teams(session),
            kinds=[(k, KIND_LABELS.get(k, k)) for k in OVERRIDE_KINDS])

    def check_page(self, request: Request, user: User, state: CallState) -> HTMLResponse:
        """Every answer so far, each with a change link."""
        door = self.door(request)
        present = Presenter(door)
        session, stored_status = present.session(state.call_id)
        rows = []
        for given in state.answered:
            view = door.engine.view_of(session, given["step"])
            rows.append({"step": given["step"], "title": view.title or view.step_id,
                         "answer": present.answer_text(view, given["answer"])})
        return self.render(request, "check.html", user=user, call=state, rows=rows,
                           known=present.known(session),
                           finished=stored_status == "finished")


def message_line(message: Mapping[str, Any]) -> dict[str, str]:
    """One recorded attempt to send the link, as the handler reads it (never 'sent' unless
    GOV.UK Notify took it)."""
    how = "text" if message.get("channel") == "sms" else "email"
    to = str(message.get("recipient") or "")
    status = str(message.get("status") or "")
    if status == "sent":
        text = f"Link sent by {how} to {to}"
        if message.get("reference"):
            text += f" (GOV.UK Notify reference {message['reference']})"
    else:
        text = (f"{'Not sent' if status == 'not sent' else 'Failed'}: "
                f"{message.get('reason') or 'no reason was given.'} ({how} to {to})")
    try:
        when = dt.datetime.fromisoformat(str(message.get("sent_at"))).astimezone(UK_TIME)
        time = f"{when:%H:%M}"
    except ValueError:
        time = ""
    return {"status": status, "text": text, "time": time}


def search_date(day: str, month: str, year: str) -> str | None:
    """A date of birth to search on: a whole date, a year and month, or a year alone."""
    if not year:
        return f"{day}/{month}" if day or month else None
    if day and month:
        if day.isdigit() and month.isdigit():
            return f"{year}-{month.zfill(2)}-{day.zfill(2)}"
        return f"{day}/{month}/{year}"
    if month:
        return f"{year}-{month.zfill(2)}" if month.isdigit() else year
    return year


def entered_date(raw: Any) -> tuple[str, str, str]:
    """(day, month, year) typed into a date input that did not make a date."""
    parts = str(raw or "").split("/")
    if len(parts) == 3:
        return (parts[0], parts[1], parts[2])
    return ("", "", "")


def search_form_values(details: Mapping[str, str]) -> dict[str, Any]:
    """The search form's fields, refilled from a saved search (the date in its three boxes)."""
    values: dict[str, Any] = {name: details.get(name, "") for name in SEARCH_FIELDS
                              if name != "date_of_birth"}
    born = details.get("date_of_birth", "")
    parts = {"day": "", "month": "", "year": ""}
    if match := re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", born):
        year, month, day = match.groups()
        parts = {"day": str(int(day)) if day else "", "month": str(int(month)) if month
                 else "", "year": year}
    elif match := re.fullmatch(r"([^/]*)/([^/]*)(?:/([^/]*))?", born):
        day, month, year = match.groups()
        parts = {"day": day, "month": month, "year": year or ""}
    elif born:
        parts["year"] = born
    values["dob"] = parts
    return values


Page = Callable[[Request], Response]


def mount_screen(app: FastAPI) -> None:
    """Add the handler's screen and the GOV.UK Frontend assets to ``app``."""
    screen = Screen()
    app.state.screen = screen
    from api.app import COOKIE

    # --- assets -------------------------------------------------------------------------
    for name in ("govuk-frontend.min.css", "govuk-frontend.min.js"):
        app.add_api_route(f"/assets/{name}", _asset(GOVUK_DIST / name), methods=["GET"],
                          include_in_schema=False)
    app.add_api_route("/assets/screen.mjs", _asset(TEMPLATES / "screen.mjs"), methods=["GET"],
                      include_in_schema=False)
    app.mount("/assets", StaticFiles(directory=GOVUK_DIST / "assets", check_dir=False),
              name="assets")

    # --- errors on screen pages are pages, not JSON ---------------------------------------
    previous = app.exception_handlers.get(StarletteHTTPException)

    async def page_errors(request: Request, exc: Exception) -> Response:
        path = request.url.path
        wants_html = "text/html" in request.headers.get("accept", "")
        if (isinstance(exc, StarletteHTTPException) and wants_html
                and not path.startswith(("/api", "/docs", "/openapi", "/health"))):
            title = "Page not found" if exc.status_code == 404 else "That could not be done"
            text = ("Check the address, or go back to the start." if exc.status_code == 404
                    else "Go back and try again.")
            return screen.problem(request, exc.status_code, title, text, screen.user(request))
        if previous is None:
            raise exc
        result = previous(request, exc)
        response: Response = await result if isinstance(result, Awaitable) else result
        return response

    app.add_exception_handler(StarletteHTTPException, page_errors)

    def guarded(page: Page) -> Callable[[Request], Awaitable[Response]]:
        """Read any form, then run the page in a worker thread (the service layer blocks on
        the database and on password hashing); any unexpected failure becomes a plain page
        and the details go to the log only."""
        async def run(request: Request) -> Response:
            try:
                if request.method == "POST":
                    request.state.form = await request.form()
                return await run_in_threadpool(page, request)
            except Exception as exc:  # never a traceback for the handler
                screen.log.error("screen_failed", path=request.url.path,
                                 error=type(exc).__name__)
                return screen.problem(request, 500, "Sorry, something went wrong",
                                      "Nothing more was changed. Reload the page to see the "
                                      "call as it was last saved, or try again shortly.",
                                      screen.user(request))
        return run

    def route(path: str, methods: Sequence[str]) -> Callable[[Page], Page]:
        def add(page: Page) -> Page:
            app.add_api_route(path, guarded(page), methods=list(methods),
                              include_in_schema=False, response_class=HTMLResponse)
            return page
        return add

    def handler_of(request: Request) -> User | Response:
        user = screen.user(request)
        if user is None:
            return screen.to_sign_in(request)
        if user.role is not Role.HANDLER:
            return screen.problem(
                request, 403, "This screen is for call handlers",
                f"You are signed in as a {user.role.value}. Calls are run by call handlers; "
                "sign out and sign in as a handler to take a call.", user)
        return user

    def call_id_of(request: Request) -> str:
        return str(request.path_params["call_id"])

    # --- signing in and out ---------------------------------------------------------------

    @route("/sign-in", ["GET"])
    def sign_in_page(request: Request) -> Response:
        return screen.render(request, "sign_in.html", user=screen.user(request),
                             next=safe_next(request.query_params.get("next")), errors=[],
                             username="")

    @route("/sign-in", ["POST"])
    def sign_in(request: Request) -> Response:
        form = screen.form(request)
        target = safe_next(str(form.get("next", "/")))
        username = str(form.get("username", "")).strip()[:80]
        password = str(form.get("password", ""))[:200]
        if not same_origin(request):
            return screen.problem(request, 403, "This form could not be accepted",
                                  "The sign-in form did not come from this service.")
        errors = []
        if not username:
            errors.append(("username", "Enter your user name"))
        if not password:
            errors.append(("password", "Enter your password"))
        result = None if errors else request.app.state.auth.sign_in(username, password)
        if result is None:
            if not errors:
                errors.append(("username", "The user name or password is wrong"))
                screen.log.info("sign_in_refused")
            return screen.render(request, "sign_in.html", 401 if password else 422, user=None,
                                 next=target, errors=errors, username=username)
        token, user = result
        settings = request.app.state.settings
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https",
                            max_age=int(settings.session_hours * 3600))
        screen.log.info("signed_in", user=user.username, role=user.role.value, via="screen")
        return response

    @route("/sign-out", ["POST"])
    def sign_out(request: Request) -> Response:
        user = screen.user(request)
        if user is None:
            return screen.to_sign_in(request)
        if screen.checked_form(request) is None:
            return screen.forbidden_form(request, user)
        request.app.state.auth.sign_out(screen.token(request) or "")
        response = RedirectResponse("/sign-in", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # --- starting a call --------------------------------------------------------------------

    def entry_pathways(door: FrontDoor) -> list[dict[str, Any]]:
        seen: set[str] = set()
        out = []
        for p in door.pathways():
            if p["usage"] == "entry" and p["status"] == "live" and p["id"] not in seen:
                seen.add(p["id"])
                out.append(p)
        return out

    def home_page(request: Request, user: User, status: int = 200,
                  **context: Any) -> HTMLResponse:
        door = screen.door(request)
        calls = [{"call_id": c.call_id, "started": when_text(c.started_at),
                  "changed": when_text(c.updated_at), "where": where_text(c)}
                 for c in door.my_calls(user, "active")]
        context.setdefault("errors", [])
        return screen.render(request, "home.html", status, user=user, calls=calls,
                             pathways=entry_pathways(door), languages=LANGUAGES, **context)

    @route("/", ["GET"])
    def home(request: Request) -> Response:
        user = handler_of(request)
        if isinstance(user, Response):
            return user
        return home_page(request, user)

    @route("/calls", ["GET"])
    def go_to_call(request: Request) -> Response:
        user = handler_of(request)
        if isinstance(user, Response):
            return user
        reference = re.sub(r"\s+", "", request.query_params.get("reference", "")).lower()
        if not CALL_ID.match(reference):
            return home_page(request, user, 422, reference=reference,
                             errors=[("reference", "Enter a call reference: 32 letters "
                                      "and numbers, as shown on the call's pages")])
        return RedirectResponse(f"/calls/{reference}", status_code=303)

    @route("/calls", ["POST"])
    def start_call(request: Request) -> Response:
        user = handler_of(request)
        if isinstance(user, Response):
            return user
        form = screen.checked_form(request)
        if form is None:
            return screen.forbidden_form(request, user)
        door = screen.door(request)
        pathways = entry_pathways(door)
        pathway = str(form.get("pathway", "")) or (pathways[0]["id"] if len(pathways) == 1
                                                   else "")
        language = str(form.get("language", "en"))
        errors = []
        if pathway not in {p["id"] for p in pathways}:
            errors.append(("pathway", "Select the pathway to start"))
        if language not in dict(LANGUAGES):
            errors.append(("language", "Select the language of the call"))
        if errors:
            return home_page(request, user, 422, errors=errors)
        try:
            state = door.start_call(user, pathway, {}, language)
        except CallError as exc:
            return screen.call_failure(request, user, exc)
        return RedirectResponse(f"/calls/{state.call_id}", status_code=303)

    # --- the call -------------------------------------------------------------------------

    def load(request: Request, user: User) -> CallState | Response:
        call_id = call_id_of(request)
        if not CALL_ID.match(call_id):
            return screen.call_failure(request, user, UnknownCall(call_id))
        try:
            return screen.door(request).call(user, call_id)
        except NotYourCall as exc:
            return screen.not_yours(request, user, exc)
        except (UnknownCall, CallError, RestoreError) as exc:
            return screen.call_failure(request, user, exc)

    def handler_and_call(request: Request) -> tuple[User, CallState] | Response:
        """The signed-in handler and the call the page is about, or the page to show."""
        user = handler_of(request)
        if isinstance(user, Response):
            return user
        state = load(request, user)
        if isinstance(state, Response):
            return state
        return user, state

    @route("/calls/{call_id}", ["GET"])
    def current(request: Request) -> Response:
        found = handler_and_call(request)
        if isinstance(found, Response):
            return found
        user, state = found
        if state.outcome is not None:
            return RedirectResponse(f"/calls/{state.call_id}/outcome", status_code=303)
        return screen.call_page(request, user, state)

    def change_call(request: Request, action: Callable[[FrontDoor, User, FormData,
                                                              CallState], CallState | Response],
                          ) -> Response:
        """Run one change to a call from a form, then redirect to where the call is."""
        user = handler_of(request)
        if isinstance(user, Response):
            return user
        form = screen.checked_form(request)
        if form is None:
            return screen.forbidden_form(request, user)
        state = load(request, user)
        if isinstance(state, Response):
            return state
        try:
            result = action(screen.door(request), user, form, state)
        except StaleUpdate as exc:
            return screen.stale(request, state.call_id, exc)
        except NotYourCall as exc:  # taken over between loading the call and changing it
            return screen.not_yours(request, user, exc)
        except (UnknownCall, CallError, RestoreError) as exc:
            return screen.call_failure(request, user, exc)
        if isinstance(result, Response):
            return result
        return RedirectResponse(f"/calls/{result.call_id}", status_code=303)

    def owner_of(request: Request, user: User) -> NotYourCall | Response:
        """Who has the call, when it is another handler; otherwise the page to show (the
        call itself when it is already this handler's)."""
        call_id = call_id_of(request)
        if not CALL_ID.match(call_id):
            return screen.call_failure(request, user, UnknownCall(call_id))
        try:
            screen.door(request).call(user, call_id)
        except NotYourCall as exc:
            return exc
        except (UnknownCall, CallError, RestoreError) as exc:
            return screen.call_failure(request, user, exc)
        return RedirectResponse(f"/calls/{call_id}", status_code=303)

    @route("/calls/{call_id}/take-over", ["POST"])
    def take_over(request: Request) -> Response:
        user = handler_of(request)
        if isinstance(user, Response):
            return user
        form = screen.checked_form(request)
        if form is None:
            return screen.forbidden_form(request, user)
        call_id = call_id_of(request)
        door = screen.door(request)
        owner = owner_of(request, user)
        if isinstance(owner, Response):
            return owner
        reason = str(form.get("reason", "")).strip()
        if not reason:
            return screen.not_yours(request, user, owner, status=422, errors=[
                ("reason", "Enter why you are taking over this call")])
        if len(reason) > TAKE_OVER_REASON_LIMIT:
            return screen.not_yours(request, user, owner, status=422, reason=reason, errors=[
                ("reason", f"The reason must be {TAKE_OVER_REASON_LIMIT} characters or "
                 "fewer")])
        try:
            door.take_over(user, call_id, screen.version_of(form), reason)
        except StaleUpdate:
            now = owner_of(request, user)
            if isinstance(now, Response):
                return now
            screen.notify(request, Notice(
                "The call had changed",
                f"{now.owner_name} changed the call after this page was loaded, so it was "
                "not taken over. They may still be working on it: ask them first. Take it "
                "over only if they cannot carry on."))
            return screen.not_yours(request, user, now, reason=reason, status=409)
        except (UnknownCall, CallError, RestoreError) as exc:
            return screen.call_failure(request, user, exc)
        screen.notify(request, Notice(
            "You have taken over this call",
            f"The call is now yours; {owner.owner_name} can no longer change it. Who took it "
            "over, when and why is kept with the call's record.", success=True))
        return RedirectResponse(f"/calls/{call_id}", status_code=303)

    @route("/calls/{call_id}/answer", ["POST"])
    def answer(request: Request) -> Response:
        def act(door: FrontDoor, user: User, form: FormData, state: CallState
                ) -> CallState | Response:
            if state.step is None or str(form.get("step", "")) != state.step.state:
                # The form was for a step the call has moved past (another tab, a restart).
                raise StaleUpdate(state.version)
            view = state.step
            raw = form_answer(view.answer_type or "", form)
            if view.kind == "lookup":
                raw = str(form.get("answer", ""))
            try:
                return door.answer(user, state.call_id, screen.version_of(form), view.state, raw)
            except CallError as exc:
                message = (blank_message(view) if blank(raw) and view.required
                           else sentence(str(exc)))
                return screen.call_page(request, user, state, errors=[("answer", message)],
                                        entered=raw, status=422)
        return change_call(request, act)

    @route("/calls/{call_id}/search", ["POST"])
    def search(request: Request) -> Response:
        def act(door: FrontDoor, user: User, form: FormData, state: CallState
                ) -> CallState | Response:
            # From the change page of an answered person check, the search is made there.
            change_step = str(form.get("step", "")).strip()[:200] or None
            from_check = str(form.get("from", "")) == "check"
            entered: dict[str, Any] = {name: str(form.get(name, "")).strip()[:400]
                                       for name in SEARCH_FIELDS if name != "date_of_birth"}
            dob = {part: str(form.get(f"dob-{part}", "")).strip()[:4]
                   for part in ("day", "month", "year")}
            born = search_date(dob["day"], dob["month"], dob["year"])
            details = SearchDetails(**{k: (v or None) for k, v in entered.items()},
                                    date_of_birth=born, searcher=user.username)
            if not details.given_fields():
                if change_step is None and (state.step is None or state.step.kind != "lookup"):
                    raise StaleUpdate(state.version)  # the call moved on from the search
                if change_step is not None and change_step not in {
                        a["step"] for a in state.answered}:
                    raise CallError("That question has not been answered in this call, so "
                                    "there is nothing to change.")
                return screen.call_page(
                    request, user, state, status=422, change_step=change_step,
                    back_to=f"/calls/{state.call_id}/check" if from_check else None,
                    from_check=from_check,
                    errors=[("nhs_number", "Enter the NHS number, or the name with the date "
                             "of birth or postcode, to search")])
            door.search(user, state.call_id, screen.version_of(form), details, change_step)
            if change_step is None:
                return RedirectResponse(f"/calls/{state.call_id}#search-results",
                                        status_code=303)
            query = f"step={quote(change_step, safe='')}" + ("&from=check" if from_check
                                                             else "")
            return RedirectResponse(f"/calls/{state.call_id}/change?{query}#search-results",
                                    status_code=303)
        return change_call(request, act)

    @route("/calls/{call_id}/change", ["GET"])
    def change_page(request: Request) -> Response:
        found = handler_and_call(request)
        if isinstance(found, Response):
            return found
        user, state = found
        step = request.query_params.get("step", "")
        if step not in {a["step"] for a in state.answered}:
            return screen.call_failure(request, user, CallError(
                "That question has not been answered in this call, so there is nothing to "
                "change."))
        back = (f"/calls/{state.call_id}/check" if request.query_params.get("from") == "check"
                else None)
        return screen.call_page(request, user, state, change_step=step, back_to=back)

    @route("/calls/{call_id}/change", ["POST"])
    def change(request: Request) -> Response:
        def act(door: FrontDoor, user: User, form: FormData, state: CallState
                ) -> CallState | Response:
            step = str(form.get("step", ""))
            session, _ = Presenter(door).session(state.call_id)
            view = door.engine.view_of(session, step)
            raw: Any = (str(form.get("answer", "")) if view.kind == "lookup"
                        else form_answer(view.answer_type or "", form))
            before = [a["answer"] for a in state.answered if a["step"] == view.state]
            back_to_check = str(form.get("from", "")) == "check"
            if before and _same_answer(before[-1], raw):
                if screen.version_of(form) != state.version:
                    raise StaleUpdate(state.version)
                target = (f"/calls/{state.call_id}/check" if back_to_check
                          else f"/calls/{state.call_id}")
                return RedirectResponse(target, status_code=303)
            try:
                new_state = door.change(user, state.call_id, screen.version_of(form), step, raw)
            except CallError as exc:
                message = (blank_message(view) if blank(raw) and view.required
                           else sentence(str(exc)))
                return screen.call_page(request, user, state, errors=[("answer", message)],
                                        entered=raw, status=422, change_step=step)
            if new_state.dropped:
                titles = []
                for name in new_state.dropped:
                    try:
                        titles.append(door.engine.view_of(session, name).title or name)
                    except CallError:
                        titles.append(name)
                screen.notify(request, Notice(
                    "Answer changed",
                    "These answers no longer apply and were removed: "
                    + "; ".join(titles) + "."))
            else:
                screen.notify(request, Notice("Answer changed", "The answer was changed.",
                                              success=True))
            if back_to_check and new_state.outcome is not None:
                return RedirectResponse(f"/calls/{state.call_id}/check", status_code=303)
            return new_state
        return change_call(request, act)

    @route("/calls/{call_id}/check", ["GET"])
    def check(request: Request) -> Response:
        found = handler_and_call(request)
        if isinstance(found, Response):
            return found
        user, state = found
        return screen.check_page(request, user, state)

    # --- the outcome ----------------------------------------------------------------------

    @route("/calls/{call_id}/outcome", ["GET"])
    def outcome(request: Request) -> Response:
        found = handler_and_call(request)
        if isinstance(found, Response):
            return found
        user, state = found
        if state.outcome is None:
            return RedirectResponse(f"/calls/{state.call_id}", status_code=303)
        return screen.outcome_page(request, user, state)

    @route("/calls/{call_id}/send-link", ["POST"])
    def send_link(request: Request) -> Response:
        def act(door: FrontDoor, user: User, form: FormData, state: CallState
                ) -> CallState | Response:
            by = str(form.get("by", ""))
            to = str(form.get("to", "")).strip()
            errors = []
            if by not in ("sms", "email"):
                errors.append(("by", "Select text message or email"))
            if not 3 <= len(to) <= 200:
                errors.append(("to", "Enter the mobile number or email address to send to"))
            if errors or state.outcome is None:
                if state.outcome is None:
                    raise CallError("The call has not reached an outcome yet.")
                return screen.outcome_page(request, user, state, errors=errors,
                                           entered={"by": by, "to": to}, status=422)
            result = door.send_link(user, state.call_id, to, by)
            how = "text message" if by == "sms" else "email"
            status = result.get("status", "failed")
            if status == "sent":
                notice = Notice("Link sent", f"The link was sent by {how}. "
                                f"GOV.UK Notify reference: {result.get('reference') or 'none'}.",
                                success=True)
            else:
                notice = Notice(f"Link {status}",
                                f"{status.capitalize()}: {result.get('reason', '')}")
            screen.notify(request, notice)
            return RedirectResponse(f"/calls/{state.call_id}/outcome", status_code=303)
        return change_call(request, act)

    @route("/calls/{call_id}/finish", ["POST"])
    def finish(request: Request) -> Response:
        def act(door: FrontDoor, user: User, form: FormData, state: CallState
                ) -> CallState | Response:
            door.finish(user, state.call_id, screen.version_of(form), None)
            screen.notify(request, Notice("Contact recorded",
                                          "The contact record was written.", success=True))
            return RedirectResponse(f"/calls/{state.call_id}/outcome", status_code=303)
        return change_call(request, act)

    @route("/calls/{call_id}/override", ["POST"])
    def override(request: Request) -> Response:
        def act(door: FrontDoor, user: User, form: FormData, state: CallState
                ) -> CallState | Response:
            kind = str(form.get("kind", ""))
            team = str(form.get("team", "")).strip() or None
            reason = str(form.get("reason", "")).strip()
            errors = []
            if kind not in OVERRIDE_KINDS:
                errors.append(("kind", "Select the outcome to use instead"))
            session, _ = Presenter(door).session(state.call_id)
            if team is not None and team not in dict(Presenter(door).teams(session)):
                errors.append(("team", "Select a team from the list, or no team"))
            if not reason:
                errors.append(("reason", "Enter why the suggested outcome is not right"))
            elif len(reason) > 2000:
                errors.append(("reason", f"The reason is {len(reason)} characters long; "
                               "it must be 2,000 characters or fewer"))
            if errors:
                if state.outcome is None:
                    raise CallError("The call has not reached an outcome yet.")
                return screen.outcome_page(
                    request, user, state, errors=errors, status=422,
                    entered={"kind": kind, "team": team or "", "reason": reason,
                             "override": "open"})
            door.finish(user, state.call_id, screen.version_of(form),
                        Override(kind, team, reason))
            screen.notify(request, Notice(
                "Contact recorded with a different outcome",
                f"The contact record was written with the outcome "
                f"'{KIND_LABELS.get(kind, kind)}' and your reason.", success=True))
            return RedirectResponse(f"/calls/{state.call_id}/outcome", status_code=303)
        return change_call(request, act)


def _same_answer(before: Any, raw: Any) -> bool:
    """True when a changed answer is the one already given (so nothing needs to change)."""
    if isinstance(before, Mapping):
        before = before.get("person_id")
    if isinstance(before, list) and isinstance(raw, list):
        return sorted(map(str, before)) == sorted(map(str, raw))
    return isinstance(raw, str) and str(before) == raw


def _asset(path: Path) -> Callable[[], Response]:
    """A route serving one file (a plain 404 when ``npm ci`` has not been run)."""
    def serve() -> Response:
        if not path.is_file():
            return Response("Not found: run 'npm ci' to install govuk-frontend.",
                            status_code=404, media_type="text/plain")
        media = {".css": "text/css", ".js": "text/javascript",
                 ".mjs": "text/javascript"}.get(path.suffix)
        return FileResponse(path, media_type=media,
                            headers={"Cache-Control": "public, max-age=3600"})
    return serve
