"""Users, API tokens, sessions, login throttling, role policies, account changes and the access
log. Repositories never commit: the caller's unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from reetrace.domain.accounts import Actor
from reetrace.domain.sessions import SessionTimes
from reetrace.domain.throttle import Attempts
from reetrace.store import chains
from reetrace.store import tables as t
from reetrace.store.timefmt import from_utc_text, to_utc_text
from reetrace.store.upsert import upsert


@dataclass(frozen=True, slots=True)
class UserRow:
    username: str
    password_hash: str
    role: str
    uscc: str | None
    display_name: str | None
    disabled: bool
    totp_secret: str | None = None
    totp_last_step: int | None = None


def _user(row: Any) -> UserRow:
    return UserRow(
        row.username,
        row.password_hash,
        row.role,
        row.uscc,
        row.display_name,
        row.disabled_at is not None,
        row.totp_secret,
        row.totp_last_step,
    )


def get_user(conn: Connection, username: str) -> UserRow | None:
    row = conn.execute(select(t.users).where(t.users.c.username == username)).first()
    return _user(row) if row else None


def list_users(conn: Connection) -> list[UserRow]:
    return [_user(r) for r in conn.execute(select(t.users).order_by(t.users.c.username))]


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


def set_password_hash(conn: Connection, username: str, password_hash: str, changed_at: datetime | None = None) -> None:
    """A new hash of the password; `changed_at` when the password itself changed (not a rehash)."""
    values: dict[str, Any] = {"password_hash": password_hash}
    if changed_at is not None:
        values["password_changed_at"] = to_utc_text(changed_at)
    conn.execute(update(t.users).where(t.users.c.username == username).values(**values))


def set_disabled(conn: Connection, username: str, at: datetime | None) -> None:
    """Disable the user at `at`, or enable them again (None)."""
    disabled_at = to_utc_text(at) if at is not None else None
    conn.execute(update(t.users).where(t.users.c.username == username).values(disabled_at=disabled_at))


def set_role(conn: Connection, username: str, role: str, uscc: str | None) -> None:
    conn.execute(update(t.users).where(t.users.c.username == username).values(role=role, uscc=uscc))


def set_second_factor(conn: Connection, username: str, secret: str | None, last_step: int | None = None) -> None:
    conn.execute(
        update(t.users).where(t.users.c.username == username).values(totp_secret=secret, totp_last_step=last_step)
    )


def use_second_factor_step(conn: Connection, username: str, step: int) -> bool:
    """Record `step` as the last one used, unless a step as late was used already (a replay, or
    the same code given twice at once): then False."""
    c = t.users.c
    result = conn.execute(
        update(t.users)
        .where(c.username == username, (c.totp_last_step.is_(None)) | (c.totp_last_step < step))
        .values(totp_last_step=step)
    )
    return result.rowcount == 1


# --- role policies and account changes ---


def second_factor_required(conn: Connection, role: str) -> bool:
    c = t.role_policies.c
    return bool(conn.scalar(select(c.totp_required).where(c.role == role)))


def policies(conn: Connection) -> dict[str, bool]:
    return {r.role: bool(r.totp_required) for r in conn.execute(select(t.role_policies))}


def set_second_factor_required(conn: Connection, role: str, required: bool, at: datetime, by: str) -> None:
    upsert(
        conn,
        t.role_policies,
        [{"role": role, "totp_required": int(required), "changed_at": to_utc_text(at), "changed_by": by}],
    )


def note_account_change(
    conn: Connection, at: datetime, username: str, action: str, by: str, detail: str | None
) -> None:
    """One entry of the account changes, chained, in the caller's transaction."""
    chains.append(
        conn,
        t.account_changes,
        {"at": to_utc_text(at), "username": username, "action": action, "by": by, "detail": detail},
    )


def account_changes(conn: Connection, username: str | None = None) -> list[Any]:
    c = t.account_changes.c
    query = select(t.account_changes).order_by(c.id)
    if username is not None:
        query = query.where(c.username == username)
    return list(conn.execute(query))


# --- sessions ---


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: str
    username: str
    times: SessionTimes
    ended: bool
    second_factor: bool
    client: str | None


def add_session(
    conn: Connection,
    session_id: str,
    username: str,
    times: SessionTimes,
    second_factor: bool,
    client: str | None,
) -> None:
    conn.execute(
        insert(t.sessions).values(
            id=session_id,
            username=username,
            created_at=to_utc_text(times.created_at),
            expires_at=to_utc_text(times.expires_at),
            last_seen_at=to_utc_text(times.last_seen_at),
            client=client,
            second_factor=int(second_factor),
        )
    )


def get_session(conn: Connection, session_id: str) -> SessionRow | None:
    row = conn.execute(select(t.sessions).where(t.sessions.c.id == session_id)).first()
    if row is None:
        return None
    times = SessionTimes(from_utc_text(row.created_at), from_utc_text(row.expires_at), from_utc_text(row.last_seen_at))
    return SessionRow(row.id, row.username, times, row.ended_at is not None, bool(row.second_factor), row.client)


def touch_session(conn: Connection, session_id: str, at: datetime) -> None:
    c = t.sessions.c
    conn.execute(
        update(t.sessions).where(c.id == session_id, c.ended_at.is_(None)).values(last_seen_at=to_utc_text(at))
    )


def complete_session(conn: Connection, session_id: str, expires_at: datetime, at: datetime) -> None:
    """The second factor was given: the session now authenticates, for its full lifetime."""
    c = t.sessions.c
    conn.execute(
        update(t.sessions)
        .where(c.id == session_id, c.ended_at.is_(None))
        .values(second_factor=1, expires_at=to_utc_text(expires_at), last_seen_at=to_utc_text(at))
    )


def end_session(conn: Connection, session_id: str, at: datetime, why: str) -> bool:
    c = t.sessions.c
    result = conn.execute(
        update(t.sessions)
        .where(c.id == session_id, c.ended_at.is_(None))
        .values(ended_at=to_utc_text(at), ended_why=why)
    )
    return result.rowcount == 1


def end_sessions_of(conn: Connection, username: str, at: datetime, why: str) -> int:
    """End every open session of `username`; how many were open."""
    c = t.sessions.c
    result = conn.execute(
        update(t.sessions)
        .where(c.username == username, c.ended_at.is_(None))
        .values(ended_at=to_utc_text(at), ended_why=why)
    )
    return result.rowcount


def open_sessions(conn: Connection, username: str, at: datetime) -> int:
    """How many sessions of `username` have not been ended and not expired by `at`."""
    c = t.sessions.c
    return len(
        conn.execute(
            select(c.id).where(c.username == username, c.ended_at.is_(None), c.expires_at > to_utc_text(at))
        ).all()
    )


# --- login throttling ---


def attempts(conn: Connection, keys: list[str]) -> dict[str, Attempts]:
    c = t.login_throttle.c
    return {
        r.key: Attempts(
            r.failures, from_utc_text(r.last_failure_at), from_utc_text(r.locked_until) if r.locked_until else None
        )
        for r in conn.execute(select(t.login_throttle).where(c.key.in_(keys)))
    }


def put_attempts(conn: Connection, key: str, counted: Attempts) -> None:
    upsert(
        conn,
        t.login_throttle,
        [
            {
                "key": key,
                "failures": counted.failures,
                "last_failure_at": to_utc_text(counted.last_failure_at),
                "locked_until": to_utc_text(counted.locked_until) if counted.locked_until else None,
            }
        ],
    )


def clear_attempts(conn: Connection, key: str) -> None:
    conn.execute(delete(t.login_throttle).where(t.login_throttle.c.key == key))


def forget_attempts(conn: Connection, before: datetime) -> None:
    """Drop the keys whose last failure is older than `before` and that are not locked."""
    c = t.login_throttle.c
    cutoff = to_utc_text(before)
    conn.execute(
        delete(t.login_throttle).where(
            c.last_failure_at < cutoff, (c.locked_until.is_(None)) | (c.locked_until < cutoff)
        )
    )


def add_token(conn: Connection, username: str, token_hash: str, label: str, at: datetime) -> int:
    return conn.execute(
        insert(t.api_tokens)
        .values(username=username, token_hash=token_hash, label=label, created_at=to_utc_text(at))
        .returning(t.api_tokens.c.id)
    ).scalar_one()


def token_owner(conn: Connection, token_hash: str) -> UserRow | None:
    """The user of an API token not revoked, in one look-up (every API request makes one)."""
    c = t.api_tokens.c
    row = conn.execute(
        select(t.users)
        .join(t.api_tokens, c.username == t.users.c.username)
        .where(c.token_hash == token_hash, c.revoked_at.is_(None))
    ).first()
    return _user(row) if row else None


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
    chains.append(conn, t.access_log, access_entry(at, actor, action, what, enterprise, detail))


def log_accesses(conn: Connection, entries: Sequence[dict[str, Any]]) -> None:
    """Access-log entries (`access_entry`), chained in this order, in the caller's transaction."""
    chains.append_all(conn, t.access_log, entries)


def access_entry(
    at: datetime,
    actor: Actor,
    action: str,
    what: str,
    enterprise: str | None,
    detail: str | None = None,
) -> dict[str, Any]:
    """The row of one access-log entry."""
    return {
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
    }
