"""The reported score of each attempt, and when a class session's answering was ended.

Revision ID: 0003
Revises: 0004 (chained after main's 0004 at the merge; 0003 is the id issue 9 was given)
Create Date: 2026-11-28

``attempt`` gains what ``scoring.engine.grades`` needs beside points and max points: the
must-avoid choices made (a count), the case's must-avoid cap (stored when the attempt
starts, so a later republish cannot change a grade), the raw percent and whether the cap
lowered it. ``class_session.ended_at`` is set by "End now": no answers after it.

Existing rows are kept and filled in: the must-avoid count from each attempt's answers;
for finished attempts, the raw percent from points and max points, and the cap where the
stored percent shows that it applied (the old percent was min(raw, cap), to 2 decimals).
The arithmetic is copied here rather than imported, so this migration never changes.
"""

import json
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUTOINCREMENT = {"sqlite_autoincrement": True}
ATTEMPT = sa.table(
    "attempt",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("points", sa.Integer),
    sa.column("max_points", sa.Integer),
    sa.column("percent", sa.Float),
    sa.column("raw_percent", sa.Float),
    sa.column("capped", sa.Boolean),
    sa.column("must_avoid_count", sa.Integer),
    sa.column("must_avoid_cap", sa.Integer),
)
ANSWER = sa.table("answer", sa.column("attempt_id", sa.Integer), sa.column("must_avoid", sa.Text))


def upgrade() -> None:
    # Adding columns needs no table rebuild on SQLite; keep AUTOINCREMENT should it rebuild.
    with op.batch_alter_table("attempt", table_kwargs=AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("raw_percent", sa.Float(), nullable=True))
        batch.add_column(
            sa.Column("capped", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("must_avoid_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("must_avoid_cap", sa.Integer(), nullable=True))
    op.add_column("class_session", sa.Column("ended_at", sa.DateTime(timezone=True)))
    _fill_in(op.get_bind())


def _tenths(numerator: int, denominator: int) -> int:
    return (20 * numerator + denominator) // (2 * denominator)


def _fill_in(conn: sa.Connection) -> None:
    made: Counter[int] = Counter()
    for attempt_id, text in conn.execute(sa.select(ANSWER.c.attempt_id, ANSWER.c.must_avoid)):
        made[attempt_id] += len(json.loads(text) if text else [])
    a = ATTEMPT.c
    rows = conn.execute(sa.select(a.id, a.status, a.points, a.max_points, a.percent)).all()
    updates = []
    for attempt_id, status, points, top, old in rows:
        values = {"key": attempt_id, "count": made[attempt_id], "cap": None, "raw": None}
        values.update(capped=False, percent=old)
        if status == "finished" and points is not None and top:
            raw = _tenths(100 * points, top) / 10
            # The old percent was the cap (a whole number) where the cap lowered it.
            capped = bool(made[attempt_id]) and old is not None and old + 0.006 < 100 * points / top
            cap = round(old) if capped else None
            values.update(raw=raw, capped=capped, cap=cap, percent=float(cap) if capped else raw)
        elif status == "finished" and top == 0:
            values.update(raw=0.0, percent=0.0)
        updates.append(values)
    if updates:
        conn.execute(
            ATTEMPT.update()
            .where(ATTEMPT.c.id == sa.bindparam("key"))
            .values(
                must_avoid_count=sa.bindparam("count"),
                must_avoid_cap=sa.bindparam("cap"),
                raw_percent=sa.bindparam("raw"),
                capped=sa.bindparam("capped"),
                percent=sa.bindparam("percent"),
            ),
            updates,
        )


def downgrade() -> None:
    op.drop_column("class_session", "ended_at")
    with op.batch_alter_table("attempt", table_kwargs=AUTOINCREMENT) as batch:
        batch.drop_column("must_avoid_cap")
        batch.drop_column("must_avoid_count")
        batch.drop_column("capped")
        batch.drop_column("raw_percent")
