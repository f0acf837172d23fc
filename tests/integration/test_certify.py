"""Certificates from a real store (SQLite, or PostgreSQL with REETRACE_TEST_DB): a chain
mine → separation → metal → magnet is ingested and logged, the magnet lot is certified, and the
certificate verifies with nothing but its file and the key text; a changed file does not."""

from __future__ import annotations

import json

import pytest

from factory import extract, lot, receive, ship, transform
from reetrace.certificates.bundle import dumps
from reetrace.certificates.printable import render_html
from reetrace.certificates.verify import verify
from reetrace.config import Settings
from reetrace.errors import NotFound, StoreError
from reetrace.ledger.note import Checkpoint
from reetrace.services import log
from reetrace.services.certify import certify, enterprise_names, signing_key
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.services.trace import trace
from reetrace.services.witnessing import witness_log
from reetrace.witness.witness import Witness

ND_OXIDE = {"Nd": 0.8574 * 0.99}
DY_OXIDE = {"Dy": 0.8713 * 0.99}
MAGNET = {"Nd": 0.29, "Dy": 0.01, "Pr": 0.005}


@pytest.fixture
def settings(store_url, tmp_path):
    return Settings(db_url=store_url, log_key_dir=tmp_path / "logkeys")


def submissions(world) -> dict[str, dict]:
    m, p = world.mine, world.plant
    return {
        "mine.json": m.submit(
            [
                extract("m1", "C1", 1000, composition={"Ce": 0.2, "Nd": 0.1, "Pr": 0.03, "Dy": 0.02}),
                extract(
                    "m2", "C2", 500, composition={"Ce": 0.1, "Nd": 0.2, "Dy": 0.04}, time="2026-01-05T09:00:00+08:00"
                ),
                extract("m3", "C3", 700, time="2026-01-05T10:00:00+08:00"),  # not in the magnet's chain
                ship("m4", ["C1", "C2"], p.uscc, "S1"),
            ]
        ),
        "plant.json": p.submit(
            [
                receive("p1", ["C1", "C2"], m.uscc, "S1", mass_kg=1500),
                transform(
                    "p2",
                    "separation",
                    [("C1", 1000), ("C2", 500)],
                    [
                        lot("NDO-1", "oxide", 226.0, ND_OXIDE),
                        lot("DYO-1", "oxide", 45.0, DY_OXIDE),
                        lot("PRO-1", "oxide", 30.0, {"Pr": 0.82}),
                        lot("CEO-1", "oxide", 300.0, {"Ce": 0.8141}),
                    ],
                ),
                transform(
                    "p3",
                    "metal",
                    [("NDO-1", 226.0), ("PRO-1", 10.0)],
                    [lot("NDM-1", "metal", 195.0, {"Nd": 0.95, "Pr": 0.04})],
                    time="2026-01-12T08:00:00+08:00",
                ),
                transform(
                    "p4",
                    "magnet",
                    [("NDM-1", 150.0), ("DYO-1", 5.0)],
                    [lot("MAG-1", "magnet", 500.0, MAGNET)],
                    time="2026-01-20T08:00:00+08:00",
                ),
            ],
            created_at="2026-02-06T10:00:00+08:00",
        ),
    }


@pytest.fixture
def ledger(store, world, write_json, settings):
    load_registry(store, world.registry())
    for name, doc in submissions(world).items():
        ingest(store, [write_json(name, doc)], as_received_created_at=True)
        log.publish_checkpoint(store, settings)
    return store


def log_key(store, settings) -> str:
    return log.verifier_key(store, settings)


def test_the_magnet_is_certified_and_verifies_from_the_file_alone(ledger, world, settings, tmp_path):
    certificate = certify(ledger, settings, "MAG-1")
    path = tmp_path / "MAG-1.cert.json"
    path.write_text(dumps(certificate), encoding="utf-8")
    key = log_key(ledger, settings)
    ledger.dispose()  # from here on: the file and the key text, nothing else

    result = verify(json.loads(path.read_text(encoding="utf-8")), key)
    assert result.ok, result.failures
    assert [e["event"]["event_id"] for e in certificate["events"]] == ["m1", "m2", "p2", "p3", "p4"]
    assert (result.events, result.included) == (5, 5)
    assert result.checkpoint.size == 8 and result.checkpoint.origin == settings.log_origin
    assert {o["lot"]: o["type"] for o in result.trace["origins"]} == {"C1": "extract", "C2": "extract"}


def test_the_certificate_carries_the_trace_the_system_prints(ledger, settings):
    certificate = certify(ledger, settings, "MAG-1")
    assert certificate["trace"] == trace(ledger, "MAG-1", "backward")
    assert signing_key(ledger, certificate) == log_key(ledger, settings)
    origins = certificate["trace"]["origins"]
    assert sum(o["elements_kg"]["Nd"] for o in origins) == pytest.approx(500 * 0.29)


def test_a_changed_file_fails_saying_what(ledger, world, settings, tmp_path):
    text_ = dumps(certify(ledger, settings, "MAG-1"))
    key = log_key(ledger, settings)
    tampered = text_.replace('"mass_kg": 1000', '"mass_kg": 1200', 1)  # C1's lot in event m1
    assert tampered != text_
    result = verify(json.loads(tampered), key)
    assert result.failures == [
        f"event 1 ({world.mine.uscc}:m1): the event was changed: it does not hash to its "
        "leaf_hash, and is not the event the log holds at leaf 0"
    ]
    drawn = json.loads(text_)
    drawn["events"][2]["event"]["inputs"][1]["mass_kg"] = 400  # less drawn from C2 in p2: the trace moves too
    found = verify(drawn, key).failures
    assert found[0].startswith(f"event 3 ({world.plant.uscc}:p2): the event was changed")
    assert any(f.startswith("trace: origin C2 Nd ") for f in found), found


def test_a_witness_cosigned_checkpoint_is_preferred_and_verifies(ledger, world, settings, tmp_path, write_json):
    directory = tmp_path / "witness"
    witness = Witness.init(directory, "witness.example.org")
    witness.trust(log_key(ledger, settings))
    cosigned = witness_log(ledger, settings, directory)
    assert cosigned.size == 8
    later = world.mine.submit(
        [extract("m9", "C9", 100, time="2026-02-01T08:00:00+08:00")], created_at="2026-02-07T10:00:00+08:00"
    )
    ingest(ledger, [write_json("later.json", later)], as_received_created_at=True)
    log.publish_checkpoint(ledger, settings)  # size 9, not cosigned

    certificate = certify(ledger, settings, "MAG-1")
    result = verify(certificate, log_key(ledger, settings), [cosigned.witness_key])
    assert result.ok, result.failures
    assert result.checkpoint.size == 8 and [c.witness.split("+")[0] for c in result.cosigned] == ["witness.example.org"]
    fresh = certify(ledger, settings, "C9")  # only the uncosigned checkpoint covers C9
    assert Checkpoint.parse(fresh["checkpoint"][: fresh["checkpoint"].index("\n\n") + 1]).size == 9
    assert verify(fresh, log_key(ledger, settings)).ok
    assert (
        verify(fresh, log_key(ledger, settings), [cosigned.witness_key])
        .failures[0]
        .endswith("the checkpoint carries no cosignature by this witness")
    )


def test_events_logged_after_the_latest_checkpoint_get_one(ledger, world, settings, write_json):
    later = world.mine.submit([extract("m9", "C9", 100)], created_at="2026-02-07T10:00:00+08:00")
    ingest(ledger, [write_json("later.json", later)], as_received_created_at=True)  # no checkpoint signed
    certificate = certify(ledger, settings, "C9")
    assert verify(certificate, log_key(ledger, settings)).ok
    assert certificate["events"][0]["leaf_index"] == 8


def test_an_unknown_lot_is_not_found(ledger, settings):
    with pytest.raises(NotFound):
        certify(ledger, settings, "NOPE-1")


def test_a_tampered_store_is_refused(ledger, settings):
    with ledger.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE events SET body = replace(body, '\"mass_kg\":1000', '\"mass_kg\":1001') WHERE event_id = 'm1'"
        )
    with pytest.raises(StoreError, match="would not verify"):
        certify(ledger, settings, "MAG-1")


def test_the_printable_certificate(ledger, world, settings):
    certificate = certify(ledger, settings, "MAG-1")
    names = enterprise_names(ledger, {e["reporter"] for e in certificate["events"]})
    assert names == {world.mine.uscc: "Enterprise 1", world.plant.uscc: "Enterprise 2"}
    page = render_html(certificate, names, "ab" * 32)
    assert page.startswith("<!DOCTYPE html>") and "MAG-1" in page and "<svg" in page
    assert "Enterprise 1" in page and "magnet" in page and "ab" * 32 in page
    assert "reetrace.local/log" in page and "<link" not in page and "<script" not in page
