"""The person record held on the client index (pure data, no storage)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class CaseStatus(StrEnum):
    """Whether the person's case with adult social care is open or closed."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One person as exported by a case-management system, keyed by ``system_id``."""

    system_id: str
    given_name: str
    family_name: str
    nhs_number: str | None = None
    previous_family_names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other full names, "Given Family"
    date_of_birth: date | None = None
    sex: str | None = None
    address: str | None = None
    postcode: str | None = None
    previous_addresses: tuple[str, ...] = ()
    previous_postcodes: tuple[str, ...] = ()
    case_status: CaseStatus = CaseStatus.CLOSED
    case_opened: date | None = None
    case_closed: date | None = None
    allocated_worker: str | None = None
    team: str | None = None
    alerts: tuple[str, ...] = ()
    preferred_language: str | None = None
    communication_needs: str | None = None
    # Details the export did not hold ("given_name", "family_name"): an incomplete record.
    missing_details: tuple[str, ...] = ()

    @property
    def incomplete(self) -> bool:
        """True when the export held no given name or no family name for this person."""
        return bool(self.missing_details)

    def to_json(self) -> str:
        """Serialise for storage (dates as ISO strings)."""
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return json.dumps(out, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> PersonRecord:
        """Rebuild a record stored with :meth:`to_json`."""
        raw: dict[str, Any] = json.loads(text)
        kwargs: dict[str, Any] = {}
        for name in cls.__slots__:
            if name not in raw:
                continue
            value = raw[name]
            if name in ("date_of_birth", "case_opened", "case_closed") and value:
                value = date.fromisoformat(value)
            elif isinstance(value, list):
                value = tuple(value)
            elif name == "case_status":
                value = CaseStatus(value)
            kwargs[name] = value
        return cls(**kwargs)
