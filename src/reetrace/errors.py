"""One error tree for the whole system.

Domain and service code raise these; the CLI turns them into one-line messages and exit codes
in one place (`reetrace.cli`), and a future API maps them to HTTP statuses in one place too.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any


class ReetraceError(Exception):
    """Base of every error the system reports to a person.

    Its text (`str(error)`) is English, for the CLI and the logs. An error a page or the API
    says in the reader's language also carries a message id and the parameters of its sentence
    (`message_id`, `params`; docs/i18n.md): the pages translate it through the catalogues."""

    def __init__(self, *args: object, message_id: str | None = None, params: Mapping[str, Any] | None = None) -> None:
        super().__init__(*args)
        self.message_id = message_id
        self.params: dict[str, Any] = dict(params or {})


class InvalidInput(ReetraceError):
    """A document or argument does not follow the contract."""


class NotFound(ReetraceError):
    """A lot, event, enterprise or file that was asked for does not exist."""


class StoreError(ReetraceError):
    """The store cannot be opened or is in a state the system cannot use."""


class UsageError(InvalidInput):
    """The command was called wrongly (a missing file, a bad option value)."""


class Unauthenticated(ReetraceError):
    """No valid credentials were presented (a password, a session or an API token)."""


class Forbidden(ReetraceError):
    """The person or machine is known but may not do or see this."""


class Throttled(ReetraceError):
    """Too many failed logins (or the server is busy checking others): try again after
    `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class Computing(ReetraceError):
    """What was asked for (the findings as of a day, the dashboard's pass over a year) is being
    computed in the background: ask again after `retry_after` seconds."""

    def __init__(self, day: date, done: int, total: int):
        super().__init__(f"what was asked as of {day.isoformat()} is being computed ({done:,} of {total:,} events)")
        self.day = day
        self.done = done
        self.total = total
        self.retry_after = 5

    @property
    def percent(self) -> int:
        return min(99, self.done * 100 // self.total) if self.total else 0


def not_found(kind: str) -> NotFound:
    """The one answer when a `kind` (a lot, an application, a finding …) that was asked for does
    not exist or is not the asker's to see: the same type and the same words either way, naming
    no id, so that an answer never tells an enterprise whether another's thing exists."""
    return NotFound(f"{kind} not found", message_id="error.not_found", params={"kind": kind})


@contextmanager
def unseen_as(kind: str) -> Iterator[None]:
    """Within it, any NotFound becomes `not_found(kind)`: a lookup that fails answers exactly as
    one that finds another enterprise's thing."""
    try:
        yield
    except NotFound:
        raise not_found(kind) from None
