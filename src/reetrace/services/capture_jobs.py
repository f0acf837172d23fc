"""The capture jobs of a batch being recorded (reetrace.services.ingest `_write`), in its
transaction: each EPCIS capture's job row, beside the submission or rejection it became, and the
EPCIS ids of the events of each capture recorded.

Before the batch is appended, a capture whose eventID already names another event of the same
enterprise is a `conflict` (an id names one event). An id held for another enterprise's event
is not its to use, and not said to be either (that would tell it the id exists): its events are
recorded, and keep the ids they are known by.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection

from reetrace.domain.accounts import Actor
from reetrace.domain.captures import event_at
from reetrace.domain.problems import Problem
from reetrace.domain.submissions import Authenticated, Rejection
from reetrace.store.epcis_query_repo import record_epcis_ids
from reetrace.store.epcis_repo import add_capture, events_of_ids, submission_ids
from reetrace.store.ledger_repo import AppendOutcome, storable
from reetrace.store.timefmt import to_utc_text

Item = Authenticated | Rejection


def id_conflicts(conn: Connection, batch: Sequence[Authenticated]) -> dict[str, Rejection]:
    """The captures of `batch` that give an eventID already naming another event of their
    enterprise, as `conflict` rejections, by digest."""
    captures = [sub for sub in batch if sub.capture is not None and sub.capture.event_ids]
    if not captures:
        return {}
    held = events_of_ids(conn, [i for sub in captures if sub.capture for i in sub.capture.event_ids if i is not None])
    found: dict[str, Rejection] = {}
    for sub in captures:
        assert sub.capture is not None
        for index, (epcis_id, event) in enumerate(zip(sub.capture.event_ids, sub.events, strict=True)):
            if epcis_id is None:
                continue  # no id given: it goes by its hash, given when first looked up
            reporter, event_id = held.get(epcis_id, (None, None))
            if reporter == sub.reporter and event_id != event.event_id:
                said = f"eventID {_clip(epcis_id)!r} already names another event"
                problem = Problem("epcis_id_conflict", said, event_id=_clip(epcis_id))
                rejection = sub.rejected("conflict", problem, f"{sub.reporter}:{event.event_id}")
                errors = ((event_at(index, "eventID"), problem),)
                found[sub.digest] = replace(rejection, capture=replace(sub.capture, errors=errors))
                break
    return found


def record_jobs(
    conn: Connection,
    outcomes: Sequence[tuple[Item, Rejection | None, Actor]],
    rejection_ids: dict[int, int],
    appended: AppendOutcome,
) -> list[int]:
    """One job for each capture of the batch (`outcomes`: each item with the rejection it
    became, if it did, and who sent it; `rejection_ids`: the rejections' rows by `id()` of the rejection), and
    the EPCIS ids of the events of those recorded. Returns the jobs' ids, in order."""
    if not any(item.capture is not None for item, _, _ in outcomes):
        return []  # §4 submissions only: nothing to look up or write
    recorded = [i for i, r, _ in outcomes if r is None and isinstance(i, Authenticated) and i.capture is not None]
    again = [i.digest for i in recorded if i.digest not in appended.appended]  # recorded before
    earlier = submission_ids(conn, again) if again else {}
    ids: list[tuple[str, str, str, int]] = []
    jobs = []
    for item, rejection, actor in outcomes:
        facts = item.capture
        if facts is None:
            continue
        row: dict[str, Any] = {
            "received_at": to_utc_text(item.received_at),
            "enterprise": item.reporter if item.reporter is not None and len(item.reporter) == 18 else None,
            "username": storable(actor.username[:64]),
            "digest": item.digest or "",
            "size": facts.size,
        }
        if rejection is not None:
            found = rejection.capture.errors if rejection.capture is not None else ()
            errors = found or ((_conflict_at(item, rejection), rejection.detail),)
            row.update(
                rejection_id=rejection_ids[id(rejection)],
                success=0,
                event_count=facts.event_count,
                accepted=0,
                errors=_errors(rejection.reason_class, errors),
            )
        else:
            assert isinstance(item, Authenticated)
            submission_id, new = appended.appended.get(item.digest, (earlier.get(item.digest), 0))
            row.update(submission_id=submission_id, success=1, event_count=item.event_count, accepted=new, errors="[]")
            given = zip(facts.event_ids, item.events, strict=True)
            ids.extend((i, item.reporter, e.event_id, 1) for i, e in given if i is not None)
        jobs.append(add_capture(conn, row))
    record_epcis_ids(conn, ids, 0)  # the watermark stays: it counts the events hashed, not captured
    return jobs


def _conflict_at(item: Item, rejection: Rejection) -> str | None:
    """Where the event a conflict found by the ledger is in its document."""
    if not isinstance(item, Authenticated) or rejection.event is None:
        return None
    event_id = rejection.event.partition(":")[2]
    index = next((i for i, e in enumerate(item.events) if e.event_id == event_id), None)
    return None if index is None else event_at(index)


def _errors(reason_class: str, errors: Sequence[tuple[str | None, str]]) -> str:
    """A job's errors as stored: each with its reason class, place, English sentence, message
    id and parameters."""
    said = [
        {
            "reason": reason_class,
            "at": at,
            "message": str(detail),
            "id": detail.id if isinstance(detail, Problem) else "",
            "params": detail.params if isinstance(detail, Problem) else {},
        }
        for at, detail in errors
    ]
    return storable(json.dumps(said, ensure_ascii=False, separators=(",", ":"), default=str))


def _clip(text: str, longest: int = 80) -> str:
    return text if len(text) <= longest else text[: longest - 1] + "…"
