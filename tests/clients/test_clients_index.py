"""The client index behind the port, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from triage.adapters.clients.audit import MemorySearchRecorder
from triage.adapters.clients.store import StoredClientIndex
from triage.matching.port import KnownStatus, MatchBand, SearchDetails
from triage.matching.records import CaseStatus, PersonRecord
from triage_qa.people import phone_queries


def _details_of(person: PersonRecord, **changes: str | None) -> SearchDetails:
    details = SearchDetails(given_name=person.given_name.split()[0],
                            family_name=person.family_name,
                            date_of_birth=person.date_of_birth.isoformat()
                            if person.date_of_birth else None,
                            postcode=person.postcode)
    return replace(details, **changes)


def _first(index: StoredClientIndex, details: SearchDetails) -> str | None:
    result = index.search(details)
    assert result.searched, result.advice
    return result.candidates[0].person_id if result.candidates else None


def _someone(people: list[PersonRecord], **wanted: object) -> PersonRecord:
    for person in people:
        if all(bool(getattr(person, k)) == v for k, v in wanted.items()):
            return person
    raise AssertionError(f"no generated person with {wanted}")


def test_an_exact_description_finds_the_person_first_as_a_match(
        loaded_index: StoredClientIndex, indexed: list[PersonRecord]) -> None:
    person = indexed[10]
    result = loaded_index.search(_details_of(person))
    top = result.candidates[0]
    assert top.person_id == person.system_id
    assert top.band is MatchBand.MATCH
    assert top.reasons["family_name"] == "agrees"
    assert 0.0 <= top.score <= 1.0


def test_a_valid_nhs_number_alone_finds_the_person(loaded_index: StoredClientIndex,
                                                   indexed: list[PersonRecord]) -> None:
    person = _someone(indexed, nhs_number=True)
    result = loaded_index.search(SearchDetails(nhs_number=person.nhs_number))
    assert result.candidates[0].person_id == person.system_id
    assert result.candidates[0].reasons["nhs_number"] == "agrees"


def test_an_nhs_number_failing_its_check_is_not_used_but_the_other_details_are(
        loaded_index: StoredClientIndex, indexed: list[PersonRecord]) -> None:
    person = next(p for p in indexed if p.nhs_number and p.date_of_birth)
    assert person.nhs_number and person.date_of_birth
    wrong = person.nhs_number[:9] + str((int(person.nhs_number[9]) + 1) % 10)
    result = loaded_index.search(SearchDetails(
        nhs_number=wrong, given_name=person.given_name.split()[0],
        family_name=person.family_name, date_of_birth=person.date_of_birth.isoformat()))
    assert result.searched
    assert result.candidates[0].person_id == person.system_id
    assert result.candidates[0].reasons["nhs_number"] == "missing"  # never used to match
    assert (result.advice or "").startswith(
        f"The NHS number '{wrong}' is not valid: its check digit does not match")
    assert "It was not used to match" in (result.advice or "")
    assert "read the NHS number again" in (result.advice or "")


def test_an_invalid_nhs_number_with_too_little_else_is_refused(
        loaded_index: StoredClientIndex) -> None:
    alone = loaded_index.search(SearchDetails(nhs_number="9990000019"))
    assert not alone.searched and alone.missing == ("nhs_number",)
    assert "read it again" in (alone.advice or "")
    thin = loaded_index.search(SearchDetails(nhs_number="9990000019", family_name="Smith"))
    assert not thin.searched and thin.missing[0] == "nhs_number"
    assert "The other details are not enough to search on their own either" in (
        thin.advice or "")


def test_an_nhs_number_with_letters_is_a_sentence_naming_the_field(
        loaded_index: StoredClientIndex) -> None:
    result = loaded_index.search(SearchDetails(nhs_number="99900O0018"))
    assert result.advice == ("The NHS number '99900O0018' is not valid: it needs exactly 10 "
                             "digits. Please ask the caller to read it again, digit by digit.")


def test_an_nhs_number_on_a_record_with_other_details_says_do_not_create_a_record(
        loaded_index: StoredClientIndex, indexed: list[PersonRecord]) -> None:
    person = next(p for p in indexed if p.nhs_number and p.date_of_birth)
    result = loaded_index.search(SearchDetails(
        nhs_number=person.nhs_number, given_name="Xavier", family_name="Quorndon-Pask",
        date_of_birth="1901-01-01", postcode="ZE2 9XX"))
    assert [c.person_id for c in result.candidates][:1] == [person.system_id]
    assert result.candidates[0].band is MatchBand.POSSIBLE
    assert "belongs to a record whose other details are different" in (result.advice or "")
    assert "do not create a new record" in (result.advice or "")
    assert "not known" not in (result.advice or "")


def test_the_python_api_takes_a_date_and_an_int_and_refuses_other_types(
        loaded_index: StoredClientIndex, indexed: list[PersonRecord]) -> None:
    from triage.errors import RequestError

    person = next(p for p in indexed if p.nhs_number and p.date_of_birth)
    typed = loaded_index.search(SearchDetails(
        nhs_number=int(person.nhs_number or 0), family_name=person.family_name,
        date_of_birth=person.date_of_birth))  # type: ignore[arg-type]
    assert typed.candidates[0].person_id == person.system_id
    assert typed.candidates[0].reasons["nhs_number"] == "agrees"
    assert typed.candidates[0].reasons["date_of_birth"] == "agrees"
    with pytest.raises(RequestError, match="The date of birth must be text such as 1948-03-12, "
                       "or a date, not float."):
        SearchDetails(date_of_birth=1948.0)  # type: ignore[arg-type]
    with pytest.raises(RequestError, match="The family name must be text, not list."):
        SearchDetails(family_name=["Smith"])  # type: ignore[arg-type]
    with pytest.raises(RequestError, match="The nhs number must be text of 10 digits"):
        SearchDetails(nhs_number=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("postcode", ["' OR 1=1 --", "SW1A-1AA", "SW1A 1AA;", "ЅW1A 1AA",
                                      "SW1A\u00a01AA", "LS6 2AB."])
def test_a_postcode_with_punctuation_or_other_script_is_refused_not_rewritten(
        loaded_index: StoredClientIndex, postcode: str) -> None:
    result = loaded_index.search(SearchDetails(family_name="Smith", date_of_birth="1950",
                                               postcode=postcode))
    assert not result.searched and result.missing == ("postcode",)
    assert result.advice == (f"The postcode '{postcode}' has characters a postcode does not "
                             "have (only the letters A to Z, digits and one space, such as "
                             "SW1A 1AA). Please ask the caller to repeat it.")


def test_each_band_is_said_in_words(loaded_index: StoredClientIndex,
                                    indexed: list[PersonRecord]) -> None:
    person = next(p for p in indexed if p.date_of_birth)
    assert person.date_of_birth
    result = loaded_index.search(SearchDetails(given_name=person.given_name.split()[0],
                                               family_name=person.family_name,
                                               date_of_birth=person.date_of_birth.isoformat()))
    assert result.candidates[0].words == "very likely the same person: confirm with the caller"
    assert MatchBand.POSSIBLE.words == "check carefully: may be the same person"


@pytest.mark.parametrize("slip", [
    "given_typo", "family_typo", "nickname", "previous_name", "names_swapped",
    "dob_day_month_swapped", "dob_one_digit_wrong", "dob_year_only", "dob_missing",
    "old_postcode", "postcode_one_character_wrong", "postcode_missing",
])
def test_a_caller_slip_still_finds_the_right_person_first(
        loaded_index: StoredClientIndex, indexed: list[PersonRecord], slip: str) -> None:
    person = next(p for p in indexed if p.previous_family_names and p.previous_postcodes
                  and p.date_of_birth and p.date_of_birth.day <= 12
                  and p.date_of_birth.day != p.date_of_birth.month
                  and p.given_name.split()[0].lower() in ("margaret", "elizabeth", "william",
                                                          "robert", "susan", "patricia"))
    first = person.given_name.split()[0]
    dob = person.date_of_birth
    assert dob is not None
    changes: dict[str, str | None] = {
        "given_typo": {"given_name": first[0] + first[2] + first[1] + first[3:]},
        "family_typo": {"family_name": person.family_name[:-1]},
        "nickname": {"given_name": {"margaret": "Peggy", "elizabeth": "Betty",
                                    "william": "Bill", "robert": "Bob", "susan": "Sue",
                                    "patricia": "Pat"}[first.lower()]},
        "previous_name": {"family_name": person.previous_family_names[0]},
        "names_swapped": {"given_name": person.family_name, "family_name": first},
        "dob_day_month_swapped": {"date_of_birth": f"{dob.month:02d}/{dob.day:02d}/{dob.year}"},
        "dob_one_digit_wrong": {"date_of_birth": date(dob.year, dob.month,
                                                      dob.day + 1 if dob.day < 28 else 1)
                                .isoformat()},
        "dob_year_only": {"date_of_birth": str(dob.year)},
        "dob_missing": {"date_of_birth": None},
        "old_postcode": {"postcode": person.previous_postcodes[0]},
        "postcode_one_character_wrong": {"postcode": (person.postcode or "")[:-1]
                                         + ("A" if (person.postcode or "").endswith("B")
                                            else "B")},
        "postcode_missing": {"postcode": None},
    }[slip]  # type: ignore[assignment]
    assert _first(loaded_index, _details_of(person, **changes)) == person.system_id


def test_someone_not_on_the_index_reads_not_found_or_is_never_a_match(
        loaded_index: StoredClientIndex, absent: list[PersonRecord]) -> None:
    for person in absent[:50]:
        result = loaded_index.search(_details_of(person))
        assert all(c.band is not MatchBand.MATCH for c in result.candidates), person.system_id
        if not result.candidates:
            assert result.advice == "Not found with these details."


def test_an_empty_result_reads_not_found_with_these_details(
        loaded_index: StoredClientIndex) -> None:
    result = loaded_index.search(SearchDetails(given_name="Zebedee", family_name="Quuxworthy",
                                               date_of_birth="1901-01-01"))
    assert result.searched
    assert result.candidates == ()
    assert result.advice == "Not found with these details."


def test_phone_style_queries_find_the_right_person_first_almost_always(
        loaded_index: StoredClientIndex, indexed: list[PersonRecord],
        absent: list[PersonRecord]) -> None:
    queries = phone_queries(indexed, absent, 300, seed=5)
    present = [q for q in queries if q.person_id]
    right_first = sum(_first(loaded_index, q.details) == q.person_id for q in present)
    false_matches = sum(
        1 for q in queries if q.person_id is None
        for c in loaded_index.search(q.details).candidates[:1] if c.band is MatchBand.MATCH)
    assert right_first / len(present) >= 0.98
    assert false_matches == 0


def test_candidates_show_only_what_a_handler_needs_to_confirm_identity(
        loaded_index: StoredClientIndex, indexed: list[PersonRecord]) -> None:
    person = indexed[3]
    summary = loaded_index.search(_details_of(person)).candidates[0].summary
    assert set(summary) == {"initials", "year_of_birth", "postcode_district"}
    text = json.dumps(summary)
    assert person.family_name not in text
    assert person.postcode not in text


def test_two_people_alike_in_every_detail_given_are_never_chosen_between(
        empty_index: StoredClientIndex) -> None:
    twin = PersonRecord(system_id="T1", given_name="Alex", family_name="Quarmby",
                        date_of_birth=date(1960, 5, 5), postcode="UB8 1QA")
    empty_index.add_people([twin, replace(twin, system_id="T2", given_name="Alexander")])
    result = empty_index.search(SearchDetails(given_name="Alex", family_name="Quarmby",
                                              date_of_birth="1960-05-05"))
    assert {c.person_id for c in result.candidates} == {"T1", "T2"}
    assert all(c.band is MatchBand.POSSIBLE for c in result.candidates)
    assert result.advice is not None and result.advice.startswith(("Ask for", "Check"))


def test_advice_names_the_detail_that_tells_the_top_candidates_apart(
        empty_index: StoredClientIndex) -> None:
    base = PersonRecord(system_id="A1", given_name="John", family_name="Quarmby",
                        date_of_birth=date(1950, 1, 1), postcode="UB8 1QA")
    empty_index.add_people([base, replace(base, system_id="A2",
                                          date_of_birth=date(1971, 6, 9))])
    result = empty_index.search(SearchDetails(given_name="John", family_name="Quarmby",
                                              postcode="UB8 1QA"))
    assert result.advice == "Ask for the date of birth: it differs between the top candidates."


def test_get_says_open_with_the_allocated_worker_team_and_alerts(
        empty_index: StoredClientIndex) -> None:
    empty_index.add_people([PersonRecord(
        system_id="O1", given_name="Ada", family_name="Quarmby", case_status=CaseStatus.OPEN,
        allocated_worker="Sam Worker", team="North Locality Team",
        alerts=("safeguarding", "risk_to_staff"), preferred_language="Polish")])
    record = empty_index.get("O1")
    assert record is not None
    assert record.known_status is KnownStatus.OPEN
    assert (record.allocated_worker, record.team) == ("Sam Worker", "North Locality Team")
    assert record.alerts == ("safeguarding", "risk_to_staff")
    assert record.preferred_language == "Polish"


def test_get_says_previously_known_for_a_closed_case_and_none_for_an_unknown_id(
        empty_index: StoredClientIndex) -> None:
    empty_index.add_people([PersonRecord(system_id="C1", given_name="Bo", family_name="Quarmby",
                                         case_status=CaseStatus.CLOSED,
                                         case_closed=date(2020, 1, 1))])
    record = empty_index.get("C1")
    assert record is not None and record.known_status is KnownStatus.PREVIOUSLY_KNOWN
    assert empty_index.get("nobody") is None


def test_every_search_is_audited_without_personal_details(
        loaded_index: StoredClientIndex, indexed: list[PersonRecord]) -> None:
    recorder = MemorySearchRecorder()
    person = _someone(indexed, nhs_number=True)
    loaded_index._audit = recorder  # the shared index; restored below
    try:
        details = replace(_details_of(person), nhs_number=person.nhs_number,
                          address=person.address, searcher="handler-17")
        result = loaded_index.search(details)
        loaded_index.search(SearchDetails(family_name="Smith"))
    finally:
        loaded_index._audit = None
    searched, refused = recorder.entries
    assert searched.searcher == "handler-17"
    assert searched.candidates == tuple((c.person_id, c.band.value) for c in result.candidates)
    assert searched.fields_given == ("nhs_number", "given_name", "family_name", "date_of_birth",
                                     "postcode", "address")
    assert not refused.searched and refused.missing == ("date_of_birth", "postcode")
    logged = json.dumps([searched.as_dict(), refused.as_dict()])
    for secret in (person.nhs_number, person.family_name, person.postcode, "Smith",
                   person.given_name.split()[0]):
        assert secret and secret not in logged
    assert person.date_of_birth and person.date_of_birth.isoformat() not in logged


def test_sql_metacharacters_in_a_search_are_only_text(loaded_index: StoredClientIndex) -> None:
    before = loaded_index.count()
    result = loaded_index.search(SearchDetails(given_name="Robert'); DROP TABLE people;--",
                                               family_name="O'Brien\" OR 1=1 --",
                                               date_of_birth="1950"))
    assert result.searched
    assert loaded_index.count() == before


def test_people_with_sql_metacharacters_and_non_latin_names_are_stored_and_found(
        empty_index: StoredClientIndex) -> None:
    empty_index.add_people([
        PersonRecord(system_id="X1'; DROP TABLE people;--", given_name="Robert",
                     family_name="O'Brien; DELETE FROM block_keys", date_of_birth=date(1950, 1, 1)),
        PersonRecord(system_id="X2", given_name="Иван", family_name="Петров",
                     date_of_birth=date(1951, 2, 3)),
        PersonRecord(system_id="X3", given_name="伟", family_name="陈",
                     date_of_birth=date(1952, 3, 4)),
    ])
    assert empty_index.count() == 3
    assert _first(empty_index, SearchDetails(given_name="Robert", family_name="O'Brien",
                                             date_of_birth="1950-01-01")) == \
        "X1'; DROP TABLE people;--"
    assert _first(empty_index, SearchDetails(given_name="Иван", family_name="Петров",
                                             date_of_birth="1951-02-03")) == "X2"
    assert _first(empty_index, SearchDetails(given_name="伟", family_name="陈",
                                             date_of_birth="1952")) == "X3"


def test_adding_people_updates_them_by_system_id(empty_index: StoredClientIndex) -> None:
    person = PersonRecord(system_id="U1", given_name="Edna", family_name="Quarmby",
                          date_of_birth=date(1940, 4, 4))
    empty_index.add_people([person])
    summary = empty_index.add_people([replace(person, family_name="Sallow",
                                              previous_family_names=("Quarmby",))])
    assert (summary.added, summary.updated) == (0, 1)
    assert empty_index.count() == 1
    found = empty_index.search(SearchDetails(family_name="Sallow", date_of_birth="1940-04-04"))
    assert found.candidates[0].person_id == "U1"
    maiden = empty_index.search(SearchDetails(family_name="Quarmby", date_of_birth="1940-04-04"))
    assert maiden.candidates[0].person_id == "U1"


def test_a_search_limit_out_of_range_is_refused_with_a_clear_message(
        loaded_index: StoredClientIndex) -> None:
    from triage.errors import RequestError

    with pytest.raises(RequestError, match="The search limit 0 is out of range; use 1 to 50."):
        loaded_index.search(SearchDetails(family_name="Smith", date_of_birth="1950"), limit=0)


def test_a_write_that_fails_half_way_is_rolled_back_completely(
        empty_index: StoredClientIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    import triage.adapters.clients.postgres_index as pg
    import triage.adapters.clients.sqlite_index as lite

    first = PersonRecord(system_id="W1", given_name="Ivy", family_name="Quarmby",
                         date_of_birth=date(1944, 4, 4))
    empty_index.add_people([first])
    real = lite.record_keys
    calls = {"n": 0}

    def fail_on_third(profile: object) -> set[int]:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(profile)  # type: ignore[arg-type]

    monkeypatch.setattr(lite, "record_keys", fail_on_third)
    monkeypatch.setattr(pg, "record_keys", fail_on_third)
    with pytest.raises(RuntimeError):
        empty_index.add_people([replace(first, family_name="Changed"),
                                replace(first, system_id="W2")])
    assert empty_index.count() == 1
    person = empty_index.person("W1")
    assert person is not None and person.family_name == "Quarmby"
    monkeypatch.undo()
    assert _first(empty_index, SearchDetails(family_name="Quarmby",
                                             date_of_birth="1944-04-04")) == "W1"


def test_the_log_recorder_writes_one_event_per_search_without_personal_details(
        empty_index: StoredClientIndex) -> None:
    from structlog.testing import capture_logs

    from triage.adapters.clients.audit import LogSearchRecorder

    empty_index.add_people([PersonRecord(system_id="L1", given_name="Ida", family_name="Quarmby",
                                         date_of_birth=date(1939, 9, 9))])
    empty_index._audit = LogSearchRecorder()
    with capture_logs() as logs:
        empty_index.search(SearchDetails(given_name="Ida", family_name="Quarmby",
                                         date_of_birth="1939-09-09", searcher="h1"))
    assert [log["event"] for log in logs] == ["client_index_search"]
    assert logs[0]["candidates"] == [{"person_id": "L1", "band": "match"}]
    assert "Quarmby" not in repr(logs) and "1939" not in repr(logs)
