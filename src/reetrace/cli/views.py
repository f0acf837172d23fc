"""Readable renderings (Rich tables) of what the commands return."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from reetrace.domain.findings import SEVERITIES, Finding
from reetrace.domain.registry import Registry

SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def registry_json(registry: Registry) -> dict[str, Any]:
    return {
        "enterprises": [
            {
                "uscc": e.uscc,
                "name": e.name,
                "name_en": e.name_en,
                "province": e.province,
                "group": e.group,
                "qualifications": [
                    {"kind": q.kind, "valid_from": q.valid_from.isoformat(), "valid_to": q.valid_to.isoformat()}
                    for q in registry.qualifications.get(e.uscc, [])
                ],
                "keys": [
                    {
                        "key_id": k.key_id,
                        "valid_from": k.valid_from.isoformat(),
                        "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                    }
                    for k in registry.keys.values()
                    if k.uscc == e.uscc
                ],
                "sites": [
                    {"code": s.code, "kind": s.kind, "name": s.name, "province": s.province}
                    for (u, _), s in registry.sites.items()
                    if u == e.uscc
                ],
            }
            for e in sorted(registry.enterprises.values(), key=lambda e: e.uscc)
        ],
        "quotas": [
            {"year": q.year, "uscc": q.uscc, "kind": q.kind, "category": q.category, "tonnes_reo": q.tonnes_reo}
            for q in sorted(registry.quotas.values(), key=lambda q: (q.year, q.uscc, q.kind, q.category))
        ],
        "licenses": [
            {
                "license_no": lic.license_no,
                "exporter": lic.exporter,
                "consignee": lic.consignee,
                "destination": lic.destination,
                "valid_from": lic.valid_from.isoformat(),
                "valid_to": lic.valid_to.isoformat(),
                "items": [{"element": i.element, "form": i.form, "max_kg": i.max_kg} for i in lic.items],
            }
            for lic in sorted(registry.licenses.values(), key=lambda x: x.license_no)
        ],
    }


def print_registry(console: Console, registry: Registry) -> None:
    if not registry.enterprises:
        console.print("The registry is empty. Load one with [bold]reetrace registry load FILE[/bold].")
        return
    table = Table(title=f"Enterprises ({len(registry.enterprises)})", show_lines=False)
    for col in ("USCC", "name", "group", "province", "qualifications", "keys", "sites"):
        table.add_column(col)
    for e in sorted(registry.enterprises.values(), key=lambda e: (e.group or "", e.uscc)):
        quals = ", ".join(f"{q.kind} {q.valid_from}–{q.valid_to}" for q in registry.qualifications.get(e.uscc, []))
        keys = ", ".join(
            k.key_id + (" (revoked)" if k.revoked_at else "") for k in registry.keys.values() if k.uscc == e.uscc
        )
        sites = ", ".join(s.code for (u, _), s in registry.sites.items() if u == e.uscc)
        name = e.name + (f"\n[dim]{e.name_en}[/dim]" if e.name_en else "")
        table.add_row(e.uscc, name, e.group or "", e.province or "", quals or "[dim]none[/dim]", keys, sites)
    console.print(table)
    if registry.quotas:
        quotas = Table(title="Quotas (tonnes REO)")
        for col in ("year", "enterprise", "kind", "category"):
            quotas.add_column(col)
        quotas.add_column("tonnes", justify="right")
        for q in sorted(registry.quotas.values(), key=lambda q: (q.year, q.uscc, q.kind, q.category)):
            quotas.add_row(str(q.year), _name(registry, q.uscc), q.kind, q.category, f"{q.tonnes_reo:,.1f}")
        console.print(quotas)
    if registry.licenses:
        lic_table = Table(title="Export licenses")
        for col in ("license", "exporter", "consignee", "dest.", "valid", "items"):
            lic_table.add_column(col)
        for lic in sorted(registry.licenses.values(), key=lambda x: x.license_no):
            items = ", ".join(f"{i.element} {i.form} ≤ {i.max_kg:,.0f} kg" for i in lic.items)
            lic_table.add_row(
                lic.license_no,
                _name(registry, lic.exporter),
                lic.consignee,
                lic.destination,
                f"{lic.valid_from} – {lic.valid_to}",
                items,
            )
        console.print(lic_table)


def _name(registry: Registry, uscc: str) -> str:
    e = registry.enterprises.get(uscc)
    return (e.name_en or e.name) if e else uscc


def print_ingest_report(console: Console, report: Any) -> None:
    console.print(
        f"Submissions: [green]{report.submissions_accepted} accepted[/green], "
        f"{report.submissions_duplicate} duplicate, "
        f"[{'red' if report.rejected else 'green'}]{len(report.rejected)} rejected[/]. "
        f"Events: {report.events_accepted} accepted, {report.events_duplicate} duplicate."
    )
    if report.rejected:
        table = Table(title="Rejected")
        table.add_column("source")
        table.add_column("reason")
        table.add_column("event")
        for r in report.rejected:
            table.add_row(r.source, r.reason, r.event or "")
        console.print(table)


def print_rejections(console: Console, rows: list[Any]) -> None:
    if not rows:
        console.print("No rejected submissions.")
        return
    table = Table(title=f"Rejected submissions (newest first, {len(rows)} shown)")
    for col in ("#", "received", "source", "reporter", "reason", "event"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r.id), r.received_at[:19], r.source or "", r.reporter or "", r.reason, r.event or "")
    console.print(table)


def print_findings(console: Console, findings: list[Finding], as_of: date) -> None:
    if not findings:
        console.print(f"No findings as of {as_of}.")
        return
    summary = Table(title=f"Findings as of {as_of}: {len(findings)}")
    summary.add_column("code")
    for sev in SEVERITIES:
        summary.add_column(sev, justify="right", style=SEVERITY_STYLE[sev])
    by_code = Counter((f.code, f.severity) for f in findings)
    for code_name in sorted({f.code for f in findings}):
        summary.add_row(code_name, *[str(by_code[(code_name, s)] or "") for s in SEVERITIES])
    console.print(summary)
    table = Table(title="Details", show_lines=True)
    for col in ("severity", "code", "enterprise", "lot", "event", "detail"):
        table.add_column(col, overflow="fold")
    order = {s: i for i, s in enumerate(SEVERITIES)}
    for f in sorted(findings, key=lambda f: order.get(f.severity, 9)):
        table.add_row(
            f"[{SEVERITY_STYLE.get(f.severity, '')}]{f.severity}[/]",
            f.code,
            f.enterprise or "",
            f.lot or "",
            f.event or "",
            f.detail,
        )
    console.print(table)


def _elements(elements: dict[str, float], top: int = 4) -> str:
    biggest = sorted(elements.items(), key=lambda kv: -kv[1])[:top]
    return ", ".join(f"{e} {kg:,.2f}" for e, kg in biggest)


def print_trace(console: Console, doc: dict[str, Any]) -> None:
    if doc["direction"] == "backward":
        table = Table(title=f"Origins of {doc['lot']} (kg of element contributed)")
        for col in ("origin lot", "type", "enterprise", "event", "largest elements (kg)"):
            table.add_column(col, overflow="fold")
        table.add_column("REO kg", justify="right")
        for o in doc["origins"]:
            table.add_row(
                o["lot"],
                o["type"],
                o.get("enterprise") or "[red]unknown[/red]",
                o.get("event") or "",
                _elements(o["elements_kg"]),
                f"{o['reo_kg']:,.2f}",
            )
    else:
        table = Table(title=f"Lots made from {doc['lot']} (kg of element that came from it)")
        for col in ("lot", "depth", "process", "form", "enterprise", "largest elements (kg)"):
            table.add_column(col, overflow="fold")
        table.add_column("REO kg", justify="right")
        for d in doc.get("descendants", []):
            table.add_row(
                d["lot"],
                str(d.get("depth", "")),
                d.get("process") or "",
                d.get("form") or "",
                d.get("enterprise") or "",
                _elements(d["elements_kg"]),
                f"{d['reo_kg']:,.2f}",
            )
    console.print(table)


def print_quota_use(console: Console, rows: list[Any], year: int) -> None:
    table = Table(title=f"Quota use {year} (tonnes REO)")
    for col in ("enterprise", "kind", "category"):
        table.add_column(col)
    for col in ("quota", "used", "use"):
        table.add_column(col, justify="right")
    for r in rows:
        share = r.share
        pct = "no quota" if share is None else f"{share:.0%}"
        style = "bold red" if share is None or share > 1 else ("yellow" if share > 0.95 else "green")
        table.add_row(
            r.name, r.kind, r.category, f"{r.quota_tonnes:,.1f}", f"{r.used_tonnes:,.1f}", f"[{style}]{pct}[/]"
        )
    console.print(table)
