"""The console's paged lists read from the store, each in one read transaction: an
enterprise's own submissions and rejections, and the auditor's view (the access log, the
checkpoints and the log's state, the changes to the control list and to the registry)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reetrace.domain.accounts import Principal
from reetrace.errors import Forbidden
from reetrace.services.access_log import may_read_log
from reetrace.store import lists_repo as repo
from reetrace.store.database import Store
from reetrace.store.log_repo import log_size

Rows = tuple[list[Any], int]


@dataclass(frozen=True, slots=True)
class Window:
    """Which part of a list: a time range [start, end), a search, a sort, a page."""

    start: datetime | None
    end: datetime | None
    q: str
    sort: str
    descending: bool
    limit: int
    offset: int


def submissions(store: Store, uscc: str, w: Window) -> Rows:
    with store.reading() as conn:
        return repo.submissions_of(conn, uscc, w.start, w.end, w.q, w.sort, w.descending, w.limit, w.offset)


def rejections(store: Store, uscc: str, reason: str | None, w: Window) -> Rows:
    with store.reading() as conn:
        return repo.rejections_of(conn, uscc, w.start, w.end, w.q, reason, w.sort, w.descending, w.limit, w.offset)


def lots(store: Store, form: str | None, enterprise: str | None, province: str | None, w: Window) -> Rows:
    with store.reading() as conn:
        return repo.lots_page(
            conn, form, enterprise, province, w.start, w.end, w.q, w.sort, w.descending, w.limit, w.offset
        )


def _auditing(who: Principal) -> None:
    if not may_read_log(who):
        raise Forbidden(f"{who.username} ({who.role}) may not read the audit records")


def access_entries(
    store: Store, who: Principal, username: str | None, enterprise: str | None, action: str | None, w: Window
) -> Rows:
    _auditing(who)
    with store.reading() as conn:
        return repo.access_page(
            conn, username, enterprise, action, w.start, w.end, w.q, w.sort, w.descending, w.limit, w.offset
        )


@dataclass(frozen=True, slots=True)
class LogState:
    """The log as it can be shown cheaply: its size, its latest checkpoints (with their
    cosignatures), whether the latest covers every event, and the change histories."""

    size: int
    checkpoints: Sequence[Any]
    checkpoint_total: int
    control_changes: Sequence[Any]
    control_total: int
    registry_changes: Sequence[Any]
    registry_total: int

    @property
    def latest_covers_all(self) -> bool:
        return bool(self.checkpoints) and self.checkpoints[0].size == self.size


def log_state(store: Store, who: Principal, shown: int = 20) -> LogState:
    _auditing(who)
    with store.reading() as conn:
        points, point_total = repo.checkpoints(conn, shown, 0)
        controls, control_total = repo.control_changes(conn, shown, 0)
        registry, registry_total = repo.registry_changes(conn, shown, 0)
        return LogState(log_size(conn), points, point_total, controls, control_total, registry, registry_total)


def event_times(store: Store, events: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    with store.reading() as conn:
        return repo.event_times(conn, events)
