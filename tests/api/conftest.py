"""Fixtures for the service tests: the same suite runs on SQLite and on PostgreSQL.

Every PostgreSQL-backed service gets a database of its own, ``triage_test_<pid>_<random>``,
created through psycopg in autocommit mode and dropped when the run ends, so parallel
runs never share state; databases left by a run that was killed (its process is gone)
are dropped when the next run starts. The server is ``$TRIAGE_TEST_POSTGRES_URL``
(default: the local test server). If PostgreSQL cannot be reached the PostgreSQL tests
FAIL; they never skip.

The shared ``service`` fixture starts one app per backend for the whole run (an app start
hashes three demo passwords with Argon2 and runs the migrations, about two seconds here).
Each test starts its own calls, so tests do not depend on each other. Tests that need a
service of their own (restarts, pathway reloads, short sessions) use ``make_service``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from api.bootstrap import build_app
from api.notify import Notifier
from api.settings import Settings
from api.storage import SqlRepository, database_url, make_engine

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_URL = os.environ.get("TRIAGE_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")
PASSWORD = "correct horse battery staple"

# A full call on the shipped front door, ending at an outcome with a contact record:
# a relative calls, no red flags, the person is not known and knows about the call, they
# want information.
INFORMATION_CALL: list[tuple[str, str]] = [
    ("caller_type", "family_friend"),
    ("danger_to_life", "no"),
    ("abuse_or_neglect", "no"),
    ("mental_health_crisis", "no"),
    ("find_person", "not_known"),
    ("consent", "agrees"),
    ("reason", "information_advice"),
    ("advice_topic", "community_support"),
]


class Databases:
    """Creates fresh PostgreSQL databases for one test run and drops them all at the end."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.server_url, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError as exc:
            pytest.fail(f"PostgreSQL is needed for the postgresql-backend tests but is not "
                        f"reachable at {self.server_url} (set TRIAGE_TEST_POSTGRES_URL): {exc}",
                        pytrace=False)

    def fresh(self) -> str:
        """The URL of a new, empty database, named after this process."""
        name = f"triage_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        base, _, _ = self.server_url.rpartition("/")
        return f"{base}/{name}"

    def drop_stale(self) -> None:
        """Drop databases left by earlier runs that were killed (their process is gone).

        Only on a server on this machine, where a process id means the same thing.
        """
        if urlsplit(self.server_url).hostname not in ("127.0.0.1", "localhost", "::1"):
            return
        try:
            admin = psycopg.connect(self.server_url, autocommit=True, connect_timeout=5)
        except psycopg.OperationalError:
            return  # the PostgreSQL tests will fail and say why
        with admin:
            names = [row[0] for row in admin.execute(
                r"SELECT datname FROM pg_database WHERE datname LIKE 'triage\_test\_%'")]
            for name in names:
                match = re.fullmatch(r"triage_test_(\d+)_[0-9a-f]+", name)
                if match and not process_alive(int(match.group(1))):
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_all(self) -> None:
        """Drop every database this run created (connections still open are ended)."""
        if not self.created:
            return
        with self._admin() as admin:
            for name in self.created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def databases() -> Iterator[Databases]:
    """Fresh PostgreSQL databases, dropped when the run ends."""
    made = Databases(POSTGRES_URL)
    made.drop_stale()
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
def pathway_copy(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], list[Path]]:
    """A function giving a private copy of the shipped pathways and scripts to edit."""

    def copy() -> list[Path]:
        target = tmp_path_factory.mktemp("library")
        paths = []
        for name in ("pathways", "scripts"):
            shutil.copytree(ROOT / name, target / name)
            paths.append(target / name)
        return paths

    return copy


@dataclass
class Service:
    """A running app with a test client, signed in once per role on demand."""

    client: TestClient
    backend: str
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    stopped: bool = False

    @property
    def app(self) -> Any:
        return self.client.app

    def stop(self) -> None:
        """Shut the app down (its lifespan ends), as a service stop would."""
        if not self.stopped:
            self.stopped = True
            self.client.__exit__(None, None, None)

    def token(self, role: str) -> str:
        """A session token for the demo user of ``role`` (signed in once, then reused)."""
        if role not in self.tokens:
            reply = self.client.post("/api/session",
                                     json={"username": f"demo-{role}", "password": PASSWORD})
            assert reply.status_code == 200, reply.text
            self.tokens[role] = reply.json()["token"]
            # Requests say who they are explicitly; a cookie left in the jar would sign in
            # the "unauthenticated" requests of other tests.
            self.client.cookies.clear()
        return self.tokens[role]

    def headers(self, role: str = "handler") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role)}"}

    def post(self, url: str, body: Any = None, role: str = "handler") -> httpx.Response:
        return self.client.post(url, json=body, headers=self.headers(role))

    def get(self, url: str, role: str = "handler", **params: Any) -> httpx.Response:
        return self.client.get(url, headers=self.headers(role), params=params)

    def start(self, pathway: str = "front-door", **facts: str) -> dict[str, Any]:
        """Start a call and return its state."""
        reply = self.post("/api/calls", {"pathway": pathway, "facts": facts})
        assert reply.status_code == 201, reply.text
        state: dict[str, Any] = reply.json()
        return state

    def answer(self, state: dict[str, Any], value: Any, *, step: str | None = None,
               version: int | None = None) -> httpx.Response:
        """Answer the call's current step (or ``step``) from its version (or ``version``)."""
        body = {"version": state["version"] if version is None else version,
                "step": step or state["step"]["step_id"], "answer": value}
        return self.post(f"/api/calls/{state['call_id']}/answer", body)

    def walk(self, state: dict[str, Any], answers: list[tuple[str, str]]) -> dict[str, Any]:
        """Give answers in order, checking each is for the step the call is at."""
        for step, value in answers:
            assert state["step"] is not None, f"the call ended before {step}"
            assert state["step"]["step_id"] == step, (state["step"]["step_id"], step)
            reply = self.answer(state, value)
            assert reply.status_code == 200, reply.text
            state = reply.json()
        return state

    def publish(self, version: int, *, expected_live: int | None,
                pathway: str = "front-door", reason: str = "Reviewed and ready.",
                action: str = "publish") -> httpx.Response:
        """Publish (or, with ``action="rollback"``, roll back to) a pathway version as the
        demo designer."""
        return self.post(f"/api/pathways/{pathway}/{action}",
                         {"version": version, "reason": reason,
                          "expected_live": expected_live}, role="designer")

    @contextmanager
    def own_store(self) -> Iterator[SqlRepository]:
        """A store on the service's database through connections of the test's own (to look
        behind the service's back, or to break the database under it)."""
        store = SqlRepository(make_engine(database_url(self.settings.database_url,
                                               self.settings.home)))
        try:
            yield store
        finally:
            store.engine.dispose()

    def contact(self, call_id: str) -> dict[str, Any]:
        """The contact record of a finished call, read as a supervisor would."""
        listed = self.get("/api/contacts", role="supervisor", limit=500).json()
        contact_id = next(c["contact_id"] for c in listed if c["call_id"] == call_id)
        reply = self.get(f"/api/contacts/{contact_id}", role="supervisor")
        assert reply.status_code == 200, reply.text
        contact: dict[str, Any] = reply.json()
        return contact

    def finish(self, state: dict[str, Any], override: dict[str, Any] | None = None
               ) -> httpx.Response:
        body: dict[str, Any] = {"version": state["version"]}
        if override is not None:
            body["override"] = override
        return self.post(f"/api/calls/{state['call_id']}/finish", body)


def sign_in_form_token(page: str) -> str:
    """The pre-session CSRF token in the sign-in form of a page (not the sign-out form's)."""
    form = page[page.index('action="/sign-in"'):]
    match = re.search(r'name="csrf" value="([^"]+)"', form)
    assert match is not None, page
    return match.group(1)


def settings_for(backend: str, home: Path, databases: Databases, **overrides: Any) -> Settings:
    """Service settings on ``backend`` with a fresh database, the demo users and the demo
    client index (``demo=False`` for a service without them)."""
    values: dict[str, Any] = {"home": home, "demo": True, "demo_password": PASSWORD,
                              "reload_seconds": 3600.0, "demo_contacts": 0}
    if backend == "postgresql":
        values["database_url"] = databases.fresh()
    values.update(overrides)
    return Settings(**values)


MakeService = Callable[..., Service]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn, for tests that start services of their own."""
    value: str = request.param
    return value


@pytest.fixture
def make_service(tmp_path: Path, databases: Databases) -> Iterator[MakeService]:
    """Start services of one's own: ``make_service(backend, **settings)``.

    ``make_service(backend, settings=s)`` starts another app on the same settings (the
    same home and database); ``service.stop()`` then a new one is an in-process restart.
    ``notifier=`` gives the app a GOV.UK Notify client of the test's own.
    """
    running: list[Service] = []

    def make(backend: str, *, settings: Settings | None = None,
             notifier: Notifier | None = None, **overrides: Any) -> Service:
        if settings is None:
            home = tmp_path / f"home-{uuid.uuid4().hex[:6]}"
            settings = settings_for(backend, home, databases, **overrides)
        client = TestClient(build_app(settings, notifier=notifier))
        client.__enter__()
        service = Service(client, backend, settings)
        running.append(service)
        return service

    yield make
    for service in running:
        service.stop()


@pytest.fixture(scope="session", params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            databases: Databases) -> Iterator[Service]:
    """One service per backend, shared by the whole run."""
    backend: str = request.param
    settings = settings_for(backend, tmp_path_factory.mktemp(f"home-{backend}"), databases)
    with TestClient(build_app(settings)) as client:
        yield Service(client, backend, settings)


# --- real server processes ---------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    """``python -m api`` running as a real process on a loopback port."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing, like a power cut to the process."""
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(home: Path, *, database_url: str | None = None,
                 port: int | None = None, timeout: float = 90.0,
                 settings: dict[str, str] | None = None) -> ServerProcess:
    """Start ``python -m api`` and wait until /health answers (``settings``: more TRIAGE_*
    environment variables)."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
    env.update({"TRIAGE_HOME": str(home), "TRIAGE_PORT": str(port),
                "TRIAGE_HOST": "127.0.0.1", "TRIAGE_DEMO": "1", "TRIAGE_DEMO_PASSWORD": PASSWORD,
                "TRIAGE_RELOAD_SECONDS": "3600", "TRIAGE_DEMO_CONTACTS": "0"})
    if database_url:
        env["TRIAGE_DATABASE_URL"] = database_url
    env.update(settings or {})
    home.mkdir(parents=True, exist_ok=True)
    log = home / f"server-{port}.log"
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "api"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    server = ServerProcess(process, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n"
                                 f"{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{server.url}/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise AssertionError(f"the server did not answer within {timeout:.0f} s:\n"
                         f"{log.read_text()[-3000:]}")


@pytest.fixture
def servers() -> Iterator[Callable[..., ServerProcess]]:
    """Start real server processes; each is stopped at the end of the test."""
    started: list[ServerProcess] = []

    def start(home: Path, **kwargs: Any) -> ServerProcess:
        server = start_server(home, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
