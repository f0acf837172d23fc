"""A small fraction of a national year: deterministic, streamed month by month, calibrated on the
national quotas, and audited into exactly the violations it injected.

`reetrace simulate` through the real script is in tests/e2e/test_simulate_cli.py.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from reetrace.config import Settings
from reetrace.contract.registry import validate_registry
from reetrace.contract.submission import validate_events, validate_header
from reetrace.demo.cast import Actor, make_uscc, signing_key
from reetrace.demo.documents import submission_text
from reetrace.demo.generator import control_list
from reetrace.domain.elements import reo_per_kg
from reetrace.domain.findings import CODES
from reetrace.services.audit import audit_ledger
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.simulate import simulate
from reetrace.simulate.injections import RATES
from reetrace.simulate.world import StreamingWorld
from reetrace.store.database import open_store

EVASION_CODES = (
    "ELEMENT_DIVERTED",
    "COMPOSITION_IMPLAUSIBLE",
    "RECYCLING_IMPLAUSIBLE",
    "CAPACITY_EXCEEDED",
    "LAYERED_CIRCULAR_TRADE",
)

SCALE = 0.002
YEAR = 2025


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    out = tmp_path_factory.mktemp("national")
    seen: list[tuple[int, set[str], bool]] = []

    def on_month(month: int) -> None:  # what is on disk when each month is flushed
        months = {p.name[:7] for p in (out / "submissions").rglob("*.json")}
        seen.append((month, months, (out / "registry.json").exists()))

    result = simulate(out, seed=5, scale=SCALE, year=YEAR, on_month=on_month)
    return out, result, seen


def _files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _submissions(out: Path):
    for path in sorted((out / "submissions").rglob("*.json")):
        yield path, json.loads(path.read_text(encoding="utf-8"))


def test_the_same_seed_gives_the_same_bytes_and_another_seed_another_year(year, tmp_path):
    out, result, _ = year
    simulate(tmp_path / "again", seed=5, scale=SCALE, year=YEAR)
    assert _files(out) == _files(tmp_path / "again")
    simulate(tmp_path / "other", seed=6, scale=SCALE, year=YEAR)
    assert _files(tmp_path / "other")["injected.json"] != _files(out)["injected.json"]


def test_each_month_is_on_disk_when_it_ends_and_the_registry_only_at_the_end(year):
    out, _, seen = year
    assert [month for month, _, _ in seen] == list(range(1, 13))
    for month, months, registry in seen:
        assert months == {f"{YEAR}-{m:02d}" for m in range(1, month + 1)}
        assert not registry
    assert {"registry.json", "injected.json", "summary.json"} <= {p.name for p in out.iterdir()}


def test_submissions_are_monthly_signed_and_in_the_demo_format(year):
    out, result, _ = year
    registry = json.loads((out / "registry.json").read_text(encoding="utf-8"))
    validate_registry(registry)
    known = {e["uscc"] for e in registry["enterprises"]}
    count = 0
    for path, doc in _submissions(out):
        header = validate_header(doc)
        validate_events(doc["events"], doc["reporter"])
        assert doc["reporter"] == path.parent.name and doc["reporter"] in known
        assert {e["time"][:7] for e in doc["events"]} == {path.stem}
        assert header.created_at.date() > date.fromisoformat(path.stem + "-28")
        assert path.read_text(encoding="utf-8") == submission_text(doc)  # the demo's file layout
        count += len(doc["events"])
    assert count == result.summary["events"] > 5_000


def test_quotas_add_up_to_the_national_totals_and_production_lands_near_them(year):
    out, result, _ = year
    summary = result.summary
    cal = summary["calibration"]
    assert cal["source_year"] == 2024 and cal["fallback"]
    quotas = json.loads((out / "registry.json").read_text(encoding="utf-8"))["quotas"]
    total = defaultdict(float)
    for q in quotas:
        total[q["kind"] if q["kind"] == "separation" else q["category"]] += q["tonnes_reo"]
    assert total["rock"] == pytest.approx(cal["mining_rock_t"] * SCALE, abs=1e-3)
    assert total["ion_adsorption"] == pytest.approx(cal["mining_ion_adsorption_t"] * SCALE, abs=1e-3)
    assert total["separation"] == pytest.approx(254_000 * SCALE, abs=1e-3)
    assert 0.88 <= summary["quota_fill"]["mining"] <= 0.99
    assert 0.85 <= summary["quota_fill"]["separation"] <= 0.98
    used = defaultdict(float)  # recomputed from the events themselves
    for _, doc in _submissions(out):
        for e in doc["events"]:
            if e["type"] == "extract" or (e["type"] == "transform" and e["process"] == "separation"):
                used[doc["reporter"]] += sum(o["mass_kg"] * reo_per_kg(o["composition"]) for o in e["outputs"])
    assert sum(used.values()) / 1000 == pytest.approx(
        summary["tonnes"]["mined_reo"]["total"] + summary["tonnes"]["separated_reo"], rel=1e-6
    )
    over = {i["enterprise"] for i in result.injected if i["code"] == "MINING_QUOTA_EXCEEDED"}
    for q in quotas:
        assert (used[q["uscc"]] / 1000 > q["tonnes_reo"]) == (q["uscc"] in over), q


def test_lots_downstream_of_separation_are_packaged_lots_of_at_most_a_tonne(year):
    out, _, _ = year
    masses = [
        o["mass_kg"]
        for _, doc in _submissions(out)
        for e in doc["events"]
        if e["type"] == "transform" and e["process"] != "separation"
        for o in e["outputs"]
    ]
    masses += [
        o["mass_kg"]
        for _, doc in _submissions(out)
        for e in doc["events"]
        if e["type"] == "transform" and e["process"] == "separation"
        for o in e["outputs"]
        if o["form"] == "oxide"
    ]
    assert len(masses) > 500 and max(masses) <= 1000 and 100 < sum(masses) / len(masses) < 1000


def test_the_audit_finds_every_injected_violation_and_nothing_else(year, tmp_path):
    out, result, _ = year
    injected = json.loads((out / "injected.json").read_text(encoding="utf-8"))
    assert injected == result.injected
    assert {i["code"] for i in injected} == set(RATES)  # at least one of each kind
    assert all(set(i) == {"code", "enterprise", "lot", "event", "note"} for i in injected)
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    load_registry(store, json.loads((out / "registry.json").read_text(encoding="utf-8")))
    report = ingest(store, [out / "submissions"], as_received_created_at=True)
    assert report.rejected == [] and report.events_accepted == result.summary["events"]
    findings = audit_ledger(store, Settings(), date(YEAR + 1, 1, 31))
    store.dispose()

    def matches(f, item) -> bool:
        return (
            f.code == item["code"]
            and f.enterprise == item["enterprise"]
            and item["event"] in (None, f.event)
            and (item["lot"] is None or f.lot is None or f.lot == item["lot"])  # as the demo compares
        )

    # every injection found, the evasion schemes included, and nothing else
    assert {i["code"] for i in injected} <= set(CODES) and set(EVASION_CODES) <= {i["code"] for i in injected}
    assert [i for i in injected if not any(matches(f, i) for f in findings)] == []
    assert [(f.code, f.event) for f in findings if not any(matches(f, i) for i in injected)] == []


def test_the_summary_counts_what_was_injected_and_written(year):
    out, result, _ = year
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary == result.summary
    assert summary["injected"] == {code: sum(i["code"] == code for i in result.injected) for code in RATES}
    assert summary["submissions"] == sum(1 for _ in (out / "submissions").rglob("*.json"))
    assert summary["not_injected"] == [] and set(summary["rates"]) == set(RATES)


def _tiny_world(tmp_path: Path) -> tuple[StreamingWorld, Actor]:
    uscc = make_uscc(random.Random(1), "310106")
    actor = Actor(
        "t1",
        "trader",
        uscc,
        "上海某稀土贸易有限公司",
        "Shanghai Test Trading",
        "Shanghai",
        None,
        "T1",
        None,
        0.0,
        private_key=signing_key(1, uscc),
    )
    return StreamingWorld(random.Random(1), YEAR, 1.0, [actor], control_list(), directory=tmp_path), actor


def test_the_world_keeps_a_day_only_until_it_ends_and_a_month_only_until_it_is_written(tmp_path):
    world, actor = _tiny_world(tmp_path)
    for day in (0, 1):
        world.day = day
        world.emit(actor, "adjust", lot="X-1", delta_kg=-1.0, reason="test")
        world.end_day()
        assert not world.events  # timed and set aside at the end of the day
    assert len(world.written[actor.key]) == 2
    world.flush_month(1, lambda _: False, lambda *_: None)
    assert not world.written and world.event_count == 2 and world.submission_count == 1
    doc = json.loads((tmp_path / "submissions" / actor.uscc / f"{YEAR}-01.json").read_text(encoding="utf-8"))
    assert validate_header(doc).reporter == actor.uscc and len(doc["events"]) == 2


def test_a_lot_kept_for_the_rest_of_the_year_is_counted_and_forgotten(tmp_path):
    world, actor = _tiny_world(tmp_path)
    h, _ = world.new_lot(actor, "ox_La", 900.0, {"La": 0.85})
    world.keep(actor, h)
    assert not world.holdings[actor.key] and not world.stockpiles and world.stocked_kg["ox_La"] == 900.0


def test_arguments_it_cannot_simulate_are_refused(tmp_path):
    with pytest.raises(ValueError, match="scale"):
        simulate(tmp_path, scale=0)
    with pytest.raises(ValueError, match="scale"):
        simulate(tmp_path, scale=1.5)
    with pytest.raises(ValueError, match="from 2025"):
        simulate(tmp_path, scale=0.01, year=2024)
    assert not any(tmp_path.iterdir())
