"""Migrations: a database made by an older schema is upgraded without losing anything."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from classroom.attempts import answers, get_attempt, list_attempts, record_answer, start_attempt
from classroom.sessions import create_session, join_session
from classroom.storage.db import MIGRATIONS, make_engine, upgrade
from classroom.storage.schema import Base

TOKEN = "revision-0001-learner-token"


@pytest.fixture
def engine_at_0001(db_url):
    """An engine on a database built by migration 0001 only, with one learner's work in it."""
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    # Raw SQL text: say UTC explicitly where the column has a time zone.
    utc = "+00" if engine.dialect.name == "postgresql" else ""
    with engine.begin() as conn:
        run = conn.execute
        run(
            sa.text("INSERT INTO learner (token, display_name, created_at) VALUES (:t, 'Ada', :c)"),
            {"t": TOKEN, "c": "2025-01-02 03:04:05" + utc},
        )
        learner = run(sa.text("SELECT id FROM learner")).scalar_one()
        for n in (1, 2):
            run(
                sa.text(
                    "INSERT INTO attempt (learner_id, case_id, case_version, kind, status,"
                    " started_at, current_step, minutes_elapsed)"
                    " VALUES (:l, :case, 'v1', 'case', 'open', :s, 's3', 25)"
                ),
                {"l": learner, "case": f"case-{n}", "s": "2025-01-02 03:05:00" + utc},
            )
        attempt = run(sa.text("SELECT min(id) FROM attempt")).scalar_one()
        for seq, step in enumerate(("s1", "s2"), start=1):
            run(
                sa.text(
                    "INSERT INTO answer (attempt_id, seq, step_id, response, points, max_points,"
                    " rule, skill, item_type, must_avoid, next_step, created_at)"
                    " VALUES (:a, :seq, :step, :r, 1, 2, '+/-', 'analyze_cues', 'select_all',"
                    " :m, 's3', :c)"
                ),
                {
                    "a": attempt,
                    "seq": seq,
                    "step": step,
                    "r": '["a", "ü"]',
                    "m": '["Give morphine"]',
                    "c": "2025-01-02 03:06:00" + utc,
                },
            )
    yield engine, attempt
    engine.dispose()


def test_upgrade_from_0001_keeps_every_row(engine_at_0001):
    engine, attempt_id = engine_at_0001
    upgrade(engine)
    with engine.connect() as conn:
        head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head
        counts = [
            conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
            for t in ("learner", "attempt", "answer")
        ]
    assert counts == [1, 2, 2]
    attempt = get_attempt(engine, TOKEN, attempt_id)
    assert (attempt.case_id, attempt.current_step, attempt.minutes_elapsed) == ("case-1", "s3", 25)
    assert attempt.started_at.isoformat() == "2025-01-02T03:05:00+00:00"
    stored = answers(engine, TOKEN, attempt_id)
    assert [(a.seq, a.step_id, a.response, a.must_avoid) for a in stored] == [
        (1, "s1", ["a", "ü"], ["Give morphine"]),
        (2, "s2", ["a", "ü"], ["Give morphine"]),
    ]
    # The upgraded database works like a new one: answers continue, sessions are available.
    info, _ = record_answer(
        engine,
        TOKEN,
        attempt_id,
        "s3",
        response=["b"],
        points=0,
        max_points=1,
        rule="0/1",
        skill="take_action",
        item_type="multiple_choice",
        must_avoid=[],
        next_step=None,
    )
    assert info.seq == 3
    session = create_session(engine, "Week 1", ["case-1"])
    join_session(engine, session.code, "Ada", TOKEN)
    assert start_attempt(engine, TOKEN, "case-1", "v1", session_code=session.code).id > 2


def test_upgraded_database_enforces_the_new_constraints(engine_at_0001):
    engine, _ = engine_at_0001
    upgrade(engine)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql("UPDATE attempt SET session_id = 999")
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM learner")
        remaining = conn.exec_driver_sql("SELECT count(*) FROM answer").scalar()
    assert remaining == 0  # the cascade from learner to attempt to answer survived the rebuild


def test_migrations_match_the_declared_schema(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_sqlite_rebuild_keeps_autoincrement_and_foreign_keys_on(sqlite_url):
    engine = make_engine(sqlite_url)
    try:
        upgrade(engine)
        with engine.connect() as conn:
            ddl = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'attempt'"
            ).scalar()
            assert "AUTOINCREMENT" in ddl
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        engine.dispose()


def test_upgrade_to_0003_fills_in_each_attempts_reported_score(db_url):
    """Attempts finished before 0003 keep their grade; the cap they had is recognized."""
    engine = make_engine(db_url)
    upgrade(engine, "0002")
    utc = "+00" if engine.dialect.name == "postgresql" else ""
    when = "2025-03-04 05:06:07" + utc
    with engine.begin() as conn:
        run = conn.execute
        run(
            sa.text("INSERT INTO learner (token, display_name, created_at) VALUES (:t, 'Ada', :c)"),
            {"t": TOKEN, "c": when},
        )
        learner = run(sa.text("SELECT id FROM learner")).scalar_one()
        # (points, max_points, stored percent, status, must-avoid choices in its answers)
        old = [(16, 17, 50.0, "finished", 1), (6, 7, 85.71, "finished", 0), (1, 2, None, "open", 2)]
        for n, (points, top, percent, status, made) in enumerate(old):
            attempt = run(
                sa.text(
                    "INSERT INTO attempt (learner_id, case_id, case_version, kind, status,"
                    " started_at, points, max_points, percent, minutes_elapsed)"
                    " VALUES (:l, :case, 'v1', 'case', :status, :s, :p, :m, :pc, 0) RETURNING id"
                ),
                {
                    "l": learner,
                    "case": f"case-{n}",
                    "status": status,
                    "s": when,
                    "p": points if status == "finished" else None,
                    "m": top if status == "finished" else None,
                    "pc": percent,
                },
            ).scalar_one()
            run(
                sa.text(
                    "INSERT INTO answer (attempt_id, seq, step_id, response, points, max_points,"
                    " rule, skill, item_type, must_avoid, next_step, created_at)"
                    " VALUES (:a, 1, 's1', '[]', :p, :m, '0/1', 'take_action',"
                    " 'multiple_choice', :made, NULL, :c)"
                ),
                {"a": attempt, "p": points, "m": top, "made": json_list(made), "c": when},
            )
    upgrade(engine)
    try:
        capped, plain, still_open = sorted(
            (a for a in list_attempts(engine, TOKEN)), key=lambda a: a.case_id
        )
        assert (capped.percent, capped.raw_percent, capped.capped, capped.must_avoid_cap) == (
            50.0,
            94.1,
            True,
            50,
        )
        assert capped.score.text == "50%" and capped.must_avoid_count == 1
        # Not capped: the percent is re-rounded to the one definition (one decimal).
        assert (plain.percent, plain.raw_percent, plain.capped) == (85.7, 85.7, False)
        assert (still_open.status, still_open.must_avoid_count, still_open.score) == (
            "open",
            2,
            None,
        )
    finally:
        engine.dispose()


def json_list(n: int) -> str:
    """A stored must-avoid list with ``n`` choices."""
    return "[" + ", ".join(f'"choice {i}"' for i in range(n)) + "]"


def test_upgrade_from_0002_adds_the_security_tables_and_keeps_the_classes(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0002")
        # Written as the 0002 schema was (the models describe the head, with later columns).
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO class_session (code, title, mode, case_ids, is_open,"
                    " results_released) VALUES ('BEFORE', 'Before 0004', 'practice',"
                    " '[\"case-1\"]', :yes, :no)"
                ),
                {"yes": True, "no": False},
            )
        upgrade(engine)
        _, token = join_session(engine, "BEFORE", "Ada")
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
        assert {"failed_attempt", "educator_sign_in"} <= tables
        assert join_session(engine, "BEFORE", "Ada", token)[1] == token
    finally:
        engine.dispose()


def test_upgrade_from_0003_keeps_sessions_and_answers_and_numbers_repeated_names(db_url):
    """A database made by head 0003, with a class in it, upgrades to courses (0005)."""
    engine = make_engine(db_url)
    upgrade(engine, "0003")
    utc = "+00" if engine.dialect.name == "postgresql" else ""
    when = "2026-11-30 09:00:00" + utc
    with engine.begin() as conn:
        run = conn.execute
        session_id = run(
            sa.text(
                "INSERT INTO class_session (code, title, mode, case_ids, is_open,"
                " results_released, created_at) VALUES ('OLDONE', 'Week 9', 'practice',"
                " '[\"ward-round\"]', :yes, :no, :c) RETURNING id"
            ),
            {"yes": True, "no": False, "c": when},
        ).scalar_one()
        people = []
        for n, name in enumerate(("Ana", "ana", "Ben", "Ana")):
            learner = run(
                sa.text(
                    "INSERT INTO learner (token, display_name, created_at)"
                    " VALUES (:t, :n, :c) RETURNING id"
                ),
                {"t": f"{TOKEN}-{n}", "n": name, "c": when},
            ).scalar_one()
            run(
                sa.text(
                    "INSERT INTO participant (session_id, learner_id, display_name, joined_at)"
                    " VALUES (:s, :l, :n, :c)"
                ),
                {"s": session_id, "l": learner, "n": name, "c": when},
            )
            attempt = run(
                sa.text(
                    "INSERT INTO attempt (learner_id, case_id, case_version, kind, session_id,"
                    " status, started_at, points, max_points, percent, raw_percent,"
                    " minutes_elapsed) VALUES (:l, 'ward-round', 'v1', 'case', :s, 'finished',"
                    " :c, 3, 4, 75.0, 75.0, 0) RETURNING id"
                ),
                {"l": learner, "s": session_id, "c": when},
            ).scalar_one()
            run(
                sa.text(
                    "INSERT INTO answer (attempt_id, seq, step_id, response, points, max_points,"
                    " rule, skill, item_type, must_avoid, next_step, created_at)"
                    " VALUES (:a, 1, 'cues', '[\"a\"]', 3, 4, '0/1', 'recognize_cues',"
                    " 'multiple_choice', '[]', NULL, :c)"
                ),
                {"a": attempt, "c": when},
            )
            people.append(learner)
    upgrade(engine)
    try:
        with engine.connect() as conn:
            head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head
            counts = [
                conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                for t in ("learner", "participant", "attempt", "answer", "class_session")
            ]
            names = conn.exec_driver_sql(
                "SELECT display_name, name_key FROM participant ORDER BY id"
            ).all()
            course_id = conn.exec_driver_sql("SELECT course_id FROM class_session").scalar()
        assert counts == [4, 4, 4, 4, 1]
        assert [tuple(n) for n in names] == [
            ("Ana", "ana"),
            ("ana (2)", "ana (2)"),
            ("Ben", "ben"),
            ("Ana (3)", "ana (3)"),
        ]
        assert course_id is None
        # Every learner's attempts are intact and readable as before.
        for n in range(4):
            (attempt,) = list_attempts(engine, f"{TOKEN}-{n}")
            assert (attempt.status, attempt.percent, attempt.session_code) == (
                "finished",
                75.0,
                "OLDONE",
            )
            assert [a.step_id for a in answers(engine, f"{TOKEN}-{n}", attempt.id)] == ["cues"]
        # The new tables work on the upgraded database.
        from classroom.courses.courses import attach_session, create_course
        from classroom.courses.roster import import_roster, members

        course = create_course(engine, "Adult health")
        attach_session(engine, course.id, "OLDONE")
        import_roster(engine, course.id, b"student_id,name\nS1,Ana Lopez\n", "roster.csv")
        assert [m.student_id for m in members(engine, course.id)] == ["S1"]
        assert join_session(engine, "OLDONE", "Ana", f"{TOKEN}-0")[1] == f"{TOKEN}-0"
    finally:
        engine.dispose()
