"""Property-based tests from the OpenAPI document (Schemathesis): no input gives a 500,
and every answer has a status the document declares for its operation.

Stateless: every operation is called with generated valid and invalid requests, signed
in with the role the route needs (handler for calls, designer for pathway admin,
supervisor for contact records), and half of the call requests are aimed at a real call
so that bodies reach the engine instead of stopping at "no such call".

Stateful: scenarios follow the document's OpenAPI links, so "start a call" is chained
into answering it, getting it, searching, going back, changing, finishing and sending
the link, each with the call id and version the previous answer gave. The test checks
that linked steps really ran, not only that nothing failed.

The example counts are bounded so the two take about two minutes on two cores; the
numbers of cases run are printed (``pytest -s``) and kept in :data:`CASES`.
"""

from __future__ import annotations

import shutil
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    status_code_conformance,
)

from api.bootstrap import build_app
from api.service import Authenticator, hash_password
from api.settings import Settings
from api.storage import SqlRepository, database_url, make_engine, migrate
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
        # Generated sign-ins are nearly all wrong; the address limit would soon refuse
        # them all (a declared 429, but then no generated sign-in reaches its checks).
        self.settings = Settings(home=self.home, demo=True, demo_password=PASSWORD,
                                 reload_seconds=3600.0,
                                 sign_in_address_limit=10_000)
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
        store = SqlRepository(make_engine(url))
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
CHECKS = [not_a_server_error, content_type_conformance, ignored_auth, status_code_conformance]
CASES: Counter[str] = Counter()
"""Cases run: "stateless", "stateful" (every step) and "linked" (steps a link fed)."""


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
    CASES["stateless"] += 1
    case.call_and_validate(
        headers=headers,
        # Not negative_data_rejection: swapping in a real token turns some of its
        # deliberately bad requests into good ones.
        checks=CHECKS)


# The scenarios get a schema of their own: the operations on calls (where the links are),
# and only valid requests, since an invalid one stops a chain at its first step (the
# stateless test sends those).
linked = schemathesis.openapi.from_dict(FUZZED.app.openapi()).include(
    path_regex=r"^/api/calls")
linked.app = FUZZED.app
linked.config.generation.update(modes=[GenerationMode.POSITIVE])


class LinkedCalls(linked.as_state_machine()):  # type: ignore[misc]
    """Scenarios along the OpenAPI links, each request signed in for its route's role."""

    transitions: Counter[str] = Counter()

    def before_call(self, case: Any) -> None:
        # As in the stateless test: a real token where Schemathesis sends one, none where
        # it checks that the API refuses.
        headers = dict(case.headers or {})
        if "authorization" in {k.lower() for k in headers}:
            headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            headers.update(FUZZED.headers(role_for(case.method, case.path)))
        case.headers = headers
        # Calls are started on the front door, so that the links have a call to lead on
        # from (a generated pathway name is almost never a pathway; the stateless test
        # sends those).
        if (case.method, case.path) == ("POST", "/api/calls"):
            case.body = {"pathway": "front-door"}

    def step(self, input: StepInput) -> StepOutput:
        CASES["stateful"] += 1
        output = super().step(input)
        transition = input.transition
        if transition is not None and not transition.is_inferred and input.is_applied:
            CASES["linked"] += 1
            self.transitions[transition.id] += 1
            if output.response.status_code < 300:
                CASES["linked and accepted"] += 1
        return output

    def validate_response(self, response: Any, case: Any,
                          additional_checks: Any = None, **kwargs: Any) -> None:
        case.validate_response(response, checks=CHECKS)


def test_scenarios_follow_the_links_from_starting_a_call_to_finishing_it(
        fuzzed: Fuzzed) -> None:
    LinkedCalls.run(settings=settings(
        max_examples=60, stateful_step_count=10, deadline=None,
        suppress_health_check=list(HealthCheck)))
    ran = LinkedCalls.transitions
    print(f"\nSchemathesis cases: {CASES['stateless']} stateless; {CASES['stateful']} "
          f"stateful steps, {CASES['linked']} of them fed by a link "
          f"({CASES['linked and accepted']} accepted); links used: "
          f"{dict(sorted(ran.items()))}")
    assert CASES["linked"] >= 40
    # The links carried a real call id and version: many linked requests were accepted.
    assert CASES["linked and accepted"] >= 15
    targets = {name.rsplit(" -> ", 1)[-1] for name in ran}  # the operations reached
    assert len(targets & {f"{m} /api/calls/{{call_id}}{p}" for m, p in (
        ("GET", ""), ("POST", "/answer"), ("POST", "/back"), ("POST", "/change"),
        ("POST", "/search"), ("POST", "/finish"), ("POST", "/take-over"),
        ("POST", "/send-link"))}) >= 6, ran
    # Chains, not only single hops: steps led on from a step that a link had led to.
    assert any(name.startswith("GET /api/calls/{call_id} ->")
               or name.startswith("POST /api/calls/{call_id}/") for name in ran), ran
