"""`reetrace demo` through the real script: a synthetic year is generated, ingested and audited,
every injected violation is detected, and the clean rest of the chain raises nothing."""

from __future__ import annotations

import getpass
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reetrace.demo.violations import SCHEDULE
from reetrace.domain.rules.customs import CUSTOMS_CODES

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


def test_demo_refuses_to_wipe_a_directory_it_did_not_make(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("years of work")
    run = reetrace("demo", "--scale", "0.2", "--workdir", "mine", cwd=tmp_path)
    assert run.returncode == 2
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "years of work"
