"""The learning loop: refused answers and "no route fits" recorded (never the answer), the
review queue, and the monthly audit samples with their scores.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refusals",
        sa.Column("refusal_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pathway_id", sa.String(64), nullable=False),
        sa.Column("pathway_version", sa.Integer, nullable=False),
        sa.Column("step", sa.String(140), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("refused_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("refusals_by_step", "refusals",
                    ["pathway_id", "pathway_version", "step", "kind"])
    op.create_table(
        "review_items",
        sa.Column("item_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(30), nullable=False),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey(
            "contacts.contact_id", name="review_items_contact_fk")),
        sa.Column("pathway_id", sa.String(64), nullable=False),
        sa.Column("pathway_version", sa.Integer, nullable=False),
        sa.Column("step", sa.String(140)),
        sa.Column("suggested_outcome", sa.String(140)),
        sa.Column("chosen_outcome", sa.String(140)),
        sa.Column("refusals", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reason", sa.Text),
        sa.Column("reason_state", sa.String(20)),
        sa.Column("reason_reviewed", sa.Text),
        sa.Column("reason_reviewer", sa.String(80)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("finding", sa.Text),
        sa.Column("reviewer", sa.String(80)),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("closed_by_pathway", sa.String(64)),
        sa.Column("closed_by_version", sa.Integer),
        sa.Column("closed_by", sa.String(80)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
    )
    op.create_index("review_items_by_status", "review_items", ["status", "item_id"])
    op.create_index("review_items_by_due", "review_items", ["status", "due_on", "item_id"])
    op.create_index("review_items_by_step", "review_items",
                    ["source", "pathway_id", "pathway_version", "step", "status"])
    op.create_index("review_items_by_contact", "review_items", ["contact_id"])
    op.create_table(
        "audit_samples",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("seed", sa.String(64), nullable=False),
        sa.Column("population", sa.Integer, nullable=False),
        sa.Column("drawn_by", sa.String(80), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_sample_contacts",
        sa.Column("month", sa.String(7), sa.ForeignKey(
            "audit_samples.month", name="audit_sample_contacts_month_fk"), primary_key=True),
        sa.Column("contact_id", sa.Integer, sa.ForeignKey(
            "contacts.contact_id", name="audit_sample_contacts_contact_fk"),
            primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
    )
    op.create_table(
        "audit_scores",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("contact_id", sa.Integer, primary_key=True),
        sa.Column("form_id", sa.String(64), nullable=False),
        sa.Column("form_version", sa.Integer, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("out_of", sa.Integer, nullable=False),
        sa.Column("findings", sa.Text, nullable=False),
        sa.Column("scored_by", sa.String(80), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["month", "contact_id"], ["audit_sample_contacts.month",
                                                          "audit_sample_contacts.contact_id"],
                                name="audit_scores_sampled_fk"),
    )


def downgrade() -> None:
    op.drop_table("audit_scores")
    op.drop_table("audit_sample_contacts")
    op.drop_table("audit_samples")
    for name in ("review_items_by_contact", "review_items_by_step", "review_items_by_due",
                 "review_items_by_status"):
        op.drop_index(name, table_name="review_items")
    op.drop_table("review_items")
    op.drop_index("refusals_by_step", table_name="refusals")
    op.drop_table("refusals")
