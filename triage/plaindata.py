"""Dataclasses as plain dicts and lists, ready for JSON, without ``dataclasses.asdict``.

``asdict`` deep-copies every leaf value; for a call saved on every answer that was a
measurable share of the service's CPU per request (docs/performance-api.md). This copies
the containers (so changing the result never changes the object) and shares the leaves,
which are strings, numbers and the like.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

_LEAVES = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...] | None] = {}
"""Each type seen: its dataclass field names, or None for a type that is not one."""


def _field_names(kind: type) -> tuple[str, ...] | None:
    names = _FIELDS.get(kind, ())
    if names == ():
        names = tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None
        _FIELDS[kind] = names
    return names


def plain(value: Any) -> Any:
    """``value`` with dataclasses as dicts, and tuples and lists as lists, all the way down."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    names = _field_names(kind)
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    return value
