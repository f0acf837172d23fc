"""`reetrace simulate` through the real script: a small fraction of a national year is written
with its calibration said, and bad arguments are one-line usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REETRACE = Path(sys.executable).with_name("reetrace")


def reetrace(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REETRACE_DB", "REETRACE_THRESHOLDS")}
    env["COLUMNS"] = "200"
    return subprocess.run(
        [str(REETRACE), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    home = tmp_path_factory.mktemp("simulate")
    return home, reetrace("simulate", "--year", "2025", "--scale", "0.002", "--out", "year", "--quiet", cwd=home)


def test_simulate_writes_the_year_and_says_what_it_is_calibrated_on(run):
    home, result = run
    assert result.returncode == 0, result.stderr
    assert "2024's published totals (2025's were not published)" in result.stdout
    assert "calibration vs simulated" in result.stdout and "peak memory" in result.stdout
    assert "Injected: UNAUTHORIZED_MINING" in result.stdout and "Too small" not in result.stdout
    out = home / "year"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["calibration"]["source_year"] == 2024 and summary["scale"] == 0.002
    assert f"{summary['events']:,}" in result.stdout
    files = list((out / "submissions").rglob("*.json"))
    assert len(files) == summary["submissions"] > 100
    assert {p.name for p in out.iterdir()} == {"registry.json", "injected.json", "summary.json", "submissions"}


def test_simulate_again_replaces_its_own_files_byte_for_byte(run):
    home, _ = run
    before = (home / "year" / "injected.json").read_bytes()
    again = reetrace("simulate", "--scale", "0.002", "--out", "year", "--quiet", cwd=home)
    assert again.returncode == 0, again.stderr
    assert (home / "year" / "injected.json").read_bytes() == before


def test_simulate_writes_a_share_of_the_months_as_signed_epcis_documents(tmp_path):
    result = reetrace("simulate", "--scale", "0.002", "--epcis-share", "0.5", "--out", "year", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "year" / "summary.json").read_text(encoding="utf-8"))
    documents = sorted((tmp_path / "year" / "submissions").rglob("*.jsonld"))
    assert summary["epcis"] == {"share": 0.5, "documents": len(documents)} and documents
    assert all(d.with_name(d.name + ".jws").is_file() for d in documents)
    files = list((tmp_path / "year" / "submissions").rglob("*.json"))
    assert len(files) + len(documents) == summary["submissions"]
    assert f"{len(documents):,} (share 0.5)" in result.stdout and ".jsonld.jws" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--scale", "most"], "--scale must be `national` or a fraction"),
        (["--scale", "2"], "--scale must be `national` or a fraction"),
        (["--scale", "0"], "--scale must be `national` or a fraction"),
        (["--scale", "0.01", "--year", "2017"], "no national quota totals published for 2017"),
        (["--scale", "0.01", "--year", "2024"], "simulate a year from 2025"),
        (["--scale", "0.01", "--evasion-rate", "0"], "the evasion rate must be above 0 and at most 100"),
        (["--scale", "0.01", "--epcis-share", "1.5"], "the EPCIS share must be from 0 to 1, not 1.5"),
        (["--scale", "0.01", "--epcis-share", "-0.1"], "the EPCIS share must be from 0 to 1, not -0.1"),
    ],
)
def test_bad_arguments_are_a_one_line_usage_error(tmp_path, args, message):
    result = reetrace("simulate", *args, "--out", "year", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "year").exists()


def test_simulate_refuses_to_wipe_a_directory_it_did_not_make(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("years of work")
    result = reetrace("simulate", "--scale", "0.002", "--out", "mine", cwd=tmp_path)
    assert result.returncode == 2 and "holds files a simulation did not make" in result.stderr
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "years of work"
