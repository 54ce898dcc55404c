"""The service's own addresses: the health check (no sign-in) and the OpenAPI document
(for signed-in users of any role; Swagger UI over it is the screen's ``/docs``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.routes.dependencies import AnyUser

router = APIRouter()


@router.get("/openapi.json", include_in_schema=False)
async def openapi_document(user: AnyUser, request: Request) -> JSONResponse:
    """The OpenAPI document, for signed-in users (any role)."""
    return JSONResponse(request.app.openapi())


@router.get("/health", tags=["service"])
def health() -> dict[str, str]:
    """Liveness: no sign-in needed."""
    return {"status": "ok"}
