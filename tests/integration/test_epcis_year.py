"""A year ingested as EPCIS gives the same ledger and the same findings as the same year ingested
as §4 submissions, except LATE_REPORT, which depends on when each submission was received
(contract §10). Differential: one simulated year written twice, every enterprise-month as a §4
submission and every one as a signed EPCIS document (`epcis_share=1`), each ingested into a
store of its own (SQLite, or PostgreSQL with REETRACE_TEST_DB) and audited as
`reetrace audit --format json` does.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reetrace.config import Settings
from reetrace.demo import epcis
from reetrace.demo.cast import signing_key
from reetrace.demo.documents import submission_text
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.jws import key_id_of, verify_detached
from reetrace.services.audit import audit_ledger, findings_document
from reetrace.services.ingest import IngestReport, ingest
from reetrace.services.registry import load_registry
from reetrace.simulate import simulate
from reetrace.store.database import open_store
from reetrace.store.ledger_pages import event_pages, ledger_extent
from stores import fresh_store_url

SEED, SCALE, YEAR = 5, 0.002, 2025
AS_OF = date(YEAR + 1, 1, 31)


@dataclass(frozen=True)
class Ledger:
    """What a store holds once a year is ingested and audited."""

    report: IngestReport
    events: Counter[tuple[str, str]]  # (reporter, the event's stored body)
    findings: list[dict[str, Any]]  # as `reetrace audit --format json` gives them

    def findings_but_late_reports(self) -> list[bytes]:
        """The findings other than LATE_REPORT, each as canonical JSON, in order."""
        return sorted(canonical_bytes(f) for f in self.findings if f["code"] != "LATE_REPORT")


def _ledger(year: Path, store_file: Path) -> Ledger:
    with fresh_store_url(store_file) as url:
        store = open_store(url)
        try:
            load_registry(store, json.loads((year / "registry.json").read_text(encoding="utf-8")))
            report = ingest(store, [year / "submissions"], as_received_created_at=True)
            with store.reading() as conn:
                _, last = ledger_extent(conn)
                events = Counter((row.reporter, row.body) for page in event_pages(conn, last) for row in page)
            findings = findings_document(audit_ledger(store, Settings(), AS_OF), AS_OF)["findings"]
        finally:
            store.dispose()
    return Ledger(report, events, findings)


@pytest.fixture(scope="module")
def years(tmp_path_factory) -> tuple[Path, Path, dict[str, Any]]:
    """The year as §4 submissions, the same year as EPCIS documents, and its summary."""
    base = tmp_path_factory.mktemp("epcis-year")
    as_submissions = simulate(base / "submissions", seed=SEED, scale=SCALE, year=YEAR)
    as_epcis = simulate(base / "epcis", seed=SEED, scale=SCALE, year=YEAR, epcis_share=1.0)
    assert as_epcis.events == as_submissions.events and as_epcis.injected == as_submissions.injected
    assert as_epcis.summary["epcis"]["documents"] == as_submissions.summary["submissions"]
    assert not list((base / "epcis" / "submissions").rglob("*.json"))  # every month in EPCIS
    return base / "submissions", base / "epcis", as_submissions.summary


@pytest.fixture(scope="module")
def reference(years, tmp_path_factory) -> Ledger:
    """The year ingested as §4 submissions."""
    as_submissions, _, summary = years
    ledger = _ledger(as_submissions, tmp_path_factory.mktemp("reference") / "store.db")
    assert ledger.report.rejected == [] and ledger.report.events_accepted == summary["events"]
    assert {f["code"] for f in ledger.findings} >= {"LATE_REPORT", "MASS_BALANCE_VIOLATION", "ELEMENT_DIVERTED"}
    return ledger


def _same_year(ledger: Ledger, reference: Ledger, summary: dict[str, Any]) -> None:
    assert ledger.report.rejected == []
    assert ledger.report.submissions_accepted == summary["submissions"]
    assert ledger.report.events_accepted == summary["events"] == sum(ledger.events.values())
    assert set(ledger.events) == set(reference.events) and ledger.events == reference.events
    assert ledger.findings_but_late_reports() == reference.findings_but_late_reports()


def test_the_year_ingested_as_epcis_is_the_ledger_and_the_findings_of_the_year_as_submissions(
    years, reference, tmp_path
):
    _, as_epcis, summary = years
    _same_year(_ledger(as_epcis, tmp_path / "store.db"), reference, summary)


def test_the_epcis_documents_read_back_are_the_same_ledger_and_findings(years, reference, tmp_path):
    """Each document verified against its enterprise's registered key and read back (the events
    a capture records), then signed again as a §4 submission: the same ledger and findings. What
    the EPCIS documents carry is the year, before any door for them is involved."""
    _, as_epcis, summary = years
    registry = json.loads((as_epcis / "registry.json").read_text(encoding="utf-8"))
    keys = {
        k["key_id"]: (e["uscc"], base64.b64decode(k["public_key"])) for e in registry["enterprises"] for k in e["keys"]
    }
    read_back = tmp_path / "read-back"
    for path in sorted((as_epcis / "submissions").rglob("*" + epcis.SUFFIX)):
        raw, jws = path.read_bytes(), epcis.jws_path(path).read_text(encoding="ascii")
        uscc, public_key = keys[key_id_of(jws)]
        verify_detached(public_key, jws, raw)
        submission = epcis.as_submission(json.loads(raw), signing_key(SEED, uscc))
        assert submission["reporter"] == uscc == path.parent.name
        target = read_back / "submissions" / uscc / f"{path.name.removesuffix(epcis.SUFFIX)}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(submission_text(submission), encoding="utf-8")
    (read_back / "registry.json").write_bytes((as_epcis / "registry.json").read_bytes())
    _same_year(_ledger(read_back, tmp_path / "store.db"), reference, summary)
