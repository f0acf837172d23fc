"""`reetrace demo` through the real script: a synthetic year is generated, ingested and audited,
every injected violation is detected, and the clean rest of the chain raises nothing."""

from __future__ import annotations

import base64
import getpass
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from reetrace.demo import epcis
from reetrace.demo.violations import SCHEDULE
from reetrace.domain.rules.customs import CUSTOMS_CODES
from reetrace.epcis.document import read_document
from reetrace.epcis.schema import schema_errors
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.jws import key_id_of, verify_detached
from reetrace.store import tables as t
from reetrace.store.database import open_store

# the demo's registry carries the site members of the evasion rules, which the CLI loads as is

REETRACE = Path(sys.executable).with_name("reetrace")


def reetrace(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REETRACE_DB", "REETRACE_THRESHOLDS")}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [str(REETRACE), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    home = tmp_path_factory.mktemp("demo")
    return home, reetrace("demo", "--scale", "0.2", "--workdir", "tmp", cwd=home)


def test_demo_names_every_injected_violation_as_detected(demo_run):
    home, run = demo_run
    assert run.returncode == 0, run.stderr
    injected = json.loads((home / "tmp" / "injected.json").read_text(encoding="utf-8"))
    codes = {item["code"] for item in injected}
    assert codes == set(SCHEDULE)
    for code in codes:
        assert re.search(rf"detected\s+{code}:", run.stdout), code
    assert "MISSED" not in run.stdout
    assert "No other findings" in run.stdout
    assert "traced back to its origins" in run.stdout
    assert f"--db sqlite:///{(home / 'tmp' / 'store.db').resolve()} audit" in run.stdout
    assert (home / "tmp" / "registry.json").is_file()
    assert any((home / "tmp" / "submissions").rglob("*.json"))


def test_the_audit_finds_exactly_what_was_injected(demo_run):
    home, run = demo_run
    assert run.returncode == 0, run.stderr
    audit = reetrace(
        "--db", f"sqlite:///{home / 'tmp' / 'store.db'}", "audit", "--as-of", "2026-01-31", "--format", "json", cwd=home
    )
    assert audit.returncode == 0, audit.stderr
    everything = json.loads(audit.stdout)["findings"]
    customs_injected = json.loads((home / "tmp" / "customs" / "injected.json").read_text(encoding="utf-8"))
    customs = [f for f in everything if f["code"] in CUSTOMS_CODES]
    assert {f["code"] for f in customs} == {i["code"] for i in customs_injected}
    assert len(customs) == len(customs_injected)  # each customs injection once, nothing else
    findings = [f for f in everything if f["code"] not in CUSTOMS_CODES]
    injected = json.loads((home / "tmp" / "injected.json").read_text(encoding="utf-8"))
    assert {f["code"] for f in findings} == {i["code"] for i in injected}

    def matches(finding: dict, item: dict) -> bool:
        return (
            finding["code"] == item["code"]
            and finding["enterprise"] == item["enterprise"]
            and (item["event"] is None or finding["event"] == item["event"])
            and (item["lot"] is None or finding["lot"] is None or finding["lot"] == item["lot"])
        )

    assert [f for f in findings if not any(matches(f, i) for i in injected)] == []  # no false positives
    assert [i for i in injected if not any(matches(f, i) for f in findings)] == []


def test_demo_reviews_two_applications_and_reconciles_customs(demo_run):
    home, run = demo_run
    assert run.returncode == 0, run.stderr
    db = f"sqlite:///{home / 'tmp' / 'store.db'}"
    listed = reetrace("--db", db, "applications", "list", "--format", "json", cwd=home)
    states = {a["number"]: (a["state"], a["pre_review"]) for a in json.loads(listed.stdout)["applications"]}
    assert sorted(states.values()) == [("approved", "clear"), ("submitted", "blocked")]
    blocked = next(n for n, (state, _) in states.items() if state == "submitted")
    shown = json.loads(reetrace("--db", db, "applications", "show", blocked, "--format", "json", cwd=home).stdout)
    hits = [b["hit"] for b in shown["pre_review"]["report"]["blocking"] if b.get("hit")]
    assert hits and all(h == "demo_watch:demo-watch-1" for h in hits)
    licenses = json.loads(reetrace("--db", db, "licenses", "list", "--format", "json", cwd=home).stdout)["licenses"]
    issued = [lic for lic in licenses if lic["source"] == "review"]
    assert len(issued) == 1 and issued[0]["items"] and all(i["max_kg"] > 0 for i in issued[0]["items"])
    assert re.search(r"License|license RE\d{4}S\d{6}", run.stdout)
    assert "injected:" in run.stdout and (home / "tmp" / "customs" / "mirror.svg").is_file()
    assert "MISSED" not in run.stdout


def test_the_demos_changes_are_in_its_access_log(demo_run):
    """The demo acts at the command line: its changes are entries naming the operating-system
    user, the review's steps the official who took them."""
    home, run = demo_run
    assert run.returncode == 0, run.stderr
    db = f"sqlite:///{home / 'tmp' / 'store.db'}"
    logged = reetrace("--db", db, "access-log", "--limit", "500", "--format", "json", cwd=home)
    changes = [e for e in json.loads(logged.stdout)["items"] if e["action"] == "change"]
    assert {e["channel"] for e in changes} == {"cli"} and {e["os_user"] for e in changes} == {getpass.getuser()}
    assert sorted({e["what"] for e in changes}) == [
        *(
            f"account added {role}"
            for role in ("approver", "auditor", "exporter", "inspector", "regulator", "reviewer")
        ),
        "application EA2026-000001",  # the two applications the demo files
        "application EA2026-000002",
        "customs load",
        "mirror load",
        "official add",
        "reetrace ingest",  # the year's submissions
        "registry load",
        "review accept",
        "review approve",
        "review prereview",
        "review start",
        "screening list load",
    ]
    assert {e["username"] for e in changes if e["what"].startswith("review")} == {"Wang Li", "Chen Jie"}


def _recorded(home: Path) -> dict[tuple[str, str], bytes]:
    """Every event in the demo's store: (reporter, event_id) -> its stored canonical body."""
    store = open_store(f"sqlite:///{home / 'tmp' / 'store.db'}")
    try:
        with store.reading() as conn:
            rows = conn.execute(select(t.events.c.reporter, t.events.c.event_id, t.events.c.body)).all()
    finally:
        store.dispose()
    return {(row.reporter, row.event_id): row.body.encode() for row in rows}


def test_one_enterprise_reports_a_month_in_epcis_signed_with_its_key_and_all_of_it_is_recorded(demo_run):
    home, run = demo_run
    assert run.returncode == 0, run.stderr
    (path,) = (home / "tmp" / "submissions").rglob("*" + epcis.SUFFIX)
    assert not path.with_suffix(".json").exists()  # the month is reported in EPCIS instead
    raw, jws = path.read_bytes(), epcis.jws_path(path).read_text(encoding="ascii")
    registry = json.loads((home / "tmp" / "registry.json").read_text(encoding="utf-8"))
    (entry,) = [e for e in registry["enterprises"] if e["uscc"] == path.parent.name]
    (key,) = [k for k in entry["keys"] if k["key_id"] == key_id_of(jws)]
    verify_detached(base64.b64decode(key["public_key"]), jws, raw)
    document = json.loads(raw)
    assert schema_errors(document) == []
    events = read_document(document)
    recorded = _recorded(home)
    assert len(events) > 5 and len({e.event["type"] for e in events}) >= 3
    for captured in events:
        assert captured.reporter == entry["uscc"]
        assert recorded[(entry["uscc"], captured.event["event_id"])] == canonical_bytes(captured.event)
    said = " ".join(run.stdout.split())
    name = entry.get("name_en") or entry["name"]
    assert f"EPCIS: {name}'s ERP reports {path.stem} in GS1 EPCIS 2.0: {len(events)} events" in said
    assert str(path.relative_to(home)) in said and path.name + ".jws" in said  # the workdir as given


def test_the_demo_exports_a_magnet_lots_history_as_an_epcis_document(demo_run):
    home, run = demo_run
    assert run.returncode == 0, run.stderr
    said = " ".join(run.stdout.split())
    found = re.search(r"EPCIS export: the history of (\S+), (\d+) events \(.*?\) reported by .*? in (\S+)\.", said)
    assert found, said
    lot, count, path = found.group(1), int(found.group(2)), home / found.group(3)
    assert "NDFEB" in lot and path.parent == home / "tmp" / "epcis" and path.suffix == epcis.SUFFIX
    document = json.loads(path.read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    events = read_document(document)
    assert len(events) == count == len(document["epcisBody"]["eventList"])
    recorded = _recorded(home)
    for captured in events:  # each as the ledger holds it, its event hash as eventID
        assert captured.reporter is not None and captured.event_id.startswith("ni:///sha-256;")
        assert recorded[(captured.reporter, captured.event["event_id"])] == canonical_bytes(captured.event)
    held = {(c.reporter, c.event["event_id"]) for c in events}
    traced = reetrace("--db", f"sqlite:///{home / 'tmp' / 'store.db'}", "trace", lot, "--format", "json", cwd=home)
    origins = {tuple(o["event"].split(":", 1)) for o in json.loads(traced.stdout)["origins"]}
    assert origins and origins <= held  # from the extractions at its origins
    assert any(c.event["type"] == "export" and lot in c.event["lots"] for c in events)  # to its export


def test_demo_refuses_to_wipe_a_directory_it_did_not_make(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("years of work")
    run = reetrace("demo", "--scale", "0.2", "--workdir", "mine", cwd=tmp_path)
    assert run.returncode == 2
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "years of work"


def test_the_exported_magnet_lots_credential_verifies_from_the_files_alone(demo_run):
    """The demo issues the exported lot's provenance credential and writes what checks it: from
    another directory, with no store, the file and the DID document suffice."""
    home, run = demo_run
    assert run.returncode == 0, run.stderr
    folder = home / "tmp" / "credentials"
    (credential,) = folder.glob("*.vc.json")
    document = json.loads(credential.read_text(encoding="utf-8"))
    assert document["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert document["credentialSubject"]["product"]["batchNumber"] == credential.name.removesuffix(".vc.json")
    assert "Provenance credential" in run.stdout and "it verifies" in run.stdout
    elsewhere = home / "elsewhere"
    elsewhere.mkdir()
    checked = reetrace(
        "credential",
        "verify",
        credential,
        "--did-document",
        folder / "did.json",
        "--status-list",
        folder / "status-1.json",
        "--format",
        "json",
        cwd=elsewhere,
    )
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert report["ok"] and report["status"] == "active" and report["status_source"] == "file"
    assert list(elsewhere.iterdir()) == []  # no store was made where it ran
