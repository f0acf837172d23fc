"""The audit: replay the recorded events in event-time order and apply every rule.

Events are kept when their event time, in UTC+8, falls on or before the audit date, and replayed
sorted by (time, stage in the chain, reporter, event_id) — never by arrival — so the findings do not depend on the
order events were submitted or are given in. Each event is met by the rules with the state the
ledger has just before it, then applied. One pass, dictionary look-ups only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import groupby
from operator import itemgetter
from typing import Any

from reetrace.collector import collector_paused
from reetrace.domain.closing import Asking, Opening, Sources, boundary, earliest_close, reach_limit, state_of
from reetrace.domain.controls import ControlList
from reetrace.domain.customs import CustomsRecords
from reetrace.domain.events import (
    Adjust,
    Consume,
    Event,
    Export,
    Extract,
    Import,
    Receive,
    RecordedEvent,
    Ship,
    Transform,
)
from reetrace.domain.findings import Finding, Thresholds
from reetrace.domain.lots import Ledger
from reetrace.domain.registry import Registry
from reetrace.domain.rules import RULES
from reetrace.domain.rules.base import AuditContext, ShipmentIndex, Step, audit_zone

EVENT_CLASSES = (Extract, Import, Transform, Ship, Receive, Export, Consume, Adjust)
# Events stamped with the same instant (often a date at midnight) are replayed in the order the
# chain runs: lots are created, transformed, shipped, received, then used up or exported.
STAGE = {Extract: 0, Import: 0, Transform: 1, Ship: 2, Receive: 3, Consume: 4, Adjust: 5, Export: 6}


def _steps(events: Iterable[RecordedEvent], as_of: date, thresholds: Thresholds) -> list[Step]:
    """The events up to the audit date, in replay order (time, stage, reporter, event_id), each once."""
    zone = audit_zone(thresholds.utc_offset_hours)
    end = datetime(as_of.year, as_of.month, as_of.day, tzinfo=zone) + timedelta(days=1)
    rows = []
    for n, record in enumerate(events):
        event = record.event
        local = event.time.astimezone(zone)
        if local < end:
            rows.append((local, event.reporter, event.event_id, record.received_at, record.seq, n, record))
    # Sorting on time alone is several times faster than on whole tuples; the few events that
    # share an instant are then ordered by stage, reporter and event_id. The last members only break
    # ties between copies of one event (its first receipt wins) and never compare records.
    rows.sort(key=itemgetter(0))
    steps = []
    last = None
    for _, same_time in groupby(rows, key=itemgetter(0)):
        group = list(same_time)
        if len(group) > 1:
            group.sort(key=lambda r: (STAGE[type(r[6].event)], r[1], r[2], r[3], r[4], r[5]))
        for local, reporter, event_id, _, _, _, record in group:
            if (reporter, event_id) != last:  # an event given twice counts once
                steps.append(Step(record, record.event, local))
                last = (reporter, event_id)
    return steps


def _tie_order(record: RecordedEvent) -> tuple[Any, ...]:
    """Where an event goes among those sharing its instant: stage, reporter, event_id; copies of
    one event then by receipt and ledger position (a stable sort keeps the rest as given)."""
    event = record.event
    return (STAGE[type(event)], event.reporter, event.event_id, record.received_at, record.seq)


def _stream_steps(events: Iterable[RecordedEvent], as_of: date, thresholds: Thresholds) -> Iterator[Step]:
    """The replay order of events given already sorted by time (as the ledger's time index reads
    them), one at a time: only the events sharing an instant are held to be put in order."""
    zone = audit_zone(thresholds.utc_offset_hours)
    end = datetime(as_of.year, as_of.month, as_of.day, tzinfo=zone) + timedelta(days=1)
    last: Event | None = None  # the event of the last step
    for local, held in _instants(events, end.astimezone(UTC), zone):
        if len(held) > 1:
            held.sort(key=_tie_order)
        for record in held:
            event = record.event
            # an event given twice counts once
            if last is None or event.event_id != last.event_id or event.reporter != last.reporter:
                yield Step(record, event, local)
                last = event


def _instants(
    events: Iterable[RecordedEvent], end: datetime, zone: timezone
) -> Iterator[tuple[datetime, list[RecordedEvent]]]:
    """The events before `end`, given in time order, by instant (as a time in `zone`): a list for
    each, in the order given.

    This runs for every event of the ledger, so it does the least it can: events are compared by
    their time as given (the stored UTC, whose comparisons take the fast path of a tzinfo shared
    with `end`, given in UTC) and converted to `zone` once per instant."""
    held: list[RecordedEvent] = []
    moment: datetime | None = None
    local = end  # the first event's time in `zone`, set before anything is yielded
    for record in events:
        time = record.event.time
        if time == moment:
            held.append(record)
            continue
        if time >= end:
            break
        if moment is not None and time < moment:
            raise ValueError(f"events are not in time order: {record.event.ref} at {time.astimezone(zone).isoformat()}")
        if held:
            yield local, held
        held = [record]
        moment, local = time, time.astimezone(zone)
    if held:
        yield local, held


def _dispatch(rules: Sequence[object]) -> dict[type, list[Callable[[Step], None]]]:
    table: dict[type, list[Callable[[Step], None]]] = {}
    for cls in EVENT_CLASSES:
        handlers = []
        for rule in rules:
            for name in (f"on_{cls.TYPE}", "on_event"):
                handler = getattr(rule, name, None)
                if handler is not None:
                    handlers.append(handler)
        table[cls] = handlers
    return table


def audit(
    events: Iterable[RecordedEvent],
    registry: Registry,
    controls: ControlList,
    as_of: date,
    thresholds: Thresholds = Thresholds(),
    customs: CustomsRecords | None = None,
) -> list[Finding]:
    """Every finding of docs/contract.md §5 on the events up to `as_of`, in a fixed order; with
    `customs` (declarations, reported periods, arrival reports) also the customs findings."""
    return [finding for _, finding in audit_keyed(events, registry, controls, as_of, thresholds, customs)]


def audit_keyed(
    events: Iterable[RecordedEvent],
    registry: Registry,
    controls: ControlList,
    as_of: date,
    thresholds: Thresholds = Thresholds(),
    customs: CustomsRecords | None = None,
) -> list[tuple[tuple[Any, ...], Finding]]:
    """The audit's findings in its order, each with the key it is sorted by (see
    `AuditContext.keyed`): what incremental supervision stores to merge partial audits."""
    with collector_paused():
        steps = _steps(events, as_of, thresholds)
        return _replay(steps, registry, controls, as_of, thresholds, customs, ShipmentIndex.of(steps, thresholds))


def audit_stream(
    events: Iterable[RecordedEvent],
    registry: Registry,
    controls: ControlList,
    as_of: date,
    thresholds: Thresholds,
    customs: CustomsRecords | None,
    shipments: ShipmentIndex,
    opening: Opening | None = None,
) -> list[tuple[tuple[Any, ...], Finding]]:
    """`audit_keyed` over events already sorted by time, read one at a time: memory holds the
    state of the lots, not the events. What needs the whole event set ahead of the replay (whether
    a shipment was ever received or shipped) comes precomputed in `shipments`. From `opening`
    (reetrace.domain.closing), the events are those from its boundary on, met with the state it
    holds."""
    with collector_paused():
        return _replay(
            _stream_steps(events, as_of, thresholds), registry, controls, as_of, thresholds, customs, shipments, opening
        )


def exported_kg(
    events: Iterable[RecordedEvent], as_of: date, thresholds: Thresholds = Thresholds()
) -> dict[str, float]:
    """The mass each export up to `as_of` took out of the country (by export ref): what its
    lots held when it was replayed, as the audit sees it."""
    ledger = Ledger(thresholds.overdraw_tolerance_kg)
    masses: dict[str, float] = {}
    with collector_paused():
        for step in _steps(events, as_of, thresholds):
            event = step.event
            ledger.admit(event)
            if isinstance(event, Export):
                masses[event.ref] = sum(ledger.lots[lot].remaining_kg for lot in dict.fromkeys(event.lots))
            ledger.apply(event)
    return masses


def _replay(
    steps: Iterable[Step],
    registry: Registry,
    controls: ControlList,
    as_of: date,
    thresholds: Thresholds,
    customs: CustomsRecords | None,
    shipments: ShipmentIndex,
    opening: Opening | None = None,
) -> list[tuple[tuple[Any, ...], Finding]]:
    ctx, rules = _begin(registry, controls, as_of, thresholds, customs, shipments, opening)
    _run(steps, ctx, rules)
    for rule in rules:
        finish = getattr(rule, "finish", None)
        if finish is not None:
            finish()
    return ctx.keyed()


def _begin(
    registry: Registry,
    controls: ControlList,
    as_of: date,
    thresholds: Thresholds,
    customs: CustomsRecords | None,
    shipments: ShipmentIndex,
    opening: Opening | None,
) -> tuple[AuditContext, list[Any]]:
    """The context and the rules, empty or as `opening` left them."""
    ledger = opening.ledger if opening is not None else Ledger(thresholds.overdraw_tolerance_kg)
    ctx = AuditContext(registry, controls, as_of, thresholds, ledger, customs, shipments)
    ledger.keeps_receipt = ctx.shipments.shipped_after_receipt
    rules = [rule(ctx) for rule in RULES]
    if opening is not None:
        for rule, state in zip(rules, opening.rules, strict=True):
            for name, value in state.items():
                setattr(rule, name, value)
        ctx.carry(opening.found)
    return ctx, rules


def _run(steps: Iterable[Step], ctx: AuditContext, rules: Sequence[object]) -> int:
    """Meet each step with every rule, then apply it; returns how many steps there were."""
    dispatch = _dispatch(rules)
    admit, apply = ctx.ledger.admit, ctx.ledger.apply  # once per event: looked up once
    n = 0
    for n, step in enumerate(steps, 1):  # noqa: B007 (the count is returned)
        event = step.event
        step.introduced = admit(event)
        for handler in dispatch[type(event)]:
            handler(step)
        apply(event)
    return n


def close_stream(
    events: Iterable[RecordedEvent],
    year: int,
    as_of: date,
    sources: Sources,
    opening: Opening | None = None,
) -> Opening:
    """The opening of the year after `year` (reetrace.domain.closing): events already sorted by
    time, from `opening`'s boundary (the start of the ledger without one) up to that year's end,
    replayed from `opening`, with every question the rules ask of `sources` journaled. `as_of`
    is the audit date it is closed as of (on or after `closing.earliest_close`)."""
    thresholds = sources.thresholds
    if as_of < earliest_close(year, thresholds):
        raise ValueError(f"{year} can be closed as of {earliest_close(year, thresholds)} at the earliest, not {as_of}")
    asking = Asking(sources, opening.journal if opening is not None else {}, reach_limit(year, thresholds))
    with collector_paused():
        ctx, rules = _begin(
            asking.registry, asking.controls, as_of, thresholds, asking.customs, asking.shipments, opening
        )
        replayed = _run(_stream_steps(events, date(year, 12, 31), thresholds), ctx, rules)
        end = boundary(year + 1, thresholds)
        for rule in rules:
            close = getattr(rule, "close", None)
            if close is not None:
                close(end)  # forget what no later event can use
    return Opening(
        year,
        end,
        as_of,
        replayed + (opening.events if opening is not None else 0),
        ctx.ledger,
        state_of(rules),
        ctx.keyed_as_found(),
        asking.kept(),
    )
