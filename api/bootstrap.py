"""Building the service from its settings: the database (migrated), the repository, the
pathway library, the client index, sign-in, GOV.UK Notify, the REST API's routers and the
handler's screen. The lifespan is here too: it starts all of that, watches the pathway
files, and closes it down.

Run it with ``make serve`` (or ``python -m api``). Every ``/api`` route but signing in,
and the API documentation (``/openapi.json``, ``/docs``), need a signed-in user.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator

from fastapi import FastAPI

from api.demo import demo_sign_in_line, remove_demo_users, seed_demo_users
from api.notify import Notifier
from api.reports.demo import load_demo_contacts
from api.reports.source import EngineReports
from api.routes import add_api
from api.routes.bodies import MAX_BODY
from api.routes.openapi import DESCRIPTION, EVERY_OPERATION, TITLE
from api.server import serve
from api.service import Authenticator, FrontDoor, LinkSender, PathwayLibrary
from api.settings import Settings
from api.storage import SqlRepository, database_url, make_engine, migrate
from api.web import mount_screen
from triage.adapters.audit import audit_logger
from triage.adapters.clients import open_client_index, open_demo_index
from triage.errors import PathwaysNotStored
from triage.matching.port import ClientIndex
from triage.pipeline import settle_memory

NO_CLIENT_INDEX = ("No client index: person searches will say that people cannot be "
                   "searched for. Set TRIAGE_CLIENTS_DB to the council's index (or "
                   "TRIAGE_DEMO=1 for the demo index of synthetic people).")
DEMO_PASSWORD_ALONE = ("TRIAGE_DEMO_PASSWORD is set but TRIAGE_DEMO is not, so no demo users "
                       "were made; set TRIAGE_DEMO=1 as well to try the service with them.")


def client_index(settings: Settings) -> ClientIndex | None:
    """The client index: TRIAGE_CLIENTS_DB; with TRIAGE_DEMO=1 and none given, the demo
    index (data/demo-clients.csv imported into the home folder on first use, the same
    people as ``triage call``); otherwise none."""
    if settings.clients_db:
        return open_client_index(settings.clients_db)
    if settings.demo:
        return open_demo_index(settings.home)
    return None


def set_up_demo(settings: Settings, repository: SqlRepository) -> None:
    """With TRIAGE_DEMO=1, the demo users (their password printed); without it, none:
    any an earlier demo start left are removed, so their printed password signs no one in."""
    log = audit_logger()
    if settings.demo:
        password = seed_demo_users(repository, settings.demo_password)
        print(demo_sign_in_line(password), flush=True)
        return
    removed = remove_demo_users(repository)
    if removed:
        log.warning("demo_users_removed", users=removed)
    if settings.demo_password:
        print(DEMO_PASSWORD_ALONE, flush=True)


def start_service(settings: Settings, sender: LinkSender | None = None) -> FrontDoor:
    """Everything the service runs on, ready: the database brought up to date, the
    pathways loaded (with the versions kept in the database) and, on a new store, the
    highest ready version of each made live, sign-in, the demo users
    when asked for, and the client index (start-up says when there is none)."""
    url = database_url(settings.database_url, settings.home)
    migrate(url)
    repository = SqlRepository(make_engine(url))
    library = PathwayLibrary(settings.paths, archive=repository)
    library.remember_archived()
    library.reload()
    library.restore_archived()
    library.set_up_live()
    settle_memory()
    auth = Authenticator(repository, settings.session_hours, settings.session_cache_seconds,
                         limits=settings.sign_in_limits())
    set_up_demo(settings, repository)
    if settings.demo:
        load_demo_contacts(library.catalogue, url, repository.engine, settings.demo_contacts,
                           settings.clock().now())
    clients = client_index(settings)
    if clients is None:
        audit_logger().warning("no_client_index")
        print(NO_CLIENT_INDEX, flush=True)
    sender = sender or Notifier(settings.notify_api_key, settings.notify_sms_template,
                                settings.notify_email_template)
    return FrontDoor.over(repository, library, clients, sender, auth, settings.clock(),
                          audit_form=settings.audit_form)


async def watch_pathways(library: PathwayLibrary, seconds: float) -> None:
    """Every ``seconds``, take up pathway files that changed (if they validate) and the
    live versions recorded in the database (published here or on another instance)."""
    log = audit_logger()
    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(library.tick)
        except Exception as exc:
            # Whatever went wrong, keep watching: a watcher that died silently never took
            # up a changed file again. (Cancellation is not an Exception.)
            log.error("pathway_watch_failed", error=type(exc).__name__,
                      reason=str(exc) if isinstance(exc, PathwaysNotStored) else None)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the service on ``app.state.settings``, watch the pathways, then close down."""
    settings: Settings = app.state.settings
    door = start_service(settings, app.state.sender)
    app.state.front_door = door
    if getattr(app.state, "reports", None) is None and isinstance(door.repository,
                                                                  SqlRepository):
        engine = door.repository.engine
        app.state.reports = EngineReports(
            lambda: getattr(app.state, "reports_engine", None) or engine)
    task = asyncio.create_task(watch_pathways(door.library, settings.reload_seconds))
    try:
        yield
    finally:
        task.cancel()
        # Close pooled connections at shutdown (they were left to the garbage collector).
        repository = door.repository
        if isinstance(repository, SqlRepository):
            repository.engine.dispose()
        close = getattr(door.engine.clients, "close", None)
        if close is not None:
            close()


def build_app(settings: Settings | None = None, *,
              notifier: LinkSender | None = None) -> FastAPI:
    """The service, configured from ``settings`` (environment variables by default);
    ``notifier`` sends links instead of GOV.UK Notify as configured."""
    app = FastAPI(title=TITLE, version="0.1.0", lifespan=lifespan, description=DESCRIPTION,
                  # Served to signed-in users only (api/routes/docs.py), with Swagger UI
                  # from the project's own npm packages (api/web/apidocs.py); no ReDoc.
                  docs_url=None, redoc_url=None, openapi_url=None,
                  # Operation ids are the route functions' names ("start_call"), which
                  # the OpenAPI links between operations refer to.
                  generate_unique_id_function=lambda route: route.name,
                  responses=EVERY_OPERATION)
    app.state.settings = settings or Settings()
    app.state.sender = notifier
    # The routes' own limit also bounds bodies sent without a Content-Length (chunked),
    # which the body-limit check cannot see; without it such a body was read whole.
    app.router.max_body_size = MAX_BODY
    add_api(app)
    mount_screen(app)
    return app


def main() -> None:
    """Start the service on the embedded default (``python -m api``).

    Every log line is redacted, uvicorn's included (:mod:`api.server`);
    ``TRIAGE_ACCESS_LOG=1`` adds a line per request (method, path and status).
    """
    host = os.environ.get("TRIAGE_HOST", "127.0.0.1")
    port = int(os.environ.get("TRIAGE_PORT", "8000"))
    access = os.environ.get("TRIAGE_ACCESS_LOG", "").lower() in ("1", "true", "yes", "on")
    print(f"Front-door triage on http://{host}:{port}/ (API docs at /docs)", flush=True)
    serve(build_app(), host, port, access_lines=access)
