"""Trying the service with synthetic data: the demo users, one per role, with a password
printed at start-up. Only ``TRIAGE_DEMO=1`` makes them (:mod:`api.bootstrap`); every other
start removes any an earlier demo start left, so their printed password signs no one in.
"""

from __future__ import annotations

import secrets

from api.service import Role, hash_password
from api.storage import Repository

DEMO_USERS = tuple(f"demo-{role.value}" for role in Role)
"""The demo users' names: demo-handler, demo-designer, demo-supervisor and
demo-manager."""


def seed_demo_users(repository: Repository, password: str | None = None) -> str:
    """Make (or reset) the demo users with ``password`` (a new random one by default);
    the password they now have."""
    password = password or secrets.token_urlsafe(9)
    hashed = hash_password(password)
    for role in Role:
        repository.put_user(f"demo-{role.value}", f"Demo {role.value}", role.value, hashed)
    return password


def remove_demo_users(repository: Repository) -> int:
    """Remove the demo users and end their sessions; how many there were."""
    return repository.remove_users(DEMO_USERS)


def demo_sign_in_line(password: str) -> str:
    """What start-up prints for the demo users."""
    return (f"Demo sign-in (synthetic data only): {', '.join(DEMO_USERS[:-1])} or "
            f"{DEMO_USERS[-1]} with password {password}")
