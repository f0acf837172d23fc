"""Who a request acts as: an API token (`Authorization: Bearer rt_…`) for machines, or a signed
session cookie for people who logged in with a password. Staff reads of one enterprise's data
and every change are written to the access log."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from fastapi import Depends, Request

from reetrace.domain.accounts import Actor, Principal
from reetrace.errors import Unauthenticated
from reetrace.services import accounts
from reetrace.store.database import Store

SESSION_COOKIE = "reetrace_session"
SESSION_SECONDS = 12 * 3600


def store_of(request: Request) -> Store:
    return request.app.state.store


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()


def session_cookie(secret: bytes, username: str, now: float | None = None) -> str:
    expires = int((now or time.time()) + SESSION_SECONDS)
    payload = base64.urlsafe_b64encode(f"{username}|{expires}".encode()).decode()
    return f"{payload}.{_sign(secret, payload)}"


def session_user(secret: bytes, cookie: str | None, now: float | None = None) -> str | None:
    if not cookie or "." not in cookie:
        return None
    payload, _, signature = cookie.rpartition(".")
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    try:
        username, _, expires = base64.urlsafe_b64decode(payload.encode()).decode().rpartition("|")
    except (ValueError, UnicodeDecodeError):
        return None
    if not expires.isdigit() or int(expires) < (now or time.time()):
        return None
    return username


def actor_of(request: Request, who: Principal) -> Actor:
    """The actor of a request: the principal, the door (the API under /api, else the console)
    and the client's address."""
    channel = "api" if request.url.path.startswith("/api") else "console"
    return Actor(who, channel, request.client.host if request.client else None)


def optional_principal(request: Request) -> Principal | None:
    store = store_of(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return accounts.authenticate_token(store, header[7:].strip())
    username = session_user(request.app.state.session_secret, request.cookies.get(SESSION_COOKIE))
    return accounts.principal_of(store, username) if username else None


def principal(who: Principal | None = Depends(optional_principal)) -> Principal:
    if who is None:
        raise Unauthenticated("log in, or send an API token as 'Authorization: Bearer <token>'")
    return who
