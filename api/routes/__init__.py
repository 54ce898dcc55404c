"""The REST API: one router per area on module level, the dependencies they share, the
checks every request meets first, and the error answers.

- :mod:`~api.routes.session` (``/api/session``), :mod:`~api.routes.pathways`,
  :mod:`~api.routes.calls`, :mod:`~api.routes.contacts`, :mod:`~api.routes.docs`
  (``/health``, ``/openapi.json``): the routes, each a call into :mod:`api.service`
- :mod:`~api.routes.dependencies`: the signed-in user, roles and the service
- :mod:`~api.routes.guards`: body limit and sign-in before any route
- :mod:`~api.routes.errors`: every error as the one error body (:mod:`api.errors`)
- :mod:`~api.routes.bodies`, :mod:`~api.routes.openapi`: request bodies, and what the
  OpenAPI document says beyond the routes
"""

from __future__ import annotations

from fastapi import FastAPI

from api.routes import calls, contacts, docs, pathways, reports, reviews, session
from api.routes.errors import add_error_handlers
from api.routes.guards import LimitBody, SignedInFirst

ROUTERS = (docs.router, session.router, pathways.router, calls.router, contacts.router,
           reviews.router, reports.router)


def add_api(app: FastAPI) -> None:
    """Add the REST API to ``app``: its routes, the checks before them and its errors."""
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(LimitBody)
    # Added last, so it runs first: an anonymous request is refused before anything else.
    app.add_middleware(SignedInFirst)
    add_error_handlers(app)


__all__ = ["ROUTERS", "add_api"]
