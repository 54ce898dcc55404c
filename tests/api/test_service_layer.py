"""The service layer's handlers on the in-memory repository: the same rules as through the
API (committed changes, row versions, whose call it is, the contact record and its reads,
links kept masked), with no database and no HTTP, in milliseconds a test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.service import FrontDoor, LinkSender, PathwayLibrary, Role, User, hash_password
from tests.api.conftest import INFORMATION_CALL, ROOT
from tests.api.fakes import InMemoryRepository
from triage.errors import (
    LookupRefused,
    NotYourCall,
    StaleUpdate,
    TooManyAttempts,
    UnknownContact,
)
from triage.matching.port import SearchDetails

SAM = User("sam", "Sam Example", Role.HANDLER)
ROBIN = User("robin", "Robin Other", Role.HANDLER)
SUPERVISOR = User("jo", "Jo Manager", Role.SUPERVISOR)


class SentEveryTime(LinkSender):
    """A link sender that takes every message (GOV.UK Notify's part, by hand)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, by: str, to: str, service: str, url: str) -> dict[str, str]:
        self.sent.append((by, to, url))
        return {"status": "sent", "reference": f"ref-{len(self.sent)}"}


@pytest.fixture(scope="module")
def library() -> PathwayLibrary:
    """The shipped pathways, compiled once for the module."""
    shipped = PathwayLibrary([ROOT / "pathways", ROOT / "scripts"])
    assert shipped.reload() == []
    return shipped


@pytest.fixture
def repository() -> Iterator[InMemoryRepository]:
    kept = InMemoryRepository()
    for user in (SAM, ROBIN, SUPERVISOR):
        kept.put_user(user.username, user.display_name, user.role.value, "no sign-in here")
    yield kept


@pytest.fixture
def door(repository: InMemoryRepository, library: PathwayLibrary) -> FrontDoor:
    return FrontDoor.over(repository, library, None, SentEveryTime())


def walk(door: FrontDoor, user: User, steps: list[tuple[str, str]]) -> tuple[str, int]:
    """Start a call and give ``steps``; its id and version."""
    state = door.calls.start(user, "front-door", {})
    for step, value in steps:
        assert state.step is not None and state.step.step_id == step
        state = door.calls.answer(user, state.call_id, state.version, step, value)
    return state.call_id, state.version


def test_a_whole_call_ends_in_a_contact_record_whose_reads_are_recorded(
        door: FrontDoor, repository: InMemoryRepository) -> None:
    call_id, version = walk(door, SAM, INFORMATION_CALL)
    record = door.contacts.finish(SAM, call_id, version)
    assert record["suggested_outcome"]["kind"] == "signpost"
    assert [(t["step"].rsplit("/")[-1], t["answer"]) for t in record["trail"]
            if t["kind"] == "answered"] == INFORMATION_CALL
    listed = door.contacts.listing()
    assert [(c["call_id"], c["outcome_kind"]) for c in listed] == [(call_id, "signpost")]
    read = door.contacts.read(SUPERVISOR, listed[0]["contact_id"])
    assert read["record"]["call_id"] == call_id
    assert [r["username"] for r in repository.reads_of(listed[0]["contact_id"])] == ["jo"]
    with pytest.raises(UnknownContact):
        door.contacts.read(SUPERVISOR, 999)
    assert len(repository.reads) == 1  # the missing record's read was not recorded


def test_of_two_changes_from_one_version_the_second_is_told_the_current_one(
        door: FrontDoor) -> None:
    state = door.calls.start(SAM, "front-door", {})
    door.calls.answer(SAM, state.call_id, state.version, "caller_type", "self")
    with pytest.raises(StaleUpdate) as stale:
        door.calls.answer(SAM, state.call_id, state.version, "caller_type", "family_friend")
    assert stale.value.current_version == 2
    assert door.calls.get(SAM, state.call_id).answered == [
        {"step": "caller_type", "answer": "self"}]


def test_another_handlers_call_is_refused_by_name_until_they_take_it_over(
        door: FrontDoor) -> None:
    call_id, version = walk(door, SAM, INFORMATION_CALL[:2])
    with pytest.raises(NotYourCall) as refused:
        door.calls.get(ROBIN, call_id)
    assert refused.value.owner_name == "Sam Example"
    taken = door.calls.take_over(ROBIN, call_id, version, "Sam went off shift")
    assert taken.version == version + 1
    assert [c.call_id for c in door.calls.mine(ROBIN)] == [call_id]
    assert door.calls.mine(SAM) == []
    with pytest.raises(NotYourCall):
        door.calls.back(SAM, call_id, taken.version)


def test_a_link_that_went_is_kept_masked_even_when_its_record_cannot_be_finished(
        door: FrontDoor, repository: InMemoryRepository) -> None:
    call_id, _version = walk(door, SAM, INFORMATION_CALL)
    repository.refuse_messages = True
    sent = door.links.send(SAM, call_id, "07700 900123", "sms")
    assert (sent["status"], sent["to"]) == ("sent", "...123")
    assert "could not be completed" in sent["recorded"]
    assert [(m["recipient"], m["status"]) for m in door.links.messages(call_id)] == [
        ("...123", "sending")]


def test_without_a_client_index_a_person_search_is_refused_with_a_sentence(
        door: FrontDoor) -> None:
    call_id, version = walk(door, SAM, INFORMATION_CALL[:4])
    someone = SearchDetails(given_name="Cleo", family_name="Example",
                            date_of_birth="1938-11-30")
    with pytest.raises(LookupRefused, match="No client index is configured"):
        door.calls.search(SAM, call_id, version, someone)
    assert door.calls.get(SAM, call_id).version == version  # nothing was changed


def test_opening_a_call_for_a_page_loads_it_once(door: FrontDoor,
                                                repository: InMemoryRepository) -> None:
    call_id, _version = walk(door, SAM, INFORMATION_CALL[:3])
    repository.loads = 0
    opened = door.calls.open(SAM, call_id)
    assert repository.loads == 1
    assert opened.state.step is not None and opened.session.call_id == call_id
    assert not opened.finished


def test_signing_in_on_the_fake_counts_failures_as_the_database_does(
        door: FrontDoor, repository: InMemoryRepository) -> None:
    repository.put_user("sam", "Sam Example", "handler", hash_password("right"))
    assert [door.auth.sign_in("sam", "wrong") for _ in range(5)] == [None] * 5
    with pytest.raises(TooManyAttempts):
        door.auth.sign_in("sam", "right")  # the right password, refused until the wait ends
