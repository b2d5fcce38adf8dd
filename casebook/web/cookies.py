"""HttpOnly, SameSite cookies for the app's routes, and the checks a cookie route needs."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response


def is_https(request: Request) -> bool:
    """Whether the browser reached us over HTTPS (behind a trusted proxy: its X-Forwarded-Proto,
    which uvicorn applies for the addresses in ``CASEBOOK_TRUSTED_PROXIES``)."""
    return request.url.scheme == "https"


def set_cookie(
    response: Response, request: Request, name: str, value: str, max_age: int, path: str = "/"
) -> None:
    """Set a cookie scripts cannot read (HttpOnly), never sent cross-site (SameSite=Strict),
    and Secure whenever the page is served over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def clear_cookie(response: Response, request: Request, name: str, path: str = "/") -> None:
    """Delete a cookie set by ``set_cookie``."""
    response.delete_cookie(
        name, path=path, httponly=True, samesite="strict", secure=is_https(request)
    )


def same_origin(request: Request) -> bool:
    """False for a request a page of another site made (a form posted from elsewhere).

    Browsers send ``Origin`` with every POST; a missing header (curl, an old client) is
    allowed, as Starlette and Django do for non-browser clients.
    """
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site (no scheme, host or ``//``), else ``default``.

    Keeps a ``next=`` parameter from becoming an open redirect.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target
