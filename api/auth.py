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

    def __init__(self, store: Store, session_hours: float = 8.0) -> None:
        self.store = store
        self.session_hours = session_hours

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

    def user_of(self, token: str | None) -> User | None:
        """The user of an unexpired token."""
        if not token:
            return None
        row = self.store.session_user(token_hash(token))
        if row is None:
            return None
        return User(row["username"], row["display_name"], Role(row["role"]))

    def sign_out(self, token: str) -> None:
        """End a session."""
        self.store.end_session(token_hash(token))
