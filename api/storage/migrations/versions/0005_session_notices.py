"""One-off notices for a signed-in session's next page, kept with the session.

Kept in the database rather than one server's memory, so that with several instances the
next page shows the notice whichever instance serves it ("The call had changed...").

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("auth_sessions") as batch:
        batch.add_column(sa.Column("notices", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("auth_sessions") as batch:
        batch.drop_column("notices")
