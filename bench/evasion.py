"""Evasion benchmark: how much of each evasion scheme the audit finds, how often it cries wolf,
what it costs, and where the risk view puts the violators.

    python bench/evasion.py [--scale national] [--year 2025] [--evasion-rate R] [--rounds 3]
                            [--data DIR [--store DB]] [--keep DIR]

A year is simulated with every scheme injected (`reetrace simulate`, its `injected.json` says
where; `--evasion-rate` injects the five schemes at that many times their usual rates, for a
recall measured on a hundred cases or more; `--data` takes one already simulated, `--store` its
SQLite store already loaded), loaded into a fresh SQLite store and audited in the same run, on
the same store, as of 31 January of the next year:

- with every rule (the five codes of CONTRACT §12 included);
- the baseline: the same replay with the evasion rules switched off (the composition, capacity
  and descent rules left out, and no element judged for diversion) — what the earlier rules
  catch of the same schemes, by any finding naming the scheme's event or lot.

Printed per code: injected, found by its own code (recall), found by the baseline, false alerts
(findings of the code that name no injection) and the enterprises the code examines, with the
false alerts' share of them. Then the two audits' times: each run `--rounds` times in a fresh
process, the two in turn and each first every other round, wall and CPU seconds; the goal is
judged on the median of the rounds' ratios, which a shared machine's slow drift in speed
disturbs least (the spread and the fastest runs are printed beside it). Then the risk view: the share of the
injected violators (enterprises) with a month in the view's top 5 %, scored with findings and,
beside it, by the figures against their peers alone.

Goals (issue 14): recall ≥ 99 % per code, false alerts ≤ 1 % of the enterprises examined, the
full audit within 10 % of the baseline's time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import select

from reetrace.config import Settings
from reetrace.domain import audit as audit_module
from reetrace.domain.findings import Finding
from reetrace.domain.risk import rank
from reetrace.domain.rules import Capacity, Composition, Descent
from reetrace.services.audit import replay_ledger
from reetrace.services.risk import capacities
from reetrace.simulate.injections import EVASION
from reetrace.store import tables as t
from reetrace.store.database import open_store
from reetrace.store.registry_repo import load_registry
from reetrace.store.risk_repo import input_elements, output_elements

REETRACE = str(Path(sys.executable).with_name("reetrace"))
EVASION_RULES = (Composition, Capacity, Descent)


def run(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run([REETRACE, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"reetrace {' '.join(args)} failed:\n{done.stderr[-3000:]}")


def matches(f: Finding, item: dict[str, Any]) -> bool:
    """A finding of the injection's code about its enterprise and event (and lot, when both name one)."""
    return (
        f.code == item["code"]
        and f.enterprise == item["enterprise"]
        and item.get("event") in (None, f.event)
        and (item.get("lot") is None or f.lot is None or f.lot == item["lot"])
    )


def named(f: Finding, item: dict[str, Any]) -> bool:
    """Any finding naming the injection's event or lot: what the baseline may have caught it by."""
    return (item.get("event") is not None and f.event == item["event"]) or (
        item.get("lot") is not None and f.lot == item["lot"]
    )


def audit(store: Any, settings: Settings, as_of: date, baseline: bool = False) -> list[Finding]:
    """The full audit, or the baseline's: the evasion rules switched off."""
    every_rule = audit_module.RULES
    if baseline:
        audit_module.RULES = tuple(r for r in every_rule if r not in EVASION_RULES)
        settings = baseline_settings(settings)
    try:
        with store.reading() as conn:
            return [finding for _, finding in replay_ledger(conn, settings, as_of)]
    finally:
        audit_module.RULES = every_rule


def time_one(db_url: str, as_of: date, baseline: bool) -> None:
    """One audit in this (fresh) process, its wall and CPU seconds printed as JSON."""
    settings, store = Settings(db_url=db_url), open_store(db_url)
    wall, cpu = time.perf_counter(), time.process_time()
    found = audit(store, settings, as_of, baseline)
    print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "findings": len(found)}))


def timed(db_url: str, as_of: date, baseline: bool) -> dict[str, float]:
    mode = "baseline" if baseline else "full"
    done = subprocess.run(
        [sys.executable, __file__, "--time-one", mode, "--db-url", db_url, "--as-of", as_of.isoformat()],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"the timed {mode} audit failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def audit_times(db_url: str, as_of: date, rounds: int) -> dict[str, list[dict[str, float]]]:
    """Each audit `rounds` times, each run in a fresh process, the two in turn and each first
    every other round: a shared machine's drift and a process's warm-up fall on both alike."""
    times: dict[str, list[dict[str, float]]] = {"full": [], "baseline": []}
    for n in range(rounds):
        order = (False, True) if n % 2 == 0 else (True, False)
        for baseline in order:
            times["baseline" if baseline else "full"].append(timed(db_url, as_of, baseline))
    return times


def baseline_settings(settings: Settings) -> Settings:
    """The same thresholds with no element judged for diversion (the balance rule's part of §12)."""
    from dataclasses import replace

    return replace(settings, thresholds=replace(settings.thresholds, diverted_elements=()))


def examined(store: Any) -> dict[str, set[str]]:
    """The enterprises each code examines: those with transforms (diversion), extractions
    (composition), recycling runs, a registered capacity, receipts (layered trade)."""
    seen: dict[str, set[str]] = defaultdict(set)
    with store.reading() as conn:
        for reporter, kind, body in conn.execute(
            select(t.events.c.reporter, t.events.c.type, t.events.c.body).where(
                t.events.c.type.in_(("extract", "transform", "receive"))
            )
        ):
            if kind == "extract":
                seen["COMPOSITION_IMPLAUSIBLE"].add(reporter)
            elif kind == "receive":
                seen["LAYERED_CIRCULAR_TRADE"].add(reporter)
            else:
                seen["ELEMENT_DIVERTED"].add(reporter)
                if '"process":"recycling"' in body:
                    seen["RECYCLING_IMPLAUSIBLE"].add(reporter)
        seen["CAPACITY_EXCEEDED"] = set(capacities(load_registry(conn)))
    return seen


def top_share(rows: list[Any], violators: set[str]) -> tuple[int, int]:
    """How many of `violators` have a month in the top 5 % of `rows` (ranked, best first)."""
    cut = max(1, round(len(rows) * 0.05))
    top = {r.enterprise for r in rows[:cut]}
    return len(violators & top), len(violators)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="national", help="simulate's --scale (default: national)")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--evasion-rate", default="1", help="simulate's --evasion-rate (default: 1)")
    parser.add_argument("--data", type=Path, help="a year already simulated (its directory)")
    parser.add_argument("--keep", type=Path, help="keep the simulated year and the store here")
    parser.add_argument("--store", type=Path, help="the SQLite store --data is already loaded in")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each audit (default: 3; 0: not timed)")
    parser.add_argument("--time-one", choices=("full", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    parser.add_argument("--as-of", type=date.fromisoformat, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_one:
        time_one(args.db_url, args.as_of, args.time_one == "baseline")
        return 0

    if args.store and not args.data:
        parser.error("--store needs --data: the year it holds")
    work = args.keep or Path(tempfile.mkdtemp(prefix="reetrace-evasion-"))
    work.mkdir(parents=True, exist_ok=True)
    data = args.data or work / "year"
    db = args.store or work / "evasion.db"
    if not args.store and db.exists():
        db.unlink()
    env = {**os.environ, "REETRACE_DB": f"sqlite:///{db}"}
    began = time.perf_counter()
    if args.store:
        print(f"year {args.year} from {data}, loaded in {db}")
    elif args.data is None:
        year, seed = str(args.year), str(args.seed)
        rate = ("--evasion-rate", args.evasion_rate)
        run("simulate", "--year", year, "--scale", args.scale, "--seed", seed, *rate, "--out", str(data), env=env)
    if not args.store:
        run("registry", "load", str(data / "registry.json"), env=env)
        run("ingest", "--as-received", "created_at", str(data / "submissions"), env=env)
        print(f"year {args.year} simulated (scale {args.scale}) and ingested in {time.perf_counter() - began:.0f} s")

    settings, store = Settings(db_url=env["REETRACE_DB"]), open_store(env["REETRACE_DB"])
    as_of = date(args.year + 1, 1, 31)
    with store.reading() as conn:
        events = conn.execute(select(t.events.c.seq).order_by(t.events.c.seq.desc()).limit(1)).scalar() or 0
    injected = json.loads((data / "injected.json").read_text(encoding="utf-8"))

    found = audit(store, settings, as_of)
    base = audit(store, settings, as_of, baseline=True)
    assert not any(f.code in EVASION for f in base), "the baseline still ran an evasion rule"

    scope = examined(store)
    print(f"\n{events:,} events, {len(found):,} findings ({len(base):,} in the baseline), as of {as_of}")
    head = ("code", "injected", "found", "recall", "baseline", "false", "examined", "false %")
    print(f"{head[0]:<26}" + "".join(f"{h:>{w}}" for h, w in zip(head[1:], (9, 7, 9, 10, 7, 10, 9), strict=True)))
    worst_recall, worst_false = 1.0, 0.0
    for code in EVASION:
        items = [i for i in injected if i["code"] == code]
        hit = sum(any(matches(f, i) for f in found) for i in items)
        caught_before = sum(any(named(f, i) for f in base) for i in items)
        false = [f for f in found if f.code == code and not any(matches(f, i) for i in items)]
        false_enterprises = {f.enterprise for f in false}
        pool = len(scope.get(code, ())) or 1
        recall = hit / len(items) if items else float("nan")
        worst_recall = min(worst_recall, recall) if items else worst_recall
        worst_false = max(worst_false, len(false_enterprises) / pool)
        print(
            f"{code:<26}{len(items):>9}{hit:>7}{recall:>9.1%}{caught_before:>10}{len(false):>7}{pool:>10}"
            f"{len(false_enterprises) / pool:>9.2%}"
        )
    times = audit_times(env["REETRACE_DB"], as_of, args.rounds) if args.rounds > 0 else {}
    if times:
        print(f"\nfull audit, {args.rounds} rounds (each audit in a fresh process, the two in turn), seconds:")
    for what in ("wall", "cpu") if times else ():
        pairs = [(f[what], b[what]) for f, b in zip(times["full"], times["baseline"], strict=True)]
        ratios = [f / b for f, b in pairs]
        runs = "  ".join(f"{f:.1f}/{b:.1f}" for f, b in pairs)
        print(
            f"  {what:>4}: with/without the evasion rules, by round: {runs}; median of the rounds' ratios "
            f"{median(ratios) - 1:+.1%} (from {min(ratios) - 1:+.1%} to {max(ratios) - 1:+.1%}), fastest against "
            f"fastest {min(f for f, _ in pairs) / min(b for _, b in pairs) - 1:+.1%} (goal within +10 %)"
        )
    print(f"worst recall {worst_recall:.1%} (goal ≥ 99 %), worst false-alert share {worst_false:.2%} (goal ≤ 1 %)")

    violators = {i["enterprise"] for i in injected if i["code"] in EVASION}
    from reetrace.services.risk import risk_view

    view = risk_view(store, settings, args.year, as_of, wait=True)
    with store.reading() as conn:
        registry = load_registry(conn)
        offset = settings.thresholds.utc_offset_hours
        from reetrace.domain.risk import month_figures

        figures = month_figures(
            output_elements(conn, args.year, offset), input_elements(conn, args.year, offset), capacities(registry)
        )
    alone = rank([], figures)
    with_findings = top_share(view.rows, violators)
    by_figures = top_share(alone, violators)
    print(
        f"\nrisk view ({len(view.rows):,} enterprise-months): injected violators with a month in the top 5 %: "
        f"{with_findings[0]} of {with_findings[1]} with findings; {by_figures[0]} of {by_figures[1]} by the "
        f"figures against their peers alone ({len(alone):,} months judged)"
    )
    if args.keep is None:
        print(f"(the store and the year are in {work}; remove it when done)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
