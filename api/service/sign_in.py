"""Signing in: checking passwords, issuing expiring session tokens, finding the user of a
token, and limits on failed attempts.

A sign-in gives a random token; only its SHA-256 is stored, with an expiry. Failed
sign-ins are counted in the repository, by user name and by address (see
:class:`SignInLimits`), so every instance sees the same counts. Over a limit, attempts
are refused with :class:`~triage.errors.TooManyAttempts` without the password being
checked, even when it is right, for a time that doubles with each further attempt. How
the token travels (cookie or bearer header) is the web side's business
(:mod:`api.browser`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import math
import secrets
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from api.service.users import Role, User, hash_password, password_matches, token_hash
from api.storage.port import KeyHistory, Repository, utc_now
from triage.adapters.audit import audit_logger
from triage.errors import TooManyAttempts


@dataclass(frozen=True)
class SignInLimits:
    """How many failed sign-ins are allowed, and for how long attempts are then refused.

    After ``per_user`` failures for one user name, or ``per_address`` from one address,
    within ``window_seconds``, further attempts are refused: for ``first_block_seconds``
    after the failure that reached the limit, then twice as long for each further attempt
    (refused ones too), up to ``longest_block_seconds``.
    """

    per_user: int = 5
    per_address: int = 20
    window_seconds: float = 900.0
    first_block_seconds: float = 60.0
    longest_block_seconds: float = 900.0



def address_group(host: str | None) -> str:
    """The address failures are counted under: an IPv4 address, or an IPv6 address's /64
    (one connection usually has a whole /64 to choose from)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return (host or "unknown")[:100]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


@dataclass(frozen=True)
class _Verdict:
    """What one attempt's history says: refused, or allowed (and which limits a failure
    now would reach)."""

    refused: TooManyAttempts | None
    reaches: tuple[str, ...] = ()


class Authenticator:
    """Checks passwords, issues tokens and finds the user of a token."""

    def __init__(self, repository: Repository, session_hours: float = 8.0,
                 cache_seconds: float = 5.0, *, limits: SignInLimits | None = None,
                 clock: Callable[[], dt.datetime] = utc_now) -> None:
        self.repository = repository
        self.session_hours = session_hours
        self.limits = limits or SignInLimits()
        self.clock = clock
        self.log = audit_logger()
        self._secret: bytes | None = None
        # Token hash -> (look again after, user, session expiry). Every request needs the
        # user; asking the database each time was a fifth of an answer's time. A sign-out
        # here takes effect at once; one made on another instance within cache_seconds.
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, User, dt.datetime]] = {}

    def sign_in(self, username: str, password: str,
                address: str | None = None) -> tuple[str, User] | None:
        """A new token and the user, or None for a wrong name or password.

        Raises :class:`TooManyAttempts`, without checking the password, when this user
        name (or ``address``, where the attempt came from) is over its limit.
        """
        keys = self._keys(username, address)
        attempt_id = secrets.token_hex(16)
        limits = self.limits
        at = self.clock()
        verdict = self.repository.sign_in_attempt(
            attempt_id, list(keys.values()), at=at,
            since=at - dt.timedelta(seconds=limits.window_seconds),
            forget_before=at - dt.timedelta(seconds=max(limits.window_seconds,
                                                        limits.longest_block_seconds)),
            decide=lambda history: self._decide(keys, history, at))
        if verdict.refused is not None:
            self.log.warning("sign_in_throttled", limit=verdict.refused.limit,
                             retry_after=verdict.refused.retry_after)
            raise verdict.refused
        row = self._checked_user(username, password)
        if row is None:
            for limit in verdict.reaches:
                self.log.warning("sign_in_limit_reached", limit=limit,
                                 refused_for=limits.first_block_seconds)
            return None
        self.repository.sign_in_succeeded(attempt_id, keys["user name"])
        token = secrets.token_urlsafe(32)
        expires = utc_now() + dt.timedelta(hours=self.session_hours)
        self.repository.add_session(token_hash(token), username, expires)
        return token, User(row["username"], row["display_name"], Role(row["role"]))

    def _checked_user(self, username: str, password: str) -> dict[str, Any] | None:
        """The user's row if the password is theirs."""
        row = self.repository.user(username)
        if row is None:
            hash_password(password)  # the same work either way: no timing hint that names exist
            return None
        if not password_matches(row["password_hash"], password):
            return None
        return row

    def _keys(self, username: str, address: str | None) -> dict[str, str]:
        """The keyed hashes the attempt is counted under, by limit ("user name", "address").

        User names are compared as a person would ("Sam " is "sam"); the address is the
        one the request came from, as :func:`address_group` counts it.
        """
        if self._secret is None:
            self._secret = self.repository.sign_in_secret()
        typed = unicodedata.normalize("NFKC", username).strip().casefold()
        values = {"user name": f"user:{typed}"}
        if address is not None:
            values["address"] = f"address:{address_group(address)}"
        return {limit: hmac.new(self._secret, value.encode(), hashlib.sha256).hexdigest()
                for limit, value in values.items()}

    def _decide(self, keys: Mapping[str, str], history: Mapping[str, KeyHistory],
                at: dt.datetime) -> tuple[dict[str, dt.datetime | None], _Verdict]:
        """Which keys to count this attempt under (and until when each then blocks), and
        whether it is refused.

        An allowed attempt counts under every key (it is a failure until the password is
        found right). A refused one counts only under the keys that refused it, and only
        while their block is still doubling, so a flood of refused attempts adds a few
        rows, not one per attempt, and cannot lock out a whole office's address.
        """
        limits = self.limits
        per_key = {"user name": limits.per_user, "address": limits.per_address}

        def block(count: int, limit: int) -> float | None:
            if count < limit:
                return None
            return min(limits.longest_block_seconds,
                       limits.first_block_seconds * 2.0 ** min(count - limit, 60))

        blocking = {limit: history[key] for limit, key in keys.items()
                    if (b := history[key].blocked_until) is not None and b > at}
        if not blocking:
            record: dict[str, dt.datetime | None] = {}
            reaches = []
            for limit, key in keys.items():
                seconds = block(history[key].attempts + 1, per_key[limit])
                record[key] = None if seconds is None else at + dt.timedelta(seconds=seconds)
                if history[key].attempts + 1 == per_key[limit]:
                    reaches.append(limit)
            return record, _Verdict(None, tuple(reaches))
        record = {}
        until: dict[str, dt.datetime] = {}
        for limit, seen in blocking.items():
            assert seen.blocked_until is not None
            until[limit] = seen.blocked_until
            before = block(seen.attempts, per_key[limit])
            if before is not None and before >= limits.longest_block_seconds:
                continue  # already as long as it gets: not counted, so not extended
            seconds = block(seen.attempts + 1, per_key[limit])
            if seconds is not None:
                record[keys[limit]] = until[limit] = max(
                    seen.blocked_until, at + dt.timedelta(seconds=seconds))
        limit = max(until, key=lambda name: until[name])
        retry_after = max(1, math.ceil((until[limit] - at).total_seconds()))
        return record, _Verdict(TooManyAttempts(retry_after=retry_after, limit=limit))

    def cached_user(self, token: str | None) -> User | None:
        """The user of a token looked up in the last ``cache_seconds`` and unexpired since;
        None means "ask :meth:`user_of`" (it never touches the database)."""
        if not token:
            return None
        entry = self._cache.get(token_hash(token))
        if entry is None or entry[0] < time.monotonic() or entry[2] <= utc_now():
            return None
        return entry[1]

    def user_of(self, token: str | None) -> User | None:
        """The user of an unexpired token."""
        if not token:
            return None
        cached = self.cached_user(token)
        if cached is not None:
            return cached
        key = token_hash(token)
        row = self.repository.session_user(key)
        if row is None:
            self._cache.pop(key, None)
            return None
        user = User(row["username"], row["display_name"], Role(row["role"]))
        if self.cache_seconds > 0:
            if len(self._cache) > 10_000:
                self._cache.clear()
            expires = row["expires_at"]
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=dt.UTC)
            self._cache[key] = (time.monotonic() + self.cache_seconds, user, expires)
        return user

    def sign_out(self, token: str) -> None:
        """End a session."""
        key = token_hash(token)
        self._cache.pop(key, None)
        self.repository.end_session(key)
