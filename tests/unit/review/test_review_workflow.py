"""The review workflow: allowed steps, separation of duties, reasons, the clock's pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reetrace.domain.clock import Pause
from reetrace.domain.workflow import (
    Official,
    ReviewStep,
    check_step,
    cleared_hits,
    pauses,
    state_of,
)
from reetrace.errors import InvalidInput

EXPORTER = "91350200MA2XN8J41A"
REVIEWER = Official("Wang Li", ("reviewer",))
SECOND_REVIEWER = Official("Zhao Min", ("reviewer", "approver"))
APPROVER = Official("Chen Jie", ("approver",))
SECONDED = Official("Lin Tao", ("reviewer", "approver"), EXPORTER)


def _at(day: int) -> datetime:
    return datetime(2026, 10, day, 2, 0, tzinfo=UTC)


def _do(
    steps: list[ReviewStep],
    action: str,
    who: Official | None,
    day: int,
    why: str = "because",
    applicant: str | None = None,
    detail: dict | None = None,
) -> list[ReviewStep]:
    state = check_step(action, steps, EXPORTER, official=who, applicant=applicant, why=why)
    return steps + [ReviewStep(action, who.name if who else f"clerk@{applicant}", _at(day), why, state, detail or {})]


def test_the_happy_path_and_its_states():
    steps = _do([], "accept", REVIEWER, 1)
    steps = _do(steps, "start", REVIEWER, 2)
    steps = _do(steps, "request_info", REVIEWER, 3, "end-user certificate is unsigned")
    assert state_of(steps) == "info_requested"
    steps = _do(steps, "provide_info", None, 9, "signed copy", applicant=EXPORTER)
    steps = _do(steps, "approve", APPROVER, 12, "provenance legal, parties clear")
    assert state_of(steps) == "approved"
    assert pauses(steps, lambda m: m.date()) == [Pause(date(2026, 10, 3), date(2026, 10, 9))]


def test_steps_out_of_order_are_refused():
    with pytest.raises(InvalidInput, match="cannot approve an application that is submitted"):
        _do([], "approve", APPROVER, 1)
    steps = _do([], "accept", REVIEWER, 1)
    with pytest.raises(InvalidInput, match="cannot request info"):
        _do(steps, "request_info", REVIEWER, 2)


def test_the_reviewer_is_not_the_approver():
    steps = _do(_do([], "accept", SECOND_REVIEWER, 1), "start", REVIEWER, 2)
    with pytest.raises(InvalidInput, match="reviewed this application"):
        _do(steps, "approve", SECOND_REVIEWER, 3)
    assert state_of(_do(steps, "approve", APPROVER, 3)) == "approved"


def test_roles_are_checked():
    with pytest.raises(InvalidInput, match="does not hold the reviewer role"):
        _do([], "accept", APPROVER, 1)
    steps = _do(_do([], "accept", REVIEWER, 1), "start", REVIEWER, 2)
    with pytest.raises(InvalidInput, match="does not hold the approver role"):
        _do(steps, "approve", REVIEWER, 3)


def test_nobody_handles_an_application_of_their_own_enterprise():
    with pytest.raises(InvalidInput, match="belongs to the exporter"):
        _do([], "accept", SECONDED, 1)


def test_only_the_exporter_answers_or_withdraws():
    steps = _do(_do(_do([], "accept", REVIEWER, 1), "start", REVIEWER, 2), "request_info", REVIEWER, 3, "more")
    with pytest.raises(InvalidInput, match="only the exporter"):
        _do(steps, "provide_info", None, 4, applicant="91110000100000000W")
    assert state_of(_do(steps, "withdraw", None, 4, applicant=EXPORTER)) == "withdrawn"


def test_decisions_and_requests_need_a_reason():
    steps = _do(_do([], "accept", REVIEWER, 1), "start", REVIEWER, 2)
    for action, who in (("deny", APPROVER), ("request_info", REVIEWER), ("approve", APPROVER)):
        with pytest.raises(InvalidInput, match="needs a reason"):
            _do(steps, action, who, 3, why="  ")


def test_cleared_hits_are_read_from_the_steps():
    steps = _do(
        _do([], "accept", REVIEWER, 1), "clear_hit", REVIEWER, 2, "different address", detail={"hit": "us_entity:Q1"}
    )
    assert cleared_hits(steps) == {"us_entity:Q1"}
    assert state_of(steps) == "accepted"
