"""Sign-in: hashed passwords, expiring session tokens, and roles.

Passwords are hashed with Argon2 (argon2-cffi). A sign-in gives a random token; only its
SHA-256 is stored, with an expiry. Browsers carry the token in an HttpOnly cookie and API
clients as ``Authorization: Bearer``. docs/service.md explains how a council would put its
own identity provider (OIDC) in front instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api.store import Store, now

_HASHER = PasswordHasher()


class Role(StrEnum):
    """What a signed-in user may do."""

    HANDLER = "handler"  # run calls, search for people
    DESIGNER = "designer"  # pathways and validation results; no personal data
    SUPERVISOR = "supervisor"  # contact records


@dataclass(frozen=True)
class User:
    """A signed-in user."""

    username: str
    display_name: str
    role: Role


def hash_password(password: str) -> str:
    """An Argon2 hash of ``password``."""
    return _HASHER.hash(password)


def token_hash(token: str) -> str:
    """What is stored for a token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


class Authenticator:
    """Checks passwords, issues tokens and finds the user of a token."""

    def __init__(self, store: Store, session_hours: float = 8.0,
                 cache_seconds: float = 5.0) -> None:
        self.store = store
        self.session_hours = session_hours
        # Token hash -> (look again after, user, session expiry). Every request needs the
        # user; asking the database each time was a fifth of an answer's time. A sign-out
        # here takes effect at once; one made on another instance within cache_seconds.
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[float, User, dt.datetime]] = {}

    def sign_in(self, username: str, password: str) -> tuple[str, User] | None:
        """A new token and the user, or None for a wrong name or password."""
        row = self.store.user(username)
        if row is None:
            _HASHER.hash(password)  # the same work either way: no timing hint that names exist
            return None
        try:
            _HASHER.verify(row["password_hash"], password)
        except (VerificationError, InvalidHashError):
            return None
        token = secrets.token_urlsafe(32)
        expires = now() + dt.timedelta(hours=self.session_hours)
        self.store.add_session(token_hash(token), username, expires)
        return token, User(row["username"], row["display_name"], Role(row["role"]))

    def cached_user(self, token: str | None) -> User | None:
        """The user of a token looked up in the last ``cache_seconds`` and unexpired since;
        None means "ask :meth:`user_of`" (it never touches the database)."""
        if not token:
            return None
        entry = self._cache.get(token_hash(token))
        if entry is None or entry[0] < time.monotonic() or entry[2] <= now():
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
        row = self.store.session_user(key)
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
        self.store.end_session(key)
