"""The pages: server-rendered, in Simplified Chinese and English, with every asset served by
the app itself (no CDN).

    /login, /logout, /language/{zh-Hans|en}   session and language
    /                                          dashboard (staff)
    /findings, /findings/{key}                 findings, evidence, triage
    /lots, /lots/{lot}, /lots/{lot}/certificate  a lot, its trace and certificate (staff)
    /portal                                    the enterprise portal (enterprise users)
    /review, /review/{number}                  the export review workbench (reviewers, approvers)
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from reetrace.errors import Forbidden, NotFound, ReetraceError, Unauthenticated, UsageError

STATIC = Path(__file__).parent / "static"
# the HTML status of each error a page may meet (most specific first)
PAGE_STATUS: tuple[tuple[type[ReetraceError], int], ...] = (
    (Forbidden, 403),
    (NotFound, 404),
    (UsageError, 400),
    (Unauthenticated, 401),
    (ReetraceError, 422),
)


def install(app: FastAPI) -> None:
    """Mount the pages and their static assets on `app`."""
    from reetrace.api.security import optional_principal
    from reetrace.web import dashboard, findings, lots, portal, review, session
    from reetrace.web.pages import LoginRequired, login_location, viewer

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (session, dashboard, findings, lots, portal, review):
        app.include_router(module.router)
    api_handler = app.exception_handlers.get(ReetraceError)

    async def page_error(request: Request, exc: Exception) -> Response:
        """Errors on a page are a page (or, logged out, the login form); the API keeps its JSON."""
        if request.url.path.startswith("/api") or not isinstance(exc, ReetraceError):
            if api_handler is None:
                raise exc
            answer = api_handler(request, exc)  # Starlette allows a handler to be sync or async
            return answer if isinstance(answer, Response) else await answer
        if isinstance(exc, LoginRequired):
            return RedirectResponse(login_location(request), status_code=303)
        status = next(code for cls, code in PAGE_STATUS if isinstance(exc, cls))
        try:
            who = optional_principal(request)
        except ReetraceError:
            who = None
        return viewer(request, who).render("error.html", status_code=status, status=status, message=str(exc))

    app.add_exception_handler(ReetraceError, page_error)
