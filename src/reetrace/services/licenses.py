"""Use case: the licenses (migrated and issued here) with what the exports under each have drawn
down from every item, judged as the audit judges them (the control list in force on each
export's day)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, cast

from sqlalchemy import select

from reetrace.config import Settings
from reetrace.contract.stored import decode_event
from reetrace.domain.events import Export
from reetrace.errors import NotFound
from reetrace.services.controls import control_list_in
from reetrace.services.prereview import lot_facts
from reetrace.store import applications_repo as repo
from reetrace.store import tables as t
from reetrace.store.database import Store


@dataclass(slots=True)
class LicenseUse:
    license_no: str
    source: str
    license_type: str | None
    exporter: str
    consignee: str
    end_user: str | None
    destination: str
    valid_from: str
    valid_to: str
    issued_on: str | None
    application: str | None
    items: list[dict[str, Any]]
    exports: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


def licenses(store: Store, settings: Settings, license_no: str | None = None) -> list[LicenseUse]:
    zone = timezone(timedelta(hours=settings.thresholds.utc_offset_hours))
    with store.reading() as conn:
        rows = repo.license_rows(conn, license_no)
        if license_no and not rows:
            raise NotFound(f"license {license_no} does not exist")
        controls = control_list_in(conn, settings)
        found = []
        for row in rows:
            use = LicenseUse(
                row.license_no,
                row.source,
                row.license_type,
                row.exporter,
                row.consignee,
                row.end_user,
                row.destination,
                row.valid_from,
                row.valid_to,
                row.issued_on,
                row.application,
                [{**i, "exported_kg": 0.0} for i in json.loads(row.items)],
            )
            e = t.events.c
            exports = [
                cast(Export, decode_event(r.reporter, datetime.fromisoformat(r.time), r.body))  # exports only
                for r in conn.execute(
                    select(e.reporter, e.time, e.body)
                    .where(
                        e.type == "export",
                        e.body.contains(f'"license_no":{json.dumps(row.license_no)}', autoescape=True),
                    )
                    .order_by(e.time)
                )
            ]
            lots = lot_facts(conn, [lot for x in exports for lot in x.lots], settings.thresholds.overdraw_tolerance_kg)
            for export in exports:
                _draw_down(use, export, lots, controls, export.time.astimezone(zone).date())
            for item in use.items:
                item["exported_kg"] = round(item["exported_kg"], 3)
                item["left_kg"] = round(item["max_kg"] - item["exported_kg"], 3)
            found.append(use)
    return found


def _draw_down(use: LicenseUse, export: Export, lots, controls, day: date) -> None:
    total = 0.0
    for lot_id in dict.fromkeys(export.lots):
        lot = lots.get(lot_id)
        if lot is None or lot.form is None or lot.composition is None:
            continue
        mass = lot.exported_kg or 0.0
        total += mass
        controlled = controls.classify(lot.form, lot.composition, day)
        for item in use.items:
            group = controls.form_groups.get(item["form"])
            if any(c.element == item["element"] and (item["form"] == lot.form or group == c.group) for c in controlled):
                item["exported_kg"] += mass
    use.exports.append(
        {
            "event": export.ref,
            "day": day.isoformat(),
            "lots": list(export.lots),
            "kg": round(total, 3),
            "consignee": export.consignee,
            "destination": export.destination,
        }
    )
