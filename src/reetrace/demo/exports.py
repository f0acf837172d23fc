"""Exporters, their foreign customers and their dual-use licenses.

Licenses are migrated from MOFCOM's system: single licenses (one end user, one year) issued from
late May 2025, after Announcement No. 18 took effect on 4 April, so controlled items pile up at
the exporters for a while, as they did. A license's `max_kg` is sized from what is actually
exported under it, with room to spare; only the license of the LICENSE_EXCEEDED injection is
sized below its use.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from reetrace.demo.cast import Actor
from reetrace.demo.chain import Holding, World
from reetrace.demo.schemes import start_layered
from reetrace.demo.violations import Plan

CUSTOMERS = {
    "vogel": ("Vogel Antriebstechnik GmbH", "DE"),
    "nakamura": ("Nakamura Denki K.K.", "JP"),
    "greatlakes": ("Great Lakes Motion Inc.", "US"),
    "hanul": ("Hanul Motors Co., Ltd.", "KR"),
    "veldhoven": ("Veldhoven Magnetics B.V.", "NL"),
    "shinwa": ("Shinwa Materials Co., Ltd.", "JP"),
    "daesan": ("Daesan Materials Co., Ltd.", "KR"),
    "saigon": ("Saigon Magnet Trading Co., Ltd.", "VN"),
}
OPEN_MARKET = ("vogel", "nakamura", "greatlakes", "hanul", "veldhoven", "shinwa")
MAGNET_ITEMS: tuple[tuple[str, str], ...] = (("Dy", "magnet"), ("Tb", "magnet"))
OXIDE_ITEMS: tuple[tuple[str, str], ...] = (("Dy", "oxide"), ("Tb", "oxide"), ("Y", "oxide"))
# exporter -> [(customer, first valid day, items)]
LICENSE_PLAN = {
    "shx": [("vogel", (6, 10), MAGNET_ITEMS), ("greatlakes", (7, 15), MAGNET_ITEMS), ("shinwa", (5, 28), OXIDE_ITEMS)],
    "xmx": [
        ("nakamura", (6, 3), MAGNET_ITEMS),
        ("hanul", (7, 1), MAGNET_ITEMS),
        ("veldhoven", (8, 5), MAGNET_ITEMS),
        ("shinwa", (6, 16), OXIDE_ITEMS),
    ],
}
EXCEEDED_LICENSE = ("shx", "daesan", (6, 20), (("Dy", "oxide"),))
PORTS = {"shx": "2201", "xmx": "3701"}


@dataclass
class License:
    license_no: str
    exporter: Actor
    customer: str
    valid_from: date
    items: tuple[tuple[str, str], ...]
    injected: bool = False
    used_kg: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    max_kg: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def valid_to(self) -> date:
        return self.valid_from + timedelta(days=364)  # a single license runs at most a year

    def covers(self, items: list[tuple[str, str]], day: date) -> bool:
        return self.valid_from <= day <= self.valid_to and all(i in self.items for i in items)

    def document(self) -> dict[str, Any]:
        consignee, destination = CUSTOMERS[self.customer]
        return {
            "license_no": self.license_no,
            "exporter": self.exporter.uscc,
            "consignee": consignee,
            "end_user": consignee,
            "destination": destination,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
            "items": [{"element": e, "form": f, "max_kg": self.max_kg[(e, f)]} for e, f in self.items],
        }


def template(actor: Actor) -> str:
    return actor.key.rstrip("0123456789")


def issue_licenses(world: World) -> list[License]:
    rng = world.rng
    serial = rng.randrange(1000, 5000)
    licenses = []
    for exporter in world.by_role["exporter"]:
        plan = list(LICENSE_PLAN[template(exporter)])
        for customer, (month, day), items in plan:
            serial += rng.randint(3, 60)
            shift = 0 if exporter.key == template(exporter) else rng.randint(0, 20)
            licenses.append(
                License(
                    f"RE-{world.year}-{serial:06d}",
                    exporter,
                    customer,
                    date(world.year, month, day) + timedelta(days=shift),
                    items,
                )
            )
        if exporter.key == EXCEEDED_LICENSE[0]:
            serial += rng.randint(3, 60)
            _, customer, (month, day), items = EXCEEDED_LICENSE
            licenses.append(
                License(
                    f"RE-{world.year}-{serial:06d}",
                    exporter,
                    customer,
                    date(world.year, month, day),
                    items,
                    injected=True,
                )
            )
    return licenses


def size_licenses(world: World, licenses: Sequence[License], plan: Plan) -> None:
    """Set every item's max_kg: used × 1.15–1.5 plus 200 kg, rounded up to 100 kg."""
    for lic in licenses:
        for item in lic.items:
            if lic.injected:
                lic.max_kg[item] = plan.state.get("exceeded_max_kg", 1000.0)  # absent: not injected
            else:
                room = lic.used_kg.get(item, 0.0) * world.rng.uniform(1.15, 1.5) + 200
                lic.max_kg[item] = float(math.ceil(room / 100) * 100)


def _export(
    world: World,
    exporter: Actor,
    lots: list[Holding],
    customer: str,
    lic: License | None = None,
    destination: str | None = None,
) -> dict[str, Any]:
    consignee, country = CUSTOMERS[customer]
    if lic is not None:
        for h in lots:
            for item in world.controlled(h):
                if item in lic.items:
                    lic.used_kg[item] += h.mass
    for h in lots:
        del world.holdings[exporter.key][h.lot]
    members: dict[str, Any] = {
        "lots": [h.lot for h in lots],
        "consignee": consignee,
        "destination": destination or country,
        "customs_declaration": world.declaration(PORTS[template(exporter)], "0"),
    }
    if lic is not None:
        members["license_no"] = lic.license_no
    return world.emit(exporter, "export", **members)


def exporter_day(world: World, exporter: Actor, plan: Plan, licenses: list[License]) -> None:
    rng = world.rng
    today = world.date()
    lots = _inject(world, exporter, plan, licenses, world.ready(exporter, movable=True))
    free = [h for h in lots if not world.controlled(h)]
    for i in range(0, len(free), 4):
        _export(world, exporter, free[i : i + 4], OPEN_MARKET[rng.randrange(len(OPEN_MARKET))])
    exported = {h.lot for h in free}
    for h in lots:
        if h.lot in exported:
            continue
        items = world.controlled(h)
        options = [
            lic for lic in licenses if lic.exporter is exporter and not lic.injected and lic.covers(items, today)
        ]
        if options:  # otherwise it waits for a license
            lic = options[rng.randrange(len(options))]
            _export(world, exporter, [h], lic.customer, lic)


def _inject(world: World, exporter: Actor, plan: Plan, licenses: list[License], lots: list[Holding]) -> list[Holding]:
    """Commit the export violations that fall to this exporter today; returns the lots left."""
    today = world.date()
    ref = world.ref

    def dy_magnets() -> list[Holding]:
        return [h for h in lots if h.form == "magnet" and ("Dy", "magnet") in world.controlled(h)]

    if plan.due("CIRCULAR_TRADE", exporter.key, today) and "circular_lot" not in plan.state:
        # a lot that has never been with the trader, so that only its return is circular
        free = [h for h in lots if not world.controlled(h) and h.came_from != "trader"]
        if free:
            h = free[0]
            trader = world.by_key["sht"]
            world.ship(exporter, trader, [h], wait=1)
            plan.state.update(circular_lot=h.lot, circular_from=exporter)
            lots.remove(h)
    start_layered(world, exporter, plan, lots)
    if plan.due("EXPORT_WITHOUT_LICENSE", exporter.key, today) and dy_magnets():
        h = dy_magnets()[0]
        event = _export(world, exporter, [h], "saigon")
        plan.record("EXPORT_WITHOUT_LICENSE", exporter.uscc, h.lot, ref(exporter, event))
        lots.remove(h)
    if plan.due("LICENSE_MISMATCH", exporter.key, today):
        de = next(lic for lic in licenses if lic.exporter is exporter and lic.customer == "vogel")
        candidates = [h for h in dy_magnets() if de.covers(world.controlled(h), today)]
        if candidates:
            h = candidates[0]
            event = _export(world, exporter, [h], "vogel", de, destination="US")
            plan.record(
                "LICENSE_MISMATCH",
                exporter.uscc,
                h.lot,
                ref(exporter, event),
                f"exported under {de.license_no} (licensed for DE) with destination US",
            )
            lots.remove(h)
    if plan.due("LICENSE_EXCEEDED", exporter.key, today):
        lic = next(lic for lic in licenses if lic.exporter is exporter and lic.injected)
        first = plan.state.get("exceeded_first")
        dy_oxide = [h for h in lots if h.product == "ox_Dy" and lic.covers(world.controlled(h), today)]
        if dy_oxide and (first is None or first[1] < world.day):
            h = dy_oxide[0]
            event = _export(world, exporter, [h], lic.customer, lic)
            lots.remove(h)
            if first is None:
                plan.state["exceeded_first"] = (h.mass, world.day)
            else:
                plan.state["exceeded_max_kg"] = float(math.floor(first[0] + h.mass / 2))
                plan.record(
                    "LICENSE_EXCEEDED",
                    exporter.uscc,
                    h.lot,
                    ref(exporter, event),
                    f"second Dy oxide export under {lic.license_no} takes it over its max_kg",
                )
    return lots
