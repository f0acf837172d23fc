"""LATE_REPORT: a month's events are due by the 10th of the next month, 23:59 UTC+8."""

from datetime import UTC, date, datetime

import pytest
from builders import CST, MINE, SEP, at, codes, extract, new, one, recorded, run


def _reported(eid, when, received, reporter=MINE):
    return recorded(extract(reporter, eid, when, new(f"L-{eid}")), received_at=received)


@pytest.mark.parametrize(
    ("received", "late"),
    [
        (datetime(2026, 4, 10, 23, 59, tzinfo=CST), False),
        (datetime(2026, 4, 10, 23, 59, 59, 999000, tzinfo=CST), False),
        (datetime(2026, 4, 11, 0, 0, tzinfo=CST), True),
        (datetime(2026, 4, 10, 16, 0, tzinfo=UTC), True),  # = 2026-04-11 00:00 in Beijing
        (datetime(2026, 4, 10, 15, 59, tzinfo=UTC), False),
    ],
)
def test_the_deadline_is_the_end_of_the_tenth_in_china(received, late):
    findings = run([_reported("e1", at(14), received)])
    assert codes(findings) == (["LATE_REPORT"] if late else [])


def test_one_finding_per_enterprise_and_month():
    findings = run(
        [
            _reported("e1", at(2), datetime(2026, 4, 20, 10, 0, tzinfo=CST)),
            _reported("e2", at(20), datetime(2026, 5, 2, 8, 30, tzinfo=CST)),
            _reported("e3", at(21), datetime(2026, 4, 1, 8, 0, tzinfo=CST)),  # in time: not counted
        ]
    )
    f = one(findings, "LATE_REPORT")
    assert (f.severity, f.enterprise, f.lot, f.event, f.year) == ("low", MINE, None, None, 2026)
    assert f.evidence == {
        "month": "2026-03",
        "deadline": "2026-04-10",
        "late_events": 2,
        "last_received_at": "2026-05-02T08:30:00+08:00",
    }


def test_months_are_taken_in_china_time_and_december_is_due_in_january():
    new_year_in_beijing = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 2027-01-01 00:30 +08
    findings = run(
        [
            _reported("e1", at(30, month=12), datetime(2027, 1, 11, 9, 0, tzinfo=CST)),
            _reported("e2", new_year_in_beijing, datetime(2027, 2, 11, 9, 0, tzinfo=CST)),
        ],
        as_of=date(2027, 3, 1),
    )
    assert [(f.year, f.evidence["month"], f.evidence["deadline"]) for f in findings] == [
        (2026, "2026-12", "2027-01-10"),
        (2027, "2027-01", "2027-02-10"),
    ]


def test_late_reports_come_after_findings_about_events_ordered_by_year_and_enterprise():
    findings = run(
        [
            _reported("e1", at(1), datetime(2026, 6, 1, tzinfo=CST), reporter=SEP),
            _reported("e2", at(1, month=5), datetime(2026, 7, 1, tzinfo=CST), reporter=MINE),
            _reported("e3", at(1, month=4), datetime(2026, 6, 1, tzinfo=CST), reporter=SEP),
            recorded(extract(MINE, "dup", at(1, month=8), new("L-e1"))),  # a DUPLICATE_LOT, later in time
        ]
    )
    assert [(f.code, f.enterprise, f.evidence.get("month")) for f in findings] == [
        ("DUPLICATE_LOT", MINE, None),
        ("LATE_REPORT", MINE, "2026-05"),
        ("LATE_REPORT", SEP, "2026-03"),
        ("LATE_REPORT", SEP, "2026-04"),
    ]
