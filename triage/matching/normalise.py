"""Reading what a caller says for matching: names as words and phonetic codes, addresses as
words, and dates of birth as precisely as they were given."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

import jellyfish

from triage.errors import DateNotRead
from triage.matching.nicknames import name_roots
from triage.vocabulary import PartialDate, partial_date, read_date_parts

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_ADDRESS_RE = re.compile(r"[^\W_]+", re.UNICODE)
EARLIEST_BIRTH_YEAR = 1880


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


def normalise_address(text: str | None) -> str:
    """Lower-case words and numbers of an address, for fuzzy comparison."""
    if not text:
        return ""
    return " ".join(_ADDRESS_RE.findall(_strip_accents(text).casefold()))


def parse_date_of_birth(text: str, *, today: date | None = None) -> PartialDate:
    """Parse "1948", "1948-03", "1948-03-12", "12/03/1948" or "12 March 1948".

    Raises DateNotRead with a full sentence when the text is not a possible birth date.
    """
    today = today or date.today()
    try:
        year, month, day = read_date_parts(text)
    except DateNotRead:
        raise DateNotRead(f"The date of birth '{text}' is not a date this search can read; use "
                         "a form such as 1948-03-12, 12/03/1948 or 1948.") from None
    if not EARLIEST_BIRTH_YEAR <= year <= today.year:
        raise DateNotRead(f"The date of birth '{text}' has the year {year}, which is not a "
                         f"possible year of birth (from {EARLIEST_BIRTH_YEAR} to {today.year}).")
    try:
        found = partial_date(year, month, day)
    except DateNotRead as exc:
        raise DateNotRead(f"The date of birth '{text}' is not a real date: {exc}. Ask the "
                         "caller to repeat it.") from None
    if found.full is not None and found.full > today:
        raise DateNotRead(f"The date of birth '{text}' is in the future. Ask the caller to "
                         "repeat it.")
    return found
