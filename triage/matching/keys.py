"""Blocking keys: the keys a stored person is filed under, and the weighted keys a search
looks up, so that only people sharing keys with a search are scored in full.

Both sides are built from one table, :data:`KEY_FAMILIES`. A family names the facets it
joins (for example the date of birth and the family name's initial); a stored person is
filed under every combination of their facet values, and a search looks up every
combination of its own, in both name orders. Each family is there so that a slip that
breaks the others leaves it whole; its reason says which slip.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from triage.matching.nicknames import name_roots
from triage.matching.normalise import family_codes, given_codes, name_tokens
from triage.matching.profile import MatchProfile
from triage.matching.query import Query
from triage.vocabulary import is_full_postcode, postcode_district

# The version of the key table; an index built with other keys must be rebuilt
# (``triage clients rebuild``) before it is searched.
KEYS_VERSION = "2"


@dataclass(frozen=True, slots=True)
class KeyFamily:
    """One kind of blocking key: the facets it joins, its weight in a search, and why."""

    name: str
    facets: tuple[str, ...]
    weight: float
    reason: str


KEY_FAMILIES: tuple[KeyFamily, ...] = (
    KeyFamily("N", ("nhs",), 10.0, "the NHS number alone: one person"),
    KeyFamily("DF", ("dob", "family_initial"), 2.5,
              "date of birth and family initial: survives any name typo after the first "
              "letter and a missing postcode"),
    KeyFamily("DG", ("dob", "given_initial"), 2.0,
              "date of birth and given initial (or of the formal name): survives a family "
              "typo, a maiden name, a missing postcode"),
    KeyFamily("PF", ("postcode", "family_initial"), 2.0,
              "full postcode and family initial: survives a wrong or missing date of birth"),
    KeyFamily("FY", ("family_code", "year"), 2.0,
              "family phonetic code and birth year: survives a wrong day or month"),
    KeyFamily("FMD", ("family_code", "month_day"), 2.0,
              "family phonetic code with day and month: survives a wrong year"),
    KeyFamily("FG", ("family_code", "given_code"), 2.0,
              "family and given phonetic codes: survives a missing date of birth and postcode"),
    KeyFamily("FD", ("family_code", "district"), 1.5,
              "family phonetic code and postcode district: survives a misheard inward code"),
    KeyFamily("FP", ("family_code", "postcode"), 3.0,
              "family phonetic code and full postcode"),
    KeyFamily("GY", ("given_code", "year"), 1.0,
              "given phonetic code and birth year: survives a family typo or maiden name"),
    KeyFamily("GP", ("given_code", "postcode"), 2.0,
              "given phonetic code and full postcode: survives a family typo and a missing "
              "date of birth"),
    # Added for two slips (issue 15): none of these needs the first letter of a name.
    KeyFamily("D", ("dob",), 1.5,
              "date of birth alone (about 30 people a day at 1,000,000): survives a typo in "
              "the first letter of both names"),
    KeyFamily("P", ("postcode",), 1.0,
              "full postcode alone (a few households): survives both names misspelt when the "
              "date of birth is missing"),
    KeyFamily("GD", ("given_code", "district"), 1.0,
              "given phonetic code and postcode district: survives a family typo with a "
              "misheard inward code and no date of birth"),
    KeyFamily("GMD", ("given_code", "month_day"), 1.0,
              "given phonetic code with day and month: survives a family typo with a wrong "
              "year"),
    KeyFamily("SG", ("family_sorted", "given_initial"), 1.0,
              "family name's letters in sorted order and given initial: survives a "
              "transposed family name with no usable date of birth or postcode"),
    KeyFamily("TY", ("family_tail", "year"), 1.5,
              "family letters two to four and birth year: survives a first-letter typo in "
              "the family name with a wrong day or month"),
    KeyFamily("TD", ("family_tail", "district"), 1.5,
              "family letters two to four and postcode district: survives a first-letter "
              "typo in the family name with no date of birth"),
    KeyFamily("SY", ("family_sorted", "year"), 1.0,
              "family name's letters in sorted order and birth year: survives any "
              "transposition of letters, the first one included"),
    KeyFamily("SD", ("family_sorted", "district"), 1.0,
              "family name's letters in sorted order and postcode district"),
    KeyFamily("AD", ("house", "district"), 2.0,
              "house number, first street word and postcode district: survives both names "
              "wrong when the address is given"),
    KeyFamily("AS", ("house",), 1.0,
              "house number and first street word alone: survives a wrong or missing "
              "postcode when the address is given"),
)
"""The blocking key families, in one place. Both :func:`record_keys` and
:func:`query_keys` are built from this table."""

FAMILY_NAMES = tuple(f.name for f in KEY_FAMILIES)
NAME_ORDER_FACTOR = 0.8  # weight of keys built with given and family names swapped


def key_hash(key: str) -> int:
    """A signed 64-bit integer for a blocking key (smaller to store than the text)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big",
                          signed=True)


def _given_initials(words: Iterable[str]) -> set[str]:
    """First letters of given names and of the formal names they may be short for."""
    return {root[0] for word in words for root in name_roots(word) if root}


def family_tail(family: str) -> str:
    """Letters two to four of a family name, joined ("o'brien" -> "bri"); "" if short."""
    joined = "".join(name_tokens(family))
    return joined[1:4] if len(joined) >= 4 else ""


def family_sorted(family: str) -> str:
    """The letters of a family name in sorted order ("smith" -> "himst")."""
    joined = "".join(name_tokens(family))
    return "".join(sorted(joined)) if len(joined) >= 3 else ""


def house_key(address: str) -> str:
    """House number and the first street word of a normalised address ("85|jennifer")."""
    words = address.split()
    for i, word in enumerate(words[:-1]):
        if word[:1].isdigit():
            street = next((w for w in words[i + 1:] if w.isalpha()), "")
            return f"{word}|{street}" if street else ""
    return ""


Facets = dict[str, set[str]]


def _name_facets(out: Facets, given: Iterable[str], families: Iterable[str],
                 gcodes: Iterable[str], fcodes: Iterable[str]) -> None:
    fams = [f for f in families if f]
    out["family_initial"] = {f[0] for f in fams}
    out["given_initial"] = _given_initials(given)
    out["family_code"] = set(fcodes)
    out["given_code"] = set(gcodes)
    out["family_tail"] = {t for t in map(family_tail, fams) if t}
    out["family_sorted"] = {s for s in map(family_sorted, fams) if s}


def record_facets(profile: MatchProfile) -> Facets:
    """The values of every facet of a stored person."""
    out: Facets = {"nhs": {profile.nhs_number} if profile.nhs_number else set()}
    dob = profile.dob
    out["dob"] = {dob} if dob else set()
    out["year"] = {dob[:4]} if dob else set()
    out["month_day"] = {dob[5:]} if dob else set()
    out["postcode"] = set(profile.postcodes)
    out["district"] = {postcode_district(p) for p in profile.postcodes}
    out["house"] = {h for h in map(house_key, profile.addresses) if h}
    _name_facets(out, profile.given, profile.family, profile.given_codes,
                 profile.family_codes)
    return out


def query_facets(query: Query) -> Iterator[tuple[Facets, float]]:
    """The facet values of a search, in each name order, with the order's weight factor."""
    base: Facets = {"nhs": {query.nhs_number} if query.nhs_number else set()}
    dob = query.dob
    full: set[str] = set()
    month_days: set[str] = set()
    if dob and dob.full:
        full.add(dob.full.isoformat())
        if dob.day is not None and dob.month is not None and dob.day != dob.month \
                and dob.day <= 12:
            try:
                full.add(date(dob.year, dob.day, dob.month).isoformat())
            except ValueError:
                pass
        month_days = {d[5:] for d in full}
    base["dob"] = full
    base["year"] = {str(dob.year)} if dob else set()
    base["month_day"] = month_days
    pc = query.postcode
    base["postcode"] = {pc} if is_full_postcode(pc) else set()
    base["district"] = {postcode_district(pc)} if pc else set()
    base["house"] = {h for h in [house_key(query.address)] if h}
    orders = [(query.given, query.family, 1.0)]
    if query.given and query.family:
        orders.append((query.family, query.given, NAME_ORDER_FACTOR))
    for given_words, family_words, factor in orders:
        facets = dict(base)
        family = " ".join(family_words)
        _name_facets(facets, given_words[:1], [family] if family else [],
                     given_codes(" ".join(given_words)), family_codes(family))
        yield facets, factor


def family_keys(family: KeyFamily, facets: Facets) -> Iterator[str]:
    """The key texts of one family for these facet values (none if a facet is empty)."""
    values = [sorted(facets.get(f, ())) for f in family.facets]
    if not all(values):
        return
    for combo in itertools.product(*values):
        yield f"{family.name}|" + "|".join(combo)


def record_key_texts(profile: MatchProfile,
                     families: Iterable[KeyFamily] = KEY_FAMILIES) -> set[str]:
    """Every blocking key (as text) a stored person is filed under."""
    facets = record_facets(profile)
    return {k for fam in families for k in family_keys(fam, facets)}


def query_key_texts(query: Query, families: Iterable[KeyFamily] = KEY_FAMILIES
                    ) -> dict[str, float]:
    """Every blocking key (as text) a search looks up, with its weight."""
    keys: dict[str, float] = {}
    chosen = tuple(families)
    for facets, factor in query_facets(query):
        for fam in chosen:
            for k in family_keys(fam, facets):
                keys[k] = max(fam.weight * factor, keys.get(k, 0.0))
    return keys


def record_keys(profile: MatchProfile) -> set[int]:
    """Every blocking key a stored person is filed under, hashed."""
    return {key_hash(k) for k in record_key_texts(profile)}


def query_keys(query: Query) -> dict[int, float]:
    """Blocking keys to look up for a search, hashed, each with a weight for ranking."""
    return {key_hash(k): w for k, w in query_key_texts(query).items()}

