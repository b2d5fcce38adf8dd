"""``casebook lti``: register an LMS, list them, rotate the tool's key, deliver waiting scores.

The database is ``CASEBOOK_DATABASE_URL``; the tool's key is ``CASEBOOK_LTI_KEY_FILE`` (default
``data/lti-tool-key.pem``). A refused setting or a database fault prints one line, exits 1.
"""

from __future__ import annotations

import click

from casebook.commands_sessions import _clean_failures, _engine
from classroom.lti import keys, outbox, platforms


@click.group("lti")
def lti_group() -> None:
    """LTI 1.3: the LMS platforms Casebook can be launched from (docs/lti.md)."""


@lti_group.command("register")
@click.option(
    "--issuer",
    required=True,
    help="The platform's issuer (iss), e.g. https://canvas.instructure.com.",
)
@click.option("--client-id", required=True, help="The client id the platform gave Casebook.")
@click.option(
    "--deployment-id",
    "deployment_ids",
    required=True,
    multiple=True,
    help="A deployment id the platform launches with (repeat for several).",
)
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorization URL.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth 2 token URL.")
@click.option("--keyset-url", required=True, help="The platform's public key set (JWKS) URL.")
@click.option("--auth-audience", default=None, help="The token URL's audience, when it differs.")
def register(
    issuer: str,
    client_id: str,
    deployment_ids: tuple[str, ...],
    auth_login_url: str,
    auth_token_url: str,
    keyset_url: str,
    auth_audience: str | None,
) -> None:
    """Add a platform (or update it, adding deployment ids)."""
    with _clean_failures():
        found = platforms.register_platform(
            _engine(),
            issuer=issuer,
            client_id=client_id,
            deployment_ids=list(deployment_ids),
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            keyset_url=keyset_url,
            auth_audience=auth_audience,
        )
    click.echo(
        f"platform {found.id}: {found.issuer} (client id {found.client_id}), "
        f"deployments {', '.join(found.deployment_ids)}"
    )


@lti_group.command("list")
def list_platforms() -> None:
    """Every registered platform: id, issuer, client id, deployments, URLs."""
    with _clean_failures():
        found = platforms.list_platforms(_engine())
    if not found:
        click.echo("no platform is registered (casebook lti register --help)")
    for p in found:
        click.echo(f"{p.id}\t{p.issuer}\t{p.client_id}\t{','.join(p.deployment_ids)}")
        click.echo(f"\tlogin {p.auth_login_url}\n\ttoken {p.auth_token_url}\n\tkeys {p.keyset_url}")


@lti_group.command("rotate-key")
def rotate_key() -> None:
    """Replace the tool's signing key; the old one stays published until the next rotation."""
    with _clean_failures():
        kid = keys.rotate_key()
    click.echo(f"new key {kid} in {keys.key_file()} (the previous one is still in /lti/jwks)")


@lti_group.command("deliver")
def deliver() -> None:
    """Post every score waiting for an LMS now (the app also does this every few seconds)."""
    with _clean_failures():
        counts = outbox.deliver_due(_engine())
    click.echo(", ".join(f"{n} {status}" for status, n in counts.items()))
