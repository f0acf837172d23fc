"""Redacted certificates, built here from a small chain held in memory (an in-memory Merkle log, a
checkpoint signed by a generated log key): the maker of a magnet receives it with the mine's and
the plant's events redacted. It verifies, its trace has the complete certificate's figures, it
holds none of the hidden values, and each thing a forger would change — a projection, a
commitment, a proof, a leaf, the signature — fails. Openings rebuild the event or fail."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime

import pytest

from factory import lot, make_uscc, transform
from reetrace.certificates import redaction
from reetrace.certificates.bundle import LoggedEvent, ancestry, assemble, assemble_redacted
from reetrace.certificates.verify import Verification, verify
from reetrace.contract.submission import validate_event
from reetrace.domain.trace import InMemoryLotSource, backward
from reetrace.ledger import merkle
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.note import Checkpoint, NoteError, Signer, open_checkpoint, sign_note

MINE, PLANT, MAKER, OTHER = make_uscc(21), make_uscc(22), make_uscc(23), make_uscc(24)
DY_OXIDE = {"Dy": 0.8713 * 0.99}
MAGNET = {"Nd": 0.29, "Dy": 0.01}
WHEN = datetime(2026, 2, 1, 10, tzinfo=UTC)


def chain() -> list[tuple[str, dict]]:
    """A mine (with its site, pit and HS code), a plant, an importer (with its declaration) and
    the maker, whose magnet draws on the plant's oxide and the import."""
    return [
        (
            MINE,
            {
                "event_id": "MINE-EV-0001",
                "type": "extract",
                "time": "2026-01-05T08:00:00+08:00",
                "site": f"{MINE}/PIT-NORTH",
                "deposit": "ion_adsorption",
                "ext": {"pit": "North-7", "crew": "shift B"},
                "outputs": [
                    {
                        "lot": "C1",
                        "form": "concentrate",
                        "mass_kg": 1000,
                        "composition": {"Y": 0.2, "Dy": 0.05},
                        "hs_code": "2530902000",
                    }
                ],
            },
        ),
        (
            PLANT,
            transform(
                "PLANT-EV-0002",
                "separation",
                [("C1", 1000)],
                [lot("DYO-1", "oxide", 50.0, DY_OXIDE), lot("YO-1", "oxide", 230.0, {"Y": 0.787})],
            ),
        ),
        (
            OTHER,
            {
                "event_id": "IMP-EV-0003",
                "type": "import",
                "time": "2026-01-08T08:00:00+08:00",
                "origin_country": "MM",
                "customs_declaration": "531620261000012345",
                "outputs": [{"lot": "NDM-9", "form": "metal", "mass_kg": 300, "composition": {"Nd": 0.99}}],
            },
        ),
        (
            MAKER,
            transform(
                "k1",
                "magnet",
                [("NDM-9", 150.0), ("DYO-1", 6.0)],
                [lot("MAG-1", "magnet", 500.0, MAGNET)],
                time="2026-01-20T08:00:00+08:00",
            ),
        ),
    ]


HIDDEN = [MINE, PLANT, OTHER, "MINE-EV-0001", "PLANT-EV-0002", "IMP-EV-0003", "PIT-NORTH", "North-7", "shift B"]
HIDDEN += ["2530902000", "531620261000012345"]


class Log:
    def __init__(self, entries: list[tuple[str, dict]]):
        self.bodies = [(reporter, canonical_bytes(event).decode()) for reporter, event in entries]
        compact = merkle.CompactRange()
        self.nodes: dict[tuple[int, int], bytes] = {}
        for reporter, body in self.bodies:
            for level, index, digest in compact.append(merkle.leaf_hash(merkle.leaf_data(reporter, body))):
                self.nodes[(level, index)] = digest
        self.size, self.root = compact.size, compact.root()
        self.key = Signer.generate("example.org/log")
        self.note = sign_note(Checkpoint(self.key.name, self.size, self.root).to_text(), self.key)

    def logged(self, index: int) -> LoggedEvent:
        reporter, body = self.bodies[index]
        return LoggedEvent(
            reporter, body, index, merkle.inclusion_proof(index, self.size, lambda lv, i: self.nodes[(lv, i)])
        )


def build(target: str = "MAG-1", issued_to: str = MAKER) -> tuple[dict, dict, Log]:
    entries = chain()
    log = Log(entries)
    source = InMemoryLotSource.from_events([validate_event(e, r) for r, e in entries])
    closure = set(ancestry(target, source))
    creating = [log.logged(i) for i, (_, e) in enumerate(entries) if any(o["lot"] in closure for o in e["outputs"])]
    complete = assemble(target, backward(target, source).as_contract(), creating, log.note, WHEN)
    redacted = assemble_redacted(target, issued_to, creating, log.key, log.note, WHEN)
    return json.loads(json.dumps(complete)), json.loads(json.dumps(redacted)), log


@pytest.fixture(scope="module")
def built():
    return build()


@pytest.fixture
def cert(built) -> dict:
    return copy.deepcopy(built[1])


@pytest.fixture(scope="module")
def log(built) -> Log:
    return built[2]


def check(doc: dict, log: Log) -> Verification:
    return verify(doc, log.key.verifier_key())


def entry(doc: dict, lot_id: str) -> dict:
    return next(r for r in doc["redacted"] if any(o["lot"] == lot_id for o in r["projection"]["outputs"]))


def figures(trace: dict) -> list:
    return [(o["lot"], o["type"], o["elements_kg"], o["reo_kg"]) for o in trace["origins"]]


# --- it verifies, and hides --------------------------------------------------------------


def test_the_maker_sees_its_own_event_whole_and_the_others_redacted(cert, log):
    result = check(cert, log)
    assert result.ok, result.failures
    assert cert["format"] == "reetrace/redacted-certificate@1" and cert["issued_to"] == MAKER
    assert result.seen_in_full == [f"{MAKER}:k1"]
    assert result.redacted_leaves == [0, 1, 2] and (result.events, result.included) == (4, 4)
    assert result.as_json()["redaction"] == {
        "issued_to": MAKER,
        "seen_in_full": [f"{MAKER}:k1"],
        "redacted_leaves": [0, 1, 2],
    }


def test_the_trace_has_the_complete_certificates_figures_and_names_nobody(built, cert, log):
    complete = built[0]
    assert figures(cert["trace"]) == figures(complete["trace"])
    assert cert["trace"]["elements_kg"] == complete["trace"]["elements_kg"] == {"Nd": 145.0, "Dy": 5.0}
    # by hand: the magnet's 5 kg Dy all from the mine's C1, its 145 kg Nd all from the import
    assert {o["lot"]: (o["type"], o["elements_kg"]) for o in cert["trace"]["origins"]} == {
        "C1": ("extract", {"Dy": 5.0}),
        "NDM-9": ("import", {"Nd": 145.0}),
    }
    assert {o["event"] for o in cert["trace"]["origins"]} == {"leaf:0", "leaf:2"}
    assert {o["enterprise"] for o in cert["trace"]["origins"]} == {None}
    assert check(cert, log).trace == cert["trace"]


def test_no_hidden_value_is_in_the_file(built, cert):
    complete, text = json.dumps(built[0]), json.dumps(cert)
    for value in HIDDEN:
        assert value in complete, value  # the complete certificate has them: the search means something
        assert value not in text, value
    assert MAKER in text and "k1" in text  # its own event is whole


def test_the_projection_keeps_what_the_trace_needs(cert):
    assert entry(cert, "C1")["projection"] == {
        "type": "extract",
        "time": "2026-01-05T08:00:00+08:00",
        "deposit": "ion_adsorption",
        "outputs": [{"lot": "C1", "form": "concentrate", "mass_kg": 1000, "composition": {"Y": 0.2, "Dy": 0.05}}],
    }
    assert sorted(entry(cert, "C1")["commitments"]) == [
        "/event/event_id",
        "/event/ext",
        "/event/outputs/0/hs_code",
        "/event/site",
        "/reporter",
    ]
    assert sorted(entry(cert, "NDM-9")["commitments"]) == ["/event/customs_declaration", "/event/event_id", "/reporter"]
    assert entry(cert, "NDM-9")["projection"]["origin_country"] == "MM"


def test_the_complete_certificate_is_the_one_it_always_was(built, log):
    complete = built[0]
    assert list(complete) == ["format", "lot", "issued_at", "trace", "events", "checkpoint"]
    assert all(list(e) == ["reporter", "event", "leaf_index", "leaf_hash", "proof"] for e in complete["events"])
    assert [e["event"] for e in complete["events"]] == [e for _, e in chain()]
    result = verify(complete, log.key.verifier_key())
    assert result.ok and "redaction" not in result.as_json()


def test_the_importer_receives_its_own_import_whole(log):
    _, theirs, log = build("MAG-1", OTHER)
    result = check(theirs, log)
    assert result.ok and result.seen_in_full == [f"{OTHER}:IMP-EV-0003"] and result.redacted_leaves == [0, 1, 3]


# --- forgeries fail ------------------------------------------------------------------------


def failures(doc: dict, log: Log) -> list[str]:
    result = check(doc, log)
    assert not result.ok
    return result.failures


def test_a_changed_projected_mass_fails_its_signature(cert, log):
    entry(cert, "C1")["projection"]["outputs"][0]["mass_kg"] = 1200
    found = failures(cert, log)
    assert found[0] == (
        "redacted event 1 (leaf 0): the log key's signature does not bind this projection and these "
        "commitments to the leaf"
    )


def test_a_changed_composition_in_the_trace_alone_is_caught_by_the_recomputation(cert, log):
    cert["trace"]["origins"][0]["elements_kg"]["Nd"] = 150.0
    assert any(
        f.startswith("trace: origin NDM-9 Nd 150 kg in the certificate, 145 kg recomputed") for f in failures(cert, log)
    )


def test_a_changed_commitment_fails(cert, log):
    e = entry(cert, "C1")
    e["commitments"]["/reporter"] = base64.b64encode(bytes(32)).decode()
    assert failures(cert, log) == [
        "redacted event 1 (leaf 0): the log key's signature does not bind this projection and these "
        "commitments to the leaf"
    ]


def test_a_dropped_commitment_fails(cert, log):
    del entry(cert, "DYO-1")["commitments"]["/reporter"]
    assert failures(cert, log) == ["redacted event 2 (leaf 1): commits to no reporter or event id"]


def test_a_changed_proof_fails(cert, log):
    e = entry(cert, "DYO-1")
    digest = bytearray(base64.b64decode(e["proof"][0]))
    digest[0] ^= 1
    e["proof"][0] = base64.b64encode(bytes(digest)).decode()
    assert failures(cert, log) == [
        "redacted event 2 (leaf 1): inclusion proof does not verify: leaf 1 in the checkpoint's tree of 4 "
        "(inclusion proof for leaf 1 does not lead to the root of tree size 4)"
    ]


def test_a_changed_leaf_hash_fails(cert, log):
    entry(cert, "DYO-1")["leaf_hash"] = base64.b64encode(bytes(32)).decode()
    assert failures(cert, log)[0].startswith("redacted event 2 (leaf 1): inclusion proof does not verify")


def test_a_projection_moved_to_another_leaf_fails(cert, log):
    """The leaf of the import carries the mine's projection and commitments: its proof holds,
    its signature does not."""
    mine, imported = entry(cert, "C1"), entry(cert, "NDM-9")
    imported["projection"], imported["commitments"] = mine["projection"], mine["commitments"]
    assert "redacted event 3 (leaf 2): the log key's signature does not bind" in failures(cert, log)[0]


def test_a_changed_signature_fails(cert, log):
    e = entry(cert, "NDM-9")
    signature = bytearray(base64.b64decode(e["signature"]))
    signature[-1] ^= 1
    e["signature"] = base64.b64encode(bytes(signature)).decode()
    assert failures(cert, log) == [
        "redacted event 3 (leaf 2): the log key's signature does not bind this projection and these "
        "commitments to the leaf"
    ]


def test_a_certificate_passed_off_as_another_enterprises_fails(cert, log):
    """`issued_to` is bound by every redaction's signature: changed, each one fails."""
    cert["issued_to"] = OTHER
    found = failures(cert, log)
    assert found[0] == f"certificate: events of other enterprises than {OTHER} are shown whole: {MAKER}:k1"
    assert [f.split(": ")[1] for f in found[1:]] == [
        "the log key's signature does not bind this projection and these commitments to the leaf"
    ] * 3


def test_another_logs_key_fails(cert):
    other = Signer.generate("example.org/log")
    found = verify(cert, other.verifier_key()).failures
    assert found[0].startswith("checkpoint (size 4): not signed by the log key")


def test_a_projection_that_is_no_creating_event_fails(cert, log):
    shown = copy.deepcopy(cert)
    entry(cert, "C1")["projection"]["outputs"][0]["mass_kg"] = -1
    assert failures(cert, log)[0].startswith("redacted event 1 (leaf 0): not the projection of a creating event")
    entry(shown, "NDM-9")["projection"]["customs_declaration"] = "shown"
    assert "member 'customs_declaration' is not shown in a projection" in failures(shown, log)[0]


def test_a_redacted_copy_of_a_whole_event_fails(cert, log):
    cert["redacted"].append(copy.deepcopy(cert["redacted"][0]))
    assert "redacted event 4 (leaf 0): repeats another event of the certificate" in failures(cert, log)


def test_a_binding_is_never_a_checkpoint(log):
    text = redaction.binding_text(log.key.name, MAKER, 0, bytes(32), {"type": "extract"}, {})
    with pytest.raises(NoteError):
        open_checkpoint(sign_note(text, log.key), log.key.verifier())


# --- openings --------------------------------------------------------------------------------


def test_opening_every_commitment_rebuilds_the_logged_event(cert, log):
    reporter, body = log.bodies[0]
    opened = redaction.opening(log.key, reporter, body, 0)
    assert opened["openings"]["/reporter"]["value"] == MINE
    assert redaction.check_opening(entry(cert, "C1"), opened) == []
    assert redaction.join(entry(cert, "C1")["projection"], {p: o["value"] for p, o in opened["openings"].items()}) == {
        "reporter": MINE,
        "event": chain()[0][1],
    }


def test_opening_one_member_is_checked_alone(cert, log):
    reporter, body = log.bodies[2]
    opened = redaction.opening(log.key, reporter, body, 2, ["/event/customs_declaration"])
    assert list(opened["openings"]) == ["/event/customs_declaration"]
    assert redaction.check_opening(entry(cert, "NDM-9"), opened) == []


def test_an_opening_with_another_value_fails(cert, log):
    reporter, body = log.bodies[0]
    opened = redaction.opening(log.key, reporter, body, 0, ["/reporter"])
    opened["openings"]["/reporter"]["value"] = PLANT
    assert redaction.check_opening(entry(cert, "C1"), opened) == [
        "leaf 0: /reporter: the value opened is not the one committed to"
    ]


def test_a_salt_made_without_the_log_key_fails(cert, log):
    reporter, body = log.bodies[0]
    guessed = redaction.opening(Signer.generate(log.key.name), reporter, body, 0, ["/reporter"])
    assert redaction.check_opening(entry(cert, "C1"), guessed) == [
        "leaf 0: /reporter: the value opened is not the one committed to"
    ]


def test_split_and_join_are_inverse():
    for reporter, event in chain():
        projection, hidden = redaction.split(reporter, event)
        assert redaction.join(projection, hidden) == {"reporter": reporter, "event": event}
