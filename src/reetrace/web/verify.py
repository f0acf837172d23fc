"""The verify page (docs/credentials.md, "Verifying"), for anyone, signed in or not: a buyer's
phone pointed at a certificate's QR code, a customs officer with a credential file.

    /verify/{credential_id}   a credential this server issued, checked as issued, its status
                              from the server's records
    /verify                   a form to check a credential file one holds (POST: the file)

An uploaded file is checked offline: nothing named in it is fetched (a file could name any
address, and the server would fetch it for whoever sent it). Its issuer's keys are had only
when the issuer is this server; a credential of another issuer is said to be one, to be checked
with `reetrace credential verify --did-document`. A file is read to at most 1 MiB.

Without a language cookie these pages speak the reader's language as the browser ranks it
(`Accept-Language`): Chinese when Chinese comes first, else English, so that a phone abroad
reads it in English; the language links still switch. Nothing here is written to the access
log: the page shows only what a credential states, and anyone may fetch the credential itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from reetrace.api.language import accepted_language
from reetrace.api.security import optional_principal, store_of
from reetrace.credentials.verify import CredentialReport
from reetrace.domain.accounts import Principal
from reetrace.domain.submissions import MAX_DEPTH
from reetrace.errors import NotFound
from reetrace.ledger.canonical import nesting_exceeds
from reetrace.services import credentials as service
from reetrace.services.credential_verify import verify_credential_file
from reetrace.store.credentials_repo import CredentialRow
from reetrace.web.credential_view import shown
from reetrace.web.i18n import LANGUAGE_COOKIE, LANGUAGES, _
from reetrace.web.pages import Viewer
from reetrace.web.words import Words

router = APIRouter(include_in_schema=False)
UPLOAD_LIMIT = 1 << 20  # bytes of a credential file
FORM_FRAMING = 16 << 10  # what a multipart form adds around the file, at most
CREDENTIAL_ID = re.compile(r"[0-9a-f-]{36}")

TOO_LARGE = _("A credential file is at most 1 MiB; this one is larger.")
NO_FILE = _("Choose a credential file to check.")
NOT_JSON = _("The file is not JSON text: a credential is a JSON file (UTF-8).")
NOT_OBJECT = _("The file is JSON, but not a credential: a credential is a JSON object.")
NOT_FORM = _("The form could not be read. Choose the file again and send it.")


def public_language(request: Request) -> str:
    """The language cookie's, else the browser's: Chinese when it ranks Chinese first, English
    for any other language it names, the default when it names none."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    header = request.headers.get("accept-language", "")
    tags = [part.split(";")[0].strip().lower() for part in header.split(",")]
    if any(tag.startswith("zh") for tag in tags) or not any(tag and tag != "*" for tag in tags):
        return accepted_language(header)
    return "en"


def public_viewer(request: Request, who: Principal | None = Depends(optional_principal)) -> Viewer:
    return Viewer(request, who, public_language(request))


def render_report(request: Request, view: Viewer, report: CredentialReport, status_code: int = 200) -> HTMLResponse:
    settings = request.app.state.settings
    words = Words(view.fmt)
    return view.render(
        "verify.html",
        status_code=status_code,
        shown=shown(words, report, settings.public_url),
        own_issuer=report.issuer == service.issuer_did(settings),
        public_url=settings.public_url,
    )


def credential_page(request: Request, view: Viewer, row: CredentialRow) -> HTMLResponse:
    """The verify page of a credential this server issued."""
    report = verify_credential_file(
        row.document, settings=request.app.state.settings, store=store_of(request), online=False
    )
    return render_report(request, view, report)


@router.get("/verify/{credential_id}")
def verify_issued(request: Request, credential_id: str, view: Viewer = Depends(public_viewer)) -> Response:
    try:
        if CREDENTIAL_ID.fullmatch(credential_id) is None:  # a page: any other address is not found
            raise NotFound(credential_id)
        row = service.credential(store_of(request), credential_id)
    except NotFound:
        raise NotFound(view.gettext("This server issued no credential with this address.")) from None
    return credential_page(request, view, row)


@router.get("/verify")
def verify_form(view: Viewer = Depends(public_viewer)) -> Response:
    return view.render("verify.html", shown=None)


@router.post("/verify")
async def verify_upload(request: Request, view: Viewer = Depends(public_viewer)) -> Response:
    declared = request.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > UPLOAD_LIMIT + FORM_FRAMING:
        return _refused(view, TOO_LARGE, 413)
    try:
        async with request.form(max_files=1, max_fields=2) as form:
            upload = form.get("credential")
            if not isinstance(upload, UploadFile):
                return _refused(view, NO_FILE, 400)
            data = await upload.read(UPLOAD_LIMIT + 1)
    except MultiPartException:
        return _refused(view, NOT_FORM, 400)
    if len(data) > UPLOAD_LIMIT:
        return _refused(view, TOO_LARGE, 413)
    if not data:
        return _refused(view, NO_FILE, 400)
    document = _json(data)
    if document is None:
        return _refused(view, NOT_JSON, 400)
    if not isinstance(document, dict):
        return _refused(view, NOT_OBJECT, 400)
    report = await run_in_threadpool(
        verify_credential_file,
        document,
        settings=request.app.state.settings,
        store=store_of(request),
        online=False,  # never fetch what an uploaded file names
    )
    return render_report(request, view, report, 200 if report.ok else 422)


def _json(data: bytes) -> Any:
    """The file's JSON, or None when it is not JSON text (nor nests past what a parser takes)."""
    if nesting_exceeds(data, MAX_DEPTH):
        return None
    try:
        return json.loads(data.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError alike
        return None


def _refused(view: Viewer, message: str, status_code: int) -> HTMLResponse:
    return view.render("verify.html", status_code=status_code, shown=None, error=view.gettext(message))
