"""`reetrace epcis export` and `reetrace epcis import` end to end, through the installed script, on
the ledger of tests/epcis_ledger.py: what each selection exports, the document valid EPCIS, an
enterprise's export imported, signed and ingested again as the very same events, and every bad
use an exit 2 with its reason (and, in a document, where)."""

from __future__ import annotations

import json
import os

import pytest

from epcis_ledger import submissions
from reetrace.epcis.schema import schema_errors
from reetrace.ledger.signing import private_key_pem


@pytest.fixture
def loaded(cli, world, write_json):
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    for uscc, doc in submissions(world).items():
        write_json(f"subs/{uscc}.json", doc)
    cli("ingest", str(write_json("registry.json", world.registry()).parent / "subs"))
    return world


def exported(cli, tmp_path, *options: str) -> list[str]:
    out = tmp_path / "export.jsonld"
    cli("epcis", "export", "--out", str(out), *options)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    assert document["@context"][0] == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    return [e["rt:eventId"] for e in document["epcisBody"]["eventList"]]


def test_what_each_selection_exports(cli, loaded, tmp_path):
    w = loaded
    assert exported(cli, tmp_path) == ["m1", "m3", "m2", "p1", "m4", "p2", "p3", "p4", "x1", "x3", "x4", "x2"]
    assert exported(cli, tmp_path, "--reporter", w.trader.uscc) == ["x1", "x3", "x4", "x2"]
    # the lot's history: its ore C1 before it, the exporter's shipment after; not its sibling CEO-1
    assert exported(cli, tmp_path, "--lot", "DYO-1") == ["m1", "m2", "p1", "p2", "p3", "x1", "x2"]
    assert exported(cli, tmp_path, "--lot", "C1") == ["m1", "m2", "p1", "p2", "p3", "p4", "x1", "x2"]
    # days in China Standard Time, both ends included
    assert exported(cli, tmp_path, "--from", "2026-01-12", "--to", "2026-01-14") == ["p3", "p4", "x1"]
    assert exported(cli, tmp_path, "--to", "2026-01-05") == ["m1", "m3"]
    assert exported(cli, tmp_path, "--lot", "DYO-1", "--reporter", w.plant.uscc, "--from", "2026-01-10") == [
        "p2",
        "p3",
    ]
    assert exported(cli, tmp_path, "--from", "2027-01-01") == []


def test_an_export_imported_and_signed_is_the_same_submission_again(cli, loaded, tmp_path):
    plant = loaded.plant
    document = tmp_path / "plant.jsonld"
    cli("epcis", "export", "--reporter", plant.uscc, "--out", str(document))
    key = tmp_path / "plant.key"
    key.write_bytes(private_key_pem(plant.key))
    os.chmod(key, 0o600)
    signed = tmp_path / "plant-submission.json"
    said = cli("epcis", "import", str(document), "--reporter", plant.uscc, "--key", str(key), "--out", str(signed))
    assert "4 events" in said.stdout and plant.key_id in said.stdout
    submission = json.loads(signed.read_text(encoding="utf-8"))
    assert submission["events"] == submissions(loaded)[plant.uscc]["events"]  # the same JSON values
    assert (submission["reporter"], submission["key_id"]) == (plant.uscc, plant.key_id)
    # ingested again: the signature verifies and every event is the one recorded (else a conflict)
    report = json.loads(cli("ingest", "--format", "json", str(signed)).stdout)
    assert (report["submissions"]["duplicate"], report["events"]["duplicate"], report["rejected"]) == (1, 4, [])
    unsigned = json.loads(cli("epcis", "import", str(document), "--reporter", plant.uscc).stdout)
    assert "signature" not in unsigned and "key_id" not in unsigned
    assert unsigned["events"] == submission["events"]


def test_bad_use_is_exit_2_with_the_reason(cli, loaded, tmp_path):
    out = str(tmp_path / "x.jsonld")
    for options, said in [
        (("--lot", "NOPE"), "not in the ledger"),
        (("--from", "2026-02-30"), "--from must be a date"),
        (("--from", "2026-02-02", "--to", "2026-02-01"), "is after --to"),
        (("--reporter", "91110000MA0000001X"), "not a valid Unified Social Credit Code"),
    ]:
        answer = cli("epcis", "export", "--out", out, *options, expect=2)
        assert said in answer.stderr, answer.stderr
    assert not os.path.exists(out)
    missing_dir = cli("epcis", "export", "--out", str(tmp_path / "no" / "x.jsonld"), expect=2)
    assert "does not exist" in missing_dir.stderr


def test_a_document_that_is_not_the_enterprises_is_refused_where_it_goes_wrong(cli, loaded, tmp_path):
    w = loaded
    document = tmp_path / "trader.jsonld"
    cli("epcis", "export", "--reporter", w.trader.uscc, "--out", str(document))
    original = json.loads(document.read_text(encoding="utf-8"))

    def refused(doc, reporter: str, *said: str) -> None:
        path = tmp_path / "bad.jsonld"
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
        answer = cli("epcis", "import", str(path), "--reporter", reporter, expect=2)
        for part in said:
            assert part in answer.stderr, answer.stderr
        assert answer.stdout == ""

    refused(original, w.plant.uscc, "reporter:", "/epcisBody/eventList/0/rt:reporter")
    refused("{not json", w.trader.uscc, "parse:")
    refused('{"a": 1, "a": 2}', w.trader.uscc, "parse:", "repeated")
    broken = json.loads(json.dumps(original))
    broken["epcisBody"]["eventList"][2]["eventTime"] = "yesterday"
    refused(broken, w.trader.uscc, "schema:", "/epcisBody/eventList/2/eventTime")
    alien = json.loads(json.dumps(original))
    alien["epcisBody"]["eventList"][1]["epcList"] = ["urn:epc:id:sgtin:0614141.107346.2017"]
    refused(alien, w.trader.uscc, "schema:", "/epcisBody/eventList/1/epcList")
    twice = json.loads(json.dumps(original))
    twice["epcisBody"]["eventList"].append(twice["epcisBody"]["eventList"][0])
    refused(twice, w.trader.uscc, "appears twice", "/epcisBody/eventList/4")
    empty = json.loads(json.dumps(original))
    empty["epcisBody"]["eventList"] = []
    refused(empty, w.trader.uscc, "holds no event")
    missing = cli("epcis", "import", str(tmp_path / "none.jsonld"), "--reporter", w.trader.uscc, expect=2)
    assert "cannot read" in missing.stderr


def test_index_gives_every_recorded_event_its_eventid_once(cli, loaded, store_url):
    from reetrace.epcis.document import epcis_id
    from reetrace.store.database import open_store

    assert cli("epcis", "index").stdout.strip() == "12 events given their EPCIS eventID"
    assert cli("epcis", "index").stdout.strip() == "0 events given their EPCIS eventID"
    store = open_store(store_url)
    with store.reading() as conn:
        indexed = dict(conn.exec_driver_sql("SELECT reporter || ':' || event_id, epcis_id FROM epcis_ids").all())
        bodies = conn.exec_driver_sql("SELECT reporter, event_id, body FROM events").all()
    assert indexed == {f"{r}:{e}": epcis_id(r, json.loads(body)) for r, e, body in bodies}
