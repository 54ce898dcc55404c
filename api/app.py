"""The FastAPI service: the REST API (``/api``), health check, and the handler's screen.

Run it with ``make serve`` (or ``python -m api``). On the embedded default it keeps calls
and contact records in SQLite under ``var/``, reads pathways and scripts from disk, builds
the demo client index (the synthetic people of ``data/demo-clients.csv``) and prints a
demo sign-in for each role.

Every ``/api`` route but signing in, and the API documentation (``/openapi.json``,
``/docs``), need a signed-in user; :class:`SignedInFirst` checks that before anything
reads a request's body.
"""


import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from api.browser import (
    COOKIE,
    clear_session_cookie,
    request_address,
    sent_from_here,
    set_session_cookie,
)
from api.notify import Notifier
from api.service import (
    Authenticator,
    CallState,
    FrontDoor,
    Override,
    PathwayLibrary,
    Role,
    SignInLimits,
    User,
    hash_password,
)
from api.storage import SqlRepository, database_url, make_engine, migrate
from api.web import mount_screen
from triage.adapters.audit import audit_logger, failure_fields
from triage.errors import (
    CallError,
    NotYourCall,
    PathwaysNotStored,
    PathwayVersionNotLoaded,
    RestoreError,
    StaleUpdate,
    TooManyAttempts,
    UnknownCall,
    UnknownContact,
)
from triage.matching.port import ClientIndex, SearchDetails
from triage.pipeline import settle_memory
from triage.plaindata import plain

ROOT = Path(__file__).resolve().parent.parent
MAX_BODY = 64 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
USER_STATE = "triage_user"
"""Where :class:`SignedInFirst` leaves the signed-in user in the request's state."""


class Settings(BaseSettings):
    """Service settings, from TRIAGE_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_")

    database_url: str | None = None
    home: Path = ROOT / "var"
    paths: list[Path] = [ROOT / "pathways", ROOT / "scripts"]
    clients_db: str | None = None
    demo_password: str | None = None
    session_hours: float = 8.0
    session_cache_seconds: float = 5.0
    reload_seconds: float = 2.0
    notify_api_key: str | None = None
    notify_sms_template: str | None = None
    notify_email_template: str | None = None
    # Sign-in throttling (api.auth.SignInLimits): failures allowed per user name and per
    # address within the window, then refused for a time that doubles up to the longest.
    sign_in_user_limit: int = Field(default=5, ge=1)
    sign_in_address_limit: int = Field(default=20, ge=1)
    sign_in_window_seconds: float = Field(default=900.0, gt=0)
    sign_in_first_block_seconds: float = Field(default=60.0, gt=0)
    sign_in_longest_block_seconds: float = Field(default=900.0, gt=0)

    def sign_in_limits(self) -> SignInLimits:
        """The sign-in limits these settings give."""
        return SignInLimits(
            per_user=self.sign_in_user_limit, per_address=self.sign_in_address_limit,
            window_seconds=self.sign_in_window_seconds,
            first_block_seconds=self.sign_in_first_block_seconds,
            longest_block_seconds=max(self.sign_in_longest_block_seconds,
                                      self.sign_in_first_block_seconds))


class ErrorBody(BaseModel):
    """A refused request: which field, why, and for a stale update the current version."""

    field: str
    reason: str
    current_version: int | None = None


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorBody


def error(status: int, field: str, reason: str, current: int | None = None) -> JSONResponse:
    """A structured error response."""
    return JSONResponse(status_code=status, content={"error": {
        "field": field, "reason": reason, "current_version": current}})


class Strict(BaseModel):
    """Request bodies: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class SignIn(Strict):
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class StartCall(Strict):
    pathway: str = Field(min_length=1, max_length=64)
    facts: dict[str, str | list[str]] = Field(default_factory=dict)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}$")


class Versioned(Strict):
    version: int = Field(ge=1, description="The call version this change is made from.")


class Answer(Versioned):
    step: str = Field(min_length=1, max_length=200)
    answer: str | list[str] | None = Field(default=None)


class Change(Versioned):
    step: str = Field(min_length=1, max_length=200)
    answer: str | list[str] | None = Field(default=None)


class Search(Versioned):
    step: str | None = Field(default=None, max_length=200, description=(
        "The person-check step to search from when correcting it (check your answers); "
        "by default the step the call is at."))
    nhs_number: str | None = Field(default=None, max_length=40)
    given_name: str | None = Field(default=None, max_length=200)
    family_name: str | None = Field(default=None, max_length=200)
    date_of_birth: str | None = Field(default=None, max_length=40)
    postcode: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=400)


class OverrideIn(Strict):
    kind: str = Field(min_length=1, max_length=40)
    team: str | None = Field(default=None, max_length=64)
    reason: str = Field(min_length=1, max_length=2000)


class Finish(Versioned):
    override: OverrideIn | None = None


class TakeOver(Versioned):
    reason: str = Field(min_length=1, max_length=500,
                        description="Why you are taking the call over; kept in its record.")


class SendLink(Strict):
    by: str = Field(pattern=r"^(sms|email)$")
    to: str = Field(min_length=3, max_length=200)


CALL_STATE_DOC: dict[int | str, dict[str, Any]] = {200: {
    "model": CallState,
    "description": "The call now. At a person check, `last_search` is the latest search "
                   "made there: the details given, the people found, advice and what is "
                   "missing."}}


def state_out(state: CallState) -> dict[str, Any]:
    """A call state as JSON-ready values."""
    out: dict[str, Any] = plain(state)
    return out


class LimitBody:
    """Refuse a body whose declared length is over MAX_BODY before any of it is read.

    Plain ASGI: Starlette's ``@app.middleware("http")`` wraps every request in extra tasks
    and streams, which cost more CPU per request than the check itself.
    """

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


NOT_SIGNED_IN = {"field": "authorization", "reason": "Sign in first (or your session has "
                 "expired).", "current_version": None}
FROM_ELSEWHERE = {"field": "origin", "reason": (
    "This change was refused because the browser did not say it came from this service's "
    "own pages (no matching Origin, Referer or Sec-Fetch-Site header); nothing was changed. "
    "Send it from this service, or sign in with a bearer token instead of the cookie."),
    "current_version": None}


def needs_sign_in(method: str, path: str) -> bool:
    """True for the addresses that only a signed-in user may use: every ``/api`` route
    but signing in, and the OpenAPI document."""
    if path == "/openapi.json":
        return True
    return (path == "/api" or path.startswith("/api/")) and not (
        method == "POST" and path == "/api/session")


def presented_token(request: Request) -> tuple[str | None, bool]:
    """The session token a request carries, and whether it came in the cookie (rather
    than as ``Authorization: Bearer``)."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip(), False
    cookie = request.cookies.get(COOKIE)
    return cookie, cookie is not None


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
        auth: Authenticator = scope["app"].state.auth
        user = auth.cached_user(token)
        if user is None and token:  # ask the database, off the event loop
            user = await run_in_threadpool(auth.user_of, token)
        if user is None:
            response = JSONResponse({"error": NOT_SIGNED_IN}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
        elif (by_cookie and scope["method"] not in SAFE_METHODS
              and sent_from_here(request) is not True):
            response = JSONResponse({"error": FROM_ELSEWHERE}, status_code=403)
        else:
            scope.setdefault("state", {})[USER_STATE] = user
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


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


def error_doc(description: str) -> dict[str, Any]:
    """An error response in the OpenAPI document."""
    return {"model": ErrorOut, "description": description}


NO_CALL: dict[int | str, dict[str, Any]] = {404: error_doc("There is no call with this id.")}
CALL_MOVED: dict[int | str, dict[str, Any]] = {409: error_doc(
    "The call has moved on since `version` (the error's `current_version` says where it "
    "is now), or it was started on a pathway version that is not loaded.")}
NOT_LOADED: dict[int | str, dict[str, Any]] = {409: error_doc(
    "The call was started on a pathway version that is not loaded.")}


def call_links(*targets: str) -> dict[str, Any]:
    """OpenAPI links from an answer holding a call state to the operations on that call,
    so a client (or a property-based test) can chain "start a call" into "answer it"."""
    call_id = {"call_id": "$response.body#/call_id"}
    versioned = {"version": "$response.body#/version"}
    bodies: dict[str, dict[str, Any]] = {
        "get_call": {},
        "answer": {**versioned, "step": "$response.body#/step/step_id"},
        "back": versioned,
        "change": versioned,
        "search": versioned,
        "finish": versioned,
        "take_over": versioned,
        "send_link": {},
    }
    links: dict[str, Any] = {}
    for target in targets:
        link: dict[str, Any] = {"operationId": target, "parameters": call_id,
                                "description": f"{target.replace('_', ' ')} this call"}
        if bodies[target]:
            link["requestBody"] = bodies[target]
        links[target] = link
    if "answer" in targets:
        links["answer_with_first_choice"] = {
            "operationId": "answer", "parameters": call_id,
            "description": "Answer the current question with its first choice.",
            "requestBody": {**bodies["answer"],
                            "answer": "$response.body#/step/choices/0/code"}}
    return links


ON_A_CALL = ("get_call", "answer", "back", "change", "search", "finish", "take_over",
             "send_link")


def state_doc(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """An answer with the call's state, linked to the operations on the call."""
    return {status: {**CALL_STATE_DOC[200], "links": call_links(*ON_A_CALL)}}


def call_doc(*, changes: bool = True) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI responses of an operation on a call that answers with its state: 404,
    and 409 for a change made from an old version (or a call that cannot be restored)."""
    return {**state_doc(), **NO_CALL, **(CALL_MOVED if changes else NOT_LOADED)}


def demo_clients(settings: Settings) -> ClientIndex:
    """The client index: TRIAGE_CLIENTS_DB, or the demo index (data/demo-clients.csv
    imported into the home folder on first use; the same people as ``triage call``)."""
    from triage.adapters.clients import open_client_index, open_demo_index

    if settings.clients_db:
        return open_client_index(settings.clients_db)
    return open_demo_index(settings.home)


def build_app(settings: Settings | None = None, *, notifier: Notifier | None = None) -> FastAPI:
    """The service, configured from ``settings`` (environment variables by default)."""
    settings = settings or Settings()
    log = audit_logger()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url(settings.database_url, settings.home)
        migrate(url)
        store = SqlRepository(make_engine(url))
        library = PathwayLibrary(settings.paths, archive=store)
        library.remember_archived()
        library.reload()
        library.restore_archived()
        settle_memory()
        auth = Authenticator(store, settings.session_hours, settings.session_cache_seconds,
                             limits=settings.sign_in_limits())
        password = settings.demo_password or secrets.token_urlsafe(9)
        for role in Role:
            store.put_user(f"demo-{role.value}", f"Demo {role.value}", role.value,
                           hash_password(password))
        print(f"Demo sign-in (synthetic data only): demo-handler, demo-designer or "
              f"demo-supervisor with password {password}", flush=True)
        clients = demo_clients(settings)
        app.state.front_door = FrontDoor.over(
            store, library, clients,
            notifier or Notifier(settings.notify_api_key, settings.notify_sms_template,
                                 settings.notify_email_template), auth)
        app.state.auth = auth
        app.state.settings = settings

        async def watch() -> None:
            while True:
                await asyncio.sleep(settings.reload_seconds)
                try:
                    await asyncio.to_thread(library.reload_if_changed)
                except Exception as exc:
                    # Whatever went wrong, keep watching: a watcher that died silently
                    # never took up a changed file again. (Cancellation is not an Exception.)
                    log.error("pathway_watch_failed", error=type(exc).__name__,
                              reason=str(exc) if isinstance(exc, PathwaysNotStored) else None)

        task = asyncio.create_task(watch())
        try:
            yield
        finally:
            task.cancel()
            # Close pooled connections at shutdown (they were left to the garbage collector).
            store.engine.dispose()
            close = getattr(clients, "close", None)
            if close is not None:
                close()

    app = FastAPI(title="Front-door triage", version="0.1.0", lifespan=lifespan,
                  description="Guided front-door calls for adult social care. Every route "
                  "except /health, POST /api/session (signing in) and /assets needs a "
                  "signed-in user, and so does this document. A change signed in by the "
                  "session cookie (rather than a bearer token) must come from this "
                  "service's own pages (Origin, Referer or Sec-Fetch-Site).",
                  # Served below to signed-in users only, with Swagger UI from the
                  # project's own npm packages (api/web/apidocs.py); no ReDoc.
                  docs_url=None, redoc_url=None, openapi_url=None,
                  # Operation ids are the route functions' names ("start_call"), which
                  # the OpenAPI links between operations refer to.
                  generate_unique_id_function=lambda route: route.name,
                  responses={
                      401: error_doc("Not signed in, or the session has expired."),
                      403: error_doc("Signed in with a role that may not do this, the "
                                     "call belongs to another handler, or a change signed "
                                     "by the cookie came from another site."),
                      413: error_doc(f"The body is larger than {MAX_BODY} bytes."),
                      422: error_doc("A malformed body (not JSON, not UTF-8, a wrong "
                                     "type or an unknown field), or a request the call "
                                     "cannot take; `field` names what was wrong."),
                      500: error_doc("Something outside the request failed (the database, "
                                     "say); nothing was changed.")})

    # The routes' own limit also bounds bodies sent without a Content-Length (chunked),
    # which the middleware below cannot see; without it such a body was read whole.
    app.router.max_body_size = MAX_BODY

    app.add_middleware(LimitBody)
    # Added last, so it runs first: an anonymous request is refused before anything else.
    app.add_middleware(SignedInFirst)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first: dict[str, Any] = dict(errors[0]) if errors else {"loc": ("body",),
                                                                "msg": "invalid"}
        if first.get("type") == "json_invalid":
            return error(422, "body", "The body is not valid JSON: "
                         f"{first.get('ctx', {}).get('error', 'it cannot be parsed')}.")
        # Body fields by their names ("version"); parameters with where they were sent
        # ("query.limit", "path.contact_id").
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
        sent_json = "json" in request.headers.get("content-type", "").lower()
        return error(422, where, validation_reason(first, where, sent_json=sent_json))

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> JSONResponse:
        # Anything unexpected (the database down, say): a structured answer, and one log
        # line with the error's type, code and a fixed description, never its message (a
        # database error quotes the call's JSON or the refused row). The request's change
        # was not made: every change is one transaction, rolled back on any error.
        log.error("request_failed", path=request.url.path, **failure_fields(exc))
        return error(500, "service", "The service could not do this just now; nothing was "
                     "changed. Try again shortly.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
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

    bearer = HTTPBearer(auto_error=False)

    async def current_user(request: Request,
                           creds: Annotated[HTTPAuthorizationCredentials | None,
                                            Depends(bearer)]) -> User:
        # SignedInFirst has already found the user of every route that needs one; the
        # bearer dependency is here for the OpenAPI document's security scheme.
        found: User | None = getattr(request.state, USER_STATE, None)
        if found is not None:
            return found
        token = creds.credentials if creds else request.cookies.get(COOKIE)
        auth: Authenticator = request.app.state.auth
        user = auth.cached_user(token)
        if user is None:  # ask the database, off the event loop
            user = await run_in_threadpool(auth.user_of, token)
        if user is None:
            raise HTTPException(401, NOT_SIGNED_IN, headers={"WWW-Authenticate": "Bearer"})
        return user

    # The role check and the front door are async: they never block, and a sync dependency
    # costs a hop to the threadpool on every request.
    def needs(*roles: Role) -> Callable[[User], Awaitable[User]]:
        async def check(user: Annotated[User, Depends(current_user)]) -> User:
            if user.role not in roles:
                raise HTTPException(403, {"field": "role", "reason": (
                    f"This needs the role {' or '.join(r.value for r in roles)}; you are "
                    f"signed in as a {user.role.value}."), "current_version": None})
            return user
        return check

    Handler = Annotated[User, Depends(needs(Role.HANDLER))]
    Designer = Annotated[User, Depends(needs(Role.DESIGNER))]
    Supervisor = Annotated[User, Depends(needs(Role.SUPERVISOR))]
    AnyUser = Annotated[User, Depends(needs(Role.HANDLER, Role.DESIGNER, Role.SUPERVISOR))]

    async def front_door(request: Request) -> FrontDoor:
        door: FrontDoor = request.app.state.front_door
        return door

    Door = Annotated[FrontDoor, Depends(front_door)]

    def refused(exc: Exception) -> HTTPException:
        if isinstance(exc, StaleUpdate):
            return HTTPException(409, {"field": "version", "reason": str(exc),
                                       "current_version": exc.current_version})
        if isinstance(exc, NotYourCall):
            return HTTPException(403, {"field": "call_id", "reason": (
                f"{exc} To take it over, send POST /api/calls/{exc.call_id}/take-over with "
                "the call's version and your reason (a 409 answer gives the current "
                "version)."), "current_version": None})
        if isinstance(exc, UnknownCall):
            return HTTPException(404, {"field": "call_id", "reason": "There is no call with "
                                       "this id.", "current_version": None})
        if isinstance(exc, PathwayVersionNotLoaded):
            return HTTPException(409, {"field": "pathway", "reason": str(exc),
                                       "current_version": None})
        if isinstance(exc, CallError):
            return HTTPException(422, {"field": exc.step or exc.field, "reason": str(exc),
                                       "current_version": None})
        if isinstance(exc, RestoreError):
            return HTTPException(409, {"field": "call", "reason": str(exc),
                                       "current_version": None})
        raise exc

    def run(action: Callable[[], Any]) -> Any:
        try:
            return action()
        except (StaleUpdate, UnknownCall, NotYourCall, CallError, RestoreError) as exc:
            raise refused(exc) from exc

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi_document(user: AnyUser) -> JSONResponse:
        """The OpenAPI document, for signed-in users (any role)."""
        return JSONResponse(app.openapi())

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        """Liveness: no sign-in needed."""
        return {"status": "ok"}

    @app.post("/api/session", tags=["sign-in"], responses={
        401: error_doc("The user name or password is wrong."),
        429: {**error_doc("Too many failed sign-ins for this user name or from this "
                          "address; the password was not checked. Wait as long as "
                          "`Retry-After` says."),
              "headers": {"Retry-After": {"description": "Seconds to wait before trying "
                                          "again.", "schema": {"type": "integer"}}}}})
    def sign_in(body: SignIn, request: Request, response: Response) -> dict[str, str]:
        """Sign in; the token is returned and also set as an HttpOnly cookie (Secure over
        HTTPS). After 5 failures for a user name (or 20 from an address) in 15 minutes,
        attempts are refused with 429 for a time that doubles with each further attempt,
        up to 15 minutes (TRIAGE_SIGN_IN_* settings)."""
        try:
            result = request.app.state.auth.sign_in(body.username, body.password,
                                                    request_address(request))
        except TooManyAttempts as exc:
            raise HTTPException(429, {"field": "username" if exc.limit == "user name"
                                      else "address", "reason": str(exc),
                                      "current_version": None},
                                headers={"Retry-After": str(exc.retry_after)}) from exc
        if result is None:
            log.info("sign_in_refused")
            raise HTTPException(401, {"field": "password", "reason": "The user name or "
                                      "password is wrong.", "current_version": None})
        token, user = result
        set_session_cookie(response, request, token, settings.session_hours)
        log.info("signed_in", user=user.username, role=user.role.value)
        return {"token": token, "role": user.role.value, "name": user.display_name}

    @app.delete("/api/session", tags=["sign-in"])
    def sign_out(user: AnyUser, request: Request, response: Response,
                 creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
                 ) -> dict[str, str]:
        """Sign out."""
        token = creds.credentials if creds else request.cookies.get(COOKIE, "")
        request.app.state.auth.sign_out(token)
        clear_session_cookie(response, request)
        return {"status": "signed out"}

    @app.get("/api/pathways", tags=["pathways"])
    def list_pathways(user: AnyUser, door: Door) -> list[dict[str, Any]]:
        """Loaded pathway versions with their status and Mermaid diagram."""
        return [{**asdict(p), "diagram": door.library.diagram(p.id, p.version)}
                for p in door.library.listing()]

    @app.get("/api/pathways/problems", tags=["pathways"])
    def pathway_problems(user: Designer, door: Door) -> dict[str, Any]:
        """Problems from the last reload (empty when the files on disk are in use)."""
        return {"problems": [str(p) for p in door.library.problems]}

    @app.post("/api/pathways/reload", tags=["pathways"], responses={503: {
        "model": ErrorOut, "description": "The new versions could not be stored; nothing "
        "was taken up."}})
    def reload_pathways(user: Designer, door: Door) -> dict[str, Any]:
        """Validate the files on disk now; new versions are taken up only if all is well.

        Every problem in the files is in the answer (and then in ``/api/pathways/problems``).
        If the new versions cannot be stored, the answer is 503 and nothing changed.
        """
        try:
            problems = door.library.reload()
        except PathwaysNotStored as exc:
            raise HTTPException(503, {"field": "pathways", "reason": str(exc),
                                      "current_version": None}) from exc
        return {"loaded": not problems, "problems": [str(p) for p in problems]}

    @app.post("/api/calls", status_code=201, tags=["calls"], responses=state_doc(201))
    def start_call(body: StartCall, user: Handler, door: Door) -> dict[str, Any]:
        """Start a call, optionally with facts already known."""
        return state_out(run(lambda: door.calls.start(user, body.pathway, body.facts,
                                                     body.language)))

    @app.get("/api/calls", tags=["calls"], responses={200: {
        "description": "Your calls, newest first.",
        "links": {"get_call": {"operationId": "get_call", "description": "The newest call.",
                               "parameters": {"call_id": "$response.body#/0/call_id"}}}}})
    def my_calls(user: Handler, door: Door,
                 status: Literal["active", "finished"] = "active") -> list[dict[str, Any]]:
        """Your own calls, newest first: those in progress, or those finished today (at
        most 50). Where each call is, but no personal details."""
        return [plain(summary) for summary in run(lambda: door.calls.mine(user, status))]

    @app.get("/api/calls/{call_id}", tags=["calls"], responses=call_doc(changes=False))
    def get_call(call_id: str, user: Handler, door: Door) -> dict[str, Any]:
        """The call now: words to read, the question and answers, or the outcome."""
        return state_out(run(lambda: door.calls.get(user, call_id)))

    @app.post("/api/calls/{call_id}/answer", tags=["calls"], responses=call_doc())
    def answer(call_id: str, body: Answer, user: Handler, door: Door) -> dict[str, Any]:
        """Answer the current step; committed before the response."""
        return state_out(run(lambda: door.calls.answer(user, call_id, body.version, body.step,
                                                 body.answer)))

    @app.post("/api/calls/{call_id}/back", tags=["calls"], responses=call_doc())
    def back(call_id: str, body: Versioned, user: Handler, door: Door) -> dict[str, Any]:
        """Go back to the previous question."""
        return state_out(run(lambda: door.calls.back(user, call_id, body.version)))

    @app.post("/api/calls/{call_id}/change", tags=["calls"], responses=call_doc())
    def change(call_id: str, body: Change, user: Handler, door: Door) -> dict[str, Any]:
        """Correct an earlier answer; answers that no longer apply are dropped."""
        return state_out(run(lambda: door.calls.change(user, call_id, body.version, body.step,
                                                 body.answer)))

    @app.post("/api/calls/{call_id}/search", tags=["calls"], responses=call_doc())
    def search(call_id: str, body: Search, user: Handler, door: Door) -> dict[str, Any]:
        """Search for the person at the person check; confirm by answering with an id (or,
        when correcting the person check with ``step``, by changing its answer)."""
        details = SearchDetails(**body.model_dump(exclude={"version", "step"}))
        state, result = run(lambda: door.calls.search(user, call_id, body.version, details,
                                                body.step))
        out = state_out(state)
        out["search"] = {
            "missing": list(result.missing), "advice": result.advice,
            "candidates": [{"person_id": c.person_id, "score": c.score, "band": c.band.value,
                            "summary": c.summary, "reasons": c.reasons}
                           for c in result.candidates]}
        return out

    @app.post("/api/calls/{call_id}/finish", tags=["calls"], responses={
        200: {"description": "The contact record, as written.", "links": {
            "send_link": {"operationId": "send_link", "description": "Send the link.",
                          "parameters": {"call_id": "$request.path.call_id"}},
            "get_call": {"operationId": "get_call", "description": "The finished call.",
                         "parameters": {"call_id": "$request.path.call_id"}}}},
        **NO_CALL, **CALL_MOVED})
    def finish(call_id: str, body: Finish, user: Handler, door: Door) -> dict[str, Any]:
        """Write the contact record; an override of the suggested outcome needs a reason."""
        override = Override(**body.override.model_dump()) if body.override else None
        result: dict[str, Any] = run(lambda: door.contacts.finish(user, call_id, body.version,
                                                         override))
        return result

    @app.post("/api/calls/{call_id}/take-over", tags=["calls"], responses=call_doc())
    def take_over(call_id: str, body: TakeOver, user: Handler, door: Door) -> dict[str, Any]:
        """Take over another handler's call, saying why; the call's record keeps who took
        it from whom, when and why."""
        return state_out(run(lambda: door.calls.take_over(user, call_id, body.version,
                                                    body.reason)))

    @app.post("/api/calls/{call_id}/send-link", tags=["calls"],
              responses={**NO_CALL, **NOT_LOADED})
    def send_link(call_id: str, body: SendLink, user: Handler, door: Door) -> dict[str, str]:
        """Send the outcome's online link by text or email (says 'not sent' if it was not)."""
        result: dict[str, str] = run(lambda: door.links.send(user, call_id, body.to, body.by))
        return result

    @app.get("/api/contacts", tags=["contacts"], responses={200: {
        "description": "Contact records (summary fields), newest first.",
        "links": {"contact": {"operationId": "contact", "description": "The newest record.",
                              "parameters": {"contact_id": "$response.body#/0/contact_id"}}}}})
    def contacts(user: Supervisor, door: Door,
                 limit: Annotated[int, Query(ge=1, le=500, description=(
                     "How many records, 1 to 500."))] = 50,
                 offset: Annotated[int, Query(ge=0, le=2**31 - 1, description=(
                     "How many of the newest records to skip."))] = 0
                 ) -> list[dict[str, Any]]:
        """Contact records, newest first."""
        return door.contacts.listing(limit, offset)

    # Bounded to the id column's range (32-bit on PostgreSQL): a larger id was a 500.
    @app.get("/api/contacts/{contact_id}", tags=["contacts"], responses={
        404: error_doc("There is no contact record with this id.")})
    def contact(contact_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)], user: Supervisor,
                door: Door) -> dict[str, Any]:
        """One contact record (every read is recorded)."""
        try:
            return door.contacts.read(user, contact_id)
        except UnknownContact as exc:
            raise HTTPException(404, {"field": "contact_id", "reason": "There is no contact "
                                      "record with this id.", "current_version": None}) from exc

    mount_screen(app)
    return app


def main() -> None:
    """Start the service on the embedded default (``python -m api``).

    Every log line is redacted, uvicorn's included (:mod:`api.server`);
    ``TRIAGE_ACCESS_LOG=1`` adds a line per request (method, path and status).
    """
    import os

    from api.server import serve

    host = os.environ.get("TRIAGE_HOST", "127.0.0.1")
    port = int(os.environ.get("TRIAGE_PORT", "8000"))
    access = os.environ.get("TRIAGE_ACCESS_LOG", "").lower() in ("1", "true", "yes", "on")
    print(f"Front-door triage on http://{host}:{port}/ (API docs at /docs)", flush=True)
    serve(build_app(), host, port, access_lines=access)
