"""Imports go one way: ui → classroom → scoring, and inside ui, pages → rooms → components.

Read from the source with ``ast``, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Which top-level packages and ui rooms each may import (besides itself and the stdlib).
ALLOWED = {
    "scoring": {"scoring"},
    "classroom": {"classroom", "scoring"},
    "casebook": {"casebook", "classroom", "scoring", "ui"},
    "ui.components": {"ui.components", "classroom", "scoring"},
    "ui.player": {"ui.player", "ui.components", "classroom", "scoring"},
    "ui.educator": {"ui.educator", "ui.player", "ui.components", "classroom", "scoring"},
    "ui.author": {"ui.author", "ui.player", "ui.components", "classroom", "scoring"},
    "ui.pages": {"ui", "classroom", "scoring"},
    "ui.__init__": set(),
}
OURS = ("scoring", "classroom", "casebook", "ui")


def _room(module: str) -> str:
    """'ui.player.case' → 'ui.player'; 'classroom.db' → 'classroom'."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "ui" and len(parts) > 1 else parts[0]


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
    )
    assert not wrong, f"{module} imports {wrong}"


def test_every_ui_module_lives_in_a_room():
    loose = sorted(p.name for p in (ROOT / "ui").glob("*.py") if p.name != "__init__.py")
    assert loose == [], "give each ui module a room: components, player, educator or author"
