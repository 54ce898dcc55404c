"""Signing in and out over the API (``/api/session``)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.browser import (
    COOKIE,
    clear_session_cookie,
    request_address,
    set_session_cookie,
)
from api.routes.bodies import SignIn
from api.routes.dependencies import AnyUser, Bearer, Door
from api.routes.openapi import error_doc
from triage.adapters.audit import audit_logger
from triage.errors import SignInRefused

router = APIRouter(prefix="/api/session", tags=["sign-in"])
log = audit_logger()


@router.post("", responses={
    401: error_doc("The user name or password is wrong."),
    429: {**error_doc("Too many failed sign-ins for this user name or from this address; "
                      "the password was not checked. Wait as long as `Retry-After` says."),
          "headers": {"Retry-After": {"description": "Seconds to wait before trying again.",
                                      "schema": {"type": "integer"}}}}})
def sign_in(body: SignIn, request: Request, response: Response, door: Door) -> dict[str, str]:
    """Sign in; the token is returned and also set as an HttpOnly cookie (Secure over
    HTTPS). After 5 failures for a user name (or 20 from an address) in 15 minutes,
    attempts are refused with 429 for a time that doubles with each further attempt,
    up to 15 minutes (TRIAGE_SIGN_IN_* settings)."""
    result = door.auth.sign_in(body.username, body.password, request_address(request))
    if result is None:
        log.info("sign_in_refused")
        raise SignInRefused()
    token, user = result
    set_session_cookie(response, request, token, door.auth.session_hours)
    log.info("signed_in", user=user.username, role=user.role.value)
    return {"token": token, "role": user.role.value, "name": user.display_name}


@router.delete("")
def sign_out(user: AnyUser, request: Request, response: Response, creds: Bearer,
             door: Door) -> dict[str, str]:
    """Sign out."""
    token = creds.credentials if creds else request.cookies.get(COOKIE, "")
    door.auth.sign_out(token)
    clear_session_cookie(response, request)
    return {"status": "signed out"}
