"""How long a signed-in session lasts.

A session is a random token held by the browser; the store keeps only its SHA-256. It ends
- when the person logs out, changes their password (every session of theirs; the one that
  changed it gets a new token), or is disabled, or their role changes;
- at the latest `absolute` after it began, and after `idle` without a request.

Until the second factor is given (when the account has one, or its role requires one), a
session authenticates nothing but the code page, and lasts at most `pending`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# why a session ended
LOGOUT = "logout"
PASSWORD = "password"
DISABLED = "disabled"
ROLE = "role"
REPLACED = "replaced"  # a new login from the same browser

# what a new session still needs before it authenticates anything
READY = "ready"
CODE = "code"  # the code of the account's second factor
ENROL = "enrol"  # the role requires a second factor the account does not have yet


@dataclass(frozen=True)
class SessionPolicy:
    absolute: timedelta = timedelta(hours=12)
    idle: timedelta = timedelta(minutes=30)
    pending: timedelta = timedelta(minutes=5)
    touch_every: timedelta = timedelta(minutes=1)  # how often the time of the last request is written


@dataclass(frozen=True)
class SessionTimes:
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime


def live(times: SessionTimes, now: datetime, policy: SessionPolicy) -> bool:
    """Whether a session not ended by anyone is still valid at `now`."""
    return now < times.expires_at and now - times.last_seen_at < policy.idle


def needs_touch(times: SessionTimes, now: datetime, policy: SessionPolicy) -> bool:
    return now - times.last_seen_at >= policy.touch_every
