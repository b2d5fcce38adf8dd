"""Shared, non-personal resources: the database engine and the loaded case library.

Both are cached with ``st.cache_resource``: they hold no trainee data, and the library is
immutable, shared content. ``st.cache_data`` would pickle the library and unpickle a copy
on every rerun (pydantic models with guidance text: milliseconds per rerun, for nothing).
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine

from classroom import publishing
from classroom.storage import db
from scoring.errors import CaseError
from scoring.guidance.passages import GuidanceLibrary, guidance_dir
from scoring.library.loader import CaseLibrary, LoadedCase, cases_dir, load_library

Fingerprint = tuple[tuple[str, int, int], ...]


def database_url() -> str | None:
    """The configured database URL (None: classroom.storage.db picks its SQLite default)."""
    return os.environ.get("CASEBOOK_DATABASE_URL") or None


@st.cache_resource(show_spinner=False)
def _engine(url: str | None) -> Engine:
    return db.get_engine(url)


def engine() -> Engine:
    """The SQLAlchemy engine for the configured database (raises db.StorageError)."""
    return _engine(database_url())


def fingerprint(folders: list[Path]) -> Fingerprint:
    """(path, mtime_ns, size) of every YAML file under ``folders``: changes when any file does."""
    out: list[tuple[str, int, int]] = []
    stack = [str(f) for f in folders]
    while stack:  # os.scandir: one stat per file, cheap enough for every rerun
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:  # a folder missing or deleted meanwhile: the next rerun sees it
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    stack.append(entry.path)
                elif entry.name.endswith((".yaml", ".yml")):
                    stat = entry.stat()
                    out.append((entry.path, stat.st_mtime_ns, stat.st_size))
            except OSError:
                continue
    return tuple(sorted(out))


@st.cache_resource(show_spinner="Loading cases…", max_entries=4)
def _library(cases_folder: str, guidance_folder: str, stamp: int) -> CaseLibrary:
    del guidance_folder, stamp  # cache key only: reload when a file changes
    return load_library(Path(cases_folder))


def library() -> CaseLibrary:
    """Every valid case, loaded once per change of any case or guidance file."""
    cases, guidance = cases_dir(), guidance_dir()
    # Hash the fingerprint here: Streamlit's own argument hashing of the tuple costs ~1 ms.
    return _library(str(cases), str(guidance), hash(fingerprint([cases, guidance])))


@st.cache_resource(show_spinner=False, max_entries=64)
def _case_version(
    case_id: str, version: str, cases_folder: str, _guidance: GuidanceLibrary
) -> LoadedCase | None:
    try:
        return publishing.load_version(case_id, version, _guidance, Path(cases_folder))
    except CaseError:  # that text no longer validates (e.g. a passage id was renamed)
        return None


def case_version(case_id: str, version: str, guidance: GuidanceLibrary) -> LoadedCase | None:
    """The case as published at ``version`` (live or archived), or None when it is not kept.

    A version is a hash of the file's text, so each one is loaded once and cached for good.
    """
    return _case_version(case_id, version, str(cases_dir()), guidance)
