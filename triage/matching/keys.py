"""Blocking keys: the keys a stored person is filed under, and the weighted keys a search
looks up, so that only people sharing keys with a search are scored in full."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date

from triage.matching.nicknames import name_roots
from triage.matching.normalise import family_codes, given_codes
from triage.matching.profile import MatchProfile
from triage.matching.query import Query
from triage.vocabulary import is_full_postcode, postcode_district


def key_hash(key: str) -> int:
    """A signed 64-bit integer for a blocking key (smaller to store than the text)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big",
                          signed=True)


def _given_initials(words: Iterable[str]) -> set[str]:
    """First letters of given names and of the formal names they may be short for."""
    return {root[0] for word in words for root in name_roots(word) if root}


def record_keys(profile: MatchProfile) -> set[int]:
    """Every blocking key a stored person is filed under.

    Keys pair a detail callers usually get right with another, so that any one slip
    (a typo, a wrong digit, an old postcode) still leaves keys that match: phonetic
    codes survive misspellings, initials survive most typos, day-and-month survives a
    wrong year.
    """
    keys: set[str] = set()
    year = profile.dob[:4]
    month_day = profile.dob[5:]
    if profile.nhs_number:
        keys.add(f"N|{profile.nhs_number}")
    family_initials = {f[0] for f in profile.family if f}
    given_initials = _given_initials(profile.given)
    if profile.dob:
        for i in family_initials:
            keys.add(f"DF|{profile.dob}|{i}")
        for i in given_initials:
            keys.add(f"DG|{profile.dob}|{i}")
    districts = {postcode_district(p) for p in profile.postcodes}
    for p in profile.postcodes:
        for i in family_initials:
            keys.add(f"PF|{p}|{i}")
    for f in profile.family_codes:
        if year:
            keys.add(f"FY|{f}|{year}")
            keys.add(f"FMD|{f}|{month_day}")
        for g in profile.given_codes:
            keys.add(f"FG|{f}|{g}")
        for d in districts:
            keys.add(f"FD|{f}|{d}")
        for p in profile.postcodes:
            keys.add(f"FP|{f}|{p}")
    for g in profile.given_codes:
        if year:
            keys.add(f"GY|{g}|{year}")
        for p in profile.postcodes:
            keys.add(f"GP|{g}|{p}")
    return {key_hash(k) for k in keys}


def query_keys(query: Query) -> dict[int, float]:
    """Blocking keys to look up for a search, each with a weight for ranking people."""
    keys: dict[str, float] = {}

    def add(key: str, weight: float) -> None:
        keys[key] = max(weight, keys.get(key, 0.0))

    if query.nhs_number:
        add(f"N|{query.nhs_number}", 10.0)
    dob = query.dob
    year = str(dob.year) if dob else ""
    full_dobs: list[str] = []
    month_days: list[str] = []
    if dob and dob.full:
        full_dobs.append(dob.full.isoformat())
        month_days.append(dob.full.isoformat()[5:])
        if dob.day is not None and dob.month is not None and dob.day != dob.month \
                and dob.day <= 12:
            try:
                swapped = date(dob.year, dob.day, dob.month).isoformat()
            except ValueError:
                pass
            else:
                full_dobs.append(swapped)
                month_days.append(swapped[5:])
    pc = query.postcode
    full_pc = pc if is_full_postcode(pc) else ""
    district = postcode_district(pc) if pc else ""
    orientations = [(query.given, query.family, 1.0)]
    if query.given and query.family:
        orientations.append((query.family, query.given, 0.8))
    for given_words, family_words, factor in orientations:
        given = " ".join(given_words)
        family = " ".join(family_words)
        fcodes = family_codes(family)
        gcodes = given_codes(given)
        f_initial = family[:1]
        g_initials = _given_initials(given_words[:1])
        for d in full_dobs:
            if f_initial:
                add(f"DF|{d}|{f_initial}", 2.5 * factor)
            for i in g_initials:
                add(f"DG|{d}|{i}", 2.0 * factor)
        if full_pc and f_initial:
            add(f"PF|{full_pc}|{f_initial}", 2.0 * factor)
        for f in fcodes:
            if year:
                add(f"FY|{f}|{year}", 2.0 * factor)
            for md in month_days:
                add(f"FMD|{f}|{md}", 2.0 * factor)
            for g in gcodes:
                add(f"FG|{f}|{g}", 2.0 * factor)
            if district:
                add(f"FD|{f}|{district}", 1.5 * factor)
            if full_pc:
                add(f"FP|{f}|{full_pc}", 3.0 * factor)
        for g in gcodes:
            if year:
                add(f"GY|{g}|{year}", 1.0 * factor)
            if full_pc:
                add(f"GP|{g}|{full_pc}", 2.0 * factor)
    return {key_hash(k): w for k, w in keys.items()}
