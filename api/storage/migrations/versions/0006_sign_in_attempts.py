"""Recent sign-in attempts, for throttling: counted in the database so that every instance
sees the same counts, with only keyed hashes of what was typed and where it came from.

``sign_in_key`` holds the random key of those hashes, made here once per database.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_attempts",
        sa.Column("attempt_row", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("attempt_id", sa.String(32), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("sign_in_attempts_by_key", "sign_in_attempts",
                    ["key_hash", "attempted_at"])
    op.create_index("sign_in_attempts_by_time", "sign_in_attempts", ["attempted_at"])
    key = op.create_table("sign_in_key", sa.Column("secret", sa.String(64), primary_key=True))
    op.bulk_insert(key, [{"secret": secrets.token_hex(32)}])


def downgrade() -> None:
    op.drop_table("sign_in_key")
    op.drop_index("sign_in_attempts_by_time", table_name="sign_in_attempts")
    op.drop_index("sign_in_attempts_by_key", table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
