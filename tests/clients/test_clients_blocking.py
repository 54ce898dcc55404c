"""Blocking keys that do not lose people: two slips still share a key, the candidate list
is capped without cutting the true person, and an index made with older keys can be
rebuilt in place."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pytest

from triage.adapters.clients.sqlite_index import SqliteClientIndex
from triage.adapters.clients.store import CANDIDATES_SCORED, StoredClientIndex
from triage.cli.clients import register
from triage.matching.keys import (
    KEY_FAMILIES,
    KEYS_VERSION,
    key_hash,
    query_keys,
    record_key_texts,
    record_keys,
)
from triage.matching.port import SearchDetails
from triage.matching.profile import profile_of
from triage.matching.query import Query, prepare_query
from triage.matching.records import PersonRecord
from triage_qa.other_people import messy_queries, other_people
from triage_qa.people import phone_queries

PERSON = PersonRecord(system_id="K1", given_name="Margaret", family_name="Thornley",
                      date_of_birth=date(1941, 6, 3), postcode="LS6 2AB",
                      address="14 Cardigan Road, Leeds")


def _query(**fields: str) -> Query:
    prepared = prepare_query(SearchDetails(**fields))
    assert isinstance(prepared, Query), prepared
    return prepared


def _shares_a_key(person: PersonRecord, **fields: str) -> bool:
    return bool(set(query_keys(_query(**fields))) & record_keys(profile_of(person)))


@pytest.mark.parametrize("fields", [
    # a first-letter typo in both names, with the date of birth exact
    {"given_name": "Nargaret", "family_name": "Fhornley", "date_of_birth": "1941-06-03"},
    # a family typo that changes its phonetic code, with no date of birth
    {"given_name": "Margaret", "family_name": "Xhornley", "postcode": "LS6 2AB"},
    # names swapped and one misspelt, with no date of birth
    {"given_name": "Thornley", "family_name": "Margeret", "postcode": "LS6 2AB"},
    # both names wrong, the postcode misheard: only the address is left
    {"given_name": "Mary", "family_name": "Hornby", "postcode": "LS6 2AD",
     "address": "14 Cardigan Rd"},
    # the first two letters of the family name transposed, the year only
    {"given_name": "Margaret", "family_name": "Htornley", "date_of_birth": "1941"},
])
def test_two_slips_still_share_a_blocking_key(fields: dict[str, str]) -> None:
    assert _shares_a_key(PERSON, **fields)


def test_the_old_key_families_alone_lose_a_first_letter_typo_in_both_names() -> None:
    old = {"N", "DF", "DG", "PF", "FY", "FMD", "FG", "FD", "FP", "GY", "GP"}
    q = _query(given_name="Nargaret", family_name="Fhornley", date_of_birth="1941-06-03")
    old_keys = {key_hash(k) for k in record_key_texts(
        profile_of(PERSON), [f for f in KEY_FAMILIES if f.name in old])}
    assert not set(query_keys(q)) & old_keys


def test_every_key_family_has_a_reason_and_a_unique_name() -> None:
    names = [f.name for f in KEY_FAMILIES]
    assert len(names) == len(set(names))
    assert all(len(f.reason) > 20 and f.weight > 0 for f in KEY_FAMILIES)


def test_the_cap_never_cuts_the_true_person_on_either_generator(tmp_path: Path) -> None:
    from triage_qa.people import generate_people

    for name, everyone, queries in (
        ("project", (people := list(generate_people(3300, seed=31))),
         phone_queries(people[:3000], people[3000:], 600, seed=32, absent_share=0.0)),
        ("other", (others := other_people(3300, seed=33)),
         messy_queries(others[:3000], others[3000:], 600, seed=34, absent_share=0.0)),
    ):
        index = SqliteClientIndex(tmp_path / f"{name}.sqlite3")
        index.bulk_load(everyone[:3000])
        by_id = {p.system_id: p for p in everyone}
        lost = []
        for q in queries:
            prepared = prepare_query(q.details)
            if not isinstance(prepared, Query):
                continue
            keys = query_keys(prepared)
            assert set(keys) & record_keys(profile_of(by_id[str(q.person_id)])), q
            capped = index._candidates(keys, CANDIDATES_SCORED)
            assert len(capped) <= CANDIDATES_SCORED
            if q.person_id not in {p.person_id for p in capped}:
                lost.append(q)
        index.close()
        assert lost == [], f"{name}: the cap cut the true person from {lost[:3]}"


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="triage")
    register(parser.add_subparsers())
    args = parser.parse_args(["clients", *argv])
    return int(args.func(args))


def _make_old(index: StoredClientIndex) -> None:
    """Turn a fresh index into one made by the version before key families were added."""
    old = [f for f in KEY_FAMILIES if f.name in
           {"N", "DF", "DG", "PF", "FY", "FMD", "FG", "FD", "FP", "GY", "GP"}]
    keys = [(key_hash(k), 1) for k in record_key_texts(profile_of(PERSON), old)]
    db = index._db  # type: ignore[attr-defined]
    if isinstance(index, SqliteClientIndex):
        db.execute("DELETE FROM block_keys")
        db.executemany("INSERT INTO block_keys VALUES (?, ?)", keys)
        db.execute("UPDATE meta SET value = '1' WHERE name = 'keys_version'")
    else:
        db.execute("DELETE FROM block_keys")
        db.cursor().executemany("INSERT INTO block_keys VALUES (%s, %s)", keys)
        db.execute("UPDATE meta SET value = '1' WHERE name = 'keys_version'")


def test_an_index_with_old_keys_is_named_and_rebuilt_in_place(
        empty_index: StoredClientIndex) -> None:
    empty_index.bulk_load([PERSON])
    assert empty_index.keys_version() == KEYS_VERSION
    assert empty_index.keys_out_of_date() is None
    _make_old(empty_index)
    two_slips = SearchDetails(given_name="Nargaret", family_name="Fhornley",
                              date_of_birth="1941-06-03")
    assert empty_index.search(two_slips).candidates == ()
    assert "run 'triage clients rebuild'" in str(empty_index.keys_out_of_date())
    assert empty_index.rebuild_keys() == 1
    assert empty_index.keys_version() == KEYS_VERSION
    assert [c.person_id for c in empty_index.search(two_slips).candidates] == ["K1"]


def test_the_rebuild_command_says_what_it_did_and_search_warns_until_then(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "old.sqlite3"
    index = SqliteClientIndex(db)
    index.bulk_load([PERSON])
    _make_old(index)
    index.close()
    assert _run("search", "--family", "Thornley", "--dob", "1941-06-03", "--db", str(db)) == 0
    assert "run 'triage clients rebuild' once" in capsys.readouterr().err
    assert _run("rebuild", "--db", str(db)) == 0
    assert f"Remade the blocking keys of 1 people (key table version 1 -> {KEYS_VERSION})" \
        in capsys.readouterr().out
    assert _run("search", "--family", "Thornley", "--dob", "1941-06-03", "--db", str(db)) == 0
    assert capsys.readouterr().err == ""
    assert _run("rebuild", "--db", str(tmp_path / "none.sqlite3")) == 1
    assert "There is no client index" in capsys.readouterr().err
