"""Monthly reports written as an enterprise's ERP would send them in GS1 EPCIS 2.0 (contract §10),
for the demo and the simulator.

On disk a report is a pair: `NAME.jsonld`, one `EPCISDocument` in UTF-8 JSON, and beside it
`NAME.jsonld.jws`, the enterprise's detached JWS over the exact bytes of that file
(reetrace.ledger.jws). The document's `creationDate` is the moment the §4 submission of the same
events would have been signed (its `created_at`), so an ingest that takes the signing time as
the time of receipt (`--as-received created_at`) receives both at the same moment.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reetrace.epcis.document import Recorded, epcis_document, read_document
from reetrace.ledger.jws import sign_detached
from reetrace.ledger.signing import key_id, raw_public_key
from reetrace.ledger.submission import sign_submission

SUFFIX = ".jsonld"


def in_epcis(share: float, seed: int, uscc: str, month: str) -> bool:
    """Whether the enterprise reports `month` (YYYY-MM) in EPCIS, for `share` of enterprise-months:
    decided by a hash of the seed, the enterprise and the month, so that the choice draws nothing
    from the year's random numbers (the same year whatever the share) and keeps each enterprise-
    month's answer as `share` grows."""
    if share <= 0:
        return False
    digest = hashlib.sha256(f"epcis:{seed}:{uscc}:{month}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < share * 2**64


def report(reporter: str, events: Iterable[Mapping[str, Any]], created_at: str) -> dict[str, Any]:
    """The `EPCISDocument` of one enterprise's events, created when its §4 submission would be."""
    return epcis_document((Recorded(reporter, event) for event in events), datetime.fromisoformat(created_at))


def document_text(document: Mapping[str, Any]) -> str:
    """A document as a file: its members, then each event of its `eventList` on a line of its own
    (as the demo's submission files hold one event a line)."""
    body = document.get("epcisBody", {})
    if set(body) != {"eventList"}:
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    head = {k: v for k, v in document.items() if k != "epcisBody"}
    lines = [json.dumps(event, ensure_ascii=False, separators=(", ", ": ")) for event in body["eventList"]]
    return (
        json.dumps(head, ensure_ascii=False)[:-1]
        + ',\n "epcisBody": {"eventList": [\n  '
        + ",\n  ".join(lines)
        + ("\n ]}}\n" if lines else "]}}\n")
    )


def jws_path(path: Path) -> Path:
    """Where the detached JWS of the document at `path` lies."""
    return path.with_name(path.name + ".jws")


def write_signed(path: Path, document: Mapping[str, Any], private_key: Ed25519PrivateKey) -> int:
    """Write `document` to `path` and its detached JWS by `private_key` beside it; the file's size."""
    raw = document_text(document).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    jws_path(path).write_text(sign_detached(private_key, key_id(raw_public_key(private_key)), raw), encoding="ascii")
    return len(raw)


def showcase(submissions: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The monthly submission the demo shows reported in EPCIS: the one with the most kinds of
    event (then the most events; the first of equals), so that most of the mapping is on show."""
    return max(submissions, key=lambda s: (len({e["type"] for e in s["events"]}), len(s["events"])))


def as_submission(document: Mapping[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The §4 submission a signed EPCIS report stands for: its events read back, created at its
    `creationDate`, signed by `private_key`. Every event must name its reporter, the key's
    enterprise (as the events reetrace writes do)."""
    captured = read_document(document)
    reporters = {c.reporter for c in captured}
    reporter = reporters.pop() if len(reporters) == 1 else None
    if reporter is None:
        raise ValueError("a report names one reporter in each of its events")
    created = datetime.fromisoformat(document["creationDate"]).isoformat()
    return sign_submission(reporter, private_key, created, [c.event for c in captured])
