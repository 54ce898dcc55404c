"""No personal details reach any log when the database fails under a call.

Each test runs a real server process (``python -m api``, so uvicorn's own error and
access logs are in play, which the test client bypasses), gives it a synthetic person's
details, makes the database refuse the write (on PostgreSQL a ``CHECK ... NOT VALID``
constraint, on SQLite a trigger that raises ``ABORT``) or breaks the client index in the
middle of a search, and then greps everything the process wrote (standard output and
standard error, where the audit lines go) for the details in every format. Every failure
is tried through the API and the handler's screen; both answer as they should (the
structured 500, the plain problem page) and the service carries on once the database
does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from starlette.types import Message, Receive, Scope, Send

from api.server import FAILED_BODY, AnsweredErrors
from api.web.forms import csrf_token
from tests.api.conftest import PASSWORD, Databases, ServerProcess
from triage.adapters.clients import demo_index_file, demo_people
from triage.adapters.clients.postgres_index import PostgresClientIndex
from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.adapters.clients.store import StoredClientIndex
from triage.errors import StorageError
from triage.matching.records import PersonRecord

# A synthetic person (the NHS number is in the never-issued 999 range, with a valid check
# digit so that a search goes as far as the client index).
CALLER_NAME = "Zebedee Quintrell"
PHONE = "020 7946 0461"  # Ofcom's range for drama, never a real line
EMAIL = "zeb.quintrell@example.org"
NHS_NUMBER = "999 461 3723"
POSTCODE = "UB8 9QZ"
ADDRESS = "17 Larkspur Lane"
SEARCH = {"nhs_number": NHS_NUMBER, "given_name": "Zebedee", "family_name": "Quintrell",
          "date_of_birth": "07/03/1941", "postcode": POSTCODE, "address": ADDRESS}
SCREEN_SEARCH = {**{k: v for k, v in SEARCH.items() if k != "date_of_birth"},
                 "dob-day": "7", "dob-month": "3", "dob-year": "1941"}
PERSONAL_VALUES = [
    "Zebedee", "Quintrell", "zeb.quintrell", "Larkspur", "17 Larkspur Lane",
    "UB8 9QZ", "UB89QZ", "UB8+9QZ", "UB8%209QZ",
    "1941-03-07", "07/03/1941", "7/3/1941", "07-03-1941", "07.03.1941", "7 March 1941",
    "7 Mar 1941", "19410307", "07031941",
    "999 461 3723", "999-461-3723", "9994613723",
    "020 7946 0461", "02079460461", "+44 20 7946 0461", "+442079460461",
]
DIGIT_RUNS = ["9994613723", "2079460461", "19410307", "07031941"]
"""Looked for again with every space, dash, dot, slash and plus taken out of the logs."""

# A call on the shipped front door to the complaints pathway, whose assisted route (in
# the test's copy of the pathways) asks for the caller's name, phone number and email.
TO_COMPLAINT: list[tuple[str, str]] = [
    ("caller_type", "family_friend"), ("danger_to_life", "no"), ("abuse_or_neglect", "no"),
    ("mental_health_crisis", "no"), ("find_person", "not_known"), ("consent", "agrees"),
    ("reason", "complaint"),
    ("feedback_type", "complaint"), ("can_use_online", "no")]
TO_PERSON_CHECK = TO_COMPLAINT[:4]
CONTACT_STEPS = '''
  - id: caller_name
    kind: question
    title: Caller's name
    fact: caller_name
    text: {en: "What is your name?"}
    default: contact_phone

  - id: contact_phone
    kind: question
    title: Phone number
    fact: contact_phone
    text: {en: "What number can the complaints team call you back on?"}
    default: contact_email

  - id: contact_email
    kind: question
    title: Email address
    fact: contact_email
    text: {en: "What email address can they write to?"}
    default: complaint_assisted
'''


def personal_values_in(text: str) -> list[str]:
    """The person's details found in ``text``, in any of the formats above."""
    lowered = text.lower()
    found = [value for value in PERSONAL_VALUES if value.lower() in lowered]
    squeezed = re.sub(r"[\s\-./+]", "", text)
    return found + [f"{run} (digits)" for run in DIGIT_RUNS if run in squeezed]


def test_the_leak_check_finds_the_details_in_the_ways_they_used_to_leak() -> None:
    # What uvicorn printed before: SQLAlchemy's message with the call's JSON.
    before = ('[parameters: (\'active\', 6, \'{"given_name": "Zebedee", "date_of_birth": '
              '"1941-03-07", "postcode": "UB8 9QZ", "address": "17 Larkspur Lane"}\')]')
    assert personal_values_in(before) == ["Zebedee", "Larkspur", "17 Larkspur Lane",
                                          "UB8 9QZ", "1941-03-07", "19410307 (digits)"]
    assert personal_values_in('"GET /calls?reference=999-461-3723+020+7946-0461 HTTP/1.1"') \
        == ["999-461-3723", "9994613723 (digits)", "2079460461 (digits)"]
    assert personal_values_in('{"call_id": "8ed7987054c547b7ab91fddf25912600"}') == []


@pytest.fixture
def pathways(pathway_copy: Callable[[], list[Path]]) -> list[Path]:
    """The shipped pathways, with the caller's contact details asked on the complaints
    pathway's assisted route."""
    paths = pathway_copy()
    complaints = paths[0] / "complaints.yaml"
    text = complaints.read_text(encoding="utf-8")
    assert text.count("    default: complaint_assisted\n") == 1
    text = text.replace("    default: complaint_assisted\n", "    default: caller_name\n")
    text = text.replace("\n  - id: complaint_online\n",
                        CONTACT_STEPS + "\n  - id: complaint_online\n", 1)
    complaints.write_text(text, encoding="utf-8")
    return paths


@dataclass
class Running:
    """A real server on one backend, signed in as a handler, with the database within
    reach to break it."""

    server: ServerProcess
    backend: str
    home: Path
    database_url: str | None
    token: str

    @property
    def http(self) -> httpx.Client:
        # A new connection for every request: after an error uvicorn used to drop the
        # connection, and a test should see each answer, not the previous one's damage.
        return httpx.Client(base_url=self.server.url, timeout=30)

    def api(self, method: str, path: str, body: Any = None) -> httpx.Response:
        with self.http as client:
            return client.request(method, path, json=body,
                                  headers={"Authorization": f"Bearer {self.token}"})

    def screen_post(self, path: str, **form: str) -> httpx.Response:
        """Post a screen form as the browser would (cookie, CSRF token, same origin)."""
        with self.http as client:
            return client.post(path, data={"csrf": csrf_token(self.token), **form},
                               headers={"Origin": self.server.url,
                                        "Cookie": f"triage_session={self.token}"},
                               follow_redirects=False)

    def screen_get(self, path: str) -> httpx.Response:
        with self.http as client:
            return client.get(path, headers={"Accept": "text/html",
                                             "Cookie": f"triage_session={self.token}"})

    def start(self) -> dict[str, Any]:
        reply = self.api("POST", "/api/calls", {"pathway": "front-door", "facts": {}})
        assert reply.status_code == 201, reply.text
        state: dict[str, Any] = reply.json()
        return state

    def answer(self, state: dict[str, Any], value: str) -> httpx.Response:
        return self.api("POST", f"/api/calls/{state['call_id']}/answer",
                        {"version": state["version"], "step": state["step"]["step_id"],
                         "answer": value})

    def walk(self, state: dict[str, Any], answers: list[tuple[str, str]]) -> dict[str, Any]:
        for step, value in answers:
            assert state["step"]["step_id"] == step, (state["step"]["step_id"], step)
            reply = self.answer(state, value)
            assert reply.status_code == 200, reply.text
            state = reply.json()
        return state

    def search(self, state: dict[str, Any], query: str = "") -> httpx.Response:
        return self.api("POST", f"/api/calls/{state['call_id']}/search{query}",
                        {"version": state["version"], **SEARCH})

    def screen_step(self, call_id: str) -> str:
        """The step the screen's question form for the call answers."""
        page = self.screen_get(f"/calls/{call_id}")
        assert page.status_code == 200, page.text
        found = re.search(r'name="step" value="([^"]+)"', page.text)
        assert found is not None, page.text
        return found.group(1)

    @contextmanager
    def writes_refused(self, table: str) -> Iterator[None]:
        """The database refuses every new or changed row of ``table`` for the block."""
        operation = "INSERT" if table == "contacts" else "UPDATE"
        column = "contact_id" if table == "contacts" else "row_version"
        if self.database_url:
            with psycopg.connect(self.database_url, autocommit=True) as db:
                db.execute(f"ALTER TABLE {table} ADD CONSTRAINT refused_by_the_test "
                           f"CHECK ({column} < 0) NOT VALID")
            try:
                yield
            finally:
                with psycopg.connect(self.database_url, autocommit=True) as db:
                    db.execute(f"ALTER TABLE {table} DROP CONSTRAINT refused_by_the_test")
        else:
            with closing_sqlite(self.home / "triage.sqlite3") as db:
                db.execute(f"CREATE TRIGGER refused_by_the_test BEFORE {operation} ON {table} "
                           "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
            try:
                yield
            finally:
                with closing_sqlite(self.home / "triage.sqlite3") as db:
                    db.execute("DROP TRIGGER refused_by_the_test")

    @contextmanager
    def client_index_broken(self) -> Iterator[None]:
        """The client index's blocking keys are out of its reach for the block, so a search
        fails in the middle, after the details have been read and turned into keys."""
        if self.database_url:
            with psycopg.connect(self.database_url, autocommit=True) as db:
                db.execute("ALTER TABLE clients.block_keys RENAME TO block_keys_away")
            try:
                yield
            finally:
                with psycopg.connect(self.database_url, autocommit=True) as db:
                    db.execute("ALTER TABLE clients.block_keys_away RENAME TO block_keys")
        else:
            index = demo_index_file(self.home)
            with closing_sqlite(index) as db:
                db.execute("ALTER TABLE block_keys RENAME TO block_keys_away")
            try:
                yield
            finally:
                with closing_sqlite(index) as db:
                    db.execute("ALTER TABLE block_keys_away RENAME TO block_keys")

    def logs(self) -> str:
        """Everything the process wrote: standard output and standard error."""
        return self.server.log.read_text(encoding="utf-8", errors="replace")

    def audit_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.logs().splitlines()
                if line.startswith("{")]

    def assert_no_personal_values_logged(self, *failed_paths: str) -> None:
        """Nothing of the person anywhere, and each failure logged as one redacted line
        (so the check looked at the lines that used to carry the details)."""
        text = self.logs()
        assert personal_values_in(text) == [], text[-4000:]
        assert "Traceback" not in text and "Exception in ASGI application" not in text
        lines = self.audit_lines()
        for path in failed_paths:
            failed = [line for line in lines if line.get("path") == path
                      and line["event"] in ("request_failed", "screen_failed")]
            assert failed, f"no failure line for {path}:\n{text[-4000:]}"
            for line in failed:
                assert line["error"] in ("IntegrityError", "StorageError"), line
                assert set(line) <= {"event", "level", "timestamp", "path", "error",
                                     "error_code", "description", "where"}, line
        answered = [line for line in lines if line["event"] == "http_request"]
        assert any(line["status"] == 500 for line in answered), "no access lines"


@contextmanager
def closing_sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(path, timeout=30)
    try:
        with db:
            yield db
    finally:
        db.close()


@pytest.fixture
def running(backend: str, tmp_path: Path, databases: Databases, pathways: list[Path],
            servers: Callable[..., ServerProcess]) -> Running:
    """A real server on ``backend`` (both databases PostgreSQL on PostgreSQL: the service's
    and the client index), with access lines on."""
    home = tmp_path / "home"
    settings = {"TRIAGE_PATHS": json.dumps([str(p) for p in pathways]),
                "TRIAGE_ACCESS_LOG": "1"}
    url = None
    if backend == "postgresql":
        url = databases.fresh()
        index = PostgresClientIndex(url)
        index.bulk_load(demo_people())
        index.close()
        settings["TRIAGE_CLIENTS_DB"] = url
    server = servers(home, database_url=url, settings=settings)
    with httpx.Client(base_url=server.url) as client:
        signed_in = client.post("/api/session", json={"username": "demo-handler",
                                                      "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    return Running(server, backend, home, url, signed_in.json()["token"])


def assert_structured_500(reply: httpx.Response) -> None:
    assert reply.status_code == 500, reply.text
    assert reply.json()["error"]["field"] == "service"
    assert "nothing was changed" in reply.json()["error"]["reason"]


def assert_problem_page(reply: httpx.Response) -> None:
    assert reply.status_code == 500, reply.text
    assert "Sorry, something went wrong" in reply.text
    assert personal_values_in(reply.text) == []


def test_refused_writes_of_the_callers_name_phone_and_email_log_none_of_them(
        running: Running) -> None:
    state = running.walk(running.start(), TO_COMPLAINT)
    call_id = state["call_id"]
    api_path = f"/api/calls/{call_id}/answer"
    for step, value in (("caller_name", CALLER_NAME), ("contact_phone", PHONE),
                        ("contact_email", EMAIL)):
        assert state["step"]["step_id"] == step
        screen_step = running.screen_step(call_id)
        with running.writes_refused("calls"):  # the call's JSON now holds the answer
            assert_structured_500(running.answer(state, value))
            assert_problem_page(running.screen_post(f"/calls/{call_id}/answer",
                                                    step=screen_step, answer=value,
                                                    version=str(state["version"])))
        again = running.answer(state, value)  # nothing was changed: the same version works
        assert again.status_code == 200, again.text
        state = again.json()

    assert state["outcome"]["kind"] == "deflect_online_assisted"
    saved = running.api("GET", f"/api/calls/{call_id}").json()["answered"]
    assert CALLER_NAME in [answer["answer"] for answer in saved]  # the call keeps them
    running.assert_no_personal_values_logged(api_path, f"/calls/{call_id}/answer")


def test_a_person_search_that_fails_in_the_client_index_logs_none_of_the_search(
        running: Running) -> None:
    state = running.walk(running.start(), TO_PERSON_CHECK)
    call_id = state["call_id"]
    query = "?" + "&".join(f"{k}={v}" for k, v in SEARCH.items())

    with running.client_index_broken():
        assert_structured_500(running.search(state))
        assert_structured_500(running.search(state, query))  # details in the query too
        assert_problem_page(running.screen_post(f"/calls/{call_id}/search",
                                                version=str(state["version"]),
                                                **SCREEN_SEARCH))
        # A handler who types the details into the "go back to a call" box by mistake.
        assert running.screen_get(f"/calls{query}").status_code == 422

    found = running.search(state)
    assert found.status_code == 200, found.text
    assert found.json()["last_search"]["details"]["postcode"] == POSTCODE
    running.assert_no_personal_values_logged(f"/api/calls/{call_id}/search",
                                             f"/calls/{call_id}/search")


def test_a_person_search_whose_call_write_is_refused_logs_none_of_the_search(
        running: Running) -> None:
    state = running.walk(running.start(), TO_PERSON_CHECK)
    call_id = state["call_id"]

    with running.writes_refused("calls"):  # the search is kept on the call, in its JSON
        assert_structured_500(running.search(state))
        assert_problem_page(running.screen_post(f"/calls/{call_id}/search",
                                                version=str(state["version"]),
                                                **SCREEN_SEARCH))

    assert running.search(state).status_code == 200
    running.assert_no_personal_values_logged(f"/api/calls/{call_id}/search",
                                             f"/calls/{call_id}/search")


def test_a_refused_contact_record_logs_none_of_the_callers_details(running: Running) -> None:
    state = running.walk(running.start(), [*TO_COMPLAINT, ("caller_name", CALLER_NAME),
                                           ("contact_phone", PHONE), ("contact_email", EMAIL)])
    call_id = state["call_id"]
    assert state["outcome"] is not None

    with running.writes_refused("contacts"):  # the record holds the whole trail
        assert_structured_500(running.api("POST", f"/api/calls/{call_id}/finish",
                                          {"version": state["version"]}))
        assert_problem_page(running.screen_post(f"/calls/{call_id}/finish",
                                                version=str(state["version"])))

    finished = running.api("POST", f"/api/calls/{call_id}/finish",
                           {"version": state["version"]})
    assert finished.status_code == 200, finished.text
    trail = [entry["answer"] for entry in finished.json()["trail"]]
    assert CALLER_NAME in trail and EMAIL in trail  # the record itself keeps them
    running.assert_no_personal_values_logged(f"/api/calls/{call_id}/finish",
                                             f"/calls/{call_id}/finish")


def test_a_client_index_write_that_the_database_refuses_names_no_one(
        backend: str, tmp_path: Path, databases: Databases) -> None:
    person = PersonRecord(system_id="SYN9990001", given_name="Zebedee",
                          family_name="Quintrell", nhs_number="9994613723",
                          date_of_birth=dt.date(1941, 3, 7), address=ADDRESS,
                          postcode=POSTCODE)
    index: StoredClientIndex
    if backend == "postgresql":
        index = PostgresClientIndex(databases.fresh())
        index._db.execute("ALTER TABLE people ADD CONSTRAINT refused_by_the_test "
                          "CHECK (pid < 0) NOT VALID")
        where = "in PostgreSQL schema 'clients'"
        named = "psycopg.CheckViolation, code 23514, constraint 'refused_by_the_test'"
    else:
        index = SqliteClientIndex(tmp_path / "clients.sqlite3")
        index._db.execute("CREATE TRIGGER refused_by_the_test BEFORE INSERT ON people "
                          "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
        where = f"at '{tmp_path / 'clients.sqlite3'}'"
        named = "sqlite3.IntegrityError, code SQLITE_CONSTRAINT_TRIGGER"
    try:
        with pytest.raises(StorageError) as refused:
            index.add_people([person])
    finally:
        index.close()
    # PostgreSQL's own message quoted the whole row: the name, NHS number and address.
    assert str(refused.value) == (f"Writing to the client index {where} failed ({named}); "
                                  "nothing was changed.")
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


# --- the outermost layer, in process ---------------------------------------------------

async def answered_then_raised(scope: Scope, receive: Receive, send: Send) -> None:
    """What Starlette does with an unexpected error: answer it, then raise it again."""
    await send({"type": "http.response.start", "status": 500, "headers": []})
    await send({"type": "http.response.body", "body": b"answered"})
    raise RuntimeError("Zebedee Quintrell, UB8 9QZ")


async def raised_unanswered(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("Zebedee Quintrell, UB8 9QZ")


def call(app: Any) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(AnsweredErrors(app)({"type": "http", "path": "/api/calls"}, receive, send))
    return sent


def test_an_error_the_app_answered_goes_no_further_and_one_it_did_not_gets_the_500() -> None:
    assert [m.get("body") for m in call(answered_then_raised)] == [None, b"answered"]
    unanswered = call(raised_unanswered)
    assert unanswered[0]["status"] == 500
    assert unanswered[1]["body"] == FAILED_BODY
