"""The ledger commands end to end, through the installed `reetrace` script, on the test store."""

from __future__ import annotations

import base64
import json

import pytest

from factory import export, extract, lot, receive, ship, transform

OXIDE_DY = {"Dy": 0.8713 * 0.99}


def chain(world) -> dict[str, dict]:
    """A mine ships concentrate to a separation plant, which separates it and ships Dy oxide
    to the exporter, who exports one lot under its license and one without."""
    m, p, x = world.mine, world.plant, world.trader
    return {
        "mine.json": m.submit(
            [
                extract("m1", "C1", 1000, composition={"Ce": 0.2, "Nd": 0.1, "Dy": 0.02}),
                extract(
                    "m2", "C2", 500, composition={"Ce": 0.1, "Nd": 0.2, "Dy": 0.03}, time="2026-01-05T09:00:00+08:00"
                ),
                ship("m3", ["C1", "C2"], p.uscc, "S1"),
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
                        lot("NDO-1", "oxide", 200 * 0.97 / 0.8574 / 0.99, {"Nd": 0.8574 * 0.99}),
                        lot("DYO-1", "oxide", 20, OXIDE_DY),
                        lot("DYO-2", "oxide", 18.5, OXIDE_DY),
                        lot("CEO-1", "oxide", 250 * 0.97 / 0.8141, {"Ce": 0.8141}),
                    ],
                ),
                ship("p3", ["DYO-1", "DYO-2"], x.uscc, "S2", time="2026-01-12T08:00:00+08:00"),
            ]
        ),
        "trader.json": x.submit(
            [
                receive("x1", ["DYO-1", "DYO-2"], p.uscc, "S2", time="2026-01-14T08:00:00+08:00"),
                export("x2", ["DYO-1"]),
                export("x3", ["DYO-2"], license_no=None, time="2026-01-21T08:00:00+08:00"),
            ]
        ),
    }


@pytest.fixture
def loaded(cli, world, write_json, tmp_path):
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    for name, doc in chain(world).items():
        write_json(f"subs/{name}", doc)
    return tmp_path


def test_registry_load_twice_and_show(cli, loaded, world):
    again = cli("registry", "load", str(loaded / "registry.json"))
    assert "3 enterprises" in again.stdout
    shown = cli("registry", "show").stdout
    assert world.mine.uscc in shown and "RE-2026-000001" in shown
    doc = json.loads(cli("registry", "show", "--format", "json").stdout)
    assert len(doc["enterprises"]) == 3


def test_ingest_report_audit_and_trace(cli, loaded, world, write_json):
    write_json("subs/garbage.json", None).write_text("not json")
    report = json.loads(cli("ingest", "--as-received", "created_at", "--format", "json", str(loaded / "subs")).stdout)
    assert report["format"] == "reetrace/ingest-report@1"
    assert report["submissions"] == {"accepted": 3, "duplicate": 0, "rejected": 1}
    assert report["events"] == {"accepted": 9, "duplicate": 0}
    assert report["rejected"][0]["reason"].startswith("parse: ")
    again = json.loads(cli("ingest", "--as-received", "created_at", "--format", "json", str(loaded / "subs")).stdout)
    assert again["submissions"]["duplicate"] == 3 and again["events"]["accepted"] == 0
    assert "parse:" in cli("rejected").stdout

    findings = json.loads(cli("audit", "--as-of", "2026-12-31", "--format", "json").stdout)
    assert findings["format"] == "reetrace/findings@1" and findings["as_of"] == "2026-12-31"
    codes = {(f["code"], f["event"]) for f in findings["findings"]}
    assert codes == {("EXPORT_WITHOUT_LICENSE", f"{world.trader.uscc}:x3")}
    table = cli("audit", "--as-of", "2026-12-31").stdout
    assert "EXPORT_WITHOUT_LICENSE" in table

    back = json.loads(cli("trace", "DYO-1", "--direction", "backward", "--format", "json").stdout)
    assert back["format"] == "reetrace/trace@1" and back["direction"] == "backward"
    by_origin = {o["lot"]: o["elements_kg"]["Dy"] for o in back["origins"]}
    # Dy is allocated to the two concentrates in proportion to their Dy input (20 kg and 15 kg)
    assert by_origin == pytest.approx({"C1": 20 * OXIDE_DY["Dy"] * 20 / 35, "C2": 20 * OXIDE_DY["Dy"] * 15 / 35})
    assert {o["type"] for o in back["origins"]} == {"extract"}
    fwd = json.loads(cli("trace", "C2", "--direction", "forward", "--format", "json").stdout)
    assert {d["lot"] for d in fwd["descendants"]} == {"NDO-1", "DYO-1", "DYO-2", "CEO-1"}


def test_usage_errors_exit_2(cli, loaded):
    cli("ingest", str(loaded / "missing"), expect=2)
    cli("audit", "--as-of", "yesterday", expect=2)
    cli("trace", "X", "--direction", "sideways", expect=2)
    cli("registry", "load", str(loaded / "nope.json"), expect=2)


def test_unknown_lot_is_reported_not_found(cli, loaded):
    result = cli("trace", "NO-SUCH-LOT", expect=1)
    assert "not in the ledger" in result.stderr


def test_thresholds_are_configuration(cli, loaded, world, write_json):
    cli("ingest", "--as-received", "created_at", str(loaded / "subs"))
    # with a stricter yield floor the separation run (yield ~0.97) becomes LOW_YIELD
    strict = write_json("strict.json", {"yield_floor": {"separation": 0.99}, "severity": {"LOW_YIELD": "high"}})
    findings = json.loads(
        cli("--thresholds", str(strict), "audit", "--as-of", "2026-12-31", "--format", "json").stdout
    )["findings"]
    low = [f for f in findings if f["code"] == "LOW_YIELD"]
    assert [(f["event"], f["severity"]) for f in low] == [(f"{world.plant.uscc}:p2", "high")]
    assert low[0]["evidence"]["floor"] == 0.99
    bad = write_json("bad.json", {"yield_flor": {}})
    assert "unknown threshold" in cli("--thresholds", str(bad), "audit", expect=2).stderr


def test_log_commands(cli, loaded, world, tmp_path):
    cli("ingest", "--as-received", "created_at", str(loaded / "subs"))
    key = cli("log", "key").stdout.strip()
    name, key_hex, public = key.split("+", 2)
    assert name == "reetrace.local/log" and len(key_hex) == 8 and len(base64.b64decode(public)) == 33
    note = cli("log", "checkpoint").stdout
    assert note.startswith("reetrace.local/log\n9\n") and "\n\n\u2014 reetrace.local/log " in note
    proof = json.loads(cli("log", "prove", f"{world.plant.uscc}:p2").stdout)
    assert proof["format"] == "reetrace/inclusion-proof@1" and proof["tree_size"] == 9
    assert proof["checkpoint"] == note
    consistency = json.loads(cli("log", "consistency", "3", "9").stdout)
    assert consistency["format"] == "reetrace/consistency-proof@1" and consistency["proof"]
    assert "9 leaves" in cli("log", "verify").stdout
    cli("log", "prove", "nobody:nothing", expect=1)
    cli("log", "consistency", "9", "3", expect=2)


def test_log_verify_fails_on_a_changed_event(cli, loaded, store_url):
    cli("ingest", "--as-received", "created_at", str(loaded / "subs"))
    from sqlalchemy import create_engine

    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE events SET body = replace(body, '\"DE\"', '\"US\"') WHERE type = 'export'")
    engine.dispose()
    failed = cli("log", "verify", expect=1)
    assert "log verification failed" in failed.stderr and "leaf 7" in failed.stderr


def test_ingest_of_a_directory_records_a_deep_file_and_every_other(cli, loaded, world, tmp_path):
    """A 1,000-deep file among 450 good ones: once a traceback that recorded none of them."""
    folder = tmp_path / "month"
    folder.mkdir()
    (folder / "000-deep.json").write_bytes(b"[" * 1000 + b"]" * 1000)
    for i in range(450):
        doc = world.mine.submit(
            [extract(f"d{i}", f"D{i}", 5 + i)], created_at=f"2026-02-07T{i // 60:02d}:{i % 60:02d}:00+08:00"
        )
        (folder / f"{i + 1:03d}.json").write_text(json.dumps(doc))
    result = cli("ingest", "--as-received", "created_at", "--format", "json", str(folder))
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["submissions"] == {"accepted": 450, "duplicate": 0, "rejected": 1}
    assert report["rejected"] == [
        {"source": str(folder / "000-deep.json"), "reason": "schema: nests more than 32 levels deep"}
    ]
    kept = json.loads(cli("rejected", "--reason", "schema", "--format", "json").stdout)
    assert [r["source"] for r in kept] == [str(folder / "000-deep.json")]
    cli("log", "verify")  # exit 0: the log holds the 450 events
