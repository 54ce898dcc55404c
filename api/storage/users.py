"""Users, their signed-in sessions, and the one-off notices kept with a session for its next
page (so that with several instances the next page shows them whichever serves it)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from api.storage.database import SqlTables, same
from api.storage.port import utc_now
from api.storage.schema import auth_sessions, users


class SqlUsers(SqlTables):
    """Users, sessions and notices (that part of the repository port)."""

    def put_user(self, username: str, display_name: str, role: str, password_hash: str) -> None:
        """Add or replace a user (their sign-in sessions are kept, so a restart keeps them)."""
        values = {"display_name": display_name, "role": role, "password_hash": password_hash}
        for attempt in range(2):
            try:
                with self.transaction() as c:
                    # Update in place: deleting would break the sessions that refer to the
                    # user (a restart after any sign-in failed on the foreign key).
                    updated = c.execute(users.update().where(users.c.username == username)
                                        .values(**values)).rowcount
                    if not updated:
                        c.execute(users.insert().values(username=username, **values))
                return
            except sa.exc.IntegrityError:
                if attempt:  # another instance inserted the same user at the same moment
                    raise

    def user(self, username: str) -> dict[str, Any] | None:
        """A user by name."""
        with self.engine.connect() as c:
            row = c.execute(sa.select(users).where(users.c.username == username)
                            ).mappings().first()
        return dict(row) if row else None

    def remove_users(self, usernames: Sequence[str]) -> int:
        """Remove these users and end their sessions, in one transaction; how many users
        there were."""
        names = list(usernames)
        with self.transaction() as c:
            c.execute(auth_sessions.delete().where(auth_sessions.c.username.in_(names)))
            removed = c.execute(users.delete().where(users.c.username.in_(names))).rowcount
        return int(removed or 0)

    def add_session(self, token_hash: str, username: str, expires_at: dt.datetime) -> None:
        """Record a signed-in session."""
        with self.transaction() as c:
            c.execute(auth_sessions.insert().values(token_hash=token_hash, username=username,
                                                    expires_at=expires_at))

    def session_user(self, token_hash: str) -> dict[str, Any] | None:
        """The user of an unexpired session."""
        with self.engine.connect() as c:
            row = c.execute(
                sa.select(users, auth_sessions.c.expires_at)
                .join(auth_sessions, auth_sessions.c.username == users.c.username)
                .where(auth_sessions.c.token_hash == token_hash)).mappings().first()
        if row is None:
            return None
        expires = row["expires_at"]
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
        return dict(row) if expires > utc_now() else None

    def add_notice(self, token_hash: str, notice: Mapping[str, Any]) -> None:
        """Keep ``notice`` for the session's next page (after any not yet shown)."""
        where = auth_sessions.c.token_hash == token_hash
        for _ in range(5):  # compare and set: a notice added or taken meanwhile is kept
            with self.transaction() as c:
                row = c.execute(sa.select(auth_sessions.c.notices).where(where)).first()
                if row is None:
                    return  # signed out meanwhile: nobody to show it to
                notices = json.dumps([*json.loads(row.notices or "[]"), dict(notice)])
                if c.execute(auth_sessions.update().where(where, same(
                        auth_sessions.c.notices, row.notices)).values(notices=notices)
                        ).rowcount:
                    return

    def take_notices(self, token_hash: str) -> list[dict[str, Any]]:
        """The notices kept for the session's next page, which are then forgotten."""
        where = auth_sessions.c.token_hash == token_hash
        for _ in range(5):
            with self.engine.connect() as c:
                kept = c.execute(sa.select(auth_sessions.c.notices).where(where)).scalar()
            if kept is None:
                return []  # the usual case: nothing to show and nothing written
            with self.transaction() as c:
                taken = c.execute(auth_sessions.update().where(
                    where, auth_sessions.c.notices == kept).values(notices=None)).rowcount
            if taken:
                notices: list[dict[str, Any]] = json.loads(kept)
                return notices
        return []

    def end_session(self, token_hash: str) -> None:
        """Sign out."""
        with self.transaction() as c:
            c.execute(auth_sessions.delete().where(auth_sessions.c.token_hash == token_hash))
