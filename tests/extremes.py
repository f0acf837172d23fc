"""Events outside today's bounds, written straight into a store as an older version could have
accepted them: through the ledger's own writer (`ledger_repo.append`, which also writes their
lots, draws, keys and log leaves), bypassing authentication and the contract. The pages and the
API must still render every one of them."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from reetrace.domain.event_keys import event_keys
from reetrace.domain.submissions import Authenticated, PreparedEvent
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.merkle import leaf_data, leaf_hash
from reetrace.store.database import Store
from reetrace.store.ledger_repo import append

# (lot or None, the event as an older version took it, its time as the ledger stores it: UTC text)
EXTREMES: list[tuple[str, dict[str, Any], str]] = [
    (
        "FAR-FUTURE",
        {
            "event_id": "x-future",
            "type": "adjust",
            "time": "9999-12-31T23:59:59+08:00",
            "lot": "FAR-FUTURE",
            "delta_kg": 1.0,
            "reason": "stock-take",
        },
        "9999-12-31T15:59:59.000000+00:00",
    ),
    (
        "FAR-FUTURE",
        {
            "event_id": "x-last-second",
            "type": "adjust",
            "time": "9999-12-31T23:59:59Z",
            "lot": "FAR-FUTURE",
            "delta_kg": -1.0,
            "reason": "the last second there is",
        },
        "9999-12-31T23:59:59.000000+00:00",
    ),
    (
        "HUGE",
        {
            "event_id": "x-huge",
            "type": "import",
            "time": "2026-03-01T08:00:00+08:00",
            "origin_country": "MM",
            "customs_declaration": "CD-HUGE",
            "outputs": [{"lot": "HUGE", "form": "oxide", "mass_kg": 1e300, "composition": {"Dy": 0.8713}}],
        },
        "2026-03-01T00:00:00.000000+00:00",
    ),
    (
        "ANCIENT",
        {
            "event_id": "x-ancient",
            "type": "extract",
            "time": "0001-01-01T00:00:00+00:00",
            "deposit": "rock",
            "outputs": [{"lot": "ANCIENT", "form": "ore", "mass_kg": 5e-324, "composition": {"Ce": 1e-300}}],
        },
        "0001-01-01T00:00:00.000000+00:00",
    ),
    (
        "HUGE",
        {
            "event_id": "x-huge-loss",
            "type": "adjust",
            "time": "2026-03-02T08:00:00+08:00",
            "lot": "HUGE",
            "delta_kg": -1.7976931348623157e308,
            "reason": "x" * 500,
            "ext": {"deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["down"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
        },
        "2026-03-02T00:00:00.000000+00:00",
    ),
    (
        "HUGE",
        {
            "event_id": "x-huge-use",
            "type": "consume",
            "time": "2026-03-03T08:00:00+08:00",
            "lots": [{"lot": "HUGE", "mass_kg": 1e300}],
            "purpose": "magnets",
        },
        "2026-03-03T00:00:00.000000+00:00",
    ),
]
LOTS = sorted({lot for lot, _, _ in EXTREMES if lot})


def prepared(reporter: str, event: dict[str, Any], time: str) -> PreparedEvent:
    body = canonical_bytes(event)
    text = body.decode()
    outputs = tuple(
        (o["lot"], o["form"], float(o["mass_kg"]), json.dumps(o["composition"], sort_keys=True), o.get("hs_code"))
        for o in event.get("outputs", ())
    )
    draws = tuple(
        (d["lot"], float(d["mass_kg"])) for d in event.get("inputs", event.get("lots", ())) if isinstance(d, dict)
    )
    return PreparedEvent(
        event["event_id"],
        event["type"],
        time,
        text,
        hashlib.sha256(body).hexdigest(),
        outputs,
        draws,
        leaf_hash(leaf_data(reporter, text)),
        event_keys(reporter, event["type"], event),
    )


def write_extremes(store: Store, reporter: str, key_id: str) -> int:
    """Write EXTREMES into `store` as one submission of `reporter`; returns how many events."""
    events = [prepared(reporter, event, time) for _, event, time in EXTREMES]
    stamp = datetime.fromisoformat("2026-03-05T10:00:00+08:00")
    submission = Authenticated(
        source="older-version",
        reporter=reporter,
        key_id=key_id,
        created_at=stamp,
        received_at=stamp,
        signature="A" * 86,
        digest=hashlib.sha256(b"older-version" + reporter.encode()).hexdigest(),
        raw=None,
        events=events,
    )
    with store.writing() as conn:
        outcome = append(conn, [submission])
    assert outcome.events_accepted == len(events)
    return len(events)
