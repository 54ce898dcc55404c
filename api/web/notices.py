"""One-off notices for the next page a handler sees, kept in memory.

They are lost on a restart, and nothing depends on them: everything a page shows about a
call, the latest person search included, is read from the saved call.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Notice:
    """A one-off message for the next page a handler sees."""

    title: str
    text: str
    success: bool = False


class Bounded(OrderedDict[Any, Any]):
    """A dictionary that forgets its oldest entries past ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.lock = threading.Lock()

    def put(self, key: Any, value: Any) -> None:
        """Store ``value``, dropping the oldest entries if there are too many."""
        with self.lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self.limit:
                self.popitem(last=False)

    def take(self, key: Any) -> Any:
        """Remove and return the value for ``key`` (None if there is none)."""
        with self.lock:
            return self.pop(key, None)

    def peek(self, key: Any) -> Any:
        """The value for ``key`` (None if there is none)."""
        with self.lock:
            return self.get(key)


@dataclass
class ScreenState:
    """Per-process state of the screen: one-off notices only.

    Everything a page shows about a call, the latest person search included, is read from
    the saved call, so any instance can show it, after a restart too.
    """

    notices: Bounded = field(default_factory=lambda: Bounded(2000))
