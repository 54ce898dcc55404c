"""Structured audit events through structlog, with personal details redacted.

Events carry ids, step names, answer codes and outcomes: what a manager or an
investigator needs to reconstruct what the front door did. The redaction processor is a
second line of defence: it blanks keys that name personal fields and any value that looks
like an NHS number, date, postcode, phone number or email address, wherever it appears.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

REDACTED = "[redacted]"
PERSONAL_KEYS = frozenset({
    "name", "given_name", "family_name", "caller_name", "person_name", "full_name",
    "date_of_birth", "dob", "person_date_of_birth", "nhs_number", "address", "postcode",
    "phone", "contact_phone", "email", "contact_email", "text", "free_text", "value",
    "answer_text", "details", "summary_text", "notes",
})
_PATTERNS = [
    re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"),  # NHS numbers and phone-like digit runs
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # ISO dates
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),  # UK dates
    re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.IGNORECASE),  # postcodes
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),  # email addresses
    re.compile(r"\+?\d[\d\s]{9,}\d"),  # long phone numbers
]
_KEEP_KEYS = frozenset({"timestamp", "level", "event", "logger"})
_MIGHT_BE_PERSONAL = re.compile(r"[\d@]")
"""Every pattern above needs a digit or an @, so most values can skip them all."""


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        if _MIGHT_BE_PERSONAL.search(value) is None:
            return value
        for pattern in _PATTERNS:
            value = pattern.sub(REDACTED, value)
        return value
    if isinstance(value, dict):
        return {k: (REDACTED if k in PERSONAL_KEYS else _scrub(v)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v) for v in value]
    return value


def redact_personal_details(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: blank personal keys and personal-looking values."""
    for key in list(event_dict):
        if key in _KEEP_KEYS:
            continue
        if key in PERSONAL_KEYS:
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _scrub(event_dict[key])
    return event_dict


def configure_logging(stream: TextIO | None = None, *, cache: bool = True) -> None:
    """JSON audit lines to ``stream`` (standard error by default)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_personal_details,
            structlog.processors.dict_tracebacks,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=cache,
    )


def audit_logger() -> Any:
    """The audit logger."""
    return structlog.get_logger("triage.audit")
