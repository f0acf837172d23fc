"""`reetrace analytics` end to end, through the installed script: the small chain of tests/factory.py
exported to Parquet, quota use and SQL answered from the export, errors as one-line messages."""

from __future__ import annotations

import csv
import io
import json

import pytest
from test_ledger_cli import chain


@pytest.fixture
def export_dir(cli, world, write_json, tmp_path):
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    for name, doc in chain(world).items():
        write_json(f"subs/{name}", doc)
    cli("ingest", "--as-received", "created_at", str(tmp_path / "subs"))
    out = tmp_path / "analytics"
    done = cli("analytics", "export", "--out", str(out)).stdout
    assert "9 events (all years) of a ledger of 9" in done and "lot_outputs" in done
    return out


def test_export_then_quota_use_and_sql_from_the_export_then_another_year(cli, export_dir, world):
    manifest = json.loads((export_dir / "manifest.json").read_text())
    assert manifest["rows"]["events"] == 9 and manifest["rows"]["lot_outputs"] == 6
    assert manifest["partitions"]["events"] == ["2026-01"]
    assert (export_dir / "events" / "year=2026" / "month=01").is_dir()

    from_export = json.loads(cli("analytics", "quota-use", str(export_dir), "2026", "--format", "json").stdout)
    from_store = json.loads(cli("quota-use", "2026", "--format", "json").stdout)
    assert from_export == from_store and {r["kind"] for r in from_store} == {"mining", "separation"}

    out = cli(
        "analytics",
        "query",
        str(export_dir),
        "SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type",
        "--format",
        "csv",
    ).stdout
    assert list(csv.reader(io.StringIO(out))) == [
        ["type", "n"],
        ["export", "2"],
        ["extract", "2"],
        ["receive", "2"],
        ["ship", "2"],
        ["transform", "1"],
    ]
    rows = json.loads(
        cli(
            "analytics",
            "query",
            str(export_dir),
            "SELECT lot, mass_kg, local_date, year, month FROM lot_outputs WHERE lot = 'DYO-1'",
            "--format",
            "json",
        ).stdout
    )
    assert rows == [{"lot": "DYO-1", "mass_kg": 20.0, "local_date": "2026-01-10", "year": 2026, "month": 1}]
    table = cli(
        "analytics",
        "query",
        str(export_dir),
        "SELECT m.type, m.counterparty FROM lot_moves m WHERE lot = 'DYO-2' ORDER BY seq",
    ).stdout
    assert "3 rows" in table and table.index("ship") < table.index("receive") < table.index("export")
    assert world.trader.uscc in table and world.plant.uscc in table

    cli("analytics", "export", "--out", str(export_dir), "--year", "2025")  # a year without events
    assert json.loads((export_dir / "manifest.json").read_text())["rows"]["events"] == 0
    out = cli("analytics", "query", str(export_dir), "SELECT count(*) AS n FROM lot_draws", "--format", "csv")
    assert out.stdout.splitlines() == ["n", "0"]


def test_errors_are_one_line_messages(cli, export_dir, tmp_path):
    def error(*args: str) -> str:
        result = cli(*args, expect=2)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        return lines[0]

    assert "no such directory" in error("analytics", "query", str(tmp_path / "nowhere"), "SELECT 1")
    assert "not an analytics export" in error("analytics", "quota-use", str(tmp_path / "subs"), "2026")
    assert "query failed: Parser Error" in error("analytics", "query", str(export_dir), "SELEKT 1")
    assert "holds no analytics export" in error("analytics", "export", "--out", str(tmp_path / "subs"))
    assert (tmp_path / "subs" / "mine.json").exists()
