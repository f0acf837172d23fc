"""C2SP signed notes, tlog checkpoints and Ed25519 witness cosignatures.

- c2sp.org/signed-note: text ending in a newline, a blank line, then one or more lines
  ``— <key name> <base64(4-byte key ID || signature)>``. Key ID =
  SHA-256(name || 0x0A || type || public key)[:4]; type 0x01 is plain Ed25519 over the text.
- c2sp.org/tlog-checkpoint: origin, decimal tree size, base64 root hash, optional extension lines.
- c2sp.org/tlog-cosignature (Ed25519 cosignature/v1, type 0x04): the witness signs
  ``cosignature/v1\\ntime <T>\\n`` + the checkpoint body; the signature is
  key ID || 8-byte big-endian T || 64-byte Ed25519 signature.

Only Ed25519. Unknown keys are ignored, a known key whose signature fails rejects the note, and a
note without one verified known signature is refused. Every refusal is a `NoteError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
MAX_SIGNATURES = 100  # the spec asks verifiers to accept at least 16; Go's sumdb/note stops at 100
MAX_TIMESTAMP = 2**63 - 1
EM_DASH = "\u2014"
_SIGNATURE_PREFIX = EM_DASH + " "
_HEX_ID = re.compile(r"[0-9a-fA-F]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class NoteError(ValueError):
    """A key, note, checkpoint or cosignature that is malformed or does not verify."""


def key_id(name: str, key_type: int, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([key_type]) + public_key).digest()[:4]


def is_valid_name(name: str) -> bool:
    """Non-empty, with neither Unicode spaces nor plus, nor control characters."""
    return (
        isinstance(name, str)
        and name != ""
        and "+" not in name
        and not any(c.isspace() or ord(c) < 0x20 for c in name)
        and _is_utf8(name)
    )


@dataclass(frozen=True)
class Verifier:
    """A trusted public key under a name. `key_type` 0x01 checks note signatures, 0x04 cosignatures."""

    name: str
    public_key: bytes
    key_type: int = ED25519
    key_id: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not is_valid_name(self.name):
            raise NoteError(f"invalid key name {self.name!r}")
        if self.key_type not in (ED25519, COSIGNATURE_V1):
            raise NoteError(f"unsupported key type {self.key_type:#04x}")
        if not isinstance(self.public_key, bytes) or len(self.public_key) != 32:
            raise NoteError("an Ed25519 public key is 32 bytes")
        object.__setattr__(self, "key_id", key_id(self.name, self.key_type, self.public_key))

    @classmethod
    def from_verifier_key(cls, text: str) -> Verifier:
        """Parse ``<name>+<hex key ID>+<base64(type || public key)>``, type 0x01 or 0x04."""
        name, _, rest = text.partition("+")
        hex_id, _, encoded = rest.partition("+")
        key = _b64decode(encoded, "verifier key")
        if not is_valid_name(name) or not _HEX_ID.fullmatch(hex_id) or len(key) != 33:
            raise NoteError("malformed verifier key")
        verifier = cls(name, key[1:], key[0])
        if verifier.key_id != bytes.fromhex(hex_id):
            raise NoteError(f"verifier key {name}+{hex_id} does not match its key ID")
        return verifier

    def verifier_key(self) -> str:
        return _encode_key(self.name, self.key_id, bytes([self.key_type]) + self.public_key)

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Check the part of a signature after the key ID."""
        if self.key_type == COSIGNATURE_V1:
            return _cosignature_timestamp(self, text, signature) is not None
        return _ed25519_verify(self.public_key, text, signature)


class Signer:
    """An Ed25519 private key under a name; signs notes (type 0x01) and cosignatures (0x04)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        if not is_valid_name(name):
            raise NoteError(f"invalid key name {name!r}")
        if not isinstance(private_key, Ed25519PrivateKey):
            raise NoteError("a signer needs an Ed25519 private key")
        self.name = name
        self.private_key = private_key
        self.public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = key_id(name, ED25519, self.public_key)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_signer_key(cls, text: str) -> Signer:
        """Parse ``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>``."""
        private, _, rest = text.partition("+")
        marker, _, rest = rest.partition("+")
        name, _, rest = rest.partition("+")
        hex_id, _, encoded = rest.partition("+")
        key = _b64decode(encoded, "signer key")
        if (
            (private, marker) != ("PRIVATE", "KEY")
            or not is_valid_name(name)
            or not _HEX_ID.fullmatch(hex_id)
            or len(key) != 33
        ):
            raise NoteError("malformed signer key")
        if key[0] != ED25519:
            raise NoteError(f"unsupported key type {key[0]:#04x}")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(key[1:]))
        if signer.key_id != bytes.fromhex(hex_id):
            raise NoteError(f"signer key {name}+{hex_id} does not match its key ID")
        return signer

    def signer_key(self) -> str:
        seed = self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return "PRIVATE+KEY+" + _encode_key(self.name, self.key_id, bytes([ED25519]) + seed)

    def verifier_key(self) -> str:
        return self.verifier().verifier_key()

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.public_key)

    def cosignature_verifier(self) -> Verifier:
        return Verifier(self.name, self.public_key, COSIGNATURE_V1)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)

    def __repr__(self) -> str:
        return f"Signer({self.name!r}, key_id={self.key_id.hex()})"


# --- notes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SignatureLine:
    name: str
    key_id: bytes
    signature: bytes  # after the key ID


def sign_note(text: str, *signers: Signer) -> str:
    """The note: `text`, a blank line, and one signature line per distinct signer."""
    if not signers:
        raise NoteError("a note needs at least one signer")
    _check_characters(text)
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    lines, seen = [], set()
    for signer in signers:
        if (signer.name, signer.key_id) not in seen:
            seen.add((signer.name, signer.key_id))
            lines.append(_signature_line(signer.name, signer.key_id + signer.sign(text.encode())))
    return text + "\n" + "".join(lines)


def open_note(note: str | bytes, verifiers: Iterable[Verifier]) -> tuple[str, list[str]]:
    """The text of a note and the names of the known keys that signed it, in order.

    Signatures from unknown keys (name and key ID not both known) are ignored, as are repeats
    by the same key; a known key whose signature does not verify rejects the whole note.
    """
    known = _index(verifiers)
    text, lines = _parse(note)
    names, seen = [], set()
    for line in lines:
        verifier = known.get((line.name, line.key_id))
        if verifier is None or (line.name, line.key_id) in seen:
            continue
        seen.add((line.name, line.key_id))
        if not verifier.verify(text.encode(), line.signature):
            raise NoteError(f"invalid signature for key {line.name}+{line.key_id.hex()}")
        if line.name not in names:
            names.append(line.name)
    if not names:
        raise NoteError("note has no verifiable signatures")
    return text, names


# --- checkpoints ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A tree head (c2sp.org/tlog-checkpoint): the note text a log signs."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for line in (self.origin, *self.extensions):
            if not isinstance(line, str) or line == "" or "\n" in line:
                raise NoteError("checkpoint origin and extension lines must be non-empty single lines")
            _check_characters(line)
        if not isinstance(self.size, int) or isinstance(self.size, bool) or not 0 <= self.size < 2**64:
            raise NoteError(f"checkpoint tree size must be an integer in [0, 2^64), got {self.size!r}")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != 32:
            raise NoteError("checkpoint root hash must be 32 bytes")

    def to_text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode(), *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        if not isinstance(text, str) or not text.endswith("\n"):
            raise NoteError("checkpoint must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("checkpoint needs an origin, a tree size and a root hash")
        origin, size, root_hash, *extensions = lines
        if not _DECIMAL.fullmatch(size):
            raise NoteError(f"checkpoint tree size {size!r} is not a decimal without leading zeros")
        digest = _b64decode(root_hash, "checkpoint root hash")
        if base64.b64encode(digest).decode() != root_hash:
            raise NoteError("checkpoint root hash is not canonical base64")
        return cls(origin, int(size), digest, tuple(extensions))


def open_checkpoint(note: str | bytes, verifier: Verifier) -> Checkpoint:
    """The checkpoint in a note signed by `verifier`, whose key name must be the origin."""
    text, _ = open_note(note, [verifier])
    checkpoint = Checkpoint.parse(text)
    if checkpoint.origin != verifier.name:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not the key name {verifier.name!r}")
    return checkpoint


# --- cosignatures --------------------------------------------------------------------------


def cosignature_message(checkpoint_text: str, timestamp: int) -> bytes:
    """What an Ed25519 cosigner signs: header line, time line, then the checkpoint body."""
    Checkpoint.parse(checkpoint_text)
    return f"cosignature/v1\ntime {timestamp}\n{checkpoint_text}".encode()


def cosign(checkpoint_text: str, witness: Signer, timestamp: int) -> str:
    """Add `witness`'s cosignature/v1 at `timestamp` (Unix seconds) to a checkpoint.

    `checkpoint_text` is either a bare checkpoint body or a note already signed by the log (a
    body has no blank line); the witness must have verified the log's signature beforehand.
    Returns the note with the cosignature line appended.
    """
    if not isinstance(timestamp, int) or isinstance(timestamp, bool) or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError(f"cosignature timestamp must be an integer in [0, 2^63), got {timestamp!r}")
    if "\n\n" in checkpoint_text:
        body, _ = _parse(checkpoint_text)
        note = checkpoint_text
    else:
        _check_characters(checkpoint_text)
        body, note = checkpoint_text, checkpoint_text + "\n"
    signature = witness.sign(cosignature_message(body, timestamp))
    cosigner_id = key_id(witness.name, COSIGNATURE_V1, witness.public_key)
    return note + _signature_line(witness.name, cosigner_id + timestamp.to_bytes(8, "big") + signature)


def verify_cosignature(note: str | bytes, witness: Verifier) -> int:
    """The timestamp of `witness`'s valid cosignature on the checkpoint in `note`.

    `witness` may carry key type 0x01 or 0x04: its Ed25519 key is looked for under the
    cosignature key ID (type 0x04), as the spec and Go's transparency-dev/formats do.
    """
    cosigner = Verifier(witness.name, witness.public_key, COSIGNATURE_V1)
    text, lines = _parse(note)
    Checkpoint.parse(text)
    for line in lines:
        if (line.name, line.key_id) == (cosigner.name, cosigner.key_id):
            timestamp = _cosignature_timestamp(cosigner, text.encode(), line.signature)
            if timestamp is None:
                raise NoteError(f"invalid cosignature for key {cosigner.name}+{cosigner.key_id.hex()}")
            return timestamp
    raise NoteError(f"no cosignature from {cosigner.name}+{cosigner.key_id.hex()}")


# --- helpers -------------------------------------------------------------------------------


def _parse(note: str | bytes) -> tuple[str, list[_SignatureLine]]:
    """Split a note into its text and signature lines, refusing anything malformed (Go's rules)."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("malformed note: not UTF-8") from None
    if not isinstance(note, str):
        raise NoteError("malformed note: not text")
    _check_characters(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block.endswith("\n"):
        raise NoteError("malformed note: signatures must end with a newline")
    raw_lines = block[:-1].split("\n")
    if len(raw_lines) > MAX_SIGNATURES:
        raise NoteError(f"malformed note: more than {MAX_SIGNATURES} signatures")
    lines = []
    for raw in raw_lines:
        if not raw.startswith(_SIGNATURE_PREFIX):
            raise NoteError("malformed note: a signature line must start with an em dash and a space")
        name, _, encoded = raw[len(_SIGNATURE_PREFIX) :].partition(" ")
        payload = _b64decode(encoded, "note signature") if encoded else b""
        if not is_valid_name(name) or len(payload) < 5:
            raise NoteError(f"malformed note: bad signature line {raw!r}")
        lines.append(_SignatureLine(name, payload[:4], payload[4:]))
    return text, lines


def _index(verifiers: Iterable[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    known: dict[tuple[str, bytes], Verifier] = {}
    for verifier in verifiers:
        if not isinstance(verifier, Verifier):
            raise NoteError(f"not a Verifier: {verifier!r}")
        slot = (verifier.name, verifier.key_id)
        if known.setdefault(slot, verifier) != verifier:
            raise NoteError(f"ambiguous key {verifier.name}+{verifier.key_id.hex()}")
    if not known:
        raise NoteError("no verifiers given: a note cannot be opened without a trusted key")
    return known


def _cosignature_timestamp(cosigner: Verifier, text: bytes, signature: bytes) -> int | None:
    """The timestamp of a valid cosignature/v1 (the part after the key ID), else None."""
    if len(signature) != 8 + 64:
        return None
    timestamp = int.from_bytes(signature[:8], "big")
    if timestamp > MAX_TIMESTAMP:
        return None
    message = f"cosignature/v1\ntime {timestamp}\n".encode() + text
    return timestamp if _ed25519_verify(cosigner.public_key, message, signature[8:]) else None


def _ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _signature_line(name: str, payload: bytes) -> str:
    return f"{_SIGNATURE_PREFIX}{name} {base64.b64encode(payload).decode()}\n"


def _encode_key(name: str, identifier: bytes, key: bytes) -> str:
    return f"{name}+{identifier.hex()}+{base64.b64encode(key).decode()}"


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError(f"{what} is not valid base64") from None


_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")  # a control character other than newline


def _check_characters(text: str) -> None:
    if not _is_utf8(text) or _CONTROL.search(text):
        raise NoteError("malformed note: not UTF-8, or a control character other than newline")


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True
