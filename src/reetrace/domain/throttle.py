"""Login throttling: how long a login must wait after failures, counted per account and per client
address.

    failures  0 … free-1   free      free+1    …            lock_after
    wait      none         1 s       2 s       doubling …   locked for `lock_for`

A failure is a wrong password, an unknown user or a wrong second-factor code. After `free`
failures in a row, the next attempt must wait a delay that doubles with each further failure
(up to `max_delay`); the `lock_after`-th failure locks the key for `lock_for`. Attempts made
while waiting are refused at once, without checking the password, and do not count. A quiet
spell of `forget_after` since the last failure starts the count afresh; a success clears the
account's count (never the address's, or an attacker could clear it with an account of their
own).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    free: int
    lock_after: int
    first_delay: timedelta = timedelta(seconds=1)
    max_delay: timedelta = timedelta(seconds=60)
    lock_for: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(minutes=15)


ACCOUNT = ThrottlePolicy(free=3, lock_after=10)
CLIENT = ThrottlePolicy(free=10, lock_after=30)


@dataclass(frozen=True)
class Attempts:
    """What is known of one key's recent failures."""

    failures: int
    last_failure_at: datetime
    locked_until: datetime | None = None


def delay(failures: int, policy: ThrottlePolicy) -> timedelta:
    """The wait after `failures` failures in a row (before any lockout)."""
    if failures < policy.free:
        return timedelta(0)
    return min(policy.first_delay * 2 ** (failures - policy.free), policy.max_delay)


def current(attempts: Attempts | None, now: datetime, policy: ThrottlePolicy) -> Attempts | None:
    """The attempts that still count at `now` (None once forgotten)."""
    if attempts is None:
        return None
    if attempts.locked_until is not None and attempts.locked_until > now:
        return attempts
    if now - attempts.last_failure_at >= policy.forget_after:
        return None
    if attempts.locked_until is not None:  # a lockout that has run out starts the count afresh
        return None
    return attempts


def wait(attempts: Attempts | None, now: datetime, policy: ThrottlePolicy) -> timedelta:
    """How long an attempt at `now` must still wait (zero: it may go ahead)."""
    counted = current(attempts, now, policy)
    if counted is None:
        return timedelta(0)
    if counted.locked_until is not None:
        return counted.locked_until - now
    return max(timedelta(0), counted.last_failure_at + delay(counted.failures, policy) - now)


def after_failure(attempts: Attempts | None, now: datetime, policy: ThrottlePolicy) -> Attempts:
    """The key's attempts once a failure at `now` is counted; locked when it is the
    `lock_after`-th in a row."""
    counted = current(attempts, now, policy)
    failures = 1 if counted is None else counted.failures + 1
    updated = Attempts(failures, now)
    if failures >= policy.lock_after:
        updated = replace(updated, locked_until=now + policy.lock_for)
    return updated
