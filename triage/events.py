"""The port the core writes audit events to: an event name and fields, never personal
details (the adapter, :mod:`triage.adapters.audit`, redacts as a second line of defence)."""

from __future__ import annotations

from typing import Any, Protocol


class EventLog(Protocol):
    """Where the engine records what it did (call started, person searched, outcome...)."""

    def info(self, event: str, **fields: Any) -> Any:
        """Record one event."""


class Unrecorded:
    """An event log that keeps nothing (the engine's default when none is given)."""

    def info(self, event: str, **fields: Any) -> None:
        """Keep nothing."""
