"""The keys credentials are signed with: made on first use, kept in files only their owner can
read (beside the log's keys), rotatable. The store records each key's public half, so the DID
document keeps listing retired keys and older credentials still verify; the private half never
enters the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection

from reetrace.errors import StoreError
from reetrace.files import create_private
from reetrace.ledger.signing import key_id, load_private_key, private_key_pem, raw_public_key
from reetrace.store import credentials_repo as repo
from reetrace.store.timefmt import to_utc_text


@dataclass(frozen=True, slots=True)
class IssuerSigner:
    key_id: str
    private_key: Ed25519PrivateKey


def current(conn: Connection, directory: Path) -> IssuerSigner:
    """The issuer's current key; a new one is made (and recorded) when there is none."""
    live = [k for k in repo.issuer_keys(conn) if k.retired_at is None]
    if not live:
        return _new_key(conn, directory)
    return _load(directory, live[-1].key_id)


def rotate(conn: Connection, directory: Path) -> IssuerSigner:
    """Retire the current key (what it signed stays verifiable) and sign with a new one."""
    repo.retire_issuer_keys(conn, to_utc_text(datetime.now().astimezone()))
    return _new_key(conn, directory)


def _path(directory: Path, kid: str) -> Path:
    return directory / f"issuer-{kid}.key"


def _new_key(conn: Connection, directory: Path) -> IssuerSigner:
    private = Ed25519PrivateKey.generate()
    public = raw_public_key(private)
    kid = key_id(public)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    create_private(_path(directory, kid), private_key_pem(private))
    repo.add_issuer_key(conn, repo.IssuerKey(kid, public, to_utc_text(datetime.now().astimezone()), None))
    return IssuerSigner(kid, private)


def _load(directory: Path, kid: str) -> IssuerSigner:
    path = _path(directory, kid)
    try:
        private = load_private_key(path.read_bytes())
    except FileNotFoundError:
        raise StoreError(
            f"the credential issuer's key {kid} is not in {directory}; set REETRACE_LOG_KEYS to the "
            "directory that holds it, or rotate to a new key (reetrace credential rotate-key)"
        ) from None
    except ValueError as exc:
        raise StoreError(f"{path} is not a usable signing key: {exc}") from None
    if key_id(raw_public_key(private)) != kid:
        raise StoreError(f"{path} does not hold the issuer key {kid}")
    return IssuerSigner(kid, private)
