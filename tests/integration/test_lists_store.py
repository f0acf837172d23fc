"""The console's lists paged by the store (services/lists.py over store/lists_repo.py), on SQLite
and PostgreSQL alike: the access log filtered, ranged, searched and sorted; a search's `%` and
`_` are text, not wildcards; the range is [start, end); the auditor's reads need the role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reetrace.domain.accounts import Actor, Principal
from reetrace.errors import Forbidden
from reetrace.services import lists
from reetrace.services.accounts import record_access

AUDITOR = Principal("aud", "auditor")


def window(**kw) -> lists.Window:
    base = {"start": None, "end": None, "q": "", "sort": "at", "descending": True, "limit": 50, "offset": 0}
    return lists.Window(**{**base, **kw})


@pytest.fixture
def logged(store):
    inspector = Actor(Principal("insp", "inspector"), "console", "127.0.0.1")
    regulator = Actor(Principal("reg", "regulator"), "console", "127.0.0.1")
    record_access(store, inspector, "read", "GET /findings", "91110000MA0000001L", "q=100%25_off")
    record_access(store, inspector, "read", "GET /findings", None, "q=100x off")
    record_access(store, regulator, "read", "GET /review", None, None)
    return store


def test_filters_combine_and_the_total_counts_all_that_match(logged):
    rows, total = lists.access_entries(logged, AUDITOR, "insp", None, None, window(limit=1))
    assert total == 2 and len(rows) == 1 and rows[0].username == "insp"
    rows, total = lists.access_entries(logged, AUDITOR, "insp", "91110000MA0000001L", "read", window())
    assert total == 1
    assert lists.access_entries(logged, AUDITOR, "insp", None, "change", window())[1] == 0


def test_a_search_takes_percent_and_underscore_as_text(logged):
    assert lists.access_entries(logged, AUDITOR, None, None, None, window(q="%25_"))[1] == 1
    assert lists.access_entries(logged, AUDITOR, None, None, None, window(q="100x off"))[1] == 1
    assert lists.access_entries(logged, AUDITOR, None, None, None, window(q="100x_off"))[1] == 0  # not a wildcard
    assert lists.access_entries(logged, AUDITOR, None, None, None, window(q="REVIEW"))[1] == 1  # any case


def test_the_range_is_start_inclusive_end_exclusive(logged):
    now = datetime.now(UTC)
    assert lists.access_entries(logged, AUDITOR, None, None, None, window(start=now - timedelta(hours=1)))[1] == 3
    assert lists.access_entries(logged, AUDITOR, None, None, None, window(start=now + timedelta(hours=1)))[1] == 0
    assert lists.access_entries(logged, AUDITOR, None, None, None, window(end=now - timedelta(hours=1)))[1] == 0


def test_sorted_by_user_then_newest_first_and_paged(logged):
    rows, _ = lists.access_entries(logged, AUDITOR, None, None, None, window(sort="user", descending=False))
    assert [r.username for r in rows] == ["insp", "insp", "reg"]
    assert rows[0].id > rows[1].id
    second, total = lists.access_entries(
        logged, AUDITOR, None, None, None, window(sort="user", descending=False, limit=1, offset=2)
    )
    assert total == 3 and [r.username for r in second] == ["reg"]


def test_only_auditors_and_regulators_read_the_audit_records(logged):
    for role in ("inspector", "reviewer", "approver"):
        with pytest.raises(Forbidden):
            lists.access_entries(logged, Principal("x", role), None, None, None, window())
        with pytest.raises(Forbidden):
            lists.log_state(logged, Principal("x", role))
    state = lists.log_state(logged, Principal("r", "regulator"))
    assert (state.size, list(state.checkpoints), state.checkpoint_total) == (0, [], 0)
    assert not state.latest_covers_all  # no checkpoint: nothing is covered


def test_an_enterprises_lists_hold_only_its_own(logged):
    rows, total = lists.submissions(logged, "91110000MA0000001L", window(sort="received"))
    assert (rows, total) == ([], 0)
    rows, total = lists.rejections(logged, "91110000MA0000001L", None, window(sort="received"))
    assert (rows, total) == ([], 0)
