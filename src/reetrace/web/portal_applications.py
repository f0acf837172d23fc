"""The enterprise portal's license applications: file one (the `reetrace/license-application@1`
document with its attached files, received as the API receives it), answer a request for
information, withdraw. Each form answers with the portal again and a confirmation (post/
redirect/get), or with its error and what was typed.

Only the enterprise's own applications: another enterprise's application answers exactly as one
that does not exist, and the attempt is written to the access log."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from reetrace.api import access
from reetrace.api.security import store_of
from reetrace.domain.submissions import MAX_DEPTH
from reetrace.errors import InvalidInput, NotFound, UsageError
from reetrace.ledger.canonical import nesting_exceeds
from reetrace.services import application_files, applications, review
from reetrace.web.flash import done
from reetrace.web.pages import EnterpriseViewer, enterprise_user
from reetrace.web.portal import portal

router = APIRouter(include_in_schema=False)
WHY_LENGTH = 5000  # as the API bounds a step's reason


async def _files(uploads: list[UploadFile]) -> dict[str, bytes]:
    """The uploaded files by their plain names (the body is bounded before it gets here)."""
    found: dict[str, bytes] = {}
    for upload in uploads:
        if upload.filename:
            found[upload.filename.replace("\\", "/").rsplit("/", 1)[-1]] = await upload.read()
    return found


def _own(request: Request, view: EnterpriseViewer, number: str) -> None:
    """NotFound, in the same words, unless `number` is one of the enterprise's applications."""
    unseen = NotFound(view.gettext("No such application, or not one you may see."))
    try:
        stored, _ = applications.stored_application(store_of(request), number[:32])
    except NotFound:
        access.refused(request, view.principal, None, f"application {number[:32]}")
        raise unseen from None
    if stored.exporter != view.uscc:
        access.refused(request, view.principal, stored.exporter, f"application {number[:32]}")
        raise unseen


@router.post("/portal/applications")
async def file_application(
    request: Request,
    application: UploadFile = File(...),
    documents: list[UploadFile] = File(default=[]),
    form_token: str = Form(""),
    view: EnterpriseViewer = Depends(enterprise_user),
) -> Response:
    view.check_form(form_token)
    raw = await application.read()
    try:
        if nesting_exceeds(raw, MAX_DEPTH):  # before the recursive parser
            raise ValueError("nested too deep")
        document = json.loads(raw)
        if not isinstance(document, dict):
            raise ValueError("not an object")
    except (ValueError, UnicodeDecodeError):
        error = view.gettext("The application file is not a JSON document.")
        return portal(request, view, 422, application_error=error)
    if document.get("exporter") != view.uscc:
        await run_in_threadpool(access.refused, request, view.principal, view.uscc, "application for another")
        error = view.gettext("You may apply only for your own enterprise.")
        return portal(request, view, 403, application_error=error)
    files = await _files(documents)
    store, settings = store_of(request), request.app.state.settings
    try:
        filed = await run_in_threadpool(
            application_files.file_application,
            store,
            settings,
            document,
            files,
            view.principal.username,
            actor=view.actor,
        )
    except (InvalidInput, UsageError) as exc:
        return portal(request, view, 422, application_error=str(exc))
    return done("/portal", "filed", f"#application-{filed.number}")


@router.post("/portal/applications/{number}/answer")
async def answer(
    request: Request,
    number: str,
    note: str = Form(""),
    kind: str = Form("other"),
    documents: list[UploadFile] = File(default=[]),
    form_token: str = Form(""),
    view: EnterpriseViewer = Depends(enterprise_user),
) -> Response:
    view.check_form(form_token)
    await run_in_threadpool(_own, request, view, number)
    typed = {"number": number, "note": note, "kind": kind}
    if not note.strip() or len(note) > WHY_LENGTH:
        error = view.gettext("Write your answer (at most 5,000 characters).")
        return portal(request, view, 422, answer_error=error, typed=typed)
    files = await _files(documents)
    by = f"{view.principal.username}@{view.uscc}"
    try:
        await run_in_threadpool(
            application_files.answer_request,
            store_of(request),
            request.app.state.settings,
            number,
            by,
            view.uscc,
            note.strip(),
            [(kind, name, content) for name, content in files.items()],
            actor=view.actor,
        )
    except InvalidInput as exc:
        return portal(request, view, 422, answer_error=str(exc), typed=typed)
    return done("/portal", "answered", f"#application-{number}")


@router.post("/portal/applications/{number}/withdraw")
async def withdraw(
    request: Request,
    number: str,
    why: str = Form(""),
    form_token: str = Form(""),
    view: EnterpriseViewer = Depends(enterprise_user),
) -> Response:
    view.check_form(form_token)
    await run_in_threadpool(_own, request, view, number)
    typed = {"number": number, "why": why}
    if len(why) > WHY_LENGTH:
        error = view.gettext("Write your answer (at most 5,000 characters).")
        return portal(request, view, 422, withdraw_error=error, typed=typed)
    by = f"{view.principal.username}@{view.uscc}"
    try:
        await run_in_threadpool(
            review.take_step,
            store_of(request),
            request.app.state.settings,
            number,
            "withdraw",
            by,
            why,
            actor=view.actor,
        )
    except InvalidInput as exc:
        return portal(request, view, 422, withdraw_error=str(exc), typed=typed)
    return done("/portal", "withdrawn", f"#application-{number}")
