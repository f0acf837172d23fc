"""`reetrace supervise status` end to end, through the installed `reetrace` script: the stored
findings are moved forward to today lazily, by the first reading of a new day, so until then the
status says the date they are as of, today's date, and that reading will move them forward; it
calls them current only once they are as of today. Asking for the status moves nothing."""

from __future__ import annotations

import json

import pytest
from test_ledger_cli import chain

from reetrace.config import Settings
from reetrace.services.findings import today

# what the status answered before it told the date apart: kept, in the same places
FIELDS = ["as_of", "current", "events", "events_supervised", "findings", "built_at", "updated_at", "by_code"]


@pytest.fixture
def ingested(cli, world, write_json, tmp_path):
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    for name, doc in chain(world).items():
        write_json(f"subs/{name}", doc)
    cli("ingest", "--as-received", "created_at", str(tmp_path / "subs"))


def status(cli) -> dict:
    return json.loads(cli("supervise", "status", "--format", "json").stdout)


def test_findings_as_of_an_earlier_day_are_not_called_current(cli, ingested):
    now = today(Settings()).isoformat()
    cli("supervise", "start", "--as-of", "2026-01-31")

    doc = status(cli)
    assert [name for name in doc if name in FIELDS] == FIELDS
    assert doc["as_of"] == "2026-01-31" and doc["today"] == now
    assert doc["current"].startswith("no: as of 2026-01-31, ") and doc["current"].endswith(" before today")
    assert doc["on_reading"].startswith(f"moved forward from 2026-01-31 to {now} ")
    assert doc["events"] == doc["events_supervised"] == 9

    table = cli("supervise", "status").stdout
    assert "as of" in table and "2026-01-31" in table and now in table
    assert "moved forward from 2026-01-31" in table and "yes" not in table
    assert status(cli)["as_of"] == "2026-01-31"  # asking moved nothing

    cli("audit", "--as-of", now, "--format", "json")  # a reading as of today moves them forward
    doc = status(cli)
    assert (doc["as_of"], doc["today"], doc["current"], doc["on_reading"]) == (now, now, "yes", "served as stored")
    assert "served as stored" in cli("supervise", "status").stdout


def test_findings_as_of_a_later_day_are_not_current_either(cli, ingested):
    cli("supervise", "start", "--as-of", "2099-12-31")
    doc = status(cli)
    assert doc["current"] == "no: as of 2099-12-31, a later day than today"
    assert doc["on_reading"].startswith("the whole ledger replayed as of today")
