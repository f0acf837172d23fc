"""One JSON shape for every error, mapped from the system's error tree in one place:

{"error": {"type": "not_found", "message": "lot X is not in the ledger"}}
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from reetrace.api.language import accepted_language
from reetrace.errors import (
    Computing,
    Forbidden,
    InvalidInput,
    NotFound,
    ReetraceError,
    StoreError,
    Throttled,
    Unauthenticated,
    UsageError,
)
from reetrace.web.i18n import Formats
from reetrace.web.words import Words

# most specific first
STATUS: tuple[tuple[type[ReetraceError], int, str], ...] = (
    (Unauthenticated, 401, "unauthenticated"),
    (Throttled, 429, "too_many_attempts"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (UsageError, 400, "bad_request"),
    (InvalidInput, 422, "invalid"),
    (StoreError, 503, "store_unavailable"),
    (Computing, 503, "being_computed"),
    (ReetraceError, 500, "error"),
)


def error_body(kind: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"type": kind, "message": message, **extra}}


def said_error(request: Request, exc: ReetraceError) -> dict[str, object]:
    """Beside the error's English `message`: its message id and parameters when it has them, and
    `localized` — the message in the language of `Accept-Language` (docs/i18n.md)."""
    language = accepted_language(request.headers.get("accept-language"))
    said = Words(Formats(language)).error(exc)
    extra: dict[str, object] = {"localized": {"message": said.text, "language": said.language}}
    if exc.message_id:
        extra.update(message_id=exc.message_id, params=exc.params)
    return extra


def install(app: FastAPI) -> None:
    @app.exception_handler(ReetraceError)
    async def _reetrace(request: Request, exc: ReetraceError) -> JSONResponse:
        for cls, status, kind in STATUS:
            if isinstance(exc, cls):
                headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
                if isinstance(exc, Throttled | Computing):
                    headers = {"Retry-After": str(exc.retry_after)}
                return JSONResponse(
                    error_body(kind, str(exc), **said_error(request, exc)), status_code=status, headers=headers
                )
        raise exc  # pragma: no cover - ReetraceError is last in the table

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"where": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()]
        message = "; ".join(f"{p['where']}: {p['problem']}" for p in problems[:3])
        said = said_error(
            request, InvalidInput(message, message_id="error.request_invalid", params={"count": len(problems)})
        )
        return JSONResponse(error_body("invalid", message, problems=problems, **said), status_code=422)

    # What hostile input can make a route's own code throw, though every value passed the route's
    # checks: text Unicode cannot encode (a lone surrogate, which JSON escapes allow), or a value
    # the store refuses (U+0000, a text longer than its column). The request is at fault: 422.
    @app.exception_handler(UnicodeError)
    async def _unicode(_: Request, exc: UnicodeError) -> JSONResponse:
        return JSONResponse(error_body("invalid", "the request holds text that is not Unicode"), status_code=422)

    @app.exception_handler(DataError)
    async def _unstorable(_: Request, exc: DataError) -> JSONResponse:
        return JSONResponse(error_body("invalid", "the request holds a value the store cannot keep"), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        kinds = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
        return JSONResponse(
            error_body(kinds.get(exc.status_code, "http_error"), str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
