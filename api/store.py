"""Durable storage for calls, contact records, sent links, users, sign-in sessions and reads,
and the recent failed sign-in attempts that sign-in throttling counts.

SQLAlchemy Core over SQLite (the embedded default) or PostgreSQL (``TRIAGE_DATABASE_URL``);
the schema is created and upgraded by Alembic migrations (``api/migrations``). Every call
update is one transaction that checks the call's row version, so of two updates made from
the same version exactly one wins and the other is told the current version.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from triage.errors import StaleUpdate, UnknownCall

metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
)
auth_sessions = sa.Table(
    "auth_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(80), sa.ForeignKey("users.username"), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    # One-off notices for the session's next page, as a JSON list (migration 0005).
    sa.Column("notices", sa.Text, nullable=True),
)
calls = sa.Table(
    "calls", metadata,
    sa.Column("call_id", sa.String(64), primary_key=True),
    sa.Column("pathway_id", sa.String(64), nullable=False),
    sa.Column("pathway_version", sa.Integer, nullable=False),
    sa.Column("handler", sa.String(80), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # active | finished
    sa.Column("row_version", sa.Integer, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # A handler's own calls, most recently changed first (migration 0004).
    sa.Index("calls_by_handler", "handler", "status", "updated_at"),
)
contacts = sa.Table(
    "contacts", metadata,
    sa.Column("contact_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.call_id"), nullable=False,
              unique=True),
    sa.Column("pathway_id", sa.String(64), nullable=False),
    sa.Column("pathway_version", sa.Integer, nullable=False),
    sa.Column("handler", sa.String(80), nullable=False),
    sa.Column("started_at", sa.String(40), nullable=False),
    sa.Column("ended_at", sa.String(40), nullable=False),
    sa.Column("outcome_id", sa.String(140), nullable=False),
    sa.Column("outcome_kind", sa.String(40), nullable=False),
    sa.Column("caller_type", sa.String(40)),
    sa.Column("reason", sa.String(40)),
    sa.Column("known_status", sa.String(40)),
    sa.Column("person_id", sa.String(64)),
    sa.Column("team", sa.String(64)),
    sa.Column("timeframe", sa.String(40), nullable=False),
    sa.Column("record", sa.Text, nullable=False),
)
pathway_sources = sa.Table(
    "pathway_sources", metadata,
    sa.Column("pathway_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("files", sa.Text, nullable=False),
    sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
)
sent_messages = sa.Table(
    "sent_messages", metadata,
    sa.Column("message_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.call_id"), nullable=False,
              index=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("channel", sa.String(10), nullable=False),  # sms | email
    sa.Column("recipient", sa.String(255), nullable=False),  # masked: "...123", "j...@x.org"
    # sending (recorded before Notify is asked) | sent | not sent | failed
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reference", sa.String(100)),  # GOV.UK Notify's notification id
    sa.Column("reason", sa.Text),  # why it was not sent, or why it failed
    sa.Column("username", sa.String(80), nullable=False),
)
record_reads = sa.Table(
    "record_reads", metadata,
    sa.Column("read_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
)

# Recent sign-in attempts that have not (yet) succeeded, one row per attempt and key: the
# keyed hash of the user name typed, and of the address it came from (migration 0006).
# Nothing typed is kept as typed. Rows are deleted once they can no longer count.
sign_in_attempts = sa.Table(
    "sign_in_attempts", metadata,
    sa.Column("attempt_row", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("attempt_id", sa.String(32), nullable=False),  # the same for both keys
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
    # Further attempts with this key are refused until then (None: not over the limit).
    sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Index("sign_in_attempts_by_key", "key_hash", "attempted_at"),
    sa.Index("sign_in_attempts_by_time", "attempted_at"),
)
# The random key of those hashes, made once per database by migration 0006, so that a
# hash cannot be looked up in a table made in advance.
sign_in_key = sa.Table(
    "sign_in_key", metadata,
    sa.Column("secret", sa.String(64), primary_key=True),
)

T = TypeVar("T")


@dataclass(frozen=True)
class KeyHistory:
    """What recent sign-in attempts with one key add up to, before the attempt being made."""

    attempts: int
    """Attempts not followed by a success, within the window counted."""
    blocked_until: dt.datetime | None
    """Until when further attempts are refused (None or in the past: they are not)."""


Update = tuple[Mapping[str, Any], int, Mapping[str, Any] | None]
"""What a change to a call saves: the session, the version it was made from, a contact."""


@dataclass(frozen=True)
class StoredCall:
    """A call as stored: its saved session and the row version for concurrency checks."""

    call_id: str
    handler: str
    status: str
    row_version: int
    data: dict[str, Any]
    updated_at: dt.datetime | None = None


def _same(column: sa.Column[Any], value: Any) -> sa.ColumnElement[bool]:
    """``column`` equals ``value``, where None means NULL."""
    return column.is_(None) if value is None else column == value


def now() -> dt.datetime:
    """The current time, UTC."""
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time as UTC (SQLite gives it back without a time zone)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def database_url(url: str | None, home: Path) -> str:
    """The SQLAlchemy URL: TRIAGE_DATABASE_URL as given, or SQLite under ``home``."""
    if url:
        if url.startswith("postgresql://"):
            return "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    home.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{home / 'triage.sqlite3'}"


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL and a busy timeout so two processes can share a file.

    Database errors never quote the statement's parameters (``hide_parameters``): they
    hold the call's JSON, with everything the caller said.
    """
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                                  hide_parameters=True)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return sa.create_engine(url, pool_size=20, max_overflow=40, pool_pre_ping=True,
                            hide_parameters=True)


# Any fixed number will do, as long as nothing else on the server uses it: "triage" in ASCII.
MIGRATION_LOCK_KEY = 0x747269616765


def migrate(url: str) -> None:
    """Bring the schema up to date with the Alembic migrations.

    Several instances starting at once on a new database would otherwise race to create
    the same tables, and all but one would fail to start. So the upgrade runs under a lock
    that every instance takes first: a PostgreSQL advisory lock (held by a connection of
    its own), or for SQLite an exclusive ``flock`` on ``<database>.migrate.lock`` next to
    the file. Whoever waits finds the schema already at head and changes nothing.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    with _migration_lock(url):
        command.upgrade(config, "head")


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    """Held by one process (or thread) at a time per database, across machines for
    PostgreSQL and across processes on one machine for a SQLite file."""
    parsed = sa.engine.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            # Autocommit: the lock belongs to the session, and the connection must not sit
            # "idle in transaction" while the migrations run on another connection.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
                lock.execute(sa.text("SELECT pg_advisory_lock(:key)"),
                             {"key": MIGRATION_LOCK_KEY})
                try:
                    yield
                finally:
                    lock.execute(sa.text("SELECT pg_advisory_unlock(:key)"),
                                 {"key": MIGRATION_LOCK_KEY})
        finally:
            engine.dispose()
    elif backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        import fcntl

        path = Path(f"{parsed.database}.migrate.lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    else:  # an in-memory database belongs to one process; nothing to race with
        yield


def _messages(connection: Connection, call_id: str) -> list[dict[str, Any]]:
    rows = connection.execute(sa.select(sent_messages).where(
        sent_messages.c.call_id == call_id).order_by(sent_messages.c.message_id)
    ).mappings().all()
    return [_message(dict(r)) for r in rows]


def _message(row: dict[str, Any]) -> dict[str, Any]:
    """A sent-message row as plain data (the time as ISO 8601, UTC)."""
    at: dt.datetime = row["sent_at"]
    if at.tzinfo is None:  # SQLite gives back naive datetimes; they were stored as UTC
        at = at.replace(tzinfo=dt.UTC)
    return {**row, "sent_at": at.astimezone(dt.UTC).isoformat(timespec="seconds")}


class Store:
    """Calls, contact records, sent links, users and sessions in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One committed transaction (rolled back on any error)."""
        with self.engine.begin() as connection:
            yield connection

    # --- calls ---------------------------------------------------------------------------

    def create_call(self, session: Mapping[str, Any], handler: str) -> int:
        """Store a new call at row version 1."""
        with self.transaction() as c:
            c.execute(calls.insert().values(
                call_id=session["call_id"], pathway_id=session["pathway_id"],
                pathway_version=session["version"], handler=handler,
                status="finished" if session.get("finished_at") else "active", row_version=1,
                data=json.dumps(session), updated_at=now()))
        return 1

    def load_call(self, call_id: str) -> StoredCall:
        """The stored call; UnknownCall if there is none."""
        with self.engine.connect() as c:
            return self._load(c, call_id)

    @staticmethod
    def _load(c: Connection, call_id: str) -> StoredCall:
        row = c.execute(sa.select(calls).where(calls.c.call_id == call_id)).first()
        if row is None:
            raise UnknownCall(call_id=call_id)
        return StoredCall(row.call_id, row.handler, row.status, row.row_version,
                          json.loads(row.data), _utc(row.updated_at))

    def calls_of(self, handler: str, status: str, *, since: dt.datetime | None = None,
                 limit: int = 100) -> list[StoredCall]:
        """A handler's calls with ``status`` (changed at or after ``since``), the most
        recently changed first, at most ``limit`` of them."""
        query = (sa.select(calls).where(calls.c.handler == handler, calls.c.status == status)
                 .order_by(calls.c.updated_at.desc(), calls.c.call_id).limit(limit))
        if since is not None:
            query = query.where(calls.c.updated_at >= since)
        with self.engine.connect() as c:
            rows = c.execute(query).all()
        return [StoredCall(row.call_id, row.handler, row.status, row.row_version,
                           json.loads(row.data), _utc(row.updated_at)) for row in rows]

    def update_call(self, call_id: str, change: Callable[[StoredCall], Update]) -> int:
        """Load a call, let ``change`` work out its new state, and save it; one connection.

        ``change`` returns the session to save, the row version it was made from and, to
        finish the call, its contact record; it may raise to refuse, and then nothing is
        written. The save still checks the row version, so of two changes made from the
        same version one wins. (Loading and saving on one connection saves a pool checkout
        and, on PostgreSQL, a round trip or two per answer.)
        """
        with self.transaction() as c:
            stored = self._load(c, call_id)
            session, expected_version, contact = change(stored)
            return self._save(c, session, expected_version, contact)

    def save_call(self, session: Mapping[str, Any], expected_version: int,
                  contact: Mapping[str, Any] | None = None, *,
                  handler: str | None = None) -> int:
        """Save a changed call if it is still at ``expected_version``; return the new version.

        With ``contact``, the finished call's contact record is written in the same
        transaction, so a call is never finished without its record. With ``handler``,
        the call passes to that user in the same update.
        """
        with self.transaction() as c:
            return self._save(c, session, expected_version, contact, handler)

    @staticmethod
    def _save(c: Connection, session: Mapping[str, Any], expected_version: int,
              contact: Mapping[str, Any] | None, handler: str | None = None) -> int:
        values: dict[str, Any] = {
            "data": json.dumps(session), "row_version": expected_version + 1,
            "status": "finished" if contact is not None else "active", "updated_at": now()}
        if handler is not None:
            values["handler"] = handler
        result = c.execute(
            calls.update()
            .where(calls.c.call_id == session["call_id"])
            .where(calls.c.row_version == expected_version)
            .values(**values))
        if result.rowcount != 1:
            current = c.execute(sa.select(calls.c.row_version)
                                .where(calls.c.call_id == session["call_id"])).scalar()
            if current is None:
                raise UnknownCall(call_id=session["call_id"])
            raise StaleUpdate(current_version=int(current))
        if contact is not None:
            c.execute(contacts.insert().values(**contact))
        return expected_version + 1

    # --- pathway versions in use --------------------------------------------------------

    def keep_pathway_sources(self, pathway_id: str, version: int,
                             files: Mapping[str, str]) -> None:
        """Keep the files a pathway version was compiled from (first copy wins)."""
        self.keep_pathway_versions([(pathway_id, version)], files)

    def keep_pathway_versions(self, versions: Sequence[tuple[str, int]],
                              files: Mapping[str, str]) -> None:
        """Keep the files these pathway versions were compiled from, all in one transaction:
        every version is kept, or (on any error, which is raised) none is. A version kept
        already keeps its first copy.
        """
        text = json.dumps(files, sort_keys=True)
        for attempt in range(2):
            try:
                with self.transaction() as c:
                    for pathway_id, version in sorted(versions):
                        exists = c.execute(sa.select(pathway_sources.c.version).where(
                            pathway_sources.c.pathway_id == pathway_id,
                            pathway_sources.c.version == version)).first()
                        if exists is None:
                            c.execute(pathway_sources.insert().values(
                                pathway_id=pathway_id, version=version, files=text,
                                stored_at=now()))
                return
            except sa.exc.IntegrityError:
                # Another instance may have kept one of them at the same moment: once more,
                # and its copies are then found and kept. A second failure is no race.
                if attempt:
                    raise

    def pathway_sources(self) -> list[tuple[str, int, str]]:
        """Every kept pathway version: (id, version, files as JSON)."""
        with self.engine.connect() as c:
            rows = c.execute(sa.select(pathway_sources.c.pathway_id, pathway_sources.c.version,
                                       pathway_sources.c.files)).all()
        return [(r.pathway_id, int(r.version), str(r.files)) for r in rows]

    # --- links sent to callers ---------------------------------------------------------

    def add_message(self, call_id: str, *, channel: str, recipient: str, status: str,
                    username: str, reference: str | None = None,
                    reason: str | None = None) -> dict[str, Any]:
        """Record one attempt to send a call's link (``recipient`` already masked)."""
        row = {"call_id": call_id, "sent_at": now(), "channel": channel,
               "recipient": recipient[:255], "status": status,
               "reference": reference[:100] if reference else None, "reason": reason,
               "username": username}
        with self.transaction() as c:
            message_id = c.execute(sent_messages.insert().values(**row)).inserted_primary_key
        return _message({"message_id": message_id[0] if message_id else None, **row})

    def finish_message(self, message_id: int, *, status: str, reference: str | None = None,
                       reason: str | None = None) -> None:
        """Record how an attempt recorded as 'sending' ended."""
        with self.transaction() as c:
            c.execute(sent_messages.update().where(sent_messages.c.message_id == message_id)
                      .values(status=status, reason=reason,
                              reference=reference[:100] if reference else None))

    def messages_of(self, call_id: str) -> list[dict[str, Any]]:
        """Every attempt to send a call's link, oldest first."""
        with self.engine.connect() as c:
            return _messages(c, call_id)

    # --- contact records -------------------------------------------------------------------

    def list_contacts(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Contact records, newest first (summary fields only)."""
        columns = [c for c in contacts.c if c.name != "record"]
        with self.engine.connect() as c:
            rows = c.execute(sa.select(*columns).order_by(contacts.c.contact_id.desc())
                             .limit(limit).offset(offset)).mappings().all()
        return [dict(r) for r in rows]

    def read_contact(self, contact_id: int, reader: str) -> dict[str, Any] | None:
        """One full contact record; the read is recorded in the same transaction."""
        with self.transaction() as c:
            row = c.execute(sa.select(contacts).where(contacts.c.contact_id == contact_id)
                            ).mappings().first()
            if row is None:
                return None
            c.execute(record_reads.insert().values(username=reader, contact_id=contact_id,
                                                   read_at=now()))
            messages = _messages(c, row["call_id"])
        record = dict(row)
        record["record"] = json.loads(record["record"])
        record["messages"] = messages
        return record

    def reads_of(self, contact_id: int) -> list[dict[str, Any]]:
        """Who read a contact record, and when."""
        with self.engine.connect() as c:
            rows = c.execute(sa.select(record_reads).where(
                record_reads.c.contact_id == contact_id).order_by(record_reads.c.read_id)
            ).mappings().all()
        return [dict(r) for r in rows]

    # --- users and sign-in sessions -------------------------------------------------------

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
        return dict(row) if expires > now() else None

    def add_notice(self, token_hash: str, notice: Mapping[str, Any]) -> None:
        """Keep ``notice`` for the session's next page (after any not yet shown)."""
        where = auth_sessions.c.token_hash == token_hash
        for _ in range(5):  # compare and set: a notice added or taken meanwhile is kept
            with self.transaction() as c:
                row = c.execute(sa.select(auth_sessions.c.notices).where(where)).first()
                if row is None:
                    return  # signed out meanwhile: nobody to show it to
                notices = json.dumps([*json.loads(row.notices or "[]"), dict(notice)])
                if c.execute(auth_sessions.update().where(where, _same(
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

    # --- sign-in attempts (throttling) -----------------------------------------------

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
                        decide: Callable[[Mapping[str, KeyHistory]],
                                         tuple[Mapping[str, dt.datetime | None], T]]) -> T:
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
                history[key] = KeyHistory(int(attempts or 0), _utc(blocked))
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
