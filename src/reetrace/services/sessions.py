"""Use cases of a person's session: logging in (password, then the second factor when there is
one), the session a request carries, logging out, and changing one's own password.

The browser holds a random token; the store keeps its SHA-256 (`sessions.id`), so a token read
from the database is no use, and ending a session here ends it for good. Failed logins are
throttled per account and per client address (reetrace.domain.throttle): the throttle is read
before any password is hashed, and a throttled attempt is refused at once (`Throttled`, with the
seconds to wait), never made to wait on the server. At most `LoginGate` slots of argon2 work run
at once; a login that finds them all taken is refused the same way, so a flood of guesses
cannot take the machine from everyone else.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from reetrace.domain import sessions, throttle
from reetrace.domain.accounts import CAPTURE, Actor, Principal
from reetrace.domain.sessions import SessionPolicy, SessionTimes
from reetrace.errors import Forbidden, Throttled, Unauthenticated, UsageError
from reetrace.services import accounts, second_factor
from reetrace.store import accounts_repo as repo
from reetrace.store.database import Store

UNKNOWN_ROLE = "unknown"  # the role the access log gives a login attempt for no such user
MAX_USERNAME = 64


class LoginGate:
    """At most `slots` password checks at once; one more is refused, not queued."""

    def __init__(self, slots: int):
        self._slots = threading.BoundedSemaphore(slots)

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            raise Throttled("the server is busy checking other logins; try again in a moment", 1)
        try:
            yield
        finally:
            self._slots.release()


@dataclass(frozen=True)
class Door:
    """Where an attempt comes from: the channel (api, console), the client's address and the
    request (`POST /login`), as the access log names them."""

    channel: str
    client: str | None
    what: str

    def actor(self, principal: Principal) -> Actor:
        return Actor(principal, self.channel, self.client)


@dataclass(frozen=True)
class Opened:
    """A new session: its token (for the cookie), whose it is, and what it still needs
    (sessions.READY, CODE or ENROL)."""

    token: str
    principal: Principal
    needs: str


@dataclass(frozen=True)
class Current:
    """The session a request carries."""

    id: str
    principal: Principal
    ready: bool  # False until the second factor was given


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _keys(username: str, client: str | None) -> tuple[str, str]:
    return f"user:{username[:MAX_USERNAME]}", f"client:{(client or '-')[:150]}"


def _check_throttle(store: Store, username: str, client: str | None, now: datetime) -> None:
    user_key, client_key = _keys(username, client)
    with store.reading() as conn:
        counted = repo.attempts(conn, [user_key, client_key])
    wait = max(
        throttle.wait(counted.get(user_key), now, throttle.ACCOUNT),
        throttle.wait(counted.get(client_key), now, throttle.CLIENT),
    )
    if wait > timedelta(0):
        seconds = math.ceil(wait.total_seconds())
        raise Throttled(f"too many failed logins: try again in {seconds} s", seconds)


def _failed(store: Store, door: Door, username: str, user: repo.UserRow | None, why: str, now: datetime) -> None:
    """Count a failure against the account and the address, lock either when it is due, and
    write it all to the access log."""
    user_key, client_key = _keys(username, door.client)
    actor = door.actor(Principal(username[:MAX_USERNAME], user.role if user else UNKNOWN_ROLE))
    enterprise = user.uscc if user else None
    with store.writing() as conn:
        counted = repo.attempts(conn, [user_key, client_key])
        for key, policy in ((user_key, throttle.ACCOUNT), (client_key, throttle.CLIENT)):
            updated = throttle.after_failure(counted.get(key), now, policy)
            repo.put_attempts(conn, key, updated)
            if updated.locked_until is not None:
                detail = f"{key} locked until {updated.locked_until.isoformat()} after {updated.failures} failures"
                accounts.note_access(conn, actor, "locked", door.what, enterprise, detail, now)
        accounts.note_access(conn, actor, "login_failed", door.what, enterprise, why, now)


def _open(
    conn: Connection, user: repo.UserRow, needs: str, client: str | None, now: datetime, policy: SessionPolicy
) -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    lifetime = policy.absolute if needs == sessions.READY else policy.pending
    times = SessionTimes(now, now + lifetime, now)
    repo.add_session(conn, session_id(token), user.username, times, needs == sessions.READY, client)
    return token, session_id(token)


def _why_refused(user: repo.UserRow | None, right: bool) -> str:
    """What the access log says of a login refused. A capture account never logs in (it
    captures with API tokens); it is answered as a wrong password is."""
    if user is None:
        return "unknown user"
    if not right:
        return "wrong password"
    return "disabled" if user.disabled else "a capture account"


def log_in(
    store: Store,
    gate: LoginGate,
    door: Door,
    username: str,
    password: str,
    now: datetime,
    replacing: str | None = None,
    code: str | None = None,
    policy: SessionPolicy = SessionPolicy(),
    pending: bool = True,
) -> Opened:
    """Check a password and open a session. With a second factor (or a role that requires
    one), the session waits for the code (`needs`), unless `code` is given here and right;
    with `pending` False such a login is refused instead (the API has no page to ask for the
    code). `replacing`: the token of a session the browser held before, ended now."""
    username = username.strip()
    _check_throttle(store, username, door.client, now)
    with gate.slot():
        with store.reading() as conn:
            user = repo.get_user(conn, username) if 0 < len(username) <= MAX_USERNAME else None
            required = user is not None and repo.second_factor_required(conn, user.role)
        right = len(password) <= 4096 and accounts.password_matches(user.password_hash if user else None, password)
    if user is None or not right or user.disabled or user.role == CAPTURE:
        _failed(store, door, username, user, _why_refused(user, right), now)
        raise Unauthenticated("unknown user or wrong password")
    principal = Principal(user.username, user.role, user.uscc)
    needs = sessions.CODE if user.totp_secret else sessions.ENROL if required else sessions.READY
    step = None
    if code is not None and needs == sessions.CODE and user.totp_secret:
        step = second_factor.matching_step(user.totp_secret, code, now, user.totp_last_step)
        if step is None:
            _failed(store, door, username, user, "wrong code", now)
            raise Unauthenticated("the second factor's code is wrong")
        needs = sessions.READY
    if needs == sessions.ENROL and not pending:
        raise Forbidden("this account must enrol a second factor first: log in on the console")
    if needs == sessions.CODE and not pending:
        raise Unauthenticated("this account has a second factor: send its code as 'code'")
    rehashed = accounts.hash_password(password) if accounts.needs_rehash(user.password_hash) else None
    with store.writing() as conn:
        if step is not None and not repo.use_second_factor_step(conn, user.username, step):
            raise Unauthenticated("this code was used already; wait for the next one")
        if rehashed:
            repo.set_password_hash(conn, user.username, rehashed)
        repo.clear_attempts(conn, _keys(user.username, door.client)[0])
        repo.forget_attempts(conn, now - throttle.ACCOUNT.forget_after)
        if replacing:
            repo.end_session(conn, session_id(replacing), now, sessions.REPLACED)
        token, _ = _open(conn, user, needs, door.client, now, policy)
        detail = None if needs == sessions.READY else f"waits for the second factor ({needs})"
        accounts.note_access(conn, door.actor(principal), "login", door.what, user.uscc, detail, now)
    return Opened(token, principal, needs)


def current(store: Store, token: str, now: datetime, policy: SessionPolicy = SessionPolicy()) -> Current | None:
    """The session of `token`, if it is open, not expired or idle, and its user not disabled."""
    if not token or len(token) > 200:
        return None
    with store.reading() as conn:
        found = repo.get_session(conn, session_id(token))
        user = repo.get_user(conn, found.username) if found else None
    if found is None or found.ended or user is None or user.disabled or not sessions.live(found.times, now, policy):
        return None
    if found.second_factor and sessions.needs_touch(found.times, now, policy):
        with store.writing() as conn:
            repo.touch_session(conn, found.id, now)
    return Current(found.id, Principal(user.username, user.role, user.uscc), found.second_factor)


def _pending(store: Store, token: str, now: datetime, policy: SessionPolicy) -> tuple[Current, repo.UserRow]:
    session = current(store, token, now, policy)
    if session is None or session.ready:
        raise Unauthenticated("log in again")
    with store.reading() as conn:
        user = repo.get_user(conn, session.principal.username)
    assert user is not None  # current() found the session's user
    return session, user


def give_code(
    store: Store, door: Door, token: str, code: str, now: datetime, policy: SessionPolicy = SessionPolicy()
) -> Principal:
    """The second step of a login: the code of the account's second factor."""
    session, user = _pending(store, token, now, policy)
    _check_throttle(store, user.username, door.client, now)
    if user.totp_secret is None:
        raise UsageError("this account has no second factor yet")
    step = second_factor.matching_step(user.totp_secret, code, now, user.totp_last_step)
    if step is None:
        _failed(store, door, user.username, user, "wrong code", now)
        raise Unauthenticated("the code is wrong")
    with store.writing() as conn:
        if not repo.use_second_factor_step(conn, user.username, step):
            raise Unauthenticated("this code was used already; wait for the next one")
        repo.complete_session(conn, session.id, now + policy.absolute, now)
        repo.clear_attempts(conn, _keys(user.username, door.client)[0])
        accounts.note_access(conn, door.actor(session.principal), "login", door.what, user.uscc, "second factor", now)
    return session.principal


def enrol(
    store: Store,
    door: Door,
    token: str,
    secret: str,
    code: str,
    now: datetime,
    policy: SessionPolicy = SessionPolicy(),
) -> Principal:
    """Enrol a second factor with a code of its new secret: at login, when the role requires
    one (the pending session then authenticates), or later from a signed-in session."""
    session = current(store, token, now, policy)
    if session is None:
        raise Unauthenticated("log in again")
    with store.reading() as conn:
        user = repo.get_user(conn, session.principal.username)
    assert user is not None
    if user.totp_secret is not None:
        raise UsageError("this account has a second factor already")
    _check_throttle(store, user.username, door.client, now)
    step = second_factor.matching_step(secret, code, now, None)
    if step is None:
        _failed(store, door, user.username, user, "wrong code at enrolment", now)
        raise Unauthenticated("the code is wrong")
    with store.writing() as conn:
        accounts.enrol_second_factor(conn, door.actor(session.principal), user.username, secret, step, now, user.uscc)
        if not session.ready:
            repo.complete_session(conn, session.id, now + policy.absolute, now)
    return session.principal


def log_out(store: Store, door: Door, token: str, now: datetime) -> None:
    with store.writing() as conn:
        found = repo.get_session(conn, session_id(token))
        if found is None or not repo.end_session(conn, found.id, now, sessions.LOGOUT):
            return
        user = repo.get_user(conn, found.username)
        role = user.role if user else UNKNOWN_ROLE
        principal = Principal(found.username, role, user.uscc if user else None)
        accounts.note_access(conn, door.actor(principal), "logout", door.what, principal.uscc, None, now)


def change_password(
    store: Store,
    gate: LoginGate,
    door: Door,
    principal: Principal,
    current_password: str,
    new_password: str,
    now: datetime,
    token: str | None = None,
    policy: SessionPolicy = SessionPolicy(),
) -> str | None:
    """A person changes their own password (the current one is asked for, and throttled like a
    login). Every session of theirs ends; the one they changed it from (`token`) goes on under
    a new token, which is returned."""
    _check_throttle(store, principal.username, door.client, now)
    accounts.check_new_password(principal.username, new_password)
    with gate.slot():
        with store.reading() as conn:
            user = repo.get_user(conn, principal.username)
        right = len(current_password) <= 4096 and accounts.password_matches(
            user.password_hash if user else None, current_password
        )
    if user is None or not right:
        _failed(store, door, principal.username, user, "wrong current password at a password change", now)
        raise Forbidden("the current password is not right")
    password_hash = accounts.hash_password(new_password)
    with store.writing() as conn:
        repo.set_password_hash(conn, user.username, password_hash, now)
        ended = repo.end_sessions_of(conn, user.username, now, sessions.PASSWORD)
        new_token = _open(conn, user, sessions.READY, door.client, now, policy)[0] if token else None
        detail = f"by the user; {ended} session(s) ended"
        accounts.account_changed(conn, door.actor(principal), user.username, "password", now, user.uscc, detail)
    return new_token


def has_second_factor(store: Store, username: str) -> bool:
    with store.reading() as conn:
        user = repo.get_user(conn, username)
    return user is not None and user.totp_secret is not None
