"""Plain-object builders for the audit tests: enterprises, a registry, events and a runner.

Every enterprise is qualified for every kind from 2020 to 2030 and has ample quotas unless a
test builds its own registry. Times are in China Standard Time; `received_at` defaults to the
event time (reported at once), so no test trips LATE_REPORT unless it means to.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from reetrace.domain.audit import audit
from reetrace.domain.controls import ControlList
from reetrace.domain.events import (
    Adjust,
    Consume,
    Draw,
    Event,
    Export,
    Extract,
    Import,
    NewLot,
    Receive,
    RecordedEvent,
    Ship,
    Transform,
)
from reetrace.domain.findings import Finding, Thresholds
from reetrace.domain.registry import QUALIFICATION_KINDS, License, LicenseItem, Qualification, Quota, Registry

CST = timezone(timedelta(hours=8))
MINE = "91150200MINE00001A"
SEP = "91150200SEPARATOR2"
METAL = "91360700METALWORK6"
TRADER = "91310000TRADER0004"
MAGNET = "91330200MAGNETCO05"
EVERYONE = (MINE, SEP, METAL, TRADER, MAGNET)
AS_OF = date(2026, 12, 31)

CONTROL_LIST = Path(__file__).resolve().parents[3] / "src" / "reetrace" / "data" / "control_list.json"

CONCENTRATE = {"La": 0.12, "Ce": 0.25, "Pr": 0.025, "Nd": 0.09}  # ~0.55 REO, light
ION_CLAY = {"Y": 0.3, "Dy": 0.05, "Tb": 0.01, "Nd": 0.1}
DY_OXIDE = {"Dy": 0.8713}
ND_OXIDE = {"Nd": 0.8574}
MAGNET_NDFEB = {"Nd": 0.29, "Pr": 0.01, "Dy": 0.01}


def at(day: int = 0, hour: int = 9, minute: int = 0, month: int = 3, year: int = 2026) -> datetime:
    """A moment in China Standard Time; `day` counts from the 1st of the month (0 = the 1st)."""
    return datetime(year, month, 1, hour, minute, tzinfo=CST) + timedelta(days=day)


def new(
    lot: str, mass: float = 1000.0, composition: dict[str, float] | None = None, form: str = "concentrate"
) -> NewLot:
    return NewLot(lot, form, mass, dict(CONCENTRATE if composition is None else composition))


def extract(reporter: str, eid: str, time: datetime, *outputs: NewLot, deposit: str = "rock") -> Extract:
    return Extract(reporter, eid, time, deposit=deposit, outputs=tuple(outputs))


def import_(reporter: str, eid: str, time: datetime, *outputs: NewLot) -> Import:
    return Import(reporter, eid, time, origin_country="MM", customs_declaration="CD-1", outputs=tuple(outputs))


def transform(
    reporter: str, eid: str, time: datetime, process: str, inputs: Iterable[tuple[str, float]], *outputs: NewLot
) -> Transform:
    return Transform(
        reporter, eid, time, process=process, inputs=tuple(Draw(lot, kg) for lot, kg in inputs), outputs=tuple(outputs)
    )


def ship(reporter: str, eid: str, time: datetime, lots: Iterable[str], to: str, shipment: str = "S1") -> Ship:
    return Ship(reporter, eid, time, lots=tuple(lots), to=to, shipment=shipment)


def receive(
    reporter: str,
    eid: str,
    time: datetime,
    lots: Iterable[str],
    sender: str,
    shipment: str = "S1",
    mass_kg: float | None = None,
) -> Receive:
    return Receive(reporter, eid, time, lots=tuple(lots), sender=sender, shipment=shipment, mass_kg=mass_kg)


def export(
    reporter: str,
    eid: str,
    time: datetime,
    lots: Iterable[str],
    license_no: str | None = None,
    consignee: str = "Example GmbH",
    destination: str = "DE",
) -> Export:
    return Export(
        reporter,
        eid,
        time,
        lots=tuple(lots),
        consignee=consignee,
        destination=destination,
        customs_declaration="CD-2",
        license_no=license_no,
    )


def consume(reporter: str, eid: str, time: datetime, draws: Iterable[tuple[str, float]]) -> Consume:
    return Consume(reporter, eid, time, lots=tuple(Draw(lot, kg) for lot, kg in draws), purpose="production")


def adjust(reporter: str, eid: str, time: datetime, lot: str, delta_kg: float) -> Adjust:
    return Adjust(reporter, eid, time, lot=lot, delta_kg=delta_kg, reason="stock-take")


def registry(
    qualified: Iterable[str] = EVERYONE,
    kinds: Iterable[str] = QUALIFICATION_KINDS,
    quotas: Iterable[Quota] | None = None,
    licenses: Iterable[License] = (),
) -> Registry:
    reg = Registry()
    for uscc in qualified:
        for kind in kinds:
            reg.add_qualification(Qualification(uscc, kind, date(2020, 1, 1), date(2030, 12, 31)))
    if quotas is None:  # ample quotas for every year of the tests
        quotas = [
            Quota(year, uscc, kind, cat, 1e6)
            for year in (2025, 2026, 2027)
            for uscc in EVERYONE
            for kind, cat in (("mining", "rock"), ("mining", "ion_adsorption"), ("separation", "all"))
        ]
    for quota in quotas:
        reg.quotas[(quota.year, quota.uscc, quota.kind, quota.category)] = quota
    for lic in licenses:
        reg.licenses[lic.license_no] = lic
    return reg


def license_(
    license_no: str = "RE-2026-000123",
    exporter: str = MAGNET,
    items: Iterable[tuple[str, str, float]] = (("Dy", "magnet", 500.0),),
    consignee: str = "Example GmbH",
    destination: str = "DE",
    valid: tuple[date, date] = (date(2026, 1, 1), date(2026, 12, 31)),
    issued_here: bool = False,
) -> License:
    return License(
        license_no,
        exporter,
        consignee,
        consignee,
        destination,
        valid[0],
        valid[1],
        tuple(LicenseItem(e, f, m) for e, f, m in items),
        issued_here,
    )


def controls() -> ControlList:
    return ControlList.from_document(json.loads(CONTROL_LIST.read_text(encoding="utf-8")))


_CONTROLS = controls()


def recorded(event: Event, received_at: datetime | None = None, seq: int = 0) -> RecordedEvent:
    return RecordedEvent(event, received_at or event.time, seq)


def run(
    events: Iterable[Event | RecordedEvent],
    reg: Registry | None = None,
    as_of: date = AS_OF,
    thresholds: Thresholds | None = None,
) -> list[Finding]:
    records = [e if isinstance(e, RecordedEvent) else recorded(e) for e in events]
    return audit(records, reg if reg is not None else registry(), _CONTROLS, as_of, thresholds or Thresholds())


def codes(findings: Iterable[Finding]) -> list[str]:
    return [f.code for f in findings]


def of(findings: Iterable[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def one(findings: Iterable[Finding], code: str) -> Finding:
    found = of(findings, code)
    assert len(found) == 1, f"expected one {code}, got {[f.as_contract() for f in found]}"
    return found[0]
