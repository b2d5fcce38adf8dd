"""requirements.lock, the hashed lock file for deployments, agrees with pyproject.toml.

Regenerate it with ``make lock`` after changing the dependencies. Deployments install with
``pip install --require-hashes -r requirements.lock`` (docs/deployment.md); ``make run`` and
``make test`` stay on pyproject.toml's ranges.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\;]+)")


def locked() -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) of every requirement in the lock file."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        found = PIN.match(line)
        if found:
            current = canonicalize_name(found.group(1))
            pins[current] = (found.group(2), [])
        elif current and line.strip().startswith("--hash=sha256:"):
            pins[current][1].append(line.strip().removeprefix("--hash=sha256:").rstrip(" \\"))
    return pins


def runtime_requirements() -> list[Requirement]:
    """The [project] dependencies of pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"]]


def test_every_dependency_is_pinned_within_its_range_with_hashes():
    pins = locked()
    for req in runtime_requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in requirements.lock"
        version, hashes = pins[name]
        assert req.specifier.contains(version, prereleases=True), (req, version)
    for name, (_, hashes) in pins.items():
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name


def test_the_lock_holds_every_package_the_dependencies_need():
    pins, env = locked(), default_environment()
    todo = [canonicalize_name(r.name) for r in runtime_requirements()]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for raw in metadata.requires(name) or []:
            req = Requirement(raw)
            if req.marker is None or req.marker.evaluate({**env, "extra": ""}):
                todo.append(canonicalize_name(req.name))
    assert sorted(seen - set(pins)) == [], "run `make lock`: requirements.lock is incomplete"
