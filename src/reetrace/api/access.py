"""Writing the access log from the routes: every change, and every staff read of one
enterprise's data (`services.accounts.record_access`), each naming the actor: who, through the
API or the console, from which address."""

from __future__ import annotations

from fastapi import Request

from reetrace.api.security import actor_of, store_of
from reetrace.domain.accounts import Principal
from reetrace.services.accounts import record_access


def _what(request: Request) -> str:
    return f"{request.method} {request.url.path}"


def changed(request: Request, who: Principal, enterprise: str | None, detail: str | None = None) -> None:
    record_access(store_of(request), actor_of(request, who), "change", _what(request), enterprise, detail)


def refused(request: Request, who: Principal, enterprise: str | None, detail: str | None = None) -> None:
    record_access(store_of(request), actor_of(request, who), "refused", _what(request), enterprise, detail)


def read(request: Request, who: Principal, enterprise: str | None, detail: str | None = None) -> None:
    """A read of `enterprise`'s data: written down when staff read it (an enterprise reading its
    own data is not)."""
    if who.is_staff and enterprise is not None:
        record_access(store_of(request), actor_of(request, who), "read", _what(request), enterprise, detail)
