"""Typed answers: checking what a handler enters against what a question accepts.

Pure functions with no I/O. Each returns the answer in one normal form (codes, numbers,
ISO dates, NHS numbers as ten digits...) or raises :class:`AnswerRejected` with a
sentence the handler can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from triage.errors import AnswerRejected, DateNotRead
from triage.routing.plan import AnswerRule
from triage.vocabulary import (
    AnswerType,
    clean_nhs_number,
    format_postcode,
    is_full_postcode,
    nhs_number_problem,
    parse_partial_date,
)

YES = ("yes", "y", "true")
NO = ("no", "n", "false")
UNSURE = ("not_sure", "not sure", "unsure", "don't know", "dont know", "unknown")


def is_blank(raw: Any) -> bool:
    """True for no answer at all: None, an empty string or an empty list."""
    return raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []


def label_text(label: str | Mapping[str, str], language: str = "en") -> str:
    """An option label in the call's language, falling back to English."""
    if isinstance(label, str):
        return label
    return label.get(language) or label.get("en") or next(iter(label.values()), "")


def allowed_codes(spec: AnswerRule) -> tuple[str, ...]:
    """The codes a closed question accepts (empty for open questions)."""
    if spec.options:
        return tuple(o.code for o in spec.options)
    if spec.type is AnswerType.YES_NO:
        return ("yes", "no")
    if spec.type is AnswerType.YES_NO_UNSURE:
        return ("yes", "no", "not_sure")
    return ()


def describe_allowed(spec: AnswerRule) -> str:
    """What a valid answer looks like, for error messages and prompts."""
    codes = allowed_codes(spec)
    if codes:
        return ", ".join(codes)
    return {
        AnswerType.TEXT: f"text of at most {spec.max_length} characters",
        AnswerType.NUMBER: "a number"
        + (f" from {_num(spec.min)}" if spec.min is not None else "")
        + (f" to {_num(spec.max)}" if spec.max is not None else ""),
        AnswerType.DATE: "a date such as 1948-03-21 or 21/03/1948",
        AnswerType.NHS_NUMBER: "a 10-digit NHS number such as 999 123 4560",
        AnswerType.POSTCODE: "a UK postcode such as UB8 1UW",
        AnswerType.PHONE: "a UK phone number such as 01895 250111",
        AnswerType.EMAIL: "an email address such as name@example.org",
    }.get(spec.type, spec.type.value)


def _num(value: float | None) -> str:
    return "" if value is None else (str(int(value)) if float(value).is_integer() else str(value))


def validate_answer(spec: AnswerRule, raw: Any, *, today: dt.date | None = None) -> Any:
    """Return the answer in normal form, or raise AnswerRejected saying why."""
    if is_blank(raw):
        if spec.required:
            raise AnswerRejected(f"an answer is required ({describe_allowed(spec)})")
        return None
    match spec.type:
        case AnswerType.CHOICE:
            return _choice(spec, raw)
        case AnswerType.MULTI_CHOICE:
            items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
            codes = [_choice(spec, item) for item in items if not is_blank(item)]
            return list(dict.fromkeys(codes))
        case AnswerType.YES_NO | AnswerType.YES_NO_UNSURE:
            return _yes_no(spec, raw)
        case AnswerType.TEXT:
            text = str(raw).strip()
            if len(text) > spec.max_length:
                raise AnswerRejected(
                    f"the text is {len(text)} characters long; at most {spec.max_length} fit"
                )
            return text
        case AnswerType.NUMBER:
            return _number(spec, raw)
        case AnswerType.DATE:
            return _date(spec, raw, today or dt.date.today())
        case AnswerType.NHS_NUMBER:
            return nhs_number(raw)
        case AnswerType.POSTCODE:
            return postcode(raw)
        case AnswerType.PHONE:
            return _phone(raw)
        case AnswerType.EMAIL:
            try:
                return validate_email(str(raw).strip(), check_deliverability=False).normalized
            except EmailNotValidError as exc:
                raise AnswerRejected(f"'{raw}' is not a valid email address: {exc}") from exc
    raise AnswerRejected(f"unsupported answer type {spec.type}")  # pragma: no cover


def _choice(spec: AnswerRule, raw: Any) -> str:
    text = str(raw).strip()
    for option in spec.options or ():
        if text == option.code:
            return option.code
    folded = text.casefold().replace(" ", "_")
    for option in spec.options or ():
        labels = [option.label] if isinstance(option.label, str) else list(option.label.values())
        if folded == option.code.casefold() or any(
            text.casefold() == lab.casefold() for lab in labels
        ):
            return option.code
    raise AnswerRejected(f"'{text}' is not one of the answers: {describe_allowed(spec)}")


def _yes_no(spec: AnswerRule, raw: Any) -> str:
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    text = str(raw).strip().casefold()
    if text in YES:
        return "yes"
    if text in NO:
        return "no"
    if spec.type is AnswerType.YES_NO_UNSURE and text in UNSURE:
        return "not_sure"
    raise AnswerRejected(f"'{raw}' is not one of the answers: {describe_allowed(spec)}")


def _number(spec: AnswerRule, raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise AnswerRejected(f"'{raw}' is not a number")
    try:
        value = float(str(raw).strip().replace(",", ""))
    except ValueError as exc:
        raise AnswerRejected(f"'{raw}' is not a number") from exc
    if value != value or value in (float("inf"), float("-inf")):
        raise AnswerRejected(f"'{raw}' is not a number")
    if spec.integer and not value.is_integer():
        raise AnswerRejected(f"'{raw}' must be a whole number")
    if spec.min is not None and value < spec.min:
        raise AnswerRejected(f"{_num(value)} is below the smallest allowed, {_num(spec.min)}")
    if spec.max is not None and value > spec.max:
        raise AnswerRejected(f"{_num(value)} is above the largest allowed, {_num(spec.max)}")
    return int(value) if value.is_integer() else value


def _date(spec: AnswerRule, raw: Any, today: dt.date) -> str:
    text = str(raw).strip()
    try:
        value = parse_partial_date(text).full
    except DateNotRead:
        value = None
    if value is None:
        raise AnswerRejected(f"'{text}' is not a date; give it as 21/03/1948 or 1948-03-21")
    if spec.not_in_future and value > today:
        raise AnswerRejected(f"{value.isoformat()} is in the future; this date cannot be")
    if spec.not_before and value < dt.date.fromisoformat(spec.not_before):
        raise AnswerRejected(f"{value.isoformat()} is before {spec.not_before}; check the year")
    return value.isoformat()


def nhs_number(raw: Any) -> str:
    """Ten digits with a valid modulus-11 check digit, or AnswerRejected."""
    problem = nhs_number_problem(str(raw))
    if problem is not None:
        raise AnswerRejected(problem)
    return clean_nhs_number(str(raw))


def postcode(raw: Any) -> str:
    """A UK postcode in upper case with one space, or AnswerRejected."""
    text = re.sub(r"\s+", "", str(raw).upper())
    if not is_full_postcode(text):
        raise AnswerRejected(f"'{raw}' is not a UK postcode (for example UB8 1UW)")
    return format_postcode(text)


def _phone(raw: Any) -> str:
    try:
        number = phonenumbers.parse(str(raw), "GB")
    except phonenumbers.NumberParseException as exc:
        raise AnswerRejected(f"'{raw}' is not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise AnswerRejected(f"'{raw}' is not a valid phone number; please check the digits")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def options_for(spec: AnswerRule, language: str = "en") -> Sequence[tuple[str, str]]:
    """(code, label) pairs to offer the handler."""
    if spec.options:
        return [(o.code, label_text(o.label, language)) for o in spec.options]
    if spec.type is AnswerType.YES_NO:
        return [("yes", "Yes"), ("no", "No")]
    if spec.type is AnswerType.YES_NO_UNSURE:
        return [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")]
    return []
