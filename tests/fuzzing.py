"""Mutations of valid signed submissions, shared by the fuzz suite
(tests/api/test_fuzz_submissions.py) and the campaign of bench/fuzz.py.

Each mutation takes a valid submission (`Base`) and a `random.Random` (under Hypothesis,
`st.randoms()`, so that failures shrink) and returns the bodies to send, in order, each with the
outcomes it may have. Byte-level mutations break the signature as a side effect (truncation,
bit flips, stray bytes, other encodings, nesting, repeated members, numbers that are not finite);
document-level ones are signed again with the reporter's key, so that they reach past the
signature check to the contract's bounds and the ledger (times out of bounds, huge masses,
oversized or deep `ext`, wrong types, Unicode confusables, U+0000, unknown or missing members,
a conflicting event, a replay). Outcomes: "accepted", "duplicate", or "rejected:<class>".
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from factory import Party, extract, make_key, ship
from reetrace.ledger.submission import sign_submission

CST = timezone(timedelta(hours=8))
REASON_CLASSES = ("parse", "schema", "reporter", "key", "signature", "conflict")
ANY = frozenset(["accepted", "duplicate", *(f"rejected:{c}" for c in REASON_CLASSES)])
REJECTED = frozenset(f"rejected:{c}" for c in REASON_CLASSES)


@dataclass
class Base:
    """A valid submission of `party`, signed, with event ids no other base uses."""

    party: Party
    neighbour: Party  # another registered enterprise: the submission ships to it
    doc: dict[str, Any]
    created_at: str
    events_at: datetime

    @property
    def raw(self) -> bytes:
        return json.dumps(self.doc, ensure_ascii=False).encode()

    def signed(self, events: list[Any], created_at: str | None = None) -> bytes:
        return json.dumps(
            sign_submission(self.party.uscc, self.party.key, created_at or self.created_at, events), ensure_ascii=False
        ).encode()


def base(party: Party, neighbour: Party, tag: str, now: datetime, rng: random.Random) -> Base:
    """1 to 4 events dated a day before `now`, signed a minute before it."""
    receiver = neighbour.uscc
    when = now - timedelta(days=1)
    events: list[dict[str, Any]] = []
    for i in range(rng.randint(1, 3)):
        events.append(extract(f"{tag}-x{i}", f"{tag}-L{i}", mass_kg=round(rng.uniform(1, 5000), 3), time=_time(when)))
    if rng.random() < 0.5:
        events.append(ship(f"{tag}-s", [f"{tag}-L0"], receiver, f"S-{tag}", time=_time(when + timedelta(hours=1))))
    created = _time(now - timedelta(minutes=1))
    return Base(party, neighbour, party.submit(events, created), created, when)


def _time(moment: datetime) -> str:
    return moment.astimezone(CST).isoformat(timespec="seconds")


@dataclass
class Body:
    raw: bytes
    expect: frozenset[str] = ANY
    label: str = ""


Mutation = Callable[[Base, random.Random], list[Body]]
MUTATIONS: dict[str, Mutation] = {}


def mutation(function: Mutation) -> Mutation:
    MUTATIONS[function.__name__] = function
    return function


# --- byte level: the signature breaks, or the bytes never parse ---------------------------------


@mutation
def valid(b: Base, rng: random.Random) -> list[Body]:
    return [Body(b.raw, frozenset({"accepted"}), "valid")]


@mutation
def replay(b: Base, rng: random.Random) -> list[Body]:
    again = json.dumps(b.doc, indent=rng.choice([None, 1, 4])).encode()  # other whitespace, same submission
    return [Body(b.raw, frozenset({"accepted"})), Body(again, frozenset({"duplicate"}), "replay")]


@mutation
def truncation(b: Base, rng: random.Random) -> list[Body]:
    raw = b.raw
    return [Body(raw[: rng.randrange(len(raw))], frozenset({"rejected:parse"}), "truncated")]


@mutation
def bit_flips(b: Base, rng: random.Random) -> list[Body]:
    raw = bytearray(b.raw)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(raw))
        raw[at] ^= 1 << rng.randrange(8)
    return [Body(bytes(raw), ANY - {"duplicate"}, "bits flipped")]  # rarely harmless: 1e5 for 1E5


@mutation
def stray_bytes(b: Base, rng: random.Random) -> list[Body]:
    raw = b.raw
    at = rng.randrange(len(raw) + 1)
    noise = rng.choice([b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf", bytes(rng.randbytes(4))])
    return [Body(raw[:at] + noise + raw[at:], ANY - {"duplicate"}, "stray bytes")]  # a leading BOM is UTF-8


@mutation
def other_encoding(b: Base, rng: random.Random) -> list[Body]:
    text = json.dumps({**b.doc, "events": b.doc["events"]}, ensure_ascii=False)
    encoding = rng.choice(["utf-16", "utf-32", "utf-16-le"])
    return [Body(text.encode(encoding), frozenset({"rejected:parse"}), encoding)]


_NUMBER = re.compile(rb"(?<=: )-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


@mutation
def non_finite_number(b: Base, rng: random.Random) -> list[Body]:
    raw = b.raw
    numbers = list(_NUMBER.finditer(raw))
    found = rng.choice(numbers)
    replacement = rng.choice([b"1e400", b"-1e309", b"NaN", b"Infinity", b"-Infinity", b"9" * 5000])
    expect = frozenset({"rejected:parse"}) if replacement[-1:].isalpha() else frozenset({"rejected:schema"})
    return [Body(raw[: found.start()] + replacement + raw[found.end() :], expect, replacement[:12].decode())]


@mutation
def deep_nesting(b: Base, rng: random.Random) -> list[Body]:
    raw = b.raw
    found = rng.choice(list(_NUMBER.finditer(raw)))
    levels = rng.choice([29, 33, 100, 1_000, 100_000])
    inner = b"[" * levels + found.group() + b"]" * levels
    expect = REJECTED if levels < 30 else frozenset({"rejected:schema"})  # the number sits 3 or more deep
    return [Body(raw[: found.start()] + inner + raw[found.end() :], expect, f"{levels} levels")]


@mutation
def repeated_member(b: Base, rng: random.Random) -> list[Body]:
    raw = b.raw
    names = [m for m in re.finditer(rb'"([a-z_A-Z]+)": ', raw)]
    found = rng.choice(names)
    value = rng.choice([b'"x"', b"1", b"null", b"[]", b"{}"])
    copy_ = found.group(0) + value + b", "
    return [Body(raw[: found.start()] + copy_ + raw[found.start() :], frozenset({"rejected:parse"}), "repeated")]


# --- document level, signed again: past the signature, to the contract and the ledger ------------


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, member in value.items():
            yield from _paths(member, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def _set(value: Any, path: tuple[Any, ...], new: Any) -> None:
    _get(value, path[:-1])[path[-1]] = new


def _resigned(
    b: Base, events: list[Any], expect: frozenset[str], label: str, created_at: str | None = None
) -> list[Body]:
    try:
        return [Body(b.signed(events, created_at), expect, label)]
    except ValueError:  # nothing can sign it (a lone surrogate): sent as it is, unsigned
        doc = {**b.doc, "events": events}
        return [Body(json.dumps(doc).encode(), REJECTED, label + ", unsigned")]


@mutation
def time_out_of_bounds(b: Base, rng: random.Random) -> list[Body]:
    events = copy.deepcopy(b.doc["events"])
    now = b.events_at + timedelta(days=1)
    times = {
        "1989-12-31T23:59:59+08:00": "rejected:schema",
        "0001-01-01T00:00:00+08:00": "rejected:schema",
        "9999-12-31T23:59:59+08:00": "rejected:schema",
        "9999-12-31T23:59:59-08:00": "rejected:schema",
        _time(now + timedelta(hours=25)): "rejected:schema",
        _time(now + timedelta(hours=23)): "accepted",  # near misses
        "1990-01-01T00:00:00+08:00": "accepted",
    }
    chosen = rng.choice(sorted(times))
    rng.choice(events)["time"] = chosen
    return _resigned(b, events, frozenset({times[chosen]}), f"time {chosen}")


@mutation
def huge_mass(b: Base, rng: random.Random) -> list[Body]:
    events = copy.deepcopy(b.doc["events"])
    masses: list[tuple[float | int, str]] = [
        (1e9, "accepted"),
        (10**9, "accepted"),  # the bound, written as an integer
        (5e-324, "accepted"),
        (1e9 + 1, "rejected:schema"),
        (10**9 + 1, "rejected:schema"),
        (1e300, "rejected:schema"),  # the import that took the dashboard down
        (1.7976931348623157e308, "rejected:schema"),
        (10**400, "rejected:schema"),
    ]
    chosen, expect = rng.choice(masses)
    event = rng.choice([e for e in events if e["type"] == "extract"])
    event["outputs"][0]["mass_kg"] = chosen
    return _resigned(b, events, frozenset({expect}), f"mass {str(chosen)[:12]}")


@mutation
def oversized_ext(b: Base, rng: random.Random) -> list[Body]:
    events = copy.deepcopy(b.doc["events"])
    size = rng.choice([16 * 1024 - 11, 16 * 1024 - 10, 20_000, 200_000])
    rng.choice(events)["ext"] = {"note": "x" * size}  # canonical: 11 bytes more than the text
    expect = "accepted" if size + 11 <= 16 * 1024 else "rejected:schema"
    return _resigned(b, events, frozenset({expect}), f"ext of {size + 11} bytes")


@mutation
def deep_ext(b: Base, rng: random.Random) -> list[Body]:
    events = copy.deepcopy(b.doc["events"])
    levels = rng.choice([28, 29, 30, 40, 300])
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    rng.choice(events)["ext"] = value
    # the document, its events and the event: three levels above ext
    expect = "accepted" if levels + 3 <= 32 else "rejected:schema"
    return _resigned(b, events, frozenset({expect}), f"ext {levels} deep")


WRONG = [0, 1.5, -1, "1", "", True, None, [], {}, ["x"], {"a": 1}, "x" * 600]


@mutation
def wrong_type(b: Base, rng: random.Random) -> list[Body]:
    events = copy.deepcopy(b.doc["events"])
    path = rng.choice([p for p in _paths(events) if len(p) > 1])
    replacement = rng.choice(WRONG)
    _set(events, path, replacement)
    return _resigned(b, events, ANY - {"duplicate"}, f"{'.'.join(map(str, path))} = {str(replacement)[:10]}")


CONFUSABLES = {"a": "а", "e": "е", "o": "о", "1": "１", "-": "‐", "L": "Ⅼ", "T": "Т", " ": "\u00a0"}
INVISIBLE = ["\u200b", "\u202e", "\ufeff", "\u0000", "\u2028", "\ud800"]


@mutation
def unicode_confusable(b: Base, rng: random.Random) -> list[Body]:
    events = copy.deepcopy(b.doc["events"])
    texts = [p for p in _paths(events) if len(p) > 1 and isinstance(_get(events, p), str)]
    path = rng.choice(texts)
    text = _get(events, path)
    swappable = [i for i, c in enumerate(text) if c in CONFUSABLES]
    if swappable and rng.random() < 0.6:
        i = rng.choice(swappable)
        text = text[:i] + CONFUSABLES[text[i]] + text[i + 1 :]
    else:
        i = rng.randrange(len(text) + 1)
        text = text[:i] + rng.choice(INVISIBLE) + text[i:]
    _set(events, path, text)
    return _resigned(b, events, ANY - {"duplicate"}, f"{'.'.join(map(str, path))} confusable")


@mutation
def unknown_or_missing_member(b: Base, rng: random.Random) -> list[Body]:
    events = copy.deepcopy(b.doc["events"])
    event = rng.choice(events)
    if rng.random() < 0.5:
        event[rng.choice(["extra", "mass", "Time", "ext_"])] = 1
        label = "unknown member"
    else:
        event.pop(rng.choice(sorted(k for k in event if k != "ext")))
        label = "missing member"
    return _resigned(b, events, frozenset({"rejected:schema"}), label)


@mutation
def conflict(b: Base, rng: random.Random) -> list[Body]:
    events = copy.deepcopy(b.doc["events"])
    extract_ = rng.choice([e for e in events if e["type"] == "extract"])
    extract_["outputs"][0]["mass_kg"] += 1
    later = _time(datetime.fromisoformat(b.created_at) + timedelta(seconds=30))
    second = _resigned(b, events, frozenset({"rejected:conflict"}), "conflict", later)
    return [Body(b.raw, frozenset({"accepted"})), *second]


@mutation
def borrowed_key(b: Base, rng: random.Random) -> list[Body]:
    """Signed with the neighbour's registered key, or with a key nobody registered."""
    key = b.neighbour.key if rng.random() < 0.5 else make_key(f"stranger-{rng.random()}")
    doc = sign_submission(b.party.uscc, key, b.created_at, b.doc["events"])
    return [Body(json.dumps(doc, ensure_ascii=False).encode(), frozenset({"rejected:key"}), "borrowed key")]


@mutation
def someone_elses(b: Base, rng: random.Random) -> list[Body]:
    """A valid submission of the neighbour's, sent by this enterprise's user: refused and kept
    (`reporter`) where an enterprise sends it; at the command line, an operator's to ingest."""
    events = [{**e, "event_id": f"n-{e['event_id']}"} for e in b.doc["events"] if e["type"] == "extract"]
    doc = sign_submission(b.neighbour.uscc, b.neighbour.key, b.created_at, events)
    return [
        Body(json.dumps(doc, ensure_ascii=False).encode(), frozenset({"rejected:reporter", "accepted"}), "another's")
    ]


@mutation
def header_tampering(b: Base, rng: random.Random) -> list[Body]:
    doc = copy.deepcopy(b.doc)
    member = rng.choice(["format", "reporter", "key_id", "created_at", "signature", "events"])
    doc[member] = rng.choice(WRONG + ["reetrace/submission@2", doc["reporter"][::-1], "2026-01-01T00:00:00"])
    return [Body(json.dumps(doc, ensure_ascii=False).encode(), REJECTED, f"header {member}")]
