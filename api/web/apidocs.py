"""The API documentation for signed-in users: ``/docs`` (Swagger UI) over ``/openapi.json``.

Swagger UI comes from the npm package ``swagger-ui-dist`` (``npm ci``) and is served from
this service at ``/assets/swagger-ui/``, beside GOV.UK Frontend, so the page loads nothing
from anywhere else. It runs under a strict Content Security Policy: scripts, styles,
fonts and requests from this site only, no inline script. (FastAPI's own ``/docs`` loads
Swagger UI from a public CDN with an inline script, and its ``/redoc`` ReDoc, which needs
inline styles; both are switched off, and ReDoc is not offered.)

Someone who is not signed in is sent to the sign-in page and back; the OpenAPI document
itself needs a signed-in user like every ``/api`` route (``api.routes.guards.SignedInFirst``).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from api.web.assets import ROOT, TEMPLATES, serve_file
from api.web.routing import Router

SWAGGER_UI = ROOT / "node_modules" / "swagger-ui-dist"
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; connect-src 'self'; object-src 'none'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")


def mount_api_docs(app: FastAPI, router: Router) -> None:
    """Add ``/docs`` and Swagger UI's files to ``app``."""
    for name in ("swagger-ui.css", "swagger-ui-bundle.js"):
        app.add_api_route(f"/assets/swagger-ui/{name}", serve_file(SWAGGER_UI / name),
                          methods=["GET"], include_in_schema=False)
    app.add_api_route("/assets/api-docs.js", serve_file(TEMPLATES / "api-docs.js"),
                      methods=["GET"], include_in_schema=False)
    screen = router.screen

    @router.page("/docs", "GET")
    def api_docs(request: Request) -> Response:
        user = screen.user(request)
        if user is None:
            return screen.to_sign_in(request)
        html = screen.env.get_template("api_docs.html").render(title=app.title, user=user)
        return HTMLResponse(html, headers={
            "Content-Security-Policy": DOCS_CSP, "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"})
