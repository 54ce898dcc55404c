"""Every error a REST request meets, answered with the one error body (``field``,
``reason``, ``current_version``) and never a traceback: the project's errors through the
table of :mod:`api.errors`, malformed requests with a sentence naming what was wrong,
and anything unexpected as the structured 500 (logged without its message)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import FAULT_REASON, answer_for
from api.routes.bodies import MAX_BODY
from triage.adapters.audit import audit_logger, failure_fields
from triage.errors import TriageError


def error(status: int, field: str, reason: str, current: int | None = None) -> JSONResponse:
    """A structured error response."""
    return JSONResponse(status_code=status, content={"error": {
        "field": field, "reason": reason, "current_version": current}})


def refusal(exc: TriageError, path: str) -> JSONResponse:
    """The answer to one of the project's errors, as the table says (a fault is logged as
    a failed request: its type and code, never its message)."""
    answer = answer_for(exc)
    if answer.fault:
        audit_logger().error("request_failed", path=path, **failure_fields(exc))
    return JSONResponse(answer.body(), status_code=answer.status, headers=dict(answer.headers))


def validation_reason(problem: dict[str, Any], where: str, *, sent_json: bool) -> str:
    """A sentence for one problem pydantic found in a request (``sent_json``: the body
    was sent as JSON)."""
    kind = str(problem.get("type", ""))
    place = str(problem.get("loc", ("body",))[0])
    if where == "body":
        if kind == "missing":
            return "The body is empty; send a JSON object with the request's fields."
        if kind in ("model_attributes_type", "dict_type"):
            if not sent_json:
                return ("The body must be JSON, sent with the header Content-Type: "
                        "application/json.")
            return "The body must be a JSON object (in braces), not a list or a value."
    if kind == "missing":
        return f"'{where}' is required."
    if kind == "extra_forbidden":
        return f"'{where}' is not a field of this request."
    message = str(problem.get("msg", "is not valid")).rstrip(".")
    value = problem.get("input")
    if place in ("query", "path") and isinstance(value, str) and len(value) <= 40:
        return f"{message}; {where.partition('.')[2]} was {value!r}."
    return f"{message}."


def body_reason(cause: BaseException | None) -> str:
    """Why a body could not be decoded as JSON, as a sentence."""
    if isinstance(cause, UnicodeDecodeError):
        return (f"The body is not valid JSON: it is not UTF-8 text (byte {cause.start} "
                "cannot be read).")
    if isinstance(cause, RecursionError):
        return "The body is not valid JSON that can be read: it is nested too deeply."
    return "The body could not be read as JSON."


async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """A request pydantic refused: its first problem, as a sentence naming the field."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first: dict[str, Any] = dict(errors[0]) if errors else {"loc": ("body",), "msg": "invalid"}
    if first.get("type") == "json_invalid":
        return error(422, "body", "The body is not valid JSON: "
                     f"{first.get('ctx', {}).get('error', 'it cannot be parsed')}.")
    # Body fields by their names ("version"); parameters with where they were sent
    # ("query.limit", "path.contact_id").
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    sent_json = "json" in request.headers.get("content-type", "").lower()
    return error(422, where, validation_reason(first, where, sent_json=sent_json))


async def refused(request: Request, exc: Exception) -> JSONResponse:
    """One of the project's errors, raised by a route or a dependency."""
    assert isinstance(exc, TriageError)
    return refusal(exc, request.url.path)


async def http_error(_request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own errors (an unknown address, a body too large or undecodable)."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 413:  # a chunked body over the routes' limit
        return error(413, "body", f"The request body is larger than {MAX_BODY} bytes.")
    if exc.status_code == 400 and exc.__cause__ is not None:
        # FastAPI's own answer to a body it could not decode (not UTF-8, nested too
        # deeply): the 422 with a sentence that every other malformed body gets.
        return error(422, "body", body_reason(exc.__cause__))
    if isinstance(exc.detail, dict):
        return JSONResponse(status_code=exc.status_code, content={"error": exc.detail},
                            headers=exc.headers)
    return error(exc.status_code, "request", str(exc.detail))


async def failed(request: Request, exc: Exception) -> JSONResponse:
    """Anything unexpected (the database down, say): a structured answer, and one log line
    with the error's type, code and a fixed description, never its message (a database
    error quotes the call's JSON or the refused row). The request's change was not made:
    every change is one transaction, rolled back on any error."""
    audit_logger().error("request_failed", path=request.url.path, **failure_fields(exc))
    return error(500, "service", FAULT_REASON)


def add_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` with the error body."""
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(TriageError, refused)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, failed)
