"""The enterprise portal's EPCIS capture jobs (its own only): when each document came, from which
account, how many events it held and how many were new to the ledger, whether it was captured
or refused, and each error — its reason class in words, where in the document it is (a JSON
Pointer) and what is wrong, said from the catalogues by its message id and parameters. Paged,
sorted, filtered by day, searched by account or error, exported like the portal's other lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from reetrace.api.security import store_of
from reetrace.services import captures
from reetrace.web import labels, listing
from reetrace.web.pages import EnterpriseViewer, enterprise_user
from reetrace.web.words import Said, Words, words_for

router = APIRouter(include_in_schema=False)
CAPTURES = listing.ListSpec(
    sorts=("received", "events", "accepted", "outcome"), search=True, dates=True, descending=True
)


def said_errors(words: Words, job: Mapping[str, Any]) -> list[tuple[str, str | None, Said]]:
    """Each error of a job: its reason class (the catalogue's words for it), where, and what."""
    out = []
    for error in job["errors"]:
        if not isinstance(error, dict):  # not what a capture writes: nothing to say of it
            continue
        reason = str(error.get("reason") or "")
        label = labels.REJECTION.get(reason)
        params = error.get("params") if isinstance(error.get("params"), dict) else {}
        said = words.rejection(str(error.get("message") or ""), str(error.get("id") or ""), params)
        out.append((words.t(label) if label else reason, error.get("at"), said))
    return out


@router.get("/portal/captures")
def captures_page(request: Request, view: EnterpriseViewer = Depends(enterprise_user)) -> Response:
    lq = listing.parse(request, CAPTURES, view.gettext)
    jobs, total = captures.jobs_page(store_of(request), view.uscc, listing.window(lq))
    listing.check_export(lq, total, view.gettext)
    t = view.gettext
    words = words_for(view.fmt, {})
    errors = {job["captureID"]: said_errors(words, job) for job in jobs}
    if lq.export:
        return listing.export(
            "captures",
            [t("Received (UTC+8)"), t("Account"), t("Events"), t("New"), t("Outcome"), t("Errors")],
            (
                [
                    view.fmt.moment(job["createdAt"]),
                    job["username"] or "",
                    job["eventCount"],
                    job["accepted"],
                    t("captured") if job["success"] else t("refused"),
                    "; ".join(" ".join(filter(None, (r, at, said.text))) for r, at, said in errors[job["captureID"]]),
                ]
                for job in jobs
            ),
            lq.export,
        )
    return view.render("portal_captures.html", pages=listing.Pages(jobs, total, lq), lq=lq, errors=errors)
