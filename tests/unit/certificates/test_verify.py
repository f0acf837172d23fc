"""Verifying a provenance certificate offline, on a certificate built here from a small chain held
in memory: an in-memory Merkle log, a checkpoint signed by a generated log key and cosigned by a
generated witness. It verifies; each byte that matters, changed, fails with a message saying
what and where."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime

import pytest

from factory import extract, lot, make_uscc, ship, transform
from reetrace.certificates.bundle import LoggedEvent, ancestry, assemble
from reetrace.certificates.verify import Verification, VerificationError, verify
from reetrace.contract.submission import validate_event
from reetrace.domain.trace import InMemoryLotSource, backward
from reetrace.errors import UsageError
from reetrace.ledger import merkle
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.note import Checkpoint, Signer, cosign, sign_note

MINE, PLANT, MAKER = make_uscc(11), make_uscc(12), make_uscc(13)
ND_OXIDE = {"Nd": 0.8574 * 0.99}
DY_OXIDE = {"Dy": 0.8713 * 0.99}
ND_METAL = {"Nd": 0.995}
MAGNET = {"Nd": 0.29, "Dy": 0.01}


def chain() -> list[tuple[str, dict]]:
    """Mine → separation → metal → magnet, with an unrelated shipment in the log between them."""
    return [
        (MINE, extract("m1", "C1", 1000, composition={"Ce": 0.2, "Nd": 0.1, "Dy": 0.02})),
        (
            MINE,
            extract("m2", "C2", 500, composition={"Ce": 0.1, "Nd": 0.2, "Dy": 0.04}, time="2026-01-05T09:00:00+08:00"),
        ),
        (MINE, ship("m3", ["C1", "C2"], PLANT, "S1")),
        (
            PLANT,
            transform(
                "p1",
                "separation",
                [("C1", 1000), ("C2", 500)],
                [
                    lot("NDO-1", "oxide", 226.0, ND_OXIDE),
                    lot("DYO-1", "oxide", 45.0, DY_OXIDE),
                    lot("CEO-1", "oxide", 300.0, {"Ce": 0.8141}),
                ],
            ),
        ),
        (
            PLANT,
            transform(
                "p2",
                "metal",
                [("NDO-1", 226.0)],
                [lot("NDM-1", "metal", 190.0, ND_METAL)],
                time="2026-01-12T08:00:00+08:00",
            ),
        ),
        (
            MAKER,
            transform(
                "k1",
                "magnet",
                [("NDM-1", 150.0), ("DYO-1", 5.0)],
                [lot("MAG-1", "magnet", 500.0, MAGNET)],
                time="2026-01-20T08:00:00+08:00",
            ),
        ),
        (MINE, extract("m4", "C3", 800, time="2026-01-21T08:00:00+08:00")),
    ]


class Log:
    """A transparency log in memory: leaves, stored subtree hashes, a signed, cosigned checkpoint."""

    def __init__(self, entries: list[tuple[str, dict]]):
        self.bodies = [(reporter, canonical_bytes(event).decode()) for reporter, event in entries]
        compact = merkle.CompactRange()
        self.nodes: dict[tuple[int, int], bytes] = {}
        for reporter, body in self.bodies:
            for level, index, digest in compact.append(merkle.leaf_hash(merkle.leaf_data(reporter, body))):
                self.nodes[(level, index)] = digest
        self.size, self.root = compact.size, compact.root()
        self.log = Signer.generate("example.org/log")
        self.witness = Signer.generate("example.org/witness")
        note = sign_note(Checkpoint(self.log.name, self.size, self.root).to_text(), self.log)
        self.note = cosign(note, self.witness, 1_767_225_600)

    def logged(self, index: int) -> LoggedEvent:
        reporter, body = self.bodies[index]
        return LoggedEvent(
            reporter, body, index, merkle.inclusion_proof(index, self.size, lambda lv, i: self.nodes[(lv, i)])
        )


def certificate_for(target: str, entries: list[tuple[str, dict]] | None = None) -> tuple[dict, Log]:
    entries = entries if entries is not None else chain()
    log = Log(entries)
    events = [validate_event(event, reporter) for reporter, event in entries]
    source = InMemoryLotSource.from_events(events)
    closure = set(ancestry(target, source))
    creating = [i for i, (_, e) in enumerate(entries) if any(o["lot"] in closure for o in e.get("outputs", ()))]
    trace = backward(target, source).as_contract()
    doc = assemble(target, trace, [log.logged(i) for i in creating], log.note, datetime(2026, 2, 1, 10, tzinfo=UTC))
    return json.loads(json.dumps(doc)), log  # as read back from a file


@pytest.fixture(scope="module")
def built() -> tuple[dict, Log]:
    return certificate_for("MAG-1")


@pytest.fixture
def cert(built) -> dict:
    return copy.deepcopy(built[0])


@pytest.fixture(scope="module")
def log(built) -> Log:
    return built[1]


def check(doc: dict, log: Log, *witnesses: str) -> Verification:
    return verify(doc, log.log.verifier_key(), witnesses)


def failures(doc: dict, log: Log, *witnesses: str) -> list[str]:
    result = check(doc, log, *witnesses)
    assert not result.ok
    return result.failures


def entry(doc: dict, event_id: str) -> tuple[int, dict]:
    return next((n, e) for n, e in enumerate(doc["events"], 1) if e["event"]["event_id"] == event_id)


def origin(doc: dict, lot_id: str) -> dict:
    return next(o for o in doc["trace"]["origins"] if o["lot"] == lot_id)


# --- it verifies ---------------------------------------------------------------------------


def test_the_certificate_holds_every_creating_event_of_the_closure(cert):
    ids = [e["event"]["event_id"] for e in cert["events"]]
    assert ids == ["m1", "m2", "p1", "p2", "k1"]  # not the shipment, not the unrelated extract
    assert [e["leaf_index"] for e in cert["events"]] == [0, 1, 3, 4, 5]
    assert cert["format"] == "reetrace/certificate@1" and cert["lot"] == "MAG-1"
    assert {o["lot"] for o in cert["trace"]["origins"]} == {"C1", "C2"}


def test_it_verifies_with_the_log_key_and_the_witness_key(cert, log):
    result = check(cert, log, log.witness.cosignature_verifier().verifier_key())
    assert result.ok, result.failures
    assert (result.events, result.included) == (5, 5)
    assert result.checkpoint == Checkpoint(log.log.name, 7, log.root)
    witness = log.witness.cosignature_verifier()
    assert [c.witness for c in result.cosigned] == [f"example.org/witness+{witness.key_id.hex()}"]
    assert result.cosigned[0].timestamp == 1_767_225_600
    assert result.trace == cert["trace"]
    assert result.warnings == []
    result.raise_for_failures()


def test_a_witness_key_of_type_ed25519_is_looked_up_as_a_cosigner(cert, log):
    assert check(cert, log, log.witness.verifier_key()).ok


def test_the_json_report(cert, log):
    report = check(cert, log).as_json()
    assert report["ok"] and report["checkpoint"]["size"] == 7 and report["checkpoint"]["signature_verified"]
    assert report["failures"] == [] and report["included"] == 5


# --- changed events ------------------------------------------------------------------------


def test_a_changed_mass_is_named(cert, log):
    n, e = entry(cert, "p1")
    e["event"]["inputs"][0]["mass_kg"] = 1200  # more drawn from C1: C1's share of the magnet grows
    found = failures(cert, log)
    assert (
        found[0] == f"event {n} ({PLANT}:p1): the event was changed: it does not hash to its leaf_hash, and is "
        "not the event the log holds at leaf 3"
    )
    assert any(f.startswith("trace: origin C1 Nd ") and f.endswith(" kg recomputed") for f in found[1:]), found


def test_a_changed_composition_is_named(cert, log):
    n, e = entry(cert, "m1")
    e["event"]["outputs"][0]["composition"]["Dy"] = 0.03
    found = failures(cert, log)
    assert (
        found[0] == f"event {n} ({MINE}:m1): the event was changed: it does not hash to its leaf_hash, and is "
        "not the event the log holds at leaf 0"
    )
    assert any(f.startswith("trace: origin C1 Dy ") for f in found[1:]), found


def test_a_changed_event_with_a_matching_leaf_hash_is_named(cert, log):
    n, e = entry(cert, "k1")
    e["event"]["inputs"][1]["mass_kg"] = 6.0
    body = canonical_bytes(e["event"]).decode()
    e["leaf_hash"] = base64.b64encode(merkle.leaf_hash(merkle.leaf_data(MAKER, body))).decode()
    found = failures(cert, log)
    assert found[0].startswith(
        f"event {n} ({MAKER}:k1): inclusion proof does not verify: leaf 5 in the checkpoint's tree of 7 ("
    )


def test_a_changed_proof_element_is_named(cert, log):
    n, e = entry(cert, "p2")
    digest = bytearray(base64.b64decode(e["proof"][1]))
    digest[0] ^= 1
    e["proof"][1] = base64.b64encode(bytes(digest)).decode()
    assert failures(cert, log) == [
        f"event {n} ({PLANT}:p2): inclusion proof does not verify: leaf 4 in the checkpoint's tree of 7 "
        "(inclusion proof for leaf 4 does not lead to the root of tree size 7)"
    ]


def test_a_proof_element_that_is_no_hash_is_named(cert, log):
    n, e = entry(cert, "p2")
    e["proof"][0] = "not base64!"
    assert failures(cert, log) == [f"event {n} ({PLANT}:p2): proof element 1 is not base64 of a 32-byte hash"]


def test_a_dropped_proof_element_is_named(cert, log):
    n, e = entry(cert, "m2")
    e["proof"].pop()
    assert failures(cert, log) == [
        f"event {n} ({MINE}:m2): inclusion proof does not verify: leaf 1 in the checkpoint's tree of 7 "
        "(wrong inclusion proof length 2, expected 3)"
    ]


def test_a_changed_leaf_index_is_named(cert, log):
    n, e = entry(cert, "m2")
    e["leaf_index"] = 2
    assert failures(cert, log)[0].startswith(f"event {n} ({MINE}:m2): inclusion proof does not verify: leaf 2 in")


def test_a_leaf_index_beyond_the_tree_is_named(cert, log):
    n, e = entry(cert, "m2")
    e["leaf_index"] = 7
    assert failures(cert, log) == [
        f"event {n} ({MINE}:m2): inclusion proof does not verify: leaf 7 in the "
        "checkpoint's tree of 7 (leaf index 7 is not in a tree of 7 leaves)"
    ]


def test_a_changed_leaf_hash_alone_is_named(cert, log):
    n, e = entry(cert, "m1")
    e["leaf_hash"] = base64.b64encode(bytes(32)).decode()
    assert failures(cert, log) == [
        f"event {n} ({MINE}:m1): leaf_hash is not the hash of the event (the event itself is proven included at leaf 0)"
    ]


def test_an_invalid_event_is_named(cert, log):
    n, e = entry(cert, "m1")
    e["event"]["outputs"][0]["mass_kg"] = -5
    found = failures(cert, log)
    assert found[0].startswith(f"event {n} ({MINE}:m1): not a valid event: ")


def test_a_repeated_event_is_named(cert, log):
    cert["events"].append(copy.deepcopy(cert["events"][0]))
    assert failures(cert, log) == [f"event 6 ({MINE}:m1): repeats event 1"]


# --- the checkpoint ------------------------------------------------------------------------


def replace_line(note: str, number: int, value: str) -> str:
    lines = note.split("\n")
    lines[number] = value
    return "\n".join(lines)


def test_a_changed_root_is_named(cert, log):
    cert["checkpoint"] = replace_line(cert["checkpoint"], 2, base64.b64encode(bytes(32)).decode())
    found = failures(cert, log)
    assert found[0] == (
        f"checkpoint (size 7): not signed by the log key {log.log.name}+{log.log.key_id.hex()}: "
        "the signature does not verify: the checkpoint's origin, size or root hash, or the "
        "signature, was changed"
    )
    assert all("inclusion proof does not verify" in f for f in found[1:]) and len(found) == 6


def test_a_changed_size_is_named(cert, log):
    cert["checkpoint"] = replace_line(cert["checkpoint"], 1, "8")
    found = failures(cert, log)
    assert found[0].startswith("checkpoint (size 8): not signed by the log key ")
    assert "the signature does not verify" in found[0]


def test_a_changed_signature_is_named(cert, log):
    lines = cert["checkpoint"].split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(f"\u2014 {log.log.name} "))
    name, encoded = lines[number].rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    cert["checkpoint"] = replace_line(cert["checkpoint"], number, f"{name} {base64.b64encode(bytes(raw)).decode()}")
    found = failures(cert, log)
    assert found == [
        f"checkpoint (size 7): not signed by the log key {log.log.name}+{log.log.key_id.hex()}: the "
        "signature does not verify: the checkpoint's origin, size or root hash, or the signature, was "
        "changed"
    ]


def test_a_wrong_log_key_is_named(cert, log):
    other = Signer.generate("example.org/log")
    found = verify(cert, other.verifier_key()).failures
    assert found == [
        f"checkpoint (size 7): not signed by the log key example.org/log+{other.key_id.hex()}: it "
        "carries no signature by that key (signed by another log, or by a rotated key?)"
    ]


def test_a_required_witness_that_did_not_cosign_is_named(cert, log):
    absent = Signer.generate("example.org/other-witness").cosignature_verifier()
    found = failures(cert, log, log.witness.cosignature_verifier().verifier_key(), absent.verifier_key())
    assert found == [
        f"checkpoint (size 7): witness example.org/other-witness+{absent.key_id.hex()}: the checkpoint "
        "carries no cosignature by this witness"
    ]


def test_a_removed_cosignature_is_named_only_when_the_witness_is_required(cert, log):
    lines = cert["checkpoint"].split("\n")
    cert["checkpoint"] = "\n".join(line for line in lines if not line.startswith(f"\u2014 {log.witness.name} "))
    assert check(cert, log).ok
    witness = log.witness.cosignature_verifier()
    assert failures(cert, log, witness.verifier_key()) == [
        f"checkpoint (size 7): witness {witness.name}+{witness.key_id.hex()}: the checkpoint carries no cosignature "
        "by this witness"
    ]


def test_a_changed_cosignature_is_named(cert, log):
    lines = cert["checkpoint"].split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith(f"\u2014 {log.witness.name} "))
    name, encoded = lines[number].rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    cert["checkpoint"] = replace_line(cert["checkpoint"], number, f"{name} {base64.b64encode(bytes(raw)).decode()}")
    witness = log.witness.cosignature_verifier()
    assert failures(cert, log, witness.verifier_key()) == [
        f"checkpoint (size 7): witness {witness.name}+{witness.key_id.hex()}: its cosignature does not verify: the "
        "checkpoint or the cosignature was changed"
    ]


def test_keys_that_are_not_keys_are_bad_usage(cert, log):
    with pytest.raises(UsageError, match="the log key 'nonsense' is not a verifier key"):
        verify(cert, "nonsense")
    with pytest.raises(UsageError, match="not a log key"):
        verify(cert, log.witness.cosignature_verifier().verifier_key())
    with pytest.raises(UsageError, match="the witness key"):
        verify(cert, log.log.verifier_key(), ["example.org/w+zz+AA"])


# --- the trace -----------------------------------------------------------------------------


def test_a_changed_origin_figure_is_named(cert, log):
    figures = origin(cert, "C1")["elements_kg"]
    before = figures["Dy"]
    figures["Dy"] = round(before + 0.5, 6)
    assert failures(cert, log) == [
        f"trace: origin C1 Dy {figures['Dy']:.6f}".rstrip("0").rstrip(".")
        + f" kg in the certificate, {before:.6f}".rstrip("0").rstrip(".")
        + " kg recomputed"
    ]


def test_a_difference_within_the_tolerance_passes(cert, log):
    origin(cert, "C1")["elements_kg"]["Nd"] += 0.0000009
    assert check(cert, log).ok


def test_changed_lot_totals_and_reo_are_named(cert, log):
    cert["trace"]["elements_kg"]["Nd"] += 1
    origin(cert, "C2")["reo_kg"] += 1
    found = failures(cert, log)
    assert len(found) == 2
    assert found[0].startswith("trace: lot MAG-1 Nd ") and found[1].startswith("trace: origin C2 REO ")


def test_an_origin_claimed_of_another_enterprise_is_named(cert, log):
    origin(cert, "C1")["enterprise"] = PLANT
    assert failures(cert, log) == [f"trace: origin C1: enterprise {PLANT!r} in the certificate, {MINE!r} recomputed"]


def test_an_origin_of_illegal_type_is_named(cert, log):
    origin(cert, "C1")["type"] = "transform"
    found = failures(cert, log)
    assert (
        found[0] == "trace: origin C1: type 'transform' is neither a legal origin (extract, import) nor reported "
        "as unknown"
    )
    assert found[1] == "trace: origin C1: type 'transform' in the certificate, 'extract' recomputed"


def test_a_missing_origin_event_is_named(cert, log):
    cert["events"] = [e for e in cert["events"] if e["event"]["event_id"] != "m1"]
    found = failures(cert, log)
    assert f"trace: origin C1: it rests on event {MINE}:m1, which the certificate does not include" in found
    assert "trace: origin C1: type 'extract' in the certificate, 'unknown' recomputed" in found


def test_a_missing_intermediate_event_is_named(cert, log):
    cert["events"] = [e for e in cert["events"] if e["event"]["event_id"] != "p2"]
    found = failures(cert, log)
    assert any(f.startswith("trace: origin C1 Nd 72.5 kg in the certificate, ") for f in found), found  # Dy stays
    assert any(
        f.startswith("trace: origin NDM-1 (unknown, ")
        and f.endswith("recomputed from the included events, is not in the certificate: no included event creates it")
        for f in found
    ), found


def test_a_removed_origin_is_named(cert, log):
    cert["trace"]["origins"] = [o for o in cert["trace"]["origins"] if o["lot"] != "C2"]
    found = failures(cert, log)
    assert len(found) == 1 and found[0].startswith("trace: origin C2 (extract, ")


def test_a_trace_of_another_lot_is_named(cert, log):
    cert["trace"]["lot"] = "MAG-2"
    assert failures(cert, log) == ["trace: it is the trace of lot 'MAG-2', the certificate is for 'MAG-1'"]


def test_a_certificate_for_another_lot_is_named(cert, log):
    cert["lot"] = "NDM-1"
    found = failures(cert, log)
    assert "trace: it is the trace of lot 'MAG-1', the certificate is for 'NDM-1'" in found


def test_unknown_and_missing_members_are_named(cert, log):
    cert["note"] = "trust me"
    del cert["events"][0]["leaf_hash"]
    found = failures(cert, log)
    assert "certificate: unknown member 'note'" in found
    assert f"event 1 ({MINE}:m1): missing member 'leaf_hash'" in found


def test_raise_for_failures(cert, log):
    cert["format"] = "reetrace/certificate@2"
    with pytest.raises(VerificationError) as raised:
        check(cert, log).raise_for_failures()
    assert raised.value.failures == ["certificate: format is 'reetrace/certificate@2', not 'reetrace/certificate@1'"]


def test_unknown_origins_are_reported_not_failed():
    entries = [
        *chain()[:6],
        (
            MAKER,
            transform(
                "k2",
                "magnet",
                [("MAG-1", 100.0), ("SCRAP-9", 50.0)],
                [lot("MAG-2", "magnet", 140.0, MAGNET)],
                time="2026-01-22T08:00:00+08:00",
            ),
        ),
    ]
    cert, log = certificate_for("MAG-2", entries)
    result = check(cert, log)
    assert result.ok, result.failures
    assert [o["type"] for o in cert["trace"]["origins"] if o["lot"] == "SCRAP-9"] == ["unknown"]
    assert len(result.warnings) == 1 and result.warnings[0].startswith(
        "unknown origin: lot SCRAP-9: no included event creates it; "
    )


def test_a_lot_nobody_created_is_all_unknown():
    cert, log = certificate_for(
        "SCRAP-9",
        [*chain(), (MAKER, transform("k2", "magnet", [("SCRAP-9", 50.0)], [lot("MAG-2", "magnet", 40.0, MAGNET)]))],
    )
    result = check(cert, log)
    assert result.ok and cert["events"] == []
    assert result.warnings == ["unknown origin: the lot itself: no included event creates it; 0 kg REO"]
