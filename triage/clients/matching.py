"""Pure person matching: normalising what a caller says, blocking keys, scores and bands.

Nothing here touches a database. A storage adapter asks :func:`record_keys` for the
blocking keys of each person it stores and :func:`query_keys` for the keys of a search,
fetches the people who share the most keys, and hands their :class:`MatchProfile` to
:func:`rank_candidates`, which scores every field, gives each a reason (``agrees``,
``partly agrees``, ``disagrees``, ``missing``), bands the result and says what to ask
next. Nothing is merged or chosen automatically.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein

from triage.clients.nicknames import name_roots
from triage.clients.port import Candidate, MatchBand, SearchDetails, SearchResult
from triage.clients.records import PersonRecord

AGREES = "agrees"
PARTLY = "partly agrees"
DISAGREES = "disagrees"
MISSING = "missing"

FIELDS = ("nhs_number", "given_name", "family_name", "date_of_birth", "postcode", "address")
FIELD_WORDS = {
    "nhs_number": "NHS number",
    "given_name": "given name",
    "family_name": "family name",
    "date_of_birth": "date of birth",
    "postcode": "postcode",
    "address": "address",
}
MAX_FIELD_LENGTH = 100
MAX_ADDRESS_LENGTH = 200
NOT_FOUND = "Not found with these details."

# Scores are log-odds-like points; a candidate's score is the logistic of its total.
MATCH_POINTS = 12.0
POSSIBLE_POINTS = 6.0
SHOWN_POINTS = 3.0
# Two match-band people closer than this are both shown as possible: let the handler ask.
MATCH_GAP_POINTS = 3.0

_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTWARD_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DMY_RE = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")
_MY_RE = re.compile(r"^(\d{1,2})[/.\- ](\d{4})$")
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_ADDRESS_RE = re.compile(r"[^\W_]+", re.UNICODE)
EARLIEST_BIRTH_YEAR = 1880


# --------------------------------------------------------------------------- normalising


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_tokens(text: str | None) -> tuple[str, ...]:
    """Lower-case letter-only words of a name ("O'Brien-Smith" -> ("obrien", "smith"))."""
    if not text:
        return ()
    cleaned = _strip_accents(text).casefold().replace("'", "").replace("\u2019", "")
    return tuple(_WORD_RE.findall(cleaned))


def normalise_name(text: str | None) -> str:
    """A name as one lower-case word string, for exact comparison."""
    return " ".join(name_tokens(text))


@lru_cache(maxsize=65536)
def name_code(token: str) -> str:
    """A phonetic code for one name word (the word itself for scripts metaphone ignores)."""
    if token.isascii():
        code = jellyfish.metaphone(token)
        if code:
            return code
    return token


@lru_cache(maxsize=65536)
def family_codes(family: str) -> frozenset[str]:
    """Phonetic codes for a family name: the whole name and each part of a double name."""
    tokens = name_tokens(family)
    if not tokens:
        return frozenset()
    codes = {name_code("".join(tokens))}
    if len(tokens) > 1:
        codes.update(name_code(t) for t in tokens if len(t) > 1)
    return frozenset(codes)


@lru_cache(maxsize=65536)
def given_codes(given: str) -> frozenset[str]:
    """Phonetic codes for a first given name and every formal name it may be short for."""
    tokens = name_tokens(given)
    if not tokens:
        return frozenset()
    return frozenset(name_code(root) for root in name_roots(tokens[0]))


def normalise_postcode(text: str | None) -> str:
    """Upper-case a postcode and remove spaces ("sw1a 1aa" -> "SW1A1AA")."""
    if not text:
        return ""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def postcode_district(postcode: str) -> str:
    """The outward code of a normalised postcode ("SW1A1AA" -> "SW1A")."""
    match = _POSTCODE_RE.match(postcode)
    return match.group(1) if match else postcode


def postcode_sector(postcode: str) -> str:
    """District plus the sector digit ("SW1A1AA" -> "SW1A1")."""
    match = _POSTCODE_RE.match(postcode)
    return match.group(1) + match.group(2)[0] if match else postcode


def is_full_postcode(postcode: str) -> bool:
    """True for a normalised full UK postcode such as "SW1A1AA"."""
    return bool(_POSTCODE_RE.match(postcode))


def format_postcode(postcode: str) -> str:
    """Put the space back into a normalised full postcode."""
    match = _POSTCODE_RE.match(postcode)
    return f"{match.group(1)} {match.group(2)}" if match else postcode


def normalise_address(text: str | None) -> str:
    """Lower-case words and numbers of an address, for fuzzy comparison."""
    if not text:
        return ""
    return " ".join(_ADDRESS_RE.findall(_strip_accents(text).casefold()))


# --------------------------------------------------------------------------- NHS numbers


def nhs_check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit for nine digits, or None when no check digit exists."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def clean_nhs_number(text: str) -> str:
    """Remove spaces and dashes from an NHS number as read out."""
    return re.sub(r"[\s\-]", "", text)


def nhs_number_problem(text: str) -> str | None:
    """Why an NHS number is not valid, as a sentence, or None when it is valid."""
    digits = clean_nhs_number(text)
    if not digits.isdigit() or len(digits) != 10 or not digits.isascii():
        return (f"The NHS number '{text}' is not valid: an NHS number has exactly 10 digits. "
                "Please ask the caller to read it again, digit by digit.")
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        return (f"The NHS number '{text}' is not valid: its check digit does not match, so a "
                "digit was probably misheard. Please ask the caller to read it again, "
                "digit by digit.")
    return None


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date of birth as precisely as the caller knew it (year, maybe month, maybe day)."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def full(self) -> date | None:
        """The complete date, when day and month are known."""
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def parse_date_of_birth(text: str, *, today: date | None = None) -> PartialDate:
    """Parse "1948", "1948-03", "1948-03-12", "12/03/1948" or "12 March 1948".

    Raises ValueError with a full sentence when the text is not a possible birth date.
    """
    today = today or date.today()
    raw = text.strip()
    year: int
    month: int | None = None
    day: int | None = None
    words = raw.replace(",", " ").split()
    if (m := _ISO_RE.match(raw)) is not None:
        year = int(m.group(1))
        month = int(m.group(2)) if m.group(2) else None
        day = int(m.group(3)) if m.group(3) else None
    elif (m := _DMY_RE.match(raw)) is not None:
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif (m := _MY_RE.match(raw)) is not None:
        month, year = int(m.group(1)), int(m.group(2))
    elif (len(words) in (2, 3) and words[-1].isdigit()
          and words[-2][:3].casefold() in _MONTHS):
        year = int(words[-1])
        month = _MONTHS[words[-2][:3].casefold()]
        if len(words) == 3:
            if not words[0].rstrip("stndrh").isdigit():
                raise ValueError(f"The date of birth '{text}' is not a date this search can "
                                 "read; use a form such as 1948-03-12, 12/03/1948 or 1948.")
            day = int(words[0].rstrip("stndrh"))
    else:
        raise ValueError(f"The date of birth '{text}' is not a date this search can read; use "
                         "a form such as 1948-03-12, 12/03/1948 or 1948.")
    if not EARLIEST_BIRTH_YEAR <= year <= today.year:
        raise ValueError(f"The date of birth '{text}' has the year {year}, which is not a "
                         f"possible year of birth (from {EARLIEST_BIRTH_YEAR} to {today.year}).")
    if month is not None and not 1 <= month <= 12:
        hint = ""
        if day is not None and 1 <= day <= 12:
            hint = f" (day and month the other way round would be {month:02d}/{day:02d}/{year})"
        raise ValueError(f"The date of birth '{text}' is not a real date: there is no month "
                         f"{month}{hint}. Ask the caller to repeat it.")
    if day is not None and month is not None:
        try:
            full = date(year, month, day)
        except ValueError:
            raise ValueError(f"The date of birth '{text}' is not a real date: month {month} of "
                             f"{year} has no day {day}. Ask the caller to repeat it.") from None
        if full > today:
            raise ValueError(f"The date of birth '{text}' is in the future. Ask the caller to "
                             "repeat it.")
    return PartialDate(year, month, day)


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True, slots=True)
class MatchProfile:
    """The normalised matching fields of one stored person (compact, cheap to score)."""

    person_id: str
    nhs_number: str
    given: tuple[str, ...]  # given-name words, first name first; aliases' first names after
    family: tuple[str, ...]  # current family name first, then previous and alias names
    dob: str  # ISO date or ""
    postcodes: tuple[str, ...]  # current first
    addresses: tuple[str, ...]  # current first, normalised
    given_codes: frozenset[str] = field(default_factory=frozenset)
    family_codes: frozenset[str] = field(default_factory=frozenset)

    def to_row(self) -> list[object]:
        """A JSON-friendly list for storage."""
        return [self.person_id, self.nhs_number, list(self.given), list(self.family), self.dob,
                list(self.postcodes), list(self.addresses), sorted(self.given_codes),
                sorted(self.family_codes)]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> MatchProfile:
        """Rebuild from :meth:`to_row` output."""
        pid, nhs, given, family, dob, pcs, addrs, gcodes, fcodes = row
        return cls(str(pid), str(nhs), tuple(given), tuple(family), str(dob), tuple(pcs),
                   tuple(addrs), frozenset(gcodes), frozenset(fcodes))


def profile_of(person: PersonRecord) -> MatchProfile:
    """Work out the matching profile of a stored person."""
    given_words: list[str] = list(name_tokens(person.given_name))
    families: list[str] = [normalise_name(person.family_name)]
    families += [normalise_name(n) for n in person.previous_family_names]
    gcodes = set(given_codes(person.given_name))
    for alias in person.aliases:
        words = name_tokens(alias)
        if len(words) >= 2:
            given_words.append(words[0])
            families.append(" ".join(words[1:]))
            gcodes |= given_codes(words[0])
        elif words:
            families.append(words[0])
    fcodes: set[str] = set()
    for fam in families:
        fcodes |= family_codes(fam)
    postcodes = [normalise_postcode(person.postcode)] if person.postcode else []
    postcodes += [normalise_postcode(p) for p in person.previous_postcodes if p]
    addresses = [normalise_address(person.address)] if person.address else []
    addresses += [normalise_address(a) for a in person.previous_addresses if a]
    return MatchProfile(
        person_id=person.system_id,
        nhs_number=person.nhs_number or "",
        given=tuple(dict.fromkeys(given_words)),
        family=tuple(dict.fromkeys(f for f in families if f)),
        dob=person.date_of_birth.isoformat() if person.date_of_birth else "",
        postcodes=tuple(dict.fromkeys(p for p in postcodes if p)),
        addresses=tuple(dict.fromkeys(a for a in addresses if a)),
        given_codes=frozenset(gcodes),
        family_codes=frozenset(fcodes),
    )


# --------------------------------------------------------------------------- blocking keys


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


# --------------------------------------------------------------------------- checking a search


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
    for name in FIELDS:
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
    if (details.nhs_number or "").strip():
        raw = details.nhs_number or ""
        problem = nhs_number_problem(raw)
        if problem:
            return Refusal(("nhs_number",), problem)
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
        postcode = normalise_postcode(details.postcode)
        if not (is_full_postcode(postcode) or _OUTWARD_RE.match(postcode)):
            return Refusal(("postcode",), f"The postcode '{details.postcode}' is not a UK "
                           "postcode (such as SW1A 1AA, or the first half SW1A). Please ask "
                           "the caller to repeat it.")
    address = normalise_address(details.address)
    if (details.address or "").strip() and not address:
        return Refusal(("address",), f"The address '{details.address}' has no letters or "
                       "numbers in it. Please ask the caller to repeat it.")
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
    return Query(nhs_number=nhs, given=given, family=family, dob=dob, postcode=postcode,
                 address=address, fields_given=details.given_fields())


# --------------------------------------------------------------------------- field comparisons


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


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True, slots=True)
class Scored:
    """One stored person scored against a search."""

    profile: MatchProfile
    points: float
    reasons: dict[str, str]


def score_profile(query: Query, profile: MatchProfile) -> Scored:
    """Compare every field of a search with one stored person."""
    reasons: dict[str, str] = {}
    points = 0.0
    for name, (reason, pts) in (
        ("nhs_number", _compare_nhs(query.nhs_number, profile)),
        ("date_of_birth", _compare_dob(query.dob, profile.dob)),
        ("postcode", _compare_postcode(query.postcode, profile)),
        ("address", _compare_address(query.address, profile)),
    ):
        reasons[name] = reason
        points += pts
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
    reasons["given_name"], reasons["family_name"] = names[0][0], names[1][0]
    points += names[0][1] + names[1][1]
    return Scored(profile, points, {f: reasons[f] for f in FIELDS})


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


def rank_candidates(query: Query, profiles: Iterable[MatchProfile], *,
                    limit: int = 5) -> SearchResult:
    """Score, rank and band stored people for a search; say what to ask next."""
    scored = [score_profile(query, p) for p in profiles]
    scored = [s for s in scored if s.points >= SHOWN_POINTS]
    scored.sort(key=lambda s: (-s.points, s.profile.person_id))
    scored = scored[:limit]
    bands = [band_of(s) for s in scored]
    # Two people both matching closely is a reason to ask, not to pick one.
    if len(scored) >= 2 and bands[0] == MatchBand.MATCH and bands[1] == MatchBand.MATCH \
            and scored[0].points - scored[1].points < MATCH_GAP_POINTS:
        bands = [MatchBand.POSSIBLE if b == MatchBand.MATCH else b for b in bands]
    elif len(scored) >= 2 and bands[0] == MatchBand.MATCH:
        bands = [bands[0]] + [MatchBand.POSSIBLE if b == MatchBand.MATCH else b
                              for b in bands[1:]]
    advice = what_tells_apart(scored, bands)
    candidates = tuple(
        Candidate(person_id=s.profile.person_id, score=score_of(s.points), band=b,
                  summary=summary_of(s.profile), reasons=dict(s.reasons))
        for s, b in zip(scored, bands, strict=True)
    )
    return SearchResult(candidates=candidates, missing=(), advice=advice)
