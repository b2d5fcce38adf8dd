"""LTI 1.3: platforms and deployments, nonces, launch storage, course and link mappings, the
AGS grade outbox.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUTOINCREMENT = {"sqlite_autoincrement": True}
WHEN = sa.DateTime(timezone=True)


def _id(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
    ]


def _platform(table: str) -> list[Any]:
    return [
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["lti_platform.id"],
            name=f"fk_{table}_platform_id_lti_platform",
            ondelete="CASCADE",
        ),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="CASCADE"
    )


def _created() -> sa.Column:
    return sa.Column("created_at", WHEN, nullable=False, server_default=sa.func.current_timestamp())


def upgrade() -> None:
    op.create_table(
        "lti_platform",
        *_id("lti_platform"),
        sa.Column("issuer", sa.String(255), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("auth_login_url", sa.String(500), nullable=False),
        sa.Column("auth_token_url", sa.String(500), nullable=False),
        sa.Column("keyset_url", sa.String(500), nullable=False),
        sa.Column("auth_audience", sa.String(500), nullable=True),
        _created(),
        sa.UniqueConstraint("issuer", "client_id", name="uq_lti_platform_issuer_client_id"),
        **AUTOINCREMENT,
    )
    op.create_table(
        "lti_deployment",
        *_id("lti_deployment"),
        *_platform("lti_deployment"),
        sa.Column("deployment_id", sa.String(255), nullable=False),
        sa.UniqueConstraint(
            "platform_id", "deployment_id", name="uq_lti_deployment_platform_id_deployment_id"
        ),
        **AUTOINCREMENT,
    )
    op.create_table(
        "lti_nonce",
        sa.Column("nonce", sa.String(128), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("nonce", name="pk_lti_nonce"),
    )
    op.create_index("ix_lti_nonce_expires_at", "lti_nonce", ["expires_at"])
    op.create_table(
        "lti_cache",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_lti_cache"),
    )
    op.create_index("ix_lti_cache_expires_at", "lti_cache", ["expires_at"])
    op.create_table(
        "lti_context",
        *_id("lti_context"),
        *_platform("lti_context"),
        sa.Column("context_id", sa.String(255), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("memberships_url", sa.String(500), nullable=True),
        _created(),
        _fk("lti_context", "course_id", "course"),
        sa.UniqueConstraint(
            "platform_id", "context_id", name="uq_lti_context_platform_id_context_id"
        ),
        **AUTOINCREMENT,
    )
    op.create_index("ix_lti_context_course_id", "lti_context", ["course_id"])
    op.create_table(
        "lti_resource_link",
        *_id("lti_resource_link"),
        *_platform("lti_resource_link"),
        sa.Column("resource_link_id", sa.String(255), nullable=False),
        sa.Column("context_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(200), nullable=True),
        sa.Column("session_code", sa.String(12), nullable=True),
        sa.Column("lineitem_url", sa.String(500), nullable=True),
        sa.Column("title", sa.String(200), nullable=True),
        _created(),
        _fk("lti_resource_link", "context_id", "lti_context"),
        sa.UniqueConstraint(
            "platform_id",
            "resource_link_id",
            name="uq_lti_resource_link_platform_id_resource_link_id",
        ),
        **AUTOINCREMENT,
    )
    op.create_index("ix_lti_resource_link_context_id", "lti_resource_link", ["context_id"])
    op.create_table(
        "lti_user",
        *_id("lti_user"),
        *_platform("lti_user"),
        sa.Column("sub", sa.String(255), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        _fk("lti_user", "course_id", "course"),
        _fk("lti_user", "member_id", "course_member"),
        _fk("lti_user", "learner_id", "learner"),
        sa.UniqueConstraint(
            "platform_id", "sub", "course_id", name="uq_lti_user_platform_id_sub_course_id"
        ),
        **AUTOINCREMENT,
    )
    op.create_index("ix_lti_user_member_id", "lti_user", ["member_id"])
    op.create_index("ix_lti_user_learner_id", "lti_user", ["learner_id"])
    op.create_table(
        "lti_grade_outbox",
        *_id("lti_grade_outbox"),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        *_platform("lti_grade_outbox"),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("lineitem_url", sa.String(500), nullable=False),
        sa.Column("user_sub", sa.String(255), nullable=False),
        sa.Column("score_given", sa.Float(), nullable=False),
        sa.Column("score_maximum", sa.Float(), nullable=False),
        sa.Column("finished_at", WHEN, nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_try_at", WHEN, nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("sent_at", WHEN, nullable=True),
        _created(),
        _fk("lti_grade_outbox", "attempt_id", "attempt"),
        _fk("lti_grade_outbox", "course_id", "course"),
        sa.UniqueConstraint(
            "attempt_id", "lineitem_url", name="uq_lti_grade_outbox_attempt_id_lineitem_url"
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name="ck_lti_grade_outbox_status"
        ),
        **AUTOINCREMENT,
    )
    op.create_index("ix_lti_grade_outbox_course_id", "lti_grade_outbox", ["course_id"])
    op.create_index(
        "ix_lti_grade_outbox_status_next_try_at", "lti_grade_outbox", ["status", "next_try_at"]
    )


def downgrade() -> None:
    for table in (
        "lti_grade_outbox",
        "lti_user",
        "lti_resource_link",
        "lti_context",
        "lti_cache",
        "lti_nonce",
        "lti_deployment",
        "lti_platform",
    ):
        op.drop_table(table)
