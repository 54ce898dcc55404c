"""Reading and checking what a form sent: the CSRF token and origin, the call version,
answers (dates in three boxes), and the person search.

Nothing here renders a page; :mod:`api.web.screen` decides what to show.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from api.browser import COOKIE, sent_from_here
from api.web.texts import sentence
from triage.calls import StepView
from triage.matching.port import SearchDetails
from triage.vocabulary import SEARCH_FIELDS, AnswerType, StepKind

SIGN_IN_COOKIE = "triage_sign_in"
"""The pre-session CSRF token of the sign-in form (there is no session to derive one from)."""
SIGN_IN_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
SIGN_IN_TOKEN_SECONDS = 2 * 3600
DATE_PARTS = ("day", "month", "year")
LOCAL_PATH = re.compile(r"^/[A-Za-z0-9/_.~%?&=+-]*$")


# --- the session, CSRF and origin -------------------------------------------------------

def session_token(request: Request) -> str | None:
    """The session token from the cookie."""
    return request.cookies.get(COOKIE)


def csrf_token(session_token: str) -> str:
    """The CSRF token for a session: only someone holding the session cookie can make it."""
    return hashlib.sha256(b"triage-screen-csrf:" + session_token.encode()).hexdigest()


def same_origin(request: Request) -> bool:
    """False when the browser says the form came from another site (a screen form also
    carries a CSRF token, so a browser that says nothing is let through to that check)."""
    return sent_from_here(request) is not False


def sign_in_token(request: Request) -> str | None:
    """The sign-in form's token from its cookie, if the browser has a well-formed one."""
    token = request.cookies.get(SIGN_IN_COOKIE, "")
    return token if SIGN_IN_TOKEN.match(token) else None


def new_sign_in_token() -> str:
    """A random token for the sign-in form: set in its cookie and sent in the form."""
    return secrets.token_urlsafe(32)


def set_sign_in_cookie(response: Response, request: Request, token: str) -> None:
    """Give the browser the sign-in form's token: only this service's own pages send it
    back (SameSite=Strict), and only to /sign-in."""
    response.set_cookie(SIGN_IN_COOKIE, token, max_age=SIGN_IN_TOKEN_SECONDS,
                        path="/sign-in", httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def clear_sign_in_cookie(response: Response, request: Request) -> None:
    """Forget the sign-in form's token (once signed in, the session's own token is used)."""
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in", httponly=True,
                           samesite="strict", secure=request.url.scheme == "https")


def sign_in_form_ok(request: Request, form: FormData) -> bool:
    """True when the sign-in form came from this service's sign-in page: the token in the
    form is the one in the browser's cookie (compared in constant time), and the browser
    does not say it came from another site.

    This stops "login CSRF": another site signing a handler's browser in as someone else.
    """
    token = sign_in_token(request)
    sent = str(form.get("csrf", ""))
    return (token is not None and same_origin(request)
            and hmac.compare_digest(sent.encode(), token.encode()))


def posted_form(request: Request) -> FormData:
    """The posted form (read before the page ran; empty for a GET)."""
    form: FormData = getattr(request.state, "form", None) or FormData()
    return form


def checked_form(request: Request) -> FormData | None:
    """The posted form, or None when its origin or CSRF token is wrong."""
    form = posted_form(request)
    token = session_token(request)
    sent = str(form.get("csrf", ""))
    if not token or not same_origin(request) or not hmac.compare_digest(
            sent, csrf_token(token)):
        return None
    return form


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in (never another site)."""
    if target and LOCAL_PATH.match(target) and not target.startswith("//"):
        return target
    return "/"


def version_of(form: FormData) -> int:
    """The call version a form was made from (0 when missing, which is always stale)."""
    raw = str(form.get("version", ""))
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 0


# --- answers ----------------------------------------------------------------------------

def date_parts(value: Any) -> tuple[str, str, str]:
    """(day, month, year) of an ISO date answer, for the date input."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", str(value or ""))
    if not match:
        return ("", "", "")
    year, month, day = match.groups()
    return (str(int(day)), str(int(month)), year)


def entered_date(raw: Any) -> tuple[str, str, str]:
    """(day, month, year) typed into a date input that did not make a date."""
    parts = str(raw or "").split("/")
    if len(parts) == 3:
        return (parts[0], parts[1], parts[2])
    return ("", "", "")


def form_answer(view: StepView, form: FormData) -> Any:
    """The answer a question form sent, in the shape the service takes."""
    if view.kind == StepKind.LOOKUP:
        return str(form.get("answer", ""))
    if view.answer_type == AnswerType.MULTI_CHOICE:
        return [str(v) for v in form.getlist("answer")]
    if view.answer_type == AnswerType.DATE:
        day, month, year = (str(form.get(f"answer-{p}", "")).strip() for p in DATE_PARTS)
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
    if view.kind == StepKind.LOOKUP:
        return "Select the person found, or say the person is not known or a possible match"
    match view.answer_type:
        case AnswerType.MULTI_CHOICE:
            return "Select at least one answer"
        case AnswerType.CHOICE | AnswerType.YES_NO | AnswerType.YES_NO_UNSURE:
            return "Select an answer"
        case AnswerType.DATE:
            return "Enter a date, for example 21 3 1948"
    return "Enter an answer"


def answer_problem(view: StepView, raw: Any, exc: Exception) -> str:
    """What to say about a refused answer: what to enter when a required answer was left
    out, else the service's reason."""
    return blank_message(view) if blank(raw) and view.required else sentence(str(exc))


def same_answer(before: Any, raw: Any) -> bool:
    """True when a changed answer is the one already given (so nothing needs to change)."""
    if isinstance(before, Mapping):
        before = before.get("person_id")
    if isinstance(before, list) and isinstance(raw, list):
        return sorted(map(str, before)) == sorted(map(str, raw))
    return isinstance(raw, str) and str(before) == raw


# --- the person search ------------------------------------------------------------------

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


def search_details(form: FormData, searcher: str) -> SearchDetails:
    """The details a person search form sent (the date of birth from its three boxes)."""
    entered: dict[str, Any] = {name: str(form.get(name, "")).strip()[:400]
                               for name in SEARCH_FIELDS if name != "date_of_birth"}
    dob = {part: str(form.get(f"dob-{part}", "")).strip()[:4] for part in DATE_PARTS}
    born = search_date(dob["day"], dob["month"], dob["year"])
    return SearchDetails(**{k: (v or None) for k, v in entered.items()},
                         date_of_birth=born, searcher=searcher)


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
