"""Courses, rosters, learners' sign-ins, recovery codes, unique names in a session, data requests.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01

Every existing row is kept. Existing participants get their ``name_key`` (the display name
case-folded, spaces collapsed); where two participants of one session already share a name,
the later joiner is renamed "Ana (2)", "Ana (3)" … exactly as a new joiner would be, so the
new unique constraint holds. Anonymous learners keep their tokens, attempts and answers;
existing class sessions belong to no course. The name arithmetic is copied here rather than
imported, so this migration never changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUTOINCREMENT = {"sqlite_autoincrement": True}
NOW = sa.text("CURRENT_TIMESTAMP")
NAME_LENGTH = 40
PARTICIPANT = sa.table(
    "participant",
    sa.column("id", sa.Integer),
    sa.column("session_id", sa.Integer),
    sa.column("display_name", sa.String),
    sa.column("name_key", sa.String),
)


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()[:80]


def _numbered(name: str, n: int) -> str:
    suffix = f" ({n})"
    return name[: NAME_LENGTH - len(suffix)].rstrip() + suffix


def _fill_name_keys(conn: sa.Connection) -> None:
    p = PARTICIPANT.c
    taken: dict[int, set[str]] = {}
    updates = []
    rows = conn.execute(sa.select(p.id, p.session_id, p.display_name).order_by(p.id)).all()
    for participant_id, session_id, name in rows:
        used = taken.setdefault(session_id, set())
        shown, n = name, 1
        while _key(shown) in used:
            n += 1
            shown = _numbered(name, n)
        used.add(_key(shown))
        updates.append({"key": participant_id, "shown": shown, "name_key": _key(shown)})
    if updates:
        conn.execute(
            PARTICIPANT.update()
            .where(PARTICIPANT.c.id == sa.bindparam("key"))
            .values(display_name=sa.bindparam("shown"), name_key=sa.bindparam("name_key")),
            updates,
        )


def upgrade() -> None:
    op.create_table(
        "course",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("term", sa.String(80), nullable=True),
        sa.Column("section", sa.String(80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name="pk_course"),
        **AUTOINCREMENT,
    )
    op.create_table(
        "course_member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("section", sa.String(80), nullable=True),
        sa.Column("pin_hash", sa.String(200), nullable=True),
        sa.Column("pin_set_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.PrimaryKeyConstraint("id", name="pk_course_member"),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name="fk_course_member_course_id_course",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name="fk_course_member_learner_id_learner",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("learner_id", name="uq_course_member_learner_id"),
        sa.UniqueConstraint(
            "course_id", "student_id", name="uq_course_member_course_id_student_id"
        ),
        **AUTOINCREMENT,
    )
    op.create_table(
        "data_request",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.String(64), nullable=True),
        sa.Column("learner_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_data_request"),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name="fk_data_request_course_id_course",
            ondelete="SET NULL",
        ),
        sa.CheckConstraint("action IN ('export', 'delete')", name=op.f("ck_data_request_action")),
        **AUTOINCREMENT,
    )
    op.create_index("ix_data_request_course_id", "data_request", ["course_id"])
    # On SQLite each batch rebuilds its table (a new foreign key or unique constraint);
    # db.upgrade turns foreign keys off meanwhile, so no child row is cascaded away.
    with op.batch_alter_table("learner", table_kwargs=AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("recovery_hash", sa.String(64), nullable=True))
        batch.create_unique_constraint("uq_learner_recovery_hash", ["recovery_hash"])
    with op.batch_alter_table("class_session", table_kwargs=AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("course_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_class_session_course_id_course",
            "course",
            ["course_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index("ix_class_session_course_id", "class_session", ["course_id"])
    op.add_column("participant", sa.Column("name_key", sa.String(80), nullable=True))
    _fill_name_keys(op.get_bind())
    with op.batch_alter_table("participant", table_kwargs=AUTOINCREMENT) as batch:
        batch.alter_column("name_key", existing_type=sa.String(80), nullable=False)
        batch.create_unique_constraint(
            "uq_participant_session_id_name_key", ["session_id", "name_key"]
        )
    with op.batch_alter_table("educator_sign_in", table_kwargs=AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("learner_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_educator_sign_in_learner_id_learner",
            "learner",
            ["learner_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_index("ix_educator_sign_in_learner_id", "educator_sign_in", ["learner_id"])


def downgrade() -> None:
    op.drop_index("ix_educator_sign_in_learner_id", table_name="educator_sign_in")
    with op.batch_alter_table("educator_sign_in", table_kwargs=AUTOINCREMENT) as batch:
        batch.drop_constraint("fk_educator_sign_in_learner_id_learner", type_="foreignkey")
        batch.drop_column("learner_id")
    with op.batch_alter_table("participant", table_kwargs=AUTOINCREMENT) as batch:
        batch.drop_constraint("uq_participant_session_id_name_key", type_="unique")
        batch.drop_column("name_key")
    op.drop_index("ix_class_session_course_id", table_name="class_session")
    with op.batch_alter_table("class_session", table_kwargs=AUTOINCREMENT) as batch:
        batch.drop_constraint("fk_class_session_course_id_course", type_="foreignkey")
        batch.drop_column("course_id")
    with op.batch_alter_table("learner", table_kwargs=AUTOINCREMENT) as batch:
        batch.drop_constraint("uq_learner_recovery_hash", type_="unique")
        batch.drop_column("recovery_hash")
    op.drop_index("ix_data_request_course_id", table_name="data_request")
    op.drop_table("data_request")
    op.drop_table("course_member")
    op.drop_table("course")
