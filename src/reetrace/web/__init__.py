"""The pages: server-rendered, in Simplified Chinese and English, with every asset served by
the app itself (no CDN, no inline script).

    /login, /login/second-factor, /logout      session (password, then the second factor)
    /account                                   one's own password and second factor
    /language/{zh-Hans|en}                     language
    /                                          dashboard (staff)
    /findings, /findings/{key}                 findings, evidence, triage
    /lots, /lots/{lot}, /lots/{lot}/certificate  a lot, its trace and certificate (staff); its
                                               credentials; to anyone else, the lot's URI
    /01/{gtin}/10/{lot}                        the lot's URI as a GS1 Digital Link
    /verify, /verify/{credential_id}           the verify page of a provenance credential (anyone)
    /portal                                    the enterprise portal (enterprise users)
    /portal/applications[/{number}/answer|withdraw]  its license applications
    /portal/submissions, /portal/rejections    its submissions and its rejected files
    /portal/captures                           its EPCIS capture jobs
    /review, /review/{number}                  the export review workbench (reviewers, approvers)
    /audit, /audit/access-log                  the auditor's view: checkpoints, change history,
                                               the access log (auditors, regulators)
    /docs                                      the API's Swagger UI (staff)
"""

from __future__ import annotations

import inspect
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from reetrace.errors import Computing, Forbidden, NotFound, ReetraceError, Throttled, Unauthenticated, UsageError

STATIC = Path(__file__).parent / "static"
# the HTML status of each error a page may meet (most specific first)
PAGE_STATUS: tuple[tuple[type[ReetraceError], int], ...] = (
    (Forbidden, 403),
    (NotFound, 404),
    (UsageError, 400),
    (Unauthenticated, 401),
    (Throttled, 429),
    (Computing, 503),
    (ReetraceError, 422),
)
API_PATHS = (
    "/api",
    "/epcis",
    "/openapi.json",
    "/.well-known",
    "/credentials",
    "/contexts",
)  # answered in JSON, errors too

PUBLIC_PATHS = ("/verify", "/01/")  # pages for anyone: said in the browser's language when no cookie says one


def install(app: FastAPI) -> None:
    """Mount the pages and their static assets on `app`."""
    from reetrace.api.browser import CrossSiteRequest
    from reetrace.api.security import current_session, optional_principal
    from reetrace.web import (
        account,
        audit,
        dashboard,
        docs,
        findings,
        lot_credentials,
        lots,
        portal,
        portal_applications,
        portal_captures,
        portal_lists,
        review,
        risk,
        session,
        verify,
    )
    from reetrace.web.pages import LoginRequired, login_location, viewer
    from reetrace.web.words import Words

    docs.mount_assets(app)  # before /static, which would take its paths
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        session,
        account,
        dashboard,
        findings,
        lots,
        lot_credentials,
        portal,
        portal_applications,
        portal_lists,
        portal_captures,
        review,
        risk,
        audit,
        docs,
        verify,
    ):
        app.include_router(module.router)
    api_handler = app.exception_handlers.get(ReetraceError)

    async def page_error(request: Request, exc: Exception) -> Response:
        """Errors on a page are a page (or, logged out, the login form); the API keeps its JSON."""
        if request.url.path.startswith(API_PATHS) or not isinstance(exc, ReetraceError):
            if api_handler is None:
                raise exc
            answer = api_handler(request, exc)
            return await answer if inspect.isawaitable(answer) else answer
        if isinstance(exc, LoginRequired):
            pending = current_session(request)
            if pending is not None and not pending.ready:  # nothing but the code page before the code
                return RedirectResponse(session.second_factor_location(request), status_code=303)
            return RedirectResponse(login_location(request), status_code=303)
        status = next(code for cls, code in PAGE_STATUS if isinstance(exc, cls))
        try:
            who = optional_principal(request)
        except ReetraceError:
            who = None
        view = verify.public_viewer(request, who) if request.url.path.startswith(PUBLIC_PATHS) else viewer(request, who)
        message = Words(view.fmt).error(exc).text
        if isinstance(exc, CrossSiteRequest):
            message = view.gettext(
                "This form was sent from another site, or without its token. Reload the page and try again."
            )
        computing, again = None, None
        if isinstance(exc, Computing):
            message = view.gettext(
                "What this page shows as of %(day)s is being computed (%(percent)s%% done). Reload it in a moment."
            ) % {"day": exc.day.isoformat(), "percent": exc.percent}
            computing = exc
            # the same page asked again; not after a form (its fields would be lost). The page does
            # not reload by itself: a <meta http-equiv="refresh"> would take the page away from
            # someone still reading it (WCAG 2.2.1, failure F41).
            if request.method == "GET":
                again = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled | Computing) else None
        answer = view.render(
            "error.html", status_code=status, status=status, message=message, computing=computing, again=again
        )
        answer.headers.update(headers or {})
        return answer

    app.add_exception_handler(ReetraceError, page_error)
