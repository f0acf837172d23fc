"""The witness's state, in a directory of its own (never the log's store):

    DIR/witness.key    the witness's signer key (PRIVATE+KEY+…), mode 0600, made once
    DIR/logs.json      the logs it trusts, by origin: their verifier keys and the last
                       checkpoint it cosigned (size, root hash, the note as presented)
    DIR/alerts.jsonl   append-only: every refused split view, with both checkpoints and why
    DIR/.lock          held while a checkpoint is judged, so two witness processes never both
                       cosign on the same state

logs.json is replaced atomically (temporary file, fsync, `os.replace`), so a crash leaves the
old state or the new one, never half of either. A log is keyed by its origin, not by one key:
trusting the log's next key after a rotation keeps the checkpoint it must extend.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reetrace.errors import UsageError
from reetrace.files import create_private, replace_atomically
from reetrace.ledger.note import NoteError, Signer
from reetrace.witness import WitnessError

KEY_FILE = "witness.key"
LOGS_FILE = "logs.json"
ALERTS_FILE = "alerts.jsonl"
LOCK_FILE = ".lock"
LOGS_FORMAT = "reetrace/witness-logs@1"


@dataclass(frozen=True)
class Cosigned:
    """The last checkpoint the witness cosigned for a log."""

    size: int
    root_hash: bytes
    note: str
    timestamp: int


@dataclass
class TrustedLog:
    origin: str
    keys: list[str] = field(default_factory=list)  # the log's verifier keys, <origin>+<hex id>+<base64>
    last: Cosigned | None = None


class WitnessState:
    """The files of one witness directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    @property
    def alerts_path(self) -> Path:
        return self.directory / ALERTS_FILE

    @classmethod
    def create(cls, directory: Path, name: str) -> tuple[WitnessState, Signer]:
        """A new witness: its directory, a fresh key (refused if one is there) and no trusted logs."""
        try:
            signer = Signer.generate(name)
        except NoteError as exc:
            raise UsageError(f"witness name: {exc}") from None
        state = cls(directory)
        state.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            create_private(state.directory / KEY_FILE, (signer.signer_key() + "\n").encode("ascii"))
        except FileExistsError:
            raise UsageError(f"{state.directory} already holds a witness key; a witness keeps its key") from None
        if not (state.directory / LOGS_FILE).exists():
            state.save_logs({})
        return state, signer

    def signer(self) -> Signer:
        path = self.directory / KEY_FILE
        try:
            mode = path.stat().st_mode
            text = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            raise UsageError(
                f"{self.directory} is not a witness directory (no {KEY_FILE}); "
                f"run `reetrace witness init --dir {self.directory}`"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise WitnessError(f"cannot read {path}: {exc}") from None
        if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
            raise WitnessError(
                f"{path} can be read by others (mode {stat.S_IMODE(mode):o}); "
                f"`chmod 600 {path}` and check that the key has not leaked"
            )
        try:
            return Signer.from_signer_key(text)
        except NoteError as exc:
            raise WitnessError(f"{path} is not a usable signer key: {exc}") from None

    # --- trusted logs and their last cosigned checkpoints ---------------------------------

    def load_logs(self) -> dict[str, TrustedLog]:
        path = self.directory / LOGS_FILE
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.signer()  # names the missing init, when that is what is wrong
            return {}
        except (OSError, ValueError) as exc:
            raise WitnessError(f"cannot read {path}: {exc}") from None
        try:
            if doc.get("format") != LOGS_FORMAT:
                raise ValueError(f"format is not {LOGS_FORMAT}")
            return {origin: _log_from_json(origin, entry) for origin, entry in doc["logs"].items()}
        except (AttributeError, KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise WitnessError(f"{path} is not a witness state: {exc}") from None

    def save_logs(self, logs: dict[str, TrustedLog]) -> None:
        doc = {"format": LOGS_FORMAT, "logs": {origin: _log_to_json(log) for origin, log in sorted(logs.items())}}
        _replace(self.directory / LOGS_FILE, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")

    # --- alerts -----------------------------------------------------------------------------

    def append_alert(self, alert: dict[str, Any]) -> None:
        line = json.dumps(alert, ensure_ascii=False, sort_keys=True) + "\n"
        fd = os.open(self.alerts_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(line)
            f.flush()
            os.fsync(f.fileno())

    def alerts(self) -> list[dict[str, Any]]:
        try:
            lines = self.alerts_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            self.signer()
            return []
        try:
            return [json.loads(line) for line in lines if line.strip()]
        except ValueError as exc:
            raise WitnessError(f"{self.alerts_path} is damaged: {exc}") from None

    # --- exclusion --------------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the directory's lock: one judgement at a time, across processes."""
        fd = os.open(self.directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
            yield
        finally:
            os.close(fd)  # closing releases the lock


def _lock(fd: int) -> None:
    if sys.platform == "win32":  # not POSIX: msvcrt locks a byte range instead
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)


def _replace(path: Path, text: str) -> None:
    replace_atomically(path, text.encode("utf-8"), 0o600)


def _log_to_json(log: TrustedLog) -> dict[str, Any]:
    last = log.last
    return {
        "keys": list(log.keys),
        "size": last.size if last else None,
        "root_hash": base64.b64encode(last.root_hash).decode("ascii") if last else None,
        "cosigned_at": last.timestamp if last else None,
        "note": last.note if last else None,
    }


def _log_from_json(origin: str, entry: dict[str, Any]) -> TrustedLog:
    keys = entry["keys"]
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ValueError(f"the keys of {origin} are not a list of verifier keys")
    if entry.get("size") is None:
        return TrustedLog(origin, keys)
    size, timestamp, note = entry["size"], entry["cosigned_at"], entry["note"]
    root_hash = base64.b64decode(entry["root_hash"], validate=True)
    if (
        not isinstance(size, int)
        or size < 0
        or not isinstance(timestamp, int)
        or not isinstance(note, str)
        or len(root_hash) != 32
    ):
        raise ValueError(f"the last checkpoint of {origin} is malformed")
    return TrustedLog(origin, keys, Cosigned(size, root_hash, note, timestamp))
