"""Accounts and sessions on the store (SQLite, or PostgreSQL with REETRACE_TEST_DB): a session
ends for good on logout, password change, role change and disabling, and by expiry; failed
logins are throttled and locked out, each written to the access log; every account change is
chained with who made it; the second factor is enrolled, asked for, and its codes used once.
Times are given to the services, so expiry and lockout are tested without waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

import totp
from reetrace.domain import sessions as rules
from reetrace.domain.accounts import Actor
from reetrace.domain.passwords import WeakPassword
from reetrace.errors import Forbidden, InvalidInput, NotFound, Throttled, Unauthenticated, UsageError
from reetrace.ledger import chains as chain_rules
from reetrace.services import accounts
from reetrace.services import sessions as service
from reetrace.services.sessions import Door, LoginGate
from reetrace.store import access_log_repo, accounts_repo, chains
from reetrace.store import tables as t

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "copper kettle on the stove"
OPERATOR = Actor.operator("root", None)
CONSOLE = Door("console", "10.1.2.3", "POST /login")


@pytest.fixture
def gate() -> LoginGate:
    return LoginGate(2)


@pytest.fixture
def people(store):
    accounts.add_user(store, "wang", PASSWORD, "regulator", now=T0, actor=OPERATOR)
    accounts.add_user(store, "li", PASSWORD, "inspector", now=T0, actor=OPERATOR)
    return store


def login(store, gate, username="wang", password=PASSWORD, at=T0, door=CONSOLE, **kw) -> service.Opened:
    return service.log_in(store, gate, door, username, password, at, **kw)


def log(store, action: str | None = None) -> list:
    with store.reading() as conn:
        entries, _ = access_log_repo.access_entries(conn, None, None, None, 1000, 0)
    return [e for e in reversed(entries) if action is None or e.action == action]


def test_the_store_keeps_only_the_tokens_digest(people, gate):
    opened = login(people, gate)
    with people.reading() as conn:
        ids = [r.id for r in conn.execute(select(t.sessions.c.id))]
    assert opened.token not in ids and ids == [service.session_id(opened.token)]
    assert service.current(people, opened.token, T0 + timedelta(minutes=1)).principal.username == "wang"
    assert service.current(people, opened.token[:-1] + "x", T0) is None


def test_logout_ends_the_session_for_good(people, gate):
    opened = login(people, gate)
    service.log_out(people, CONSOLE, opened.token, T0 + timedelta(minutes=1))
    assert service.current(people, opened.token, T0 + timedelta(minutes=2)) is None
    assert [e.username for e in log(people, "logout")] == ["wang"]


def test_a_password_change_ends_every_session_and_reissues_the_changers(people, gate):
    phone, laptop = login(people, gate), login(people, gate)
    at = T0 + timedelta(minutes=5)
    with pytest.raises(Forbidden):
        service.change_password(people, gate, CONSOLE, phone.principal, "not it at all", "a new long passphrase", at)
    with pytest.raises(WeakPassword):
        service.change_password(people, gate, CONSOLE, phone.principal, PASSWORD, "12345678", at)
    renewed = service.change_password(
        people, gate, CONSOLE, phone.principal, PASSWORD, "a new long passphrase", at, token=phone.token
    )
    assert renewed is not None
    later = at + timedelta(minutes=1)
    assert service.current(people, phone.token, later) is None
    assert service.current(people, laptop.token, later) is None
    assert service.current(people, renewed, later).principal.username == "wang"
    with pytest.raises(Unauthenticated):
        login(people, gate, at=later)
    assert login(people, gate, password="a new long passphrase", at=later).needs == rules.READY


def test_disabling_ends_sessions_and_stops_tokens_until_enabled(people, gate):
    opened = login(people, gate)
    _, token = accounts.issue_token(people, "wang", "etl", now=T0, actor=OPERATOR)
    assert accounts.authenticate_token(people, token).username == "wang"
    assert accounts.disable_user(people, OPERATOR, "wang", T0 + timedelta(minutes=1)) == 1
    assert service.current(people, opened.token, T0 + timedelta(minutes=2)) is None
    with pytest.raises(Unauthenticated):
        accounts.authenticate_token(people, token)
    with pytest.raises(Unauthenticated):
        login(people, gate, at=T0 + timedelta(minutes=2))  # the right password, refused alike
    with pytest.raises(InvalidInput):
        accounts.disable_user(people, OPERATOR, "wang")
    accounts.enable_user(people, OPERATOR, "wang", T0 + timedelta(minutes=3))
    assert accounts.authenticate_token(people, token).username == "wang"
    assert service.current(people, opened.token, T0 + timedelta(minutes=3)) is None  # ended sessions stay ended
    assert login(people, gate, at=T0 + timedelta(minutes=3)).needs == rules.READY


def test_a_role_change_ends_the_sessions(people, gate):
    opened = login(people, gate, username="li")
    accounts.set_role(people, OPERATOR, "li", "auditor", now=T0 + timedelta(minutes=1))
    assert service.current(people, opened.token, T0 + timedelta(minutes=2)) is None
    assert login(people, gate, username="li", at=T0 + timedelta(minutes=2)).principal.role == "auditor"
    with pytest.raises(UsageError):
        accounts.set_role(people, OPERATOR, "li", "enterprise")  # an enterprise user needs its USCC
    with pytest.raises(NotFound):
        accounts.set_role(people, OPERATOR, "nobody", "auditor")


def test_sessions_expire_when_idle_and_at_the_latest_after_twelve_hours(people, gate):
    policy = rules.SessionPolicy()
    idle = login(people, gate)
    assert service.current(people, idle.token, T0 + timedelta(minutes=29)) is not None
    assert service.current(people, idle.token, T0 + timedelta(minutes=29, seconds=1) + timedelta(minutes=30)) is None
    busy = login(people, gate)
    moment = T0
    while moment + timedelta(minutes=20) < T0 + timedelta(hours=12):  # a request every 20 minutes keeps it alive …
        moment += timedelta(minutes=20)
        assert service.current(people, busy.token, moment, policy) is not None, moment
    assert service.current(people, busy.token, T0 + timedelta(hours=12), policy) is None  # … for 12 hours


def test_failed_logins_wait_then_lock_and_each_is_logged(people, gate):
    at = T0
    for _ in range(3):  # three free failures, a second apart
        with pytest.raises(Unauthenticated):
            login(people, gate, password="guess " * 3, at=at)
        at += timedelta(seconds=1)
    with pytest.raises(Throttled) as waiting:  # half a second after the third, 1 s due
        login(people, gate, at=at - timedelta(seconds=0.5))  # even the right password waits
    assert waiting.value.retry_after == 1
    at += timedelta(seconds=120)
    for _ in range(7):  # failures 4 … 10, each after its delay
        with pytest.raises(Unauthenticated):
            login(people, gate, password="guess " * 3, at=at)
        at += timedelta(seconds=120)
    with pytest.raises(Throttled) as locked:
        login(people, gate, at=at)
    assert 13 * 60 <= locked.value.retry_after <= 15 * 60
    assert login(people, gate, username="li", at=at).needs == rules.READY  # another account is not locked
    failed = log(people, "login_failed")
    assert len(failed) == 10 and {e.detail for e in failed} == {"wrong password"}
    assert {(e.channel, e.client, e.role) for e in failed} == {("console", "10.1.2.3", "regulator")}
    assert [e.detail.split(" locked")[0] for e in log(people, "locked")] == ["user:wang"]
    unlocked = at + timedelta(minutes=15)
    assert login(people, gate, at=unlocked).needs == rules.READY
    assert [e.username for e in log(people, "login")] == ["li", "wang"]


def test_guessing_many_accounts_from_one_address_locks_the_address(people, gate):
    at = T0
    guesser = Door("api", "10.9.9.9", "POST /api/session")
    for i in range(30):
        with pytest.raises(Unauthenticated):
            login(people, gate, username=f"user{i}", password="hunter2 hunter2", at=at, door=guesser)
        at += timedelta(seconds=70)
    with pytest.raises(Throttled):
        login(people, gate, at=at, door=guesser)  # the right password of a real account, from that address
    assert login(people, gate, at=at).needs == rules.READY  # from another address
    assert {e.role for e in log(people, "login_failed")} == {"unknown"}


def test_a_flood_finds_the_gate_shut_rather_than_queueing(people):
    shut = LoginGate(1)
    with shut.slot():
        with pytest.raises(Throttled):
            login(people, shut)
    assert login(people, shut).needs == rules.READY


def test_every_account_change_is_chained_with_who_made_it(people, gate):
    accounts.set_password(people, OPERATOR, "li", "a fresh long passphrase", T0)
    accounts.disable_user(people, OPERATOR, "li", T0)
    accounts.enable_user(people, OPERATOR, "li", T0)
    accounts.set_role(people, OPERATOR, "li", "auditor", now=T0)
    accounts.reset_second_factor(people, OPERATOR, "li", enrol=True, now=T0)
    accounts.require_second_factor(people, OPERATOR, "reviewer", True, T0)
    opened = login(people, gate)
    service.change_password(people, gate, CONSOLE, opened.principal, PASSWORD, "my new long passphrase", T0)
    with people.reading() as conn:
        changes = [(r.username, r.action, r.by) for r in accounts_repo.account_changes(conn)]
    assert changes == [
        ("wang", "added", "root"),
        ("li", "added", "root"),
        ("li", "password", "root"),
        ("li", "disabled", "root"),
        ("li", "enabled", "root"),
        ("li", "role", "root"),
        ("li", "totp_reset", "root"),
        ("*", "policy", "root"),
        ("wang", "password", "wang"),
    ]
    entries = [e for e in log(people, "change") if e.what.startswith("account ")]
    assert len(entries) == len(changes)
    assert [(e.channel, e.os_user) for e in entries[:-1]] == [("cli", "root")] * (len(changes) - 1)
    assert (entries[-1].channel, entries[-1].username, entries[-1].client) == ("console", "wang", "10.1.2.3")
    with people.reading() as conn:  # the chain, recomputed from the rows with the published link formula
        head = chain_rules.GENESIS
        rows = list(chains.covered_rows(conn, "account_changes"))
        for row, link in zip(rows, chains.links(conn, "account_changes"), strict=True):
            digest = chain_rules.row_digest(chains.row_values(row))
            head = chain_rules.link(head, "account_changes", chains.row_key(row, ("id",)), digest)
            assert bytes(link.link) == head
        assert chains.heads(conn)["account_changes"] == (len(changes), head)


def test_the_policy_applies_to_every_way_a_password_is_set(people, gate):
    for weak in ("12345678", "regulator", "qwerty123456"):
        with pytest.raises(WeakPassword):
            accounts.add_user(people, "zhao", weak, "regulator", actor=OPERATOR)
        with pytest.raises(WeakPassword):
            accounts.set_password(people, OPERATOR, "li", weak)
    with pytest.raises(WeakPassword):
        accounts.add_user(people, "zhao.min", "Zhao.Min.2026!", "regulator", actor=OPERATOR)
    with people.reading() as conn:
        assert conn.scalar(select(func.count()).select_from(t.users)) == 2
    accounts.add_user(people, "zhao.min", "river stones at dusk", "regulator", actor=OPERATOR)


def enrol_at_login(store, gate, username: str, at: datetime) -> tuple[service.Opened, str]:
    opened = login(store, gate, username=username, at=at)
    assert opened.needs == rules.ENROL
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    with pytest.raises(Unauthenticated):
        service.enrol(store, CONSOLE, opened.token, secret, "000000", at)
    assert service.current(store, opened.token, at).ready is False
    service.enrol(store, CONSOLE, opened.token, secret, totp.code_at(secret, at), at)
    return opened, secret


def test_a_role_that_requires_a_second_factor_enrols_then_gives_codes_once(people, gate):
    accounts.require_second_factor(people, OPERATOR, "inspector", True, T0)
    assert login(people, gate).needs == rules.READY  # the regulator's role does not require one
    opened, secret = enrol_at_login(people, gate, "li", T0)
    assert service.current(people, opened.token, T0).ready is True
    with people.reading() as conn:
        assert [r.action for r in accounts_repo.account_changes(conn, "li")] == ["added", "totp_enrolled"]

    later = T0 + timedelta(minutes=10)
    waiting = login(people, gate, username="li", at=later)
    assert waiting.needs == rules.CODE
    assert service.current(people, waiting.token, later).ready is False  # authenticates nothing yet
    code = totp.code_at(secret, later)
    assert service.give_code(people, CONSOLE, waiting.token, code, later).username == "li"
    assert service.current(people, waiting.token, later + timedelta(minutes=1)).ready is True

    again = login(people, gate, username="li", at=later + timedelta(seconds=5))
    with pytest.raises(Unauthenticated):  # the same code, seen over a shoulder: used already
        service.give_code(people, CONSOLE, again.token, code, later + timedelta(seconds=5))
    next_code = totp.code_at(secret, later + timedelta(seconds=30))
    assert service.give_code(people, CONSOLE, again.token, next_code, later + timedelta(seconds=30)).username == "li"


def test_a_pending_session_lasts_five_minutes(people, gate):
    accounts.require_second_factor(people, OPERATOR, "inspector", True, T0)
    opened = login(people, gate, username="li")
    assert service.current(people, opened.token, T0 + timedelta(minutes=4)) is not None
    assert service.current(people, opened.token, T0 + timedelta(minutes=5)) is None
    with pytest.raises(Unauthenticated):
        service.enrol(people, CONSOLE, opened.token, "JBSWY3DPEHPK3PXP", "123456", T0 + timedelta(minutes=6))


def test_the_api_login_takes_the_code_at_once(people, gate):
    secret = accounts.reset_second_factor(people, OPERATOR, "wang", enrol=True, now=T0)
    api = Door("api", "10.1.2.3", "POST /api/session")
    with pytest.raises(Unauthenticated):
        login(people, gate, at=T0, door=api, pending=False)
    with pytest.raises(Unauthenticated):
        login(people, gate, at=T0, door=api, pending=False, code="000000")
    opened = login(people, gate, at=T0, door=api, pending=False, code=totp.code_at(secret, T0))
    assert opened.needs == rules.READY and service.current(people, opened.token, T0).ready
    accounts.require_second_factor(people, OPERATOR, "inspector", True, T0)
    with pytest.raises(Forbidden):
        login(people, gate, username="li", at=T0, door=api, pending=False)  # must enrol on the console
