"""Users, API tokens and the access log. Repositories never commit: the caller's unit of work does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from reetrace.domain.accounts import Actor
from reetrace.store import chains
from reetrace.store import tables as t
from reetrace.store.timefmt import to_utc_text


@dataclass(frozen=True, slots=True)
class UserRow:
    username: str
    password_hash: str
    role: str
    uscc: str | None
    display_name: str | None
    disabled: bool


def get_user(conn: Connection, username: str) -> UserRow | None:
    row = conn.execute(select(t.users).where(t.users.c.username == username)).first()
    return (
        UserRow(row.username, row.password_hash, row.role, row.uscc, row.display_name, row.disabled_at is not None)
        if row
        else None
    )


def list_users(conn: Connection) -> list[UserRow]:
    return [
        UserRow(r.username, r.password_hash, r.role, r.uscc, r.display_name, r.disabled_at is not None)
        for r in conn.execute(select(t.users).order_by(t.users.c.username))
    ]


def add_user(
    conn: Connection,
    username: str,
    password_hash: str,
    role: str,
    uscc: str | None,
    display_name: str | None,
    at: datetime,
) -> None:
    conn.execute(
        insert(t.users).values(
            username=username,
            password_hash=password_hash,
            role=role,
            uscc=uscc,
            display_name=display_name,
            created_at=to_utc_text(at),
        )
    )


def set_password_hash(conn: Connection, username: str, password_hash: str) -> None:
    conn.execute(update(t.users).where(t.users.c.username == username).values(password_hash=password_hash))


def add_token(conn: Connection, username: str, token_hash: str, label: str, at: datetime) -> int:
    return conn.execute(
        insert(t.api_tokens).values(username=username, token_hash=token_hash, label=label, created_at=to_utc_text(at))
    ).inserted_primary_key[0]


def token_owner(conn: Connection, token_hash: str) -> str | None:
    c = t.api_tokens.c
    return conn.scalar(select(c.username).where(c.token_hash == token_hash, c.revoked_at.is_(None)))


def revoke_token(conn: Connection, token_id: int, at: datetime) -> bool:
    c = t.api_tokens.c
    result = conn.execute(
        update(t.api_tokens).where(c.id == token_id, c.revoked_at.is_(None)).values(revoked_at=to_utc_text(at))
    )
    return result.rowcount == 1


def list_tokens(conn: Connection, username: str | None = None) -> list:
    query = select(
        t.api_tokens.c.id,
        t.api_tokens.c.username,
        t.api_tokens.c.label,
        t.api_tokens.c.created_at,
        t.api_tokens.c.revoked_at,
    ).order_by(t.api_tokens.c.id)
    if username:
        query = query.where(t.api_tokens.c.username == username)
    return list(conn.execute(query))


def log_access(
    conn: Connection,
    at: datetime,
    actor: Actor,
    action: str,
    what: str,
    enterprise: str | None,
    detail: str | None = None,
) -> None:
    """One access-log entry, chained, in the caller's transaction."""
    chains.append(
        conn,
        t.access_log,
        {
            "at": to_utc_text(at),
            "username": actor.username,
            "role": actor.role,
            "action": action,
            "what": what,
            "enterprise": enterprise,
            "detail": detail,
            "channel": actor.channel,
            "client": actor.client,
            "os_user": actor.os_user,
        },
    )
