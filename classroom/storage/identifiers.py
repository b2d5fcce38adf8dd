"""Identifiers every room shares: learner tokens, join codes and the dialect's upsert.

They live below the rooms that use them (attempts and sessions, courses, access), so none of
those rooms has to import a sibling or a room above it.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TOKEN_FORM = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_token() -> str:
    """A fresh learner token: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def check_token(token: object) -> str:
    """``token`` if it looks like a learner token, else ValueError (tokens come from URLs)."""
    if not isinstance(token, str) or not TOKEN_FORM.fullmatch(token):
        raise ValueError("not a valid learner token (20–64 letters, digits, '-' or '_')")
    return token


def normalize_code(code: str) -> str:
    """A join code as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-–—]", "", str(code)).upper()


def dialect_insert(conn: Connection, table: Any) -> Any:
    """An INSERT that supports ON CONFLICT for the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database: {conn.dialect.name}")
