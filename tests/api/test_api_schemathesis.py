"""Property-based tests from the OpenAPI document (Schemathesis): no input gives a 500.

Every operation is called with generated valid and invalid requests, signed in with the
role the route needs (handler for calls, designer for pathway admin, supervisor for
contact records), and half of the call requests are aimed at a real call so that bodies
reach the engine instead of stopping at "no such call". The example count is bounded so
the run takes about a minute on two cores.
"""

from __future__ import annotations

import shutil
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, ignored_auth

from api.app import Settings, build_app
from api.auth import Authenticator, hash_password
from api.store import Store, database_url, make_engine, migrate
from tests.api.conftest import PASSWORD

ROLES = ("handler", "designer", "supervisor")


def role_for(method: str, path: str) -> str:
    """The role a route needs (signing out gets a token of its own to throw away)."""
    if (method.upper(), path) == ("DELETE", "/api/session"):
        return "sign-out"
    if path.startswith("/api/contacts"):
        return "supervisor"
    if path.startswith("/api/pathways/"):
        return "designer"
    return "handler"


class Fuzzed:
    """The app under test, tokens for each role, and a live call to aim requests at.

    The app is built when the module is imported, because Schemathesis generates the
    tests from its OpenAPI document; nothing touches the disk until ``prepare``.
    """

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="triage-fuzz-"))
        self.settings = Settings(home=self.home, demo_password=PASSWORD, reload_seconds=3600.0)
        self.app = build_app(self.settings)
        self.tokens: dict[str, str] = {}
        self.call_id = ""

    def prepare(self) -> None:
        """Users and tokens, made before the app starts, and one live call.

        Schemathesis runs the app's lifespan itself on its first request; the app's
        start-up keeps the sessions of users that already exist.
        """
        url = database_url(None, self.home)
        migrate(url)
        store = Store(make_engine(url))
        auth = Authenticator(store)
        for role in ROLES:
            store.put_user(f"fuzz-{role}", f"Fuzz {role}", role, hash_password(PASSWORD))
            signed = auth.sign_in(f"fuzz-{role}", PASSWORD)
            assert signed is not None
            self.tokens[role] = signed[0]
        # Fuzzing DELETE /api/session signs its token out: it must not be the handler's.
        signed = auth.sign_in("fuzz-handler", PASSWORD)
        assert signed is not None
        self.tokens["sign-out"] = signed[0]
        store.engine.dispose()
        with TestClient(self.app) as client:
            reply = client.post("/api/calls", json={"pathway": "front-door"},
                                headers=self.headers("handler"))
            assert reply.status_code == 201, reply.text
            self.call_id = reply.json()["call_id"]

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


FUZZED = Fuzzed()
schema = schemathesis.openapi.from_dict(FUZZED.app.openapi())
schema.app = FUZZED.app


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Fuzzed]:
    FUZZED.prepare()
    yield FUZZED
    shutil.rmtree(FUZZED.home, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_generated_request_gets_a_server_error(case: Any, fuzzed: Fuzzed) -> None:
    if "call_id" in (case.path_parameters or {}) and zlib.crc32(repr(case.body).encode()) % 2:
        case.path_parameters["call_id"] = fuzzed.call_id
    # Schemathesis sends an Authorization header when the request should be authorised
    # and leaves it out to check that the API refuses; only the token itself is swapped in.
    headers = {}
    if "authorization" in {k.lower() for k in (case.headers or {})}:
        case.headers = {k: v for k, v in case.headers.items() if k.lower() != "authorization"}
        headers = fuzzed.headers(role_for(case.method, case.path))
    case.call_and_validate(
        headers=headers,
        # Not negative_data_rejection: swapping in a real token turns some of its
        # deliberately bad requests into good ones.
        checks=[not_a_server_error, content_type_conformance, ignored_auth])
