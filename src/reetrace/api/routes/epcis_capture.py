"""EPCIS 2.0 capture (contract §10, docs/epcis.md "Capture"): `POST /epcis/capture` takes an
`EPCISDocument` signed with a detached JWS (`JWS-Signature`); `GET /epcis/capture/{id}` and
`GET /epcis/capture` read capture jobs.

At the root, where EPCIS tools look for them, not under /api; with the API's accounts, tokens,
error shape and tenant isolation. These are the only routes a capture account's tokens open
(`capturing_principal`; every other route and page refuses them).

A capture that cannot be authenticated (no or a bad signature, an unknown key, a body that is
not JSON or beyond the bounds) is answered at once, 4xx, its message starting with the reason
class; one that was signed is answered 202 with its job, which failed when the document is
refused (schema, reporter, conflict) and succeeded when it was recorded, or was already.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.requests import ClientDisconnect

from reetrace.api import access
from reetrace.api.errors import error_body
from reetrace.api.language import accepted_language
from reetrace.api.pagination import Page, page
from reetrace.api.security import actor_of, capturing_principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.domain.captures import CaptureEnvelope
from reetrace.domain.problems import Problem
from reetrace.domain.submissions import Rejection
from reetrace.errors import Forbidden, UsageError
from reetrace.services import captures
from reetrace.services.intake import read_stream
from reetrace.web.i18n import Formats
from reetrace.web.words import Words

router = APIRouter(prefix="/epcis", tags=["epcis"])
MEDIA_TYPES = ("application/ld+json", "application/json")
DOOR = "POST /epcis/capture"
# the status of a capture refused at once, by reason class (bytes beyond the bound: 413)
AT_ONCE = {"parse": 400, "schema": 400, "signature": 422, "key": 422}
MAX_ID = 2**31 - 1  # the largest job id (an integer column)

CAPTURE_BODY = {
    "required": True,
    "description": "An EPCIS 2.0 `EPCISDocument` (JSON-LD), exactly as signed; at most 64 MiB (beyond it a "
    "rejection, recorded with the body's digest and size). Signed by a detached JWS in `JWS-Signature`: "
    '`base64url(header)..base64url(signature)`, the header exactly `{"alg": "EdDSA", "kid": "<key id>"}`, '
    'the signature over `base64url(header) "." base64url(body)` (RFC 7515 Appendix F).',
    "content": {media: {"schema": {"type": "object"}} for media in MEDIA_TYPES},
}


@router.post(
    "/capture",
    openapi_extra={
        "requestBody": CAPTURE_BODY,
        "parameters": [{"in": "header", "name": "JWS-Signature", "required": True, "schema": {"type": "string"}}],
    },
    status_code=202,
    responses={
        202: {"description": "Captured or refused as a whole; the job says which (`Location`: the job)."},
        400: {"description": "Not JSON, or beyond the bounds (parse, schema); recorded."},
        413: {"description": "Beyond 64 MiB (schema); recorded with the body's digest and size."},
        415: {"description": "Not application/ld+json or application/json."},
        422: {"description": "Not signed by a key of the enterprise (signature, key); recorded."},
    },
)
async def capture(request: Request, who: Principal = Depends(capturing_principal)) -> JSONResponse:
    """Capture one EPCIS document for the caller's enterprise, all or nothing: its events are
    recorded as that enterprise's, exactly as a §4 submission's would be."""
    who.require("capture")
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media not in MEDIA_TYPES:
        said = f"a capture is an EPCIS document sent as {' or '.join(MEDIA_TYPES)}, not {media[:60] or 'untyped'}"
        return JSONResponse(error_body("unsupported_media_type", said), status_code=415)
    store, settings = store_of(request), request.app.state.settings
    envelope = CaptureEnvelope(request.headers.get("jws-signature"), who.uscc)
    try:
        delivery = await read_stream(f"epcis/{who.uscc}/{who.username}", request.stream())  # never held beyond bound
    except ClientDisconnect:
        raise UsageError("the request body ended before it was complete") from None
    done = await run_in_threadpool(
        captures.receive_capture,
        store,
        settings,
        replace(delivery, capture=envelope),
        actor_of(request, who),
        DOOR,
        who.uscc,
    )
    job, rejection = done.job, done.rejection
    if rejection is not None and not _signed(rejection):
        return _refused(request, rejection, job)
    return JSONResponse(job, status_code=202, headers={"Location": f"/epcis/capture/{job['captureID']}"})


def _signed(rejection: Rejection) -> bool:
    """Whether a refused capture was signed with a key its enterprise could sign with."""
    return rejection.capture is not None and rejection.capture.signed and rejection.reason_class != "key"


def _refused(request: Request, rejection: Rejection, job: dict[str, Any]) -> JSONResponse:
    """A capture refused at once, in the API's error shape, said in the reader's language too."""
    detail = rejection.detail
    status = AT_ONCE.get(rejection.reason_class, 422)
    if isinstance(detail, Problem) and detail.id == "too_large":
        status = 413
    said = Words(Formats(accepted_language(request.headers.get("accept-language")))).problem(detail)
    extra: dict[str, Any] = {"localized": {"message": said.text, "language": said.language}}
    if isinstance(detail, Problem):
        extra.update(message_id=detail.id, params=detail.params)
    body = {**error_body("rejected", rejection.reason, **extra), "captureID": job["captureID"]}
    return JSONResponse(body, status_code=status, headers={"Content-Language": said.language})


def _reader(who: Principal) -> None:
    """Staff read every enterprise's jobs; a user or capture account, its enterprise's."""
    if not who.is_staff and who.uscc is None:
        raise Forbidden(f"{who.username} ({who.role}) may not read capture jobs")


@router.get("/capture/{capture_id}")
def capture_job(
    request: Request,
    capture_id: str = Path(..., description="The job's id (`captureID`)."),
    who: Principal = Depends(capturing_principal),
) -> dict[str, Any]:
    """One capture job: whether it succeeded, and each error with its reason class and where
    in the document it is (a JSON Pointer). Another enterprise's job is not found."""
    _reader(who)
    found = captures.capture_job(store_of(request), int(capture_id)) if _an_id(capture_id) else None
    if found is None or not who.sees(found["enterprise"]):
        raise access.unseen(request, who, "capture", found["enterprise"] if found else None)
    access.read(request, who, found["enterprise"])
    return found


def _an_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID


@router.get("/capture")
def capture_jobs(
    request: Request,
    enterprise: str | None = Query(None, max_length=18, description="Only this enterprise's (USCC); staff."),
    p: Page = Depends(page),
    who: Principal = Depends(capturing_principal),
) -> dict[str, Any]:
    """Capture jobs, newest first. An enterprise's user or capture account: its enterprise's."""
    _reader(who)
    if not who.is_staff:
        enterprise = who.uscc
    items, total = captures.capture_jobs(store_of(request), enterprise, p.limit, p.offset)
    access.read(request, who, enterprise)
    return p.answer(items, total)
