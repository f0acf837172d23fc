"""Defences for what a browser does on a signed-in person's behalf.

- `same_origin` (a dependency of every route): a request that may change something (any method
  but GET, HEAD and OPTIONS) and comes without a bearer token must come from a page of this
  site: its `Origin` (or, when a browser sends none, its `Referer`) must be this site's own
  origin, scheme, host and port alike (a page on another port of the same host is another
  origin), and one carrying the session cookie must have one at all. Under /api/ a request
  carrying the session cookie must also send the session's CSRF token in `X-CSRF-Token` (forms
  carry it as `form_token`, checked by each form's route). Logging in needs no token: there is
  no session yet.
- `SecurityHeaders` (a middleware): on every answer, a Content Security Policy that lets a page
  load and run nothing but this site's own files (no inline script) and be framed by nobody,
  `X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`, a `Referrer-Policy` that sends
  addresses to this site only, and `Cache-Control: no-store` on everything but the static
  assets (pages and API answers hold data that must not stay in a shared cache).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reetrace.api.security import CSRF_HEADER, bearer_of, csrf_matches, session_token
from reetrace.errors import Forbidden

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGINS = frozenset({("POST", "/api/session"), ("POST", "/login")})
DEFAULT_PORTS = {"http": 80, "https": 443}

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
STATIC_PREFIXES = ("/static/",)


class CrossSiteRequest(Forbidden):
    """A change that does not come from a page of this site (or has no valid CSRF token)."""


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin or URL; None when it names none (`null`, garbage)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def own_origin(request: Request) -> tuple[str, str, int] | None:
    return origin(f"{request.url.scheme}://{request.url.netloc}")


def sender_origin(request: Request) -> str | None:
    """Where the request says it comes from: its Origin, else its Referer; None when neither."""
    return request.headers.get("origin") or request.headers.get("referer")


async def same_origin(request: Request) -> None:
    """Refuses a change that a page of another site may have sent under the session cookie.
    Async: it reads only the request, so it runs on the event loop, not on a thread of its own."""
    if request.method in SAFE_METHODS or bearer_of(request) is not None:
        return
    has_session = session_token(request) is not None
    sender = sender_origin(request)
    if sender is not None and origin(sender) != own_origin(request):
        raise CrossSiteRequest("refused: the request comes from another site")
    if sender is None and has_session:
        raise CrossSiteRequest("refused: a change made with the session cookie must say where it comes from (Origin)")
    if (
        has_session
        and request.url.path.startswith("/api/")
        and (request.method, request.url.path) not in LOGINS
        and not csrf_matches(request, request.headers.get(CSRF_HEADER))
    ):
        raise CrossSiteRequest(f"refused: a change made with the session cookie needs the {CSRF_HEADER} header")


class SecurityHeaders:
    """Adds the headers above to every answer."""

    def __init__(self, app: ASGIApp, overrides: dict[str, dict[str, str]] | None = None):
        self.app = app
        self.overrides = overrides or {}  # per path: headers that differ there

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in {**HEADERS, **self.overrides.get(path, {})}.items():
                    headers[name] = value
                if not path.startswith(STATIC_PREFIXES):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
