"""The live pointer: which stored version of each pathway new calls start on, with its
history (who published it, when, why, the replay report looked at, and whether it was a
publish, a roll back or the first start's set-up).

``live_versions`` keeps every move of the pointer and is never updated; ``live_now`` holds
one row per pathway naming its current entry, with a row version so that of two designers
publishing from the same live version exactly one wins.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_versions",
        sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pathway_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("previous_version", sa.Integer, nullable=True),
        sa.Column("published_by", sa.String(80), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("replay_report", sa.Text, nullable=True),
    )
    op.create_index("live_versions_by_pathway", "live_versions", ["pathway_id", "entry_id"])
    op.create_table(
        "live_now",
        sa.Column("pathway_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("entry_id", sa.Integer,
                  sa.ForeignKey("live_versions.entry_id", name="live_now_entry_fk"),
                  nullable=False),
        sa.Column("row_version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("live_now")
    op.drop_index("live_versions_by_pathway", table_name="live_versions")
    op.drop_table("live_versions")
