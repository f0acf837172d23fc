"""Exporters of a national year, their foreign customers and their dual-use licenses.

Each exporter holds one to four single licenses for Dy/Tb magnets (one end user each) and some
hold one for Dy, Tb and Y oxides. In 2025 they are issued from late May, after Announcement
No. 18 took effect on 4 April; in later years from January. Controlled lots are sent to an
exporter only while it holds a license that covers them; everything else is exported freely.
A license's `max_kg` is sized at the end of the year from what was exported under it (the
demo's rule), except for the injected LICENSE_EXCEEDED ones, sized below their use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding
from reetrace.demo.exports import MAGNET_ITEMS, OXIDE_ITEMS, License, size_licenses
from reetrace.demo.violations import Plan
from reetrace.simulate.schemes import start_layered_trip
from reetrace.simulate.state import YearState

CUSTOMERS = [
    ("Vogel Antriebstechnik GmbH", "DE"),
    ("Nakamura Denki K.K.", "JP"),
    ("Great Lakes Motion Inc.", "US"),
    ("Hanul Motors Co., Ltd.", "KR"),
    ("Veldhoven Magnetics B.V.", "NL"),
    ("Shinwa Materials Co., Ltd.", "JP"),
    ("Rheinland Elektromotoren AG", "DE"),
    ("Lyon Mobilité Électrique SAS", "FR"),
    ("Torino Motori S.p.A.", "IT"),
    ("Osaka Precision Motor Co., Ltd.", "JP"),
    ("Busan Drive Systems Co., Ltd.", "KR"),
    ("Pune Traction Pvt. Ltd.", "IN"),
    ("Bangkok Auto Parts Co., Ltd.", "TH"),
    ("Penang Electronics Sdn. Bhd.", "MY"),
    ("Monterrey Motores S.A. de C.V.", "MX"),
    ("Ohio Valley Magnetics LLC", "US"),
    ("Göteborg Drivlina AB", "SE"),
    ("Wrocław Silniki Sp. z o.o.", "PL"),
    ("Brno Pohony s.r.o.", "CZ"),
    ("Hsinchu Magnet Co., Ltd.", "TW"),
    ("Hanoi Motor Components JSC", "VN"),
    ("Ankara Elektrik Motor A.Ş.", "TR"),
    ("Sheffield Alloys Ltd.", "GB"),
    ("Kobe Ceramics Co., Ltd.", "JP"),
    ("Ulsan Chemical Co., Ltd.", "KR"),
    ("Antwerp Materials N.V.", "BE"),
]
UNLICENSED_BUYERS = [
    ("Saigon Magnet Trading Co., Ltd.", "VN"),
    ("Jebel Ali Metals FZE", "AE"),
    ("Tashkent Resource Trading LLC", "UZ"),
]
ELSEWHERE = ("US", "IN", "TR", "AE", "RU")  # where a mismatched export actually goes
PORTS = {
    "Shanghai": "2201",
    "Ningbo": "3101",
    "Xiamen": "3701",
    "Tianjin": "0202",
    "Qingdao": "4201",
    "Shenzhen": "5301",
    "Guangzhou": "5141",
}


@dataclass
class NationalLicense(License):
    consignee: str = ""
    destination: str = ""
    exceed: bool = False  # an injected LICENSE_EXCEEDED: sized below what is exported under it
    exports: list[tuple[str, str, dict[tuple[str, str], float]]] = field(default_factory=list)  # ref, lot, kg

    def document(self) -> dict[str, Any]:
        return {
            "license_no": self.license_no,
            "exporter": self.exporter.uscc,
            "consignee": self.consignee,
            "end_user": self.consignee,
            "destination": self.destination,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
            "items": [{"element": e, "form": f, "max_kg": self.max_kg[(e, f)]} for e, f in self.items],
        }


def issue_licenses(state: YearState) -> None:
    world, rng = state.world, state.world.rng
    exporters = world.by_role["exporter"]
    serial = rng.randrange(1000, 5000)
    first = date(world.year, 5, 26) if world.year == 2025 else date(world.year, 1, 2)
    spread = 80 if world.year == 2025 else 25
    for n, exporter in enumerate(exporters):
        magnets = 1 + min(3, int(exporter.share * len(exporters) * 1.5))
        plan = [(c, MAGNET_ITEMS) for c in rng.sample(CUSTOMERS, magnets)]
        if n == 0 or rng.random() < 0.3:
            plan.append((CUSTOMERS[rng.randrange(len(CUSTOMERS))], OXIDE_ITEMS))
        for (consignee, country), items in plan:
            serial += rng.randint(3, 60)
            lic = NationalLicense(
                f"RE-{world.year}-{serial:06d}",
                exporter,
                consignee,
                first + timedelta(days=rng.randint(0, spread)),
                items,
                consignee=consignee,
                destination=country,
            )
            lic.exceed = state.injections.chance("LICENSE_EXCEEDED", lic.valid_from)
            state.licenses.append(lic)


def licensed_exporter(state: YearState, h: Holding) -> Actor | None:
    """An exporter holding a license valid today that covers the lot, drawn by size."""
    items = state.world.controlled(h)
    key = (state.world.day, tuple(items))
    if key not in state.licensed:
        if len(state.licensed) > 64:
            state.licensed.clear()
        today = state.today
        state.licensed[key] = list(
            {lic.exporter.key: lic.exporter for lic in state.licenses if lic.covers(items, today)}.values()
        )
    exporters = state.licensed[key]
    return state.pick("exporter", exporters) if exporters else None


def _export(
    state: YearState,
    exporter: Actor,
    lots: list[Holding],
    consignee: str,
    destination: str,
    lic: NationalLicense | None = None,
) -> dict[str, Any]:
    world = state.world
    for h in lots:
        del world.holdings[exporter.key][h.lot]
        state.tally[f"exported_{h.form}"] += h.mass
    members: dict[str, Any] = {
        "lots": [h.lot for h in lots],
        "consignee": consignee,
        "destination": destination,
        "customs_declaration": world.declaration(PORTS.get(exporter.name_en.split()[0], "2201"), "0"),
    }
    if lic is not None:
        members["license_no"] = lic.license_no
    event = world.emit(exporter, "export", **members)
    if lic is not None:
        for h in lots:
            used = {item: h.mass for item in world.controlled(h) if item in lic.items}
            for item, kg in used.items():
                lic.used_kg[item] += kg
            lic.exports.append((state.ref(exporter, event), h.lot, used))
    return event


def exporter_day(state: YearState, exporter: Actor) -> None:
    world, rng, injections, today = state.world, state.world.rng, state.injections, state.today
    lots = world.ready(exporter, movable=True)
    if not lots:
        return
    free: list[Holding] = []
    for h in lots:
        items = world.controlled(h)
        if not items:
            if (
                h.came_from != "trader"
                and not state.circular
                and not state.returns
                and injections.chance("CIRCULAR_TRADE", today)
            ):  # recorded when it comes back
                world.ship(exporter, state.pick("trader"), [h], wait=1)
                state.circular[h.lot] = exporter
                continue
            if h.came_from != "trader" and start_layered_trip(state, exporter, h):
                continue  # recorded when it comes back
            free.append(h)
            continue
        options = [lic for lic in state.licenses if lic.exporter is exporter and lic.covers(items, today)]
        if not options:
            continue  # it waits for a license
        if injections.chance("EXPORT_WITHOUT_LICENSE", today):
            consignee, country = UNLICENSED_BUYERS[rng.randrange(len(UNLICENSED_BUYERS))]
            event = _export(state, exporter, [h], consignee, country)
            injections.record(
                "EXPORT_WITHOUT_LICENSE",
                exporter.uscc,
                h.lot,
                state.ref(exporter, event),
                f"{h.lot} ({h.form}, {', '.join(e for e, _ in items)}) exported to {country} with no license",
            )
            continue
        lic = options[rng.randrange(len(options))]
        if injections.chance("LICENSE_MISMATCH", today):
            elsewhere = [c for c in ELSEWHERE if c != lic.destination]
            country = elsewhere[rng.randrange(len(elsewhere))]
            event = _export(state, exporter, [h], lic.consignee, country, lic)
            injections.record(
                "LICENSE_MISMATCH",
                exporter.uscc,
                h.lot,
                state.ref(exporter, event),
                f"exported under {lic.license_no} (licensed for {lic.destination}) to {country}",
            )
            continue
        _export(state, exporter, [h], lic.consignee, lic.destination, lic)
    while free:  # declarations of one or two lots
        size = rng.randint(1, 2)
        consignee, country = CUSTOMERS[rng.randrange(len(CUSTOMERS))]
        _export(state, exporter, free[:size], consignee, country)
        free = free[size:]


def size_all(state: YearState) -> None:
    """Every license's max_kg; the injected ones below their use, with the export that goes over
    recorded. When no license was picked (a small fraction of a year), the busiest one is."""
    size_licenses(state.world, state.licenses, Plan(state.world.year))  # the demo's rule for all
    chosen = [lic for lic in state.licenses if lic.exceed and lic.exports]
    if not chosen:
        busiest = max(state.licenses, key=lambda lic: len(lic.exports), default=None)
        chosen = [busiest] if busiest is not None and busiest.exports else []
    for lic in chosen:
        item = max(lic.items, key=lambda i: (sum(1 for _, _, kg in lic.exports if i in kg), i))
        used = [(ref, lot, kg[item]) for ref, lot, kg in lic.exports if item in kg]
        if not used:
            continue
        over = len(used) // 2  # the export that takes it over
        before = sum(kg for _, _, kg in used[:over])
        lic.max_kg[item] = float(math.floor(before + used[over][2] / 2))
        ref, lot, _ = used[over]
        state.injections.record(
            "LICENSE_EXCEEDED",
            lic.exporter.uscc,
            lot,
            ref,
            f"exports under {lic.license_no} reach {sum(kg for *_, kg in used):,.0f} kg of "
            f"{item[0]} {item[1]}s against a max_kg of {lic.max_kg[item]:,.0f}",
        )
