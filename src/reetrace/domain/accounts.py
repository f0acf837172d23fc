"""Who may do what: roles, the principal a request acts as, and tenant isolation.

Staff roles see every enterprise (and their reads of an enterprise's data are written to the
access log); an enterprise user is bound to one USCC and sees and submits only for it. A capture
account is a machine's, bound to one enterprise too, whose API tokens may do one thing: capture
EPCIS documents for it and read its capture jobs (contract §10). Every other route and page
refuses it, and it cannot log in.
"""

from __future__ import annotations

from dataclasses import dataclass

from reetrace.errors import Forbidden

ROLES = ("regulator", "inspector", "reviewer", "approver", "auditor", "enterprise", "capture")
STAFF = ("regulator", "inspector", "reviewer", "approver", "auditor")
CAPTURE = "capture"  # the machine account that may only capture EPCIS documents
BOUND = ("enterprise", CAPTURE)  # the roles bound to one enterprise
# what each role may change (reading is open to every role, within its tenant)
MAY = {
    "regulator": {"registry", "controls", "triage", "screening", "customs", "report_arrival", "users"},
    "inspector": {"triage"},
    "reviewer": {"review"},
    "approver": {"review"},
    "auditor": set(),
    "enterprise": {"submit", "apply", "report_arrival", "capture"},
    CAPTURE: {"capture"},
}


@dataclass(frozen=True, slots=True)
class Principal:
    username: str
    role: str
    uscc: str | None = None  # the enterprise of an enterprise user

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def captures_only(self) -> bool:
        """A capture account: every door but capturing is closed to it."""
        return self.role == CAPTURE

    def may(self, what: str) -> bool:
        return what in MAY.get(self.role, set())

    def require(self, what: str) -> None:
        if not self.may(what):
            raise Forbidden(f"{self.username} ({self.role}) may not {what.replace('_', ' ')}")

    def sees(self, uscc: str | None) -> bool:
        """Whether the principal may see data of enterprise `uscc` (None: not one enterprise's)."""
        return self.is_staff or (uscc is not None and uscc == self.uscc)

    def require_sees(self, uscc: str | None) -> None:
        if not self.sees(uscc):
            raise Forbidden(f"{self.username} may see only the data of enterprise {self.uscc}")


CHANNELS = ("api", "console", "cli")
OPERATOR = "operator"  # the role the access log gives a person at the command line


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does or reads something, and through which door: the HTTP API, the web console or
    the command line. Every access-log entry names one."""

    principal: Principal
    channel: str  # one of CHANNELS
    client: str | None = None  # the client's network address (api, console)
    os_user: str | None = None  # the operating-system user (cli)

    @classmethod
    def operator(cls, os_user: str, by: str | None = None) -> Actor:
        """Someone at the command line: direct access to the store, named by `--by` when the
        command takes it, else by the operating-system user."""
        return cls(Principal(by or os_user, OPERATOR), "cli", os_user=os_user)

    @property
    def username(self) -> str:
        return self.principal.username

    @property
    def role(self) -> str:
        return self.principal.role

    @property
    def is_staff(self) -> bool:
        return self.principal.is_staff or self.principal.role == OPERATOR


def check_role(role: str, uscc: str | None) -> None:
    from reetrace.errors import UsageError

    if role not in ROLES:
        raise UsageError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if (role in BOUND) != (uscc is not None):
        raise UsageError(
            "an enterprise user or capture account needs its enterprise's USCC (--uscc), and only they have one"
        )
