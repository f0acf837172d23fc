"""The enterprise portal's lists (its own only): the submissions it sent, with the month they
report, the file's name, when each was received and how many events it held; and its
rejections (files refused at the portal or elsewhere, files reporting for another enterprise),
with the reason. Both paged, sorted, filtered by day and name, exported."""

from __future__ import annotations

from pathlib import PurePath

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from reetrace.api.security import store_of
from reetrace.services import lists
from reetrace.web import labels, listing
from reetrace.web.pages import EnterpriseViewer, enterprise_user
from reetrace.web.words import words_for

router = APIRouter(include_in_schema=False)
SUBMISSIONS = listing.ListSpec(
    sorts=("received", "created", "events", "source"), search=True, dates=True, descending=True
)
REJECTIONS = listing.ListSpec(
    sorts=("received", "reason", "source"), filters=("reason",), search=True, dates=True, descending=True
)


def file_name(source: str | None) -> str:
    """The file's own name, never the path it was kept under."""
    return PurePath((source or "").replace("\\", "/")).name or "—"


def month_of(created_at: str) -> str:
    """The month a submission reports: that of its creation, in China time."""
    day = listing.china_day(created_at)
    return f"{day.year:04d}-{day.month:02d}" if day else ""


@router.get("/portal/submissions")
def submissions_page(request: Request, view: EnterpriseViewer = Depends(enterprise_user)) -> Response:
    lq = listing.parse(request, SUBMISSIONS, view.gettext)
    rows, total = lists.submissions(store_of(request), view.uscc, listing.window(lq))
    listing.check_export(lq, total, view.gettext)
    t = view.gettext
    if lq.export:
        return listing.export(
            "submissions",
            [t("Month"), t("File"), t("Received (UTC+8)"), t("Events"), t("Status")],
            (
                [
                    month_of(r.created_at),
                    file_name(r.source),
                    view.fmt.moment(r.received_at),
                    r.event_count,
                    t("accepted"),
                ]
                for r in rows
            ),
            lq.export,
        )
    return view.render(
        "portal_submissions.html", pages=listing.Pages(rows, total, lq), lq=lq, file_name=file_name, month_of=month_of
    )


@router.get("/portal/rejections")
def rejections_page(request: Request, view: EnterpriseViewer = Depends(enterprise_user)) -> Response:
    lq = listing.parse(request, REJECTIONS, view.gettext)
    rows, total = lists.rejections(store_of(request), view.uscc, lq.value("reason") or None, listing.window(lq))
    listing.check_export(lq, total, view.gettext)
    t = view.gettext
    words = words_for(view.fmt, {})
    said = {r.id: words.stored_rejection(r.reason, r.message, r.params) for r in rows}
    if lq.export:
        return listing.export(
            "rejections",
            [t("Received (UTC+8)"), t("File"), t("Reason"), t("Detail")],
            (
                [
                    view.fmt.moment(r.received_at),
                    file_name(r.source),
                    t(labels.REJECTION.get(r.reason_class, r.reason_class)),
                    said[r.id].text,
                ]
                for r in rows
            ),
            lq.export,
        )
    return view.render(
        "portal_rejections.html",
        pages=listing.Pages(rows, total, lq),
        lq=lq,
        file_name=file_name,
        reasons=labels.REJECTION,
        said=said,
    )
