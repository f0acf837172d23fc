"""Who a request acts as: an API token (`Authorization: Bearer rt_…`) for machines, or a session
cookie for people who logged in with a password (a random token; the store keeps its SHA-256
and ends it on logout, password change, role change or when the user is disabled).

A cookie is sent by the browser whoever made the page that sends the request, so every change
made under a cookie also needs proof that it comes from a page of this site: the CSRF token
(bound to the session) and a same-origin `Origin` header (reetrace.api.browser). A bearer token
is never sent by a browser on its own, so it needs neither.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import Depends, Request, Response

from reetrace.domain.accounts import Actor, Principal
from reetrace.errors import Forbidden, Unauthenticated
from reetrace.services import accounts
from reetrace.services import sessions as session_service
from reetrace.services.sessions import Current, Door
from reetrace.store.database import Store

SESSION_COOKIE = "reetrace_session"
SIGN_IN = "log in, or send an API token as 'Authorization: Bearer <token>'"
CSRF_HEADER = "X-CSRF-Token"


def store_of(request: Request) -> Store:
    return request.app.state.store


def now_of(request: Request) -> datetime:
    """The server's clock (the app's `clock`, which tests may set)."""
    clock: Callable[[], datetime] = getattr(request.app.state, "clock", lambda: datetime.now(UTC))
    return clock()


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


API_PREFIXES = ("/api", "/epcis")  # the machine-facing paths; the rest is the console


def channel_of(request: Request) -> str:
    return "api" if request.url.path.startswith(API_PREFIXES) else "console"


def door_of(request: Request) -> Door:
    return Door(channel_of(request), client_of(request), f"{request.method} {request.url.path}")


def actor_of(request: Request, who: Principal) -> Actor:
    """The actor of a request: the principal, the door (the API under /api, else the console)
    and the client's address."""
    return Actor(who, channel_of(request), client_of(request))


def bearer_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def current_session(request: Request) -> Current | None:
    """The session the request's cookie names, looked up once per request."""
    if not hasattr(request.state, "session"):
        token = session_token(request)
        request.state.session = (
            session_service.current(store_of(request), token, now_of(request), request.app.state.session_policy)
            if token
            else None
        )
    return request.state.session


def csrf_token(request: Request, token: str | None = None) -> str:
    """The CSRF token of the request's session (or of `token`, a session just opened): an HMAC
    of the session token under the app's secret. Empty without a session."""
    token = token if token is not None else session_token(request)
    if not token:
        return ""
    secret: bytes = request.app.state.session_secret
    return hmac.new(secret, b"form|" + token.encode(), hashlib.sha256).hexdigest()


def csrf_matches(request: Request, given: str | None) -> bool:
    expected = csrf_token(request)
    return bool(given) and bool(expected) and hmac.compare_digest(given or "", expected)


def _principal_of(request: Request) -> Principal | None:
    bearer = bearer_of(request)
    if bearer is not None:
        return accounts.authenticate_token(store_of(request), bearer)
    session = current_session(request)
    return session.principal if session is not None and session.ready else None


def optional_principal(request: Request) -> Principal | None:
    """Who the request acts as, if anyone. Every route and page but the capture routes starts
    here, so a capture account (which may only capture) is refused here, once for all."""
    who = _principal_of(request)
    if who is not None and who.captures_only:
        raise Forbidden(f"{who.username} is a capture account: it may only capture EPCIS documents")
    return who


async def principal(who: Principal | None = Depends(optional_principal)) -> Principal:
    """Who the request acts as; refused without one. Async: it reads nothing more, so it runs on
    the event loop, not on a thread of its own."""
    if who is None:
        raise Unauthenticated(SIGN_IN)
    return who


def capturing_principal(request: Request) -> Principal:
    """Who a capture route acts as: any principal, a capture account included."""
    who = _principal_of(request)
    if who is None:
        raise Unauthenticated(SIGN_IN)
    return who


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """The session cookie: HttpOnly (no script reads it), SameSite=Lax, Secure over HTTPS; it
    lives as long as a session may."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(request.app.state.session_policy.absolute.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
