"""Alembic environment: runs the migrations on the URL the service passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from api.storage.schema import metadata

url = context.config.get_main_option("sqlalchemy.url")
assert url, "the service sets sqlalchemy.url before upgrading"
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
