"""What the handler is shown about candidates: only what confirms identity, and the
question that would best tell the top candidates apart."""

from __future__ import annotations

from collections.abc import Sequence

from triage.matching.port import MatchBand
from triage.matching.profile import MatchProfile
from triage.matching.scoring import AGREES, DISAGREES, MISSING, PARTLY, Scored
from triage.vocabulary import FIELD_WORDS, postcode_district

NOT_FOUND = "Not found with these details."
NHS_CONFLICT = (
    "The NHS number given belongs to a record whose other details are different: probably a "
    "data-entry error, in this record or in what was given. Check the details with the "
    "caller, and do not create a new record for the person until this is resolved.")
_IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth", "postcode", "address")


def nhs_conflict(scored: Scored) -> bool:
    """True when the NHS number agrees but no other detail given does."""
    r = scored.reasons
    others = [r[f] for f in _IDENTITY_FIELDS if r[f] != MISSING]
    return r["nhs_number"] == AGREES and bool(others) and all(
        v == DISAGREES for v in others)


def _initials(profile: MatchProfile) -> str:
    given = profile.given[0][:1].upper() + "." if profile.given else ""
    family = profile.family[0][:1].upper() + "." if profile.family else ""
    return " ".join(p for p in (given, family) if p)


def summary_of(profile: MatchProfile) -> dict[str, str]:
    """Only what a handler needs to confirm identity: initials, birth year, district."""
    return {
        "initials": _initials(profile),
        "year_of_birth": profile.dob[:4] or "unknown",
        "postcode_district": postcode_district(profile.postcodes[0]) if profile.postcodes
        else "unknown",
    }


_ASK_ORDER = ("date_of_birth", "postcode", "given_name", "address", "nhs_number")


def _field_value(profile: MatchProfile, name: str) -> str:
    return {
        "date_of_birth": profile.dob,
        "postcode": profile.postcodes[0] if profile.postcodes else "",
        "given_name": profile.given[0] if profile.given else "",
        "address": profile.addresses[0] if profile.addresses else "",
        "nhs_number": profile.nhs_number,
        "family_name": profile.family[0] if profile.family else "",
    }[name]


def what_tells_apart(scored: Sequence[Scored], bands: Sequence[MatchBand]) -> str | None:
    """The question that would best separate the top candidates, as advice to read."""
    if not scored:
        return NOT_FOUND
    top = [s for s, b in zip(scored, bands, strict=True) if b != MatchBand.UNLIKELY][:3]
    if len(top) >= 2:
        differing = [name for name in _ASK_ORDER
                     if len({_field_value(s.profile, name) for s in top} - {""}) >= 2]
        # Best: a detail the caller has not given yet that differs between them.
        for name in differing:
            if top[0].reasons[name] == MISSING:
                return (f"Ask for the {FIELD_WORDS[name]}: it differs between the top "
                        "candidates.")
        for name in differing:
            return (f"Check the {FIELD_WORDS[name]} with the caller: it differs between the "
                    "top candidates.")
        return ("The top candidates cannot be told apart from these details; ask for the NHS "
                "number.")
    if len(top) == 1:
        for name in _ASK_ORDER:
            if top[0].reasons[name] == MISSING and _field_value(top[0].profile, name):
                return f"Ask for the {FIELD_WORDS[name]} to confirm identity."
        for name in _ASK_ORDER:
            if top[0].reasons[name] in (PARTLY, DISAGREES):
                return (f"Check the {FIELD_WORDS[name]} with the caller: it does not fully "
                        "agree.")
        return "Confirm identity with the caller before using this record."
    return ("No close match: only unlikely candidates. Check the details with the caller; "
            "if they are right, the person is not known with these details.")
