"""Findings that need the whole ledger replayed are computed in the background: the page says so
in the reader's language (and the API answers 503 with Retry-After) instead of replaying inside
the request; once the job is done the same page shows them."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import delete

from reetrace.config import Settings
from reetrace.services import dashboard, findings
from reetrace.store import tables as t
from reetrace.store.database import Store

GATE = threading.Event()


def finish_jobs() -> None:
    GATE.set()
    for job in findings.jobs():
        if job.thread is not None:
            job.thread.join(120)


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch):
    """Every ledger counts as one too large to replay in place, and a job runs only once the test
    lets it (a demo's replay would otherwise be done before the next request)."""
    monkeypatch.setattr(findings, "INLINE_EVENTS", 0)
    run = findings._run

    def held(store: Store, settings: Settings, job: findings.Job, rebuild: bool) -> None:
        GATE.wait(120)
        run(store, settings, job, rebuild)

    GATE.clear()
    monkeypatch.setattr(findings, "_run", held)
    monkeypatch.setattr(findings, "_jobs", {})  # no result of another test's job
    yield
    finish_jobs()


def test_a_page_says_the_findings_are_being_computed_then_shows_them(site, large):
    client = site.client("regulator")
    waiting = client.get("/findings")
    assert waiting.status_code == 503
    assert waiting.headers["Retry-After"] == "5"
    assert "正在计算" in waiting.text and "请稍后刷新" in waiting.text
    english = site.client("regulator")
    english.get("/language/en")
    said = english.get("/findings")
    assert said.status_code == 503 and "is being computed" in said.text
    finish_jobs()
    done = client.get("/findings")
    assert done.status_code == 200 and "正在计算" not in done.text


def test_the_api_answers_being_computed(site, large):
    client = site.client("regulator")
    waiting = client.get("/api/findings")
    assert waiting.status_code == 503
    assert waiting.json()["error"]["type"] == "being_computed"
    finish_jobs()
    assert client.get("/api/findings").status_code == 200


def test_a_small_ledger_is_replayed_in_place(site):
    # the near miss: without the fixture, the demo's ledger is small enough to answer at once
    assert site.client("regulator").get("/findings").status_code == 200


def test_the_dashboard_draws_once_its_pass_over_the_year_is_done(site, large, monkeypatch: pytest.MonkeyPatch):
    year_pass = dashboard._year_pass

    def held(*args: Any) -> dict[str, Any]:
        GATE.wait(120)
        return year_pass(*args)

    monkeypatch.setattr(dashboard, "_year_pass", held)
    monkeypatch.setattr(dashboard, "_passes", {})
    with site.store.writing() as conn:
        conn.execute(delete(t.overview_snapshots))
    client = site.client("regulator")
    client.get("/language/en")
    waiting = client.get("/")  # the findings first
    assert waiting.status_code == 503 and "is being computed" in waiting.text
    finish_jobs()
    drawing = client.get("/")  # then the pass over the year
    assert drawing.status_code == 503 and "is being computed" in drawing.text
    for thread in dashboard._passes.values():
        thread.join(120)
    assert client.get("/").status_code == 200
