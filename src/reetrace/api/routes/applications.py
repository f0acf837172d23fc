"""Export license applications: an exporter files one (JSON, its documents in base64), staff and
the exporter read them, officials take review steps, the exporter answers or withdraws.

    POST /api/applications
    {"application": {<reetrace/license-application@1>, "documents": [{"kind": …, "path": "euc.pdf"}]},
     "files": {"euc.pdf": "<base64 of the file's bytes>"}}

Each document's `path` names a member of `files` (a plain file name). Reviewers and approvers
act as the registered official whose name is their username (registered with their role on
their first step); the workflow's separation of duties applies. An exporter's users see their
own applications, each pre-review as the applicant may see it (`domain.disclosure`); another
enterprise's application answers exactly as one that does not exist.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from reetrace.api import access
from reetrace.api.language import reader_words, said_reasons
from reetrace.api.pagination import Page, page
from reetrace.api.security import actor_of, principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.errors import Forbidden, InvalidInput
from reetrace.services import application_files
from reetrace.services import applications as applications_service
from reetrace.services import review as review_service
from reetrace.services.registry import current_registry

router = APIRouter(prefix="/api", tags=["applications"])
NUMBER = Path(..., max_length=32, description="Application number, e.g. EA2026-000001.")
OFFICIAL_ACTIONS = ("accept", "decline", "start", "request_info", "clear_hit", "approve", "deny")
APPLICANT_ACTIONS = ("withdraw", "provide_info")


class NewApplication(BaseModel):
    model_config = ConfigDict(extra="forbid")
    application: dict[str, Any] = Field(..., description="The `reetrace/license-application@1` document.")
    files: dict[str, str] = Field(default_factory=dict, description="Document file name -> base64 of its bytes.")


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal[
        "accept", "decline", "start", "request_info", "clear_hit", "approve", "deny", "withdraw", "provide_info"
    ]
    why: str = Field("", max_length=5000, description="The reason (the answer, for provide_info).")
    hit: str | None = Field(None, max_length=300, description="clear_hit: the screening hit, LIST:ENTITY.")


def _submit(request: Request, who: Principal, new: NewApplication) -> applications_service.Submitted:
    files: dict[str, bytes] = {}
    for name, content in new.files.items():
        try:
            files[name] = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"files: {name!r} is not base64") from None
    settings, actor = request.app.state.settings, actor_of(request, who)
    return application_files.file_application(
        store_of(request), settings, new.application, files, who.username, actor=actor
    )


@router.post("/applications", status_code=201)
async def submit(request: Request, new: NewApplication, who: Principal = Depends(principal)) -> dict[str, Any]:
    """File an application with its documents (exporters, for their own enterprise only); the
    pre-review runs at once. Body: `{"application": <reetrace/license-application@1>, "files":
    {"<file name>": "<base64>"}}`, each document's `path` naming a member of `files`."""
    who.require("apply")
    exporter = new.application.get("exporter")
    if exporter != who.uscc or who.uscc is None:
        await run_in_threadpool(access.refused, request, who, who.uscc, f"application for {exporter!r}")
        raise Forbidden(f"{who.username} may apply only for its own enterprise")
    done = (await run_in_threadpool(_submit, request, who, new)).seen_by_applicant(who.uscc)
    return {"number": done.number, "pre_review": done.verdict, "blocking": done.blocking, "red_flags": done.red_flags}


@router.get("/applications")
def applications(
    request: Request,
    state: str | None = Query(None, max_length=32),
    exporter: str | None = Query(None, max_length=64),
    p: Page = Depends(page),
    who: Principal = Depends(principal),
) -> dict[str, Any]:
    """The queue, open applications first, nearest deadline first. Enterprise users: their own."""
    applicant = None if who.is_staff else who.uscc
    entries = applications_service.queue(
        store_of(request), request.app.state.settings, None, state, exporter if applicant is None else None, applicant
    )
    access.read(request, who, exporter, f"applications state={state or 'any'} exporter={exporter or 'any'}")
    return p.of([e.as_json() for e in entries])


def _exporter_of(request: Request, who: Principal, number: str) -> str:
    """The application's exporter; an application the user may not see is not found."""
    with access.looked_up(request, who, "application"):
        stored, _ = applications_service.stored_application(store_of(request), number)
    if not who.sees(stored.exporter):
        raise access.unseen(request, who, "application", stored.exporter)
    return stored.exporter


@router.get("/applications/{number}")
def application(
    request: Request, response: Response, number: str = NUMBER, who: Principal = Depends(principal)
) -> dict[str, Any]:
    """One application: document, documents, steps, clock, latest pre-review (each reason also
    said in the language of `Accept-Language`, docs/i18n.md), license."""
    exporter = _exporter_of(request, who, number)
    view = applications_service.application_view(
        store_of(request), request.app.state.settings, number, applicant=None if who.is_staff else exporter
    )
    access.read(request, who, exporter, f"application {number}")
    words = reader_words(request, response, current_registry(store_of(request)).enterprises)
    return said_reasons(words, view)


def _official(request: Request, who: Principal) -> str:
    """The official the user acts as: the one named as the user, registered on first use."""
    store = store_of(request)
    if not any(o.name == who.username for o in review_service.list_officials(store)):
        try:
            review_service.add_official(store, who.username, [who.role], None, actor=actor_of(request, who))
        except InvalidInput:
            pass  # registered meanwhile by a concurrent request
    return who.username


def _step(request: Request, who: Principal, number: str, step: Step) -> dict[str, Any]:
    _exporter_of(request, who, number)  # an application the user may not see is not found
    settings = request.app.state.settings
    if step.action in APPLICANT_ACTIONS:
        if who.role != "enterprise":
            raise Forbidden(f"{step.action} is the exporter's step")
        by = f"{who.username}@{who.uscc}"
        if step.action == "provide_info":
            state = applications_service.provide_information(
                store_of(request), settings, number, by, who.uscc or "", step.why, [], actor=actor_of(request, who)
            )
            return {"number": number, "action": step.action, "state": state, "license_no": None}
    else:
        who.require("review")
        by = _official(request, who)
    done = review_service.take_step(
        store_of(request), settings, number, step.action, by, step.why, step.hit, actor=actor_of(request, who)
    )
    return {
        "number": number,
        "action": done.action,
        "state": done.state,
        "license_no": done.license_no,
    }


@router.post("/applications/{number}/steps", status_code=201)
async def take_step(
    request: Request, step: Step, number: str = NUMBER, who: Principal = Depends(principal)
) -> dict[str, Any]:
    """A review step. Reviewers: accept, decline, start, request_info, clear_hit; approvers:
    approve, deny; the exporter's users: provide_info (the answer in `why`), withdraw."""
    return await run_in_threadpool(_step, request, who, number, step)
