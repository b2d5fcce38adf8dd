"""The LTI flows: PyLTI1p3's launch and login on Casebook's adapters, with the checks it leaves
to the tool, and its service connector with tokens kept until they expire.

``CasebookLaunch`` is PyLTI1p3's ``MessageLaunch`` (state, JWT format, nonce, registration,
signature, deployment, message type and LTI version) plus: the audience (``aud`` holds our
client id; ``azp`` is our client id when present, and required when there are several
audiences), ``exp`` and ``iat`` required, a clock skew of ``CLOCK_SKEW`` seconds, the
platform's keys refreshed once when the ``kid`` is unknown (``KeySets``), and the nonce used up
only once every other check has passed. The adapters are in ``classroom.lti.adapters``.

The JWTs are verified by PyJWT, called by PyLTI1p3 (signature, alg) or here with the same
library (audience, skew): nothing here parses or checks a signature by hand.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import jwt
import requests
from pylti1p3.exception import LtiException
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy.engine import Engine

from classroom.lti.adapters import (
    CookieJar,
    DatabaseStorage,
    DatabaseToolConf,
    FormRequest,
    NonceSession,
    TimeoutSession,
)

DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CLOCK_SKEW = 60  # seconds of difference allowed between the platform's clock and ours
JWKS_SECONDS = 3600  # a platform's key set is fetched again after this
JWKS_REFETCH_SECONDS = 10  # an unknown kid fetches the key set at most this often


class LaunchRefused(Exception):
    """A login or launch that fails a check; ``message`` says which, for the person and the log."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class KeySets:
    """Platforms' public key sets, fetched over HTTPS and kept ``JWKS_SECONDS``.

    Process-wide (public keys, no user's data): a launch with a ``kid`` not in the set fetches
    the set again, at most every ``JWKS_REFETCH_SECONDS``, so a platform's key rotation is
    picked up at once and a flood of made-up kids does not flood the platform.
    """

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._sets: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.clock = clock

    def get(self, url: str, *, refresh: bool = False) -> dict[str, Any]:
        """The key set at ``url``: cached, or fetched now (``refresh``: unless just fetched)."""
        with self._lock:
            cached = self._sets.get(url)
        now = self.clock()
        if cached and now - cached[0] < (JWKS_REFETCH_SECONDS if refresh else JWKS_SECONDS):
            return cached[1]
        try:
            response = TimeoutSession().get(url)
            response.raise_for_status()
            found = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise LaunchRefused(
                f"the platform's keys could not be fetched from {url}", 502
            ) from exc
        if not isinstance(found, dict) or not isinstance(found.get("keys"), list):
            raise LaunchRefused(f"the platform's key set at {url} is not a JWKS", 502)
        with self._lock:
            self._sets[url] = (now, found)
        return found

    def forget(self) -> None:
        """Drop every cached key set."""
        with self._lock:
            self._sets.clear()


KEY_SETS = KeySets()


class CasebookLaunch(MessageLaunch):
    """PyLTI1p3's message launch with Casebook's storage and the extra checks (module doc)."""

    def __init__(self, request: FormRequest, engine: Engine) -> None:
        self.jar = CookieJar(request)
        self.nonces = NonceSession(request, engine)
        self.tool_conf = DatabaseToolConf(engine)
        super().__init__(
            request,
            self.tool_conf,
            session_service=self.nonces,
            cookie_service=self.jar,
            launch_data_storage=DatabaseStorage(engine),
            requests_session=TimeoutSession(),
        )

    @classmethod
    def restored(cls, launch_id: str, request: FormRequest, engine: Engine) -> CasebookLaunch:
        """A launch validated earlier, from its stored data (PyLTI1p3's ``from_cache``, with
        this class's constructor)."""
        launch = cls(request, engine)
        data = launch.get_session_service().get_launch_data(launch_id)
        if not data:
            raise LtiException("Launch data not found")
        launch.set_launch_id(launch_id).set_auto_validation(enable=False)
        launch.set_jwt({"body": data}).set_restored()
        launch.validate_registration()
        return launch

    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)

    def get_public_key(self) -> tuple[str, str]:
        assert self._registration is not None
        url = self._registration.get_key_set_url() or ""
        self._registration.set_key_set(KEY_SETS.get(url))  # type: ignore[arg-type]
        try:
            return super().get_public_key()
        except LtiException as exc:
            if "Unable to find public key" not in str(exc):
                raise
        self._registration.set_key_set(KEY_SETS.get(url, refresh=True))  # type: ignore[arg-type]
        return super().get_public_key()

    def validate_jwt_signature(self) -> CasebookLaunch:
        client_id = self.get_client_id()
        public_key, alg = self.get_public_key()
        try:
            claims = jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=[alg],
                audience=client_id,
                leeway=CLOCK_SKEW,
                options={"require": ["exp", "iat", "aud", "iss", "sub", "nonce"]},
            )
        except jwt.InvalidTokenError as exc:
            raise LtiException(f"Can't decode id_token: {exc}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if claims.get("azp", client_id) != client_id or (
            len(audiences) > 1 and "azp" not in claims
        ):
            raise LtiException("id_token azp is not this tool's client id")
        return self

    def save_launch_data(self) -> CasebookLaunch:
        nonce = str(self._get_jwt_body().get("nonce", ""))
        if not self.nonces.use_nonce(nonce):
            raise LtiException("Invalid Nonce")  # used by another launch a moment ago
        return super().save_launch_data()


class CasebookLogin(OIDCLogin):
    """PyLTI1p3's OIDC login initiation with Casebook's storage; the redirect is a URL."""

    def __init__(self, request: FormRequest, engine: Engine) -> None:
        self.jar = CookieJar(request)
        super().__init__(
            request,
            DatabaseToolConf(engine),
            NonceSession(request, engine),
            self.jar,
            DatabaseStorage(engine),
        )

    def get_redirect(self, url: str) -> Redirect[str]:
        return _UrlRedirect(url)


class _UrlRedirect(Redirect[str]):
    def __init__(self, url: str) -> None:
        self.url = url

    def do_redirect(self) -> str:
        return self.url

    def do_js_redirect(self) -> str:
        return self.url

    def set_redirect_url(self, location: str) -> None:
        self.url = location

    def get_redirect_url(self) -> str:
        return self.url


class CachedTokenConnector(ServiceConnector):
    """PyLTI1p3's service connector (RFC 7523 client assertion) with tokens kept until they
    expire, for every request of the process (the library keeps them per connector)."""

    _tokens: dict[tuple[str, str, str], tuple[str, float]] = {}  # noqa: RUF012 (process-wide)
    _lock = threading.Lock()
    MARGIN = 30  # seconds before expiry a token is no longer used

    def __init__(self, registration: Registration) -> None:
        session = TimeoutSession()
        self._expires_in = 3600.0
        session.hooks["response"].append(self._note_expiry)
        super().__init__(registration, session)

    def _note_expiry(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.url == self._registration.get_auth_token_url() and response.ok:
            try:
                self._expires_in = float(response.json().get("expires_in", 3600))
            except (ValueError, AttributeError):
                self._expires_in = 3600.0

    def _key(self, scopes: Any) -> tuple[str, str, str]:
        url = self._registration.get_auth_token_url() or ""
        return (url, self._registration.get_client_id() or "", " ".join(sorted(scopes)))

    def get_access_token(self, scopes: Any) -> str:
        key = self._key(scopes)
        with self._lock:
            cached = self._tokens.get(key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        self._access_tokens = {}
        token = super().get_access_token(scopes)
        with self._lock:
            self._tokens[key] = (token, time.monotonic() + self._expires_in - self.MARGIN)
        return token

    def forget_token(self, scopes: Any) -> None:
        """Drop the cached token for ``scopes`` (the platform refused it)."""
        with self._lock:
            self._tokens.pop(self._key(scopes), None)

    @classmethod
    def forget_all(cls) -> None:
        """Drop every cached token."""
        with cls._lock:
            cls._tokens.clear()
