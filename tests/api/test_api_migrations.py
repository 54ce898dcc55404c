"""The schema comes from the Alembic migrations, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

import api.store
from api.store import database_url, make_engine, metadata, migrate
from tests.api.conftest import Databases

TABLES = {"users", "auth_sessions", "calls", "contacts", "record_reads"}


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(api.store.__file__).parent /
                                                  "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


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
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT version_num FROM alembic_version")
                                      ).scalar() == "0002"
        command.downgrade(alembic_config(url), "base")
        assert not TABLES & set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
