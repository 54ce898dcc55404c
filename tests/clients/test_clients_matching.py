"""The pure matching core: checking what a caller said, comparing fields, banding."""

from __future__ import annotations

from datetime import date

import pytest

from triage.matching.nicknames import name_roots
from triage.matching.normalise import parse_date_of_birth
from triage.matching.port import SearchDetails
from triage.matching.profile import profile_of
from triage.matching.query import Query, Refusal, prepare_query
from triage.matching.records import PersonRecord
from triage.matching.scoring import AGREES, DISAGREES, MISSING, PARTLY, score_profile
from triage.vocabulary import nhs_check_digit, nhs_number_problem

MARY = PersonRecord(
    system_id="P1", given_name="Margaret Anne", family_name="Hatherley",
    previous_family_names=("Ostrowski",), nhs_number="9990000018",
    date_of_birth=date(1948, 3, 12), postcode="UB8 1QA", address="3 Alder Close, Testbury",
    previous_postcodes=("UB4 9XY",), previous_addresses=("17 Mill Lane, Testbury",),
)


def _score(**given: str) -> dict[str, str]:
    query = prepare_query(SearchDetails(**given))
    assert isinstance(query, Query), query
    return score_profile(query, profile_of(MARY)).reasons


def _refusal(**given: str) -> Refusal:
    result = prepare_query(SearchDetails(**given))
    assert isinstance(result, Refusal)
    return result


def test_nhs_numbers_in_the_never_issued_999_range_pass_the_modulus_11_check() -> None:
    assert nhs_number_problem("999 000 0018") is None
    assert nhs_check_digit("999000001") == 8


def test_an_nhs_number_with_a_wrong_check_digit_is_refused_with_a_request_to_re_read_it() -> None:
    refusal = _refusal(nhs_number="999 000 0019", family_name="Hatherley")
    assert refusal.missing == ("nhs_number", "date_of_birth", "postcode")
    assert refusal.advice.startswith(
        "The NHS number '999 000 0019' is not valid: its check digit does not match, so a "
        "digit was probably misheard. Please ask the caller to read it again, digit by digit. "
        "The other details are not enough to search on their own either: Not enough details "
        "to search: a name alone could be many people.")


def test_an_nhs_number_of_the_wrong_length_is_refused() -> None:
    refusal = _refusal(nhs_number="12345")
    assert "exactly 10 digits" in refusal.advice
    assert "'12345'" in refusal.advice


def test_an_empty_search_says_what_to_ask_for() -> None:
    refusal = _refusal()
    assert refusal.missing == ("nhs_number", "family_name", "date_of_birth")
    assert refusal.advice.startswith("Not enough details to search")


def test_blank_strings_count_as_not_given() -> None:
    assert _refusal(given_name="  ", family_name="", postcode=" ").missing[0] == "nhs_number"


def test_a_name_alone_is_not_enough_to_search() -> None:
    refusal = _refusal(given_name="Mary", family_name="Hatherley")
    assert refusal.missing == ("date_of_birth", "postcode")
    assert "Ask for the date of birth or the postcode" in refusal.advice


def test_a_date_of_birth_without_a_family_name_asks_for_the_family_name() -> None:
    refusal = _refusal(given_name="Mary", date_of_birth="1948-03-12")
    assert refusal.missing == ("family_name",)


def test_an_impossible_date_of_birth_is_refused_naming_the_date() -> None:
    refusal = _refusal(family_name="Hatherley", date_of_birth="30/02/1948")
    assert refusal.missing == ("date_of_birth",)
    assert refusal.advice == ("The date of birth '30/02/1948' is not a real date: month 2 of "
                              "1948 has no day 30. Ask the caller to repeat it.")


@pytest.mark.parametrize("text", ["1848", "2099-01-01", "13/13/1950", "yesterday"])
def test_dates_of_birth_that_cannot_be_right_are_refused(text: str) -> None:
    refusal = _refusal(family_name="Hatherley", date_of_birth=text)
    assert refusal.missing == ("date_of_birth",)
    assert f"'{text}'" in refusal.advice


@pytest.mark.parametrize("text,expected", [
    ("1948-03-12", (1948, 3, 12)), ("12/03/1948", (1948, 3, 12)), ("12 March 1948", (1948, 3, 12)),
    ("1948-03", (1948, 3, None)), ("March 1948", (1948, 3, None)), ("1948", (1948, None, None)),
])
def test_dates_of_birth_are_read_in_the_forms_callers_give(text: str,
                                                           expected: tuple[int, ...]) -> None:
    parsed = parse_date_of_birth(text)
    assert (parsed.year, parsed.month, parsed.day) == expected


def test_a_very_long_string_is_refused_with_its_length() -> None:
    refusal = _refusal(family_name="x" * 5000, date_of_birth="1948")
    assert refusal.missing == ("family_name",)
    assert "5000 characters" in refusal.advice


def test_a_name_with_no_letters_asks_for_it_to_be_spelt() -> None:
    refusal = _refusal(family_name="1234", date_of_birth="1948")
    assert refusal.advice == ("The family name '1234' has no letters in it. Please ask the "
                              "caller to spell it.")


def test_a_postcode_that_is_not_a_uk_postcode_is_refused() -> None:
    refusal = _refusal(family_name="Hatherley", postcode="12345")
    assert refusal.missing == ("postcode",)
    assert "'12345' is not a UK postcode" in refusal.advice


def test_nicknames_lead_back_to_the_formal_name() -> None:
    assert "margaret" in name_roots("peggy")
    assert "william" in name_roots("bill")
    assert name_roots("zebedee") == {"zebedee"}


def test_every_field_agrees_for_an_exact_description() -> None:
    reasons = _score(nhs_number="9990000018", given_name="Margaret", family_name="Hatherley",
                     date_of_birth="1948-03-12", postcode="UB8 1QA",
                     address="3 Alder Close, Testbury")
    assert set(reasons.values()) == {AGREES}


def test_fields_the_caller_did_not_give_are_missing() -> None:
    reasons = _score(family_name="Hatherley", date_of_birth="1948-03-12")
    assert reasons["postcode"] == MISSING
    assert reasons["nhs_number"] == MISSING


def test_a_maiden_name_agrees() -> None:
    assert _score(family_name="Ostrowski", date_of_birth="1948-03-12")["family_name"] == AGREES


def test_a_nickname_agrees_with_the_formal_given_name() -> None:
    reasons = _score(given_name="Peggy", family_name="Hatherley", date_of_birth="1948")
    assert reasons["given_name"] == AGREES


def test_a_misspelt_family_name_partly_agrees() -> None:
    reasons = _score(family_name="Hatherly", date_of_birth="1948-03-12")
    assert reasons["family_name"] == PARTLY


def test_given_and_family_names_swapped_still_agree() -> None:
    reasons = _score(given_name="Hatherley", family_name="Margaret", date_of_birth="1948-03-12")
    assert reasons["given_name"] == AGREES
    assert reasons["family_name"] == AGREES


@pytest.mark.parametrize("dob", ["1948-12-03", "1948-03-13", "1984-03-12", "1949-03-12"])
def test_slips_in_the_date_of_birth_partly_agree(dob: str) -> None:
    assert _score(family_name="Hatherley", date_of_birth=dob)["date_of_birth"] == PARTLY


def test_a_different_date_of_birth_disagrees() -> None:
    assert _score(family_name="Hatherley", date_of_birth="1960-07-25")["date_of_birth"] == \
        DISAGREES


def test_an_old_postcode_partly_agrees_and_one_wrong_character_partly_agrees() -> None:
    assert _score(family_name="Hatherley", postcode="UB4 9XY")["postcode"] == PARTLY
    assert _score(family_name="Hatherley", postcode="UB8 1QB")["postcode"] == PARTLY


def test_names_in_non_latin_scripts_are_compared_as_written() -> None:
    ivan = PersonRecord(system_id="P2", given_name="Иван", family_name="Петров",
                        date_of_birth=date(1950, 1, 2))
    query = prepare_query(SearchDetails(given_name="Иван", family_name="Петров",
                                        date_of_birth="1950-01-02"))
    assert isinstance(query, Query)
    reasons = score_profile(query, profile_of(ivan)).reasons
    assert reasons["given_name"] == AGREES
    assert reasons["family_name"] == AGREES


def test_a_month_over_12_suggests_the_day_and_month_the_other_way_round() -> None:
    refusal = _refusal(family_name="King", date_of_birth="09/22/1957")
    assert refusal.advice == ("The date of birth '09/22/1957' is not a real date: there is no "
                              "month 22 (day and month the other way round would be "
                              "22/09/1957). Ask the caller to repeat it.")
