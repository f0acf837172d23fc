"""Use cases: accounts (argon2id password hashes), API tokens for machines (shown once, kept as
SHA-256, revocable), authentication, and the access log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from reetrace.contract.fields import is_uscc
from reetrace.domain.accounts import Actor, Principal, check_role
from reetrace.errors import InvalidInput, NotFound, Unauthenticated, UsageError
from reetrace.store import accounts_repo as repo
from reetrace.store.database import Store

_HASHER = PasswordHasher()
TOKEN_PREFIX = "rt_"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    store: Store,
    username: str,
    password: str,
    role: str,
    uscc: str | None = None,
    display_name: str | None = None,
    now: datetime | None = None,
) -> Principal:
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise UsageError("a username is 1 to 64 characters without spaces")
    if len(password) < 8:
        raise UsageError("a password has at least 8 characters")
    check_role(role, uscc)
    if uscc is not None and not is_uscc(uscc):
        raise UsageError(f"{uscc!r} is not a valid Unified Social Credit Code")
    with store.writing() as conn:
        if repo.get_user(conn, username) is not None:
            raise InvalidInput(f"user {username!r} already exists")
        repo.add_user(conn, username, _HASHER.hash(password), role, uscc, display_name, now or datetime.now(UTC))
    return Principal(username, role, uscc)


def authenticate_password(store: Store, username: str, password: str) -> Principal:
    with store.reading() as conn:
        user = repo.get_user(conn, username)
    if user is None or user.disabled:
        _HASHER.hash(password)  # the same work whether or not the user exists
        raise Unauthenticated("unknown user or wrong password")
    try:
        _HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise Unauthenticated("unknown user or wrong password") from None
    if _HASHER.check_needs_rehash(user.password_hash):
        with store.writing() as conn:
            repo.set_password_hash(conn, username, _HASHER.hash(password))
    return Principal(user.username, user.role, user.uscc)


def issue_token(store: Store, username: str, label: str, now: datetime | None = None) -> tuple[int, str]:
    """A new API token for `username`; the token itself is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.writing() as conn:
        if repo.get_user(conn, username) is None:
            raise NotFound(f"user {username!r} does not exist")
        token_id = repo.add_token(
            conn, username, _token_hash(token), label.strip() or "token", now or datetime.now(UTC)
        )
    return token_id, token


def revoke_token(store: Store, token_id: int, now: datetime | None = None) -> None:
    with store.writing() as conn:
        if not repo.revoke_token(conn, token_id, now or datetime.now(UTC)):
            raise NotFound(f"no active token {token_id}")


def authenticate_token(store: Store, token: str) -> Principal:
    with store.reading() as conn:
        username = repo.token_owner(conn, _token_hash(token))
        user = repo.get_user(conn, username) if username else None
    if user is None or user.disabled:
        raise Unauthenticated("the API token is unknown or revoked")
    return Principal(user.username, user.role, user.uscc)


def principal_of(store: Store, username: str) -> Principal | None:
    with store.reading() as conn:
        user = repo.get_user(conn, username)
    return None if user is None or user.disabled else Principal(user.username, user.role, user.uscc)


def note_access(
    conn: Connection,
    actor: Actor,
    action: str,
    what: str,
    enterprise: str | None = None,
    detail: str | None = None,
    now: datetime | None = None,
) -> None:
    """Write down a change (or a refusal, a login …) in the transaction that makes it: the entry
    and what it records are committed together or not at all."""
    repo.log_access(conn, now or datetime.now(UTC), actor, action, what, enterprise, detail)


def record_access(
    store: Store,
    actor: Actor,
    action: str,
    what: str,
    enterprise: str | None,
    detail: str | None = None,
    now: datetime | None = None,
) -> None:
    """Write down an access in a transaction of its own: a read (after it was made and before
    its answer leaves), or a refusal."""
    with store.writing() as conn:
        note_access(conn, actor, action, what, enterprise, detail, now)
