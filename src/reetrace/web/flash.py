"""The confirmation a page shows after a form did what it asked (post/redirect/get): the form's
route redirects to the page with `?done=<what>`, and the page says it in the reader's language.
Only the confirmations named here can be shown: a made-up `done` shows nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse

from reetrace.web.i18n import _

DONE = {
    "assign": _("The finding is assigned."),
    "confirm": _("The finding is confirmed."),
    "dismiss": _("The finding is dismissed."),
    "note": _("The internal note is recorded."),
    "message": _("The message is sent to the enterprise."),
    "filed": _("Your application is filed."),
    "answered": _("Your answer is sent; the review goes on."),
    "withdrawn": _("Your application is withdrawn."),
    "issued": _("The provenance credential is issued."),
}


def done(path: str, what: str, anchor: str = "") -> RedirectResponse:
    """Back to the page at `path` (a GET), which confirms `what`."""
    return RedirectResponse(f"{path}?{urlencode({'done': what})}{anchor}", status_code=303)


def confirmation(request: Request) -> str | None:
    """The confirmation the page was sent back with (untranslated: `t()` it where shown), if any."""
    return DONE.get(request.query_params.get("done", ""))
