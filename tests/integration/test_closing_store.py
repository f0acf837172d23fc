"""Years that close, on a real store (SQLite and PostgreSQL): two demo years, 2025 closed; the
audit of 2026 starts from its opening and finds what the replay of the whole ledger finds; a late
report for 2025 reopens it; `verify_year` replays the year and catches a changed opening."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import update

from reetrace.config import Settings
from reetrace.demo import generate, write
from reetrace.domain import closing as domain
from reetrace.domain.accounts import Actor
from reetrace.services import closing
from reetrace.services.audit import findings_document, replay_ledger
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store import tables as t
from reetrace.store.chains import CHAINED

SETTINGS = Settings()
AS_OF = date(2027, 1, 31)
ACTOR = Actor.operator("tester")


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    root = tmp_path_factory.mktemp("two-years")
    years = []
    for year in (2025, 2026):
        demo = generate(seed=11, scale=0.2, year=year)
        write(demo, root / str(year))
        years.append((demo, sorted((root / str(year) / "submissions").rglob("*.json"))))
    return years


def _audit(store, from_closed_years: bool) -> str:
    with store.reading() as conn:
        keyed = replay_ledger(conn, SETTINGS, AS_OF, from_closed_years=from_closed_years)
    return json.dumps(findings_document([f for _, f in keyed], AS_OF), sort_keys=True)


def _opening(store):
    with store.reading() as conn:
        known = closing.sources(conn, SETTINGS, AS_OF)
        return closing.opening_for(conn, SETTINGS, AS_OF, known)


def test_a_closed_year_gives_the_findings_of_the_whole_replay_until_a_late_report_reopens_it(store, two_years):
    (first, first_files), (second, second_files) = two_years
    held_back = next(f for f in first_files if f.name == "2025-11.json")  # a report that comes late
    for demo in (first, second):
        load_registry(store, demo.registry)
    ingest(store, [f for f in first_files if f != held_back] + second_files, as_received_created_at=True)

    expected = _audit(store, from_closed_years=False)
    assert json.loads(expected)["findings"], "the demo years hold findings to compare"
    with pytest.raises(Exception, match="at the earliest"):
        closing.close_year(store, SETTINGS, 2025, date(2026, 1, 2), ACTOR)
    closed = closing.close_year(store, SETTINGS, 2025, date(2026, 8, 15), ACTOR)
    assert closed.events > 0 and closed.started_from is None

    usable = _opening(store)
    assert usable.opening is not None and usable.opening.year == 2025
    assert _audit(store, from_closed_years=True) == expected
    assert closing.verify_year(store, SETTINGS, 2025).ok

    # the closing is chained: its digest is signed with the next checkpoint's chain heads
    assert "year_closings" in CHAINED

    ingest(store, [held_back], as_received_created_at=True)
    reopened = _opening(store)
    assert reopened.opening is None
    assert "reopened" in reopened.reasons[0]
    assert _audit(store, from_closed_years=True) == _audit(store, from_closed_years=False)
    check = closing.verify_year(store, SETTINGS, 2025)
    assert not check.ok and "reopened" in check.problems[0]

    again = closing.close_year(store, SETTINGS, 2025, date(2026, 8, 15), ACTOR)
    assert again.events == closed.events + sum(1 for _ in json.loads(held_back.read_text())["events"])
    assert _opening(store).opening is not None
    assert _audit(store, from_closed_years=True) == _audit(store, from_closed_years=False)


def test_a_changed_opening_is_caught(store, two_years):
    (first, first_files), _ = two_years
    load_registry(store, first.registry)
    ingest(store, first_files, as_received_created_at=True)
    closing.close_year(store, SETTINGS, 2025, date(2026, 8, 15), ACTOR)
    assert closing.verify_year(store, SETTINGS, 2025).ok
    with store.reading() as conn:
        opening = closing.opening_for(conn, SETTINGS, AS_OF, closing.sources(conn, SETTINGS, AS_OF)).opening
    assert opening is not None
    opening.ledger.lots.live.popitem()  # one lot fewer: another state, stored in place of the real one
    with store.writing() as conn:
        conn.execute(update(t.year_closing_parts).values(data=domain.dump(opening)))
    check = closing.verify_year(store, SETTINGS, 2025)
    assert not check.ok and "not the one its record signs" in check.problems[0]
