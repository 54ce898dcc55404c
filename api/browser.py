"""What a browser sends and keeps: the session cookie (set in one place for both ways of
signing in), the token a request carries, whether a request says it came from this
service's own pages, and the address it came from."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

COOKIE = "triage_session"


def set_session_cookie(response: Response, request: Request, token: str,
                       session_hours: float) -> None:
    """Give the browser its session: HttpOnly, SameSite=Lax, and Secure over HTTPS.

    Both ways of signing in (the screen's form and ``POST /api/session``) use this, so the
    cookie is the same whichever set it.
    """
    response.set_cookie(COOKIE, token, max_age=int(session_hours * 3600), path="/",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")


def clear_session_cookie(response: Response, request: Request) -> None:
    """Tell the browser to forget its session cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")


def session_token(request: Request) -> str | None:
    """The session token from the cookie."""
    return request.cookies.get(COOKIE)


def presented_token(request: Request) -> tuple[str | None, bool]:
    """The session token a request carries, and whether it came in the cookie (rather
    than as ``Authorization: Bearer``)."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip(), False
    cookie = request.cookies.get(COOKIE)
    return cookie, cookie is not None


def sent_from_here(request: Request) -> bool | None:
    """Whether the browser says the request came from this service's own pages: True,
    False (from another site), or None (it said nothing either way).

    Browsers send ``Sec-Fetch-Site`` and ``Origin`` with every form and ``fetch`` POST, and
    a page cannot change them; an older browser may send only a ``Referer``. Each one
    sent must say this service ("same-origin", or this scheme, host and port).
    """
    expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
    said: list[bool] = []
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        said.append(fetch_site == "same-origin")
    origin = request.headers.get("origin")
    if origin is not None:
        said.append(origin == expected)
    else:
        referer = request.headers.get("referer")
        if referer:
            parts = urlsplit(referer)
            said.append(f"{parts.scheme}://{parts.netloc}" == expected)
    return all(said) if said else None


def request_address(request: Request) -> str | None:
    """The address a request came from. Behind a reverse proxy on another machine, set
    uvicorn's FORWARDED_ALLOW_IPS to the proxy's address, so that this is the address in
    its X-Forwarded-For header, not the proxy's own (127.0.0.1 is trusted by default)."""
    return request.client.host if request.client else None
