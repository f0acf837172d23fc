"""The review of a license application: its states, who may take which step, and the clock.

    submitted ─accept─▶ accepted ─start─▶ under_review ─approve─▶ approved
        │                  │                  │   ▲       └─deny──▶ denied
     decline            deny              request  provide
        ▼                                   info    info
    not_accepted                              ▼   │
                                          info_requested   (the clock stops)

Separation of duties: reviewers accept, review, ask for information and clear screening hits;
approvers approve or deny; whoever took a reviewer's step on an application does not decide it,
and nobody handles an application of their own enterprise. The applicant answers requests and
may withdraw. Steps are only ever appended; the state is what the steps say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from reetrace.domain.clock import Pause
from reetrace.errors import InvalidInput

OPEN = ("submitted", "accepted", "under_review", "info_requested")
CLOSED = ("approved", "denied", "not_accepted", "withdrawn")

# action -> (states it may be taken in, state after (None: unchanged), who takes it)
ACTIONS: dict[str, tuple[tuple[str, ...], str | None, str]] = {
    "accept": (("submitted",), "accepted", "reviewer"),
    "decline": (("submitted",), "not_accepted", "reviewer"),
    "start": (("accepted",), "under_review", "reviewer"),
    "request_info": (("under_review",), "info_requested", "reviewer"),
    "clear_hit": (("accepted", "under_review", "info_requested"), None, "reviewer"),
    "provide_info": (("info_requested",), "under_review", "applicant"),
    "approve": (("under_review",), "approved", "approver"),
    "deny": (("accepted", "under_review", "info_requested"), "denied", "approver"),
    "withdraw": (OPEN, "withdrawn", "applicant"),
}
REVIEWER_ACTIONS = tuple(a for a, (_, _, role) in ACTIONS.items() if role == "reviewer")
ROLES = ("reviewer", "approver")


@dataclass(frozen=True, slots=True)
class Official:
    """A person of the licensing authority, with the roles they hold and, if they come from an
    enterprise (a seconded expert, say), that enterprise."""

    name: str
    roles: tuple[str, ...]
    enterprise: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewStep:
    action: str
    by: str
    at: datetime
    why: str
    state: str  # the state after the step
    detail: dict[str, Any] = field(default_factory=dict)


def state_of(steps: Sequence[ReviewStep]) -> str:
    return steps[-1].state if steps else "submitted"


def check_step(
    action: str,
    steps: Sequence[ReviewStep],
    exporter: str,
    *,
    official: Official | None = None,
    applicant: str | None = None,
    why: str = "",
) -> str:
    """The state after `action`, or InvalidInput saying why the step may not be taken.

    An official's step needs `official`; an applicant's step needs `applicant` (the USCC the
    person acts for)."""
    if action not in ACTIONS:
        raise InvalidInput(f"unknown step {action!r}; steps: {', '.join(ACTIONS)}", message_id="error.step.unknown")
    allowed_in, after, role = ACTIONS[action]
    state = state_of(steps)
    if state not in allowed_in:
        raise InvalidInput(
            f"cannot {action.replace('_', ' ')} an application that is {state.replace('_', ' ')}",
            message_id="error.step.not_in_state",
            params={"step": action, "application_state": state},
        )
    if role == "applicant":
        if applicant != exporter:
            raise InvalidInput(
                f"only the exporter {exporter} may {action.replace('_', ' ')}",
                message_id="error.step.exporters",
                params={"step": action},
            )
    else:
        if official is None:
            raise InvalidInput(
                f"{action.replace('_', ' ')} is an official's step",
                message_id="error.step.officials",
                params={"step": action},
            )
        if role not in official.roles:
            raise InvalidInput(
                f"{official.name} does not hold the {role} role (roles: {', '.join(official.roles) or 'none'})",
                message_id="error.step.role",
                params={"official": official.name, "role": role},
            )
        if official.enterprise == exporter:
            raise InvalidInput(
                f"{official.name} belongs to the exporter {exporter} and may not handle its application",
                message_id="error.step.own_enterprise",
                params={"official": official.name},
            )
        if role == "approver":
            reviewed = [s for s in steps if s.by == official.name and s.action in REVIEWER_ACTIONS]
            if reviewed:
                raise InvalidInput(
                    f"{official.name} reviewed this application ({reviewed[0].action.replace('_', ' ')} "
                    f"on {reviewed[0].at.date()}) and may not also decide it",
                    message_id="error.step.reviewed",
                    params={"official": official.name},
                )
        elif any(s.by == official.name and ACTIONS[s.action][2] == "approver" for s in steps):
            raise InvalidInput(
                f"{official.name} decided on this application and may not review it",
                message_id="error.step.decided",
                params={"official": official.name},
            )
    if action in ("decline", "request_info", "clear_hit", "approve", "deny") and not why.strip():
        raise InvalidInput(
            f"{action.replace('_', ' ')} needs a reason (--why)",
            message_id="error.step.why_needed",
            params={"step": action},
        )
    return after or state


def accepted_on(steps: Sequence[ReviewStep], zone_date) -> date | None:
    """The day the application was accepted (the clock starts the day after)."""
    return next((zone_date(s.at) for s in steps if s.action == "accept"), None)


def pauses(steps: Sequence[ReviewStep], zone_date) -> list[Pause]:
    """The periods the clock stood still: from each request for information to its answer."""
    found: list[Pause] = []
    start: date | None = None
    for s in steps:
        if s.action == "request_info":
            start = zone_date(s.at)
        elif s.action == "provide_info" and start is not None:
            found.append(Pause(start, zone_date(s.at)))
            start = None
    if start is not None:
        found.append(Pause(start, None))
    return found


def cleared_hits(steps: Sequence[ReviewStep]) -> set[str]:
    """Screening hits a reviewer has judged to be another party ("<list>:<entity>")."""
    return {s.detail["hit"] for s in steps if s.action == "clear_hit" and "hit" in s.detail}
