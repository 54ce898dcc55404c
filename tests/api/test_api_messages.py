"""Every attempt to send a call's link is recorded, with the recipient masked, and listed on
the contact record. GOV.UK Notify is the real client library talking HTTP to a stand-in
Notify server on 127.0.0.1 (the only part that is not real). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from notifications_python_client.notifications import NotificationsAPIClient

from api.notify import Notifier
from api.service import masked
from tests.api.conftest import INFORMATION_CALL, MakeService, Service

# The shape of a Notify API key: name, service id, secret (the client signs with the last).
NOTIFY_KEY = f"test_key-{uuid.uuid4()}-{uuid.uuid4()}"
SMS_TEMPLATE = str(uuid.uuid4())
EMAIL_TEMPLATE = str(uuid.uuid4())


@dataclass
class FakeNotify:
    """A stand-in for the GOV.UK Notify API: records requests, answers as told."""

    server: ThreadingHTTPServer
    received: list[dict[str, Any]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    before_answering: list[Callable[[], None]] = field(default_factory=list)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def notifier(self) -> Notifier:
        client = NotificationsAPIClient(NOTIFY_KEY, base_url=self.url)
        return Notifier(NOTIFY_KEY, SMS_TEMPLATE, EMAIL_TEMPLATE, client=client)


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    fake: FakeNotify

    class Answer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the name http.server calls)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.received.append({"path": self.path, "body": body,
                                  "auth": self.headers.get("Authorization", "")})
            for run in fake.before_answering:
                run()
            status, payload = (fake.answers.pop(0) if fake.answers else
                               (201, {"id": str(uuid.uuid4()), "reference": None}))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    fake = FakeNotify(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def send(service: Service, call_id: str, by: str, to: str) -> dict[str, Any]:
    reply = service.post(f"/api/calls/{call_id}/send-link", {"by": by, "to": to})
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


@pytest.mark.parametrize(("to", "kept"), [
    ("07700 900123", "...123"), ("+44 7700 900 123", "...123"),
    ("jane.doe@example.org", "j...@example.org"),
    (" Jo@Mail.Example.com ", "J...@Mail.Example.com"),
])
def test_a_recipient_is_kept_only_masked(to: str, kept: str) -> None:
    assert masked(to) == kept


def test_links_not_sent_are_recorded_before_and_after_finishing_and_listed_on_the_record(
        service: Service) -> None:
    state = service.walk(service.start(), INFORMATION_CALL)
    call_id = state["call_id"]
    first = send(service, call_id, "sms", "07700 900123")
    assert first["status"] == "not sent" and first["to"] == "...123"
    assert service.finish(state).status_code == 200
    after = send(service, call_id, "email", "jane.doe@example.org")
    assert after["status"] == "not sent" and after["to"] == "j...@example.org"

    record = service.contact(call_id)
    messages = record["messages"]
    assert [(m["channel"], m["recipient"], m["status"], m["username"]) for m in messages] == [
        ("sms", "...123", "not sent", "demo-handler"),
        ("email", "j...@example.org", "not sent", "demo-handler")]
    assert all("not configured" in m["reason"] and m["reference"] is None for m in messages)
    assert messages[0]["sent_at"] <= messages[1]["sent_at"]
    stored = json.dumps(messages)
    assert "900123" not in stored and "jane.doe" not in stored


def test_links_sent_through_notify_are_recorded_with_notifys_reference(
        backend: str, make_service: MakeService, fake_notify: FakeNotify) -> None:
    service = make_service(backend, notifier=fake_notify.notifier())
    state = service.walk(service.start(), INFORMATION_CALL)
    call_id = state["call_id"]
    url = state["outcome"]["service"]["url"]

    sent = send(service, call_id, "sms", "07700 900123")
    assert sent["status"] == "sent"
    request = fake_notify.received[-1]
    assert request["path"] == "/v2/notifications/sms"
    assert request["body"]["phone_number"] == "07700 900123"
    assert request["body"]["template_id"] == SMS_TEMPLATE
    assert request["body"]["personalisation"]["url"] == url
    assert request["auth"].startswith("Bearer ")

    # Notify refuses the next one; the reason is kept, with the recipient masked in it too.
    fake_notify.answers.append((400, {"status_code": 400, "errors": [{
        "error": "ValidationError",
        "message": "email_address jo@nowhere.example is not a valid email address"}]}))
    failed = send(service, call_id, "email", "jo@nowhere.example")
    assert failed["status"] == "failed"
    assert fake_notify.received[-1]["body"]["template_id"] == EMAIL_TEMPLATE
    assert service.finish(state).status_code == 200

    messages = service.contact(call_id)["messages"]
    assert [(m["channel"], m["status"], m["recipient"]) for m in messages] == [
        ("sms", "sent", "...123"), ("email", "failed", "j...@nowhere.example")]
    assert messages[0]["reference"] == sent["reference"] and sent["reference"]
    assert "not a valid email address" in messages[1]["reason"]
    assert "jo@nowhere.example" not in json.dumps(messages)


def test_a_link_notify_took_is_on_record_even_if_recording_how_it_went_fails(
        backend: str, make_service: MakeService, fake_notify: FakeNotify) -> None:
    service = make_service(backend, notifier=fake_notify.notifier())
    state = service.walk(service.start(), INFORMATION_CALL)
    with service.own_store() as store:
        def rename(old: str, new: str) -> None:
            with store.engine.begin() as connection:
                connection.execute(sa.text(f"ALTER TABLE {old} RENAME TO {new}"))

        # While Notify takes the message, the table of sent messages goes away, so the
        # service cannot write how the attempt ended.
        fake_notify.before_answering.append(lambda: rename("sent_messages", "messages_away"))
        try:
            reply = send(service, state["call_id"], "sms", "07700 900123")
        finally:
            rename("messages_away", "sent_messages")
    assert reply["status"] == "sent"
    assert "could not be completed" in reply["recorded"]
    assert service.finish(state).status_code == 200
    messages = service.contact(state["call_id"])["messages"]
    assert [(m["channel"], m["recipient"], m["status"]) for m in messages] == [
        ("sms", "...123", "sending")]
