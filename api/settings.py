"""The service's settings, from ``TRIAGE_*`` environment variables (docs/service.md lists
them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.service import SignInLimits
from triage.clock import Clock, FixedClock, SystemClock

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Service settings, from TRIAGE_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="TRIAGE_")

    database_url: str | None = None
    home: Path = ROOT / "var"
    paths: list[Path] = [ROOT / "pathways", ROOT / "scripts"]
    clients_db: str | None = None
    # TRIAGE_DEMO=1: demo users (printed at start-up) and, without TRIAGE_CLIENTS_DB, the
    # demo client index of synthetic people. Never on in production.
    demo: bool = False
    demo_password: str | None = None
    # With TRIAGE_DEMO=1, the synthetic contacts an empty store is given for the reports
    # (api/reports/demo.py); 0 for none.
    demo_contacts: int = 2000
    session_hours: float = 8.0
    session_cache_seconds: float = 5.0
    reload_seconds: float = 2.0
    notify_api_key: str | None = None
    notify_sms_template: str | None = None
    notify_email_template: str | None = None
    # Sign-in throttling (api.service.sign_in.SignInLimits): failures allowed per user name
    # and per address within the window, then refused for a time that doubles up to the
    # longest.
    sign_in_user_limit: int = Field(default=5, ge=1)
    sign_in_address_limit: int = Field(default=20, ge=1)
    sign_in_window_seconds: float = Field(default=900.0, gt=0)
    sign_in_first_block_seconds: float = Field(default=60.0, gt=0)
    sign_in_longest_block_seconds: float = Field(default=900.0, gt=0)
    # TRIAGE_CLOCK_AT="2026-12-05 18:30": every call starts at this UK local time, for
    # training and for replaying calls (in or out of hours and due times follow it).
    # Never set in production.
    clock_at: str | None = None
    # The audit form supervisors score sampled contacts on (issue 14, docs/reviews.md).
    audit_form: Path = ROOT / "audits" / "form.yaml"

    @field_validator("clock_at")
    @classmethod
    def _a_time(cls, value: str | None) -> str | None:
        if value:
            try:
                dt.datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"TRIAGE_CLOCK_AT is '{value}': give a UK local time as "
                                 "YYYY-MM-DD HH:MM, such as 2026-12-05 18:30") from None
        return value or None

    def clock(self) -> Clock:
        """The clock calls are started on: the system's, or TRIAGE_CLOCK_AT's."""
        if self.clock_at:
            return FixedClock(dt.datetime.fromisoformat(self.clock_at))
        return SystemClock()

    def sign_in_limits(self) -> SignInLimits:
        """The sign-in limits these settings give."""
        return SignInLimits(
            per_user=self.sign_in_user_limit, per_address=self.sign_in_address_limit,
            window_seconds=self.sign_in_window_seconds,
            first_block_seconds=self.sign_in_first_block_seconds,
            longest_block_seconds=max(self.sign_in_longest_block_seconds,
                                      self.sign_in_first_block_seconds))
