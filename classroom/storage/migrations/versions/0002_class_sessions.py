"""Class sessions, their participants, and attempts tied to a session.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("CURRENT_TIMESTAMP")
IN_SESSION = sa.text("session_id IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "class_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("case_ids", sa.Text(), nullable=False),
        sa.Column("quiz_spec", sa.Text(), nullable=True),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("results_released", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_class_session"),
        sa.UniqueConstraint("code", name="uq_class_session_code"),
        sa.CheckConstraint("mode IN ('practice', 'exam')", name=op.f("ck_class_session_mode")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(40), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name="pk_participant"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["class_session.id"],
            name="fk_participant_session_id_class_session",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name="fk_participant_learner_id_learner",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "session_id", "learner_id", name="uq_participant_session_id_learner_id"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_participant_learner_id", "participant", ["learner_id"])
    # On SQLite this rebuilds the table; keep AUTOINCREMENT so ids are never reused.
    with op.batch_alter_table("attempt", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.create_foreign_key(
            "fk_attempt_session_id_class_session",
            "class_session",
            ["session_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_index("ix_attempt_session_id", "attempt", ["session_id"])
    op.create_index(
        "uq_attempt_session_case",
        "attempt",
        ["learner_id", "session_id", "case_id", "kind"],
        unique=True,
        sqlite_where=IN_SESSION,
        postgresql_where=IN_SESSION,
    )


def downgrade() -> None:
    op.drop_index("uq_attempt_session_case", table_name="attempt")
    op.drop_index("ix_attempt_session_id", table_name="attempt")
    with op.batch_alter_table("attempt", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_constraint("fk_attempt_session_id_class_session", type_="foreignkey")
    op.drop_table("participant")
    op.drop_table("class_session")
