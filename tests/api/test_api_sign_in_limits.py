"""Failed sign-ins are limited: after 5 for one user name, or 20 from one address, within
15 minutes, further attempts are refused with 429 and a wait that doubles with each one,
up to 15 minutes, even with the right password. The counts are kept in the database, as
keyed hashes only, so every instance shares them. Every test runs on SQLite and on
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from api.service import Authenticator, SignInLimits
from api.settings import Settings
from api.storage import SqlRepository, database_url, make_engine, migrate
from api.storage.schema import sign_in_attempts
from tests.api.conftest import PASSWORD, Databases, MakeService, ServerProcess, Service
from triage.errors import TooManyAttempts

WAIT_2_MINUTES = "Too many attempts. Wait 2 minutes, then try again."


def attempt(client: TestClient, username: str = "demo-handler",
            password: str = "wrong password") -> httpx.Response:
    reply = client.post("/api/session", json={"username": username, "password": password})
    client.cookies.clear()
    return reply


def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_a_doubling_time(
        make_service: MakeService, backend: str) -> None:
    service = make_service(backend)
    assert [attempt(service.client).status_code for _ in range(5)] == [401] * 5
    refused = attempt(service.client, password=PASSWORD)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "120"
    assert refused.json()["error"] == {"field": "username", "reason": WAIT_2_MINUTES,
                                       "current_version": None}
    assert "set-cookie" not in refused.headers
    waits = [int(attempt(service.client).headers["retry-after"]) for _ in range(6)]
    assert waits[:3] == [240, 480, 900]  # doubling, up to 15 minutes
    assert all(870 <= wait <= 900 for wait in waits[3:])  # and no longer
    assert attempt(service.client, "demo-supervisor", PASSWORD).status_code == 200


def test_failures_from_one_address_over_its_limit_refuse_every_user_name_from_there_only(
        make_service: MakeService, backend: str) -> None:
    # The limit is 20 by default (see the settings test); 6 here keeps the test quick, as
    # every guess at a name that does not exist costs a whole Argon2 hash.
    service = make_service(backend, sign_in_address_limit=6)
    office = TestClient(service.app, client=("203.0.113.7", 50000))
    for n in range(6):  # a different name each time: no user name reaches its limit
        assert attempt(office, f"guess-{n}").status_code == 401
    refused = attempt(office, "demo-handler", PASSWORD)
    assert refused.status_code == 429
    assert refused.json()["error"]["field"] == "address"
    elsewhere = TestClient(service.app, client=("198.51.100.20", 50000))
    assert attempt(elsewhere, "demo-handler", PASSWORD).status_code == 200
    # IPv6 addresses are counted by their /64: the next address along is the same place.
    for n in range(6):
        attempt(TestClient(service.app, client=(f"2001:db8:1:2::{n + 1:x}", 50000)),
                f"guess-{n}")
    neighbour = TestClient(service.app, client=("2001:db8:1:2::ffff", 50000))
    assert attempt(neighbour, "demo-handler", PASSWORD).status_code == 429
    other_network = TestClient(service.app, client=("2001:db8:1:3::1", 50000))
    assert attempt(other_network, "demo-handler", PASSWORD).status_code == 200


def test_instances_on_one_database_share_the_counts(make_service: MakeService,
                                                    backend: str) -> None:
    first = make_service(backend)
    second = make_service(backend, settings=first.settings)
    for client in (first.client, second.client, first.client, second.client, first.client):
        assert attempt(client).status_code == 401
    assert attempt(second.client, password=PASSWORD).status_code == 429


def test_signing_in_clears_the_user_names_failures(make_service: MakeService,
                                                   backend: str) -> None:
    service = make_service(backend)
    for _ in range(2):
        assert [attempt(service.client).status_code for _ in range(4)] == [401] * 4
        assert attempt(service.client, password=PASSWORD).status_code == 200


def test_only_keyed_hashes_of_what_was_typed_and_where_from_are_stored(
        make_service: MakeService, backend: str) -> None:
    service = make_service(backend)
    typed = "Harriet Quokka-Marsh harriet.q@example.org"  # a person may type anything
    client = TestClient(service.app, client=("192.0.2.44", 50000))
    for _ in range(3):
        attempt(client, typed)
    with service.own_store() as store, store.engine.connect() as connection:
        rows = [dict(r) for r in connection.execute(sa.select(sign_in_attempts)).mappings()]
    assert len(rows) == 6  # three attempts, each under its user name and its address
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{64}", row["key_hash"])
        stored = repr(row).lower()
        for part in ("harriet", "quokka", "example.org", "192.0.2.44"):
            assert part not in stored


def test_the_limits_are_settings_with_the_documented_defaults(
        make_service: MakeService, monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().sign_in_limits() == SignInLimits(
        per_user=5, per_address=20, window_seconds=900, first_block_seconds=60,
        longest_block_seconds=900)
    for name, value in (("USER_LIMIT", "2"), ("ADDRESS_LIMIT", "7"), ("WINDOW_SECONDS", "60"),
                        ("FIRST_BLOCK_SECONDS", "5"), ("LONGEST_BLOCK_SECONDS", "30")):
        monkeypatch.setenv(f"TRIAGE_SIGN_IN_{name}", value)
    assert Settings().sign_in_limits() == SignInLimits(
        per_user=2, per_address=7, window_seconds=60, first_block_seconds=5,
        longest_block_seconds=30)
    service = make_service("sqlite", sign_in_user_limit=2, sign_in_first_block_seconds=5)
    assert [attempt(service.client).status_code for _ in range(2)] == [401, 401]
    refused = attempt(service.client, password=PASSWORD)
    assert (refused.status_code, refused.headers["retry-after"]) == (429, "10")
    assert refused.json()["error"]["reason"] == (
        "Too many attempts. Wait 10 seconds, then try again.")


# --- the limit as an attacker meets it ----------------------------------------------------

class Clock:
    """A clock the test moves on by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def guarded(backend: str, tmp_path: Path, databases: Databases
            ) -> Iterator[tuple[Authenticator, Clock]]:
    """The sign-in of a fresh database, with the default limits and a clock of the test's."""
    url = database_url(databases.fresh() if backend == "postgresql" else None, tmp_path)
    migrate(url)
    store = SqlRepository(make_engine(url))
    # Verified with the parameters kept in the hash: cheap ones keep a long run quick.
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    store.put_user("sam", "Sam", "handler", cheap.hash(PASSWORD))
    clock = Clock()
    yield Authenticator(store, clock=clock), clock
    store.engine.dispose()


def guesses(auth: Authenticator, clock: Clock, minutes: float,
            next_try: Callable[[int | None], float]) -> list[float]:
    """Guess Sam's password for ``minutes``; the seconds (from the start) of each guess
    whose password was checked. ``next_try`` says how long to wait after each attempt,
    given the Retry-After of a refused one (None when the password was checked)."""
    start, checked = clock.now, []
    while clock.now - start < dt.timedelta(minutes=minutes):
        try:
            assert auth.sign_in("sam", "not the password", "203.0.113.99") is None
            checked.append((clock.now - start).total_seconds())
            clock.wait(next_try(None))
        except TooManyAttempts as exc:
            clock.wait(next_try(exc.retry_after))
    return checked


def most_in_any_15_minutes(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 900) for start in times)


def test_a_guesser_gets_five_passwords_checked_in_15_minutes_by_hammering(
        guarded: tuple[Authenticator, Clock]) -> None:
    auth, clock = guarded
    checked = guesses(auth, clock, 15, lambda _retry_after: 2.0)  # a guess every 2 seconds
    assert checked == [0, 2, 4, 6, 8]
    with pytest.raises(TooManyAttempts):
        auth.sign_in("sam", PASSWORD)  # the right password is refused too


def test_a_guesser_who_waits_as_told_gets_at_most_seven_checked_in_any_15_minutes(
        guarded: tuple[Authenticator, Clock]) -> None:
    auth, clock = guarded
    checked = guesses(auth, clock, 120, lambda retry_after: retry_after or 0.5)
    # Five at once; the next try is refused and doubles the wait (2 minutes), and so on,
    # until the oldest failures are 15 minutes old and no longer count.
    assert checked[:8] == [0, 0.5, 1.0, 1.5, 2.0, 122.5, 603.0, 1503.5]
    assert most_in_any_15_minutes(checked) == 7


def test_a_guesser_who_knows_when_each_wait_ends_gets_at_most_eight_in_any_15_minutes(
        guarded: tuple[Authenticator, Clock]) -> None:
    auth, clock = guarded

    def until_the_block_ends(retry_after: int | None) -> float:
        with auth.repository.engine.connect() as connection:  # what no real guesser can see
            blocked = connection.execute(sa.select(sa.func.max(
                sign_in_attempts.c.blocked_until))).scalar()
        if blocked is None:
            return 0.5
        if blocked.tzinfo is None:
            blocked = blocked.replace(tzinfo=dt.UTC)
        return max(0.5, (blocked - clock.now).total_seconds())

    checked = guesses(auth, clock, 120, until_the_block_ends)
    assert checked[:9] == [0, 0.5, 1.0, 1.5, 2.0, 62.0, 182.0, 422.0, 902.0]
    assert most_in_any_15_minutes(checked) == 8
    assert len(checked) == 48  # in two hours


# --- several attempts at the same moment, against real server processes ----------------

def test_a_burst_of_simultaneous_guesses_gets_no_more_than_five_checked(
        backend: str, tmp_path: Path, databases: Databases,
        servers: Callable[..., ServerProcess]) -> None:
    url = databases.fresh() if backend == "postgresql" else None
    server = servers(tmp_path / "home", database_url=url)

    def guess(_n: int) -> int:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            return client.post("/api/session", json={"username": "demo-handler",
                                                     "password": "wrong"}).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(guess, range(24)))
    assert sorted(statuses) == [401] * 5 + [429] * 19


def test_no_log_line_holds_a_user_name_that_was_typed(
        tmp_path: Path, servers: Callable[..., ServerProcess]) -> None:
    server = servers(tmp_path / "home")
    typed = "zebra-quokka-handler"
    with httpx.Client(base_url=server.url, timeout=60) as client:
        statuses = [client.post("/api/session", json={"username": typed, "password": "x"}
                                ).status_code for _ in range(7)]
        page = client.get("/sign-in")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        screen = client.post("/sign-in", data={"csrf": token.group(1), "username": typed,
                                               "password": "x"})
    assert statuses == [401] * 5 + [429] * 2
    assert screen.status_code == 429
    server.stop()
    log = server.log.read_text()
    events = re.findall(r'"event": "(sign_in_[a-z_]+)"', log)
    assert events.count("sign_in_throttled") == 3
    assert events.count("sign_in_limit_reached") == 1
    assert "zebra" not in log and "quokka" not in log


def attempts_kept(service: Service) -> Any:
    with service.own_store() as store, store.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(sign_in_attempts)
                                  ).scalar()


def test_a_flood_of_refused_attempts_adds_a_few_rows_not_one_each(
        make_service: MakeService, backend: str) -> None:
    service = make_service(backend)
    for _ in range(60):
        attempt(service.client)
    assert attempts_kept(service) <= 2 * 5 + 4
