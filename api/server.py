"""The service's process: uvicorn, with logs that hold no personal details on any path.

Every line the process writes is a JSON audit line under :mod:`triage.adapters.audit`'s rules:
the service's own events, uvicorn's error and access records and the libraries' warnings
(:func:`triage.adapters.audit.route_standard_logging`), and anything that escapes. None of them
holds an exception's message or a traceback, because those quote what failed: the call's
JSON, a refused row, a search.

One path needs more than a log handler. Starlette's ``ServerErrorMiddleware`` answers an
unexpected error with the app's catch-all handler (the structured 500 or the problem
page, and one redacted log line) and then raises the error again "so that servers can log
it". :class:`AnsweredErrors` is the outermost layer and stops it there, so uvicorn neither
logs it nor drops the client's kept-alive connection.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from triage.adapters.audit import (
    audit_logger,
    configure_logging,
    failure_fields,
    route_standard_logging,
)

FAILED_BODY = (b'{"error":{"field":"service","reason":"The service could not do this just '
               b'now; nothing was changed. Try again shortly.","current_version":null}}')


class AnsweredErrors:
    """ASGI wrapper: an error the app has already answered goes no further.

    Should the app's own handler have failed too, so that nothing was answered, the
    client gets the structured 500 and the log one redacted line. A failure to start or
    stop is told to uvicorn as its type and description only (Starlette's lifespan sends
    the whole traceback as the message).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = audit_logger()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, self._lifespan_send(send))
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            if started:  # answered by the app, which logged it
                return
            self.log.error("request_failed", path=str(scope.get("path", "")),
                           **failure_fields(exc))
            if scope["type"] == "http":
                await send({"type": "http.response.start", "status": 500,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(FAILED_BODY)).encode())]})
                await send({"type": "http.response.body", "body": FAILED_BODY})

    def _lifespan_send(self, send: Send) -> Callable[[Message], Awaitable[None]]:
        async def sending(message: Message) -> None:
            if message["type"] in ("lifespan.startup.failed", "lifespan.shutdown.failed"):
                exc = sys.exc_info()[1]  # Starlette sends this while handling the error
                fields = failure_fields(exc) if exc else {"error": "unknown",
                                                           "description": "unknown"}
                doing = "start" if message["type"] == "lifespan.startup.failed" else "stop"
                self.log.error(f"service_failed_to_{doing}", **fields)
                message = {**message, "message": f"The service could not {doing}: "
                           f"{fields['description']} ({fields['error']})."}
            await send(message)
        return sending


def log_uncaught_exceptions() -> None:
    """An exception nobody caught (in any thread, or in a finaliser) becomes one redacted
    line, not a traceback on standard error."""
    log = audit_logger()

    def main_thread(kind: type[BaseException], exc: BaseException,
                    tb: TracebackType | None) -> None:
        if isinstance(exc, KeyboardInterrupt):
            return
        log.error("uncaught_exception", thread="main", **failure_fields(exc))

    def other_thread(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            log.error("uncaught_exception", thread="worker", **failure_fields(args.exc_value))

    def unraisable(args: Any) -> None:
        if args.exc_value is not None:
            log.error("unraisable_exception", **failure_fields(args.exc_value))

    sys.excepthook = main_thread
    threading.excepthook = other_thread
    sys.unraisablehook = unraisable


def serve(app: ASGIApp, host: str, port: int, *, access_lines: bool = False) -> None:
    """Run ``app`` under uvicorn with every log line redacted (``access_lines``: one line
    per request too, with its method, path and status, never its query string)."""
    configure_logging()
    route_standard_logging(access_lines=access_lines)
    log_uncaught_exceptions()
    # log_config=None: uvicorn keeps the handlers set above instead of its own, which
    # print tracebacks and full request lines.
    uvicorn.run(AnsweredErrors(app), host=host, port=port, log_config=None, log_level=None,
                access_log=access_lines)
