"""The witness on plain objects: a log made in memory (leaves, RFC 9162 proofs, signed notes), a
witness directory in tmp, an injected clock."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
import time

import pytest

from reetrace.errors import UsageError
from reetrace.ledger import merkle
from reetrace.ledger.note import Checkpoint, Signer, Verifier, open_checkpoint, sign_note, verify_cosignature
from reetrace.witness import SplitView, WitnessError
from reetrace.witness.witness import Witness, read_consistency_proof

ORIGIN = "example.com/log"


class Log:
    """A log in memory: its leaves and a signer; `note(n)` signs the checkpoint of the first n."""

    def __init__(self, signer: Signer, history: str = "honest") -> None:
        self.signer = signer
        self.leaves = [merkle.leaf_hash(f"{history} {i}".encode()) for i in range(64)]

    def note(self, size: int) -> str:
        return sign_note(Checkpoint(ORIGIN, size, merkle.root(self.leaves[:size])).to_text(), self.signer)

    def proof(self, size1: int, size2: int) -> list[bytes]:
        def node(level: int, index: int) -> bytes:
            return merkle.root(self.leaves[index << level : (index + 1) << level])

        return merkle.consistency_proof(size1, size2, node)


class Clock:
    def __init__(self, start: int = 1_800_000_000) -> None:
        self.now = start

    def __call__(self) -> int:
        self.now += 1
        return self.now


@pytest.fixture
def log() -> Log:
    return Log(Signer.generate(ORIGIN))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def witness(tmp_path, log, clock) -> Witness:
    w = Witness.init(tmp_path / "witness", "witness.example.org", clock)
    assert w.trust(log.signer.verifier_key())
    return w


def cosigner(witness: Witness) -> Verifier:
    return Verifier.from_verifier_key(witness.verifier_key())


def test_the_first_checkpoint_is_cosigned_and_the_cosignature_verifies(witness, log, clock):
    note = log.note(5)
    cosigned = witness.observe(note)
    assert cosigned.startswith(note) and cosigned.count("\n— ") == 2
    assert verify_cosignature(cosigned, cosigner(witness)) == clock.now
    assert open_checkpoint(cosigned, log.signer.verifier()).size == 5  # the log's signature still verifies
    assert witness.last_size(ORIGIN) == 5


def test_the_verifier_key_is_the_cosignature_form(witness):
    key = Verifier.from_verifier_key(witness.verifier_key())
    assert key.key_type == 0x04 and witness.verifier_key().startswith("witness.example.org+")


def test_growth_with_a_valid_proof_is_cosigned(witness, log):
    witness.observe(log.note(5))
    cosigned = witness.observe(log.note(13), log.proof(5, 13), old_size=5)
    verify_cosignature(cosigned, cosigner(witness))
    assert witness.last_size(ORIGIN) == 13
    assert witness.alerts() == []


def test_growth_from_the_empty_tree_needs_no_proof(witness, log):
    witness.observe(log.note(0))
    witness.observe(log.note(7))
    assert witness.last_size(ORIGIN) == 7


def test_growth_without_a_proof_is_refused_and_not_an_alert(witness, log):
    witness.observe(log.note(5))
    with pytest.raises(WitnessError, match="needs a consistency proof from 5 to 13") as refused:
        witness.observe(log.note(13))
    assert not isinstance(refused.value, SplitView)
    assert witness.last_size(ORIGIN) == 5 and witness.alerts() == []


def test_growth_with_a_bad_proof_is_refused_and_recorded(witness, log):
    witness.observe(log.note(5))
    proof = log.proof(5, 13)
    proof[0] = hashlib.sha256(b"not the node").digest()
    with pytest.raises(SplitView, match="does not verify") as refused:
        witness.observe(log.note(13), proof)
    assert refused.value.kind == "inconsistent"
    assert witness.last_size(ORIGIN) == 5
    [alert] = witness.alerts()
    assert (alert["kind"], alert["cosigned"]["size"], alert["presented"]["size"]) == ("inconsistent", 5, 13)


def test_a_larger_tree_of_another_history_is_a_split_view(witness, log):
    witness.observe(log.note(5))
    other = Log(log.signer, history="rewritten")
    with pytest.raises(SplitView) as refused:
        witness.observe(other.note(13), other.proof(5, 13))
    assert refused.value.kind == "inconsistent"


def test_the_same_size_with_another_root_is_a_split_view_recorded_with_both_checkpoints(witness, log):
    honest = log.note(8)
    witness.observe(honest)
    forked = Log(log.signer, history="fork").note(8)
    with pytest.raises(SplitView, match="two different roots for the tree of 8 leaves") as refused:
        witness.observe(forked)
    message = str(refused.value)
    assert "size 8, root " + honest.split("\n")[2] in message and forked.split("\n")[2] in message
    [alert] = witness.alerts()
    assert alert["kind"] == "fork" and alert["origin"] == ORIGIN
    assert (alert["cosigned"]["note"], alert["presented"]["note"]) == (honest, forked)
    assert witness.observe(log.note(8))  # the honest view is still cosigned


def test_the_same_checkpoint_again_gets_a_fresh_cosignature(witness, log, clock):
    first = witness.observe(log.note(8))
    again = witness.observe(log.note(8))
    assert verify_cosignature(again, cosigner(witness)) > verify_cosignature(first, cosigner(witness))


def test_a_smaller_tree_is_refused(witness, log):
    witness.observe(log.note(13))
    with pytest.raises(SplitView, match="went back from 13 to 5") as refused:
        witness.observe(log.note(5))
    assert refused.value.kind == "rollback" and witness.last_size(ORIGIN) == 13
    assert [a["kind"] for a in witness.alerts()] == ["rollback"]


def test_a_proof_from_another_size_than_the_witnesss_is_refused(witness, log):
    witness.observe(log.note(5))
    with pytest.raises(WitnessError, match="not 3"):
        witness.observe(log.note(13), log.proof(3, 13), old_size=3)
    assert witness.alerts() == []


def test_an_untrusted_log_is_refused(tmp_path, clock):
    witness = Witness.init(tmp_path / "w", "witness.example.org", clock)
    with pytest.raises(WitnessError, match="does not trust the log"):
        witness.observe(Log(Signer.generate(ORIGIN)).note(3))


def test_a_checkpoint_signed_by_another_key_for_a_trusted_origin_is_refused(witness):
    impostor = Log(Signer.generate(ORIGIN))
    with pytest.raises(WitnessError, match="no verifiable signatures"):
        witness.observe(impostor.note(3))
    assert witness.last_size(ORIGIN) is None


def test_a_cosignature_key_is_not_a_log_key(witness):
    with pytest.raises(UsageError, match="cosignature"):
        witness.trust(witness.verifier_key())


def test_a_rotated_log_key_keeps_the_checkpoint_to_extend(witness, log):
    witness.observe(log.note(5))
    rotated = Log(Signer.generate(ORIGIN))
    rotated.leaves = log.leaves
    assert witness.trust(rotated.signer.verifier_key())
    assert not witness.trust(rotated.signer.verifier_key())
    witness.observe(rotated.note(9), rotated.proof(5, 9))
    with pytest.raises(SplitView):
        witness.observe(Log(rotated.signer, history="after rotation").note(9))


def test_state_survives_a_restart(tmp_path, witness, log, clock):
    witness.observe(log.note(5))
    again = Witness.open(tmp_path / "witness", clock)
    assert again.verifier_key() == witness.verifier_key()
    assert again.last_size(ORIGIN) == 5
    with pytest.raises(SplitView):
        again.observe(Log(log.signer, history="fork").note(5))
    cosigned = again.observe(log.note(9), log.proof(5, 9))
    verify_cosignature(cosigned, cosigner(witness))
    assert len(Witness.open(tmp_path / "witness").alerts()) == 1
    state = json.loads((tmp_path / "witness" / "logs.json").read_text())
    assert state["logs"][ORIGIN]["size"] == 9


def test_the_key_is_private_and_made_once(tmp_path, witness):
    path = tmp_path / "witness" / "witness.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(UsageError, match="already holds a witness key"):
        Witness.init(tmp_path / "witness")
    os.chmod(path, 0o644)
    with pytest.raises(WitnessError, match="can be read by others"):
        Witness.open(tmp_path / "witness")


def test_a_directory_without_a_witness_is_named(tmp_path):
    with pytest.raises(UsageError, match="witness init"):
        Witness.open(tmp_path / "nothing")


def test_two_witness_processes_never_both_cosign_a_fork(tmp_path, log):
    directory = tmp_path / "witness"
    Witness.init(directory, "witness.example.org").trust(log.signer.verifier_key())
    Witness.open(directory).observe(log.note(4))
    fork = Log(log.signer, history="fork")
    fork.leaves[:4] = log.leaves[:4]  # both views extend the checkpoint of 4 the witness cosigned
    start, outcomes = threading.Barrier(2), []

    def slow_clock() -> int:  # widens the window between judging a checkpoint and saving it
        time.sleep(0.2)
        return 1_800_000_000

    def present(view: Log) -> None:
        witness = Witness.open(directory, slow_clock)
        start.wait()
        try:
            witness.observe(view.note(8), view.proof(4, 8))
            outcomes.append("cosigned")
        except SplitView:
            outcomes.append("refused")

    threads = [threading.Thread(target=present, args=(view,)) for view in (log, fork)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["cosigned", "refused"]


def test_consistency_proof_documents_are_read():
    doc = {"format": "reetrace/consistency-proof@1", "size1": 2, "size2": 5, "proof": ["AAAA"]}
    assert read_consistency_proof(doc) == (2, 5, [b"\0\0\0"])
    with pytest.raises(UsageError):
        read_consistency_proof({**doc, "format": "x"})
