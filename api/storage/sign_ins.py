"""Recent sign-in attempts that have not (yet) succeeded, kept as keyed hashes only, so
every instance counts the same failures; and the per-database key of those hashes."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import TypeVar

import sqlalchemy as sa

from api.storage.database import SqlTables, as_utc
from api.storage.port import Decide, KeyHistory
from api.storage.schema import sign_in_attempts, sign_in_key

T = TypeVar("T")


class SqlSignIns(SqlTables):
    """Counting failed sign-ins (the throttling part of the repository port)."""

    def sign_in_secret(self) -> bytes:
        """The key for hashing user names and addresses (made by migration 0006)."""
        with self.engine.connect() as c:
            secret = c.execute(sa.select(sign_in_key.c.secret)).scalar()
        if secret is None:  # a database whose key row was removed by hand: make a new one
            try:
                with self.transaction() as c:
                    c.execute(sign_in_key.insert().values(secret=secrets.token_hex(32)))
            except sa.exc.IntegrityError:
                pass
            with self.engine.connect() as c:
                secret = c.execute(sa.select(sign_in_key.c.secret)).scalar_one()
        return bytes.fromhex(str(secret))

    def sign_in_attempt(self, attempt_id: str, keys: Sequence[str], *, at: dt.datetime,
                        since: dt.datetime, forget_before: dt.datetime,
                        decide: Decide[T]) -> T:
        """Record a sign-in attempt under each of ``keys``, as ``decide`` says, in one
        transaction; return what ``decide`` worked out.

        ``decide`` gets each key's history (attempts since ``since``, and how long it is
        blocked) and returns the keys to record the attempt under, each with the time
        further attempts are blocked until (or None), and its verdict. Attempts with the
        same key are taken one at a time, across instances: a PostgreSQL advisory lock
        per key, and on SQLite the database's write lock (taken by the first statement,
        which deletes attempts from before ``forget_before``). So a burst of attempts at
        the same moment is counted exactly, and none slips past the limit.
        """
        rows = sign_in_attempts.c
        with self.transaction() as c:
            if c.dialect.name == "postgresql":
                for key in sorted(set(keys)):  # always in the same order: no deadlock
                    c.execute(sa.text("SELECT pg_advisory_xact_lock(:lock)"),
                              {"lock": int.from_bytes(bytes.fromhex(key[:16]), "big",
                                                      signed=True)})
            c.execute(sign_in_attempts.delete().where(rows.attempted_at < forget_before))
            found = c.execute(
                sa.select(rows.key_hash,
                          sa.func.sum(sa.case((rows.attempted_at > since, 1), else_=0)),
                          sa.func.max(rows.blocked_until))
                .where(rows.key_hash.in_(list(keys))).group_by(rows.key_hash)).all()
            history = {key: KeyHistory(0, None) for key in keys}
            for key, attempts, blocked in found:
                history[key] = KeyHistory(int(attempts or 0), as_utc(blocked))
            record, verdict = decide(history)
            if record:
                c.execute(sign_in_attempts.insert(), [
                    {"attempt_id": attempt_id, "key_hash": key, "attempted_at": at,
                     "blocked_until": blocked} for key, blocked in record.items()])
        return verdict

    def sign_in_succeeded(self, attempt_id: str, user_key: str) -> None:
        """Forget the failed attempts under a user name once it signs in, and this attempt
        everywhere (the failures from its address still count)."""
        rows = sign_in_attempts.c
        with self.transaction() as c:
            c.execute(sign_in_attempts.delete().where(
                (rows.key_hash == user_key) | (rows.attempt_id == attempt_id)))
