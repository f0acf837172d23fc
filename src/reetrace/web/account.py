"""A signed-in person's own account: change the password (the current one is asked for; every
other session of theirs ends, this one goes on under a new cookie) and enrol a second factor
when the account has none."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from reetrace.api.security import door_of, now_of, session_token, set_session_cookie, store_of
from reetrace.domain.passwords import WeakPassword
from reetrace.errors import Forbidden, Throttled, Unauthenticated
from reetrace.services import sessions as session_service
from reetrace.web.pages import Viewer, signed_in
from reetrace.web.session import enrolment, throttled_message, unsealed, weak_password_message

router = APIRouter(include_in_schema=False)


def account_page(
    request: Request,
    view: Viewer,
    status_code: int = 200,
    password_error: str | None = None,
    factor_error: str | None = None,
    done: str | None = None,
) -> Response:
    username = view.who.username
    enrolled = session_service.has_second_factor(store_of(request), username)
    return view.render(
        "account.html",
        status_code=status_code,
        password_error=password_error,
        factor_error=factor_error,
        done=done,
        enrolled=enrolled,
        enrol=None if enrolled or session_token(request) is None else enrolment(request, username),
    )


@router.get("/account")
def account(request: Request, done: str | None = None, view: Viewer = Depends(signed_in)) -> Response:
    changed = view.gettext("Your password is changed. Your other sessions have ended.") if done == "password" else None
    return account_page(request, view, done=changed)


@router.post("/account/password")
def change_password(
    request: Request,
    current_password: str = Form("", max_length=4096),
    new_password: str = Form("", max_length=4096),
    repeated: str = Form("", max_length=4096),
    form_token: str = Form("", max_length=128),
    view: Viewer = Depends(signed_in),
) -> Response:
    view.check_form(form_token)
    if new_password != repeated:
        return account_page(request, view, 422, password_error=view.gettext("The two new passwords differ."))
    try:
        token = session_service.change_password(
            store_of(request),
            request.app.state.login_gate,
            door_of(request),
            view.who,
            current_password,
            new_password,
            now_of(request),
            session_token(request),
            request.app.state.session_policy,
        )
    except WeakPassword as exc:
        return account_page(request, view, 422, password_error=weak_password_message(view, exc))
    except Forbidden:
        return account_page(request, view, 403, password_error=view.gettext("The current password is not right."))
    except Throttled as exc:
        page = account_page(request, view, 429, password_error=throttled_message(view, exc))
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    answer = RedirectResponse("/account?done=password", status_code=303)
    if token:
        set_session_cookie(request, answer, token)
    return answer


@router.post("/account/second-factor")
def enrol(
    request: Request,
    code: str = Form("", max_length=64),
    secret: str = Form("", max_length=128),
    sealed: str = Form("", alias="seal", max_length=128),
    form_token: str = Form("", max_length=128),
    view: Viewer = Depends(signed_in),
) -> Response:
    view.check_form(form_token)
    try:
        session_service.enrol(
            store_of(request),
            door_of(request),
            session_token(request) or "",
            unsealed(request, secret, sealed),
            code,
            now_of(request),
            request.app.state.session_policy,
        )
    except Throttled as exc:
        page = account_page(request, view, 429, factor_error=throttled_message(view, exc))
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except Unauthenticated:
        return account_page(request, view, 401, factor_error=view.gettext("The code is wrong, or was used already."))
    return account_page(request, view, done=view.gettext("The second factor is enrolled."))
