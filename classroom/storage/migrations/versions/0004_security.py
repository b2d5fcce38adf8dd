"""Failed attempts for throttling, and educator sign-ins (one-time tickets, cookie sessions).

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUTOINCREMENT = {"sqlite_autoincrement": True}


def upgrade() -> None:
    op.create_table(
        "failed_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_failed_attempt"),
        **AUTOINCREMENT,
    )
    op.create_index("ix_failed_attempt_scope_key_at", "failed_attempt", ["scope", "key", "at"])
    op.create_index("ix_failed_attempt_scope_at", "failed_attempt", ["scope", "at"])
    op.create_table(
        "educator_sign_in",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ticket_hash", sa.String(64), nullable=False),
        sa.Column("ticket_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_hash", sa.String(64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_educator_sign_in"),
        sa.UniqueConstraint("ticket_hash", name="uq_educator_sign_in_ticket_hash"),
        sa.UniqueConstraint("session_hash", name="uq_educator_sign_in_session_hash"),
        **AUTOINCREMENT,
    )


def downgrade() -> None:
    op.drop_table("educator_sign_in")
    op.drop_index("ix_failed_attempt_scope_at", table_name="failed_attempt")
    op.drop_index("ix_failed_attempt_scope_key_at", table_name="failed_attempt")
    op.drop_table("failed_attempt")
