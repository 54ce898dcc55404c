"""The words a handler reads: labels for the codes in a call, and times, dates and the
service's messages set out as sentences."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from api.service import CallSummary, Channel, LinkStatus
from triage.timeframes import UK_TIME
from triage.vocabulary import SEARCH_FIELDS, OutcomeKind

KIND_LABELS: Mapping[str, str] = {
    OutcomeKind.EMERGENCY_SERVICES: "Emergency services now",
    OutcomeKind.URGENT_ESCALATION: "Urgent escalation to a team",
    OutcomeKind.ALLOCATED_WORKER: "Pass to the allocated worker",
    OutcomeKind.TEAM_REFERRAL: "Referral to a team",
    OutcomeKind.DEFLECT_ONLINE: "Online service",
    OutcomeKind.DEFLECT_ONLINE_ASSISTED: "Online service, completed with the caller",
    OutcomeKind.SIGNPOST: "Signpost to community services",
    OutcomeKind.NO_FURTHER_ACTION: "No further action",
}
SEARCH_LABELS: Mapping[str, str] = dict(zip(SEARCH_FIELDS, (
    "NHS number", "First name", "Last name", "Date of birth", "Postcode", "Address"),
    strict=True))
"""The person search's fields as the screen labels them (in the order they are asked)."""
SUMMARY_LABELS = {"initials": "Initials", "year_of_birth": "Year of birth",
                  "postcode_district": "Postcode district"}
LANGUAGES = (("en", "English"), ("cy", "Welsh (Cymraeg)"))


def kind_label(kind: str) -> str:
    """An outcome kind in words ('Online service'), or the code if it has no label."""
    return KIND_LABELS.get(kind, kind)


def paragraphs(words: str | None) -> list[str]:
    """Words to read, split into paragraphs at blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", words or "") if p.strip()]


def grouped(reference: str) -> str:
    """A call reference in groups of eight characters, easier to read out and to copy."""
    return " ".join(reference[i:i + 8] for i in range(0, len(reference), 8))


def sentence(text: str) -> str:
    """A message from the service as a sentence."""
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


def due_text(timeframe: str, due: str) -> str:
    """'Now' for immediate outcomes, else 'by 17:00 on Monday 30 November 2026'."""
    if timeframe.strip().lower().startswith("immediate"):
        return "Now"
    try:
        when = dt.datetime.fromisoformat(due)
    except ValueError:
        return due
    return f"by {when:%H:%M} on {when:%A} {when.day} {when:%B %Y}"


def when_text(value: dt.datetime | str | None) -> str:
    """A moment in UK time: 'today at 14:05', or 'at 14:05 on Monday 2 March 2026'."""
    when = value
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(when, dt.datetime):
        return "at an unknown time"
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone(UK_TIME)
    if local.date() == dt.datetime.now(UK_TIME).date():
        return f"today at {local:%H:%M}"
    return f"at {local:%H:%M} on {local:%A} {local.day} {local:%B %Y}"


def where_text(summary: CallSummary) -> str:
    """Where a call is, in the words of its pathway (no personal details)."""
    if summary.outcome_kind:
        return f"At the outcome: {kind_label(summary.outcome_kind)}"
    return summary.step_title or summary.step_id or "Not known (its pathway version is not loaded)"


def message_line(message: Mapping[str, Any]) -> dict[str, str]:
    """One recorded attempt to send the link, as the handler reads it (never 'sent' unless
    GOV.UK Notify took it)."""
    how = "text" if message.get("channel") == Channel.SMS else "email"
    to = str(message.get("recipient") or "")
    status = str(message.get("status") or "")
    if status == LinkStatus.SENT:
        text = f"Link sent by {how} to {to}"
        if message.get("reference"):
            text += f" (GOV.UK Notify reference {message['reference']})"
    elif status == LinkStatus.SENDING:
        text = (f"Sending by {how} to {to} was started but not confirmed: check with GOV.UK "
                "Notify before sending again")
    else:
        text = (f"{'Not sent' if status == LinkStatus.NOT_SENT else 'Failed'}: "
                f"{message.get('reason') or 'no reason was given.'} ({how} to {to})")
    try:
        when = dt.datetime.fromisoformat(str(message.get("sent_at"))).astimezone(UK_TIME)
        time = f"{when:%H:%M}"
    except ValueError:
        time = ""
    return {"status": status, "text": text, "time": time}
