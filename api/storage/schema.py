"""The service's tables, as SQLAlchemy Core sees them; the Alembic migrations
(``api/storage/migrations``) create and upgrade them, and a test checks the two agree."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(80), primary_key=True),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("password_hash", sa.String(200), nullable=False),
)
auth_sessions = sa.Table(
    "auth_sessions", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(80), sa.ForeignKey("users.username"), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    # One-off notices for the session's next page, as a JSON list (migration 0005).
    sa.Column("notices", sa.Text, nullable=True),
)
calls = sa.Table(
    "calls", metadata,
    sa.Column("call_id", sa.String(64), primary_key=True),
    sa.Column("pathway_id", sa.String(64), nullable=False),
    sa.Column("pathway_version", sa.Integer, nullable=False),
    sa.Column("handler", sa.String(80), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # active | finished
    sa.Column("row_version", sa.Integer, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # A handler's own calls, most recently changed first (migration 0004).
    sa.Index("calls_by_handler", "handler", "status", "updated_at"),
)
contacts = sa.Table(
    "contacts", metadata,
    sa.Column("contact_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.call_id"), nullable=False),
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
    # One contact per need on a call (migration 0007): the need's number, the first
    # contact of the same call (None on that one), a red-flag answer changed after an
    # escalation, and why the call was finished without a person check.
    sa.Column("need", sa.Integer, nullable=False, server_default="1"),
    sa.Column("first_contact_id", sa.Integer,
              sa.ForeignKey("contacts.contact_id", name="contacts_first_contact_fk")),
    sa.Column("red_flag_changed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("person_check_skipped", sa.Text),
    sa.UniqueConstraint("call_id", "need", name="contacts_call_need"),
    # A person's contacts since a time: the person check's 28-day look-up.
    sa.Index("contacts_by_person", "person_id", "started_at"),
    # What reports need (migration 0009; api/reports/fields.py says what each means).
    sa.Column("preferred_language", sa.String(200)),
    sa.Column("communication_needs", sa.String(200)),
    sa.Column("age_band", sa.String(20)),
    sa.Column("in_hours", sa.Boolean),
    sa.Column("outcome_at", sa.String(40)),
    sa.Column("first_red_flag_at", sa.String(40)),
    sa.Column("escalated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("escalation_seconds", sa.Float),
    sa.Column("deflection", sa.String(10), nullable=False, server_default="none"),
    sa.Column("overridden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("test_call", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("started_week", sa.String(10)),
    sa.Column("started_month", sa.String(10)),
    sa.Column("repeat_since", sa.String(40)),
    sa.Column("follow_up_until", sa.String(40)),
    sa.Column("fields_from", sa.String(10), nullable=False, server_default="written"),
    # Report periods (every figure filters on the start), by team, and the person
    # look-ups of repeat contacts and resolution at first contact (with the reason).
    sa.Index("contacts_for_reports", "started_at", "test_call"),
    sa.Index("contacts_for_team_reports", "team", "started_at"),
    sa.Index("contacts_by_person_reason", "person_id", "reason", "started_at"),
)
pathway_sources = sa.Table(
    "pathway_sources", metadata,
    sa.Column("pathway_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("files", sa.Text, nullable=False),
    sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
)
sent_messages = sa.Table(
    "sent_messages", metadata,
    sa.Column("message_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.call_id"), nullable=False,
              index=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("channel", sa.String(10), nullable=False),  # sms | email
    sa.Column("recipient", sa.String(255), nullable=False),  # masked: "...123", "j...@x.org"
    # sending (recorded before Notify is asked) | sent | not sent | failed
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reference", sa.String(100)),  # GOV.UK Notify's notification id
    sa.Column("reason", sa.Text),  # why it was not sent, or why it failed
    sa.Column("username", sa.String(80), nullable=False),
)
record_reads = sa.Table(
    "record_reads", metadata,
    sa.Column("read_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
)

# Recent sign-in attempts that have not (yet) succeeded, one row per attempt and key: the
# keyed hash of the user name typed, and of the address it came from (migration 0006).
# Nothing typed is kept as typed. Rows are deleted once they can no longer count.
sign_in_attempts = sa.Table(
    "sign_in_attempts", metadata,
    sa.Column("attempt_row", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("attempt_id", sa.String(32), nullable=False),  # the same for both keys
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
    # Further attempts with this key are refused until then (None: not over the limit).
    sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
    sa.Index("sign_in_attempts_by_key", "key_hash", "attempted_at"),
    sa.Index("sign_in_attempts_by_time", "attempted_at"),
)
# The random key of those hashes, made once per database by migration 0006, so that a
# hash cannot be looked up in a table made in advance.
sign_in_key = sa.Table(
    "sign_in_key", metadata,
    sa.Column("secret", sa.String(64), primary_key=True),
)

# The live pointer (migration 0008): every move of it, never updated, and one row per
# pathway naming its current entry, with a row version for optimistic concurrency.
live_versions = sa.Table(
    "live_versions", metadata,
    sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pathway_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("action", sa.String(10), nullable=False),  # publish | rollback | setup
    sa.Column("previous_version", sa.Integer, nullable=True),  # None at set-up
    sa.Column("published_by", sa.String(80), nullable=False),  # a user name, or "set-up"
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),  # the designer's change note or reason
    sa.Column("replay_report", sa.Text, nullable=True),  # the replay report looked at
    sa.Index("live_versions_by_pathway", "pathway_id", "entry_id"),
)
live_now = sa.Table(
    "live_now", metadata,
    sa.Column("pathway_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("entry_id", sa.Integer,
              sa.ForeignKey("live_versions.entry_id", name="live_now_entry_fk"),
              nullable=False),
    sa.Column("row_version", sa.Integer, nullable=False),
)

# --- the learning loop (migration 0010) ---------------------------------------------------
# Each answer the engine refused and each "no route fits": where and what kind, never the
# answer given and nothing about the caller.
refusals = sa.Table(
    "refusals", metadata,
    sa.Column("refusal_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pathway_id", sa.String(64), nullable=False),
    sa.Column("pathway_version", sa.Integer, nullable=False),
    sa.Column("step", sa.String(140), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),  # invalid_answer | no_route
    sa.Column("refused_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("refusals_by_step", "pathway_id", "pathway_version", "step", "kind"),
)
# The review queue: what handlers noticed, until a pathway version answers it.
review_items = sa.Table(
    "review_items", metadata,
    sa.Column("item_id", sa.Integer, primary_key=True, autoincrement=True),
    # override | red_flag_changed | no_route | refusal_pattern | audit_finding
    sa.Column("source", sa.String(30), nullable=False),
    sa.Column("contact_id", sa.Integer, sa.ForeignKey("contacts.contact_id",
                                                      name="review_items_contact_fk")),
    sa.Column("pathway_id", sa.String(64), nullable=False),
    sa.Column("pathway_version", sa.Integer, nullable=False),
    sa.Column("step", sa.String(140)),
    sa.Column("suggested_outcome", sa.String(140)),
    sa.Column("chosen_outcome", sa.String(140)),
    sa.Column("refusals", sa.Integer, nullable=False, server_default="0"),
    # A free-text reason (an override's or a correction's) as the handler wrote it:
    # supervisors only. Designers see ``reason_reviewed`` once a supervisor confirmed it
    # (pending | confirmed | rewritten; None: the item has no reason).
    sa.Column("reason", sa.Text),
    sa.Column("reason_state", sa.String(20)),
    sa.Column("reason_reviewed", sa.Text),
    sa.Column("reason_reviewer", sa.String(80)),
    sa.Column("status", sa.String(20), nullable=False),  # open | reviewed | closed
    sa.Column("finding", sa.Text),
    sa.Column("reviewer", sa.String(80)),
    sa.Column("reviewed_at", sa.DateTime(timezone=True)),
    sa.Column("closed_by_pathway", sa.String(64)),
    sa.Column("closed_by_version", sa.Integer),
    sa.Column("closed_by", sa.String(80)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    # 10 working days after it was opened: overdue from the day after, until closed.
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Index("review_items_by_status", "status", "item_id"),
    sa.Index("review_items_by_due", "status", "due_on", "item_id"),
    sa.Index("review_items_by_step", "source", "pathway_id", "pathway_version", "step",
             "status"),
    sa.Index("review_items_by_contact", "contact_id"),
)
# A month's audit sample, drawn once: the seed, who drew it, and each contact drawn with
# why (early_exit | override | repeat_caller | third_party | random), in the order drawn.
audit_samples = sa.Table(
    "audit_samples", metadata,
    sa.Column("month", sa.String(7), primary_key=True),  # 2026-11
    sa.Column("seed", sa.String(64), nullable=False),
    sa.Column("population", sa.Integer, nullable=False),
    sa.Column("drawn_by", sa.String(80), nullable=False),
    sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
)
audit_sample_contacts = sa.Table(
    "audit_sample_contacts", metadata,
    sa.Column("month", sa.String(7), sa.ForeignKey("audit_samples.month",
                                                   name="audit_sample_contacts_month_fk"),
              primary_key=True),
    sa.Column("contact_id", sa.Integer, sa.ForeignKey(
        "contacts.contact_id", name="audit_sample_contacts_contact_fk"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(20), nullable=False),
)
# A supervisor's scoring of one sampled contact on one version of the audit form: the
# answers (question id -> option code), the score, and findings each naming a step.
audit_scores = sa.Table(
    "audit_scores", metadata,
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
