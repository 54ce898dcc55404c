"""Structured audit events through structlog, with personal details redacted.

Events carry ids, step names, answer codes and outcomes: what a manager or an
investigator needs to reconstruct what the front door did. The redaction processor works
by field first, then by pattern:

1. A field that names a personal detail (:data:`PERSONAL_KEYS`, or a name ending in one
   of :data:`PERSONAL_SUFFIXES`) is blanked, whatever it holds, at any depth.
2. A field that holds an id the service makes itself (:data:`ID_FIELDS`: call, contact
   and message ids, versions, Notify references, times) is kept whole when its value has
   the shape of that id, so every line can be matched to its call. (A run of digits in
   a hexadecimal call id is not a phone number.) A value of any other shape there is
   checked as in 3.
3. Every other value is checked against patterns for NHS numbers, dates, postcodes,
   phone numbers and email addresses, wherever it appears: the second line of defence.
   Call ids and UUIDs inside such text (a request's path, say) are kept whole.

An exception never reaches a line as text: its message can quote the data that failed (a
database error quotes the row it refused), so a line names only its type, a code such as
the SQLSTATE, a fixed description and where in our code it was raised
(:func:`failure_fields`). :class:`AuditLogHandler` brings the standard ``logging``
records of the web server and the libraries onto the same lines, under the same rules.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import structlog

REDACTED = "[redacted]"
PERSONAL_KEYS = frozenset({
    "name", "given_name", "family_name", "caller_name", "person_name", "full_name",
    "date_of_birth", "dob", "person_date_of_birth", "nhs_number", "address", "postcode",
    "phone", "contact_phone", "email", "contact_email", "text", "free_text", "value",
    "answer_text", "details", "summary_text", "notes", "query", "query_string", "body",
})
PERSONAL_SUFFIXES = ("_name", "_phone", "_email", "_address", "_postcode",
                     "_date_of_birth", "_nhs_number")
"""Key endings that always name a personal detail (``caller_name``, ``contact_phone``)."""
_NOT_PERSONAL = frozenset({"display_name"})
"""Keys that end like a personal detail but name something else (a handler's own name)."""

_HEX_ID = re.compile(r"[0-9a-f]{32}")  # call ids: uuid4().hex
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_COUNTER = re.compile(r"0|[1-9][0-9]{0,9}")  # contact, message and row ids; versions
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
                        r"(Z|[+-]\d{2}:?\d{2})?")
ID_FIELDS: dict[str, re.Pattern[str]] = {
    "call_id": _HEX_ID, "call_ids": _HEX_ID,
    "contact_id": _COUNTER, "message_id": _COUNTER, "read_id": _COUNTER,
    "version": _COUNTER, "pathway_version": _COUNTER, "row_version": _COUNTER,
    "current_version": _COUNTER, "from_version": _COUNTER,
    "reference": _UUID, "request_id": _UUID,
    "timestamp": _TIMESTAMP, "at": _TIMESTAMP, "sent_at": _TIMESTAMP,
    "started_at": _TIMESTAMP, "ended_at": _TIMESTAMP, "updated_at": _TIMESTAMP,
}
"""Fields holding ids and times the service makes, with the shape each one has.

Person ids are not here: they come from the council's client index, where a system id may
be an NHS number, so they go through the patterns like any other value."""

_PATTERNS = [
    re.compile(r"\b\d{3}[\s-]?\d{3}[\s-]?\d{4}\b"),  # NHS numbers and phone-like digit runs
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),  # ISO dates
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),  # UK dates
    re.compile(r"\b\d{1,2}[-.]\d{1,2}[-.]\d{4}\b"),  # 07-03-1941, 7.3.1941
    re.compile(r"\b\d{1,2}(st|nd|rd|th)? (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
               r"[a-z]* \d{4}\b", re.IGNORECASE),  # 7 March 1941
    re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.IGNORECASE),  # postcodes
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),  # email addresses
    re.compile(r"\+?\d[\d\s]{9,}\d"),  # long phone numbers
]
_KEEP_KEYS = frozenset({"level", "logger"})
_MIGHT_BE_PERSONAL = re.compile(r"[\d@]")
"""Every pattern above needs a digit or an @, so most values can skip them all."""
_SERVICE_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                 r"[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})(?![0-9A-Za-z-])")


def _is_personal_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    return key in PERSONAL_KEYS or (key.endswith(PERSONAL_SUFFIXES) and key not in _NOT_PERSONAL)


def _scrub_text(value: str) -> str:
    """Blank personal-looking parts of free text; service ids in it are kept whole."""
    if _MIGHT_BE_PERSONAL.search(value) is None:
        return value
    kept = 0
    parts: list[str] = []
    for match in _SERVICE_ID_IN_TEXT.finditer(value):
        parts.append(_patterns_out(value[kept:match.start()]))
        parts.append(match.group())
        kept = match.end()
    parts.append(_patterns_out(value[kept:]))
    return "".join(parts)


def _patterns_out(text: str) -> str:
    if _MIGHT_BE_PERSONAL.search(text) is None:
        return text
    for pattern in _PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def _scrub(value: Any, key: object = None) -> Any:
    """``value`` as it may be logged under ``key`` (rules 1-3 of the module docstring)."""
    if _is_personal_key(key):
        return REDACTED
    shape = ID_FIELDS.get(key) if isinstance(key, str) else None
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        if (shape is not None and shape.fullmatch(str(value))) or _patterns_out(
                str(value)) == str(value):
            return value
        return REDACTED
    if isinstance(value, str):
        if shape is not None and shape.fullmatch(value):
            return value
        return _scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrub(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_scrub(v, key) for v in value]
    return _scrub_text(str(value))


def redact_personal_details(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: blank personal fields and personal-looking values, keep the
    service's own ids, and turn any exception into :func:`failure_fields`."""
    exc = _exception_of(event_dict.pop("exc_info", None))
    for key in ("exception", "stack", "stack_info"):  # already-rendered text: never kept
        event_dict.pop(key, None)
    if exc is not None:
        for name, text in failure_fields(exc).items():
            event_dict.setdefault(name, text)
    for key in list(event_dict):
        if key not in _KEEP_KEYS:
            event_dict[key] = _scrub(event_dict[key], key)
    return event_dict


def _exception_of(exc_info: Any) -> BaseException | None:
    if exc_info is None or exc_info is False:
        return None
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        found = exc_info[1]
        return found if isinstance(found, BaseException) else None
    return sys.exc_info()[1]  # exc_info=True: the exception being handled


# --- what a failure may say about itself ---------------------------------------------------

_DESCRIPTIONS: dict[str, str] = {
    # Names shared by PEP 249 drivers (sqlite3, psycopg) and SQLAlchemy's wrappers.
    "IntegrityError": "the database refused the change: a constraint failed",
    "OperationalError": "the database could not be reached or could not carry out the "
                        "operation",
    "DataError": "the database refused a value",
    "ProgrammingError": "the database refused the statement (is the schema up to date?)",
    "InternalError": "the database reported an internal error",
    "NotSupportedError": "the database does not support the operation",
    "InterfaceError": "the connection to the database failed",
    "DatabaseError": "the database failed",
    "TimeoutError": "the operation timed out (no database connection was free in time?)",
    # Ours and the rest.
    "StorageError": "the client index could not be used",
    "ClientIndexError": "the client index failed",
    "TriageError": "the pathway engine refused the operation",
    "OSError": "a file or network operation failed",
    "MemoryError": "the service ran out of memory",
    "RecursionError": "the service went too deep",
    "ValueError": "a value could not be used",
    "KeyError": "something looked up was missing",
    "TypeError": "a value had the wrong type",
}
_ROOT = Path(__file__).resolve().parents[2]
_OUR_CODE = ("api", "triage", "triage_qa")


def failure_fields(exc: BaseException) -> dict[str, str]:
    """What a log line may say about an exception: its type, a code such as the SQLSTATE,
    a fixed description by type, and the last place in our code it passed through.

    Never the exception's message nor its traceback's values: a database error's message
    quotes the parameters or the row it refused, and a client index error the search.
    """
    fields = {"error": type(exc).__name__, "description": _description(exc)}
    chain = _chain(exc)
    code = next((c for c in map(_code, chain) if c), None)
    if code:
        fields["error_code"] = code
    # The deepest place first: a wrapped driver error says where the query ran.
    where = next((w for w in (_where(e.__traceback__) for e in reversed(chain)) if w), None)
    if where:
        fields["where"] = where
    return fields


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the errors it was raised from or while handling, outermost first."""
    chain = [exc]
    while len(chain) < 10:
        inner = chain[-1].__cause__ or chain[-1].__context__
        if inner is None or inner in chain:
            break
        chain.append(inner)
    return chain


def _description(exc: BaseException) -> str:
    for cls in type(exc).__mro__:
        if cls.__name__ in _DESCRIPTIONS:
            return _DESCRIPTIONS[cls.__name__]
    return "an unexpected error"


def _code(exc: BaseException) -> str | None:
    for candidate in (exc, getattr(exc, "orig", None)):  # SQLAlchemy keeps the driver's
        for attribute in ("sqlstate", "sqlite_errorname"):
            code = getattr(candidate, attribute, None)
            if isinstance(code, str) and re.fullmatch(r"[A-Z0-9_]{1,40}", code):
                return code
    return None


def _where(tb: TracebackType | None) -> str | None:
    """``api/store.py:333 in _save``: the innermost frame in the project's own code."""
    found = None
    for frame_tb in _frames(tb):
        code = frame_tb.tb_frame.f_code
        try:
            relative = Path(code.co_filename).resolve().relative_to(_ROOT)
        except ValueError:
            continue
        if relative.parts and relative.parts[0] in _OUR_CODE:
            found = f"{relative.as_posix()}:{frame_tb.tb_lineno} in {code.co_name}"
    return found


def _frames(tb: TracebackType | None) -> Iterator[TracebackType]:
    while tb is not None:
        yield tb
        tb = tb.tb_next


# --- standard logging records as audit lines ---------------------------------------------

_STANDARD_LEVELS = (logging.CRITICAL, logging.ERROR, logging.WARNING, logging.INFO,
                    logging.DEBUG)


class AuditLogHandler(logging.Handler):
    """Writes standard ``logging`` records (the web server's, the libraries') as audit lines.

    A record becomes one line under the redaction rules: uvicorn's access records keep the
    method, the path without its query string (query strings can hold search details) and
    the status; any other record keeps the first line of its message (a traceback printed
    into a message stays out) and, for an exception, only :func:`failure_fields`.
    """

    def __init__(self, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self._loggers: dict[str, Any] = {}

    def emit(self, record: logging.LogRecord) -> None:
        try:
            event, fields = record_fields(record)
            logger = self._loggers.get(record.name)
            if logger is None:
                logger = self._loggers[record.name] = structlog.get_logger(record.name)
            level = next((n for n in _STANDARD_LEVELS if record.levelno >= n), logging.DEBUG)
            logger.log(level, event, **fields)
        except Exception:
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        # logging's own handleError prints the record's message and arguments to stderr.
        sys.stderr.write('{"event": "log_record_lost", "level": "error", "logger": '
                         f'"{_safe_name(record.name)}"}}\n')


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:100]


def record_fields(record: logging.LogRecord) -> tuple[str, dict[str, Any]]:
    """The event name and fields of an audit line for a standard ``logging`` record."""
    args = record.args
    if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
        _client, method, path, _http_version, status = args
        return "http_request", {"method": str(method)[:16],
                                "path": str(path).split("?", 1)[0], "status": status}
    fields: dict[str, Any] = {"logger": _safe_name(record.name)}
    try:
        message = record.getMessage()
    except Exception:  # a record whose arguments do not fit its message
        message = str(record.msg)
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    fields["message"] = first_line[:300]
    if record.exc_info and record.exc_info[1] is not None:
        fields.update(failure_fields(record.exc_info[1]))
    return "server_log", fields


def route_standard_logging(*, access_lines: bool = False,
                           handler: logging.Handler | None = None) -> logging.Handler:
    """Send every standard ``logging`` record (warnings and above; uvicorn's access lines
    too when ``access_lines``) through :class:`AuditLogHandler`, and nowhere else."""
    handler = handler or AuditLogHandler()
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.asgi", "uvicorn.access"):
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
        logger.setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.INFO if access_lines
                                                  else logging.WARNING)
    logging.captureWarnings(True)
    return handler


def configure_logging(stream: TextIO | None = None, *, cache: bool = True) -> None:
    """JSON audit lines to ``stream`` (standard error by default)."""
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_personal_details,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=cache,
    )


def audit_logger() -> Any:
    """The audit logger."""
    return structlog.get_logger("triage.adapters.audit")

