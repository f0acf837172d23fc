"""Monthly reports in EPCIS (reetrace.demo.epcis) as the simulator writes them with `epcis_share`:
without it the files are those written before EPCIS reports existed, byte for byte; with it the
same year is written, a share of enterprise-months as signed EPCIS documents that hold exactly
the events, in the same order, that their §4 submissions would.

That such a year gives the same ledger and findings once ingested is
tests/integration/test_epcis_year.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from pathlib import Path

import pytest

from reetrace.demo import epcis
from reetrace.demo.cast import signing_key
from reetrace.epcis.document import read_document
from reetrace.epcis.schema import schema_errors
from reetrace.ledger.jws import key_id_of, verify_detached
from reetrace.simulate import simulate

SEED, SCALE, SHARE = 5, 0.002, 0.3

# The files `simulate(seed=3, scale=0.001)` wrote before EPCIS reports existed (commit 6a02180):
# a change to the simulator that changes what it writes changes this digest too (update it then,
# saying why); an EPCIS option left at its default must not.
BEFORE_EPCIS = "cbe17020b89766a6d7096acf3e4f664ee739128898694ab740fb5274425880d9"


def _files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _digest(directory: Path) -> str:
    whole = hashlib.sha256()
    for name, raw in _files(directory).items():
        whole.update(name.encode() + b"\0" + hashlib.sha256(raw).digest())
    return whole.hexdigest()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    """The same year without EPCIS and with a share of it."""
    base = tmp_path_factory.mktemp("epcis-reports")
    simulate(base / "plain", seed=SEED, scale=SCALE)
    simulate(base / "mixed", seed=SEED, scale=SCALE, epcis_share=SHARE)
    return base / "plain", base / "mixed"


def test_without_epcis_the_simulator_writes_what_it_wrote_before(tmp_path):
    simulate(tmp_path / "default", seed=3, scale=0.001)
    simulate(tmp_path / "none", seed=3, scale=0.001, epcis_share=0.0)
    assert _digest(tmp_path / "default") == _digest(tmp_path / "none") == BEFORE_EPCIS


def test_a_share_of_enterprise_months_is_written_in_epcis_and_nothing_else_changes(runs):
    plain, mixed = map(_files, runs)
    documents = sorted(name for name in mixed if name.endswith(epcis.SUFFIX))
    months = sorted(name for name in plain if name.startswith("submissions/"))
    assert 0.2 * len(months) < len(documents) < 0.4 * len(months)
    chosen = [
        name.removesuffix(".json") + epcis.SUFFIX
        for name in months
        if epcis.in_epcis(SHARE, SEED, name.split("/")[1], Path(name).stem)
    ]
    assert documents == chosen
    assert set(mixed) == (set(plain) - {d.removesuffix(epcis.SUFFIX) + ".json" for d in documents}) | {
        *documents,
        *(d + ".jws" for d in documents),
    }
    assert all(mixed[name] == raw for name, raw in plain.items() if name in mixed and name != "summary.json")
    summary = json.loads(mixed["summary.json"])
    assert summary.pop("epcis") == {"share": SHARE, "documents": len(documents)}
    assert summary == json.loads(plain["summary.json"])  # every monthly report counted as before


def test_each_document_is_valid_signed_by_its_enterprise_and_holds_its_months_events(runs):
    plain, mixed = runs
    registry = json.loads((mixed / "registry.json").read_text(encoding="utf-8"))
    keys = {
        k["key_id"]: (e["uscc"], base64.b64decode(k["public_key"])) for e in registry["enterprises"] for k in e["keys"]
    }
    documents = sorted((mixed / "submissions").rglob("*" + epcis.SUFFIX))
    assert documents
    for path in documents:
        raw = path.read_bytes()
        jws = epcis.jws_path(path).read_text(encoding="ascii")
        uscc, public_key = keys[key_id_of(jws)]
        assert verify_detached(public_key, jws, raw) == key_id_of(jws) and uscc == path.parent.name
        document = json.loads(raw.decode("utf-8"))
        assert schema_errors(document) == []
        submission = json.loads((plain / path.relative_to(mixed)).with_suffix(".json").read_text(encoding="utf-8"))
        captured = read_document(document)
        assert [(c.reporter, c.event) for c in captured] == [(uscc, e) for e in submission["events"]]  # in order
        assert datetime.fromisoformat(document["creationDate"]) == datetime.fromisoformat(submission["created_at"])


def test_a_document_read_back_and_signed_is_the_submission_it_stands_for(runs):
    plain, mixed = runs
    for path in sorted((mixed / "submissions").rglob("*" + epcis.SUFFIX))[:5]:
        submission = json.loads((plain / path.relative_to(mixed)).with_suffix(".json").read_text(encoding="utf-8"))
        document = json.loads(path.read_text(encoding="utf-8"))
        again = epcis.as_submission(document, signing_key(SEED, path.parent.name))
        assert again == submission  # the same JSON value; Ed25519 is deterministic: the signature too


def test_which_months_are_in_epcis_is_decided_by_seed_enterprise_and_month_alone():
    months = [(uscc, f"2025-{m:02d}") for uscc in ("91110000A", "91110000B", "91110000C") for m in range(1, 13)]
    assert not any(epcis.in_epcis(0.0, 7, u, m) for u, m in months)
    assert all(epcis.in_epcis(1.0, 7, u, m) for u, m in months)
    low = {(u, m) for u, m in months if epcis.in_epcis(0.2, 7, u, m)}
    high = {(u, m) for u, m in months if epcis.in_epcis(0.6, 7, u, m)}
    assert low < high  # a month in EPCIS stays in EPCIS as the share grows
    assert high != {(u, m) for u, m in months if epcis.in_epcis(0.6, 8, u, m)}


def test_a_documents_file_is_its_json_with_one_event_a_line():
    event = {
        "event_id": "e1",
        "type": "adjust",
        "time": "2025-03-01T09:00:00+08:00",
        "lot": "稀土-1",
        "delta_kg": -1.5,
        "reason": "stock-take",
    }
    document = epcis.report("91110000MA0000001X", [event, {**event, "event_id": "e2"}], "2025-04-03T10:00:00+08:00")
    text = epcis.document_text(document)
    assert json.loads(text) == document and "稀土" in text
    assert len(text.splitlines()) == 5 and text.splitlines()[2].startswith('  {"eventID"')
    empty = epcis.report("91110000MA0000001X", [], "2025-04-03T10:00:00+08:00")
    assert json.loads(epcis.document_text(empty)) == empty
