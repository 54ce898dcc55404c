"""The service layer: what handlers, designers and supervisors can do, with no HTTP and no
database library (both the REST API and the screen call it; storage is the repository
port of :mod:`api.storage`).

- :mod:`~api.service.calls`: start, answer, back, change, search, take over, list mine;
  in the wrap-up add a need, confirm the person, see their earlier contacts
- :mod:`~api.service.contacts`: finish a call and its contact records (one per need),
  list and read them
- :mod:`~api.service.history`: the engine's contact-history port on the stored records
- :mod:`~api.service.links`: send the outcome's link, and the record of every attempt
- :mod:`~api.service.pathways`: the pathway library, reloads, listing and diagrams
- :mod:`~api.service.live`: publishing and rolling back (the live pointer)
- :mod:`~api.service.sign_in`, :mod:`~api.service.users`: signing in, users and roles
- :mod:`~api.service.notices`: one-off notices for a session's next page
- :mod:`~api.service.state`, :mod:`~api.service.access`: the call state the handlers
  return, and whose call it is
- :mod:`~api.service.front_door`: all of them put together
"""

from __future__ import annotations

from api.service.front_door import FrontDoor
from api.service.links import Channel, LinkSender, LinkStatus, masked
from api.service.pathways import PathwayLibrary, PathwaySummary
from api.service.sign_in import Authenticator, SignInLimits
from api.service.state import (
    OVERRIDE_KINDS,
    CallState,
    CallStatus,
    CallSummary,
    OpenCall,
    Override,
)
from api.service.users import Role, User, hash_password, token_hash

__all__ = [
    "OVERRIDE_KINDS",
    "Authenticator",
    "CallState",
    "CallStatus",
    "CallSummary",
    "Channel",
    "FrontDoor",
    "LinkSender",
    "LinkStatus",
    "OpenCall",
    "Override",
    "PathwayLibrary",
    "PathwaySummary",
    "Role",
    "SignInLimits",
    "User",
    "hash_password",
    "masked",
    "token_hash",
]
