"""The package's public surface and the generator's promises."""

from __future__ import annotations

from collections import Counter

import triage.adapters.clients as clients
from triage.adapters.clients.postgres_index import PostgresClientIndex
from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.matching.port import ClientIndex
from triage.vocabulary import nhs_number_problem
from triage_qa.people import generate_people


def test_the_public_surface_is_pinned_and_sorted() -> None:
    assert clients.__all__ == sorted(clients.__all__)
    assert set(clients.__all__) >= {"SqliteClientIndex", "open_client_index", "import_csv",
                                    "SearchAuditEntry", "open_demo_index"}
    assert set(clients.__all__) == set(dir(clients))
    for name in clients.__all__:
        assert getattr(clients, name) is not None


def test_both_indexes_implement_the_port() -> None:
    assert issubclass(SqliteClientIndex, ClientIndex)
    assert issubclass(PostgresClientIndex, ClientIndex)


def test_the_generator_gives_the_same_people_for_the_same_seed() -> None:
    assert list(generate_people(300, seed=4)) == list(generate_people(300, seed=4))
    assert list(generate_people(50, seed=4)) != list(generate_people(50, seed=5))


def test_generated_people_are_obviously_fake_with_never_issued_nhs_numbers() -> None:
    people = list(generate_people(2000, seed=8))
    numbers = [p.nhs_number for p in people if p.nhs_number]
    assert len(numbers) == len(set(numbers)) > 1500
    assert all(n.startswith("999") and nhs_number_problem(n) is None for n in numbers)
    towns = ("Testbury", "Mockford", "Sampleton", "Dummington", "Fictonbridge", "Synthby",
             "Placeholme", "Notreal-on-Sea", "Madeupton", "Pretendham")
    assert all(p.address and p.address.endswith(towns) for p in people)


def test_generated_people_have_previous_names_addresses_cases_and_alerts() -> None:
    people = list(generate_people(2000, seed=8))
    assert sum(bool(p.previous_family_names) for p in people) > 300
    assert sum(bool(p.previous_postcodes) for p in people) > 400
    statuses = Counter(p.case_status.value for p in people)
    assert statuses["open"] > 300 and statuses["closed"] > 1000
    alerts = Counter(a for p in people for a in p.alerts)
    assert alerts["safeguarding"] > 50 and alerts["risk_to_staff"] > 20
    assert all(p.allocated_worker and p.team for p in people if p.case_status.value == "open")
    surnames = Counter(p.family_name for p in people)
    assert surnames.most_common(1)[0][1] < 100  # a realistic long tail, not a handful of names
