"""What the API tests share besides fixtures: the seeded site's password, a Dy oxide composition
and a license application. A module of its own, not the conftest: several test folders have a
conftest.py, and `from conftest import` would find whichever was imported last."""

from __future__ import annotations

from typing import Any

from factory import World, extract, lot, receive, ship, transform

PASSWORD = "correct horse battery"
OXIDE_DY = {"Dy": 0.8713}


def application_request(exporter: str, lot_id: str = "DYO-1") -> dict[str, Any]:
    import base64

    return {
        "application": {
            "format": "reetrace/license-application@1",
            "exporter": exporter,
            "license_type": "single",
            "items": [{"lot": lot_id}],
            "consignee": {"name": "Lyon Aimants SA", "country": "FR"},
            "end_users": [{"name": "Lyon Aimants SA", "country": "FR"}],
            "end_use": "Magnets for electric bicycle hub motors",
            "destination": "FR",
            "contract_ref": "LA-7",
            "valid_from": "2099-03-01",
            "valid_to": "2100-02-28",
            "documents": [
                {"kind": "end_user_certificate", "path": "euc.pdf"},
                {"kind": "end_use_certificate", "path": "eu.pdf"},
            ],
        },
        "files": {
            "euc.pdf": base64.b64encode(b"end user certificate").decode(),
            "eu.pdf": base64.b64encode(b"end use certificate").decode(),
        },
    }


def chain(world: World) -> dict[str, dict[str, Any]]:
    """A mine ships concentrate to a separation plant, which separates it and ships Dy oxide to
    the trader; each enterprise's month as one signed submission."""
    m, p, x = world.mine, world.plant, world.trader
    return {
        "mine": m.submit(
            [extract("m1", "C1", 1000, composition={"Ce": 0.2, "Dy": 0.06}), ship("m2", ["C1"], p.uscc, "S1")]
        ),
        "plant": p.submit(
            [
                receive("p1", ["C1"], m.uscc, "S1"),
                transform(
                    "p2",
                    "separation",
                    [("C1", 1000)],
                    [lot("DYO-1", "oxide", 40, OXIDE_DY), lot("CEO-1", "oxide", 230, {"Ce": 0.8141})],
                ),
                ship("p3", ["DYO-1"], x.uscc, "S2", time="2026-01-12T08:00:00+08:00"),
            ]
        ),
        "trader": x.submit([receive("x1", ["DYO-1"], p.uscc, "S2", time="2026-01-14T08:00:00+08:00")]),
    }
