"""Checking a search: what the caller gave, normalised into a :class:`Query`, or a
:class:`Refusal` saying what is wrong or missing."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from triage.matching.normalise import name_tokens, normalise_address, parse_date_of_birth
from triage.matching.port import SearchDetails, SearchResult
from triage.vocabulary import (
    FIELD_WORDS,
    SEARCH_FIELDS,
    PartialDate,
    clean_nhs_number,
    has_postcode_characters,
    is_full_postcode,
    is_outward_code,
    nhs_number_problem,
    normalise_postcode,
)

MAX_FIELD_LENGTH = 100
MAX_ADDRESS_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Query:
    """A search, checked and normalised."""

    nhs_number: str = ""
    given: tuple[str, ...] = ()
    family: tuple[str, ...] = ()
    dob: PartialDate | None = None
    postcode: str = ""
    address: str = ""
    fields_given: tuple[str, ...] = ()
    # Said to the handler before the results: an NHS number that was given but not used.
    notice: str = ""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a search was not made: the fields to ask for and a sentence to read."""

    missing: tuple[str, ...]
    advice: str

    def as_result(self) -> SearchResult:
        """The refusal as a port result."""
        return SearchResult(candidates=(), missing=self.missing, advice=self.advice)


def prepare_query(details: SearchDetails, *, today: date | None = None) -> Query | Refusal:
    """Check what the caller gave and normalise it, or say what is wrong or missing."""
    for name in SEARCH_FIELDS:
        value = getattr(details, name) or ""
        longest = MAX_ADDRESS_LENGTH if name == "address" else MAX_FIELD_LENGTH
        if len(value) > longest:
            return Refusal((name,), f"The {FIELD_WORDS[name]} given is {len(value)} characters "
                           f"long; the longest accepted is {longest}. Please check it "
                           "with the caller and enter it again.")
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            return Refusal((name,), f"The {FIELD_WORDS[name]} given contains control "
                           "characters; please enter it again as plain text.")
    nhs = ""
    nhs_problem = ""
    if (details.nhs_number or "").strip():
        raw = details.nhs_number or ""
        problem = nhs_number_problem(raw)
        if problem:
            # Never matched on; the search goes ahead on the other details if they suffice.
            nhs_problem = problem
        else:
            nhs = clean_nhs_number(raw)
    given = name_tokens(details.given_name)
    family = name_tokens(details.family_name)
    for name, words in (("given_name", given), ("family_name", family)):
        raw = (getattr(details, name) or "").strip()
        if raw and not words:
            return Refusal((name,), f"The {FIELD_WORDS[name]} '{raw}' has no letters in it. "
                           "Please ask the caller to spell it.")
    dob: PartialDate | None = None
    if (details.date_of_birth or "").strip():
        try:
            dob = parse_date_of_birth(details.date_of_birth or "", today=today)
        except ValueError as exc:
            return Refusal(("date_of_birth",), str(exc))
    postcode = ""
    if (details.postcode or "").strip():
        if not has_postcode_characters(details.postcode or ""):
            return Refusal(("postcode",), f"The postcode '{details.postcode}' has characters a "
                           "postcode does not have (only the letters A to Z, digits and one "
                           "space, such as SW1A 1AA). Please ask the caller to repeat it.")
        postcode = normalise_postcode(details.postcode)
        if not (is_full_postcode(postcode) or is_outward_code(postcode)):
            return Refusal(("postcode",), f"The postcode '{details.postcode}' is not a UK "
                           "postcode (such as SW1A 1AA, or the first half SW1A). Please ask "
                           "the caller to repeat it.")
    address = normalise_address(details.address)
    if (details.address or "").strip() and not address:
        return Refusal(("address",), f"The address '{details.address}' has no letters or "
                       "numbers in it. Please ask the caller to repeat it.")
    if nhs_problem and not (given or family or dob or postcode or address):
        return Refusal(("nhs_number",), nhs_problem)
    if nhs_problem:
        refusal = _not_enough(nhs, given, family, dob, postcode, address)
        if refusal is not None:
            return Refusal(("nhs_number", *refusal.missing),
                           f"{nhs_problem} The other details are not enough to search on "
                           f"their own either: {refusal.advice}")
        notice = (f"{nhs_problem.split(' Please ask')[0]} It was not used to match: these "
                  "results are from the other details. Ask the caller to read the NHS number "
                  "again, digit by digit.")
    else:
        refusal = _not_enough(nhs, given, family, dob, postcode, address)
        if refusal is not None:
            return refusal
        notice = ""
    return Query(nhs_number=nhs, given=given, family=family, dob=dob, postcode=postcode,
                 address=address, fields_given=details.given_fields(), notice=notice)


def _not_enough(nhs: str, given: tuple[str, ...], family: tuple[str, ...],
                dob: PartialDate | None, postcode: str, address: str) -> Refusal | None:
    """Why these details are too few to search on, or None when they are enough."""
    if not nhs:
        if not family and not given and not dob and not postcode and not address:
            return Refusal(("nhs_number", "family_name", "date_of_birth"),
                           "Not enough details to search: nothing was given. Ask for the NHS "
                           "number, or the person's full name and their date of birth or "
                           "postcode.")
        if not family:
            return Refusal(("family_name",),
                           "Not enough details to search: the family name is missing. Ask for "
                           "the person's family name (or their NHS number).")
        if not (dob or postcode or address):
            return Refusal(("date_of_birth", "postcode"),
                           "Not enough details to search: a name alone could be many people. "
                           "Ask for the date of birth or the postcode as well.")
    return None
