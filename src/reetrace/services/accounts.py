"""Use cases: accounts (argon2id password hashes, the password policy, disabling, roles, the
second factor and the operator's policy for it), API tokens for machines (shown once, kept as
SHA-256, revocable), and the access log.

Every change to an account is appended to `account_changes` (chained) and written to the access
log in the transaction that makes it. Changing a password, the role, or disabling a user ends
every session of theirs (`reetrace.domain.sessions`).
"""

from __future__ import annotations

import getpass
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from reetrace.contract.fields import is_uscc
from reetrace.domain import sessions
from reetrace.domain.accounts import CAPTURE, ROLES, Actor, Principal, check_role
from reetrace.domain.passwords import check_password
from reetrace.errors import InvalidInput, NotFound, Unauthenticated, UsageError
from reetrace.services import second_factor
from reetrace.store import accounts_repo as repo
from reetrace.store.database import Store

_HASHER = PasswordHasher()
TOKEN_PREFIX = "rt_"
EVERY_ROLE = "*"  # the account_changes username of a change to a role's policy


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of passwords most used in breaches, case-folded."""
    text = resources.files("reetrace.data").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.casefold() for line in text.split("\n") if line)


def check_new_password(username: str, password: str) -> None:
    """The password policy (reetrace.domain.passwords) against the shipped list."""
    check_password(username, password, common_passwords())


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


@cache
def _unknown_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether `password` is the one hashed; the same argon2 work when there is no hash (no such
    user), so the answer's timing does not tell whether a user exists."""
    try:
        return _HASHER.verify(password_hash or _unknown_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


def _operator() -> Actor:
    return Actor.operator(getpass.getuser())


def _check_username(username: str) -> str:
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username) or username == EVERY_ROLE:
        raise UsageError("a username is 1 to 64 characters without spaces")
    return username


def _existing(conn: Connection, username: str) -> repo.UserRow:
    user = repo.get_user(conn, username)
    if user is None:
        raise NotFound(f"user {username!r} does not exist")
    return user


def account_changed(
    conn: Connection,
    actor: Actor,
    username: str,
    change: str,
    at: datetime,
    enterprise: str | None = None,
    detail: str | None = None,
) -> None:
    """Record a change to an account twice, in the caller's transaction: in the chained account
    changes, and in the access log with the actor's door."""
    repo.note_account_change(conn, at, username, change, actor.username, detail)
    what = f"account {change} {username}"
    note_access(conn, actor, "change", what, enterprise, detail, at)


def add_user(
    store: Store,
    username: str,
    password: str | None,
    role: str,
    uscc: str | None = None,
    display_name: str | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> Principal:
    """Add an account. A capture account has no password (None): it captures with API tokens
    and never logs in, so its hash is of a secret nobody is told."""
    username = _check_username(username)
    check_role(role, uscc)
    if uscc is not None and not is_uscc(uscc):
        raise UsageError(f"{uscc!r} is not a valid Unified Social Credit Code")
    if role == CAPTURE:
        if password is not None:
            raise UsageError("a capture account has no password: it captures with API tokens")
        password = secrets.token_urlsafe(32)
    elif password is None:
        raise UsageError("a password is needed")
    else:
        check_new_password(username, password)
    password_hash = hash_password(password)
    at = now or datetime.now(UTC)
    with store.writing() as conn:
        if repo.get_user(conn, username) is not None:
            raise InvalidInput(f"user {username!r} already exists")
        repo.add_user(conn, username, password_hash, role, uscc, display_name, at)
        repo.set_password_hash(conn, username, password_hash, at)
        detail = f"role {role}" + (f" of {uscc}" if uscc else "")
        account_changed(conn, actor or _operator(), username, "added", at, uscc, detail)
    return Principal(username, role, uscc)


def set_password(store: Store, actor: Actor, username: str, password: str, now: datetime | None = None) -> int:
    """The operator sets a user's password: every session of theirs ends. Returns how many did.
    A capture account has none."""
    check_new_password(username, password)
    password_hash = hash_password(password)
    at = now or datetime.now(UTC)
    with store.writing() as conn:
        user = _existing(conn, username)
        if user.role == CAPTURE:
            raise UsageError(f"{username!r} is a capture account: it has no password, only API tokens")
        repo.set_password_hash(conn, username, password_hash, at)
        ended = repo.end_sessions_of(conn, username, at, sessions.PASSWORD)
        account_changed(
            conn, actor, username, "password", at, user.uscc, f"set by the operator; {ended} session(s) ended"
        )
    return ended


def disable_user(store: Store, actor: Actor, username: str, now: datetime | None = None) -> int:
    """Disable a user: every session ends, and their API tokens are refused while disabled."""
    at = now or datetime.now(UTC)
    with store.writing() as conn:
        user = _existing(conn, username)
        if user.disabled:
            raise InvalidInput(f"user {username!r} is already disabled")
        repo.set_disabled(conn, username, at)
        ended = repo.end_sessions_of(conn, username, at, sessions.DISABLED)
        account_changed(conn, actor, username, "disabled", at, user.uscc, f"{ended} session(s) ended")
    return ended


def enable_user(store: Store, actor: Actor, username: str, now: datetime | None = None) -> None:
    at = now or datetime.now(UTC)
    with store.writing() as conn:
        user = _existing(conn, username)
        if not user.disabled:
            raise InvalidInput(f"user {username!r} is not disabled")
        repo.set_disabled(conn, username, None)
        account_changed(conn, actor, username, "enabled", at, user.uscc)


def set_role(
    store: Store, actor: Actor, username: str, role: str, uscc: str | None = None, now: datetime | None = None
) -> None:
    """Give a user another role (an enterprise user: another enterprise); their sessions end."""
    check_role(role, uscc)
    if uscc is not None and not is_uscc(uscc):
        raise UsageError(f"{uscc!r} is not a valid Unified Social Credit Code")
    at = now or datetime.now(UTC)
    with store.writing() as conn:
        user = _existing(conn, username)
        repo.set_role(conn, username, role, uscc)
        ended = repo.end_sessions_of(conn, username, at, sessions.ROLE)
        was = user.role + (f" of {user.uscc}" if user.uscc else "")
        now_is = role + (f" of {uscc}" if uscc else "")
        account_changed(
            conn, actor, username, "role", at, uscc or user.uscc, f"{was} -> {now_is}; {ended} session(s) ended"
        )


def reset_second_factor(
    store: Store, actor: Actor, username: str, enrol: bool, now: datetime | None = None
) -> str | None:
    """The operator gives a user a new second factor (its secret is returned, to be handed over
    as a QR code) or removes it (the user enrols again at their next login when their role
    requires one)."""
    at = now or datetime.now(UTC)
    secret = second_factor.new_secret() if enrol else None
    with store.writing() as conn:
        user = _existing(conn, username)
        repo.set_second_factor(conn, username, secret)
        change = "totp_reset" if enrol else "totp_removed"
        account_changed(conn, actor, username, change, at, user.uscc, "by the operator")
    return secret


def enrol_second_factor(
    conn: Connection, actor: Actor, username: str, secret: str, step: int, at: datetime, enterprise: str | None
) -> None:
    """A person's own enrolment, once they gave a code of the new secret (at `step`)."""
    repo.set_second_factor(conn, username, secret, step)
    account_changed(conn, actor, username, "totp_enrolled", at, enterprise, "by the user")


def require_second_factor(store: Store, actor: Actor, role: str, required: bool, now: datetime | None = None) -> None:
    """The operator's policy: every user of `role` must give a second factor (those without
    one enrol at their next login), or no longer must."""
    if role not in ROLES:
        raise UsageError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    at = now or datetime.now(UTC)
    with store.writing() as conn:
        repo.set_second_factor_required(conn, role, required, at, actor.username)
        detail = f"{role}: second factor {'required' if required else 'not required'}"
        account_changed(conn, actor, EVERY_ROLE, "policy", at, None, detail)


def issue_token(
    store: Store, username: str, label: str, now: datetime | None = None, actor: Actor | None = None
) -> tuple[int, str]:
    """A new API token for `username`; the token itself is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    at = now or datetime.now(UTC)
    with store.writing() as conn:
        user = _existing(conn, username)
        token_id = repo.add_token(conn, username, _token_hash(token), label.strip() or "token", at)
        note_access(conn, actor or _operator(), "change", f"token new {token_id} for {username}", user.uscc, None, at)
    return token_id, token


def revoke_token(store: Store, token_id: int, now: datetime | None = None, actor: Actor | None = None) -> None:
    at = now or datetime.now(UTC)
    with store.writing() as conn:
        if not repo.revoke_token(conn, token_id, at):
            raise NotFound(f"no active token {token_id}")
        note_access(conn, actor or _operator(), "change", f"token revoke {token_id}", None, None, at)


def authenticate_token(store: Store, token: str) -> Principal:
    """The principal of an API token; refused when it is unknown, revoked, or its user disabled."""
    with store.reading() as conn:
        user = repo.token_owner(conn, _token_hash(token))
    if user is None or user.disabled:
        raise Unauthenticated("the API token is unknown or revoked")
    return Principal(user.username, user.role, user.uscc)


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
    and what it records are committed together or not at all. `enterprise` is named only when it
    is a USCC in its exact form (whatever else was asked for belongs in the detail)."""
    repo.log_access(conn, now or datetime.now(UTC), actor, action, what, _named(enterprise), detail)


def note_accesses(conn: Connection, notes: Sequence[Note]) -> None:
    """`note_access` for many changes made in one transaction, in this order, at once."""
    at = datetime.now(UTC)
    repo.log_accesses(
        conn,
        [repo.access_entry(at, n.actor, n.action, n.what, _named(n.enterprise), n.detail) for n in notes],
    )


@dataclass(frozen=True, slots=True)
class Note:
    """One entry for `note_accesses`."""

    actor: Actor
    action: str
    what: str
    enterprise: str | None = None
    detail: str | None = None


def _named(enterprise: str | None) -> str | None:
    """The enterprise an entry names: only a USCC in its exact form (whatever else was asked
    for belongs in the detail)."""
    return enterprise if enterprise is not None and is_uscc(enterprise) else None


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
