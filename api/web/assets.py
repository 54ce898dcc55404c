"""The files the screen serves: GOV.UK Frontend's CSS, JavaScript and fonts (from the npm
package ``govuk-frontend``, ``npm ci``) and the screen's own module, at ``/assets``.
(Swagger UI, for the API documentation, is served beside them: :mod:`api.web.apidocs`.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
GOVUK_DIST = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"


def mount_assets(app: FastAPI) -> None:
    """Serve the CSS, JavaScript and fonts at ``/assets``."""
    for name in ("govuk-frontend.min.css", "govuk-frontend.min.js"):
        app.add_api_route(f"/assets/{name}", serve_file(GOVUK_DIST / name), methods=["GET"],
                          include_in_schema=False)
    app.add_api_route("/assets/screen.mjs", serve_file(TEMPLATES / "screen.mjs"),
                      methods=["GET"], include_in_schema=False)
    app.mount("/assets", StaticFiles(directory=GOVUK_DIST / "assets", check_dir=False),
              name="assets")


def serve_file(path: Path) -> Callable[[], Response]:
    """A route serving one file (a plain 404 when ``npm ci`` has not been run)."""
    def serve() -> Response:
        if not path.is_file():
            return Response("Not found: run 'npm ci' to install the npm packages.",
                            status_code=404, media_type="text/plain")
        media = {".css": "text/css", ".js": "text/javascript",
                 ".mjs": "text/javascript"}.get(path.suffix)
        return FileResponse(path, media_type=media,
                            headers={"Cache-Control": "public, max-age=3600"})
    return serve
