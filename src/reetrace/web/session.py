"""Logging in and out (the API's signed session cookie), and the language switch."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from reetrace.api.security import SESSION_COOKIE, SESSION_SECONDS, session_cookie, store_of
from reetrace.errors import Unauthenticated
from reetrace.services import accounts
from reetrace.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from reetrace.web.pages import Viewer, home_of, safe_next, viewer

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_page(next: str | None = None, view: Viewer = Depends(viewer)) -> Response:
    if view.principal is not None:
        return RedirectResponse(safe_next(next, home_of(view.principal)), status_code=303)
    return view.render("login.html", next=safe_next(next, ""), error=None, username="")


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    next: str = Form(""),
    view: Viewer = Depends(viewer),
) -> Response:
    try:
        who = accounts.authenticate_password(store_of(request), username.strip(), password)
    except Unauthenticated:
        return view.render(
            "login.html",
            status_code=401,
            next=safe_next(next, ""),
            username=username,
            error=view.gettext("Unknown user or wrong password."),
        )
    target = safe_next(next, home_of(who))
    response = RedirectResponse(home_of(who) if target == "/" else target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_cookie(request.app.state.session_secret, who.username),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(form_token: str = Form(""), view: Viewer = Depends(viewer)) -> Response:
    view.check_form(form_token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/language/{language}")
def switch_language(language: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next, "/"), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response
