"""The screen itself: rendering pages (with their security headers and one-off notices),
who may see them, the page for each thing the service refuses (from the one error table,
:mod:`api.errors`), and the call's pages."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)

from api.errors import answer_for
from api.service import OVERRIDE_KINDS, FrontDoor, LinkStatus, OpenCall, Role, User
from api.service.calls import TAKE_OVER_REASON_LIMIT
from api.web.assets import TEMPLATES
from api.web.forms import (
    answer_problem,
    csrf_token,
    date_parts,
    entered_date,
    search_form_values,
    session_token,
)
from api.web.notices import Notice
from api.web.presenter import Presenter
from api.web.texts import (
    LANGUAGES,
    SEARCH_LABELS,
    SUMMARY_LABELS,
    due_text,
    grouped,
    kind_label,
    message_line,
    paragraphs,
    sentence,
    when_text,
    where_text,
)
from triage.adapters.audit import audit_logger
from triage.calls import StepView
from triage.calls.views import fact_words
from triage.errors import (
    CallError,
    ChangeFromElsewhere,
    NotYourCall,
    RoleNotAllowed,
    StaleUpdate,
    TriageError,
    UnknownCall,
)
from triage.matching.scoring import MISSING
from triage.timeframes import UK_TIME
from triage.vocabulary import UNCONFIRMED, AnswerType, KnownStatus, OutcomeKind, StepKind

ROLE_HOMES: dict[Role, str] = {Role.DESIGNER: "/designer", Role.MANAGER: "/reports",
                               Role.SUPERVISOR: "/reports"}
"""Where each role other than call handlers starts on the screen."""
SERVICE_NAME = "Social Care Direct: call handling"
CALL_ID = re.compile(r"^[0-9a-f]{32}$")


GOVUK_COMPONENTS = ("back-link", "button", "character-count", "checkboxes", "date-input",
                    "details", "error-summary", "footer", "header", "input", "inset-text",
                    "notification-banner", "panel", "radios", "select", "service-navigation",
                    "summary-list", "table", "tag", "textarea", "warning-text")
"""The GOV.UK Frontend components the pages use (``button`` is the macro ``govukButton``)."""
CHOICE_TYPES = (AnswerType.CHOICE, AnswerType.YES_NO, AnswerType.YES_NO_UNSURE)
"""Questions answered with radios."""


def earlier_line(contact: Mapping[str, Any], reason_label: Callable[[str], str]
                 ) -> dict[str, str]:
    """One earlier contact as the wrap-up's table shows it (``reason_label``: a reason's
    code as its words)."""
    started = str(contact.get("started_at") or "")
    try:
        when = dt.datetime.fromisoformat(started).astimezone(UK_TIME).strftime(
            "%d %b %Y %H:%M")
    except ValueError:
        when = started
    reason = contact.get("reason")
    return {"when": when, "reason": reason_label(str(reason)) if reason else "Not recorded",
            "result": kind_label(str(contact.get("outcome_kind") or "")),
            "team": str(contact.get("team") or "None"),
            "open": "Yes" if contact.get("open") else "No"}


def make_environment() -> Environment:
    """Jinja with this screen's templates and the GOV.UK Frontend macros.

    Every template can call the macros of :data:`GOVUK_COMPONENTS` by their usual names
    (``govukButton``...) and ``call_form`` (``_forms.html``) without importing them.
    """
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
    # The codes templates compare against, each spelled once (triage.vocabulary).
    env.globals.update(StepKind=StepKind, AnswerType=AnswerType, OutcomeKind=OutcomeKind,
                       KnownStatus=KnownStatus, LinkStatus=LinkStatus,
                       UNCONFIRMED=UNCONFIRMED, CHOICE_TYPES=CHOICE_TYPES, MISSING=MISSING)
    macros = {f"govuk_frontend_jinja/components/{component}/macro.html":
              "govuk" + "".join(word.capitalize() for word in component.split("-"))
              for component in GOVUK_COMPONENTS}
    macros["_forms.html"] = "call_form"
    for template, name in macros.items():
        env.globals[name] = getattr(env.get_template(template).module, name)
    return env


def call_id_of(request: Request) -> str:
    """The call reference in the page's address."""
    return str(request.path_params["call_id"])


class Screen:
    """The handler's pages, rendered, with the page to show for each refusal."""

    def __init__(self) -> None:
        self.env = make_environment()
        self.log = audit_logger()

    # --- plumbing --------------------------------------------------------------------

    @staticmethod
    def door(request: Request) -> FrontDoor:
        """The service."""
        door: FrontDoor = request.app.state.front_door
        return door

    @staticmethod
    def user(request: Request) -> User | None:
        """The signed-in user, if any."""
        user: User | None = Screen.door(request).auth.user_of(session_token(request))
        return user

    def render(self, request: Request, template: str, status: int = 200,
               **context: Any) -> HTMLResponse:
        """A page, with the CSP nonce, CSRF token and any one-off notices."""
        nonce = secrets.token_urlsafe(16)
        token = session_token(request)
        notices = ([Notice(**n) for n in self.door(request).notices.take(token)] if token
                   else [])
        errors: Sequence[tuple[str, str]] = context.pop("errors", ())
        error_map: dict[str, str] = {}
        for name, message in errors:
            error_map.setdefault(name, message)
        html = self.env.get_template(template).render(
            request=request, cspNonce=nonce, csrf=csrf_token(token) if token else "",
            notices=notices, errors=list(errors), error_map=error_map, **context)
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
        token = session_token(request)
        if token:
            self.door(request).notices.keep(token, asdict(notice))

    def redirect(self, request: Request, target: str,
                 notice: Notice | None = None) -> RedirectResponse:
        """Go on to ``target`` (after a form: Post/Redirect/Get), showing ``notice`` there."""
        if notice is not None:
            self.notify(request, notice)
        return RedirectResponse(target, status_code=303)

    def problem(self, request: Request, status: int, title: str, text: str,
                user: User | None = None) -> HTMLResponse:
        """A page saying what went wrong and what to do, never a traceback."""
        return self.render(request, "problem.html", status, title=title, text=text,
                           user=user)

    # --- who may see a page ----------------------------------------------------------

    def to_sign_in(self, request: Request) -> RedirectResponse:
        """Send someone who is not signed in to the sign-in page, then back."""
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            target = "/"
        return self.redirect(request, f"/sign-in?next={quote(target, safe='')}")

    def handler(self, request: Request) -> User | Response:
        """The signed-in call handler, or the page to show anyone else (someone else at the
        start page is sent to their own: a designer to the pathways)."""
        user = self.user(request)
        if (user is not None and user.role in ROLE_HOMES and request.method == "GET"
                and request.url.path == "/"):
            return self.redirect(request, ROLE_HOMES[user.role])
        return self.with_role(request, Role.HANDLER)

    def with_role(self, request: Request, *roles: Role) -> User | Response:
        """The signed-in user if they have one of ``roles``, or the page to show anyone
        else (the sign-in page, or the page saying who may see this one)."""
        user = self.user(request)
        if user is None:
            return self.to_sign_in(request)
        if user.role not in roles:
            return self.refused(request, user, RoleNotAllowed(
                role=user.role.value, allowed=[r.value for r in roles]))
        return user

    def forbidden_form(self, request: Request, user: User) -> Response:
        """The answer to a form that failed the CSRF or origin check."""
        self.log.warning("screen_form_refused", user=user.username, path=request.url.path)
        return self.refused(request, user, ChangeFromElsewhere())

    def _own_call(self, request: Request, user: User) -> OpenCall:
        """The call in the page's address, loaded once for the request, if it is
        ``user``'s (else what the service refuses)."""
        call_id = call_id_of(request)
        if not CALL_ID.match(call_id):
            raise UnknownCall(call_id=call_id)
        return self.door(request).calls.open(user, call_id)

    def call(self, request: Request, user: User) -> OpenCall | Response:
        """The handler's call the page is about (its state, session and status, loaded
        once: every page of it is built from this), or the page to show instead."""
        try:
            return self._own_call(request, user)
        except TriageError as exc:
            return self.refused(request, user, exc)

    def owner_of(self, request: Request, user: User) -> NotYourCall | Response:
        """Who has the call, when it is another handler; otherwise the page to show (the
        call itself when it is already this handler's)."""
        try:
            self._own_call(request, user)
        except NotYourCall as exc:
            return exc
        except TriageError as exc:
            return self.refused(request, user, exc)
        return self.redirect(request, f"/calls/{call_id_of(request)}")

    # --- what the service refused ----------------------------------------------------

    def refused(self, request: Request, user: User, exc: TriageError) -> Response:
        """The page for what the service refused, as the error table says: the call as it
        is now when it had changed, whose it is when it is not the handler's, else the
        table's page. A fault (not the request's doing) goes on up, to the Sorry page."""
        answer = answer_for(exc)
        if answer.fault:
            raise exc
        page = answer.page
        if isinstance(exc, StaleUpdate):
            return self.redirect(request, f"/calls/{call_id_of(request)}",
                                 Notice(page.title, page.text))
        if isinstance(exc, NotYourCall):
            return self.not_yours(request, user, exc, status=page.status)
        return self.problem(request, page.status, page.title, sentence(page.text), user)

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

    def home_page(self, request: Request, user: User, status: int = 200,
                  **context: Any) -> HTMLResponse:
        """Start a call, the handler's calls in progress, and go to a call by reference."""
        door = self.door(request)
        calls = [{"call_id": c.call_id, "started": when_text(c.started_at),
                  "changed": when_text(c.updated_at), "where": where_text(c)}
                 for c in door.calls.mine(user)]
        context.setdefault("errors", [])
        return self.render(request, "home.html", status, user=user, calls=calls,
                           pathways=door.library.entry_pathways(), languages=LANGUAGES,
                           **context)

    def call_page(self, request: Request, user: User, call: OpenCall, *,
                  errors: Sequence[tuple[str, str]] = (), entered: Any = None,
                  status: int = 200, change_step: str | None = None,
                  back_to: str | None = None, from_check: bool | None = None
                  ) -> HTMLResponse:
        """The question page for the current step (or an earlier one being changed)."""
        door = self.door(request)
        present = Presenter(door.engine)
        state, session = call.state, call.session
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
        if view.kind == StepKind.LOOKUP and saved is not None and saved.step == view.state:
            search = (search_form_values(saved.details), saved.result())
        if isinstance(value, Mapping):
            value = value.get("person_id")
        found = {c.person_id: c for c in saved.candidates} if saved else {}
        is_date = view.answer_type == AnswerType.DATE
        day, month, year = date_parts(value) if is_date else ("", "", "")
        if is_date and entered is not None and not year:
            day, month, year = (str(v) for v in entered_date(entered))
        return self.render(
            request, "question.html", status, user=user, call=state, view=view,
            anchors={"answer": "answer-day"} if is_date else {},
            words=paragraphs(view.words), guidance=paragraphs(view.guidance),
            known=present.known(session),
            caption=present.title_of(view.pathway_id), errors=errors, value=value,
            date_value={"day": day, "month": month, "year": year}, action=action,
            back=back, change_step=change_step, search=search, found=found,
            search_labels=SEARCH_LABELS, summary_labels=SUMMARY_LABELS,
            from_check=(request.query_params.get("from") == "check" if from_check is None
                        else from_check))

    def answer_refused(self, request: Request, user: User, call: OpenCall, view: StepView,
                       raw: Any, exc: CallError, change_step: str | None = None
                       ) -> HTMLResponse:
        """The question again, with the answer as entered and what to enter instead."""
        return self.call_page(request, user, call, errors=[("answer", answer_problem(
            view, raw, exc))], entered=raw, status=422, change_step=change_step)

    def outcome_page(self, request: Request, user: User, call: OpenCall, *,
                     errors: Sequence[tuple[str, str]] = (), entered: Mapping[str, str]
                     | None = None, status: int = 200) -> HTMLResponse:
        """What to tell the caller, and the ways to finish the call."""
        door = self.door(request)
        present = Presenter(door.engine)
        state = call.state
        assert state.outcome is not None
        outcome = state.outcome
        compiled = door.engine.catalogue.get(state.pathway_id, state.pathway_version)
        messages = [message_line(m) for m in door.links.messages(state.call_id)]
        return self.render(
            request, "outcome.html", status, user=user, call=state, outcome=outcome,
            messages=messages, kind_label=kind_label(outcome.kind),
            words=paragraphs(outcome.words), guidance=paragraphs(outcome.guidance),
            known=present.known(call.session),
            due=due_text(outcome.timeframe, outcome.due), finished=call.finished,
            errors=errors, entered=entered or {}, teams=present.teams(call.session),
            kinds=[(k, kind_label(k)) for k in OVERRIDE_KINDS], wrap=state.wrap_up,
            saved_search=state.last_search, summary_labels=SUMMARY_LABELS,
            search_labels=SEARCH_LABELS,
            earlier=[earlier_line(c, lambda code: fact_words(
                         compiled, "reason", code, call.session.language))
                     for c in (state.wrap_up.earlier_contacts if state.wrap_up else [])])

    def outcome_form_refused(self, request: Request, user: User, call: OpenCall,
                             errors: Sequence[tuple[str, str]], entered: Mapping[str, str]
                             ) -> HTMLResponse:
        """The outcome page again, with what was wrong in a form sent from it."""
        if call.state.outcome is None:
            raise CallError("The call has not reached an outcome yet.")
        return self.outcome_page(request, user, call, errors=errors, entered=entered,
                                 status=422)

    def check_page(self, request: Request, user: User, call: OpenCall) -> HTMLResponse:
        """Every answer so far, each with a change link."""
        door = self.door(request)
        present = Presenter(door.engine)
        rows = []
        for given in call.state.answered:
            view = door.engine.view_of(call.session, given["step"])
            rows.append({"step": given["step"], "title": view.title or view.step_id,
                         "answer": present.answer_text(view, given["answer"])})
        return self.render(request, "check.html", user=user, call=call.state, rows=rows,
                           known=present.known(call.session), finished=call.finished)
