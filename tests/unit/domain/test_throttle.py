"""Login throttling, worked by hand from the rule in reetrace.domain.throttle: no wait for the
first failures, then 1, 2, 4 … seconds (at most 60), a lockout of 15 minutes at the tenth
failure of an account, and a quiet quarter of an hour forgets them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reetrace.domain.throttle import ACCOUNT, CLIENT, Attempts, after_failure, delay, wait

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def failures(n: int, policy=ACCOUNT, start=T0, spacing=timedelta(minutes=2)) -> Attempts | None:
    counted = None
    for i in range(n):
        counted = after_failure(counted, start + i * spacing, policy)
    return counted


def test_delays_grow_by_doubling_after_the_free_failures():
    assert [delay(n, ACCOUNT).total_seconds() for n in range(11)] == [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]
    assert [delay(n, CLIENT).total_seconds() for n in (9, 10, 11, 12)] == [0, 1, 2, 4]


def test_an_attempt_waits_for_the_delay_since_the_last_failure():
    three = failures(3, spacing=S)  # failures at 9:00:00, :01, :02
    assert three is not None and three.failures == 3 and three.locked_until is None
    last = T0 + 2 * S
    assert wait(three, last, ACCOUNT) == S
    assert wait(three, last + S / 2, ACCOUNT) == S / 2
    assert wait(three, last + S, ACCOUNT) == timedelta(0)  # near miss: the delay has passed
    assert wait(failures(2, spacing=S), last, ACCOUNT) == timedelta(0)


def test_the_tenth_failure_locks_the_account_for_a_quarter_of_an_hour():
    nine = failures(9)
    assert nine is not None and nine.locked_until is None
    at = T0 + 9 * timedelta(minutes=2)
    ten = after_failure(nine, at, ACCOUNT)
    assert ten.failures == 10 and ten.locked_until == at + timedelta(minutes=15)
    assert wait(ten, at + timedelta(minutes=14, seconds=59), ACCOUNT) == S
    assert wait(ten, at + timedelta(minutes=15), ACCOUNT) == timedelta(0)
    after = after_failure(ten, at + timedelta(minutes=15), ACCOUNT)
    assert after.failures == 1 and after.locked_until is None  # a served lockout starts afresh


def test_a_quiet_quarter_of_an_hour_forgets_the_failures():
    five = failures(5, spacing=S)
    last = T0 + 4 * S
    assert after_failure(five, last + timedelta(minutes=14), ACCOUNT).failures == 6
    assert after_failure(five, last + timedelta(minutes=15), ACCOUNT).failures == 1
    assert wait(five, last + timedelta(minutes=15), ACCOUNT) == timedelta(0)


def test_a_client_address_is_locked_after_thirty():
    assert failures(29, CLIENT).locked_until is None
    assert failures(30, CLIENT).locked_until == T0 + 29 * timedelta(minutes=2) + timedelta(minutes=15)
