"""The enterprise's signing key: making a key pair, and loading the private key to sign with.

The private key is a PKCS8 PEM file readable by its owner only; it is created with mode 0600
(never written first and restricted afterwards) and never overwrites an existing file. The
public part is the entry that goes into the `keys` list of the enterprise in a
`reetrace/registry@1` document (docs/contract.md §3).
"""

from __future__ import annotations

import base64
import json
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reetrace.errors import UsageError
from reetrace.files import create_private
from reetrace.ledger.signing import key_id, load_private_key, private_key_pem, raw_public_key

_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class KeyPair:
    """Where a new key pair was written, and its registry entry."""

    private_path: Path
    public_path: Path
    registry_entry: dict[str, Any]


def registry_entry(private_key: Ed25519PrivateKey, valid_from: str) -> dict[str, Any]:
    """The key as the registry lists it: id, base64 (standard) of the raw 32 bytes, validity."""
    raw = raw_public_key(private_key)
    return {
        "key_id": key_id(raw),
        "public_key": base64.b64encode(raw).decode("ascii"),
        "valid_from": valid_from,
        "revoked_at": None,
    }


def new_key_pair(directory: Path, name: str, valid_from: str) -> KeyPair:
    """Make an Ed25519 key pair: `directory/name.key` (PKCS8 PEM, mode 0600) and
    `directory/name.pub.json` (the registry entry). Refuses to replace either file."""
    if not _NAME.match(name):
        raise UsageError(f"key name {name!r}: use 1-64 letters, digits, '.', '_' or '-', not starting with '.'")
    private_path, public_path = directory / f"{name}.key", directory / f"{name}.pub.json"
    for path in (private_path, public_path):
        if path.exists():
            raise UsageError(f"{path} already exists; choose another --name or --out (a key is never overwritten)")
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {directory}: {exc.strerror}") from None
    private_key = Ed25519PrivateKey.generate()
    entry = registry_entry(private_key, valid_from)
    _write_new(private_path, private_key_pem(private_key), 0o600)
    try:
        _write_new(public_path, (json.dumps(entry, indent=2) + "\n").encode("utf-8"), 0o644)
    except BaseException:
        private_path.unlink(missing_ok=True)
        raise
    return KeyPair(private_path, public_path, entry)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create `path` with `mode` from the first byte on; fail if it exists."""
    try:
        create_private(path, data, mode)
    except FileExistsError:
        raise UsageError(f"{path} already exists; a key is never overwritten") from None
    except OSError as exc:
        raise UsageError(f"cannot create {path}: {exc.strerror}") from None


def load_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in a PEM file made by `new_key_pair` (or any unencrypted PKCS8)."""
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read key {path}: {exc.strerror}") from None
    try:
        return load_private_key(pem)
    except (ValueError, TypeError):
        raise UsageError(f"{path} is not an unencrypted Ed25519 private key in PEM form") from None


def readable_by_others(path: Path) -> bool:
    """Whether a key file can be read by anyone but its owner."""
    try:
        return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except OSError:
        return False
