"""The control-list commands end to end, through the installed `reetrace` script: a regulator's
change shows in `controls show`, in `classify` and in the audit."""

from __future__ import annotations

import json

import pytest
from test_ledger_cli import chain


@pytest.fixture
def ingested(cli, world, write_json, tmp_path):
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    for name, doc in chain(world).items():
        write_json(f"subs/{name}", doc)
    cli("ingest", "--as-received", "created_at", str(tmp_path / "subs"))


def test_classify_follows_a_suspension_recorded_through_the_cli(cli, ingested, world):
    doc = json.loads(cli("classify", "DYO-2", "--on", "2026-01-21", "--format", "json").stdout)
    assert doc == {
        "lot": "DYO-2",
        "on": "2026-01-21",
        "form": "oxide",
        "controlled": [{"code": "1C905", "element": "Dy", "group": "b"}],
    }
    assert "1C905" in cli("classify", "DYO-2", "--on", "2026-01-21").stdout

    done = cli(
        "controls",
        "suspend",
        "1C905",
        "--from",
        "2026-01-01",
        "--until",
        "2026-02-01",
        "--by",
        "MOFCOM",
        "--why",
        "test suspension",
    ).stdout
    assert "Recorded change 1: suspend 1C905 from 2026-01-01 until 2026-02-01" in done
    doc = json.loads(cli("classify", "DYO-2", "--on", "2026-01-21", "--format", "json").stdout)
    assert doc["controlled"] == []
    assert "not controlled" in cli("classify", "DYO-2", "--on", "2026-01-21").stdout
    findings = json.loads(cli("audit", "--as-of", "2026-12-31", "--format", "json").stdout)["findings"]
    assert [f for f in findings if f["code"] == "EXPORT_WITHOUT_LICENSE"] == []

    shown = json.loads(cli("controls", "show", "--on", "2026-01-21", "--all", "--format", "json").stdout)
    dy = next(e for e in shown["entries"] if e["code"] == "1C905")
    assert dy["in_force"] is False and dy["suspensions"] == [{"from": "2026-01-01", "until": "2026-02-01"}]
    assert [(c["action"], c["by"], c["why"]) for c in dy["changes"]] == [("suspend", "MOFCOM", "test suspension")]
    in_force = json.loads(cli("controls", "show", "--on", "2026-01-21", "--format", "json").stdout)
    assert "1C905" not in {e["code"] for e in in_force["entries"]} and "1C904" in {
        e["code"] for e in in_force["entries"]
    }


def test_add_and_end_through_the_cli(cli, ingested):
    cli(
        "controls",
        "add",
        "1C914",
        "--element",
        "Nd",
        "--groups",
        "b",
        "--from",
        "2026-01-01",
        "--by",
        "MOFCOM",
        "--why",
        "hypothetical",
    )
    doc = json.loads(cli("classify", "NDO-1", "--on", "2026-06-01", "--format", "json").stdout)
    assert doc["controlled"] == [{"code": "1C914", "element": "Nd", "group": "b"}]
    cli("controls", "end", "1C914", "--from", "2026-03-01", "--by", "MOFCOM", "--why", "withdrawn")
    assert json.loads(cli("classify", "NDO-1", "--on", "2026-06-01", "--format", "json").stdout)["controlled"] == []
    assert "withdrawn" in cli("controls", "show", "--on", "2026-02-01").stdout


def test_bad_changes_exit_2_with_a_clear_message(cli, ingested):
    assert "No such command 'pause'" in cli("controls", "pause", "1C905", expect=2).stderr
    args = ["--by", "MOFCOM", "--why", "x"]
    assert (
        "unknown control code 1C999" in cli("controls", "end", "1C999", "--from", "2026-01-01", *args, expect=2).stderr
    )
    assert (
        "already on the list"
        in cli("controls", "add", "1C905", "--element", "Dy", "--from", "2026-01-01", *args, expect=2).stderr
    )
    assert (
        "unknown element 'Xx'"
        in cli("controls", "add", "1C914", "--element", "Xx", "--from", "2026-01-01", *args, expect=2).stderr
    )
    assert (
        "bad group letter(s) z"
        in cli(
            "controls", "add", "1C914", "--element", "Nd", "--groups", "a,z", "--from", "2026-01-01", *args, expect=2
        ).stderr
    )
    assert "--from must be a date" in cli("controls", "end", "1C905", "--from", "soon", *args, expect=2).stderr
    assert "--why" in cli("controls", "end", "1C905", "--from", "2026-01-01", "--by", "MOFCOM", expect=2).stderr
    assert "--on must be a date" in cli("classify", "DYO-1", "--on", "later", expect=2).stderr
    assert "not in the ledger" in cli("classify", "NO-SUCH-LOT", expect=1).stderr
    assert json.loads(cli("controls", "show", "--all", "--format", "json").stdout)["entries"][0]["changes"] == []
