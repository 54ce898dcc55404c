"""When the database fails, the handler gets a plain page that says what to do and an API
client a structured error; never a traceback, even when the failing part is the one every
page reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.api.conftest import MakeService, Service


@contextmanager
def tables_away(service: Service, *tables: str) -> Iterator[None]:
    """The service's ``tables`` renamed out of its sight for the block, then put back."""
    with service.own_store() as store:
        try:
            for table in tables:
                with store.engine.begin() as connection:
                    connection.execute(sa.text(f"ALTER TABLE {table} RENAME TO {table}_away"))
            yield
        finally:
            with store.engine.begin() as connection:
                for table in tables:
                    connection.execute(sa.text(f"ALTER TABLE {table}_away RENAME TO {table}"))


def test_a_failing_database_gives_the_handler_a_page_not_a_traceback(
        make_service: MakeService, backend: str) -> None:
    service = make_service(backend)
    token = service.token("handler")
    cookie = {"Accept": "text/html", "Cookie": f"triage_session={token}"}
    assert service.client.get("/", headers=cookie).status_code == 200
    for tables in (("calls",), ("calls", "auth_sessions")):  # pages, then what all read
        with tables_away(service, *tables):
            reply = service.client.get("/", headers=cookie)
        assert reply.status_code == 500
        assert "Sorry, something went wrong" in reply.text
        assert "Nothing more was changed" in reply.text
        assert "Traceback" not in reply.text and "sqlalchemy" not in reply.text.lower()
    assert service.client.get("/", headers=cookie).status_code == 200


def test_a_failing_database_gives_an_api_client_a_structured_error(
        make_service: MakeService, backend: str) -> None:
    service = make_service(backend)
    assert service.get("/api/calls").status_code == 200
    # As a real client sees it (the test client would re-raise the server's error).
    client = TestClient(service.app, raise_server_exceptions=False)
    with tables_away(service, "calls"):
        reply = client.get("/api/calls", headers=service.headers("handler"))
    assert reply.status_code == 500
    assert reply.json()["error"]["field"] == "service"
    assert "nothing was changed" in reply.json()["error"]["reason"]
