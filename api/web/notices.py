"""One-off notices for the next page a handler sees ("The call had changed...").

They are kept with the signed-in session in the database (:mod:`api.service.notices`),
not in one server's memory, so with several instances the next page shows them whichever
instance serves it, and a restart in between loses none.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """A one-off message for the next page a handler sees."""

    title: str
    text: str
    success: bool = False
