"""When the database fails, the handler gets a plain page that
says what to do and an API client a structured error; never a traceback, even when the
failing part is the one every page reads."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.store import database_url, make_engine
from tests.api.conftest import MakeService


def test_a_failing_database_gives_the_handler_a_page_not_a_traceback(
        make_service: MakeService, backend: str) -> None:
    service = make_service(backend)
    token = service.token("handler")
    cookie = {"Accept": "text/html", "Cookie": f"triage_session={token}"}
    assert service.client.get("/", headers=cookie).status_code == 200
    engine = make_engine(database_url(service.settings.database_url, service.settings.home))
    try:
        for table in ("calls", "auth_sessions"):  # pages, then what every page reads
            with engine.begin() as connection:
                connection.execute(sa.text(f"ALTER TABLE {table} RENAME TO {table}_away"))
            reply = service.client.get("/", headers=cookie)
            assert reply.status_code == 500
            assert "Sorry, something went wrong" in reply.text
            assert "Nothing more was changed" in reply.text
            assert "Traceback" not in reply.text and "sqlalchemy" not in reply.text.lower()
    finally:
        with engine.begin() as connection:
            for table in ("calls", "auth_sessions"):
                connection.execute(sa.text(f"ALTER TABLE {table}_away RENAME TO {table}"))
        engine.dispose()
    assert service.client.get("/", headers=cookie).status_code == 200


def test_a_failing_database_gives_an_api_client_a_structured_error(
        make_service: MakeService, backend: str) -> None:
    service = make_service(backend)
    assert service.get("/api/calls").status_code == 200
    engine = make_engine(database_url(service.settings.database_url, service.settings.home))
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE calls RENAME TO calls_away"))
        # As a real client sees it (the test client would re-raise the server's error).
        client = TestClient(service.app, raise_server_exceptions=False)
        reply = client.get("/api/calls", headers=service.headers("handler"))
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE calls_away RENAME TO calls"))
        engine.dispose()
    assert reply.status_code == 500
    assert reply.json()["error"]["field"] == "service"
    assert "nothing was changed" in reply.json()["error"]["reason"]
