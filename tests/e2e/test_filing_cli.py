"""The enterprise's filing commands through the real `reetrace` script: `keys new`, `sign`."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from reetrace.contract.submission import EVENT_TYPES, validate_events, validate_header
from reetrace.filing.sheets import TEMPLATES
from reetrace.ledger.submission import signed_message

REETRACE = Path(sys.executable).with_name("reetrace")
REPORTER = "91150200MA0N0P1X25"
CREATED_AT = "2026-11-05T10:00:00+08:00"


def reetrace(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REETRACE_DB": f"sqlite:///{cwd / 'unused.db'}", "COLUMNS": "200"}
    return subprocess.run(
        [str(REETRACE), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def signer(tmp_path_factory) -> tuple[Path, dict]:
    """A key made by `reetrace keys new`: the private key file and the printed registry entry."""
    home = tmp_path_factory.mktemp("signer")
    run = reetrace(
        "keys", "new", "--out", "keys", "--name", "plant", "--valid-from", "2026-01-01T00:00:00+08:00", cwd=home
    )
    assert run.returncode == 0, run.stderr
    return home / "keys" / "plant.key", json.loads(run.stdout)


def test_keys_new_writes_a_private_key_only_its_owner_can_read(signer):
    private, entry = signer
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert json.loads(private.with_name("plant.pub.json").read_text()) == entry


def test_keys_new_prints_the_registry_entry(signer):
    _, entry = signer
    raw = base64.b64decode(entry["public_key"], validate=True)
    assert len(raw) == 32
    assert entry == {
        "key_id": hashlib.sha256(raw).hexdigest()[:16],
        "public_key": entry["public_key"],
        "valid_from": "2026-01-01T00:00:00+08:00",
        "revoked_at": None,
    }


def test_keys_new_never_overwrites_a_key(signer):
    private, _ = signer
    before = private.read_bytes()
    run = reetrace("keys", "new", "--out", private.parent, "--name", "plant", cwd=private.parent)
    assert run.returncode == 2
    assert "already exists" in run.stderr
    assert private.read_bytes() == before


def test_keys_new_refuses_a_bad_valid_from(tmp_path):
    run = reetrace("keys", "new", "--out", "k", "--valid-from", "2026-01-01", cwd=tmp_path)
    assert run.returncode == 2 and "--valid-from" in run.stderr
    assert not (tmp_path / "k").exists() or not any((tmp_path / "k").iterdir())


def test_signed_templates_make_a_submission_that_verifies(signer, tmp_path):
    private, entry = signer
    for type_ in EVENT_TYPES:  # `sign --template TYPE` prints exactly this (test_template_prints_the_sheet)
        (tmp_path / f"{type_}.csv").write_text(TEMPLATES[type_].csv())
    out = tmp_path / "out" / "submission.json"
    out.parent.mkdir()
    sheets = [f"{t}.csv" for t in EVENT_TYPES]
    run = reetrace(
        "sign",
        *sheets,
        "--reporter",
        REPORTER,
        "--key",
        private,
        "--out",
        out,
        "--created-at",
        CREATED_AT,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert entry["key_id"] in run.stdout and "8 events" in run.stdout

    doc = json.loads(out.read_text())
    header = validate_header(doc)
    assert (header.reporter, header.key_id, doc["created_at"]) == (REPORTER, entry["key_id"], CREATED_AT)
    public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(entry["public_key"]))
    signature = base64.urlsafe_b64decode(doc["signature"] + "==")
    public_key.verify(signature, signed_message(doc))  # raises InvalidSignature if it does not verify
    assert [e.type for e in validate_events(doc["events"], REPORTER)] == list(EVENT_TYPES)
    assert os.listdir(out.parent) == ["submission.json"]  # no temporary file left behind


def test_json_lines_are_signed_and_the_type_option_fills_in(signer, tmp_path):
    private, _ = signer
    ship = {
        "event_id": "SH-1",
        "time": "2026-10-03T08:00:00+08:00",
        "lots": ["L-1"],
        "to": "91440300MA5F000007",
        "shipment": "SHP-1",
    }
    (tmp_path / "ships.jsonl").write_text(json.dumps(ship) + "\n\n" + json.dumps({**ship, "event_id": "SH-2"}) + "\n")
    run = reetrace(
        "sign",
        "ships.jsonl",
        "--type",
        "ship",
        "--reporter",
        REPORTER,
        "--key",
        private,
        "--out",
        "s.json",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads((tmp_path / "s.json").read_text())
    assert [(e["type"], e["event_id"]) for e in doc["events"]] == [("ship", "SH-1"), ("ship", "SH-2")]
    assert doc["created_at"].endswith("+08:00")


def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(signer, tmp_path):
    private, _ = signer
    (tmp_path / "moves.csv").write_text(
        "type,event_id,time,to,shipment,lot\n"
        "ship,SH-1,2026-10-03T08:00:00+08:00,91440300MA5F000007,SHP-1,L-1\n"
        "ship,SH-2,2026-10-03T08:00:00+08:00,91440300MA5F000008,SHP-2,L-2\n"
        "ship,SH-3,2026-10-03,91440300MA5F000007,SHP-3,L-3\n"
    )
    run = reetrace("sign", "moves.csv", "--reporter", REPORTER, "--key", private, "--out", "s.json", cwd=tmp_path)
    assert run.returncode == 1
    problems = [line for line in run.stderr.splitlines() if line.startswith("moves.csv:")]
    assert len(problems) == 2
    assert problems[0].startswith("moves.csv:3: event SH-2: to: ") and "Unified Social Credit Code" in problems[0]
    assert problems[1].startswith("moves.csv:4: event SH-3: time: ")
    assert "nothing was signed" in run.stderr
    assert sorted(os.listdir(tmp_path)) == ["moves.csv"]


def test_an_invalid_reporter_is_refused(signer, tmp_path):
    private, _ = signer
    (tmp_path / "ship.csv").write_text(TEMPLATES["ship"].csv())
    run = reetrace(
        "sign", "ship.csv", "--reporter", "91150200MA0N0P1X26", "--key", private, "--out", "s.json", cwd=tmp_path
    )
    assert run.returncode == 2 and "--reporter" in run.stderr
    assert not (tmp_path / "s.json").exists()


def test_template_prints_the_sheet(tmp_path):
    run = reetrace("sign", "--template", "transform", cwd=tmp_path)
    assert run.returncode == 0 and run.stdout == TEMPLATES["transform"].csv()


def test_template_all_lists_every_type(tmp_path):
    run = reetrace("sign", "--template", "all", cwd=tmp_path)
    assert run.returncode == 0
    assert [line.split(":")[0] for line in run.stdout.splitlines() if line.startswith("# ")] == [
        f"# {t}" for t in EVENT_TYPES
    ]
    assert reetrace("sign", "--template", "smelt", cwd=tmp_path).returncode == 2


def test_a_filed_month_is_accepted_by_ingest(tmp_path, store_url):
    """The whole enterprise path: a new key, registered, signs a CSV month that ingest accepts."""
    env = {**os.environ, "REETRACE_DB": store_url, "COLUMNS": "200"}

    def run(*args):
        done = subprocess.run(
            [str(REETRACE), *map(str, args)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    entry = json.loads(
        run("keys", "new", "--out", "keys", "--name", "mine", "--valid-from", "2026-01-01T00:00:00+08:00")
    )
    registry = {
        "format": "reetrace/registry@1",
        "enterprises": [
            {
                "uscc": REPORTER,
                "name": "示例稀土矿业有限公司",
                "qualifications": [{"kind": "mining", "valid_from": "2026-01-01", "valid_to": "2026-12-31"}],
                "keys": [entry],
            }
        ],
        "quotas": [{"year": 2026, "uscc": REPORTER, "kind": "mining", "category": "rock", "tonnes_reo": 10}],
    }
    (tmp_path / "registry.json").write_text(json.dumps(registry, ensure_ascii=False))
    run("registry", "load", "registry.json")
    (tmp_path / "october.csv").write_text(
        "type,event_id,time,deposit,lot,form,mass_kg,Ce,La,Nd\n"
        "extract,oct-1,2026-10-03T08:00:00+08:00,rock,C-1,concentrate,1000,0.2,0.1,0.08\n"
        "extract,oct-1,2026-10-03T08:00:00+08:00,rock,C-2,concentrate,500,0.2,0.1,0.08\n",
        encoding="utf-8",
    )
    run(
        "sign",
        "october.csv",
        "--reporter",
        REPORTER,
        "--key",
        "keys/mine.key",
        "--out",
        "october.json",
        "--created-at",
        CREATED_AT,
    )
    report = json.loads(run("ingest", "--as-received", "created_at", "--format", "json", "october.json"))
    assert report["submissions"]["accepted"] == 1 and report["events"]["accepted"] == 1
    findings = json.loads(run("audit", "--as-of", "2026-12-31", "--format", "json"))["findings"]
    assert findings == []
