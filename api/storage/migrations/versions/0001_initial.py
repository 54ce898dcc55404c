"""Calls, contact records, users, sign-in sessions and record reads.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(80), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
    )
    op.create_table(
        "auth_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(80), sa.ForeignKey("users.username"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "calls",
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("pathway_id", sa.String(64), nullable=False),
        sa.Column("pathway_version", sa.Integer, nullable=False),
        sa.Column("handler", sa.String(80), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("row_version", sa.Integer, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "contacts",
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
    op.create_table(
        "record_reads",
        sa.Column("read_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("contact_id", sa.Integer, nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("record_reads", "contacts", "calls", "auth_sessions", "users"):
        op.drop_table(table)
