"""The provenance certificate, `reetrace/certificate@1`: all it takes to check a lot's origins
offline, with no access to the system.

    {
      "format": "reetrace/certificate@1",
      "lot": "MAG-1",
      "issued_at": "2026-11-05T10:00:00+08:00",
      "trace": {"format": "reetrace/trace@1", "lot": "MAG-1", "direction": "backward",
                "elements_kg": {"Nd": 271.2, "Dy": 6.1}, "reo_kg": 323.3,
                "origins": [{"lot": "C1", "event": "<USCC>:m1", "enterprise": "<USCC>", "type": "extract",
                             "elements_kg": {"Nd": 271.2, "Dy": 6.1}, "reo_kg": 323.3}]},
      "events": [
        {"reporter": "<USCC>", "event": {"event_id": "m1", "type": "extract", ...},
         "leaf_index": 0, "leaf_hash": "<base64>", "proof": ["<base64>", "..."]}
      ],
      "checkpoint": "reetrace.local/log\\n7\\n<root>\\nreceipts …\\n\\n— reetrace.local/log <sig>\\n…"
    }

- `trace` is the lot's backward trace as `reetrace trace LOT --direction backward --format json`
  prints it (docs/contract.md §6): every origin with the element mass it contributed.
- `events` holds every event the trace rests on: each creating event (`extract`, `import`,
  `transform`) of every lot in the backward closure — the lot, the lots the transform that made
  it drew from, theirs, and so on up to the origins — in log order. `event` is the JSON object the
  reporter signed, member for member; its RFC 8785 bytes with the reporter give the leaf data
  (docs/contract.md §8), so the leaf hash is recomputed, never trusted. `leaf_hash` (base64) repeats it so
  that a changed event is told apart from a broken proof. `proof` is the RFC 9162 inclusion proof
  of `leaf_index` in the tree the checkpoint commits to.
- `checkpoint` is one signed note (C2SP `tlog-checkpoint` / `signed-note`): origin, tree size and
  root hash, the log's signature and, where witnesses cosigned it, their `tlog-cosignature` lines.
  Every proof is anchored to it.
- `issued_at` (RFC 3339) is when the certificate was made; nothing depends on it.

What it proves: each event is, byte for byte, in the log whose key signed the checkpoint (and
that the witnesses saw), and the trace follows from those events. What it cannot prove alone:
that the log holds no *other* event touching the same lots (a lot created twice is an audit
finding); anyone with the full log checks that with `reetrace log verify` and an audit.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reetrace.domain.trace import LotSource
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.merkle import leaf_data, leaf_hash

FORMAT = "reetrace/certificate@1"
MEMBERS = ("format", "lot", "issued_at", "trace", "events", "checkpoint")
EVENT_MEMBERS = ("reporter", "event", "leaf_index", "leaf_hash", "proof")


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An event as the log holds it, with its inclusion proof in the checkpoint's tree."""

    reporter: str
    body: str  # the event's RFC 8785 JSON, exactly as stored
    leaf_index: int
    proof: Sequence[bytes]

    @property
    def ref(self) -> str:
        return f"{self.reporter}:{json.loads(self.body)['event_id']}"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def ancestry(lot: str, source: LotSource) -> list[str]:
    """The lot and every lot it was made from, however far back: through the creation of each
    lot that counts (the earliest), read one level at a time."""
    seen: dict[str, None] = {}
    frontier = [lot]
    while frontier:
        seen.update(dict.fromkeys(frontier))
        found = source.creations(frontier)
        following: dict[str, None] = {}
        for each in frontier:
            creation = found.get(each)
            if creation is not None and creation.type == "transform":
                following.update((d.lot, None) for d in creation.inputs)
        frontier = [p for p in following if p not in seen]
    return list(seen)


def assemble(
    lot: str, trace: Mapping[str, Any], events: Iterable[LoggedEvent], checkpoint: str, issued_at: datetime
) -> dict[str, Any]:
    """The certificate. Each event body must be canonical JSON (as the ledger stores it), so
    that the object written here canonicalises back to the very bytes that were logged."""
    entries = []
    for event in sorted(events, key=lambda e: e.leaf_index):
        parsed = json.loads(event.body)
        if canonical_bytes(parsed).decode("utf-8") != event.body:
            raise ValueError(f"event {event.ref} is not stored as RFC 8785 JSON: it would not hash to its leaf")
        entries.append(
            {
                "reporter": event.reporter,
                "event": parsed,
                "leaf_index": event.leaf_index,
                "leaf_hash": b64(leaf_hash(leaf_data(event.reporter, event.body))),
                "proof": [b64(p) for p in event.proof],
            }
        )
    return {
        "format": FORMAT,
        "lot": lot,
        "issued_at": issued_at.isoformat(timespec="seconds"),
        "trace": dict(trace),
        "events": entries,
        "checkpoint": checkpoint,
    }


def dumps(certificate: Mapping[str, Any]) -> str:
    """The certificate as a file: indented JSON, UTF-8 text, ending in a newline."""
    return json.dumps(certificate, ensure_ascii=False, indent=2) + "\n"


def event_ref(entry: Any) -> str:
    """`<USCC>:<event_id>` of an entry of `events`, as far as it can be read."""
    if not isinstance(entry, dict):
        return "?"
    event = entry.get("event")
    event_id = event.get("event_id") if isinstance(event, dict) else None
    return f"{entry.get('reporter', '?')}:{event_id if isinstance(event_id, str) else '?'}"


__all__ = ["EVENT_MEMBERS", "FORMAT", "MEMBERS", "LoggedEvent", "ancestry", "assemble", "b64", "dumps", "event_ref"]
