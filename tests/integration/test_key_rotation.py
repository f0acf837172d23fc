"""Enterprise keys rotate and are revoked from their dates; what was signed before stays valid."""

from __future__ import annotations

import base64

from factory import extract, make_key
from reetrace.ledger.signing import key_id, raw_public_key
from reetrace.ledger.submission import sign_submission
from reetrace.services import log
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry


def key_entry(private, valid_from: str, revoked_at: str | None = None) -> dict:
    raw = raw_public_key(private)
    return {
        "key_id": key_id(raw),
        "public_key": base64.b64encode(raw).decode(),
        "valid_from": valid_from,
        "revoked_at": revoked_at,
    }


def test_rotation_and_revocation(store, world, write_json):
    old, new = world.mine.key, make_key("mine-2026-06")
    registry = world.registry()
    registry["enterprises"][0]["keys"] = [key_entry(old, "2025-01-01T00:00:00+08:00")]
    load_registry(store, registry)

    def send(name, private, created_at, event_id):
        doc = sign_submission(world.mine.uscc, private, created_at, [extract(event_id, f"LOT-{event_id}")])
        return ingest(store, [write_json(name, doc)], as_received_created_at=True)

    assert send("may.json", old, "2026-05-05T10:00:00+08:00", "may").submissions_accepted == 1
    # the enterprise rotates on 1 June: the new key is registered, the old one revoked from then
    registry["enterprises"][0]["keys"] = [
        key_entry(old, "2025-01-01T00:00:00+08:00", "2026-06-01T00:00:00+08:00"),
        key_entry(new, "2026-06-01T00:00:00+08:00"),
    ]
    load_registry(store, registry)
    late_old = send("june-old.json", old, "2026-06-05T10:00:00+08:00", "june-a")
    assert [r.reason_class for r in late_old.rejected] == ["key"] and "revoked" in late_old.rejected[0].detail
    early_new = send("early-new.json", new, "2026-05-20T10:00:00+08:00", "early")
    assert [r.reason_class for r in early_new.rejected] == ["key"]
    assert send("june-new.json", new, "2026-06-05T10:00:00+08:00", "june-b").submissions_accepted == 1
    # the history signed with the old key before its revocation is still there and still verifies
    assert send("may-again.json", old, "2026-05-05T10:00:00+08:00", "may").submissions_duplicate == 1
    result = log.verify_log(store)
    assert result.ok and result.leaves == 2
