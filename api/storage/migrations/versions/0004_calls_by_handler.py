"""An index for a handler's own calls (the calls-in-progress list on every home page).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("calls_by_handler", "calls", ["handler", "status", "updated_at"])


def downgrade() -> None:
    op.drop_index("calls_by_handler", table_name="calls")
