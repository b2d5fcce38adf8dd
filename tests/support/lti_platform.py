"""A real LTI 1.3 platform for the tests: ``lti1p3platform`` (PyPI) served over HTTP on loopback.

The signing, the OIDC preflight checks, the token endpoint (it verifies the tool's RFC 7523
client assertion against the tool's ``/lti/jwks``), the AGS score and NRPS membership services
and the deep linking response check are the library's (``LTI1P3PlatformConfAbstract``,
``LTIAdvantageMessageLaunchAbstract``, ``AssignmentsGradesService``,
``NamesRoleProvisioningService``). This module only plugs them into Starlette routes, serves
them with uvicorn in a thread, and records what arrived, as an LMS would store it.

``Launch`` says what the next launch carries (user, roles, link, custom parameters, services)
and how it is spoiled for a failure test (``spoil``: another signing key under the known kid,
an unknown kid, an expired token, another audience, another deployment, a skewed clock).
"""

from __future__ import annotations

import functools
import html
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from jwcrypto.jwk import JWK
from lti1p3platform.exceptions import LineItemNotFoundException
from lti1p3platform.jwt_helper import jwt_encode
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request as PlatformRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from tests.support.appserver import free_port

CLIENT_ID = "casebook-client"
DEPLOYMENT_ID = "deployment-1"


def new_pem() -> str:
    """A fresh RSA private key (PEM)."""
    return JWK.generate(kty="RSA", size=2048).export_to_pem(True, None).decode("ascii")


@functools.cache
def shared_pem(name: str) -> str:
    """One RSA key per name for the whole test run (making a key costs about half a second)."""
    return new_pem()


@functools.cache
def public_pem(private: str) -> str:
    """The public half of a private key (PEM)."""
    return JWK.from_pem(private.encode()).export_to_pem(False).decode("ascii")


@dataclass
class Launch:
    """What the platform's next launch says, and how it is spoiled (None: a good launch)."""

    user_id: str = "student-1"
    name: str = "Ada Lovelace"
    email: str = "ada@example.edu"
    roles: list[str] = field(
        default_factory=lambda: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    )
    context_id: str = "course-101"
    context_title: str = "Nursing 101"
    resource_link_id: str = "link-1"
    custom: dict[str, str] = field(default_factory=dict)
    lineitem: bool = True
    deep_link: bool = False
    spoil: str | None = None  # bad-signature unknown-kid expired audience azp deployment skew:N


class SpoilingRegistration(Registration):
    """The library's registration; for a failure test it signs with another key or claims."""

    spoil: str | None = None
    other_key: str = ""

    def get_kid(self) -> str | None:
        if self.spoil == "unknown-kid":
            return Registration.get_jwk(public_pem(self.other_key))["kid"]
        return super().get_kid()  # bad-signature: the known kid over another key

    def platform_encode_and_sign(self, payload: dict[str, Any], expiration: int | None = None):
        if self.spoil == "audience":  # meant for another tool
            payload.update({"aud": "someone-else", "azp": "someone-else"})
        if self.spoil == "azp":  # several audiences, and the party it is for is another
            payload.update({"aud": [CLIENT_ID, "someone-else"], "azp": "someone-else"})
        if self.spoil in ("bad-signature", "unknown-kid"):
            kid = self.get_kid()
            payload.update({"iat": int(time.time()), "exp": int(time.time()) + 300})
            return jwt_encode(payload, self.other_key, "RS256", headers={"kid": kid})
        if self.spoil and self.spoil.startswith("skew:"):
            shift = int(self.spoil.split(":")[1])
            now = int(time.time()) + shift
            payload.update({"iat": now, "exp": now + 300})
            key = self.get_platform_private_key()
            return jwt_encode(payload, key, "RS256", headers={"kid": super().get_kid()})
        return super().platform_encode_and_sign(payload, expiration)


class PlatformConf(LTI1P3PlatformConfAbstract):
    """The library's platform configuration, holding one registration of Casebook."""

    def init_platform_config(self, **kwargs: Any) -> None:
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration


class QueryRequest(PlatformRequest):
    """The library's request type, built from a Starlette request's parts."""

    def __init__(self, method: str, query: dict, form: dict, headers: Any, json: Any = None):
        self.request = {
            "method": method,
            "form_data": form,
            "get_data": query,
            "headers": headers,
            "content_type": headers.get("content-type"),
            "path": "",
            "json": json,
        }


class PlatformLaunch(LTIAdvantageMessageLaunchAbstract):
    """The library's launch: it validates the tool's preflight and signs the id_token."""

    def get_preflight_response(self) -> dict[str, Any]:
        return self._request.get_data

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return launch_data


class Scores(AssignmentsGradesService):
    """The library's AGS; scores land in ``platform.scores``."""

    platform: TestPlatform

    def update_score(self, line_item_id: str, score: Any) -> UpdateScoreStatus:
        if line_item_id in self.platform.gone_lineitems:
            raise LineItemNotFoundException(line_item_id)
        self.platform.scores.append({"lineitem": line_item_id, **score})
        self.platform.score_arrived.set()
        return UpdateScoreStatus.SUCCESS

    def find_lineitems(self, *a: Any, **k: Any) -> Any:
        return {"content": [], "has_next": False}

    def find_lineitem(self, line_item_id: str) -> Any:
        return {"id": line_item_id}

    def create_lineitem(self, creation_data: Any) -> Any:
        return creation_data

    def update_lineitem(self, update_data: Any) -> Any:
        return update_data

    def delete_lineitem(self, line_item_id: str) -> None:
        return None

    def get_results(self, *a: Any, **k: Any) -> Any:
        return {"content": [], "has_next": False}


class Members(NamesRoleProvisioningService):
    """The library's NRPS; the roster is ``platform.members``."""

    platform: TestPlatform

    def get_member_data_page(self, *a: Any, **k: Any) -> Any:
        return {"content": list(self.platform.members), "has_next": False}

    def get_context_by_id(self) -> Context:
        return Context(id="course-101", label="N101", title="Nursing 101")


class TestPlatform:
    """An LMS on loopback: the library's platform side, plus what it received."""

    __test__ = False

    def __init__(self, tool_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = self.url
        self.tool_url = tool_url
        self.key = shared_pem("platform")
        self.other_key = shared_pem("stranger")
        self.next = Launch()
        self.token_down = False
        self.scores: list[dict[str, Any]] = []
        self.score_arrived = threading.Event()
        self.deep_link_items: list[dict[str, Any]] = []
        self.tokens_issued = 0
        self.jwks_fetches = 0
        self.gone_lineitems: set[str] = set()  # deleted grade columns: scores get 404
        self.members: list[dict[str, Any]] = []
        self.last_launch: dict[str, Any] | None = None
        self._server: uvicorn.Server | None = None

    # --- what the tool registers -------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The values ``casebook lti register`` takes for this platform."""
        return {
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "deployment_ids": [DEPLOYMENT_ID],
            "auth_login_url": f"{self.url}/authorize",
            "auth_token_url": f"{self.url}/token",
            "keyset_url": f"{self.url}/jwks",
        }

    def registration(self) -> SpoilingRegistration:
        """The library's registration of Casebook, as the LMS admin set it up."""
        reg = SpoilingRegistration()
        spoil = self.next.spoil
        reg.spoil, reg.other_key = spoil, self.other_key
        reg.set_iss(self.issuer)
        reg.set_client_id(CLIENT_ID)
        reg.set_deployment_id("deployment-unknown" if spoil == "deployment" else DEPLOYMENT_ID)
        reg.set_oidc_login_url(f"{self.tool_url}/lti/login")
        reg.set_launch_url(f"{self.tool_url}/lti/launch")
        reg.set_deeplink_launch_url(f"{self.tool_url}/lti/launch")
        reg.set_tool_key_set_url(f"{self.tool_url}/lti/jwks")
        reg.set_platform_private_key(self.key)
        reg.set_platform_public_key(public_pem(self.key))
        return reg

    def conf(self) -> PlatformConf:
        """The library's platform configuration with the registration."""
        return PlatformConf(registration=self.registration())

    def login_url(self) -> str:
        """Where the LMS sends the browser to start a launch (the library builds it)."""
        from lti1p3platform.oidc_login import OIDCLoginAbstract

        class Login(OIDCLoginAbstract):
            def set_lti_message_hint(self, **kwargs: Any) -> None:
                self._lti_message_hint = kwargs["hint"]

            def get_redirect(self, url: str) -> str:
                return url

        login = Login(None, self.conf())
        login.set_lti_message_hint(hint=self.next.resource_link_id)
        return login.initiate_login(self.next.user_id)

    # --- the routes --------------------------------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        """The OIDC authorization endpoint: validate the preflight, sign the launch."""
        plan = self.next
        preflight = QueryRequest("GET", dict(request.query_params), {}, request.headers)
        launch = PlatformLaunch(preflight, self.conf())
        if plan.spoil == "expired":
            launch.set_id_token_expiration(-600)
        launch.set_user_data(plan.user_id, plan.roles, plan.name, plan.email)
        launch.set_launch_context_claim(plan.context_id, context_title=plan.context_title)
        launch.set_resource_link_claim(plan.resource_link_id)
        if plan.custom:
            launch.set_custom_parameters_claim(plan.custom)
        if plan.lineitem:
            launch.set_ags(
                f"{self.url}/lineitems",
                f"{self.url}/lineitems/{plan.resource_link_id}",
                allow_creating_lineitems=True,
            )
        launch.set_nrps(f"{self.url}/memberships")
        if plan.deep_link:
            launch.set_dl(f"{self.url}/deep-link-return", accept_types={"ltiResourceLink"})
        self.last_launch = launch.lti_launch()
        data = self.last_launch
        form = (
            f"<form id='f' method='post' action='{html.escape(data['launch_url'])}'>"
            f"<input type='hidden' name='id_token' value='{html.escape(data['id_token'])}'>"
            f"<input type='hidden' name='state' value='{html.escape(data['state'])}'>"
            "<button type='submit'>Launch</button></form>"
            "<script>document.getElementById('f').submit()</script>"
        )
        return HTMLResponse(f"<!doctype html><html><body>{form}</body></html>")

    async def jwks(self, request: Request) -> Response:
        self.jwks_fetches += 1
        return JSONResponse(self.conf().get_jwks())

    async def token(self, request: Request) -> Response:
        if self.token_down:
            return Response("down for maintenance", status_code=503)
        form = dict(await request.form())
        conf = self.conf()
        try:
            answer = conf.get_access_token(form)
        except Exception as exc:  # the library refuses: answer as an OAuth server does
            return JSONResponse({"error": "invalid_client", "detail": str(exc)}, 400)
        self.tokens_issued += 1
        return JSONResponse(answer)

    def _service_request(self, request: Request, body: Any) -> QueryRequest:
        return QueryRequest(request.method, dict(request.query_params), {}, request.headers, body)

    async def scores_endpoint(self, request: Request) -> Response:
        link = request.path_params["link"]
        service = Scores(
            self._service_request(request, await request.json()),
            self.conf(),
            f"{self.url}/lineitems",
            f"{self.url}/lineitems/{link}",
        )
        service.platform = self
        answer = service.handle_resp(service.handle_update_score, line_item_id=link)
        return JSONResponse({"message": answer.message}, status_code=answer.code)

    async def memberships(self, request: Request) -> Response:
        service = Members(
            self._service_request(request, None), self.conf(), f"{self.url}/memberships"
        )
        service.platform = self
        answer = service.handle_resp(service.handle_get_members)
        return JSONResponse(answer.result, status_code=answer.code, media_type=answer.media_type)

    async def deep_link_return(self, request: Request) -> Response:
        form = dict(await request.form())
        self.deep_link_items = self.conf().validate_deeplinking_resp(form)
        return HTMLResponse("<!doctype html><html><body><p>Placed.</p></body></html>")

    # --- serving -----------------------------------------------------------------------------
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/authorize", self.authorize, methods=["GET", "POST"]),
                Route("/jwks", self.jwks),
                Route("/token", self.token, methods=["POST"]),
                Route("/lineitems/{link}/scores", self.scores_endpoint, methods=["POST"]),
                Route("/memberships", self.memberships),
                Route("/deep-link-return", self.deep_link_return, methods=["POST"]),
            ]
        )

    def start(self) -> TestPlatform:
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        threading.Thread(target=self._server.run, daemon=True).start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test platform did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
