"""Learners, attempts and answers.

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("CURRENT_TIMESTAMP")
AUTOINCREMENT = {"sqlite_autoincrement": True}


def upgrade() -> None:
    op.create_table(
        "learner",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name="pk_learner"),
        sa.UniqueConstraint("token", name="uq_learner_token"),
        **AUTOINCREMENT,
    )
    op.create_table(
        "attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(200), nullable=False),
        sa.Column("case_version", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("quiz_spec", sa.Text(), nullable=True),
        # The foreign key to class_session arrives with that table in 0002.
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("max_points", sa.Integer(), nullable=True),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("current_step", sa.String(200), nullable=True),
        sa.Column("minutes_elapsed", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id", name="pk_attempt"),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["learner.id"], name="fk_attempt_learner_id_learner", ondelete="CASCADE"
        ),
        sa.CheckConstraint("kind IN ('case', 'quiz')", name=op.f("ck_attempt_kind")),
        sa.CheckConstraint("status IN ('open', 'finished')", name=op.f("ck_attempt_status")),
        **AUTOINCREMENT,
    )
    op.create_index("ix_attempt_learner_id_case_id", "attempt", ["learner_id", "case_id"])
    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(200), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("max_points", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("skill", sa.String(40), nullable=False),
        sa.Column("item_type", sa.String(40), nullable=False),
        sa.Column("must_avoid", sa.Text(), nullable=False),
        sa.Column("next_step", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name="pk_answer"),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempt.id"], name="fk_answer_attempt_id_attempt", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("attempt_id", "step_id", name="uq_answer_attempt_id_step_id"),
        sa.UniqueConstraint("attempt_id", "seq", name="uq_answer_attempt_id_seq"),
        sa.CheckConstraint("points >= 0 AND points <= max_points", name=op.f("ck_answer_points")),
        **AUTOINCREMENT,
    )


def downgrade() -> None:
    op.drop_table("answer")
    op.drop_table("attempt")
    op.drop_table("learner")
