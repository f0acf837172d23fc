"""The rows the ledger derives from each accepted event, worked out again from its body.

Beside an event's body (the leaf of the log) the store keeps what ingest read from it, so that
audits and traces need not parse the ledger: the event's own `type`, `time` (in UTC) and
`digest` columns; a `lots` row for every lot it creates (extract, import, transform outputs);
a `lot_draws` row for every lot it draws on (transform inputs, consumption); and an
`event_keys` row for every lot, shipment, license and declaration it moves
(reetrace.domain.event_keys). None of these is signed, so `log verify` derives them again from
the body and compares: a lot's mass edited in `lots` would change every trace through it.

Values are compared as what they mean, not as text: masses and fractions as floats,
compositions as sorted (element, fraction) pairs, times as the ledger's UTC text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson

from reetrace.domain.event_keys import MOVING_TYPES, event_keys

Composition = tuple[tuple[str, float], ...]
# (seq, position, lot, form, mass_kg, composition, hs_code)
LotRow = tuple[int, int, str, str, float, Composition, str | None]
# (seq, position, lot, mass_kg)
DrawRow = tuple[int, int, str, float]
# (key, seq)
KeyRow = tuple[str, int]


class Underivable(ValueError):
    """An event body the derived rows cannot be worked out from (it is not what ingest accepted)."""


class Derived(NamedTuple):
    """What one event's body implies for the ledger's own columns and index tables."""

    type: str
    time: str  # UTC text, as the `events.time` column holds it
    digest: str  # SHA-256 (hex) of the body
    lots: tuple[LotRow, ...]
    draws: tuple[DrawRow, ...]
    keys: tuple[KeyRow, ...]


def derive(seq: int, reporter: str, body: str) -> Derived:
    """The rows of the event at `seq`, from its body (canonical JSON) alone."""
    try:
        event = orjson.loads(body)
        kind = event["type"]
        time = utc_text(event["time"])
        lots: tuple[LotRow, ...] = ()
        draws: tuple[DrawRow, ...] = ()
        if kind in ("extract", "import", "transform"):
            lots = tuple(
                (
                    seq,
                    i,
                    o["lot"],
                    o["form"],
                    float(o["mass_kg"]),
                    composition(o["composition"]),
                    o.get("hs_code"),
                )
                for i, o in enumerate(event["outputs"])
            )
        drawn = event.get("inputs") if kind == "transform" else event.get("lots") if kind == "consume" else None
        if drawn is not None:
            draws = tuple((seq, i, d["lot"], float(d["mass_kg"])) for i, d in enumerate(drawn))
        keys: tuple[KeyRow, ...] = ()
        if kind in MOVING_TYPES:
            keys = tuple((key, seq) for key in event_keys(reporter, kind, event))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, OverflowError, AttributeError) as exc:
        raise Underivable(f"{type(exc).__name__}: {exc}") from None
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return Derived(kind, time, digest, lots, draws, keys)


def composition(fractions: Mapping[str, Any]) -> Composition:
    """A composition as compared: (element, fraction) pairs in element order, fractions as floats."""
    return tuple(sorted((element, float(share)) for element, share in fractions.items()))


def stored_composition(text: str) -> Composition:
    """A `lots.composition` column (JSON text) as compared."""
    try:
        return composition(orjson.loads(text))
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return (("<unreadable>", float("nan")),)


# Most times are written to the second with a whole-hour offset: their UTC text differs from
# the time's only in its date and hour, the same for every time of that hour and offset, so
# each such hour is converted once (as ingest does).
_WHOLE_SECOND = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-5][0-9]:[0-5][0-9](?:Z|[+-][0-9]{2}:00)").fullmatch
_HOURS: dict[tuple[str, str], str] = {}


def utc_text(value: str) -> str:
    """An RFC 3339 time as the ledger stores it: UTC, to the microsecond
    (`2026-01-05T02:00:00.000000+00:00`); the parsing of reetrace.contract.fields, without its
    validation (the event was validated when it was accepted)."""
    if _WHOLE_SECOND(value):
        key = (value[:13], value[19:])
        hour = _HOURS.get(key)
        if hour is None:
            if len(_HOURS) >= 100_000:
                _HOURS.clear()
            hour = _HOURS[key] = _utc_text(f"{value[:13]}:00:00{value[19:]}")[:13]
        return f"{hour}{value[13:19]}.000000+00:00"
    return _utc_text(value)


def _utc_text(value: str) -> str:
    text = value.replace("z", "Z").replace("t", "T")
    if "." in text:  # Python keeps microseconds only
        head, _, tail = text.partition(".")
        digits = len(tail) - len(tail.lstrip("0123456789"))
        text = f"{head}.{tail[:digits][:6].ljust(6, '0')}{tail[digits:]}"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no offset")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
