"""Dataclasses as plain dicts and lists, ready for JSON, without ``dataclasses.asdict``.

``asdict`` deep-copies every leaf value; for a call saved on every answer that was a
measurable share of the service's CPU per request (docs/performance-api.md). This copies
the containers (so changing the result never changes the object) and shares the leaves,
which are strings, numbers and the like.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any


def plain(value: Any) -> Any:
    """``value`` with dataclasses as dicts, and tuples and lists as lists, all the way down."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value
