"""docs/deployment.md quotes the nginx file that tests/browser/test_nginx.py runs, verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_guide_quotes_the_tested_nginx_file():
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", guide, flags=re.S)
    assert blocks == [(ROOT / "deploy" / "nginx-casebook.conf").read_text(encoding="utf-8")]


def test_the_guide_installs_from_the_hashed_lock_file():
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert "pip install --require-hashes -r requirements.lock" in guide
