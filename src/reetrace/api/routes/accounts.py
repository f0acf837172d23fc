"""Sessions for people (log in with a password: a signed cookie), and the access log
(regulators and auditors)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from reetrace.api.pagination import Page, page
from reetrace.api.security import SESSION_COOKIE, SESSION_SECONDS, principal, session_cookie, store_of
from reetrace.domain.accounts import Principal
from reetrace.errors import Forbidden
from reetrace.services import accounts
from reetrace.store import accounts_repo
from reetrace.store import tables as t

router = APIRouter(prefix="/api", tags=["accounts"])
READS_ACCESS_LOG = ("regulator", "auditor")


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


@router.get("/access-log")
def access_log(request: Request, p: Page = Depends(page), who: Principal = Depends(principal)) -> dict[str, Any]:
    """Every change and every staff read of one enterprise's data, newest first."""
    if who.role not in READS_ACCESS_LOG:
        raise Forbidden(f"{who.username} ({who.role}) may not read the access log")
    with store_of(request).reading() as conn:
        total = conn.scalar(select(func.count()).select_from(t.access_log)) or 0
        rows = accounts_repo.access_entries(conn, p.limit, p.offset)
    return p.answer(
        [
            {
                "id": r.id,
                "at": r.at,
                "username": r.username,
                "role": r.role,
                "action": r.action,
                "what": r.what,
                "enterprise": r.enterprise,
                "detail": r.detail,
            }
            for r in rows
        ],
        total,
    )
