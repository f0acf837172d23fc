"""EPCIS 2.0 query (contract §10, docs/epcis.md): `GET /epcis/events` answers a SimpleEventQuery
from its query string with an `EPCISQueryDocument`, a page at a time (the next page's address in
a `Link: <…>; rel="next"` header); `GET /epcis/events/{eventID}` (the id percent-encoded) answers
an `EPCISQueryDocument` holding that one event, as GS1's REST bindings do.

The same accounts, tokens and tenant isolation as /api: staff see every event, their reads
written to the access log; an enterprise's user sees the events its enterprise is party to, and
an event it may not see answers exactly as one that does not exist.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from reetrace.api import access
from reetrace.api.security import now_of, principal, store_of
from reetrace.domain.accounts import Principal
from reetrace.epcis.query import PARAMETERS, read_query
from reetrace.services import epcis_query as service

router = APIRouter(tags=["epcis"])
MEDIA_TYPE = "application/ld+json"
VERSIONS = {"GS1-EPCIS-Version": "2.0", "GS1-CBV-Version": "2.0"}
EVENT_ID = Path(..., min_length=1, max_length=2000, description="The event's EPCIS eventID, percent-encoded.")

_QUERY_DOC = {
    "parameters": [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in sorted(PARAMETERS)
    ]
}


def _party(who: Principal) -> str | None:
    """Whose events the principal sees: None for staff (every enterprise's); an enterprise's
    user, its enterprise's (an account without one, none)."""
    return None if who.is_staff else (who.uscc or "")


def _tokens(request: Request) -> service.PageTokens:
    return service.PageTokens(request.app.state.session_secret)


@router.get(
    "/epcis/events",
    openapi_extra=_QUERY_DOC,
    responses={400: {"description": "A parameter unknown, or one whose value is not accepted (it is named)."}},
)
def events(request: Request, who: Principal = Depends(principal)) -> JSONResponse:
    """Events in event-time order as an `EPCISQueryDocument`, filtered by the SimpleEventQuery
    parameters docs/epcis.md lists; any other parameter is refused (400)."""
    items = request.query_params.multi_items()
    query = read_query(items)
    scope = service.query_scope(items, who.username)
    after = _tokens(request).read(scope, query.page_token) if query.page_token is not None else None
    party = _party(who)
    answer = service.find_events(store_of(request), query, party, after, now_of(request))
    headers = dict(VERSIONS)
    if answer.next is not None:
        token = _tokens(request).issue(scope, answer.next)
        kept = [(name, value) for name, value in items if name != "nextPageToken"]
        url = request.url.replace(query=urlencode([*kept, ("nextPageToken", token)]))
        headers["Link"] = f'<{url}>; rel="next"'
    if who.is_staff:
        access.read(request, who, None, f"epcis events: {answer.count}")
    return JSONResponse(answer.document, headers=headers, media_type=MEDIA_TYPE)


@router.get("/epcis/events/{event_id:path}", responses={404: {"description": "No such event, or not one you may see."}})
def event(request: Request, event_id: str = EVENT_ID, who: Principal = Depends(principal)) -> JSONResponse:
    """One event, by its EPCIS eventID, as an `EPCISQueryDocument` holding it alone."""
    party = _party(who)
    found = service.find_event(store_of(request), event_id, party, now_of(request))
    if found is None or found.document is None:
        raise access.unseen(request, who, "event", found.reporter if found is not None else None)
    access.read(request, who, found.reporter, "epcis event")
    return JSONResponse(found.document, headers=dict(VERSIONS), media_type=MEDIA_TYPE)
