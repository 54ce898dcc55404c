"""Scoring one stored person against a search: each field compared with a reason
(``agrees``, ``partly agrees``, ``disagrees``, ``missing``) and points, and the band of
the total.

Scores are log-odds-like points; a candidate's score is the logistic of its total."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein

from triage.matching.nicknames import name_roots
from triage.matching.normalise import family_codes, name_code
from triage.matching.port import MatchBand
from triage.matching.profile import MatchProfile
from triage.matching.query import Query
from triage.matching.weights import MatchWeights
from triage.vocabulary import (
    SEARCH_FIELDS,
    PartialDate,
    is_full_postcode,
    postcode_district,
    postcode_sector,
)

AGREES = "agrees"
PARTLY = "partly agrees"
DISAGREES = "disagrees"
MISSING = "missing"

MATCH_POINTS = 12.0
POSSIBLE_POINTS = 6.0
SHOWN_POINTS = 3.0
# Two match-band people closer than this are both shown as possible: let the handler ask.
MATCH_GAP_POINTS = 3.0


def _compare_family(query: str, codes: frozenset[str], profile: MatchProfile) -> tuple[str, float]:
    if not query:
        return MISSING, 0.0
    if not profile.family:
        return MISSING, 0.0
    best = (DISAGREES, -3.0)
    for i, fam in enumerate(profile.family):
        if fam == query:
            return (AGREES, 4.0) if i == 0 else (AGREES, 3.5)
        fam_joined = fam.replace(" ", "")
        q_joined = query.replace(" ", "")
        if fam_joined == q_joined:
            return AGREES, 3.5
        sim = JaroWinkler.similarity(q_joined, fam_joined)
        if sim >= 0.92 or Levenshtein.distance(q_joined, fam_joined) <= 1:
            cand = (PARTLY, 2.5)
        elif sim >= 0.85:
            cand = (PARTLY, 1.5)
        elif " " in fam and query in fam.split():
            cand = (PARTLY, 2.0)
        else:
            continue
        if cand[1] > best[1]:
            best = cand
    if best[0] == DISAGREES and codes & profile.family_codes:
        best = (PARTLY, 2.0)
    return best


def _compare_given(query: tuple[str, ...], profile: MatchProfile) -> tuple[str, float]:
    if not query or not profile.given:
        return MISSING, 0.0
    first = query[0]
    best = (DISAGREES, -2.5)
    roots = name_roots(first)
    for i, word in enumerate(profile.given):
        penalty = 0.0 if i == 0 else 0.5
        if word == first:
            return AGREES, 3.0 - penalty
        if len(first) == 1 or len(word) == 1:
            cand = (PARTLY, 1.0 - penalty) if word[0] == first[0] else (DISAGREES, -2.5)
        elif roots & name_roots(word):
            cand = (AGREES, 2.5 - penalty)
        else:
            sim = JaroWinkler.similarity(first, word)
            if sim >= 0.9 or Levenshtein.distance(first, word) <= 1:
                cand = (PARTLY, 2.0 - penalty)
            elif sim >= 0.84 or name_code(first) == name_code(word):
                cand = (PARTLY, 1.2 - penalty)
            else:
                continue
        if cand[1] > best[1]:
            best = cand
    return best


def _compare_dob(query: PartialDate | None, stored: str) -> tuple[str, float]:
    if query is None or not stored:
        return MISSING, 0.0
    year, month, day = int(stored[:4]), int(stored[5:7]), int(stored[8:10])
    if query.month is None:
        if query.year == year:
            return AGREES, 2.5
        if abs(query.year - year) == 1 or Levenshtein.distance(str(query.year), stored[:4]) == 1:
            return PARTLY, 0.5
        return DISAGREES, -4.0
    if query.day is None:
        if query.year == year and query.month == month:
            return AGREES, 4.0
        if query.year == year:
            return PARTLY, 1.0
        return DISAGREES, -4.0
    q = f"{query.year:04d}{query.month:02d}{query.day:02d}"
    s = stored.replace("-", "")
    if q == s:
        return AGREES, 6.0
    if query.year == year and query.month == day and query.day == month:
        return PARTLY, 3.0
    diffs = [i for i in range(8) if q[i] != s[i]]
    if len(diffs) == 1:
        return PARTLY, 3.0
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and q[diffs[0]] == s[diffs[1]] \
            and q[diffs[1]] == s[diffs[0]]:
        return PARTLY, 3.0
    if query.month == month and query.day == day and abs(query.year - year) <= 10:
        return PARTLY, 1.5
    if query.year == year:
        return DISAGREES, -2.0
    return DISAGREES, -4.0


def _compare_postcode(query: str, profile: MatchProfile) -> tuple[str, float]:
    if not query or not profile.postcodes:
        return MISSING, 0.0
    if not is_full_postcode(query):
        districts = [postcode_district(p) for p in profile.postcodes]
        if districts[0] == query:
            return AGREES, 1.5
        if query in districts:
            return PARTLY, 1.0
        return DISAGREES, -0.5
    if profile.postcodes[0] == query:
        return AGREES, 4.0
    if query in profile.postcodes:
        return PARTLY, 3.0
    best = (DISAGREES, -1.0)
    sector = postcode_sector(query)
    district = postcode_district(query)
    for stored in profile.postcodes:
        if len(stored) == len(query) and Levenshtein.distance(stored, query) == 1:
            return PARTLY, 2.5
        if postcode_sector(stored) == sector:
            best = max(best, (PARTLY, 1.5), key=lambda x: x[1])
        elif postcode_district(stored) == district:
            best = max(best, (PARTLY, 0.8), key=lambda x: x[1])
    return best


def _compare_address(query: str, profile: MatchProfile) -> tuple[str, float]:
    if not query or not profile.addresses:
        return MISSING, 0.0
    best = (DISAGREES, -0.5)
    for i, stored in enumerate(profile.addresses):
        ratio = fuzz.token_set_ratio(query, stored)
        if ratio >= 90:
            cand = (AGREES, 3.0) if i == 0 else (PARTLY, 2.0)
        elif ratio >= 70:
            cand = (PARTLY, 1.5 if i == 0 else 1.0)
        else:
            continue
        if cand[1] > best[1]:
            best = cand
    return best


def _compare_nhs(query: str, profile: MatchProfile) -> tuple[str, float]:
    if not query or not profile.nhs_number:
        return MISSING, 0.0
    return (AGREES, 14.0) if query == profile.nhs_number else (DISAGREES, -12.0)


@dataclass(frozen=True, slots=True)
class Scored:
    """One stored person scored against a search."""

    profile: MatchProfile
    points: float
    reasons: dict[str, str]


def score_profile(query: Query, profile: MatchProfile,
                  weights: MatchWeights | None = None) -> Scored:
    """Compare every field of a search with one stored person.

    With ``weights`` (learned from the index by ``triage clients train``) each field's
    points are the learned points for the level it compared at; without, the built-in
    points below.
    """
    compared: dict[str, tuple[str, float]] = {
        "nhs_number": _compare_nhs(query.nhs_number, profile),
        "date_of_birth": _compare_dob(query.dob, profile.dob),
        "postcode": _compare_postcode(query.postcode, profile),
        "address": _compare_address(query.address, profile),
    }
    family = " ".join(query.family)
    straight_f = _compare_family(family, family_codes(family), profile)
    straight_g = _compare_given(query.given, profile)
    names = (straight_g, straight_f)
    if query.given and query.family and (straight_f[0] != AGREES or straight_g[0] != AGREES):
        swapped_family = " ".join(query.given)
        swapped_f = _compare_family(swapped_family, family_codes(swapped_family), profile)
        swapped_g = _compare_given(query.family, profile)
        if swapped_f[1] + swapped_g[1] - 1.0 > straight_f[1] + straight_g[1]:
            names = ((swapped_g[0], swapped_g[1] - 0.5), (swapped_f[0], swapped_f[1] - 0.5))
    compared["given_name"], compared["family_name"] = names
    points = 0.0
    for name, (reason, pts) in compared.items():
        learned = weights.points(name, reason) if weights is not None else None
        points += pts if learned is None else learned
    return Scored(profile, points, {f: compared[f][0] for f in SEARCH_FIELDS})


def score_of(points: float) -> float:
    """A 0..1 score from match points (0.5 at the possible threshold)."""
    return round(1.0 / (1.0 + math.exp(-(points - 9.0) / 2.5)), 4)


def band_of(scored: Scored) -> MatchBand:
    """The band of one candidate, before comparing it with the others."""
    r = scored.reasons
    if scored.points >= MATCH_POINTS:
        names_ok = r["family_name"] != DISAGREES and r["given_name"] != DISAGREES
        nhs_ok = r["nhs_number"] == AGREES and r["date_of_birth"] != DISAGREES
        dob_ok = r["date_of_birth"] == AGREES
        dob_near = r["date_of_birth"] == PARTLY and (
            r["postcode"] in (AGREES, PARTLY) or r["address"] in (AGREES, PARTLY))
        if r["nhs_number"] != DISAGREES and (nhs_ok or (names_ok and (dob_ok or dob_near))):
            return MatchBand.MATCH
    if scored.points >= POSSIBLE_POINTS:
        return MatchBand.POSSIBLE
    return MatchBand.UNLIKELY
