"""Who may sign in: users, their roles, and how passwords and session tokens are kept
(Argon2 password hashes; only the SHA-256 of a session token is stored)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


class Role(StrEnum):
    """What a signed-in user may do."""

    HANDLER = "handler"  # run calls, search for people
    DESIGNER = "designer"  # pathways and validation results; no personal data
    SUPERVISOR = "supervisor"  # contact records, and the reports behind them
    MANAGER = "manager"  # reports and aggregate CSVs only; no contact records


@dataclass(frozen=True)
class User:
    """A signed-in user."""

    username: str
    display_name: str
    role: Role


def hash_password(password: str) -> str:
    """An Argon2 hash of ``password``."""
    return _HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """True when ``password`` is the one ``password_hash`` was made from."""
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """What is stored for a token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()
