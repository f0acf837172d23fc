"""Customs reconciliation and arrival reports: the ledger's exports against what customs declared,
and licensed exports against the exporters' arrival reports (Decree 792).

A declaration dated on or before the audit date matches the export events that name its number
as their `customs_declaration`; one that no export names matches, failing that, the exports of
its lots that name no declaration customs reported. Then:

A declaration has one or more items, each with its code, net mass and the lots it names; its lots
are those its items name. DECLARATION_WITHOUT_EXPORT: a declaration that matches no export event
(one finding per declaration). EXPORT_WITHOUT_DECLARATION: an export that no declaration matches,
dated inside a period customs data covers (outside them customs data is simply absent).
DECLARED_QUANTITY_MISMATCH: the net mass of all its items differs from what the matched exports'
lots held when exported by more than `declaration_quantity_tolerance` of it (not judged when a lot
is of unknown origin). DECLARATION_MISMATCH: exporter, destination, license number, lots or (when
matched by its lots) the declaration number differ. HS_CODE_MISDECLARED: per item and lot, the
item's code contradicts the lot's form and composition (`reetrace.domain.hscodes`) or the code the
lot was recorded under when it was made. An item is judged against the lots it names; the lots no
item names, against the items that name none: against that item's code when there is one, and
when there are several, a lot is flagged only if no such item's code fits it.

ARRIVAL_NOT_REPORTED: an export under a license issued here (the license carries the duty to
report arrival here) whose arrival no report recorded by the end of the audit date tells, more
than `arrival_report_days` after the export. Licenses migrated from the registry were reported
on in the system that issued them.

Declarations are reconciled only when the audit has customs data at all (declarations or
covered periods); without, its creation handlers are absent, and the rule costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from reetrace.domain import hscodes
from reetrace.domain.customs import Declaration, DeclarationItem
from reetrace.domain.events import Export, created_lots
from reetrace.domain.rules.base import AuditContext, Step, exceeds, kg, ratio, show

# What `reetrace customs reconcile` shows: the findings of the declarations against the ledger.
RECONCILIATION_CODES = (
    "DECLARATION_WITHOUT_EXPORT",
    "EXPORT_WITHOUT_DECLARATION",
    "DECLARED_QUANTITY_MISMATCH",
    "DECLARATION_MISMATCH",
    "HS_CODE_MISDECLARED",
)
# Every code this rule raises; none of them without customs records.
CUSTOMS_CODES = (*RECONCILIATION_CODES, "ARRIVAL_NOT_REPORTED")


@dataclass(frozen=True, slots=True)
class _Lot:
    """A lot as an export found it."""

    lot: str
    form: str | None
    composition: Mapping[str, float] | None
    mass_kg: float
    origin_known: bool


@dataclass(slots=True)
class _Exported:
    step: Step
    event: Export
    lots: tuple[_Lot, ...]
    claimed: bool = False

    @property
    def declaration_no(self) -> str:
        return self.event.customs_declaration.strip()


# How near a code that does not fit comes: only the lot's record disagrees, the heading fits, not even that.
_LEVELS = ("lot record", "subheading", "heading")


@dataclass(frozen=True, slots=True)
class _Misfit:
    """Why a declared code does not fit a lot."""

    contradiction: hscodes.Contradiction | None  # with the lot's form and composition
    reasons: str  # for a sentence

    @property
    def level(self) -> str:
        return self.contradiction.level if self.contradiction else "lot record"


def _composition(composition: Mapping[str, float] | None) -> str:
    if not composition:
        return "no rare earths"
    parts = sorted(((e, f) for e, f in composition.items() if f > 0), key=lambda p: (-p[1], p[0]))
    return ", ".join(f"{e} {f:.2%}" for e, f in parts)


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip().upper() == (b or "").strip().upper()


class Customs:
    STATE: tuple[str, ...] = ("_recorded_hs", "_exports", "_arriving")  # what it carries from one event to the next

    def __init__(self, ctx: AuditContext) -> None:
        self.ctx = ctx
        self._recorded_hs: dict[str, str] = {}  # lot -> HS code its creator recorded
        self._exports: list[_Exported] = []
        self._arriving: list[Step[Export]] = []  # exports under licenses issued here, judged at the end
        self._reconciling = ctx.customs.reconciling

    # The audit dispatches to the handlers a rule has: without customs data the creation handlers
    # and `finish` are None, so they cost nothing. (Properties, not bound methods kept on the
    # instance, which would tie it, and the ledger it reaches, in a reference cycle.)

    @property
    def on_extract(self) -> Callable[[Step], None] | None:
        return self._created if self._reconciling else None

    on_import = on_transform = on_extract

    @property
    def finish(self) -> Callable[[], None] | None:
        return self._finish if self._reconciling or self._arriving else None

    # -- during the replay ----------------------------------------------------------------------

    def _created(self, step: Step) -> None:
        lots = self.ctx.ledger.lots
        for out in created_lots(step.event):
            if out.hs_code and (out.lot not in lots or lots[out.lot].created_by is None):
                self._recorded_hs.setdefault(out.lot, out.hs_code)  # the first creation stands

    def on_export(self, step: Step[Export]) -> None:
        event = step.event
        if self._reconciling:
            lots = self.ctx.ledger.lots
            found = tuple(
                _Lot(
                    lot_id,
                    lots[lot_id].form,
                    lots[lot_id].composition,
                    lots[lot_id].remaining_kg,
                    lots[lot_id].origin_known and lot_id not in step.introduced,
                )
                for lot_id in dict.fromkeys(event.lots)
            )
            self._exports.append(_Exported(step, event, found))
        license = self.ctx.registry.licenses.get(event.license_no) if event.license_no else None
        if license is not None and license.issued_here:
            # Whether its arrival was reported in time depends on the audit date: judged at the
            # end, so that the state of a closed year (reetrace.domain.closing) holds none of it.
            self._arriving.append(step)

    def _arrival(self, step: Step, event: Export) -> None:
        ctx = self.ctx
        days = ctx.thresholds.arrival_report_days
        if (ctx.as_of - step.day).days <= days:
            return  # still within the window on the audit date
        report = ctx.customs.arrivals.get(step.ref)
        if report is not None and report.recorded_at < ctx.as_of_end:
            return
        deadline = step.day + timedelta(days=days)
        detail = (
            f"{step.reporter} exported {', '.join(event.lots)} to {event.destination} under license "
            f"{event.license_no} on {step.day.isoformat()}; no arrival was reported by "
            f"{ctx.as_of.isoformat()}, {(ctx.as_of - step.day).days} days later (due within {days} days, "
            f"by {deadline.isoformat()})"
        )
        late = None
        if report is not None:
            late = {"arrived_on": report.arrived_on.isoformat(), "reported_at": report.recorded_at.isoformat()}
            detail += f"; it was reported only on {report.recorded_at.astimezone(ctx.zone).date().isoformat()}"
        self.ctx.flag(
            "ARRIVAL_NOT_REPORTED",
            step,
            detail + ".",
            {
                "license_no": event.license_no,
                "destination": event.destination,
                "exported_on": step.day.isoformat(),
                "deadline": deadline.isoformat(),
                "days_since_export": (ctx.as_of - step.day).days,
                "reported_late": late,
            },
            lot=event.lots[0] if len(set(event.lots)) == 1 else None,
            message="ARRIVAL_NOT_REPORTED" + (".late" if report is not None else ""),
            params={
                "reporter": step.reporter,
                "lots": list(event.lots),
                "destination": event.destination,
                "license": event.license_no or "",
                "day": step.day.isoformat(),
                "as_of": ctx.as_of.isoformat(),
                "days": (ctx.as_of - step.day).days,
                "window": days,
                "deadline": deadline.isoformat(),
                "reported_day": report.recorded_at.astimezone(ctx.zone).date().isoformat() if report else "",
            },
        )

    # -- after the replay: match declarations and exports -------------------------------------

    def _finish(self) -> None:
        for step in self._arriving:
            self._arrival(step, step.event)
        if self._reconciling:
            self._reconcile()

    def _reconcile(self) -> None:
        ctx = self.ctx
        loaded = {d.declaration_no for d in ctx.customs.declarations}
        declared = {d.declaration_no: d for d in ctx.customs.declarations if d.day <= ctx.as_of}
        by_number: dict[str, list[_Exported]] = {}
        by_lot: dict[str, list[_Exported]] = {}
        for exported in self._exports:
            if exported.declaration_no in loaded:  # declared, if perhaps after the audit date
                by_number.setdefault(exported.declaration_no, []).append(exported)
            else:
                for lot in exported.lots:
                    by_lot.setdefault(lot.lot, []).append(exported)
        for declaration in sorted(declared.values(), key=lambda d: (d.day, d.declaration_no)):
            matched = by_number.get(declaration.declaration_no, [])
            via_lots = False
            if not matched:
                matched = list(
                    {id(x): x for lot in declaration.lots for x in by_lot.get(lot, ()) if not x.claimed}.values()
                )
                via_lots = bool(matched)
            for exported in matched:
                exported.claimed = True
            if not matched:
                self._without_export(declaration)
                continue
            matched.sort(key=lambda x: (x.step.time, x.step.ref))
            self._fit(declaration, matched, via_lots)
            self._quantity(declaration, matched)
            self._hs_codes(declaration, matched)
        for exported in self._exports:
            if not exported.claimed and exported.declaration_no not in loaded:
                self._without_declaration(exported)

    def _without_export(self, d: Declaration) -> None:
        items = "; ".join(f"item {n}: {item}" for n, item in d.numbered())
        self.ctx.flag_period(
            "DECLARATION_WITHOUT_EXPORT",
            d.exporter,
            d.day.year,
            f"Customs declaration {d.declaration_no} of {d.day.isoformat()} ({d.exporter}, to {d.destination}, "
            f"{show(d.net_kg)} in {len(d.items)} item{'s' if len(d.items) != 1 else ''}: {items}) matches no "
            "export event: no export names it" + (" and none exports its lots." if d.lots else "."),
            d.as_json(),
            order=f"{d.day.isoformat()} {d.declaration_no}",
            params={
                "declaration": d.declaration_no,
                "day": d.day.isoformat(),
                "exporter": d.exporter,
                "destination": d.destination,
                "net_kg": kg(d.net_kg),
                "count": len(d.items),
            },
        )

    def _without_declaration(self, exported: _Exported) -> None:
        step, event = exported.step, exported.event
        period = self.ctx.customs.covering(step.day)
        if period is None:
            return  # customs data does not cover the day: its absence says nothing
        self.ctx.flag(
            "EXPORT_WITHOUT_DECLARATION",
            step,
            f"{step.reporter} exported {', '.join(event.lots)} to {event.destination} on {step.day.isoformat()} "
            f"under customs declaration {event.customs_declaration}, but customs, reporting on {period}, "
            f"recorded no such declaration, nor one for these lots.",
            {
                "customs_declaration": event.customs_declaration,
                "covered": {"from": period.start.isoformat(), "to": period.end.isoformat()},
                "lots": list(event.lots),
                "destination": event.destination,
                "license_no": event.license_no,
            },
            lot=event.lots[0] if len(set(event.lots)) == 1 else None,
            params={
                "reporter": step.reporter,
                "lots": list(event.lots),
                "destination": event.destination,
                "day": step.day.isoformat(),
                "declaration": event.customs_declaration or "",
                "from_day": period.start.isoformat(),
                "to_day": period.end.isoformat(),
            },
        )

    @staticmethod
    def _lots(matched: list[_Exported]) -> list[_Lot]:
        return list({lot.lot: lot for x in matched for lot in x.lots}.values())

    def _sole(self, matched: list[_Exported]) -> str | None:
        lots = self._lots(matched)
        return lots[0].lot if len(lots) == 1 else None

    def _fit(self, d: Declaration, matched: list[_Exported], via_lots: bool) -> None:
        mismatches: dict[str, dict[str, Any]] = {}

        def differs(field: str, declared: str | None, reported: list[str | None]) -> None:
            if any(not _same(declared, r) for r in reported):
                values = sorted({r or "" for r in reported})
                mismatches[field] = {"declared": declared, "reported": values[0] if len(values) == 1 else values}

        differs("exporter", d.exporter, [x.event.reporter for x in matched])
        differs("destination", d.destination, [x.event.destination for x in matched])
        differs("license_no", d.license_no, [x.event.license_no for x in matched])
        if via_lots:
            differs("declaration_no", d.declaration_no, [x.event.customs_declaration for x in matched])
        exported = sorted(lot.lot for lot in self._lots(matched))
        declared = set(d.lots)
        # the lots no item names may be those of an item that names none: then only a declared lot
        # that was not exported is a mismatch
        every_item_names = all(item.lots for item in d.items)
        if declared and (sorted(declared) != exported if every_item_names else not declared <= set(exported)):
            mismatches["lots"] = {"declared": sorted(declared), "reported": exported}
        if not mismatches:
            return
        listed = "; ".join(
            f"{what} {_text(v['declared'])} where the export has {_text(v['reported'])}"
            for what, v in mismatches.items()
        )
        unexported = [
            f"{lot} (item {', '.join(str(n) for n, item in d.numbered() if lot in item.lots)})"
            for lot in d.lots
            if lot not in exported
        ]
        if "lots" in mismatches and unexported:
            listed += f"; not exported: {', '.join(unexported)}"
        step = matched[0].step
        self.ctx.flag(
            "DECLARATION_MISMATCH",
            step,
            f"Customs declaration {d.declaration_no} of {d.day.isoformat()} does not fit export {step.ref}: {listed}.",
            {
                "declaration_no": d.declaration_no,
                "exports": [x.step.ref for x in matched],
                "mismatches": mismatches,
                "items": [item.as_json(n) for n, item in d.numbered()],
            },
            lot=self._sole(matched),
            enterprise=step.reporter,
            params={
                "declaration": d.declaration_no,
                "day": d.day.isoformat(),
                "event": step.ref,
                "mismatches": [
                    {"field": what, "declared": v["declared"], "reported": v["reported"]}
                    for what, v in mismatches.items()
                ],
            },
        )

    def _quantity(self, d: Declaration, matched: list[_Exported]) -> None:
        lots = self._lots(matched)
        if any(not lot.origin_known for lot in lots):
            return  # a lot of unknown origin: what it held is not known
        exported = sum(lot.mass_kg for lot in lots)
        difference = d.net_kg - exported
        tolerance = self.ctx.thresholds.declaration_quantity_tolerance
        if not exceeds(abs(difference), tolerance * exported):
            return
        share = f" ({abs(difference) / exported:.2%})" if exported > 0 else ""
        items = (
            ""
            if len(d.items) == 1
            else " over its items "
            + "; ".join(f"item {n}, HS {item.hs_code}: {show(item.net_kg)}" for n, item in d.numbered())
        )
        step = matched[0].step
        self.ctx.flag(
            "DECLARED_QUANTITY_MISMATCH",
            step,
            f"Customs declaration {d.declaration_no} declares {show(d.net_kg)} net{items}, but the lots exported "
            f"under it ({', '.join(lot.lot for lot in lots)}) held {show(exported)}: "
            f"{'more' if difference > 0 else 'less'} by {show(abs(difference))}{share}.",
            {
                "declaration_no": d.declaration_no,
                "declared_kg": kg(d.net_kg),
                "exported_kg": kg(exported),
                "difference_kg": kg(difference),
                "tolerance": ratio(tolerance),
                "items": [{"item": n, "hs_code": item.hs_code, "net_kg": kg(item.net_kg)} for n, item in d.numbered()],
            },
            lot=self._sole(matched),
            enterprise=step.reporter,
            message="DECLARED_QUANTITY_MISMATCH." + ("more" if difference > 0 else "less"),
            params={
                "declaration": d.declaration_no,
                "declared_kg": kg(d.net_kg),
                "lots": [lot.lot for lot in lots],
                "exported_kg": kg(exported),
                "difference_kg": kg(abs(difference)),
                "share": ratio(abs(difference) / exported) if exported > 0 else 0.0,
            },
        )

    def _hs_codes(self, d: Declaration, matched: list[_Exported]) -> None:
        """Each item against the lots it names; the lots no item names against the items that name none."""
        exported: dict[str, tuple[Step, _Lot]] = {}
        for x in matched:
            for lot in x.lots:
                exported.setdefault(lot.lot, (x.step, lot))
        for n, item in d.numbered():
            for lot_id in dict.fromkeys(item.lots):
                if lot_id in exported:
                    self._hs_code(d, [(n, item)], *exported[lot_id])
        naming_none = [(n, item) for n, item in d.numbered() if not item.lots]
        if naming_none:
            named = set(d.lots)
            for lot_id, (step, lot) in exported.items():
                if lot_id not in named:
                    self._hs_code(d, naming_none, step, lot)

    def _misfit(self, code: str, lot: _Lot) -> _Misfit | None:
        """Why `code` does not fit the lot, or None when it does."""
        contradiction = hscodes.judge(code, lot.form, lot.composition)
        recorded = self._recorded_hs.get(lot.lot)
        disagrees = recorded is not None and not hscodes.agrees(code, recorded)
        if contradiction is None and not disagrees:
            return None
        reasons = []
        if contradiction is not None:
            e = contradiction.expected
            where = (
                f"heading {code[:4]} fits, the subheading does not"
                if contradiction.level == "subheading"
                else f"a lot of form {lot.form} falls under {hscodes.shown(e.family)}, not {code[:4]}"
            )
            reasons.append(f"the lot is {e.reason}, which belongs under {hscodes.shown(e.codes)} ({where})")
        if disagrees:
            reasons.append(f"its maker recorded it under {recorded}")
        return _Misfit(contradiction, "; and ".join(reasons))

    def _hs_code(self, d: Declaration, items: list[tuple[int, DeclarationItem]], step: Step, lot: _Lot) -> None:
        """Flag the lot when none of `items` (one, or the several that name no lots) has a code that fits it."""
        if lot.composition is None or not lot.origin_known:
            return  # content unknown: nothing to judge by
        misfits = []
        for n, item in items:
            misfit = self._misfit(item.hs_code, lot)
            if misfit is None:
                return
            misfits.append((n, item, misfit))
        what = f"lot {lot.lot} ({lot.form}; {_composition(lot.composition)})"
        if len(misfits) == 1:
            ((n, item, misfit),) = misfits
            detail = (
                f"Customs declaration {d.declaration_no} declares {what} in item {n} under HS {item.hs_code}, "
                f"but {misfit.reasons}."
            )
            numbers: int | list[int] = n
            declared: str | list[str] = item.hs_code
        else:
            detail = (
                f"Customs declaration {d.declaration_no} names {what} in no item, and the code of none of its "
                "items that name no lots fits it: "
                + "; ".join(f"item {n} (HS {item.hs_code}): {misfit.reasons}" for n, item, misfit in misfits)
                + "."
            )
            numbers, declared = [n for n, _, _ in misfits], [item.hs_code for _, item, _ in misfits]
        contradictions = [m.contradiction for _, _, m in misfits if m.contradiction is not None]
        expected = contradictions[0].expected if contradictions else None
        recorded = self._recorded_hs.get(lot.lot)
        levels = [m.level for _, _, m in misfits]
        self.ctx.flag(
            "HS_CODE_MISDECLARED",
            step,
            detail,
            {
                "declaration_no": d.declaration_no,
                "item": numbers,
                "declared": declared,
                "expected": list(expected.codes) if expected else [recorded],
                "family": list(expected.family) if expected else [],
                "level": min(levels, key=_LEVELS.index),
                "form": lot.form,
                "composition": dict(lot.composition or {}),
                "dominant": expected.dominant if expected else None,
                "recorded_hs_code": recorded,
            },
            lot=lot.lot,
            enterprise=step.reporter,
            message="HS_CODE_MISDECLARED" + ("" if len(misfits) == 1 else ".unnamed"),
            params={
                "declaration": d.declaration_no,
                "lot": lot.lot,
                "form": lot.form or "",
                "items": [n for n, _, _ in misfits],
                "declared": [item.hs_code for _, item, _ in misfits],
                "expected": list(expected.codes) if expected else [recorded or ""],
            },
        )


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]"
    return str(value) if value else "(none)"
