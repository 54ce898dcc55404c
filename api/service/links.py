"""Sending the outcome's online link to the caller, and the record of every attempt.

The sending itself is a port, :class:`LinkSender` (GOV.UK Notify in :mod:`api.notify`);
each attempt is recorded as 'sending' before it is asked, so a message that went is never
missing from the record, and the recipient is kept only masked.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from enum import StrEnum
from typing import Any

from api.service.access import CallAccess
from api.service.users import User
from api.storage.port import Repository
from triage.adapters.audit import audit_logger
from triage.calls import CallEngine
from triage.errors import CallError, StorageRefused


class LinkStatus(StrEnum):
    """How an attempt to send the link went."""

    SENDING = "sending"  # recorded before the sender was asked; unknown if it went
    SENT = "sent"
    NOT_SENT = "not sent"
    FAILED = "failed"


class Channel(StrEnum):
    """How the link is sent."""

    SMS = "sms"  # a text message
    EMAIL = "email"


class LinkSender(ABC):
    """Sends an online service's link to a caller by text message or email."""

    @abstractmethod
    def send(self, by: str, to: str, service: str, url: str) -> dict[str, str]:
        """Send by 'sms' or 'email'; ``status`` is 'sent' (with Notify's ``reference``),
        'not sent' or 'failed' (each with a ``reason``)."""


def masked(to: str) -> str:
    """A recipient as it may be kept on record: '...123' for a phone number (its last three
    digits), 'j...@example.org' for an email address (its first letter and domain)."""
    text = to.strip()
    if "@" in text:
        local, _, domain = text.rpartition("@")
        return f"{local[:1]}...@{domain}"[:255]
    return "..." + re.sub(r"\D", "", text)[-3:]


class Links:
    """Sending a call's link, and the attempts made."""

    def __init__(self, repository: Repository, engine: CallEngine, access: CallAccess,
                 sender: LinkSender) -> None:
        self.repository = repository
        self.engine = engine
        self.access = access
        self.sender = sender
        self.log = audit_logger()

    def send(self, user: User, call_id: str, to: str, by: str) -> dict[str, str]:
        """Send the outcome's online link by text or email.

        Every attempt is recorded (sent, not sent or failed, with the recipient masked),
        also after the call is finished; the contact record lists them.
        """
        stored = self.access.own(user, call_id)
        outcome = self.engine.outcome(self.engine.restore(stored.data))
        if not outcome.service:
            raise CallError("This outcome has no online link to send.", field="call")
        recipient = masked(to)
        # Recorded before Notify is asked, so a message that went is never missing from the
        # record: if the process dies, or the database fails, after Notify took it, the
        # record still says "sending" (sent or not, unknown) rather than nothing.
        message = self.repository.add_message(call_id, channel=by, recipient=recipient,
                                              status=LinkStatus.SENDING,
                                              username=user.username)
        result = self.sender.send(by, to, outcome.service["name"], outcome.service["url"])
        reason = result.get("reason")
        if reason and to.strip():
            # Notify's own message may quote the recipient; the record keeps it masked.
            reason = reason.replace(to.strip(), recipient)
        out = {**result, **({"reason": reason} if reason else {}), "to": recipient,
               "sent_at": message["sent_at"]}
        try:
            self.repository.finish_message(message["message_id"], status=result["status"],
                                           reference=result.get("reference") or None,
                                           reason=reason)
        except StorageRefused:
            self.log.error("link_record_failed", call_id=call_id, user=user.username,
                           message_id=message["message_id"], status=result["status"])
            out["recorded"] = ("The record of this attempt could not be completed; it shows "
                               "as 'sending'. Check with GOV.UK Notify before sending again.")
        self.log.info("link_sent", call_id=call_id, user=user.username, by=by,
                      status=result["status"], message_id=message["message_id"])
        return out

    def messages(self, call_id: str) -> list[dict[str, Any]]:
        """Every attempt to send the call's link, oldest first."""
        return self.repository.messages_of(call_id)
