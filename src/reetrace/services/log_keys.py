"""The log's signing keys: generated on first use, kept in files only their owner can read,
rotatable. The store records each key's public half (so old checkpoints stay verifiable) and
which key is current; the private half never enters the database."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from reetrace.errors import StoreError
from reetrace.files import create_private
from reetrace.ledger.note import NoteError, Signer, Verifier
from reetrace.store import tables as t
from reetrace.store.timefmt import to_utc_text


def verifiers(conn: Connection) -> dict[str, Verifier]:
    """Every key the log has signed with, by hex key id."""
    return {r.key_id: Verifier.from_verifier_key(r.verifier_key) for r in conn.execute(select(t.log_keys))}


def current_signer(conn: Connection, directory: Path, origin: str) -> Signer:
    """The log's current signer; a new key is made (and recorded) when there is none."""
    row = conn.execute(
        select(t.log_keys)
        .where(t.log_keys.c.retired_at.is_(None), t.log_keys.c.origin == origin)
        .order_by(t.log_keys.c.created_at.desc())
    ).first()
    if row is None:
        return _new_key(conn, directory, origin)
    return _load(directory, row.key_id, origin)


def signer_of(directory: Path, key_id: str, origin: str) -> Signer:
    """The private half of one of the log's keys, retired or not, while its file is kept."""
    return _load(directory, key_id, origin)


def rotate(conn: Connection, directory: Path, origin: str) -> Signer:
    """Retire the current key (its checkpoints stay verifiable) and start signing with a new one."""
    conn.execute(
        update(t.log_keys)
        .where(t.log_keys.c.retired_at.is_(None), t.log_keys.c.origin == origin)
        .values(retired_at=to_utc_text(datetime.now().astimezone()))
    )
    return _new_key(conn, directory, origin)


def _new_key(conn: Connection, directory: Path, origin: str) -> Signer:
    signer = Signer.generate(origin)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{signer.key_id.hex()}.key"
    create_private(path, (signer.signer_key() + "\n").encode("ascii"))
    conn.execute(
        insert(t.log_keys).values(
            key_id=signer.key_id.hex(),
            origin=origin,
            verifier_key=signer.verifier_key(),
            created_at=to_utc_text(datetime.now().astimezone()),
        )
    )
    return signer


# the keys read, by file and what the file was when read: a checkpoint is signed after every
# group of submissions, and reading and parsing the key each time took as long as the signing
_loaded: dict[tuple[Path, str, int, int], Signer] = {}


def _load(directory: Path, key_id: str, origin: str) -> Signer:
    path = directory / f"{key_id}.key"
    try:
        stat = path.stat()
        seen = (path, origin, stat.st_ino, stat.st_mtime_ns)
        if (kept := _loaded.get(seen)) is not None:
            return kept
        signer = Signer.from_signer_key(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        raise StoreError(
            f"the log's signing key {key_id} is not in {directory}; set REETRACE_LOG_KEYS to "
            "the directory that holds it, or rotate to a new key (reetrace log rotate-key)"
        ) from None
    except NoteError as exc:
        raise StoreError(f"{path} is not a usable signing key: {exc}") from None
    if signer.key_id.hex() != key_id or signer.name != origin:
        raise StoreError(f"{path} holds key {signer.name}+{signer.key_id.hex()}, not {origin}+{key_id}")
    _loaded[seen] = signer
    return signer
