"""The access log at the doors (the API and the console): every staff read, and every refusal
of an enterprise's attempt at another's data. Changes are written by the use cases themselves,
in the transaction that makes them (`services.access_log.note_change`).

A read is written after it succeeded and before its answer leaves: its `what` is the request
(`GET /api/findings`), its detail the filter asked for (the query string, as sent), its
enterprise the one whose data it is, when it is one enterprise's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request

from reetrace.api.security import actor_of, store_of
from reetrace.domain.accounts import Principal
from reetrace.errors import NotFound, not_found
from reetrace.services.accounts import record_access

MAX_FILTER = 2000  # characters of a query string kept in an entry


def _what(request: Request) -> str:
    return f"{request.method} {request.url.path}"


def asked_filter(request: Request) -> str | None:
    """The filter a request asked for: its query string as sent, bounded."""
    query = request.url.query
    if len(query) > MAX_FILTER:
        return query[:MAX_FILTER] + "…"
    return query or None


def refused(request: Request, who: Principal, enterprise: str | None, detail: str | None = None) -> None:
    """An attempt refused, e.g. an enterprise's at data of another (`enterprise`), with what it
    asked for (by default, its filter)."""
    noted = detail if detail is not None else asked_filter(request)
    record_access(store_of(request), actor_of(request, who), "refused", _what(request), enterprise, noted)


def read(request: Request, who: Principal, enterprise: str | None = None, detail: str | None = None) -> None:
    """A read that succeeded: written down when staff made it (an enterprise reading its own
    data is not), with the filter asked for and, when the data is one enterprise's, which."""
    if not who.is_staff:
        return
    noted = "; ".join(part for part in (detail, asked_filter(request)) if part) or None
    record_access(store_of(request), actor_of(request, who), "read", _what(request), enterprise, noted)


def unseen(request: Request, who: Principal, kind: str, enterprise: str | None = None) -> NotFound:
    """The one not-found answer for a `kind` that does not exist or is another enterprise's.
    An enterprise user's attempt is written down as refused either way (`enterprise`: whose it
    was, when it exists), so the two cases do the same work as well as read the same."""
    if not who.is_staff:
        refused(request, who, enterprise)
    return not_found(kind)


@contextmanager
def looked_up(request: Request, who: Principal, kind: str) -> Iterator[None]:
    """Within it, a lookup that finds nothing answers `unseen(kind)`."""
    try:
        yield
    except NotFound:
        raise unseen(request, who, kind) from None
