"""Filling call-script words: fragments by id, language fallback, placeholders."""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from triage.routing.plan import LocalText

MISSING = "[not given]"
LANGUAGE_NAMES = {"en": "English", "cy": "Welsh", "pl": "Polish", "pa": "Punjabi",
                  "ur": "Urdu", "so": "Somali", "ta": "Tamil", "gu": "Gujarati"}


@dataclass(frozen=True, slots=True)
class Words:
    """Rendered words for the handler, and a note when English had to stand in."""

    text: str
    language: str
    note: str | None = None


def _pick(text: LocalText, language: str, label: str) -> tuple[str, str, str | None]:
    if language in text:
        return text[language], language, None
    name = f"{LANGUAGE_NAMES[language]} ({language})" if language in LANGUAGE_NAMES else (
        f"'{language}'")
    return (text.get("en", ""), "en", f"No {name} words for {label}; showing English.")


def render(
    scripts: Sequence[str],
    inline: LocalText | None,
    library: Mapping[str, LocalText],
    language: str,
    lookup: Callable[[str], str | None],
) -> Words:
    """Render fragments then inline text; ``lookup`` gives a placeholder's value or None."""
    parts: list[str] = []
    notes: list[str] = []
    used_language = language
    sources: list[tuple[LocalText, str]] = [
        (library[sid], f"'{sid}'") for sid in scripts if sid in library
    ]
    if inline:
        sources.append((inline, "this step"))
    for text, label in sources:
        chosen, lang, note = _pick(text, language, label)
        if note:
            notes.append(note)
            used_language = lang
        parts.append(fill(chosen, lookup))
    return Words("\n\n".join(p for p in parts if p), used_language,
                 " ".join(notes) if notes else None)


@lru_cache(maxsize=4096)
def _pieces(text: str) -> tuple[tuple[str, str | None], ...]:
    """A script text split into (literal, placeholder) pairs, parsed once per text."""
    return tuple((literal, name) for literal, name, _spec, _conv in
                 string.Formatter().parse(text))


def fill(text: str, lookup: Callable[[str], str | None]) -> str:
    """Replace each {name} with its value, or with a visible gap when there is none."""
    out: list[str] = []
    for literal, name in _pieces(text):
        out.append(literal)
        if name is not None:
            value = lookup(name)
            out.append(MISSING if value in (None, "") else str(value))
    return "".join(out)
