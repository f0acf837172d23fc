"""Redacted certificates from a real store (SQLite, or PostgreSQL with REETRACE_TEST_DB): a mine
(its site, pit and HS code in the events), a separation plant and an importer (its customs
declaration) supply a magnet maker. The maker's certificate verifies offline from the file and
the key text alone, has the complete trace's figures, holds none of the others' identities, and
the authority opens a redacted event's commitments for an auditor; the authority's own
certificate is the complete one."""

from __future__ import annotations

import json

import pytest

from factory import Party, World, lot, make_key, make_uscc, receive, ship, transform
from reetrace.certificates.bundle import dumps
from reetrace.certificates.printable import render_html
from reetrace.certificates.redaction import check_opening
from reetrace.certificates.verify import verify
from reetrace.config import Settings
from reetrace.errors import UsageError
from reetrace.services import log
from reetrace.services.certify import certify, enterprise_names, open_redacted
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.services.trace import trace

DY_OXIDE = {"Dy": 0.8713 * 0.99}
MAGNET = {"Nd": 0.29, "Dy": 0.01}


@pytest.fixture
def settings(store_url, tmp_path):
    return Settings(db_url=store_url, log_key_dir=tmp_path / "logkeys")


@pytest.fixture
def cast():
    world = World()
    importer = Party(make_uscc(7), make_key("party-7"), ("trade",), name="Importer Seven Trading")
    maker = Party(make_uscc(8), make_key("party-8"), ("magnet",), name="Maker Eight Magnets")
    return world, importer, maker


@pytest.fixture
def ledger(store, cast, write_json, settings):
    world, importer, maker = cast
    m, p = world.mine, world.plant
    registry = world.registry()
    registry["enterprises"] += [importer.registry_entry(), maker.registry_entry()]
    load_registry(store, registry)
    subs = {
        "mine": m.submit(
            [
                {
                    "event_id": "MINE-EV-0001",
                    "type": "extract",
                    "time": "2026-01-05T08:00:00+08:00",
                    "site": f"{m.uscc}/P1",
                    "deposit": "rock",
                    "ext": {"pit": "North-7"},
                    "outputs": [
                        {
                            "lot": "C1",
                            "form": "concentrate",
                            "mass_kg": 1000,
                            "composition": {"Ce": 0.2, "Nd": 0.1, "Dy": 0.03},
                            "hs_code": "2530902000",
                        }
                    ],
                },
                ship("MINE-EV-0002", ["C1"], p.uscc, "SHIP-MP-77"),
            ]
        ),
        "plant": p.submit(
            [
                receive("PLANT-EV-0001", ["C1"], m.uscc, "SHIP-MP-77"),
                transform(
                    "PLANT-EV-0002",
                    "separation",
                    [("C1", 1000)],
                    [lot("DYO-1", "oxide", 33.0, DY_OXIDE), lot("CEO-1", "oxide", 240.0, {"Ce": 0.8141})],
                ),
                ship("PLANT-EV-0003", ["DYO-1"], maker.uscc, "SHIP-PK-88", time="2026-01-12T08:00:00+08:00"),
            ]
        ),
        "importer": importer.submit(
            [
                {
                    "event_id": "IMP-EV-0001",
                    "type": "import",
                    "time": "2026-01-08T08:00:00+08:00",
                    "origin_country": "MM",
                    "customs_declaration": "531620261000012345",
                    "outputs": [{"lot": "NDM-9", "form": "metal", "mass_kg": 300, "composition": {"Nd": 0.99}}],
                },
                ship("IMP-EV-0002", ["NDM-9"], maker.uscc, "SHIP-IK-99", time="2026-01-09T08:00:00+08:00"),
            ]
        ),
        "maker": maker.submit(
            [
                receive("MK-1", ["DYO-1"], p.uscc, "SHIP-PK-88", time="2026-01-13T08:00:00+08:00"),
                receive("MK-2", ["NDM-9"], importer.uscc, "SHIP-IK-99", time="2026-01-10T08:00:00+08:00"),
                transform(
                    "MK-3",
                    "magnet",
                    [("NDM-9", 150.0), ("DYO-1", 6.0)],
                    [lot("MAG-1", "magnet", 500.0, MAGNET)],
                    time="2026-01-20T08:00:00+08:00",
                ),
            ]
        ),
    }
    ingest(store, [write_json(f"{n}.json", d) for n, d in subs.items()], as_received_created_at=True)
    log.publish_checkpoint(store, settings)
    return store


def hidden_values(cast) -> list[str]:
    world, importer, maker = cast
    parties = (world.mine, world.plant, importer)
    return [
        *(p.uscc for p in parties),
        *(p.name for p in parties),
        *("MINE-EV-0001", "PLANT-EV-0002", "IMP-EV-0001", "North-7", "2530902000", "531620261000012345"),
        *("SHIP-MP-77", "SHIP-PK-88", "SHIP-IK-99"),
    ]


def figures(doc):
    return sorted((o["lot"], o["type"], o["elements_kg"], o["reo_kg"]) for o in doc["origins"])


def test_the_makers_certificate_verifies_offline_and_hides_the_others(ledger, cast, settings, tmp_path):
    maker = cast[2]
    certificate = certify(ledger, settings, "MAG-1", for_enterprise=maker.uscc)
    full_trace = trace(ledger, "MAG-1", "backward")
    key = log.verifier_key(ledger, settings)
    path = tmp_path / "MAG-1.cert.json"
    path.write_text(dumps(certificate), encoding="utf-8")
    page = render_html(certificate, enterprise_names(ledger, [maker.uscc]), None)
    ledger.dispose()  # from here on: the file and the key text

    text = path.read_text(encoding="utf-8")
    result = verify(json.loads(text), key)
    assert result.ok, result.failures
    assert result.seen_in_full == [f"{maker.uscc}:MK-3"] and len(result.redacted_leaves) == 3
    assert figures(result.trace) == figures(full_trace)
    assert result.trace["elements_kg"] == {"Nd": 145.0, "Dy": 5.0}  # 500 kg at 29 % Nd and 1 % Dy
    for value in hidden_values(cast):
        assert value not in text, value
        assert value not in page, value
    assert "Maker Eight Magnets" in page and "withheld" in page


def test_the_authoritys_certificate_is_complete(ledger, cast, settings):
    certificate = certify(ledger, settings, "MAG-1")
    text = json.dumps(certificate)
    assert certificate["format"] == "reetrace/certificate@1" and "redacted" not in certificate
    assert certificate["trace"] == trace(ledger, "MAG-1", "backward")
    for value in hidden_values(cast)[:3] + ["MINE-EV-0001", "North-7", "531620261000012345"]:
        assert value in text  # everything the redacted one hides, the complete one holds
    assert verify(certificate, log.verifier_key(ledger, settings)).ok


def test_each_alteration_fails(ledger, cast, settings):
    certificate = certify(ledger, settings, "MAG-1", for_enterprise=cast[2].uscc)
    key = log.verifier_key(ledger, settings)
    for change in ("projection", "proof", "signature", "commitment"):
        altered = json.loads(json.dumps(certificate))
        redacted = altered["redacted"][0]
        if change == "projection":
            redacted["projection"]["outputs"][0]["composition"]["Dy"] = 0.04
        elif change == "proof":
            redacted["proof"][0] = redacted["proof"][0][::-1]
        elif change == "signature":
            redacted["signature"] = redacted["signature"][:-4] + "AAA="
        else:
            redacted["commitments"]["/reporter"] = redacted["commitments"]["/event/event_id"]
        result = verify(altered, key)
        assert not result.ok, change
        assert result.failures[0].startswith("redacted event 1 (leaf 0): "), (change, result.failures)


def test_the_authority_opens_a_redacted_event_for_an_auditor(ledger, cast, settings):
    world, importer, _ = cast
    certificate = certify(ledger, settings, "MAG-1", for_enterprise=cast[2].uscc)
    imported = next(r for r in certificate["redacted"] if r["projection"]["type"] == "import")
    everything = open_redacted(ledger, settings, certificate, imported["leaf_index"])
    assert everything["openings"]["/reporter"]["value"] == importer.uscc
    assert everything["openings"]["/event/customs_declaration"]["value"] == "531620261000012345"
    assert check_opening(imported, everything) == []
    one = open_redacted(ledger, settings, certificate, imported["leaf_index"], ["/reporter"])
    assert list(one["openings"]) == ["/reporter"] and check_opening(imported, one) == []
    with pytest.raises(UsageError, match="not a hidden member"):
        open_redacted(ledger, settings, certificate, imported["leaf_index"], ["/event/origin_country"])
    with pytest.raises(UsageError, match="redacts no event at leaf"):
        open_redacted(ledger, settings, certificate, 10_000)


def test_the_plant_sees_its_own_separation_whole(ledger, cast, settings):
    world = cast[0]
    certificate = certify(ledger, settings, "MAG-1", for_enterprise=world.plant.uscc)
    result = verify(certificate, log.verifier_key(ledger, settings))
    assert result.ok and result.seen_in_full == [f"{world.plant.uscc}:PLANT-EV-0002"]
    assert world.mine.uscc not in json.dumps(certificate) and cast[2].uscc not in json.dumps(certificate)
