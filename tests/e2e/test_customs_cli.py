"""Customs, exports and mirror commands end to end, through the installed `reetrace` script:
declarations loaded and reconciled, arrival reports, and the mirror report with its chart."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from test_ledger_cli import chain

from factory import export

HEADER = "declaration_no,date,exporter,hs_code,net_kg,destination,license_no,lots"
LICENSE = "RE-2026-000001"


@pytest.fixture
def ingested(cli, world, write_json, tmp_path):
    """The chain: the trader exports DYO-1 (20 kg Dy oxide) under its license on 20 Jan 2026 as x2
    with customs declaration CD-x2, and DYO-2 (18.5 kg) without a license on 21 Jan as x3."""
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    for name, doc in chain(world).items():
        write_json(f"subs/{name}", doc)
    cli("ingest", "--as-received", "created_at", str(tmp_path / "subs"))
    return world.trader.uscc


def _declarations(tmp_path, name: str, *rows: str):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def _findings(cli, *args: str) -> list[dict]:
    return json.loads(cli(*args, "--format", "json").stdout)["findings"]


def test_declarations_loaded_reconciled_and_audited(cli, ingested, tmp_path):
    trader = ingested
    good = _declarations(
        tmp_path,
        "jan.csv",
        f"CD-x2,2026-01-20,{trader},2805301200,20,DE,{LICENSE},DYO-1",
        f"CD-x9,2026-01-25,{trader},2846901500,7.5,DE,,DYO-7;DYO-8",
    )
    loaded = cli("customs", "load", good, "--from", "2026-01-01", "--to", "2026-01-31", "--by", "GACC Baotou").stdout
    assert "2 declarations, 2 items (2 new, 0 already recorded), covering 2026-01-01..2026-01-31" in loaded
    again = json.loads(
        cli("customs", "load", good, "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json").stdout
    )
    assert (again["declarations"], again["items"], again["added"], again["unchanged"]) == (2, 2, 0, 2)
    imports = json.loads(cli("customs", "imports", "--format", "json").stdout)
    assert [(i["by"], i["declarations"], i["added"]) for i in imports][0] == ("GACC Baotou", 2, 2)
    assert len(imports) == 2

    doc = json.loads(cli("customs", "reconcile", "--as-of", "2026-03-31", "--format", "json").stdout)
    assert doc["format"] == "reetrace/findings@1" and doc["as_of"] == "2026-03-31"
    got = {(f["code"], f["event"], f["lot"]) for f in doc["findings"]}
    assert got == {
        ("HS_CODE_MISDECLARED", f"{trader}:x2", "DYO-1"),
        ("DECLARATION_WITHOUT_EXPORT", None, None),
        ("EXPORT_WITHOUT_DECLARATION", f"{trader}:x3", "DYO-2"),
    }
    hs = next(f for f in doc["findings"] if f["code"] == "HS_CODE_MISDECLARED")
    assert hs["evidence"]["declared"] == "2805301200" and hs["evidence"]["expected"] == ["2846901500"]
    assert set(hs) == {"code", "severity", "enterprise", "lot", "event", "year", "detail", "evidence"}
    audited = {(f["code"], f["event"]) for f in _findings(cli, "audit", "--as-of", "2026-03-31")}
    assert {(c, e) for c, e, _ in got} <= audited and ("EXPORT_WITHOUT_LICENSE", f"{trader}:x3") in audited
    assert "HS_CODE_MISDECLARED" in cli("customs", "reconcile", "--as-of", "2026-03-31").stdout


@pytest.fixture
def mixed(cli, ingested, world, write_json, tmp_path):
    """Besides the chain, the trader imports a Dy NdFeB magnet lot (MAG-1, 300 kg) and a Nd oxide
    lot (NDO-7, 50 kg) and exports both together on 10 Feb 2026 as x5 (declaration CD-x5)."""
    x = world.trader
    write_json(
        "subs2/trader-feb.json",
        x.submit(
            [
                {
                    "event_id": "i4",
                    "type": "import",
                    "time": "2026-02-02T08:00:00+08:00",
                    "origin_country": "MM",
                    "customs_declaration": "IMP-i4",
                    "outputs": [
                        {
                            "lot": "MAG-1",
                            "form": "magnet",
                            "mass_kg": 300.0,
                            "composition": {"Nd": 0.28, "Pr": 0.01, "Dy": 0.01},
                        },
                        {"lot": "NDO-7", "form": "oxide", "mass_kg": 50.0, "composition": {"Nd": 0.8574}},
                    ],
                },
                export("x5", ["MAG-1", "NDO-7"], license_no=None, time="2026-02-10T08:00:00+08:00"),
            ],
            created_at="2026-03-05T10:00:00+08:00",
        ),
    )
    cli("ingest", "--as-received", "created_at", str(tmp_path / "subs2"))
    return x.uscc


def _items(trader: str, *items: tuple[str, float, str], number: str = "CD-x5") -> list[str]:
    return [f"{number},2026-02-10,{trader},{hs},{kg},DE,,{lots}" for hs, kg, lots in items]


def test_a_declaration_of_several_items_loaded_reloaded_and_reconciled(cli, mixed, tmp_path):
    magnet, oxide = ("8505111000", 300, "MAG-1"), ("2846901300", 50, "NDO-7")
    feb = _declarations(tmp_path, "feb.csv", *_items(mixed, magnet, oxide))
    loaded = cli("customs", "load", feb, "--by", "GACC Baotou").stdout
    assert "1 declaration, 2 items (1 new, 0 already recorded), covering 2026-02-10..2026-02-10" in loaded
    shuffled = _declarations(tmp_path, "feb-again.csv", *_items(mixed, oxide, magnet))
    again = json.loads(cli("customs", "load", shuffled, "--format", "json").stdout)
    assert (again["declarations"], again["items"], again["added"], again["unchanged"]) == (1, 2, 0, 1)
    assert _findings(cli, "customs", "reconcile", "--as-of", "2026-03-31") == []  # both items fit their lots

    changed = _declarations(tmp_path, "feb-changed.csv", *_items(mixed, magnet, ("2846901300", 55, "NDO-7")))
    err = cli("customs", "load", changed, expect=1).stderr
    assert "nothing loaded" in err and "line 3: declaration CD-x5 is already recorded with other items" in err
    assert "recorded item 2 (HS 2846901300, 50.000 kg, lots NDO-7) is not in the file" in err
    split = _declarations(
        tmp_path,
        "feb-split.csv",
        *_items(mixed, magnet, oxide),
        *_items(mixed, ("2846901300", 50, "NDO-7"), number="CD-x6"),
        f"CD-x5,2026-02-11,{mixed},2846901300,5,DE,,",
    )
    err = cli("customs", "load", split, expect=1).stderr
    assert "line 5, column date: '2026-02-11' where line 2 of declaration CD-x5 has '2026-02-10'" in err
    assert [i["added"] for i in json.loads(cli("customs", "imports", "--format", "json").stdout)] == [1, 0]


def test_an_items_wrong_code_and_the_quantity_over_all_items(cli, mixed, tmp_path):
    # the Nd oxide declared under the Dy oxide code, and 10 kg less declared than the two lots held
    feb = _declarations(tmp_path, "feb.csv", *_items(mixed, ("8505111000", 300, "MAG-1"), ("2846901500", 40, "NDO-7")))
    cli("customs", "load", feb)
    findings = _findings(cli, "customs", "reconcile", "--as-of", "2026-03-31")
    assert sorted((f["code"], f["event"], f["lot"]) for f in findings) == [
        ("DECLARED_QUANTITY_MISMATCH", f"{mixed}:x5", None),
        ("HS_CODE_MISDECLARED", f"{mixed}:x5", "NDO-7"),
    ]
    hs = next(f for f in findings if f["code"] == "HS_CODE_MISDECLARED")
    assert (hs["evidence"]["item"], hs["evidence"]["declared"], hs["evidence"]["expected"]) == (
        2,
        "2846901500",
        ["2846901300"],
    )
    assert "item 2 under HS 2846901500" in hs["detail"]
    quantity = next(f for f in findings if f["code"] == "DECLARED_QUANTITY_MISMATCH")
    assert (quantity["evidence"]["declared_kg"], quantity["evidence"]["exported_kg"]) == (340.0, 350.0)
    assert [i["item"] for i in quantity["evidence"]["items"]] == [1, 2]


def test_bad_files_load_nothing_and_name_the_line(cli, ingested, tmp_path):
    trader = ingested
    bad = _declarations(
        tmp_path,
        "bad.csv",
        f"CD-x2,2026-01-20,{trader},2846901500,20,DE,{LICENSE},DYO-1",
        f"CD-x3,2026-01-21,{trader},284690150,18.5,DE,,DYO-2",
        f"CD-x4,2026-01-22,{trader[:-1]}0,2846901500,-3,DE,,DYO-2",
    )
    err = cli("customs", "load", str(bad), expect=1).stderr
    assert "nothing loaded" in err and "line 3, column hs_code" in err
    assert "line 4, column exporter" in err
    assert json.loads(cli("customs", "imports", "--format", "json").stdout) == []
    assert "no such file" in cli("customs", "load", str(tmp_path / "missing.csv"), expect=2).stderr
    assert "--from must be a date" in cli("customs", "load", bad, "--from", "January", expect=2).stderr


def test_arrival_reports_and_the_export_list(cli, ingested):
    trader = ingested

    def unreported(as_of: date) -> list[str]:
        return [
            f["event"]
            for f in _findings(cli, "audit", "--as-of", as_of.isoformat())
            if f["code"] == "ARRIVAL_NOT_REPORTED"
        ]

    listed = json.loads(cli("exports", "list", "--as-of", "2026-03-31", "--format", "json").stdout)["exports"]
    assert [(e["export"], e["license_no"], e["kg"], e["arrived_on"], e["days_since_export"]) for e in listed] == [
        (f"{trader}:x2", LICENSE, 20.0, None, 70),
        (f"{trader}:x3", None, 18.5, None, 69),
    ]
    assert "not reported" in cli("exports", "list", "--as-of", "2026-03-31").stdout

    # the license was migrated from the registry: its arrivals were reported where it was issued
    assert unreported(date(2026, 3, 22)) == []
    cli("exports", "arrived", f"{trader}:x3", "--on", "2026-02-01", "--by", "Logistics")
    done = cli(
        "exports", "arrived", f"{trader}:x2", "--on", "2026-02-03", "--by", "Logistics", "--note", "Hamburg"
    ).stdout
    assert f"export {trader}:x2 arrived on 2026-02-03" in done
    later = date.today() + timedelta(days=2)
    refused = cli("exports", "arrived", f"{trader}:x2", "--on", "2026-02-04", "--by", "Someone", expect=1).stderr
    assert "already reported" in refused
    assert "no event" in cli("exports", "arrived", f"{trader}:nope", "--on", "2026-02-04", "--by", "X", expect=1).stderr
    assert (
        "--on must be a date" in cli("exports", "arrived", f"{trader}:x2", "--on", "soon", "--by", "X", expect=2).stderr
    )
    only = json.loads(
        cli("exports", "list", "--license", LICENSE, "--as-of", later.isoformat(), "--format", "json").stdout
    )["exports"]
    assert [(e["export"], e["arrived_on"], e["arrival_reported_by"]) for e in only] == [
        (f"{trader}:x2", "2026-02-03", "Logistics")
    ]


def test_mirror_statistics_report_and_chart(cli, ingested, tmp_path):
    trader = ingested
    cli(
        "customs",
        "load",
        _declarations(
            tmp_path,
            "d.csv",
            f"CD-x2,2026-01-20,{trader},2846901500,20,DE,{LICENSE},DYO-1",
            f"CD-x3,2026-01-21,{trader},8505190000,900,DE,,DYO-2",
        ),
    )
    stats = tmp_path / "mirror.csv"
    stats.write_text(
        "year,partner,hs6,kg,value\n2026,DE,284690,35,1000\n2026,DE,850511,1000,9000\n"
        "2026,DE,850519,100,500\n2026,JP,850511,40,300\n",
        encoding="utf-8",
    )
    assert "4 rows (4 new, 0 replaced)" in cli("mirror", "load", str(stats)).stdout
    stats.write_text("year,partner,hs6,kg,value\n2026,JP,850511,4000,3000\n", encoding="utf-8")
    replaced = cli("mirror", "load", str(stats)).stdout
    assert "1 rows (0 new, 1 replaced)" in replaced and "replaced 2026 JP 850511" in replaced
    bad = tmp_path / "bad.csv"
    bad.write_text("year,partner,hs6,kg,value\n2026,DE,8505,1,1\n", encoding="utf-8")
    assert "line 2, column hs6" in cli("mirror", "load", str(bad), expect=1).stderr

    chart = tmp_path / "gaps.svg"
    doc = json.loads(cli("mirror", "report", "--year", "2026", "--format", "json", "--chart", str(chart)).stdout)
    rows = [(r["hs6"], r["partner"], r["gap_kg"]) for r in doc["rows"]]
    assert rows == [
        ("850511", "JP", 4000.0),
        ("850511", "DE", 1000.0),
        ("850519", "DE", -800.0),
        ("284690", "DE", 15.0),
    ]
    by = {(r["hs6"], r["partner"]): r for r in doc["rows"]}
    assert by[("850511", "DE")]["neighbouring"] == ["850519"] and by[("850519", "DE")]["neighbouring"] == ["850511"]
    assert by[("850511", "JP")]["neighbouring"] == []
    root = ET.parse(chart).getroot()
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "850511 · JP · 2026" in texts and "850519 · DE · 2026" in texts
    table = cli("mirror", "report", "--year", "2026").stdout
    assert "850519" in table and "-800.0" in table
