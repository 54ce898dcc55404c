"""One table answers every error the project raises on purpose: each class of the tree in
triage/errors has an HTTP status and a page on the screen, and the REST API and the
screen give the same status for the same refusal."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

import api
import triage
import triage_qa
from api.errors import answer_for, entry_for
from tests.api.conftest import Service
from triage.errors import (
    ChangeFromElsewhere,
    NotYourCall,
    StaleUpdate,
    TooManyAttempts,
    TriageError,
    UnknownCall,
)


def every_module(package: ModuleType) -> list[str]:
    """Every module of ``package`` but the ``__main__`` ones (which would run a program)."""
    return [info.name for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
            if not info.name.endswith("__main__")]


def every_error_class() -> list[type[TriageError]]:
    """Every subclass of TriageError, after importing every module that might define one."""
    for package in (triage, triage_qa, api):
        for name in every_module(package):
            importlib.import_module(name)
    found: list[type[TriageError]] = []
    waiting = [TriageError]
    while waiting:
        for sub in waiting.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                waiting.append(sub)
    return found


ERRORS = every_error_class()


def test_the_walk_finds_the_whole_tree() -> None:
    names = {cls.__name__ for cls in ERRORS}
    assert {"CallError", "InvalidAnswer", "StorageError", "PathwayVersionNotLoaded",
            "NotYourCall", "StaleUpdate", "TooManyAttempts", "DateNotRead"} <= names


@pytest.mark.parametrize("kind", ERRORS, ids=lambda cls: cls.__name__)
def test_every_error_class_has_a_status_and_a_page(kind: type[TriageError]) -> None:
    entry = entry_for(kind)  # LookupError, naming the class, if the table has none
    assert 400 <= entry.status <= 599
    assert entry.fault == (entry.status == 500)


def test_the_root_alone_has_no_entry_so_a_new_family_cannot_slip_through() -> None:
    class NewFamily(TriageError):
        """A family nobody told the table about."""

    with pytest.raises(LookupError, match="NewFamily has no entry"):
        entry_for(NewFamily)


@pytest.mark.parametrize(("error", "status", "field", "title"), [
    (StaleUpdate(current_version=4), 409, "version", "The call had changed"),
    (UnknownCall(call_id="abc"), 404, "call_id", "There is no call with this reference"),
    (TooManyAttempts(retry_after=120, limit="address"), 429, "address", "Sign in"),
    (ChangeFromElsewhere(), 403, "origin", "This form could not be accepted"),
])
def test_an_answer_has_the_body_and_the_page(error: TriageError, status: int, field: str,
                                             title: str) -> None:
    answer = answer_for(error)
    assert (answer.status, answer.field, answer.page.title) == (status, field, title)
    assert answer.page.text and answer.page.status == status
    assert answer.body()["error"]["field"] == field


def test_the_api_tells_another_handler_how_to_take_a_call_over_and_the_screen_whose_it_is(
) -> None:
    answer = answer_for(NotYourCall(call_id="c" * 32, owner="sam", owner_name="Sam Example",
                                    version=3, updated_at=None))
    assert "POST /api/calls/cccccccccccccccccccccccccccccccc/take-over" in answer.reason
    assert answer.page.title == "This call belongs to Sam Example"
    assert answer.current_version is None  # not told to another handler


def test_an_unknown_call_has_the_same_status_on_the_api_and_the_screen(
        service: Service) -> None:
    api_reply = service.get("/api/calls/" + "0" * 32)
    page = service.client.get("/calls/" + "0" * 32, headers={
        "Accept": "text/html", "Cookie": f"triage_session={service.token('handler')}"})
    assert api_reply.status_code == page.status_code == 404
    assert "There is no call with this reference" in page.text
