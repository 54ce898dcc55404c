"""Sending the online link to the caller by text or email through GOV.UK Notify: the
:class:`~api.service.links.LinkSender` the service uses.

With no API key configured nothing is sent, and the result says so: the handler is never
told a message went when it did not.
"""

from __future__ import annotations

from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient
from requests import RequestException

from api.service.links import Channel, LinkSender, LinkStatus


class Notifier(LinkSender):
    """Sends links through the GOV.UK Notify client, if an API key is configured."""

    def __init__(self, api_key: str | None, sms_template: str | None,
                 email_template: str | None, client: Any = None) -> None:
        self.sms_template = sms_template
        self.email_template = email_template
        self.client = client
        if self.client is None and api_key:
            self.client = NotificationsAPIClient(api_key)  # type: ignore[no-untyped-call]

    def send(self, by: str, to: str, service: str, url: str) -> dict[str, str]:
        """Send by 'sms' or 'email'; the result's status is 'sent', 'not sent' or 'failed'."""
        if self.client is None:
            return {"status": LinkStatus.NOT_SENT,
                    "reason": "GOV.UK Notify is not configured (no API key), so nothing was "
                              "sent. Read the link to the caller instead."}
        personalisation = {"service": service, "url": url}
        try:
            if by == Channel.SMS:
                if not self.sms_template:
                    return {"status": LinkStatus.NOT_SENT,
                            "reason": "No text message template is set."}
                response = self.client.send_sms_notification(
                    phone_number=to, template_id=self.sms_template,
                    personalisation=personalisation)
            elif by == Channel.EMAIL:
                if not self.email_template:
                    return {"status": LinkStatus.NOT_SENT,
                            "reason": "No email template is set."}
                response = self.client.send_email_notification(
                    email_address=to, template_id=self.email_template,
                    personalisation=personalisation)
            else:
                return {"status": LinkStatus.NOT_SENT,
                        "reason": f"'{by}' is not 'sms' or 'email'."}
        except (APIError, RequestException) as exc:
            return {"status": LinkStatus.FAILED, "reason": f"GOV.UK Notify did not take it: {exc}"}
        return {"status": LinkStatus.SENT, "reference": str(response.get("id", ""))}
