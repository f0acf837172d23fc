"""Sessions for people (log in with a password, and the second factor's code when the account has
one: a session cookie, and the CSRF token its changes must send), and a person's own password
change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from reetrace.api.security import (
    CSRF_HEADER,
    clear_session_cookie,
    csrf_token,
    door_of,
    now_of,
    principal,
    session_token,
    set_session_cookie,
    store_of,
)
from reetrace.domain.accounts import Principal
from reetrace.services import sessions as session_service

router = APIRouter(prefix="/api", tags=["accounts"])


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=1, max_length=1024)
    code: str | None = Field(None, max_length=16, description="The second factor's code, when the account has one.")


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(..., min_length=1, max_length=1024)
    new_password: str = Field(..., min_length=1, max_length=1024)


@router.post("/session")
async def login(request: Request, response: Response, body: Login) -> dict[str, Any]:
    """Log in with a password (and the second factor's code when the account has one); the
    answer sets the session cookie (HttpOnly, SameSite=Lax) and gives the CSRF token that every
    change made with that cookie sends as `X-CSRF-Token`. Too many failures: 429 with
    Retry-After."""
    opened = await run_in_threadpool(
        session_service.log_in,
        store_of(request),
        request.app.state.login_gate,
        door_of(request),
        body.username,
        body.password,
        now_of(request),
        session_token(request),
        body.code,
        request.app.state.session_policy,
        False,
    )
    set_session_cookie(request, response, opened.token)
    who = opened.principal
    return {
        "username": who.username,
        "role": who.role,
        "uscc": who.uscc,
        "csrf_token": csrf_token(request, opened.token),
    }


@router.delete("/session", status_code=204)
def logout(request: Request, response: Response) -> Response:
    """Log out: the session ends on the server and its cookie is cleared."""
    token = session_token(request)
    if token:
        session_service.log_out(store_of(request), door_of(request), token, now_of(request))
    clear_session_cookie(response)
    response.status_code = 204
    return response


@router.post("/account/password")
async def change_password(
    request: Request, response: Response, body: PasswordChange, who: Principal = Depends(principal)
) -> dict[str, Any]:
    """Change one's own password (the current one is needed, and wrong guesses are throttled
    like logins). Every session of the account ends; the one that made the change goes on under
    a new cookie, with a new CSRF token."""
    token = session_token(request)
    from_session = token is not None and request.headers.get("authorization") is None
    new_token = await run_in_threadpool(
        session_service.change_password,
        store_of(request),
        request.app.state.login_gate,
        door_of(request),
        who,
        body.current_password,
        body.new_password,
        now_of(request),
        token if from_session else None,
        request.app.state.session_policy,
    )
    if new_token is None:
        return {"username": who.username, "changed": True}
    set_session_cookie(request, response, new_token)
    response.headers[CSRF_HEADER] = csrf_token(request, new_token)
    return {"username": who.username, "changed": True, "csrf_token": csrf_token(request, new_token)}
