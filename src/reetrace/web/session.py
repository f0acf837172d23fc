"""Logging in (the password, then the second factor's code, or its enrolment when the role
requires one and the account has none), logging out, and the language switch.

A session waiting for its second factor authenticates nothing: every other page sends it back
here. The secret of a second factor being enrolled travels in the form, sealed with an HMAC
bound to the session, so it is stored only once a code of it was given.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from reetrace.api.security import (
    clear_session_cookie,
    current_session,
    door_of,
    now_of,
    session_token,
    set_session_cookie,
    store_of,
)
from reetrace.domain import passwords
from reetrace.domain import sessions as rules
from reetrace.errors import Throttled, Unauthenticated, UsageError
from reetrace.services import second_factor
from reetrace.services import sessions as session_service
from reetrace.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from reetrace.web.pages import Viewer, home_of, safe_next, viewer

router = APIRouter(include_in_schema=False)
SECOND_FACTOR = "/login/second-factor"


def second_factor_location(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"{SECOND_FACTOR}?next=" + quote(safe_next(target, "/"), safe="")


def throttled_message(view: Viewer, exc: Throttled) -> str:
    return view.gettext("Too many attempts. Try again in %(seconds)s seconds.") % {"seconds": exc.retry_after}


def weak_password_message(view: Viewer, exc: passwords.WeakPassword) -> str:
    messages = {
        passwords.TOO_SHORT: view.gettext("A password has at least %(n)s characters.") % {"n": passwords.MIN_LENGTH},
        passwords.TOO_LONG: view.gettext("A password has at most %(n)s characters.") % {"n": passwords.MAX_LENGTH},
        passwords.NAME: view.gettext("A password may not contain the user name."),
        passwords.COMMON: view.gettext("This password is one of the most used in breaches. Choose another."),
    }
    return messages[exc.reason]


def seal(request: Request, secret: str) -> str:
    """An HMAC binding a second factor's secret being enrolled to the session that was shown it."""
    key: bytes = request.app.state.session_secret
    message = b"enrol|" + (session_token(request) or "").encode() + b"|" + secret.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def unsealed(request: Request, secret: str, sealed: str) -> str:
    if not secret or len(secret) > 64 or not hmac.compare_digest(seal(request, secret), sealed):
        raise UsageError("the enrolment form was changed")
    return secret


def enrolment(request: Request, username: str) -> dict[str, object]:
    """What a page needs to enrol a new second factor: the secret (sealed), its URI and QR code."""
    import segno

    secret = second_factor.new_secret()
    uri = second_factor.provisioning_uri(secret, username)
    qr = segno.make(uri, error="m").svg_inline(scale=4, svgclass="qr", lineclass="qr-line")
    return {"secret": secret, "seal": seal(request, secret), "uri": uri, "qr": Markup(qr)}


@router.get("/login")
def login_page(request: Request, next: str | None = None, view: Viewer = Depends(viewer)) -> Response:
    if view.principal is not None:
        return RedirectResponse(safe_next(next, home_of(view.principal)), status_code=303)
    pending = current_session(request)
    if pending is not None and not pending.ready:
        return RedirectResponse(f"{SECOND_FACTOR}?next=" + quote(safe_next(next, "/"), safe=""), status_code=303)
    return view.render("login.html", next=safe_next(next, ""), error=None, username="")


@router.post("/login")
def login(
    request: Request,
    username: str = Form("", max_length=1024),
    password: str = Form("", max_length=4096),
    next: str = Form("", max_length=2048),
    view: Viewer = Depends(viewer),
) -> Response:
    def refused(status: int, error: str, headers: dict[str, str] | None = None) -> Response:
        page = view.render("login.html", status_code=status, next=safe_next(next, ""), username=username, error=error)
        page.headers.update(headers or {})
        return page

    try:
        opened = session_service.log_in(
            store_of(request),
            request.app.state.login_gate,
            door_of(request),
            username,
            password,
            now_of(request),
            session_token(request),
            policy=request.app.state.session_policy,
        )
    except Throttled as exc:
        return refused(429, throttled_message(view, exc), {"Retry-After": str(exc.retry_after)})
    except Unauthenticated:
        return refused(401, view.gettext("Unknown user or wrong password."))
    target = safe_next(next, home_of(opened.principal))
    if opened.needs == rules.READY:
        response = RedirectResponse(home_of(opened.principal) if target == "/" else target, status_code=303)
    else:
        response = RedirectResponse(f"{SECOND_FACTOR}?next=" + quote(target, safe=""), status_code=303)
    set_session_cookie(request, response, opened.token)
    return response


def _second_factor_page(
    request: Request, view: Viewer, next: str, error: str | None = None, status_code: int = 200
) -> Response:
    pending = current_session(request)
    if pending is None or pending.ready:
        return RedirectResponse("/login", status_code=303)
    enrolled = session_service.has_second_factor(store_of(request), pending.principal.username)
    return view.render(
        "second_factor.html",
        status_code=status_code,
        next=safe_next(next, ""),
        error=error,
        username=pending.principal.username,
        enrol=None if enrolled else enrolment(request, pending.principal.username),
    )


@router.get(SECOND_FACTOR)
def second_factor_page(request: Request, next: str | None = None, view: Viewer = Depends(viewer)) -> Response:
    return _second_factor_page(request, view, next or "")


@router.post(SECOND_FACTOR)
def give_second_factor(
    request: Request,
    code: str = Form("", max_length=64),
    secret: str = Form("", max_length=128),
    sealed: str = Form("", alias="seal", max_length=128),
    next: str = Form("", max_length=2048),
    form_token: str = Form("", max_length=128),
    view: Viewer = Depends(viewer),
) -> Response:
    view.check_form(form_token)
    token = session_token(request) or ""
    try:
        if secret:
            who = session_service.enrol(
                store_of(request),
                door_of(request),
                token,
                unsealed(request, secret, sealed),
                code,
                now_of(request),
                request.app.state.session_policy,
            )
        else:
            who = session_service.give_code(
                store_of(request), door_of(request), token, code, now_of(request), request.app.state.session_policy
            )
    except Throttled as exc:
        page = _second_factor_page(request, view, next, throttled_message(view, exc), 429)
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except Unauthenticated:
        if current_session(request) is None:
            return RedirectResponse("/login", status_code=303)
        return _second_factor_page(request, view, next, view.gettext("The code is wrong, or was used already."), 401)
    target = safe_next(next, home_of(who))
    return RedirectResponse(home_of(who) if target == "/" else target, status_code=303)


@router.post("/logout")
def logout(request: Request, form_token: str = Form("", max_length=128), view: Viewer = Depends(viewer)) -> Response:
    view.check_form(form_token)
    token = session_token(request)
    if token:
        session_service.log_out(store_of(request), door_of(request), token, now_of(request))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/language/{language}")
def switch_language(language: str, next: str | None = None) -> Response:
    response = RedirectResponse(safe_next(next, "/"), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, samesite="lax")
    return response
