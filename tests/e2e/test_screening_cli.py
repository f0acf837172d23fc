"""Screening end to end, through the installed `reetrace` script: load a list (a summary, a
replacement, a bad line), show the lists, screen a name (JSON and table) and a file of names
(one JSON line each), and the exit codes of bad usage (2) and other errors (1)."""

from __future__ import annotations

import json

import pytest

ENTITIES = [
    {
        "id": "NK-yunsheng",
        "schema": "Company",
        "properties": {"name": ["Ningbo Yunsheng Co., Ltd."], "alias": ["宁波韵升股份有限公司"], "country": ["cn"]},
    },
    {"id": "NK-xtc", "schema": "Company", "properties": {"name": ["Xiamen Tungsten Co., Ltd."], "country": ["cn"]}},
    {"id": "NK-wang", "schema": "Person", "properties": {"name": ["WANG Xiaoming"], "alias": ["王小明"]}},
    {"id": "NK-addr", "schema": "Address", "properties": {"full": ["Ningbo"]}},
]


@pytest.fixture
def list_file(tmp_path):
    path = tmp_path / "entities.ftm.json"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in ENTITIES), encoding="utf-8")
    return path


@pytest.fixture
def loaded(cli, list_file):
    out = cli("screening", "load", str(list_file), "--list", "opensanctions", "--by", "analyst").stdout
    assert "3 entities" in out and "1 Address" in out
    return list_file


def test_screen_a_name_as_json_and_as_a_table(cli, loaded):
    doc = json.loads(cli("screen", "廈門鎢業股份有限公司", "--format", "json").stdout)
    assert doc["format"] == "reetrace/screening@1" and doc["query"] == "廈門鎢業股份有限公司"
    assert doc["threshold"] == 0.8
    assert [(m["list"], m["entity"], m["name"]) for m in doc["matches"]] == [
        ("opensanctions", "NK-xtc", "Xiamen Tungsten Co., Ltd.")
    ]
    assert doc["matches"][0]["score"] >= 0.8
    assert [v["name"] for v in doc["lists"]] == ["opensanctions"] and len(doc["lists"][0]["version"]) == 64
    table = cli("screen", "Xiaoming Wang").stdout
    assert "NK-wang" in table and "WANG Xiaoming" in table
    assert "No match" in cli("screen", "Ningbo Jinji Magnetic Materials").stdout


def test_threshold_and_country_options(cli, loaded):
    doc = json.loads(cli("screen", "Ningbo Yunsheng", "--country", "US", "--format", "json").stdout)
    assert doc["country"] == "us" and doc["matches"][0]["score"] == 0.9
    strict = json.loads(
        cli("screen", "Ningbo Yunsheng", "--country", "us", "--threshold", "0.95", "--format", "json").stdout
    )
    assert strict["threshold"] == 0.95 and strict["matches"] == []


def test_screen_a_file_gives_one_json_line_a_name(cli, loaded, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("宁波韵升\n\nAcme Metals GmbH\n王小明\n", encoding="utf-8")
    lines = cli("screen", "--file", str(names), "--format", "json").stdout.splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["query"] for r in results] == ["宁波韵升", "Acme Metals GmbH", "王小明"]
    assert [[m["entity"] for m in r["matches"]] for r in results] == [["NK-yunsheng"], [], ["NK-wang"]]


def test_show_and_reload(cli, loaded):
    shown = json.loads(cli("screening", "show", "--format", "json").stdout)
    assert [(s["name"], s["entities"], s["loaded_by"], s["skipped"]) for s in shown] == [
        ("opensanctions", 3, "analyst", {"Address": 1})
    ]
    assert "opensanctions" in cli("screening", "show").stdout
    again = cli("screening", "load", str(loaded), "--list", "opensanctions", "--format", "json").stdout
    assert json.loads(again)["replaced_version"] == shown[0]["version"]


def test_bad_usage_exits_2_and_other_errors_1(cli, list_file, tmp_path):
    assert "no restricted-party list is loaded" in cli("screen", "Ningbo Yunsheng", expect=1).stderr
    cli("screening", "load", str(list_file), "--list", "eu")
    assert "NAME or --file" in cli("screen", expect=2).stderr
    assert "NAME or --file" in cli("screen", "x", "--file", str(list_file), expect=2).stderr
    assert "threshold" in cli("screen", "x", "--threshold", "0", expect=2).stderr
    assert "no such file" in cli("screen", "--file", str(tmp_path / "none.txt"), expect=2).stderr
    assert "no such file" in cli("screening", "load", str(tmp_path / "none.json"), "--list", "eu", expect=2).stderr
    assert "list name" in cli("screening", "load", str(list_file), "--list", "bad name", expect=2).stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(ENTITIES[0]) + "\nnot json\n", encoding="utf-8")
    err = cli("screening", "load", str(bad), "--list", "eu", expect=1).stderr
    assert "bad.json line 2: not JSON" in err and "nothing was loaded" in err
    assert json.loads(cli("screening", "show", "--format", "json").stdout)[0]["entities"] == 3


def test_birth_dates_weigh_in_and_each_match_explains_itself(cli, tmp_path):
    listing = tmp_path / "people.ftm.json"
    person = {
        "id": "P-scholz",
        "schema": "Person",
        "properties": {"name": ["Olaf Scholz"], "birthDate": ["1958-06-14"], "nationality": ["de"]},
    }
    listing.write_text(json.dumps(person) + "\n", encoding="utf-8")
    cli("screening", "load", str(listing), "--list", "people")
    doc = json.loads(cli("screen", "Olaf Schulze", "--birth-date", "1958", "--format", "json").stdout)
    assert doc["birth_date"] == "1958" and [m["entity"] for m in doc["matches"]] == ["P-scholz"]
    explanation = doc["matches"][0]["explanation"]
    assert explanation["name"]["how"] == "parts" and explanation["adjustments"] == []
    assert {(p["query"], p["listed"], p["match"]) for p in explanation["name"]["parts"]} == {
        ("olaf", "olaf", "same"),
        ("schulze", "scholz", "similar"),
    }
    namesake = json.loads(cli("screen", "Olaf Scholz", "--birth-date", "1971-02-03", "--format", "json").stdout)
    assert namesake["matches"] == []
    names = tmp_path / "parties.txt"
    names.write_text(
        '{"name": "Olaf Scholz", "birth_date": "1971"}\n{"name": "Olaf Scholz", "country": "de"}\n', encoding="utf-8"
    )
    lines = [json.loads(line) for line in cli("screen", "--file", str(names), "--format", "json").stdout.splitlines()]
    assert [len(r["matches"]) for r in lines] == [0, 1] and lines[1]["country"] == "de"
    assert "birth date" in cli("screen", "Olaf Scholz", "--birth-date", "1958-13", expect=2).stderr
    names.write_text('{"name": 3}\n', encoding="utf-8")
    assert "line 1" in cli("screen", "--file", str(names), "--format", "json", expect=2).stderr
