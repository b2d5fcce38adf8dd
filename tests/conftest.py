"""Shared fixtures: the shipped guidance and case library, and small case builders."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.guidance import GuidanceLibrary, load_guidance
from scoring.loader import CaseLibrary, load_library

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
