"""The words the whole project shares, each spelled once: the kinds of step, answer and
outcome, whether a person is known, what a person search asks for, and how NHS numbers,
postcodes and dates are read.

Pure enums, constants and functions, no I/O. The file format, the run time, the checks,
the person search, the service and the screen all use these, so a code such as
``previously_known`` or a rule such as the NHS number's check digit has one home.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from triage.errors import DateNotRead

# --------------------------------------------------------------------------- steps and outcomes


class StepKind(StrEnum):
    """What a step of a pathway does."""

    SAY = "say"  # words to read, then on
    QUESTION = "question"  # a typed answer
    LOOKUP = "lookup"  # the person check: is the person known to adult social care?
    HANDOVER = "handover"  # into a sub-pathway
    RETURN = "return"  # back out of a sub-pathway
    OUTCOME = "outcome"  # the disposition: where the call ends


class TrailKind(StrEnum):
    """What a line of a call's trail records."""

    ANSWERED = "answered"  # the handler answered the step
    PRE_ANSWERED = "pre-answered"  # a fact known already answered it
    CARRIED = "carried"  # a further need took the answer the call already had
    PASSED = "passed"  # words read, a handover or a return: nothing to answer
    OUTCOME = "outcome"  # the need reached its outcome here
    SEARCHED = "searched"  # a person search at the person check
    PERSON_CHECKED = "person_checked"  # the person check done in the wrap-up
    CORRECTED = "corrected"  # an answer changed: from what, to what, by whom and why
    NEW_NEED = "new_need"  # the handler added a further need to the call
    TAKEN_OVER = "taken_over"  # another handler took the call over


class CallPhase(StrEnum):
    """Where a call is: routing to an outcome, wrapping up after it, or finished."""

    ROUTING = "routing"  # questions until the need reaches its outcome
    WRAP_UP = "wrap_up"  # the outcome is fixed: person check, a further need, corrections
    FINISHED = "finished"  # the handler finished the call; its contact records are written


class RecordFlag(StrEnum):
    """What a contact record flags for a reviewer."""

    RED_FLAG_CHANGED = "red_flag_changed_after_escalation"  # with the reason given
    FINISHED_WITHOUT_PERSON_CHECK = "finished_without_person_check"  # and why


WAITS_FOR_HANDLER = frozenset({StepKind.QUESTION, StepKind.LOOKUP})
"""Steps a call stops at until the handler answers."""


class AnswerType(StrEnum):
    """The typed answers a question can take."""

    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    YES_NO = "yes_no"
    YES_NO_UNSURE = "yes_no_unsure"
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    NHS_NUMBER = "nhs_number"
    POSTCODE = "postcode"
    PHONE = "phone"
    EMAIL = "email"


class OutcomeKind(StrEnum):
    """The disposition: what happens to the contact."""

    EMERGENCY_SERVICES = "emergency_services"
    URGENT_ESCALATION = "urgent_escalation"
    ALLOCATED_WORKER = "allocated_worker"
    TEAM_REFERRAL = "team_referral"
    DEFLECT_ONLINE = "deflect_online"
    DEFLECT_ONLINE_ASSISTED = "deflect_online_assisted"
    SIGNPOST = "signpost"
    NO_FURTHER_ACTION = "no_further_action"


URGENCY: Mapping[OutcomeKind, int] = MappingProxyType({
    OutcomeKind.EMERGENCY_SERVICES: 0,
    OutcomeKind.URGENT_ESCALATION: 1,
    OutcomeKind.ALLOCATED_WORKER: 2,
    OutcomeKind.TEAM_REFERRAL: 2,
    OutcomeKind.DEFLECT_ONLINE_ASSISTED: 3,
    OutcomeKind.DEFLECT_ONLINE: 3,
    OutcomeKind.SIGNPOST: 4,
    OutcomeKind.NO_FURTHER_ACTION: 5,
})
"""The urgency order of outcome kinds, most urgent first (equal numbers are as urgent):
what "more urgent" and "less urgent" mean when two versions of a pathway are compared."""


class RouteOfAccess(StrEnum):
    """Client Level Data: how the request came to adult social care."""

    PLANNED_ENTRY = "planned_entry"
    DISCHARGE_FROM_HOSPITAL = "discharge_from_hospital"
    DIVERSION_FROM_HOSPITAL = "diversion_from_hospital"
    COMMUNITY = "community"
    PRISON = "prison"
    SELF_FUNDER = "self_funder"
    DISCHARGE_FROM_REABLEMENT = "discharge_from_reablement"
    TRANSFER_FROM_OTHER_LA = "transfer_from_other_la"


class RequestOutcome(StrEnum):
    """Client Level Data: the outcome of a Request event."""

    REABLEMENT_SHORT_TERM = "reablement_short_term"
    ASSESSMENT = "assessment"
    FINANCIAL_ASSESSMENT = "financial_assessment"
    PROVISION_OF_SERVICE = "provision_of_service"
    NFA_INFORMATION_ADVICE = "nfa_information_advice"
    SUPPORT_DECLINED = "support_declined"
    MOVED_TO_OTHER_LA = "moved_to_other_la"
    DECEASED = "deceased"
    NFA_OTHER = "nfa_other"


DEFLECTIONS = frozenset({OutcomeKind.DEFLECT_ONLINE, OutcomeKind.DEFLECT_ONLINE_ASSISTED})
"""Outcomes that send the caller to an online service (with or without the handler)."""
EMERGENCIES = frozenset({OutcomeKind.EMERGENCY_SERVICES, OutcomeKind.URGENT_ESCALATION})
"""Outcomes that pass the call on at once (the shipped safety policy's escalations)."""

# --------------------------------------------------------------------------- the person check


class KnownStatus(StrEnum):
    """Whether the person a contact is about is already known to adult social care."""

    OPEN = "open"
    PREVIOUSLY_KNOWN = "previously_known"
    NOT_KNOWN = "not_known"
    POSSIBLE_MATCH = "possible_match"


KNOWN_STATUS_WORDS: Mapping[str, str] = {
    KnownStatus.OPEN: "Open case",
    KnownStatus.PREVIOUSLY_KNOWN: "Previously known (case closed)",
    KnownStatus.NOT_KNOWN: "Not known",
    KnownStatus.POSSIBLE_MATCH: "Possible match, not confirmed",
}
"""Each known status as a handler reads it."""

UNCONFIRMED = (KnownStatus.NOT_KNOWN, KnownStatus.POSSIBLE_MATCH)
"""The answers to a person check that confirm nobody (the others come from a record)."""

LOOKUP_FACTS = ("known_status", "person_id", "allocated_worker", "allocated_team", "alerts")
"""The call facts a person check sets; facts.yaml must declare them."""

# --------------------------------------------------------------------------- earlier contacts

CONTACT_WINDOW_DAYS = 28
"""Earlier contacts about the person shown at the person check: the last 28 days (the
Client Level Data follow-on window)."""
REPEAT_CONTACT = "repeat_contact"
"""A call fact: true when this contact is the person's Nth within H hours (the
directory's repeat-contact rule), set when the person is confirmed."""
CONTACTS_IN_WINDOW = "contacts_in_28_days"
"""A call fact: how many earlier contacts about the confirmed person in the last 28 days."""
LAST_OUTCOME_KIND = "last_outcome_kind"
"""A call fact: the outcome kind of the person's most recent earlier contact."""
OPEN_REFERRAL_TEAM = "open_referral_team"
"""A call fact: the team of the person's most recent earlier contact still open."""
CONTACT_DAYS = "__contact_days__"
"""Where a call keeps how many days ago each earlier contact was (for contacts_in_days)."""
OPEN_KINDS = frozenset({OutcomeKind.EMERGENCY_SERVICES, OutcomeKind.URGENT_ESCALATION,
                        OutcomeKind.ALLOCATED_WORKER, OutcomeKind.TEAM_REFERRAL})
"""Outcome kinds that pass the work to a team: such a contact is open until its team acts
(the front door keeps no closures, so ours: open while within the window)."""

# --------------------------------------------------------------------------- the clock

IN_HOURS = "in_hours"
"""A call fact: true when the call started while the offices were open (the directory's
opening hours, less bank holidays and local closures)."""
OUT_OF_HOURS = "out_of_hours"
"""A call fact: true when the call started while the offices were closed."""
NEXT_OPENING = "next_opening"
"""A call fact: when the offices next open (UK local time, ISO 8601; the call's start when
they are open)."""
CLOCK_FACTS = (IN_HOURS, OUT_OF_HOURS, NEXT_OPENING)
"""The call facts the clock gives every call when it starts."""

# --------------------------------------------------------------------------- person search

SEARCH_FIELDS = ("nhs_number", "given_name", "family_name", "date_of_birth", "postcode",
                 "address")
"""The details a person search can be given, in the order they are asked for."""
FIELD_WORDS = {
    "nhs_number": "NHS number",
    "given_name": "given name",
    "family_name": "family name",
    "date_of_birth": "date of birth",
    "postcode": "postcode",
    "address": "address",
}
"""Each search field in words, for sentences."""

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
        return (f"The NHS number '{text}' is not valid: it needs exactly 10 digits. "
                "Please ask the caller to read it again, digit by digit.")
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        return (f"The NHS number '{text}' is not valid: its check digit does not match, so a "
                "digit was probably misheard. Please ask the caller to read it again, "
                "digit by digit.")
    return None


# --------------------------------------------------------------------------- postcodes

_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_OUTWARD_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


_POSTCODE_CHARACTERS = re.compile(r"[A-Za-z0-9]+(?: +[A-Za-z0-9]+)?")


def has_postcode_characters(text: str) -> bool:
    """True when ``text`` (stripped) is only what a postcode is written with: the letters
    A to Z, digits and at most one run of spaces between two parts. Punctuation, other
    scripts (a Cyrillic "Ѕ") and anything else are refused, never tidied away."""
    return bool(_POSTCODE_CHARACTERS.fullmatch(text.strip()))


def normalise_postcode(text: str | None) -> str:
    """Upper-case a postcode and remove everything but letters and digits ("sw1a 1aa" ->
    "SW1A1AA")."""
    if not text:
        return ""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def is_full_postcode(postcode: str) -> bool:
    """True for a normalised full UK postcode such as "SW1A1AA"."""
    return bool(_POSTCODE_RE.match(postcode))


def is_outward_code(postcode: str) -> bool:
    """True for a normalised first half of a UK postcode such as "SW1A"."""
    return bool(_OUTWARD_RE.match(postcode))


def postcode_district(postcode: str) -> str:
    """The outward code of a normalised postcode ("SW1A1AA" -> "SW1A")."""
    match = _POSTCODE_RE.match(postcode)
    return match.group(1) if match else postcode


def postcode_sector(postcode: str) -> str:
    """District plus the sector digit ("SW1A1AA" -> "SW1A1")."""
    match = _POSTCODE_RE.match(postcode)
    return match.group(1) + match.group(2)[0] if match else postcode


def format_postcode(postcode: str) -> str:
    """Put the space back into a normalised full postcode."""
    match = _POSTCODE_RE.match(postcode)
    return f"{match.group(1)} {match.group(2)}" if match else postcode


# --------------------------------------------------------------------------- dates


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date as precisely as someone knew it (year, maybe month, maybe day)."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def full(self) -> date | None:
        """The complete date, when day and month are known."""
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)


_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DMY_RE = re.compile(r"^(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})$")
_MY_RE = re.compile(r"^(\d{1,2})[/.\- ](\d{4})$")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def read_date_parts(text: str) -> tuple[int, int | None, int | None]:
    """The year, month and day written in ``text``, unchecked (use :func:`partial_date`).

    Reads "1948", "1948-03", "1948-03-12", "12/03/1948", "03/1948" and "12 March 1948":
    day and month come first in the forms with slashes, dots, dashes or spaces, as they are
    said in England. Raises :class:`DateNotRead` when the text is none of these.
    """
    raw = text.strip()
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
                raise DateNotRead(f"'{text}' is not a date this can read")
            day = int(words[0].rstrip("stndrh"))
    else:
        raise DateNotRead(f"'{text}' is not a date this can read")
    return year, month, day


def partial_date(year: int, month: int | None, day: int | None) -> PartialDate:
    """The date, if its month and day exist; :class:`DateNotRead` saying which does not.

    A month over 12 with a day of 12 or less suggests the other order.
    """
    if month is not None and not 1 <= month <= 12:
        hint = ""
        if day is not None and 1 <= day <= 12:
            hint = f" (day and month the other way round would be {month:02d}/{day:02d}/{year})"
        raise DateNotRead(f"there is no month {month}{hint}")
    if day is not None and month is not None:
        try:
            date(year, month, day)
        except ValueError:
            raise DateNotRead(f"month {month} of {year} has no day {day}") from None
    return PartialDate(year, month, day)


def parse_partial_date(text: str) -> PartialDate:
    """A date read from ``text`` as precisely as it was written (:func:`read_date_parts`)."""
    return partial_date(*read_date_parts(text))
