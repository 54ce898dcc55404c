"""One call, one or more contacts: a contact is unique per call and need, not per call.

Each contact gets its need number (existing rows are need 1), a link to the first
contact of its call (None on that first one), whether a red-flag answer was changed after
the call reached an escalation, and the reason a call was finished without a person check.
An index on (person_id, started_at) serves the person check's 28-day look-up.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# 0001 made ``call_id`` unique without naming the constraint; the batch below names it for
# SQLite, where the table is rebuilt, and PostgreSQL's default name is this one.
OLD_UNIQUE = "contacts_call_id_key"


def _old_unique_name() -> str | None:
    for constraint in sa.inspect(op.get_bind()).get_unique_constraints("contacts"):
        if constraint["column_names"] == ["call_id"]:
            return constraint["name"] or None
    return None


def upgrade() -> None:
    name = _old_unique_name()
    naming = {"uq": "%(table_name)s_%(column_0_name)s_key"}
    with op.batch_alter_table("contacts", naming_convention=naming) as batch:
        batch.add_column(sa.Column("need", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("first_contact_id", sa.Integer,
                                   sa.ForeignKey("contacts.contact_id",
                                                 name="contacts_first_contact_fk"),
                                   nullable=True))
        batch.add_column(sa.Column("red_flag_changed", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("person_check_skipped", sa.Text, nullable=True))
        batch.drop_constraint(name or OLD_UNIQUE, type_="unique")
        batch.create_unique_constraint("contacts_call_need", ["call_id", "need"])
    op.create_index("contacts_by_person", "contacts", ["person_id", "started_at"])


def downgrade() -> None:
    op.drop_index("contacts_by_person", table_name="contacts")
    # A call with several contacts keeps only its first need's, as before this revision.
    op.execute(sa.text("DELETE FROM contacts WHERE need > 1"))
    with op.batch_alter_table("contacts") as batch:
        batch.drop_constraint("contacts_call_need", type_="unique")
        batch.create_unique_constraint(OLD_UNIQUE, ["call_id"])
        batch.drop_column("person_check_skipped")
        batch.drop_column("red_flag_changed")
        batch.drop_constraint("contacts_first_contact_fk", type_="foreignkey")
        batch.drop_column("first_contact_id")
        batch.drop_column("need")
