"""The witness's judgement (c2sp.org/tlog-witness): cosign a checkpoint only when it extends the
last one cosigned for its log.

For each trusted log the witness keeps the last checkpoint it cosigned. A new checkpoint must be
signed by one of the log's trusted keys, and then:

- a smaller tree is a rollback, the same size with another root a fork, and a larger tree whose
  consistency proof from the last cosigned size does not verify is inconsistent: each is a split
  view, refused, recorded in the alerts with both checkpoints, and raised as `SplitView`;
- a larger tree without a proof, or a proof from another size than the witness's, is refused
  (`WitnessError`) and not recorded: nothing has been shown about the log yet;
- otherwise it is cosigned (Ed25519 cosignature/v1 at the clock's time) and becomes the last
  checkpoint, saved before the cosignature is returned.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from reetrace.errors import UsageError
from reetrace.ledger import merkle
from reetrace.ledger.note import ED25519, Checkpoint, NoteError, Signer, Verifier, cosign, open_note
from reetrace.witness import SplitView, WitnessError
from reetrace.witness.state import Cosigned, TrustedLog, WitnessState

CONSISTENCY_FORMAT = "reetrace/consistency-proof@1"
DEFAULT_NAME = "reetrace.local/witness"

Clock = Callable[[], int]


def unix_now() -> int:
    return int(time.time())


class Witness:
    def __init__(self, state: WitnessState, clock: Clock = unix_now) -> None:
        self.state = state
        self.signer: Signer = state.signer()
        self.clock = clock

    @classmethod
    def open(cls, directory: Path, clock: Clock = unix_now) -> Witness:
        return cls(WitnessState(directory), clock)

    @classmethod
    def init(cls, directory: Path, name: str = DEFAULT_NAME, clock: Clock = unix_now) -> Witness:
        state, _ = WitnessState.create(directory, name)
        return cls(state, clock)

    @property
    def name(self) -> str:
        return self.signer.name

    def verifier_key(self) -> str:
        """The cosignature verifier key: <name>+<hex id>+<base64(0x04 || public key)>."""
        return self.signer.cosignature_verifier().verifier_key()

    def logs(self) -> dict[str, TrustedLog]:
        return self.state.load_logs()

    def trust(self, log_key: str) -> bool:
        """Trust a log's verifier key (type 0x01) for its origin; False when it already was."""
        try:
            verifier = Verifier.from_verifier_key(log_key.strip())
        except NoteError as exc:
            raise UsageError(f"not a log verifier key: {exc}") from None
        if verifier.key_type != ED25519:
            raise UsageError(
                f"{verifier.name}+{verifier.key_id.hex()} is a cosignature (witness) key, "
                "not a log's key; give the key `reetrace log key` prints"
            )
        with self.state.locked():
            logs = self.state.load_logs()
            log = logs.setdefault(verifier.name, TrustedLog(verifier.name))
            if verifier.verifier_key() in log.keys:
                return False
            log.keys.append(verifier.verifier_key())
            self.state.save_logs(logs)
            return True

    def last_size(self, origin: str) -> int | None:
        """The size of the last checkpoint cosigned for `origin` (None before the first)."""
        log = self.state.load_logs().get(origin)
        return log.last.size if log and log.last else None

    def observe(self, note: str, consistency_proof: Sequence[bytes] = (), old_size: int | None = None) -> str:
        """Cosign `note` if it extends the last checkpoint cosigned for its log; returns the note
        with the cosignature line appended.

        `consistency_proof` runs from the last cosigned size to the note's (none the first time,
        from size 0, or at the same size). `old_size`, when given, is the size the proof starts
        from; a witness that has moved on since refuses rather than misjudge the proof."""
        with self.state.locked():
            logs = self.state.load_logs()
            checkpoint, log = self._open(note, logs)
            last = log.last
            if old_size is not None and old_size != (last.size if last else 0):
                raise WitnessError(
                    f"the witness last cosigned {checkpoint.origin} at size "
                    f"{last.size if last else 0}, not {old_size}: ask for a consistency proof "
                    f"from {last.size if last else 0} to {checkpoint.size}"
                )
            if last is not None:
                self._check_extends(log.origin, last, checkpoint, note, list(consistency_proof))
            elif consistency_proof:
                raise WitnessError(
                    f"the witness has cosigned nothing for {checkpoint.origin} yet: the first "
                    "checkpoint needs no consistency proof"
                )
            timestamp = self.clock()
            cosigned = cosign(note, self.signer, timestamp)
            logs[log.origin] = replace(log, last=Cosigned(checkpoint.size, checkpoint.root_hash, note, timestamp))
            self.state.save_logs(logs)
            return cosigned

    def alerts(self) -> list[dict[str, Any]]:
        return self.state.alerts()

    def _open(self, note: str, logs: dict[str, TrustedLog]) -> tuple[Checkpoint, TrustedLog]:
        """The checkpoint in `note`, verified under its log's trusted keys, and that log."""
        origin = peek(note).origin
        log = logs.get(origin)
        if log is None or not log.keys:
            raise WitnessError(
                f"the witness does not trust the log {origin!r}; trust its key first "
                f"(`reetrace witness trust --dir {self.state.directory} --log-key KEY`)"
            )
        try:
            text, _ = open_note(note, [Verifier.from_verifier_key(key) for key in log.keys])
            checkpoint = Checkpoint.parse(text)
        except NoteError as exc:
            raise WitnessError(
                f"checkpoint of {origin} refused: {exc} (trusted keys: "
                f"{', '.join(k.rsplit('+', 1)[0] for k in log.keys)})"
            ) from None
        return checkpoint, log

    def _check_extends(
        self, origin: str, last: Cosigned, checkpoint: Checkpoint, note: str, proof: list[bytes]
    ) -> None:
        if checkpoint.size < last.size:
            self._refuse(
                "rollback",
                origin,
                last,
                checkpoint,
                note,
                f"the log went back from {last.size} to {checkpoint.size} leaves",
            )
        if checkpoint.size == last.size:
            if checkpoint.root_hash != last.root_hash:
                self._refuse(
                    "fork", origin, last, checkpoint, note, f"two different roots for the tree of {last.size} leaves"
                )
            if proof:
                raise WitnessError(f"checkpoints of the same size ({last.size}) need no consistency proof")
            return
        if last.size == 0:  # every tree extends the empty one
            if proof:
                raise WitnessError("a consistency proof from the empty tree is meaningless; send none")
            return
        if not proof:
            raise WitnessError(
                f"{origin} grew from {last.size} to {checkpoint.size} leaves: the witness needs "
                f"a consistency proof from {last.size} to {checkpoint.size} "
                f"(`reetrace log consistency {last.size} {checkpoint.size}`)"
            )
        try:
            merkle.verify_consistency(last.size, checkpoint.size, proof, last.root_hash, checkpoint.root_hash)
        except merkle.ProofError as exc:
            self._refuse(
                "inconsistent",
                origin,
                last,
                checkpoint,
                note,
                f"the consistency proof from {last.size} to {checkpoint.size} leaves does not verify ({exc})",
            )

    def _refuse(
        self, kind: str, origin: str, last: Cosigned, checkpoint: Checkpoint, note: str, reason: str
    ) -> NoReturn:
        now = self.clock()
        self.state.append_alert(
            {
                "time": datetime.fromtimestamp(now, UTC).isoformat().replace("+00:00", "Z"),
                "origin": origin,
                "kind": kind,
                "reason": reason,
                "witness": self.verifier_key(),
                "cosigned": {
                    "size": last.size,
                    "root_hash": _b64(last.root_hash),
                    "cosigned_at": last.timestamp,
                    "note": last.note,
                },
                "presented": {"size": checkpoint.size, "root_hash": _b64(checkpoint.root_hash), "note": note},
            }
        )
        raise SplitView(
            f"split view refused for {origin}: {reason}. Cosigned before: size {last.size}, root "
            f"{_b64(last.root_hash)}; presented: size {checkpoint.size}, root {_b64(checkpoint.root_hash)}. "
            f"Recorded in {self.state.alerts_path}",
            kind,
            origin,
            last.note,
            note,
        )


def peek(note: str) -> Checkpoint:
    """The checkpoint a note claims to carry, *unverified*: for choosing which proof to fetch only."""
    split = note.rfind("\n\n") if isinstance(note, str) else -1
    try:
        return Checkpoint.parse(note[: split + 1] if split >= 0 else note)
    except NoteError as exc:
        raise WitnessError(f"not a checkpoint note: {exc}") from None


def read_consistency_proof(doc: Any) -> tuple[int, int, list[bytes]]:
    """(size1, size2, proof) from a reetrace/consistency-proof@1 document (docs/contract.md §8)."""
    try:
        if doc.get("format") != CONSISTENCY_FORMAT:
            raise ValueError(f"format is not {CONSISTENCY_FORMAT}")
        size1, size2, proof = doc["size1"], doc["size2"], doc["proof"]
        if not all(isinstance(s, int) and not isinstance(s, bool) for s in (size1, size2)):
            raise ValueError("size1 and size2 must be integers")
        return size1, size2, [base64.b64decode(p, validate=True) for p in proof]
    except (AttributeError, KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise UsageError(f"not a consistency proof: {exc}") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
