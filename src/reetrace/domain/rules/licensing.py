"""Export control: dual-use licenses (Decree 792; MOFCOM/GAC Announcements No. 18 and 57).

Each exported lot is classified with the control list in force on the export day. A license item
covers a controlled item when it names the same element and the lot's form (or a form of the
same control group). Lots of unknown content cannot be classified and are left to UNKNOWN_LOT.

EXPORT_WITHOUT_LICENSE: per (export, lot), a controlled item that no item of a registered license
covers. LICENSE_MISMATCH: per export, a registered license whose consignee, destination,
exporter or validity does not fit the export. LICENSE_EXCEEDED: per (license, item), the
cumulative mass of exported lots the item covers goes over `max_kg`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reetrace.domain.controls import ControlledItem
from reetrace.domain.events import Export
from reetrace.domain.lots import LotState
from reetrace.domain.registry import License, LicenseItem
from reetrace.domain.rules.base import AuditContext, Step, exceeds, kg, show, sole_lot


def _name(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(slots=True)
class _Usage:
    exported_kg: float = 0.0
    first_over: tuple[Step, str] | None = None  # the export and the lot that went over


class Licensing:
    STATE: tuple[str, ...] = ("_usage",)  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._usage: dict[tuple[str, int], _Usage] = {}
        self._classified: dict[tuple[str, frozenset[str], date], list[ControlledItem]] = {}

    def _classify(self, lot: LotState, day: date) -> list[ControlledItem]:
        """The lot's controlled items on `day`; they depend only on its form and which
        elements it holds, so the answers are kept."""
        controls = self.ctx.controls
        if lot.form is None or lot.form not in controls.form_groups or lot.composition is None:
            return []
        key = (lot.form, frozenset(e for e, f in lot.composition.items() if f > 0), day)
        items = self._classified.get(key)
        if items is None:
            items = self._classified[key] = controls.classify(lot.form, lot.composition, day)
        return items

    def _covers(self, item: LicenseItem, controlled: ControlledItem, form: str | None) -> bool:
        if item.element != controlled.element:
            return False
        return item.form == form or self.ctx.controls.form_groups.get(item.form) == controlled.group

    def on_export(self, step: Step[Export]) -> None:
        event = step.event
        license = self.ctx.registry.licenses.get(event.license_no) if event.license_no else None
        if license is not None:
            self._fit(step, event, license)
        lots = self.ctx.ledger.lots
        for lot_id in dict.fromkeys(event.lots):
            lot = lots[lot_id]
            if lot_id in step.introduced:
                continue
            controlled = self._classify(lot, step.day)
            if not controlled:
                continue
            items = license.items if license is not None else ()
            uncovered = [c for c in controlled if not any(self._covers(i, c, lot.form) for i in items)]
            if uncovered:
                self._unlicensed(step, event, lot, controlled, uncovered, license)
            if license is not None:
                self._count(step, license, lot, controlled)

    def _unlicensed(
        self,
        step: Step,
        event: Export,
        lot: LotState,
        controlled: list[ControlledItem],
        uncovered: list[ControlledItem],
        license: License | None,
    ) -> None:
        codes = ", ".join(f"{c.code} ({c.element})" for c in uncovered)
        if event.license_no is None:
            why = "no license was declared"
        elif license is None:
            why = f"license {event.license_no} is not registered"
        else:
            why = f"license {event.license_no} does not cover it"
        self.ctx.flag(
            "EXPORT_WITHOUT_LICENSE",
            step,
            f"{step.reporter} exports lot {lot.lot} ({lot.form}, {show(lot.remaining_kg)}) to "
            f"{event.destination}; it falls under {codes} but {why}.",
            {
                "controlled": [{"code": c.code, "element": c.element} for c in controlled],
                "uncovered": [c.code for c in uncovered],
                "license_no": event.license_no,
            },
            lot=lot.lot,
            message="EXPORT_WITHOUT_LICENSE."
            + ("undeclared" if event.license_no is None else "unregistered" if license is None else "uncovered"),
            params={
                "reporter": step.reporter,
                "lot": lot.lot,
                "form": lot.form or "",
                "held_kg": kg(lot.remaining_kg),
                "destination": event.destination,
                "controlled": [{"code": c.code, "element": c.element} for c in uncovered],
                "license": event.license_no or "",
            },
        )

    def _count(self, step: Step, license: License, lot: LotState, controlled: list[ControlledItem]) -> None:
        for index, item in enumerate(license.items):
            if not any(self._covers(item, c, lot.form or "") for c in controlled):
                continue
            usage = self._usage.get((license.license_no, index))
            if usage is None:
                usage = self._usage[(license.license_no, index)] = _Usage()
            usage.exported_kg += lot.remaining_kg
            if usage.first_over is None and exceeds(usage.exported_kg, item.max_kg):
                usage.first_over = (step, lot.lot)

    def _fit(self, step: Step, event: Export, license: License) -> None:
        mismatches: dict[str, dict[str, Any]] = {}
        if event.consignee != license.consignee and _name(event.consignee) != _name(license.consignee):
            mismatches["consignee"] = {"licensed": license.consignee, "declared": event.consignee}
        if (
            event.destination != license.destination
            and event.destination.strip().upper() != license.destination.strip().upper()
        ):
            mismatches["destination"] = {"licensed": license.destination, "declared": event.destination}
        if step.reporter != license.exporter:
            mismatches["exporter"] = {"licensed": license.exporter, "declared": step.reporter}
        if not license.valid_from <= step.day <= license.valid_to:
            mismatches["date"] = {
                "licensed": f"{license.valid_from.isoformat()}/{license.valid_to.isoformat()}",
                "declared": step.day.isoformat(),
            }
        if not mismatches:
            return
        listed = "; ".join(
            f"{what} {v['declared']} where the license has {v['licensed']}" for what, v in mismatches.items()
        )
        self.ctx.flag(
            "LICENSE_MISMATCH",
            step,
            f"Export {step.ref} does not fit license {license.license_no}: {listed}.",
            {"license_no": license.license_no, "mismatches": mismatches},
            lot=sole_lot(event),
            params={
                "event": step.ref,
                "license": license.license_no,
                "mismatches": [
                    {"field": what, "declared": v["declared"], "reported": v["licensed"]}
                    for what, v in mismatches.items()
                ],
            },
        )

    def finish(self) -> None:
        licenses = self.ctx.registry.licenses
        for (license_no, index), usage in self._usage.items():
            if usage.first_over is None:
                continue
            step, lot = usage.first_over
            item = licenses[license_no].items[index]
            excess = usage.exported_kg - item.max_kg
            self.ctx.flag(
                "LICENSE_EXCEEDED",
                step,
                f"Exports under license {license_no} of {item.element} {item.form} reach "
                f"{show(usage.exported_kg)} against {show(item.max_kg)} licensed (excess {show(excess)}).",
                {
                    "license_no": license_no,
                    "item": {"element": item.element, "form": item.form},
                    "licensed_kg": kg(item.max_kg),
                    "exported_kg": kg(usage.exported_kg),
                    "excess_kg": kg(excess),
                },
                lot=lot,
                params={
                    "license": license_no,
                    "element": item.element,
                    "form": item.form,
                    "exported_kg": kg(usage.exported_kg),
                    "licensed_kg": kg(item.max_kg),
                    "excess_kg": kg(excess),
                },
            )
