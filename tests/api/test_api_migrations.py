"""The schema comes from the Alembic migrations, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from api.storage import SqlRepository, database_url, make_engine, migrate
from api.storage.schema import metadata
from api.storage.upgrade import alembic_config
from tests.api.conftest import Databases

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"users", "auth_sessions", "calls", "contacts", "record_reads", "pathway_sources",
          "sent_messages", "sign_in_attempts", "sign_in_key"}


def test_migrations_build_the_schema_the_store_uses_and_can_be_undone(
        backend: str, tmp_path: Path, databases: Databases) -> None:
    url = database_url(databases.fresh() if backend == "postgresql" else None, tmp_path)
    migrate(url)
    migrate(url)  # a second start on an up-to-date database changes nothing
    engine = make_engine(url)
    try:
        inspector = sa.inspect(engine)
        assert TABLES <= set(inspector.get_table_names())
        for table in TABLES:
            migrated = {c["name"] for c in inspector.get_columns(table)}
            assert migrated == {c.name for c in metadata.tables[table].columns}, table
        indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("calls")}
        assert indexes["calls_by_handler"] == ["handler", "status", "updated_at"]
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT version_num FROM alembic_version")
                                      ).scalar() == "0009"
        command.downgrade(alembic_config(url), "base")
        assert not TABLES & set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migration_0003_adds_sent_messages_to_a_0002_database_and_keeps_its_data(
        backend: str, tmp_path: Path, databases: Databases) -> None:
    url = database_url(databases.fresh() if backend == "postgresql" else None, tmp_path)
    config = alembic_config(url)
    command.upgrade(config, "0002")
    engine = make_engine(url)
    try:
        assert "sent_messages" not in sa.inspect(engine).get_table_names()
        store = SqlRepository(engine)
        store.put_user("sam", "Sam", "handler", "hash")
        store.create_call({"call_id": "c" * 32, "pathway_id": "front-door", "version": 1,
                           "state": "caller_type"}, "sam")
        store.keep_pathway_sources("front-door", 1, {"000/front-door.yaml": "pathway: {}"})

        migrate(url)  # what the service does on start (0003 to 0006)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT version_num FROM alembic_version")
                                      ).scalar() == "0009"
        assert store.user("sam") is not None
        assert store.load_call("c" * 32).data["state"] == "caller_type"
        assert store.pathway_sources()[0][:2] == ("front-door", 1)
        store.add_message("c" * 32, channel="sms", recipient="...123", status="not sent",
                          username="sam", reason="No key.")
        assert [m["recipient"] for m in store.messages_of("c" * 32)] == ["...123"]

        command.downgrade(config, "0002")  # undoing 0006 to 0003 keeps everything else
        assert "sent_messages" not in sa.inspect(engine).get_table_names()
        assert store.load_call("c" * 32).handler == "sam"
    finally:
        engine.dispose()


# Instances as processes: each imports the store, waits for the others, then migrates at
# the same moment. Three rather than two, so that without the lock a clash is near certain.
RACERS = 3
RACER = """
import sys, time
from pathlib import Path
from api.storage import migrate
url, ready, others = sys.argv[1], Path(sys.argv[2]), [Path(p) for p in sys.argv[3:]]
ready.touch()
deadline = time.monotonic() + 60
while not all(p.exists() for p in others) and time.monotonic() < deadline:
    time.sleep(0.005)
migrate(url)
"""


def test_two_instances_starting_on_a_new_database_at_once_both_migrate_it(
        backend: str, tmp_path: Path, databases: Databases) -> None:
    url = database_url(databases.fresh() if backend == "postgresql" else None, tmp_path)
    flags = [tmp_path / f"ready-{n}" for n in range(RACERS)]
    racers = [subprocess.Popen([sys.executable, "-c", RACER, url, str(flag),
                                *(str(f) for f in flags if f != flag)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
              for flag in flags]
    outputs = [racer.communicate(timeout=120)[0].decode(errors="replace") for racer in racers]
    assert [racer.returncode for racer in racers] == [0] * RACERS, outputs
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT version_num FROM alembic_version")
                                      ).scalars().all() == [head]
        assert TABLES <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_migration_0007_makes_contacts_unique_per_need_and_keeps_existing_ones_as_need_1(
        backend: str, tmp_path: Path, databases: Databases) -> None:
    url = database_url(databases.fresh() if backend == "postgresql" else None, tmp_path)
    config = alembic_config(url)
    command.upgrade(config, "0006")
    engine = make_engine(url)
    row = {"call_id": "c" * 32, "pathway_id": "front-door", "pathway_version": 1,
           "handler": "sam", "started_at": "2026-12-01T10:00:00.000+00:00",
           "ended_at": "2026-12-01T10:05:00+00:00", "outcome_id": "front-door/signpost",
           "outcome_kind": "signpost", "person_id": "P1", "timeframe": "none",
           "record": "{}"}
    try:
        store = SqlRepository(engine)
        store.create_call({"call_id": "c" * 32, "pathway_id": "front-door", "version": 1,
                           "state": "caller_type"}, "sam")
        with engine.begin() as connection:
            connection.execute(sa.table("contacts", *[sa.column(k) for k in row]).insert()
                               .values(**row))
        migrate(url)
        inspector = sa.inspect(engine)
        indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("contacts")}
        assert indexes["contacts_by_person"] == ["person_id", "started_at"]
        [kept] = store.contacts_about("P1", dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
        assert kept["need"] == 1 and kept["call_id"] == "c" * 32
        assert store.contacts_about("P1", dt.datetime(2026, 12, 2, tzinfo=dt.UTC)) == []
        contacts = metadata.tables["contacts"]
        with engine.begin() as connection:  # a second need of the same call is taken
            connection.execute(contacts.insert().values(
                **row, need=2, first_contact_id=kept["contact_id"]))
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(contacts.insert().values(**row, need=2))  # but once only
        with engine.connect() as connection:
            flags = connection.execute(sa.select(contacts.c.red_flag_changed,
                                                 contacts.c.person_check_skipped)
                                       .where(contacts.c.need == 1)).one()
        assert tuple(flags) == (False, None)

        command.downgrade(config, "0006")  # back to one contact per call: the first kept
        with engine.connect() as connection:
            left = connection.execute(sa.text("SELECT call_id FROM contacts")).all()
        assert [r[0] for r in left] == ["c" * 32]
        assert "need" not in {c["name"] for c in sa.inspect(engine).get_columns("contacts")}
    finally:
        engine.dispose()
