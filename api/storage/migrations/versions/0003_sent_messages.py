"""Every attempt to send a call's online link by text or email (GOV.UK Notify).

The recipient is kept only masked (the last three digits of a phone number, the first
letter and the domain of an email address): the record says a link went, and where
roughly, without keeping the caller's number or address.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_messages",
        sa.Column("message_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.call_id"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("recipient", sa.String(255), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reference", sa.String(100)),
        sa.Column("reason", sa.Text),
        sa.Column("username", sa.String(80), nullable=False),
    )
    op.create_index("ix_sent_messages_call_id", "sent_messages", ["call_id"])


def downgrade() -> None:
    op.drop_index("ix_sent_messages_call_id", table_name="sent_messages")
    op.drop_table("sent_messages")
