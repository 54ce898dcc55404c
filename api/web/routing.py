"""Adding the screen's pages to the app.

Each page says what it needs by the decorator that adds it, and gets it already checked;
anyone else gets the page that says why not:

- ``page``: nothing (signing in and out check for themselves);
- ``handler_page``: the signed-in call handler (GET);
- ``role_page`` / ``role_form``: a signed-in user with one of the roles named (GET / POST,
  the form checked as for handlers);
- ``handler_form``: the handler and the form, its CSRF token and origin checked (POST);
- ``call_page``: the handler and their call in the page's address (GET), loaded once
  for the request (its state, session and status: :class:`~api.service.OpenCall`);
- ``call_form``: the handler, the checked form and their call, for a change to the call
  (POST); whatever the service refuses becomes its page (:meth:`Screen.refused`, from
  the one error table).

Every page runs in a worker thread and never shows a traceback.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.service import CallState, OpenCall, Role, User
from api.web.forms import checked_form
from api.web.screen import Screen
from triage.adapters.audit import failure_fields
from triage.errors import TriageError

Page = Callable[[Request], Response]
HandlerPage = Callable[[Request, User], Response]
HandlerForm = Callable[[Request, User, FormData], Response]
CallPage = Callable[[Request, User, OpenCall], Response]
CallForm = Callable[[Request, User, FormData, OpenCall], CallState | Response]
"""A change to a call: the page to show, or the call as it now is (to go on to)."""


class Router:
    """Adds pages to the app, each given what it needs (see the module's docstring)."""

    def __init__(self, app: FastAPI, screen: Screen) -> None:
        self.app = app
        self.screen = screen

    def page(self, path: str, method: str) -> Callable[[Page], Page]:
        """Add a page that checks who may see it itself."""
        def add(page: Page) -> Page:
            self.app.add_api_route(path, self._guarded(page), methods=[method],
                                   include_in_schema=False, response_class=HTMLResponse)
            return page
        return add

    def handler_page(self, path: str) -> Callable[[HandlerPage], HandlerPage]:
        """Add a page for the signed-in call handler."""
        def add(page: HandlerPage) -> HandlerPage:
            def run(request: Request) -> Response:
                user = self.screen.handler(request)
                return user if isinstance(user, Response) else page(request, user)
            self.page(path, "GET")(run)
            return page
        return add

    def handler_form(self, path: str) -> Callable[[HandlerForm], HandlerForm]:
        """Add a form for the signed-in call handler; a form that fails the CSRF or origin
        check changes nothing."""
        def add(page: HandlerForm) -> HandlerForm:
            def run(request: Request) -> Response:
                user = self.screen.handler(request)
                if isinstance(user, Response):
                    return user
                form = checked_form(request)
                if form is None:
                    return self.screen.forbidden_form(request, user)
                return page(request, user, form)
            self.page(path, "POST")(run)
            return page
        return add

    def role_page(self, path: str, *roles: Role) -> Callable[[HandlerPage], HandlerPage]:
        """Add a page for signed-in users with one of ``roles``; what the service refuses
        becomes its page."""
        def add(page: HandlerPage) -> HandlerPage:
            def run(request: Request) -> Response:
                user = self.screen.with_role(request, *roles)
                if isinstance(user, Response):
                    return user
                try:
                    return page(request, user)
                except TriageError as exc:
                    return self.screen.refused(request, user, exc)
            self.page(path, "GET")(run)
            return page
        return add

    def role_form(self, path: str, *roles: Role) -> Callable[[HandlerForm], HandlerForm]:
        """Add a form for signed-in users with one of ``roles``; a form that fails the CSRF
        or origin check changes nothing, and what the service refuses becomes its page."""
        def add(page: HandlerForm) -> HandlerForm:
            def run(request: Request) -> Response:
                user = self.screen.with_role(request, *roles)
                if isinstance(user, Response):
                    return user
                form = checked_form(request)
                if form is None:
                    return self.screen.forbidden_form(request, user)
                try:
                    return page(request, user, form)
                except TriageError as exc:
                    return self.screen.refused(request, user, exc)
            self.page(path, "POST")(run)
            return page
        return add

    def call_page(self, path: str) -> Callable[[CallPage], CallPage]:
        """Add a page of the handler's call."""
        def add(page: CallPage) -> CallPage:
            def run(request: Request, user: User) -> Response:
                call = self.screen.call(request, user)
                return call if isinstance(call, Response) else page(request, user, call)
            self.handler_page(path)(run)
            return page
        return add

    def call_form(self, path: str) -> Callable[[CallForm], CallForm]:
        """Add a form that changes the handler's call, then goes on to where the call is."""
        def add(change: CallForm) -> CallForm:
            def run(request: Request, user: User, form: FormData) -> Response:
                call = self.screen.call(request, user)
                if isinstance(call, Response):
                    return call
                try:
                    result = change(request, user, form, call)
                except TriageError as exc:
                    return self.screen.refused(request, user, exc)
                if isinstance(result, Response):
                    return result
                return self.screen.redirect(request, f"/calls/{result.call_id}")
            self.handler_form(path)(run)
            return change
        return add

    def _guarded(self, page: Page) -> Callable[[Request], Awaitable[Response]]:
        """Read any form, then run the page in a worker thread (the service layer blocks on
        the database and on password hashing); any unexpected failure becomes a plain page
        and the details go to the log only."""
        screen = self.screen

        async def run(request: Request) -> Response:
            try:
                if request.method == "POST":
                    request.state.form = await request.form()
                return await run_in_threadpool(page, request)
            except Exception as exc:  # never a traceback for the handler
                screen.log.error("screen_failed", path=request.url.path,
                                 **failure_fields(exc))
                text = ("Nothing more was changed. Reload the page to see the call as it was "
                        "last saved, or try again shortly.")
                try:
                    return screen.problem(request, 500, "Sorry, something went wrong", text,
                                          screen.user(request))
                except Exception:  # the database itself is failing: a page without it
                    return HTMLResponse(f"<!DOCTYPE html><html lang=\"en\"><title>Sorry, "
                                        f"something went wrong</title><h1>Sorry, something "
                                        f"went wrong</h1><p>{text}</p></html>", 500)
        return run


def show_errors_as_pages(app: FastAPI, screen: Screen) -> None:
    """Errors on the screen's addresses (an unknown page, say) are pages, not JSON."""
    previous = app.exception_handlers.get(StarletteHTTPException)

    async def page_errors(request: Request, exc: Exception) -> Response:
        path = request.url.path
        wants_html = "text/html" in request.headers.get("accept", "")
        if (isinstance(exc, StarletteHTTPException) and wants_html
                and not path.startswith(("/api", "/docs", "/openapi", "/health"))):
            title = "Page not found" if exc.status_code == 404 else "That could not be done"
            text = ("Check the address, or go back to the start." if exc.status_code == 404
                    else "Go back and try again.")
            return screen.problem(request, exc.status_code, title, text, screen.user(request))
        if previous is None:
            raise exc
        result = previous(request, exc)
        response: Response = await result if isinstance(result, Awaitable) else result
        return response

    app.add_exception_handler(StarletteHTTPException, page_errors)
