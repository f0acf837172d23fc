"""Credentials issued, their revocations, and the issuer's keys (docs/credentials.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from reetrace.store import tables as t


@dataclass(frozen=True, slots=True)
class CredentialRow:
    number: int  # its place in the status lists, from 1
    credential_id: str
    lot: str | None
    kind: str
    securing: str
    issued_at: str
    issued_by: str
    issued_to: str | None
    key_id: str
    document: dict[str, Any]
    lineage: dict[str, Any]
    blocking: list[list[Any]]
    revoked_at: str | None
    revoked_reason: dict[str, Any] | None


def _row(r: Any) -> CredentialRow:
    return CredentialRow(
        r.id,
        r.credential_id,
        r.lot,
        r.kind,
        r.securing,
        r.issued_at,
        r.issued_by,
        r.issued_to,
        r.key_id,
        json.loads(r.document),
        json.loads(r.lineage),
        json.loads(r.blocking),
        r.revoked_at,
        json.loads(r.revoked_reason) if r.revoked_reason else None,
    )


def reserve(
    conn: Connection,
    credential_id: str,
    lot: str | None,
    kind: str,
    securing: str,
    issued_at: str,
    issued_by: str,
    issued_to: str | None,
    key_id: str,
    submission_id: int | None = None,
) -> int:
    """A new credential's row, its document still to come; returns its number."""
    result = conn.execute(
        insert(t.credentials).values(
            credential_id=credential_id,
            lot=lot,
            kind=kind,
            securing=securing,
            issued_at=issued_at,
            issued_by=issued_by,
            issued_to=issued_to,
            key_id=key_id,
            submission_id=submission_id,
            document="{}",
            lineage="{}",
            blocking="[]",
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def complete(
    conn: Connection, number: int, document: dict[str, Any], lineage: dict[str, Any], blocking: Iterable[Iterable[Any]]
) -> None:
    conn.execute(
        update(t.credentials)
        .where(t.credentials.c.id == number)
        .values(
            document=json.dumps(document, ensure_ascii=False, separators=(",", ":")),
            lineage=json.dumps(lineage, separators=(",", ":")),
            blocking=json.dumps([list(b) for b in blocking], ensure_ascii=False),
        )
    )


def by_id(conn: Connection, credential_id: str) -> CredentialRow | None:
    r = conn.execute(select(t.credentials).where(t.credentials.c.credential_id == credential_id)).first()
    return _row(r) if r is not None else None


def by_number(conn: Connection, number: int) -> CredentialRow | None:
    r = conn.execute(select(t.credentials).where(t.credentials.c.id == number)).first()
    return _row(r) if r is not None else None


def of_lot(conn: Connection, lot: str) -> list[CredentialRow]:
    """A lot's credentials, newest first."""
    rows = conn.execute(select(t.credentials).where(t.credentials.c.lot == lot).order_by(t.credentials.c.id.desc()))
    return [_row(r) for r in rows]


def latest_passport(conn: Connection, lot: str) -> CredentialRow | None:
    """The lot's newest passport credential, revoked or not."""
    r = conn.execute(
        select(t.credentials)
        .where(t.credentials.c.lot == lot, t.credentials.c.kind == "passport")
        .order_by(t.credentials.c.id.desc())
        .limit(1)
    ).first()
    return _row(r) if r is not None else None


def unrevoked(conn: Connection) -> list[CredentialRow]:
    rows = conn.execute(
        select(t.credentials).where(t.credentials.c.revoked_at.is_(None), t.credentials.c.kind == "passport")
    )
    return [_row(r) for r in rows]


def any_unrevoked(conn: Connection) -> bool:
    return (
        conn.execute(
            select(t.credentials.c.id)
            .where(t.credentials.c.revoked_at.is_(None), t.credentials.c.kind == "passport")
            .limit(1)
        ).first()
        is not None
    )


def revoke(conn: Connection, number: int, at: str, reason: dict[str, Any]) -> bool:
    """Revoke one credential (once: a revocation is never lifted nor redone); whether it was."""
    result = conn.execute(
        update(t.credentials)
        .where(t.credentials.c.id == number, t.credentials.c.revoked_at.is_(None))
        .values(revoked_at=at, revoked_reason=json.dumps(reason, ensure_ascii=False))
    )
    return bool(result.rowcount)


def revoked_numbers(conn: Connection, first: int, last: int) -> list[int]:
    """The numbers between `first` and `last` (inclusive) of revoked credentials."""
    rows = conn.execute(
        select(t.credentials.c.id).where(
            t.credentials.c.id.between(first, last), t.credentials.c.revoked_at.is_not(None)
        )
    )
    return [r.id for r in rows]


def highest_number(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(t.credentials.c.id), 0))).scalar_one())


# --- issuer keys --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssuerKey:
    key_id: str
    public_key: bytes
    created_at: str
    retired_at: str | None


def issuer_keys(conn: Connection) -> list[IssuerKey]:
    """Every key credentials were signed with, oldest first."""
    rows = conn.execute(select(t.issuer_keys).order_by(t.issuer_keys.c.created_at, t.issuer_keys.c.key_id))
    return [IssuerKey(r.key_id, bytes(r.public_key), r.created_at, r.retired_at) for r in rows]


def add_issuer_key(conn: Connection, key: IssuerKey) -> None:
    conn.execute(insert(t.issuer_keys).values(key_id=key.key_id, public_key=key.public_key, created_at=key.created_at))


def retire_issuer_keys(conn: Connection, at: str) -> None:
    conn.execute(update(t.issuer_keys).where(t.issuer_keys.c.retired_at.is_(None)).values(retired_at=at))
