"""Imports go one way: ui → classroom → scoring, and inside ui, pages → rooms → components.

Read from the source with ``ast``, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Which rooms each room may import (besides itself and the standard library). A room is a
# top-level package, or one of its sub-packages (``ui.player``, ``scoring.engine``); a module
# directly in a package (``classroom/attempts.py``) belongs to the package's own room.
S_FORMAT = {"scoring.format", "scoring.errors"}  # and the rule-id catalog of scoring.lint
S_GUIDANCE = S_FORMAT | {"scoring.guidance"}
S_ENGINE = S_GUIDANCE | {"scoring.engine"}
S_LIBRARY = S_ENGINE | {"scoring.library"}
SCORING = S_LIBRARY | {"scoring.lint", "scoring"}
C_STORAGE = {"classroom.storage"}
C_ACCESS = C_STORAGE | {"classroom.access"} | SCORING
C_COURSES = C_ACCESS | {"classroom.courses"}
CLASSROOM = C_COURSES | {"classroom"}
C_ANALYTICS = CLASSROOM | {"classroom.analytics"}
# LTI sits above the top room and the courses: a launch makes courses and roster entries.
C_LTI = CLASSROOM | {"classroom.lti"}
C_TERM = C_ANALYTICS | {"classroom.term"}  # the course gradebook and term views, on top
ALLOWED = {
    "scoring": SCORING,
    "scoring.errors": {"scoring.errors"},
    "scoring.format": S_FORMAT,
    "scoring.guidance": S_GUIDANCE,
    "scoring.engine": S_ENGINE,
    "scoring.library": S_LIBRARY,
    "scoring.lint": SCORING,
    "classroom": CLASSROOM,
    "classroom.storage": C_STORAGE,
    "classroom.access": C_ACCESS,
    "classroom.courses": C_COURSES,
    "classroom.analytics": C_ANALYTICS,
    "classroom.lti": C_LTI,
    "classroom.term": C_TERM,
    "casebook": {"casebook", "classroom", "scoring", "ui"},
    "casebook.web": {"casebook", "classroom", "scoring", "ui"},
    "ui.components": {"ui.components", "classroom", "scoring"},
    "ui.player": {"ui.player", "ui.components", "classroom", "scoring"},
    "ui.educator": {"ui.educator", "ui.player", "ui.components", "classroom", "scoring"},
    "ui.author": {"ui.author", "ui.player", "ui.components", "classroom", "scoring"},
    "ui.pages": {"ui", "classroom", "scoring"},
    "ui.__init__": set(),
}
OURS = ("scoring", "classroom", "casebook", "ui")


def _room(module: str) -> str:
    """'ui.player.case' → 'ui.player'; 'classroom.attempts' → 'classroom'; 'scoring.errors' →
    'scoring.errors' (a module every scoring room may use)."""
    parts = module.split(".")
    if parts[:2] == ["scoring", "errors"]:
        return "scoring.errors"
    if len(parts) > 1 and (ROOT / parts[0] / parts[1]).is_dir():
        return ".".join(parts[:2])
    if parts[0] == "ui" and len(parts) > 1:
        return ".".join(parts[:2])  # ui.__init__
    return parts[0]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in found if m.split(".")[0] in OURS}


MODULES = sorted(
    p for top in OURS for p in (ROOT / top).rglob("*.py") if "migrations" not in p.parts
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_go_one_way(path: Path):
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    allowed = ALLOWED[_room(module)]
    wrong = sorted(
        m
        for m in _imports(path)
        if not any(_room(m) == a or _room(m).startswith(a + ".") for a in allowed)
        # "from scoring.lint import RULE_IDS": the catalog in the package face, not its rules
        and not (m.startswith("scoring.lint.") and m.count(".") == 2 and m.split(".")[2].isupper())
    )
    assert not wrong, f"{module} imports {wrong}"


def test_every_ui_module_lives_in_a_room():
    loose = sorted(p.name for p in (ROOT / "ui").glob("*.py") if p.name != "__init__.py")
    assert loose == [], "give each ui module a room: components, player, educator or author"


@pytest.mark.parametrize("folder", ["scoring", "classroom", "ui", "casebook"])
def test_no_room_holds_more_than_a_dozen_modules(folder):
    for room in [ROOT / folder, *(p for p in (ROOT / folder).rglob("*") if p.is_dir())]:
        modules = [p for p in room.glob("*.py") if p.name != "__init__.py"]
        if "versions" in room.parts or "__pycache__" in room.parts:
            continue
        assert len(modules) <= 12, f"{room.relative_to(ROOT)} has {len(modules)} modules"
