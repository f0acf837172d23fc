"""The contract's bounds on a submission as received (the Bounds paragraph of the contract's
conventions), each with an event that breaks it and a near miss that keeps to it, through the
models and the fast checks alike; and an event already recorded, validated without them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from factory import extract, lot, receive, transform
from reetrace.contract.event_facts import validate_event_facts
from reetrace.contract.submission import InvalidDocument, validate_event, validate_event_models, validate_header

CST = timezone(timedelta(hours=8))
RECEIVED = datetime(2026, 12, 1, 10, 0, 0, tzinfo=CST)


def adjust(time: str = "2026-11-30T08:00:00+08:00", delta_kg: float = -5.0, **more) -> dict:
    event = {"event_id": "a1", "type": "adjust", "time": time, "lot": "L1", "delta_kg": delta_kg}
    return {**event, "reason": "stock-take", **more}


def deep(levels: int) -> object:
    value: object = 1
    for _ in range(levels):
        value = [value]
    return value


def consume(mass_kg: float) -> dict:
    return {
        "event_id": "c1",
        "type": "consume",
        "time": "2026-11-30T08:00:00+08:00",
        "lots": [{"lot": "L1", "mass_kg": mass_kg}],
        "purpose": "magnets",
    }


def verdicts(event: dict) -> tuple[str | None, str | None]:
    """The models' message and the fast checks' (None: accepted); they must agree."""
    found = []
    for validate in (validate_event_models, validate_event_facts):
        try:
            validate([event], RECEIVED)
            found.append(None)
        except InvalidDocument as exc:
            found.append(str(exc))
    return found[0], found[1]


def refused(event: dict, words: str) -> None:
    model, fast = verdicts(event)
    assert model == fast and model is not None and words in model, model


def accepted(event: dict) -> None:
    assert verdicts(event) == (None, None)


# (the event breaking a bound, words of its message, the near miss keeping to it)
CASES = {
    "time before 1990": (adjust("1989-12-31T23:59:59+08:00"), "before 1990", adjust("1990-01-01T00:00:00+08:00")),
    "time before 1990, in UTC": (adjust("1989-12-31T15:59:59.999999Z"), "before 1990", adjust("1989-12-31T16:00:00Z")),
    "year 1": (adjust("0001-01-01T00:00:00+08:00"), "before 1990", adjust("1990-06-01T00:00:00-12:00")),
    "more than a day after receipt": (
        adjust("2026-12-02T10:00:00.000001+08:00"),
        "more than 24 hours after the submission was received (2026-12-01T10:00:00+08:00)",
        adjust("2026-12-02T10:00:00+08:00"),
    ),
    "the year 9999": (adjust("9999-12-31T23:59:59+08:00"), "nothing is reported from the future", adjust()),
    "the year 9999, where UTC ends": (adjust("9999-12-31T23:59:59-08:00"), "24 hours after", adjust()),
    "an output's mass": (
        extract("e1", "L1", mass_kg=1000000000.0000001),
        "outputs[0].mass_kg: 1e+09 kg is beyond 10^9 kg",
        extract("e1", "L1", mass_kg=1e9),
    ),
    "an output's mass as an integer": (
        extract("e1", "L1", mass_kg=10**9 + 1),
        "beyond 10^9 kg",
        extract("e1", "L1", mass_kg=10**9),
    ),
    "1e300 kg imported": (
        extract("e1", "L1", mass_kg=1e300),
        "1e+300 kg is beyond 10^9 kg",
        extract("e1", "L1", mass_kg=999_999_999.5),
    ),
    "an adjustment's size": (adjust(delta_kg=-1.0000001e9), "delta_kg: -1e+09 kg is beyond", adjust(delta_kg=-1e9)),
    "an adjustment upward": (adjust(delta_kg=2e9), "delta_kg", adjust(delta_kg=1e9)),
    "a receipt's mass": (
        receive("r1", ["L1"], "91110000MA0000001L", "S1", mass_kg=1e10),
        "mass_kg: 1e+10 kg is beyond",
        receive("r1", ["L1"], "91110000MA0000001L", "S1", mass_kg=1e9),
    ),
    "a draw's mass": (
        consume(1.5e9),
        "lots[0].mass_kg: 1.5e+09 kg is beyond",
        consume(1e9),
    ),
    "a transform's input": (
        transform("t1", "separation", [("L1", 1e12)], [lot("O1", "oxide", 1.0, {"Nd": 0.8})]),
        "inputs[0].mass_kg",
        transform("t1", "separation", [("L1", 1e9)], [lot("O1", "oxide", 1.0, {"Nd": 0.8})]),
    ),
    "ext beyond 16 KiB": (
        adjust(ext={"note": "x" * (16 * 1024 - 10)}),  # {"note":"…"} is 11 bytes more than its text
        "ext: is 16,385 bytes of canonical JSON, more than the 16,384 (16 KiB) it may hold",
        adjust(ext={"note": "x" * (16 * 1024 - 11)}),  # exactly 16 KiB
    ),
    "ext of multi-byte text": (
        adjust(ext={"名": "稀" * 5460}),  # {"名":"…"}: 10 bytes and 3 a character, 16,390
        "is 16,390 bytes",
        adjust(ext={"名": "稀" * 5458}),  # 16,384
    ),
    "ext nested too deep": (adjust(ext=deep(33)), "nests more than 32", adjust(ext=deep(29))),
    "ext with a number JCS cannot write": (
        adjust(ext={"n": 2**60}),
        "cannot be written as canonical JSON",
        adjust(ext={"n": 2**53 - 1}),
    ),
    "ext that is not finite": (
        adjust(ext={"n": float("inf")}),
        "cannot be written as canonical JSON",
        adjust(ext={"n": 1e308}),
    ),
    "U+0000 in an event id": (
        adjust(event_id="a\x001"),
        "event_id: holds the character U+0000",
        adjust(event_id="a\x011"),
    ),
    "U+0000 in a text": (adjust(reason="loss\x00"), "reason: holds the character U+0000", adjust(reason="loss\u2400")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_bound_refuses_and_its_near_miss_passes(name):
    attack, words, near_miss = CASES[name]
    refused(attack, words)
    accepted(near_miss)


def test_an_event_already_recorded_is_checked_as_it_was_accepted():
    """Without a time of receipt (a certificate's events), the bounds do not apply: what an
    older version accepted still reads back as the event it was."""
    huge = extract("e1", "HUGE", mass_kg=1e300, time="0001-01-01T00:00:00+00:00")
    event = validate_event(huge, "91110000MA0000001L")
    assert event.outputs[0].mass_kg == 1e300 and event.time.year == 1
    with pytest.raises(InvalidDocument):
        validate_event(huge, "91110000MA0000001L", RECEIVED)


def header(created_at: str) -> dict:
    return {
        "format": "reetrace/submission@1",
        "reporter": "91110000MA0000001L",
        "key_id": "0123456789abcdef",
        "created_at": created_at,
        "events": [{}],
        "signature": "A" * 86,
    }


@pytest.mark.parametrize(
    "created_at, words",
    [("1989-12-31T23:59:59+08:00", "before 1990"), ("9999-12-31T12:00:00Z", "beyond the last time")],
)
def test_a_submissions_own_time_is_bounded(created_at, words):
    with pytest.raises(InvalidDocument, match=words):
        validate_header(header(created_at))
    validate_header(header("1990-01-01T00:00:00+08:00"))
    validate_header(header("9999-12-30T12:00:00Z"))  # the day after it can still be written
