"""A small ledger for the EPCIS query and export tests: every §4 event type, a lot made into two,
a lot that is a GS1 LGTIN, and shipments each way between the three enterprises of
`factory.World`, one of them never received.

    mine    m1 extract C1 · m2 ship C1 → plant (S1) · m3 extract C2 · m4 adjust C2
    plant   p1 receive C1 ← mine (S1) · p2 transform C1 → DYO-1, CEO-1 · p3 ship DYO-1 → trader (S2)
            · p4 consume CEO-1
    trader  x1 receive DYO-1 ← plant (S2) · x2 export DYO-1 · x3 import LGTIN · x4 ship LGTIN → mine (S3),
            which the mine never receives
"""

from __future__ import annotations

from typing import Any

from factory import World, export, extract, lot, receive, ship, transform

OXIDE_DY = {"Dy": 0.8713}
LGTIN = "urn:epc:class:lgtin:4012345.012345.L7"


def events(world: World) -> dict[str, list[dict[str, Any]]]:
    """Each enterprise's events, by its USCC."""
    m, p, x = world.mine, world.plant, world.trader
    return {
        m.uscc: [
            extract("m1", "C1", 1000, composition={"Ce": 0.2, "Dy": 0.06}),
            ship("m2", ["C1"], p.uscc, "S1"),
            extract("m3", "C2", 500, time="2026-01-05T09:00:00+08:00"),
            {
                "event_id": "m4",
                "type": "adjust",
                "time": "2026-01-09T08:00:00+08:00",
                "lot": "C2",
                "delta_kg": -2.5,
                "reason": "stock count",
                "site": f"{m.uscc}/P1",
            },
        ],
        p.uscc: [
            receive("p1", ["C1"], m.uscc, "S1"),
            transform(
                "p2",
                "separation",
                [("C1", 1000)],
                [lot("DYO-1", "oxide", 40, OXIDE_DY), lot("CEO-1", "oxide", 230, {"Ce": 0.8141})],
            ),
            ship("p3", ["DYO-1"], x.uscc, "S2", time="2026-01-12T08:00:00+08:00"),
            {
                "event_id": "p4",
                "type": "consume",
                "time": "2026-01-13T08:00:00+08:00",
                "lots": [{"lot": "CEO-1", "mass_kg": 30}],
                "purpose": "polishing powder",
            },
        ],
        x.uscc: [
            receive("x1", ["DYO-1"], p.uscc, "S2", time="2026-01-14T08:00:00+08:00"),
            export("x2", ["DYO-1"], time="2026-01-20T08:00:00+08:00"),
            {
                "event_id": "x3",
                "type": "import",
                "time": "2026-01-15T08:00:00+08:00",
                "origin_country": "MM",
                "customs_declaration": "IMP-7",
                "outputs": [lot(LGTIN, "oxide", 5, OXIDE_DY)],
            },
            ship("x4", [LGTIN], m.uscc, "S3", time="2026-01-16T08:00:00+08:00"),
        ],
    }


def submissions(world: World) -> dict[str, dict[str, Any]]:
    """Each enterprise's events as its signed submission, by USCC."""
    parties = {p.uscc: p for p in (world.mine, world.plant, world.trader)}
    return {uscc: parties[uscc].submit(batch) for uscc, batch in events(world).items()}


def seen_by(world: World) -> dict[str, set[str]]:
    """The event ids each enterprise is party to: its own, the shipments to it, the receipts
    from it (contract §10)."""
    m, p, x = world.mine.uscc, world.plant.uscc, world.trader.uscc
    return {
        m: {"m1", "m2", "m3", "m4", "p1", "x4"},
        p: {"p1", "p2", "p3", "p4", "m2", "x1"},
        x: {"x1", "x2", "x3", "x4", "p3"},
    }
