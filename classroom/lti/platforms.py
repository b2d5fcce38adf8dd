"""Registered platforms (an LMS: issuer + client id) and the deployment ids they launch with."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from classroom.storage.db import reading, translate_errors
from classroom.storage.schema import LtiDeployment, LtiPlatform


class PlatformError(ValueError):
    """A platform registration cannot be used; ``field`` names the setting that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Platform:
    """A registered platform and the deployment ids it may launch with."""

    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    keyset_url: str
    auth_audience: str | None
    deployment_ids: tuple[str, ...]


def _check_url(field: str, url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise PlatformError(field, f"{url!r} must be an https:// address (http only on localhost)")
    if not parts.netloc:
        raise PlatformError(field, f"{url!r} has no host")
    return url


def _check_text(field: str, value: str, limit: int = 255) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise PlatformError(field, f"must be 1 to {limit} characters")
    return value


@translate_errors("The platform was not registered; try again.")
def register_platform(
    engine: Engine,
    *,
    issuer: str,
    client_id: str,
    deployment_ids: list[str],
    auth_login_url: str,
    auth_token_url: str,
    keyset_url: str,
    auth_audience: str | None = None,
) -> Platform:
    """Add a platform, or update the one with this issuer and client id (deployments are added)."""
    values = {
        "issuer": _check_text("issuer", issuer),
        "client_id": _check_text("client-id", client_id),
        "auth_login_url": _check_url("auth-login-url", auth_login_url),
        "auth_token_url": _check_url("auth-token-url", auth_token_url),
        "keyset_url": _check_url("keyset-url", keyset_url),
        "auth_audience": auth_audience.strip() if auth_audience else None,
    }
    deployments = [_check_text("deployment-id", d) for d in deployment_ids]
    if not deployments:
        raise PlatformError("deployment-id", "give at least one")
    with engine.begin() as conn:
        found = conn.execute(
            sa.select(LtiPlatform.id).where(
                LtiPlatform.issuer == values["issuer"], LtiPlatform.client_id == values["client_id"]
            )
        ).scalar_one_or_none()
        if found is None:
            found = conn.execute(
                sa.insert(LtiPlatform).values(**values).returning(LtiPlatform.id)
            ).scalar_one()
        else:
            conn.execute(sa.update(LtiPlatform).where(LtiPlatform.id == found).values(**values))
        known = set(
            conn.execute(
                sa.select(LtiDeployment.deployment_id).where(LtiDeployment.platform_id == found)
            ).scalars()
        )
        for deployment in dict.fromkeys(deployments):
            if deployment not in known:
                conn.execute(
                    sa.insert(LtiDeployment).values(platform_id=found, deployment_id=deployment)
                )
    platform = get_platform(engine, found)
    assert platform is not None
    return platform


def _platforms(conn: sa.Connection, where: sa.ColumnElement[bool]) -> list[Platform]:
    rows = conn.execute(sa.select(LtiPlatform).where(where).order_by(LtiPlatform.id)).all()
    ids = [r.id for r in rows]
    deployments: dict[int, list[str]] = {i: [] for i in ids}
    for platform_id, deployment in conn.execute(
        sa.select(LtiDeployment.platform_id, LtiDeployment.deployment_id)
        .where(LtiDeployment.platform_id.in_(ids))
        .order_by(LtiDeployment.id)
    ):
        deployments[platform_id].append(deployment)
    return [
        Platform(
            id=r.id,
            issuer=r.issuer,
            client_id=r.client_id,
            auth_login_url=r.auth_login_url,
            auth_token_url=r.auth_token_url,
            keyset_url=r.keyset_url,
            auth_audience=r.auth_audience,
            deployment_ids=tuple(deployments[r.id]),
        )
        for r in rows
    ]


@translate_errors("The platforms could not be read; try again.")
def list_platforms(engine: Engine) -> list[Platform]:
    """Every registered platform, oldest first."""
    with reading(engine) as conn:
        return _platforms(conn, sa.true())


@translate_errors("The platform could not be read; try again.")
def get_platform(engine: Engine, platform_id: int) -> Platform | None:
    """The platform with this id, or None."""
    with reading(engine) as conn:
        found = _platforms(conn, LtiPlatform.id == platform_id)
    return found[0] if found else None


@translate_errors("The platform could not be read; try again.")
def find_platform(engine: Engine, issuer: str, client_id: str | None) -> Platform | None:
    """The platform with this issuer and client id; with no client id, the issuer's only one."""
    where = LtiPlatform.issuer == issuer
    if client_id:
        where = sa.and_(where, LtiPlatform.client_id == client_id)
    with reading(engine) as conn:
        found = _platforms(conn, where)
    return found[0] if len(found) == 1 else None
