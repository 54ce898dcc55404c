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
_LEAF, _LIST, _DICT, _DATACLASS = range(4)
_KINDS: dict[type, int] = {str: _LEAF, int: _LEAF, float: _LEAF, bool: _LEAF,
                          type(None): _LEAF, list: _LIST, tuple: _LIST, dict: _DICT}
"""Each type seen, as one of the four shapes above (a string enum is a leaf)."""
_FIELDS: dict[type, tuple[str, ...]] = {}
"""Each dataclass seen: its field names."""


def _shape(kind: type) -> int:
    found = _KINDS.get(kind)
    if found is None:
        if issubclass(kind, list | tuple):
            found = _LIST
        elif issubclass(kind, dict):
            found = _DICT
        elif is_dataclass(kind):
            found = _DATACLASS
            _FIELDS[kind] = tuple(f.name for f in fields(kind))
        else:
            found = _LEAF
        _KINDS[kind] = found
    return found


def plain(value: Any) -> Any:
    """``value`` with dataclasses as dicts, and tuples and lists as lists, all the way down.

    Leaves are passed on without a call for each (most values are leaves, and a saved call
    holds hundreds of them).
    """
    shape = _shape(type(value))
    if shape == _LEAF:
        return value
    leaves = _LEAVES
    if shape == _LIST:
        return [v if type(v) in leaves else plain(v) for v in value]
    if shape == _DICT:
        return {k: v if type(v) in leaves else plain(v) for k, v in value.items()}
    out = {}
    for name in _FIELDS[type(value)]:
        v = getattr(value, name)
        out[name] = v if type(v) in leaves else plain(v)
    return out
