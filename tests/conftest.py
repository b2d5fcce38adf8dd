"""Shared fixtures: the shipped guidance and case library, and small case builders."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.guidance.passages import GuidanceLibrary, load_guidance
from scoring.library.loader import CaseLibrary, load_library

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _private_passcode_file(tmp_path_factory):
    """Keep the app's generated passcode and signing key out of the developer's data/ folder.

    Set in the environment, so app servers started by browser tests inherit them too.
    """
    with pytest.MonkeyPatch.context() as mp:
        folder = tmp_path_factory.mktemp("passcode")
        path = folder / "educator-passcode.hash"
        mp.setenv("CASEBOOK_PASSCODE_FILE", str(path))
        mp.setenv("CASEBOOK_SECRET_KEY_FILE", str(folder / "secret.key"))
        mp.delenv("CASEBOOK_SECRET_KEY", raising=False)
        # The shipped config hides error details from users; tests need to read them
        # (test_security_findings checks that a server with the shipped setting hides them):
        # app servers read the environment, AppTest this process's config.
        mp.setenv("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")
        from streamlit import config

        config.set_option("client.showErrorDetails", "full")
        yield path


@pytest.fixture(scope="session")
def guidance_lib() -> GuidanceLibrary:
    """The shipped guidance documents."""
    return load_guidance(ROOT / "guidance")


@pytest.fixture(scope="session")
def shipped(guidance_lib) -> CaseLibrary:
    """The shipped case library."""
    return load_library([ROOT / "cases"], guidance_lib)


@pytest.fixture
def minimal_yaml() -> str:
    """Text of the smallest valid case."""
    return (FIXTURES / "minimal_case.yaml").read_text(encoding="utf-8")


# --- Storage (classroom persistence): a real database per test --------------------------------
# Imports stay inside the fixtures so this section does not disturb the ones above.

POSTGRES_TEST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def sqlite_url(tmp_path):
    """URL of a fresh SQLite file; its cached engine is closed afterwards."""
    from classroom.storage.db import dispose_engine

    url = f"sqlite:///{tmp_path / 'casebook.db'}"
    yield url
    dispose_engine(url)


@pytest.fixture(scope="session")
def postgres_server():
    """An engine on the PostgreSQL test database (``CASEBOOK_TEST_POSTGRES_URL``).

    Skipped when the server is unreachable, unless ``CASEBOOK_REQUIRE_POSTGRES=1``.
    """
    import os

    import sqlalchemy as sa

    url = os.environ.get("CASEBOOK_TEST_POSTGRES_URL", POSTGRES_TEST_URL)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        engine.dispose()
        where = sa.make_url(url).render_as_string(hide_password=True)
        reason = f"PostgreSQL is not reachable at {where}: {str(exc.orig).splitlines()[0]}"
        if os.environ.get("CASEBOOK_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (CASEBOOK_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(postgres_server):
    """URL of a fresh PostgreSQL schema (via ``search_path``), dropped afterwards."""
    import secrets

    from classroom.storage.db import dispose_engine

    schema = f"t_{secrets.token_hex(6)}"
    with postgres_server.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = postgres_server.url.update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    yield url_text
    dispose_engine(url_text)
    with postgres_server.begin() as conn:
        conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def db_url(request):
    """Each storage test runs on a fresh SQLite file and on a fresh PostgreSQL schema."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def db_engine(db_url):
    """The migrated, cached engine of ``db_url``."""
    from classroom.storage.db import get_engine

    return get_engine(db_url)


# --- Class sessions (dashboard, simulation, session commands): two tiny cases -------------------

_WARD_CASES = {
    "ward-round.yaml": """\
id: ward-round
title: Ward round
summary: A three-step case for dashboard tests.
topics: [testing]
minutes: 5
objectives: [Exercise the dashboard.]
guidance: [bone-metastasis]
patient: {name: Test Patient, age: 60, setting: Ward}
steps:
  - id: cues
    title: First look
    skill: recognize_cues
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: multiple_choice
    prompt: What do you notice first?
    feedback: The keyed answer is a.
    options:
      - {id: a, text: Option A, keyed: true, rationale: Right., cite: [nursing]}
      - {id: b, text: Option B, rationale: Wrong., cite: [nursing]}
      - {id: c, text: Option C, must_avoid: true, rationale: Unsafe., cite: [nursing]}
  - id: act
    skill: take_action
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: select_all
    prompt: Which actions do you take now?
    feedback: W and X.
    options:
      - {id: w, text: Action W, keyed: true, rationale: Right., cite: [nursing]}
      - {id: x, text: Action X, keyed: true, rationale: Right., cite: [nursing]}
      - {id: y, text: Action Y, rationale: Wrong., cite: [nursing]}
      - {id: z, text: Action Z, must_avoid: true, rationale: Unsafe., cite: [nursing]}
  - id: check
    title: Evaluate
    skill: evaluate_outcomes
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: matrix_choice
    prompt: Has each finding improved?
    feedback: Row one improved, row two did not.
    end: true
    columns: [{id: "yes", text: Improved}, {id: "no", text: Not improved}]
    rows:
      - {id: pain, text: Pain, keyed: "yes", rationale: Better., cite: [nursing]}
      - {id: urine, text: Urine output, keyed: "no", rationale: Worse., cite: [nursing]}
""",
    "night-shift.yaml": """\
id: night-shift
title: Night shift
summary: A branching case for dashboard tests.
topics: [testing]
minutes: 5
objectives: [Exercise branching progress.]
guidance: [bone-metastasis]
patient: {name: Test Patient, age: 70, setting: Ward}
steps:
  - id: call
    skill: take_action
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: multiple_choice
    prompt: Her pain is new and severe. What now?
    feedback: Escalate.
    options:
      - {id: escalate, text: Call, keyed: true, goto: handover, rationale: Right., cite: [nursing]}
      - {id: wait, text: Wait an hour, rationale: Wrong., cite: [nursing]}
  - id: recheck
    skill: evaluate_outcomes
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: multiple_choice
    prompt: An hour later the pain is worse. What now?
    feedback: Escalate now.
    next: handover
    options:
      - {id: escalate, text: Call, keyed: true, rationale: Right., cite: [nursing]}
      - {id: wait, text: Wait again, rationale: Wrong., cite: [nursing]}
  - id: handover
    skill: generate_solutions
    client_needs: physiological-adaptation
    decision_points: [DP-01]
    type: multiple_choice
    prompt: What do you hand over?
    feedback: The change.
    end: true
    options:
      - {id: change, text: The change in pain, keyed: true, rationale: Right., cite: [nursing]}
      - {id: routine, text: Routine care only, rationale: Wrong., cite: [nursing]}
""",
}


@pytest.fixture(scope="session")
def ward_cases_dir(tmp_path_factory) -> Path:
    """A folder with two tiny cases: 'ward-round' (3 steps) and 'night-shift' (branching)."""
    folder = tmp_path_factory.mktemp("ward-cases")
    for name, text in _WARD_CASES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def ward_library(ward_cases_dir, guidance_lib) -> CaseLibrary:
    """The two tiny cases, loaded."""
    library = load_library([ward_cases_dir], guidance_lib)
    assert not library.problems, library.problems
    return library


# --- UI: AppTest drivers (owned by the trainee-app engineer) -------------------------------


@pytest.fixture
def clear_st_caches():
    """Empty Streamlit's caches around a test: they outlive AppTest instances in one process."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def browser_cookies(monkeypatch) -> dict[str, str]:
    """The cookies of the one simulated browser of an AppTest (AppTest has no connection)."""
    jar: dict[str, str] = {}
    monkeypatch.setattr("ui.components.client.cookies", lambda: jar)
    return jar


@pytest.fixture
def app_env(tmp_path, monkeypatch, clear_st_caches):
    """Point the app at a fresh SQLite file and a cases folder holding only the SCC case."""
    import shutil
    from types import SimpleNamespace

    from classroom.storage.db import dispose_engine

    cases = tmp_path / "trainee-cases"  # its own name: other fixtures may make tmp_path/cases
    cases.mkdir()
    shutil.copy(ROOT / "cases" / "scc-back-pain-could-not-wait.yaml", cases)
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("CASEBOOK_DATABASE_URL", url)
    monkeypatch.setenv("CASEBOOK_CASES_DIR", str(cases))
    yield SimpleNamespace(url=url, cases=cases)
    dispose_engine(url)


@pytest.fixture
def class_app_env(tmp_path, monkeypatch, clear_st_caches):
    """The app on a fresh SQLite file and the shipped cases (read-only here)."""
    from classroom.storage.db import dispose_engine

    url = f"sqlite:///{tmp_path / 'casebook.db'}"
    monkeypatch.setenv("CASEBOOK_DATABASE_URL", url)
    monkeypatch.setenv("CASEBOOK_CASES_DIR", str(ROOT / "cases"))
    yield url
    dispose_engine(url)


@pytest.fixture
def class_engine(class_app_env):
    """The engine of ``class_app_env``'s database."""
    from classroom.storage.db import get_engine

    return get_engine(class_app_env)


def keyed_response(step):
    """The raw response that earns full marks on ``step`` (see scoring.engine.responses)."""
    kind = step.type
    if kind in ("multiple_choice", "select_all", "select_n", "highlight", "highlight_table"):
        return [o.id for o in step.options if o.keyed]
    if kind == "multiple_response_grouping":
        return {g.id: [o.id for o in g.options if o.keyed] for g in step.groups}
    if kind in ("drag_drop_cloze", "drag_drop_rationale"):
        return {t.id: t.keyed for t in step.targets}
    if kind == "ordering":
        return [x for g in step.correct_order for x in (g if isinstance(g, list) else [g])]
    if kind == "matrix_choice":
        return {r.id: r.keyed for r in step.rows}
    if kind == "matrix_response":
        return {r.id: list(r.keyed) for r in step.rows}
    if kind == "bow_tie":
        wings = ("condition", "actions", "parameters")
        return {w: [o.id for o in getattr(step, w).options if o.keyed] for w in wings}
    return {b.id: next(o.id for o in b.options if o.keyed) for b in step.blanks}


class AppDriver:
    """Plays the Casebook app in AppTest through the widget keys of ``ui.player.widgets``."""

    def __init__(self, query: dict[str, str] | None = None, page: str = "ui/pages/player.py"):
        from streamlit.testing.v1 import AppTest

        self.at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        for k, v in (query or {}).items():
            self.at.query_params[k] = v
        self.at.run()
        self.assert_ok()
        if page != "ui/pages/library.py":
            self.at.switch_page(page)
            self.at.run()
            self.assert_ok()

    def assert_ok(self):
        """Fail on an uncaught exception in the app."""
        assert not self.at.exception, [e.value for e in self.at.exception]

    def run(self):
        """Rerun the app."""
        self.at.run()
        self.assert_ok()
        return self

    @property
    def query(self) -> dict[str, str]:
        """The URL query parameters now."""
        return {k: v[0] if isinstance(v, list) else v for k, v in self.at.query_params.items()}

    def widget_key(self) -> str | None:
        """Widget key prefix of the step on screen (None: no step to answer)."""
        for b in self.at.button:
            if b.key and b.key.startswith("submit."):
                return b.key.removeprefix("submit.")
        return None

    def fill(self, step, raw, key: str | None = None):
        """Set the widgets of ``step`` to the raw response (no rerun).

        Native widgets are set as a trainee sets them; the NGN component (which AppTest
        cannot click) gets what its change callback stores for the same answer.
        """
        from scoring.engine.responses import normalize_response
        from ui.player.widgets import state_entries

        at, k = self.at, key or self.widget_key()
        kind = step.type
        if kind == "multiple_choice":
            at.radio(key=f"{k}.choice").set_value(raw[0])
        elif kind in ("select_all", "select_n"):
            for i in raw:
                at.checkbox(key=f"{k}.{i}").check()
        else:
            for name, value in state_entries(step, k, normalize_response(step, raw)).items():
                at.session_state[name] = value
        return self

    def answer(self, step, raw=None):
        """Fill in ``raw`` (default: the key) and submit it."""
        k = self.widget_key()
        assert k is not None and k.endswith(("." + step.id, "/" + step.id)), (k, step.id)
        self.fill(step, keyed_response(step) if raw is None else raw, k).run()
        self.at.button(key=f"submit.{k}").click()
        return self.run()

    def onward(self):
        """Press the primary 'Continue' / 'Next question' / 'See your …' button."""
        labels = ("Continue", "Next question", "See your")
        button = next(b for b in self.at.button if b.label.startswith(labels))
        button.click()
        return self.run()

    def texts(self) -> str:
        """All markdown, caption and alert text on screen, joined (for assertions)."""
        at = self.at
        parts = [m.value for m in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error)]
        parts += [m.value for m in at.success]
        return "\n".join(str(p) for p in parts)


@pytest.fixture
def app(app_env):
    """A factory of AppDriver sessions on the temporary database and cases."""
    return AppDriver


@pytest.fixture
def keyed():
    """``keyed_response(step)``: the raw response that earns full marks."""
    return keyed_response
