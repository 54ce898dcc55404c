"""The screen's addresses and what each does with what is sent to it.

Every form is answered with a redirect once the service has saved the change
(Post/Redirect/Get); a form with a problem is answered with its page again, the problem
summarised at the top.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from api.browser import clear_session_cookie, request_address, set_session_cookie
from api.errors import answer_for
from api.service import OVERRIDE_KINDS, CallState, Channel, LinkStatus, OpenCall, Override, User
from api.service.calls import TAKE_OVER_REASON_LIMIT
from api.web.apidocs import mount_api_docs
from api.web.assets import mount_assets
from api.web.designer import add_designer_pages
from api.web.forms import (
    checked_form,
    clear_sign_in_cookie,
    form_answer,
    new_sign_in_token,
    posted_form,
    safe_next,
    same_answer,
    search_details,
    session_token,
    set_sign_in_cookie,
    sign_in_form_ok,
    sign_in_token,
    version_of,
)
from api.web.notices import Notice
from api.web.presenter import Presenter
from api.web.report_pages import add_report_pages
from api.web.reviews import add_review_pages
from api.web.routing import Router, show_errors_as_pages
from api.web.screen import CALL_ID, Screen, call_id_of
from api.web.texts import LANGUAGES, kind_label
from triage.errors import (
    CallError,
    ChangeFromElsewhere,
    SignInRefused,
    StaleUpdate,
    TooManyAttempts,
    TriageError,
)
from triage.vocabulary import StepKind

NOT_ANSWERED = "That question has not been answered in this call, so there is nothing to change."


def mount_screen(app: FastAPI) -> None:
    """Add the handler's screen, the GOV.UK Frontend assets and the API documentation
    (for signed-in users) to ``app``."""
    screen = Screen()
    app.state.screen = screen
    router = Router(app, screen)
    mount_api_docs(app, router)  # before /assets is mounted, which would hide its files
    mount_assets(app)
    show_errors_as_pages(app, screen)
    for add_pages in (add_sign_in_pages, add_start_pages, add_call_pages, add_outcome_pages,
                      add_designer_pages, add_review_pages, add_report_pages):
        add_pages(router)


def add_sign_in_pages(router: Router) -> None:
    """``/sign-in`` and ``/sign-out``."""
    screen = router.screen

    def sign_in_form(request: Request, token: str, status: int = 200, *,
                     errors: Sequence[tuple[str, str]] = (), username: str = "",
                     target: str = "/") -> Response:
        return screen.render(request, "sign_in.html", status, user=screen.user(request),
                             next=target, errors=list(errors), username=username,
                             sign_in_csrf=token)

    @router.page("/sign-in", "GET")
    def sign_in_page(request: Request) -> Response:
        token = sign_in_token(request) or new_sign_in_token()
        response = sign_in_form(request, token,
                                target=safe_next(request.query_params.get("next")))
        set_sign_in_cookie(response, request, token)
        return response

    @router.page("/sign-in", "POST")
    def sign_in(request: Request) -> Response:
        # A refused sign-in sets no cookie at all: not the session's, not the form's.
        form = posted_form(request)
        target = safe_next(str(form.get("next", "/")))
        username = str(form.get("username", "")).strip()[:80]
        password = str(form.get("password", ""))[:200]
        token = sign_in_token(request)
        if token is None or not sign_in_form_ok(request, form):
            screen.log.warning("sign_in_form_refused")
            page = answer_for(ChangeFromElsewhere(sign_in=True)).page
            return screen.problem(request, page.status, page.title, page.text)
        errors = []
        if not username:
            errors.append(("username", "Enter your user name"))
        if not password:
            errors.append(("password", "Enter your password"))
        if errors:
            return sign_in_form(request, token, 422, errors=errors, username=username,
                                target=target)
        auth = screen.door(request).auth
        try:
            result = auth.sign_in(username, password, request_address(request))
            if result is None:
                screen.log.info("sign_in_refused")
                raise SignInRefused()
        except (SignInRefused, TooManyAttempts) as exc:
            # What the table says: the status, the words by the user name, Retry-After.
            answer = answer_for(exc)
            response = sign_in_form(request, token, answer.page.status, username=username,
                                    target=target, errors=[("username", answer.page.text)])
            response.headers.update(answer.headers)
            return response
        session, user = result
        response = screen.redirect(request, target)
        set_session_cookie(response, request, session, auth.session_hours)
        clear_sign_in_cookie(response, request)
        screen.log.info("signed_in", user=user.username, role=user.role.value, via="screen")
        return response

    @router.page("/sign-out", "POST")
    def sign_out(request: Request) -> Response:
        # Anyone signed in may sign out, not only call handlers.
        user = screen.user(request)
        if user is None:
            return screen.to_sign_in(request)
        if checked_form(request) is None:
            return screen.forbidden_form(request, user)
        screen.door(request).auth.sign_out(session_token(request) or "")
        response = screen.redirect(request, "/sign-in")
        clear_session_cookie(response, request)
        return response


def add_start_pages(router: Router) -> None:
    """``/``, going to a call by its reference, and starting one."""
    screen = router.screen

    @router.handler_page("/")
    def home(request: Request, user: User) -> Response:
        return screen.home_page(request, user)

    @router.handler_page("/calls")
    def go_to_call(request: Request, user: User) -> Response:
        reference = re.sub(r"\s+", "", request.query_params.get("reference", "")).lower()
        if not CALL_ID.match(reference):
            return screen.home_page(request, user, 422, reference=reference,
                                    errors=[("reference", "Enter a call reference: 32 letters "
                                             "and numbers, as shown on the call's pages")])
        return screen.redirect(request, f"/calls/{reference}")

    @router.handler_form("/calls")
    def start_call(request: Request, user: User, form: FormData) -> Response:
        door = screen.door(request)
        pathways = door.library.entry_pathways()
        pathway = str(form.get("pathway", "")) or (pathways[0].id if len(pathways) == 1
                                                   else "")
        language = str(form.get("language", "en"))
        errors = []
        if pathway not in {p.id for p in pathways}:
            errors.append(("pathway", "Select the pathway to start"))
        if language not in dict(LANGUAGES):
            errors.append(("language", "Select the language of the call"))
        if errors:
            return screen.home_page(request, user, 422, errors=errors)
        try:
            state = door.calls.start(user, pathway, {}, language)
        except CallError as exc:
            return screen.refused(request, user, exc)
        return screen.redirect(request, f"/calls/{state.call_id}")


def add_call_pages(router: Router) -> None:
    """The questions, the person search, correcting answers, checking them, and taking
    over another handler's call."""
    screen = router.screen

    @router.call_page("/calls/{call_id}")
    def current(request: Request, user: User, call: OpenCall) -> Response:
        state = call.state
        if state.outcome is not None:
            return screen.redirect(request, f"/calls/{state.call_id}/outcome")
        return screen.call_page(request, user, call)

    @router.handler_form("/calls/{call_id}/take-over")
    def take_over(request: Request, user: User, form: FormData) -> Response:
        owner = screen.owner_of(request, user)
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
            screen.door(request).calls.take_over(user, call_id_of(request), version_of(form),
                                                 reason)
        except StaleUpdate:
            now = screen.owner_of(request, user)
            if isinstance(now, Response):
                return now
            screen.notify(request, Notice(
                "The call had changed",
                f"{now.owner_name} changed the call after this page was loaded, so it was "
                "not taken over. They may still be working on it: ask them first. Take it "
                "over only if they cannot carry on."))
            return screen.not_yours(request, user, now, reason=reason, status=409)
        except TriageError as exc:
            return screen.refused(request, user, exc)
        return screen.redirect(request, f"/calls/{call_id_of(request)}", Notice(
            "You have taken over this call",
            f"The call is now yours; {owner.owner_name} can no longer change it. Who took it "
            "over, when and why is kept with the call's record.", success=True))

    @router.call_form("/calls/{call_id}/answer")
    def answer(request: Request, user: User, form: FormData, call: OpenCall
               ) -> CallState | Response:
        state = call.state
        if state.step is None or str(form.get("step", "")) != state.step.state:
            # The form was for a step the call has moved past (another tab, a restart).
            raise StaleUpdate(current_version=state.version)
        view = state.step
        raw = form_answer(view, form)
        try:
            return screen.door(request).calls.answer(user, state.call_id, version_of(form),
                                                     view.state, raw)
        except CallError as exc:
            return screen.answer_refused(request, user, call, view, raw, exc)

    @router.call_form("/calls/{call_id}/search")
    def search(request: Request, user: User, form: FormData, call: OpenCall
               ) -> CallState | Response:
        state = call.state
        # From the change page of an answered person check, the search is made there.
        change_step = str(form.get("step", "")).strip()[:200] or None
        from_check = str(form.get("from", "")) == "check"
        details = search_details(form, user.username)
        in_wrap_up = state.wrap_up is not None and state.wrap_up.person_check_needed
        if in_wrap_up and change_step is None:
            if not details.given_fields():
                return screen.outcome_form_refused(request, user, call, [(
                    "nhs_number", "Enter the NHS number, or the name with the date of birth "
                    "or postcode, to search")], {"person": "open"})
            screen.door(request).calls.search(user, state.call_id, version_of(form), details)
            return screen.redirect(request, f"/calls/{state.call_id}/outcome#person-check")
        if not details.given_fields():
            if change_step is None and (state.step is None
                                        or state.step.kind != StepKind.LOOKUP):
                # The call moved on from the search.
                raise StaleUpdate(current_version=state.version)
            if change_step is not None and change_step not in {
                    a["step"] for a in state.answered}:
                raise CallError(NOT_ANSWERED)
            return screen.call_page(
                request, user, call, status=422, change_step=change_step,
                back_to=f"/calls/{state.call_id}/check" if from_check else None,
                from_check=from_check,
                errors=[("nhs_number", "Enter the NHS number, or the name with the date "
                         "of birth or postcode, to search")])
        screen.door(request).calls.search(user, state.call_id, version_of(form), details,
                                          change_step)
        if change_step is None:
            return screen.redirect(request, f"/calls/{state.call_id}#search-results")
        query = f"step={quote(change_step, safe='')}" + ("&from=check" if from_check else "")
        return screen.redirect(request,
                               f"/calls/{state.call_id}/change?{query}#search-results")

    @router.call_page("/calls/{call_id}/change")
    def change_page(request: Request, user: User, call: OpenCall) -> Response:
        state = call.state
        step = request.query_params.get("step", "")
        if step not in {a["step"] for a in state.answered}:
            return screen.refused(request, user, CallError(NOT_ANSWERED))
        back = (f"/calls/{state.call_id}/check" if request.query_params.get("from") == "check"
                else None)
        return screen.call_page(request, user, call, change_step=step, back_to=back)

    @router.call_form("/calls/{call_id}/change")
    def change(request: Request, user: User, form: FormData, call: OpenCall
               ) -> CallState | Response:
        state = call.state
        door = screen.door(request)
        step = str(form.get("step", ""))
        session = call.session
        view = door.engine.view_of(session, step)
        raw: Any = form_answer(view, form)
        before = [a["answer"] for a in state.answered if a["step"] == view.state]
        back_to_check = str(form.get("from", "")) == "check"
        if before and same_answer(before[-1], raw):
            if version_of(form) != state.version:
                raise StaleUpdate(current_version=state.version)
            return screen.redirect(request, f"/calls/{state.call_id}/check" if back_to_check
                                   else f"/calls/{state.call_id}")
        try:
            reason = str(form.get("reason", "")).strip()[:500] or None
            new_state = door.calls.change(user, state.call_id, version_of(form), step, raw,
                                          reason)
        except CallError as exc:
            return screen.answer_refused(request, user, call, view, raw, exc,
                                         change_step=step)
        if new_state.dropped:
            titles = []
            for name in new_state.dropped:
                try:
                    titles.append(door.engine.view_of(session, name).title or name)
                except CallError:
                    titles.append(name)
            screen.notify(request, Notice(
                "Answer changed",
                "These answers no longer apply and were removed: " + "; ".join(titles) + "."))
        else:
            screen.notify(request, Notice("Answer changed", "The answer was changed.",
                                          success=True))
        if back_to_check and new_state.outcome is not None:
            return screen.redirect(request, f"/calls/{state.call_id}/check")
        return new_state

    @router.call_page("/calls/{call_id}/check")
    def check(request: Request, user: User, call: OpenCall) -> Response:
        return screen.check_page(request, user, call)


def add_outcome_pages(router: Router) -> None:
    """What to tell the caller, sending the link, and finishing the call."""
    screen = router.screen

    @router.call_page("/calls/{call_id}/outcome")
    def outcome(request: Request, user: User, call: OpenCall) -> Response:
        state = call.state
        if state.outcome is None:
            return screen.redirect(request, f"/calls/{state.call_id}")
        return screen.outcome_page(request, user, call)

    @router.call_form("/calls/{call_id}/send-link")
    def send_link(request: Request, user: User, form: FormData, call: OpenCall
                  ) -> CallState | Response:
        state = call.state
        by = str(form.get("by", ""))
        to = str(form.get("to", "")).strip()
        errors = []
        if by not in tuple(Channel):
            errors.append(("by", "Select text message or email"))
        if not 3 <= len(to) <= 200:
            errors.append(("to", "Enter the mobile number or email address to send to"))
        if errors or state.outcome is None:
            return screen.outcome_form_refused(request, user, call, errors,
                                               {"by": by, "to": to})
        result = screen.door(request).links.send(user, state.call_id, to, by)
        how = "text message" if by == Channel.SMS else "email"
        status = result.get("status", LinkStatus.FAILED)
        if status == LinkStatus.SENT:
            notice = Notice("Link sent", f"The link was sent by {how}. "
                            f"GOV.UK Notify reference: {result.get('reference') or 'none'}.",
                            success=True)
        else:
            notice = Notice(f"Link {status}", f"{status.capitalize()}: {result.get('reason', '')}")
        if result.get("recorded"):  # sent, but the record of it could not be completed
            notice = Notice(notice.title, f"{notice.text} {result['recorded']}")
        return screen.redirect(request, f"/calls/{state.call_id}/outcome", notice)

    @router.call_form("/calls/{call_id}/finish")
    def finish(request: Request, user: User, form: FormData, call: OpenCall
               ) -> CallState | Response:
        state = call.state
        skipped = str(form.get("without_person_check", "")).strip()
        needed = state.wrap_up is not None and state.wrap_up.person_check_needed
        if needed and not skipped:
            return screen.outcome_form_refused(request, user, call, [(
                "without_person_check", "Do the person check above, or enter why it cannot "
                "be done, such as 'the caller would not say'")], {})
        if len(skipped) > 500:
            return screen.outcome_form_refused(request, user, call, [(
                "without_person_check", f"The reason is {len(skipped)} characters long; it "
                "must be 500 characters or fewer")], {"without_person_check": skipped})
        record = screen.door(request).contacts.finish(user, state.call_id, version_of(form),
                                                      None, skipped or None)
        count = len(record.get("contacts", [])) or 1
        return screen.redirect(request, f"/calls/{state.call_id}/outcome", Notice(
            "Contact recorded", "The contact record was written." if count == 1 else
            f"The {count} contact records (one for each need) were written.", success=True))

    @router.call_form("/calls/{call_id}/person")
    def confirm_person(request: Request, user: User, form: FormData, call: OpenCall
                       ) -> CallState | Response:
        state = call.state
        answer = str(form.get("answer", "")).strip()
        if not answer:
            return screen.outcome_form_refused(request, user, call, [(
                "person", "Select the person the caller means, or that they are not known "
                "or a possible match")], {"person": "open"})
        screen.door(request).calls.confirm_person(user, state.call_id, version_of(form),
                                                  answer)
        return screen.redirect(request, f"/calls/{state.call_id}/outcome#earlier-contacts",
                               Notice("Person check done", "The person check was recorded; "
                                      "the outcome is unchanged.", success=True))

    @router.call_form("/calls/{call_id}/needs")
    def add_need(request: Request, user: User, form: FormData, call: OpenCall
                 ) -> CallState | Response:
        state = call.state
        added = screen.door(request).calls.add_need(user, state.call_id, version_of(form))
        screen.notify(request, Notice(f"Need {added.need} added", "Ask the reason for this "
                                      "need. The red-flag answers are carried over; change "
                                      "one from the answers page to ask it again."))
        return added

    @router.call_form("/calls/{call_id}/override")
    def override(request: Request, user: User, form: FormData, call: OpenCall
                 ) -> CallState | Response:
        state = call.state
        kind = str(form.get("kind", ""))
        team = str(form.get("team", "")).strip() or None
        reason = str(form.get("reason", "")).strip()
        errors = []
        if kind not in OVERRIDE_KINDS:
            errors.append(("kind", "Select the outcome to use instead"))
        present = Presenter(screen.door(request).engine)
        if team is not None and team not in dict(present.teams(call.session)):
            errors.append(("team", "Select a team from the list, or no team"))
        if not reason:
            errors.append(("reason", "Enter why the suggested outcome is not right"))
        elif len(reason) > 2000:
            errors.append(("reason", f"The reason is {len(reason)} characters long; "
                           "it must be 2,000 characters or fewer"))
        skipped = str(form.get("without_person_check", "")).strip()[:500]
        if state.wrap_up is not None and state.wrap_up.person_check_needed and not skipped:
            errors.append(("override_without_person_check", "Do the person check above, or "
                           "enter why it cannot be done, such as 'the caller would not say'"))
        if errors:
            return screen.outcome_form_refused(
                request, user, call, errors,
                {"kind": kind, "team": team or "", "reason": reason, "override": "open",
                 "without_person_check": skipped})
        screen.door(request).contacts.finish(user, state.call_id, version_of(form),
                                             Override(kind, team, reason), skipped or None)
        return screen.redirect(request, f"/calls/{state.call_id}/outcome", Notice(
            "Contact recorded with a different outcome",
            f"The contact record was written with the outcome '{kind_label(kind)}' and your "
            "reason.", success=True))
