"""One-off notices on the handler's screen are kept with the session in the database, so
the next page shows them whichever instance serves it, and shows them once."""

from __future__ import annotations

import re

from api.web.forms import csrf_token
from tests.api.conftest import MakeService, Service

STALE = "The call had changed"


def screen_post(service: Service, token: str, path: str, **form: str) -> str:
    """Post a screen form as the browser would (cookie, CSRF token, same origin)."""
    reply = service.client.post(path, data={"csrf": csrf_token(token), **form},
                                headers={"Origin": "http://testserver",
                                         "Cookie": f"triage_session={token}"},
                                follow_redirects=False)
    assert reply.status_code == 303, reply.text
    return reply.headers["location"]


def screen_get(service: Service, token: str, path: str) -> str:
    reply = service.client.get(path, headers={"Accept": "text/html",
                                              "Cookie": f"triage_session={token}"})
    assert reply.status_code == 200, reply.text
    return reply.text


def test_a_notice_set_on_one_instance_shows_once_on_the_next_page_from_another(
        make_service: MakeService, backend: str) -> None:
    first = make_service(backend)
    second = make_service(backend, settings=first.settings)  # the same database
    token = first.token("handler")
    call = screen_post(first, token, "/calls", pathway="front-door", language="en")
    call_id = re.fullmatch(r"/calls/([0-9a-f]{32})", call)
    assert call_id is not None, call
    page = screen_get(first, token, call)
    step = re.search(r'name="step" value="([^"]+)"', page)
    assert step is not None

    # An answer from an out-of-date page (version 99): refused, with a notice.
    back_to = screen_post(first, token, f"{call}/answer", version="99",
                          step=step.group(1), answer="gp")
    assert back_to == call

    shown = screen_get(second, token, call)
    assert STALE in shown
    assert "your last change was not saved" in shown
    assert STALE not in screen_get(second, token, call)  # once only
    assert STALE not in screen_get(first, token, call)
