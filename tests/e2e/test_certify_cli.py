"""`reetrace certify` and `reetrace verify` end to end, through the installed script: the
certificate is made from the test store, then checked from another directory with no store at
all — the database named by REETRACE_DB must never be created or read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from factory import extract, lot, receive, ship, transform
from reetrace.ledger.note import Signer

REETRACE = str(Path(sys.executable).with_name("reetrace"))
MAGNET = {"Nd": 0.29, "Dy": 0.01}


def run(
    args: tuple[str, ...], env: dict[str, str], cwd: Path | None = None, expect: int = 0
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [REETRACE, *args],
        env={**os.environ, "COLUMNS": "200", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == expect, (result.stdout, result.stderr)
    return result


@pytest.fixture
def cli(store_url, tmp_path):
    env = {"REETRACE_DB": store_url, "REETRACE_LOG_KEYS": str(tmp_path / "logkeys")}
    return lambda *args, expect=0: run(args, env, expect=expect)


@pytest.fixture
def certified(cli, world, write_json, tmp_path):
    m, p = world.mine, world.plant
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    mine = m.submit(
        [extract("m1", "C1", 1000, composition={"Ce": 0.2, "Nd": 0.1, "Dy": 0.02}), ship("m2", ["C1"], p.uscc, "S1")]
    )
    plant = p.submit(
        [
            receive("p1", ["C1"], m.uscc, "S1", mass_kg=1000),
            transform(
                "p2",
                "separation",
                [("C1", 1000)],
                [
                    lot("NDO-1", "oxide", 115.0, {"Nd": 0.8574 * 0.99}),
                    lot("DYO-1", "oxide", 22.0, {"Dy": 0.8713 * 0.99}),
                ],
            ),
            transform(
                "p3",
                "metal",
                [("NDO-1", 115.0)],
                [lot("NDM-1", "metal", 96.0, {"Nd": 0.995})],
                time="2026-01-12T08:00:00+08:00",
            ),
            transform(
                "p4",
                "magnet",
                [("NDM-1", 90.0), ("DYO-1", 3.0)],
                [lot("MAG-1", "magnet", 300.0, MAGNET)],
                time="2026-01-20T08:00:00+08:00",
            ),
        ],
        created_at="2026-02-06T10:00:00+08:00",
    )
    cli(
        "ingest",
        "--as-received",
        "created_at",
        str(write_json("mine.json", mine)),
        str(write_json("plant.json", plant)),
    )
    out, html = tmp_path / "MAG-1.cert.json", tmp_path / "MAG-1.cert.html"
    made = cli("certify", "MAG-1", "--out", str(out), "--html", str(html))
    return out, html, cli("log", "key").stdout.strip(), made.stdout


def test_certify_writes_the_certificate_and_the_printable_page(certified):
    out, html, key, stdout = certified
    certificate = json.loads(out.read_text(encoding="utf-8"))
    assert certificate["format"] == "reetrace/certificate@1" and certificate["lot"] == "MAG-1"
    assert [e["event"]["event_id"] for e in certificate["events"]] == ["m1", "p2", "p3", "p4"]
    assert "certificate for lot MAG-1 written to" in stdout and f"--log-key {key}" in stdout
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "MAG-1" in page and "reetrace.local/log" in page


def test_verify_offline_from_the_file_and_the_key(certified, offline, tmp_path):
    out, _, key, _ = certified
    result = offline("verify", str(out), "--log-key", key)
    assert "ok: the certificate for lot MAG-1 verifies" in result.stdout
    assert "4 of 4, each proven included" in result.stdout and "C1" in result.stdout
    report = json.loads(offline("verify", str(out), "--log-key", key, "--format", "json").stdout)
    assert report["ok"] and report["failures"] == [] and report["lot"] == "MAG-1"
    key_file = tmp_path / "log.pub"
    key_file.write_text(key + "\n", encoding="utf-8")
    assert offline("verify", str(out), "--log-key", str(key_file)).returncode == 0


def test_a_changed_byte_fails_with_the_reason(certified, offline, world, tmp_path):
    out, _, key, _ = certified
    changed = tmp_path / "changed.json"
    text = out.read_text(encoding="utf-8")
    changed.write_text(text.replace('"mass_kg": 1000', '"mass_kg": 1001', 1), encoding="utf-8")
    failed = offline("verify", str(changed), "--log-key", key, expect=1)
    assert "the certificate does not verify: 1 problem" in failed.stderr
    assert f"event 1 ({world.mine.uscc}:m1): the event was changed" in failed.stderr
    report = json.loads(offline("verify", str(changed), "--log-key", key, "--format", "json", expect=1).stdout)
    assert not report["ok"] and report["failures"][0].startswith(f"event 1 ({world.mine.uscc}:m1)")


def test_a_required_witness_and_bad_usage(certified, offline, tmp_path):
    out, _, key, _ = certified
    witness = Signer.generate("witness.example.org").cosignature_verifier().verifier_key()  # never cosigned it
    failed = offline("verify", str(out), "--log-key", key, "--witness-key", witness, expect=1)
    name, key_id = witness.split("+")[:2]
    assert f"witness {name}+{key_id}: the checkpoint carries no cosignature by this witness" in failed.stderr
    offline("verify", str(out), "--log-key", "not-a-key", expect=2)
    offline("verify", str(tmp_path / "missing.json"), "--log-key", key, expect=2)
    offline("verify", str(out), expect=2)  # no key, no verification


def test_a_redacted_certificate_its_opening_and_the_access_log(certified, cli, offline, world, store_url, tmp_path):
    """`certify --for` writes the certificate the plant would receive (the mine's extraction
    redacted), `verify` checks it offline and says what it saw whole, `disclose` opens the
    mine's commitments and `verify --opening` checks them; an altered opening fails."""
    _, _, key, _ = certified
    out = tmp_path / "MAG-1.plant.json"
    made = cli("certify", "MAG-1", "--out", str(out), "--for", world.plant.uscc)
    assert f"(1 redacted for {world.plant.uscc})" in made.stdout
    text = out.read_text(encoding="utf-8")
    assert world.mine.uscc not in text and '"m1"' not in text
    checked = offline("verify", str(out), "--log-key", key)
    assert "ok: the certificate for lot MAG-1 verifies" in checked.stdout
    assert f"seen in full: {world.plant.uscc}:p2, {world.plant.uscc}:p3, {world.plant.uscc}:p4" in checked.stdout
    assert "1 redacted (leaves 0)" in checked.stdout
    opening = tmp_path / "opening.json"
    cli("disclose", str(out), "--leaf", "0", "--out", str(opening))
    opened = json.loads(opening.read_text(encoding="utf-8"))
    assert opened["openings"]["/reporter"]["value"] == world.mine.uscc
    assert offline("verify", str(out), "--log-key", key, "--opening", str(opening)).returncode == 0
    opened["openings"]["/event/event_id"]["value"] = "m9"
    opening.write_text(json.dumps(opened), encoding="utf-8")
    failed = offline("verify", str(out), "--log-key", key, "--opening", str(opening), expect=1)
    assert "/event/event_id: the value opened is not the one committed to" in failed.stderr
    cli("certify", "MAG-1", "--out", str(out), "--for", "not-a-uscc", expect=2)

    from reetrace.store.database import open_store

    store = open_store(store_url)
    try:
        with store.reading() as conn:
            rows = conn.exec_driver_sql(
                "SELECT action, what, enterprise, detail, channel, os_user FROM access_log ORDER BY id"
            ).all()
    finally:
        store.dispose()
    reads = [r for r in rows if r.what == "certificate of lot MAG-1"]
    assert [(r.action, r.enterprise, r.channel) for r in reads] == [("read", world.plant.uscc, "cli")] * 2
    assert reads[1].detail == f"redacted for {world.plant.uscc}" and reads[1].os_user
    assert [(r.action, r.enterprise, r.channel) for r in rows if r.action == "disclose"] == [
        ("disclose", world.mine.uscc, "cli")
    ]
