"""PyLTI1p3's extension points, filled in for Casebook: request, cookies, storage, registrations.

PyLTI1p3 is framework-agnostic through small classes a tool supplies; these are Casebook's:

- ``FormRequest``: the request's parameters (query or form) and whether it came over HTTPS;
- ``CookieJar``: the cookies PyLTI1p3 reads and sets (the OIDC ``state``), applied to the
  Starlette response by the route;
- ``DatabaseStorage``: PyLTI1p3's launch data storage (state parameters, launch data) in the
  ``lti_cache`` table, so every app server sees what another one stored;
- ``NonceSession``: nonces in ``lti_nonce``, each usable by one launch before it expires;
- ``DatabaseToolConf``: registrations and deployments read from ``lti_platform``/``lti_deployment``
  with the tool's key (``classroom.lti.keys``).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import requests
import sqlalchemy as sa
from pylti1p3.deployment import Deployment
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.request import Request
from pylti1p3.session import SessionService
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy.engine import Engine

from classroom.lti import keys
from classroom.lti.platforms import Platform, find_platform
from classroom.storage.db import reading
from classroom.storage.identifiers import dialect_insert
from classroom.storage.schema import LtiCache, LtiNonce, utcnow

NONCE_SECONDS = 600  # a login's nonce must come back in a launch within this
HTTP_TIMEOUT = 10  # seconds for any call to a platform


class TimeoutSession(requests.Session):
    """A requests session whose calls give up after ``HTTP_TIMEOUT`` seconds."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(method, url, *args, **kwargs)


class FormRequest(Request):
    """The parameters of one request (query and form) as PyLTI1p3 reads them."""

    def __init__(self, params: dict[str, str], cookies: dict[str, str], secure: bool) -> None:
        self.params = params
        self.cookies = cookies
        self.secure = secure

    @property
    def session(self) -> dict[str, Any]:
        return {}  # Casebook keeps PyLTI1p3's data in the database, not a web session

    def is_secure(self) -> bool:
        return self.secure

    def get_param(self, key: str) -> str:
        return self.params.get(key, "")


class CookieJar:
    """PyLTI1p3's cookie service: reads the request's cookies, collects the ones to set."""

    prefix = "lti1p3-"

    def __init__(self, request: FormRequest) -> None:
        self.request = request
        self.to_set: list[tuple[str, str, int | None]] = []

    def get_cookie(self, name: str) -> str | None:
        return self.request.cookies.get(self.prefix + name)

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self.to_set.append((self.prefix + name, str(value), exp))


class DatabaseStorage(LaunchDataStorage[Any]):
    """PyLTI1p3's launch data storage in the ``lti_cache`` table (values expire)."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def get_session_cookie_name(self) -> str | None:
        return None  # no session cookie: the state cookie binds the browser

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        with reading(self.engine) as conn:
            return conn.execute(
                sa.select(LtiCache.value).where(
                    LtiCache.key == self._key(key), LtiCache.expires_at > utcnow()
                )
            ).scalar_one_or_none()

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        now = utcnow()
        values = {"value": value, "expires_at": now + timedelta(seconds=exp or 86400)}
        with self.engine.begin() as conn:
            insert = dialect_insert(conn, LtiCache).values(key=self._key(key), **values)
            conn.execute(insert.on_conflict_do_update(index_elements=["key"], set_=values))
            conn.execute(sa.delete(LtiCache).where(LtiCache.expires_at < now))

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def _key(self, key: str) -> str:
        prepared = self._prepare_key(key)
        if len(prepared) <= 200:
            return prepared
        return "sha256-" + hashlib.sha256(prepared.encode("utf-8")).hexdigest()


class NonceSession(SessionService):
    """PyLTI1p3's session service, with nonces in ``lti_nonce``: issued once, used once."""

    def __init__(self, request: FormRequest, engine: Engine) -> None:
        super().__init__(request)
        self.engine = engine
        self.set_data_storage(DatabaseStorage(engine))

    def save_nonce(self, nonce: str) -> None:
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(LtiNonce).values(
                    nonce=nonce, expires_at=now + timedelta(seconds=NONCE_SECONDS)
                )
            )
            conn.execute(sa.delete(LtiNonce).where(LtiNonce.expires_at < now))

    def check_nonce(self, nonce: str) -> bool:
        """True when Casebook issued this nonce, and no launch has used it, and it is fresh."""
        with reading(self.engine) as conn:
            found = conn.execute(
                sa.select(LtiNonce.nonce).where(
                    LtiNonce.nonce == nonce[:128],
                    LtiNonce.used_at.is_(None),
                    LtiNonce.expires_at > utcnow(),
                )
            ).first()
        return found is not None

    def use_nonce(self, nonce: str) -> bool:
        """Use the nonce up; False when another launch used it first."""
        with self.engine.begin() as conn:
            used = conn.execute(
                sa.update(LtiNonce)
                .where(
                    LtiNonce.nonce == nonce[:128],
                    LtiNonce.used_at.is_(None),
                    LtiNonce.expires_at > utcnow(),
                )
                .values(used_at=utcnow())
            ).rowcount
        return used == 1


def registration_of(platform: Platform) -> Registration:
    """PyLTI1p3's registration of a platform, with the tool's current key."""
    private = keys.private_key()
    registration = Registration()
    registration.set_issuer(platform.issuer).set_client_id(platform.client_id)
    registration.set_auth_login_url(platform.auth_login_url)
    registration.set_auth_token_url(platform.auth_token_url)
    registration.set_key_set_url(platform.keyset_url)
    if platform.auth_audience:
        registration.set_auth_audience(platform.auth_audience)
    registration.set_tool_private_key(private).set_tool_public_key(keys.public_key(private))
    return registration


class DatabaseToolConf(ToolConfAbstract[FormRequest]):
    """Registrations from the database; every issuer may have several client ids."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.platform: Platform | None = None

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self.find_registration_by_params(iss, "", *args, **kwargs)

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        self.platform = find_platform(self.engine, iss, client_id or None)
        return registration_of(self.platform) if self.platform else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, "")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Deployment | None:
        platform = find_platform(self.engine, iss, client_id or None)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)
