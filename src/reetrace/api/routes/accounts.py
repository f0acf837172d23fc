"""Sessions for people (log in with a password: a signed cookie)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from reetrace.api.security import SESSION_COOKIE, SESSION_SECONDS, session_cookie, store_of
from reetrace.services import accounts

router = APIRouter(prefix="/api", tags=["accounts"])


class Login(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=1, max_length=1024)


@router.post("/session")
async def login(request: Request, response: Response, body: Login) -> dict[str, Any]:
    """Log in with a password; the answer sets the session cookie (HttpOnly, SameSite=Strict)."""
    who = await run_in_threadpool(accounts.authenticate_password, store_of(request), body.username, body.password)
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie(request.app.state.session_secret, who.username),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return {"username": who.username, "role": who.role, "uscc": who.uscc}


@router.delete("/session", status_code=204)
def logout(response: Response) -> Response:
    """Log out: the session cookie is cleared."""
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.status_code = 204
    return response
