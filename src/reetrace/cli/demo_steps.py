"""The demo's later steps: the export review of lots still held at the end of the year, and
the customs side (declarations reconciled, partner statistics and the mirror chart)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from rich.table import Table

from reetrace.cli import console
from reetrace.domain.findings import Finding


def _clean_candidate(
    store: Any,
    settings_: Any,
    directory: Path,
    candidates: list[tuple[str, str]],
    consignee: tuple[str, str],
    use: str,
    today: date,
    findings: list[Finding],
) -> Any:
    """The first (enterprise, lot) whose pre-review would not block, judged without recording."""
    from reetrace.contract.application import read_application, to_domain
    from reetrace.demo import review as demo_review
    from reetrace.services.application_documents import read_documents
    from reetrace.services.prereview import run_pre_review

    for exporter, lot in candidates:
        path = demo_review.write_application(directory, "to-vogel", exporter, [lot], consignee, use, today)
        model = read_application(json.loads(path.read_text(encoding="utf-8")))
        documents = read_documents(directory, [(d.kind, d.path, d.sha256) for d in model.documents])
        _, report = run_pre_review(store, settings_, to_domain(model, [d for d, _ in documents]), None, today, findings)
        if report["verdict"] != "blocked":
            return exporter, lot
    return None


def review_step(store: Any, settings_: Any, directory: Path, year_doc: Any, findings: list[Finding]) -> list[str]:
    """Export review on the demo ledger: screen, pre-review, decide; returns the applications."""
    from reetrace.cli.operator import operator
    from reetrace.demo import review as demo_review
    from reetrace.domain.prereview import holds
    from reetrace.services.applications import application_view, submit_application
    from reetrace.services.controls import control_list
    from reetrace.services.findings import today as audit_today
    from reetrace.services.licenses import licenses
    from reetrace.services.prereview import lot_facts
    from reetrace.services.review import add_official, take_step
    from reetrace.services.screening import load_list

    directory.mkdir(parents=True, exist_ok=True)
    today = audit_today(settings_)
    controls = control_list(store, settings_)
    candidates: list[tuple[str, str]] = []
    for exporter in demo_review.applicants(year_doc.registry):
        kept = demo_review.lots_kept(year_doc.submissions, exporter)
        with store.reading() as conn:
            facts = lot_facts(conn, kept, settings_.thresholds.overdraw_tolerance_kg)
        candidates += [
            (exporter, lot)
            for lot, f in facts.items()
            if f is not None
            and holds(f, exporter)
            and f.remaining_kg > 1.0
            and f.form is not None
            and f.composition is not None
            and controls.classify(f.form, f.composition, today)
        ]
    if len(candidates) < 2:
        console.print("\n[dim]Nobody holds two controlled lots at the end of this year: no review shown.[/dim]")
        return []
    console.print("\n[bold]Export review[/bold]")
    loaded = load_list(store, demo_review.write_watch_list(directory), "demo_watch", actor=operator())
    console.print(
        f"Loaded the watch list demo_watch ({loaded.list.entities} entities, version {loaded.list.version[:12]})."
    )
    for name, roles in demo_review.OFFICIALS:
        add_official(store, name, list(roles), None, actor=operator())
    vogel = ("Vogel Antriebstechnik GmbH", "DE")
    use = "Sintered magnets for industrial servo motors made in Germany"
    clean = _clean_candidate(store, settings_, directory, candidates, vogel, use, today, findings)
    if clean is None:
        console.print("[dim]Every controlled lot held at the end of the year has a blocking finding upstream.[/dim]")
        return []
    exporter, first = next(c for c in candidates if c != clean)
    blocked = submit_application(
        store,
        settings_,
        demo_review.write_application(
            directory,
            "to-saigon",
            exporter,
            [first],
            ("Saigon Magnet Trading Co., Ltd.", "VN"),
            "Resale of magnet material to motor makers in the region",
            today,
        ),
        "Demo Exporter",
        actor=operator("Demo Exporter"),
    )
    other_exporter, second = clean
    clear = submit_application(
        store,
        settings_,
        demo_review.write_application(directory, "to-vogel", other_exporter, [second], vogel, use, today),
        "Demo Exporter",
        actor=operator("Demo Exporter"),
    )
    from reetrace.cli.applications import print_pre_review

    print_pre_review(application_view(store, settings_, blocked.number)["pre_review"]["report"])
    for step, who, why in (
        ("accept", "Wang Li", ""),
        ("start", "Wang Li", ""),
        ("approve", "Chen Jie", "provenance legal, parties not listed"),
    ):
        done = take_step(store, settings_, clear.number, step, who, why, actor=operator(who))
    (issued,) = licenses(store, settings_, done.license_no)
    items = ", ".join(f"{i['element']} {i['form']} {i['max_kg']:,.3f} kg" for i in issued.items)
    console.print(
        f"Application {clear.number} ({second} to Vogel Antriebstechnik GmbH): pre-review "
        f"{clear.verdict}; accepted and reviewed by Wang Li, approved by Chen Jie: license "
        f"[bold]{issued.license_no}[/bold] ({items}, valid {issued.valid_from}..{issued.valid_to})."
    )
    return [blocked.number, clear.number]


def customs_step(store: Any, settings_: Any, directory: Path, year: int, seed: int, as_of: date) -> Path | None:
    """Customs declarations for the year's exports and partner statistics, loaded and reconciled;
    the mirror chart written beside them."""
    from reetrace.charts.mirror import mirror_chart
    from reetrace.cli.operator import operator
    from reetrace.demo import customs as demo_customs
    from reetrace.services.customs import list_exports, load_declarations, reconcile
    from reetrace.services.mirror import load_mirror_statistics, mirror_report
    from reetrace.services.prereview import lot_facts
    from reetrace.store.controls_repo import lot_as_created

    lines = list_exports(store, settings_, as_of)
    if not lines:
        return None
    exported = list(dict.fromkeys(lot for line in lines for lot in line.lots))
    with store.reading() as conn:
        made: dict[str, tuple[str | None, dict[str, float] | None]] = {
            lot: lot_as_created(conn, lot) or (None, None) for lot in exported
        }
        facts = lot_facts(conn, exported, settings_.thresholds.overdraw_tolerance_kg)

    def held(lot: str) -> float:  # what the lot held when exported
        fact = facts.get(lot)
        return (fact.exported_kg or 0.0) if fact is not None else 0.0

    exports = [
        demo_customs.Export(
            line.customs_declaration,
            line.day,
            line.exporter,
            line.license_no,
            tuple(demo_customs.ExportedLot(lot, *made[lot], held(lot)) for lot in dict.fromkeys(line.lots)),
            line.destination,
        )
        for line in lines
    ]
    directory.mkdir(parents=True, exist_ok=True)
    text, injected = demo_customs.declarations(exports, seed)
    (directory / "declarations.csv").write_text(text, encoding="utf-8")
    (directory / "injected.json").write_text(json.dumps(injected, indent=2), encoding="utf-8")
    done = load_declarations(
        store,
        text.encode(),
        "declarations.csv",
        "demo customs",
        start=date(year, 1, 1),
        end=date(year, 12, 31),
        actor=operator("demo customs"),
    )
    found = reconcile(store, settings_, as_of)
    console.print(
        f"\n[bold]Customs reconciliation[/bold]: {done.declarations} declarations ({done.items} items) "
        f"for {len(lines)} exports"
    )
    for item in injected:
        hit = any(f.code == item["code"] for f in found)
        mark = "[green]detected[/green]" if hit else "[red]MISSED[/red]"
        console.print(f"  {mark}  {item['code']} — {item['note']} ({item['export']})", highlight=False)
    other = Counter(f.code for f in found if f.code not in {i["code"] for i in injected})
    if other:
        console.print(f"  also: {', '.join(f'{c} × {n}' for c, n in sorted(other.items()))}")
    stats, gap = demo_customs.partner_statistics(exports, year, seed)
    (directory / "partner-imports.csv").write_text(stats, encoding="utf-8")
    load_mirror_statistics(store, stats.encode(), "partner-imports.csv", actor=operator())
    gaps = mirror_report(store, year)
    table = Table(title=f"Mirror statistics {year}: partner-recorded imports vs declared exports (largest gaps)")
    for column in ("HS6", "partner", "partner t", "declared t", "gap t", "log gap"):
        table.add_column(column, justify="right" if column.endswith(("t", "gap")) else "left")
    for g in gaps[:5]:
        row = g.as_json()
        table.add_row(
            row["hs6"],
            row["partner"],
            f"{row['partner_kg'] / 1000:,.1f}",
            f"{row['declared_kg'] / 1000:,.1f}",
            f"{row['gap_kg'] / 1000:+,.1f}",
            f"{row['log_gap']:+.3f}",
        )
    console.print(table)
    if gap:
        console.print(f"  injected: {gap['note']}", highlight=False)
    chart = directory / "mirror.svg"
    chart.write_text(mirror_chart(gaps, year), encoding="utf-8")
    console.print(f"  chart: {chart}")
    return chart


DEMO_PASSWORD = "reetrace-demo"


def accounts_step(store: Any, registry: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Demo accounts for the console, one per role, and an enterprise user of the first exporter."""
    from reetrace.services.accounts import add_user

    exporter = next(e for e in registry["enterprises"] if any(q["kind"] == "export" for q in e["qualifications"]))
    firm = exporter.get("name_en") or exporter["name"]
    people = [
        ("regulator", "regulator", None, "regulator: everything"),
        ("inspector", "inspector", None, "inspector: findings"),
        ("reviewer", "reviewer", None, "export-control reviewer"),
        ("approver", "approver", None, "export-control approver"),
        ("auditor", "auditor", None, "auditor: read-only"),
        ("exporter", "enterprise", exporter["uscc"], f"enterprise user of {firm}"),
    ]
    for username, role, uscc, _ in people:
        add_user(store, username, DEMO_PASSWORD, role, uscc)
    return [(username, DEMO_PASSWORD, what) for username, _, _, what in people]
