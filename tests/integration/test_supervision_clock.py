"""The supervised findings moved forward in time equal a full audit as of each day: a demo year
with its customs declarations, supervised as of a day in November, then moved a day at a time
into the next year without any submission (receipt windows close, arrival reports fall due and
count the days, events dated ahead and declarations enter the audit), and by a jump of weeks;
and after registry changes, a license issued, an arrival reported and a customs load."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from reetrace.cli import demo_steps
from reetrace.config import Settings
from reetrace.demo import generate, write
from reetrace.errors import Computing
from reetrace.services import findings, supervision, supervision_changes
from reetrace.services.audit import audit_ledger
from reetrace.services.customs import load_declarations, report_arrival
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.services.supervision_clock import advance
from reetrace.store import tables as t
from reetrace.store.database import Store, open_store
from reetrace.store.supervision_repo import event_count, load_state, mark_stale
from stores import fresh_store_url

YEAR = 2025
SEED = 7


@pytest.fixture(scope="module")
def demo_year(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("clock")
    year = generate(seed=SEED, scale=0.3, year=YEAR)
    write(year, folder)
    reference = open_store(f"sqlite:///{folder / 'reference.db'}")
    load_registry(reference, year.registry)
    ingest(reference, [folder / "submissions"], as_received_created_at=True)
    demo_steps.customs_step(reference, Settings(), folder / "customs", YEAR, SEED, date(YEAR + 1, 1, 31))
    reference.dispose()
    return year, folder, (folder / "customs" / "declarations.csv").read_bytes()


def contract(found):
    return [f.as_contract() for f in found]


def issued_here(store: Store) -> list[str]:
    """Half the demo's licenses taken as issued here, so that their exports owe arrival reports."""
    with store.writing() as conn:
        numbers = sorted(conn.scalars(t.licenses.select().with_only_columns(t.licenses.c.license_no)))[::2]
        conn.execute(update(t.licenses).where(t.licenses.c.license_no.in_(numbers)).values(source="review"))
    return numbers


def stocked(year, folder: Path, url: str, declarations: bytes, settings: Settings) -> Store:
    store = open_store(url)
    load_registry(store, year.registry)
    load_declarations(
        store, declarations, "declarations.csv", "customs", start=date(YEAR, 1, 1), end=date(YEAR, 12, 31)
    )
    ingest(store, [folder / "submissions"], as_received_created_at=True, settings=settings)
    issued_here(store)
    return store


def same_as_full(store: Store, settings: Settings, day: date) -> list:
    kept = findings.current(store, settings, day, now=day)
    with store.reading() as conn:
        state = load_state(conn)
    assert state is not None and state.as_of == day and not state.stale
    full = audit_ledger(store, settings, day, full=True)
    assert contract(kept) == contract(full), f"as of {day}"
    return kept


def test_moving_the_date_day_by_day_equals_a_full_audit_each_day(demo_year, tmp_path: Path):
    year, folder, declarations = demo_year
    with fresh_store_url(tmp_path / "store.db") as url:
        settings = Settings(db_url=url)
        store = stocked(year, folder, url, declarations, settings)
        try:
            start = date(YEAR, 11, 20)
            supervision.start(store, settings, start)
            codes: dict[date, set[str]] = {}
            day = start
            replayed = 0
            while day < date(YEAR + 1, 1, 6):
                day += timedelta(days=1)
                with store.writing() as conn:
                    moved = advance(conn, settings, day)
                assert moved is not None and not moved.stale
                replayed += moved.replayed
                codes[day] = {f.code for f in same_as_full(store, settings, day)}
            # a jump of weeks at once, served by the one reader
            same_as_full(store, settings, date(YEAR + 1, 3, 1))
            with store.reading() as conn:
                events = event_count(conn)
        finally:
            store.dispose()
    # time alone changed something: receipt windows closed, arrivals fell due
    every = set().union(*codes.values())
    assert {"SHIPMENT_NOT_RECEIVED", "ARRIVAL_NOT_REPORTED"} <= every
    assert "ARRIVAL_NOT_REPORTED" not in codes[date(YEAR, 11, 21)] or len(codes) > 1
    # and it was found without replaying the ledger every day
    assert replayed < len(codes) * events / 4


def test_a_date_already_passed_is_not_moved_back(demo_year, tmp_path: Path):
    year, folder, declarations = demo_year
    with fresh_store_url(tmp_path / "store.db") as url:
        settings = Settings(db_url=url)
        store = stocked(year, folder, url, declarations, settings)
        try:
            supervision.start(store, settings, date(YEAR, 12, 31))
            with store.writing() as conn:
                assert advance(conn, settings, date(YEAR, 12, 31)) is None
                assert advance(conn, settings, date(YEAR, 12, 1)) is None
            # an earlier date is computed from the ledger (a small one, in place), the kept findings untouched
            earlier = findings.current(store, settings, date(YEAR, 12, 1), now=date(YEAR, 12, 31))
            assert contract(earlier) == contract(audit_ledger(store, settings, date(YEAR, 12, 1), full=True))
            with store.reading() as conn:
                state = load_state(conn)
            assert state is not None and state.as_of == date(YEAR, 12, 31)
        finally:
            store.dispose()


def test_changes_besides_the_ledger_update_what_they_touch(demo_year, tmp_path: Path):
    year, folder, declarations = demo_year
    day = date(YEAR + 1, 1, 31)
    with fresh_store_url(tmp_path / "store.db") as url:
        settings = Settings(db_url=url)
        store = open_store(url)
        try:
            load_registry(store, year.registry)
            ingest(store, [folder / "submissions"], as_received_created_at=True, settings=settings)
            supervision.start(store, settings, day)
            # customs declarations loaded: no longer stale, equal to a full audit
            load_declarations(
                store, declarations, "declarations.csv", "customs", start=date(YEAR, 1, 1), end=date(YEAR, 12, 31)
            )
            same_as_full(store, settings, day)
            # a registry load that lowers quotas and changes licenses and a qualification
            doc = year.registry
            quotas = [dict(q, tonnes_reo=q["tonnes_reo"] / 3) for q in doc["quotas"]]
            licenses = [dict(lic, valid_to=f"{YEAR}-06-30") for lic in doc["licenses"][:3]]
            enterprises = [dict(e, qualifications=[]) for e in doc["enterprises"][:2]]
            load_registry(store, {**doc, "quotas": quotas, "licenses": licenses, "enterprises": enterprises})
            after = same_as_full(store, settings, day)
            assert {"MINING_QUOTA_EXCEEDED", "UNAUTHORIZED_MINING"} & {f.code for f in after}
            # exports under licenses now issued here owe arrival reports; one is reported, late
            issued = issued_here(store)
            with store.writing() as conn:
                supervision_changes.licenses_changed(conn, settings, issued)
            found = same_as_full(store, settings, day)
            overdue = [f for f in found if f.code == "ARRIVAL_NOT_REPORTED"]
            assert overdue
            report_arrival(
                store,
                settings,
                overdue[0].event or "",
                date(YEAR, 12, 1),
                "customs",
                now=datetime(YEAR + 1, 1, 20, tzinfo=UTC),
            )
            again = same_as_full(store, settings, day)
            # reported before the date audited: no longer a finding
            assert not [f for f in again if f.code == "ARRIVAL_NOT_REPORTED" and f.event == overdue[0].event]
            assert len([f for f in again if f.code == "ARRIVAL_NOT_REPORTED"]) == len(overdue) - 1
            with store.reading() as conn:
                state = load_state(conn)
            assert state is not None and not state.stale
        finally:
            store.dispose()


def test_the_reader_starts_a_background_job_when_the_kept_findings_do_not_hold(demo_year, tmp_path: Path, monkeypatch):
    year, folder, declarations = demo_year
    monkeypatch.setattr(findings, "INLINE_EVENTS", 0)
    with fresh_store_url(tmp_path / "store.db") as url:
        settings = Settings(db_url=url)
        store = stocked(year, folder, url, declarations, settings)
        try:
            day = date(YEAR + 1, 1, 31)
            supervision.start(store, settings, day)
            other = dataclasses.replace(
                settings, thresholds=dataclasses.replace(settings.thresholds, shipment_receipt_days=20)
            )
            with pytest.raises(Computing) as computing:
                findings.current(store, other, day, now=day)
            assert computing.value.total > 0
            for job in findings.jobs():
                if job.thread is not None:
                    job.thread.join(120)
            assert contract(findings.current(store, other, day, now=day)) == contract(
                audit_ledger(store, other, day, full=True)
            )
        finally:
            store.dispose()


def test_a_rebuild_takes_in_what_arrived_while_it_replayed_and_gives_way_to_a_change(
    demo_year, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    year, folder, declarations = demo_year
    day = date(YEAR + 1, 1, 31)
    files = sorted((folder / "submissions").rglob("*.json"))
    held_back, rest = files[-3:], files[:-3]
    with fresh_store_url(tmp_path / "store.db") as url:
        settings = Settings(db_url=url)
        store = open_store(url)
        try:
            load_registry(store, year.registry)
            ingest(store, rest, as_received_created_at=True, settings=settings)
            supervision.start(store, settings, day)
            with store.writing() as conn:
                mark_stale(conn)  # as after a bulk load
            replay = supervision_changes.replay_ledger

            def arriving(conn, settings_, as_of, progress=None):  # submissions arrive during the replay
                found = replay(conn, settings_, as_of, progress)
                ingest(store, held_back, as_received_created_at=True, settings=settings)
                return found

            monkeypatch.setattr(supervision_changes, "replay_ledger", arriving)
            assert supervision_changes.rebuild(store, settings, day)
            same_as_full(store, settings, day)

            # the near miss: a change besides the ledger while it replays leaves the findings stale
            with store.writing() as conn:
                mark_stale(conn)

            def changing(conn, settings_, as_of, progress=None):
                found = replay(conn, settings_, as_of, progress)
                load_registry(store, year.registry, settings=settings)
                return found

            monkeypatch.setattr(supervision_changes, "replay_ledger", changing)
            assert not supervision_changes.rebuild(store, settings, day)
            with store.reading() as conn:
                state = load_state(conn)
            assert state is not None and state.stale
        finally:
            store.dispose()
