"""What every request meets before any route: a body over the limit is refused unread,
and an address that needs a signed-in user is refused without one (before its body is
read), as is a cookie-signed change that does not say it came from this service.

Plain ASGI: Starlette's ``@app.middleware("http")`` wraps every request in extra tasks and
streams, which cost more CPU per request than the checks themselves.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.browser import presented_token, sent_from_here
from api.routes.bodies import MAX_BODY
from api.routes.errors import error, refusal
from api.service import Authenticator
from triage.errors import ChangeFromElsewhere, NotSignedIn

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
USER_STATE = "triage_user"
"""Where :class:`SignedInFirst` leaves the signed-in user in the request's state."""


class LimitBody:
    """Refuse a body whose declared length is over MAX_BODY before any of it is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"content-length":
                    if not value.isdigit() or int(value) > MAX_BODY:
                        response = error(413, "body", "The request body is larger than "
                                         f"{MAX_BODY} bytes.")
                        await response(scope, receive, send)
                        return
                    break
        await self.app(scope, receive, send)


def needs_sign_in(method: str, path: str) -> bool:
    """True for the addresses that only a signed-in user may use: every ``/api`` route
    but signing in, and the OpenAPI document."""
    if path == "/openapi.json":
        return True
    return (path == "/api" or path.startswith("/api/")) and not (
        method == "POST" and path == "/api/session")


class SignedInFirst:
    """Refuse a request that needs a signed-in user and has none (401) before anything
    reads its body, and a change signed only by the session cookie that the browser does
    not say came from this service (403).

    FastAPI reads and decodes a route's body before it runs any dependency, so a sign-in
    check made in a dependency came too late: an anonymous request with a broken body
    was told about the body. The user found is left in the request's state
    (:data:`USER_STATE`) for the routes' role checks. A request with a bearer token is
    never a browser's cross-site request, so only cookie-signed changes need the origin.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not needs_sign_in(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token, by_cookie = presented_token(request)
        auth: Authenticator = scope["app"].state.front_door.auth
        user = auth.cached_user(token)
        if user is None and token:  # ask the database, off the event loop
            user = await run_in_threadpool(auth.user_of, token)
        if user is None:
            response = refusal(NotSignedIn(), scope["path"])
        elif (by_cookie and scope["method"] not in SAFE_METHODS
              and sent_from_here(request) is not True):
            response = refusal(ChangeFromElsewhere(), scope["path"])
        else:
            scope.setdefault("state", {})[USER_STATE] = user
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)
