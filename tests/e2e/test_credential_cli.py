"""`reetrace credential issue` and `reetrace credential verify` end to end, through the installed
script (docs/contract.md §11): a credential issued from the test store verifies offline with
nothing but the file and the issuer's DID document, says its status could not be checked, and
checks it from a status list file or from the store; a finding raised later upstream revokes it,
and then every way of checking says so and exits non-zero."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from factory import extract, lot, receive, ship, transform
from reetrace.credentials.schema import validate_passport

REETRACE = str(Path(sys.executable).with_name("reetrace"))
MAGNET = {"Nd": 0.29, "Dy": 0.01}
PUBLIC = "https://trace.example.gov.cn"


def run(args: tuple[str, ...], env: dict[str, str], cwd: Path | None = None, expect: int = 0):
    result = subprocess.run(
        [REETRACE, *args],
        env={**os.environ, "COLUMNS": "200", "REETRACE_PUBLIC_URL": PUBLIC, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == expect, (result.stdout, result.stderr)
    return result


def import_(event_id: str, country: str, declaration: str, outputs: list[dict]) -> dict:
    return {
        "event_id": event_id,
        "type": "import",
        "time": "2026-01-06T08:00:00+08:00",
        "origin_country": country,
        "customs_declaration": declaration,
        "outputs": outputs,
    }


@pytest.fixture
def cli(store_url, tmp_path):
    env = {"REETRACE_DB": store_url, "REETRACE_LOG_KEYS": str(tmp_path / "logkeys")}
    return lambda *args, expect=0: run(args, env, expect=expect)


@pytest.fixture
def chain(cli, world, write_json):
    """A Chinese concentrate and a Myanmar one blended at separation, made into a magnet."""
    m, p = world.mine, world.plant
    cli("registry", "load", str(write_json("registry.json", world.registry())))
    mine = m.submit(
        [extract("m1", "C1", 1000, composition={"Ce": 0.2, "Nd": 0.1, "Dy": 0.02}), ship("m2", ["C1"], p.uscc, "S1")]
    )
    plant = p.submit(
        [
            receive("p1", ["C1"], m.uscc, "S1", mass_kg=1000),
            import_("p0", "MM", "DEC-1", [lot("C2", "concentrate", 1000, {"Nd": 0.1, "Dy": 0.02})]),
            transform(
                "p2",
                "separation",
                [("C1", 1000), ("C2", 1000)],
                [
                    lot("NDO-1", "oxide", 230.0, {"Nd": 0.8574 * 0.99}),
                    lot("DYO-1", "oxide", 44.0, {"Dy": 0.8713 * 0.99}),
                    lot("CEO-1", "oxide", 240.0, {"Ce": 0.8141 * 0.99}),
                ],
            ),
            transform(
                "p3",
                "metal",
                [("NDO-1", 230.0)],
                [lot("NDM-1", "metal", 190.0, {"Nd": 0.995})],
                time="2026-01-12T08:00:00+08:00",
            ),
            transform(
                "p4",
                "magnet",
                [("NDM-1", 90.0), ("DYO-1", 3.6)],
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
    return world


def test_issue_both_ways_and_verify_offline(chain, cli, offline, tmp_path):
    di, jwt, did = tmp_path / "di.json", tmp_path / "jwt.json", tmp_path / "did.json"
    made = cli("credential", "issue", "MAG-1", "--out", str(di))
    assert "every origin legal" in made.stdout
    cli("credential", "issue", "MAG-1", "--securing", "jwt", "--out", str(jwt))
    cli("credential", "did-document", "--out", str(did))
    credential = json.loads(di.read_text(encoding="utf-8"))
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert credential["issuer"]["id"] == "did:web:trace.example.gov.cn"
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    assert validate_passport(unsigned) == []
    subject = credential["credentialSubject"]
    assert subject["product"]["id"] == f"{PUBLIC}/lots/MAG-1"
    assert subject["allOriginsLegal"] is True
    # Nd came half from China, half from Myanmar (equal Nd in both concentrates); Dy likewise
    nd = {
        m["originCountry"]: m["massFraction"] for m in subject["materialsProvenance"] if m["name"] == "Neodymium (Nd)"
    }
    assert nd == pytest.approx({"CN": 0.29 / 2, "MM": 0.29 / 2})
    assert sum(m["massFraction"] for m in subject["materialsProvenance"]) == pytest.approx(1.0)
    assert subject["chineseOriginShare"] == pytest.approx(0.5)
    mined = next(s for s in subject["provenanceStages"] if s["stage"] == "mined")
    assert mined["countries"] == ["CN", "MM"]
    text = di.read_text(encoding="utf-8")
    assert chain.mine.uscc not in text and chain.plant.uscc not in text  # nobody upstream is named

    for path in (di, jwt):
        checked = offline("credential", "verify", str(path), "--did-document", str(did))
        assert "verifies" in checked.stdout and "could not be checked" in checked.stdout
        report = json.loads(
            offline("credential", "verify", str(path), "--did-document", str(did), "--format", "json").stdout
        )
        assert report["ok"] and report["status"] == "unchecked"
        assert report["securing"] == ("di" if path == di else "jwt")


def test_a_changed_credential_fails(chain, cli, offline, tmp_path):
    di, did = tmp_path / "di.json", tmp_path / "did.json"
    cli("credential", "issue", "MAG-1", "--out", str(di))
    cli("credential", "did-document", "--out", str(did))
    doc = json.loads(di.read_text(encoding="utf-8"))
    doc["credentialSubject"]["chineseOriginShare"] = 0.0
    di.write_text(json.dumps(doc), encoding="utf-8")
    failed = offline("credential", "verify", str(di), "--did-document", str(did), expect=1)
    assert "does not verify" in failed.stderr
    offline("credential", "verify", str(tmp_path / "missing.json"), expect=2)


def test_a_later_blocking_finding_revokes(chain, cli, offline, write_json, tmp_path):
    di, did, status = tmp_path / "di.json", tmp_path / "did.json", tmp_path / "status.json"
    cli("credential", "issue", "MAG-1", "--out", str(di))
    cli("credential", "did-document", "--out", str(did))
    cli("credential", "status-list", "--out", str(status))
    assert "not revoked (status from the store)" in cli("credential", "verify", str(di)).stdout
    assert (
        "not revoked (status from the file)"
        in offline("credential", "verify", str(di), "--did-document", str(did), "--status-list", str(status)).stdout
    )
    # the plant draws the Chinese concentrate a second time: C1 is overdrawn, upstream of MAG-1
    again = chain.plant.submit(
        [
            transform(
                "p9",
                "separation",
                [("C1", 500)],
                [lot("NDO-9", "oxide", 50.0, {"Nd": 0.8})],
                time="2026-01-25T08:00:00+08:00",
            )
        ],
        created_at="2026-02-07T10:00:00+08:00",
    )
    ingested = cli("ingest", "--as-received", "created_at", str(write_json("again.json", again)))
    assert "revoked: LOT_OVERDRAWN" in ingested.stderr
    failed = cli("credential", "verify", str(di), "--format", "json", expect=1)
    report = json.loads(failed.stdout)
    assert report["status"] == "revoked" and report["status_source"] == "store"
    assert [f["code"] for f in report["revocation"]["reason"]["findings"]] == ["LOT_OVERDRAWN"]
    cli("credential", "status-list", "--out", str(status))
    offline("credential", "verify", str(di), "--did-document", str(did), "--status-list", str(status), expect=1)
    # a credential issued now states the finding, and stays valid: nothing new has come up since
    now = tmp_path / "now.json"
    assert "a blocking finding stands upstream" in cli("credential", "issue", "MAG-1", "--out", str(now)).stdout
    assert json.loads(now.read_text(encoding="utf-8"))["credentialSubject"]["allOriginsLegal"] is False
    assert cli("credential", "verify", str(now)).returncode == 0


def test_a_submissions_events_as_a_traceability_credential(chain, cli, offline, tmp_path):
    from reetrace.credentials.schema import validate_traceability

    events, did = tmp_path / "events.json", tmp_path / "did.json"
    cli("credential", "events", "2", "--securing", "jwt", "--out", str(events))  # the plant's submission
    cli("credential", "did-document", "--out", str(did))
    checked = json.loads(
        offline("credential", "verify", str(events), "--did-document", str(did), "--format", "json").stdout
    )
    assert checked["ok"] and checked["securing"] == "jwt"
    assert [c["message"] for c in checked["checks"]][:3] == ["signature_ok", "schema_ok_events", "valid_now"]
    import base64

    token = json.loads(events.read_text(encoding="utf-8"))["id"].split(",", 1)[1]
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert "DigitalTraceabilityEvent" in payload["type"] and validate_traceability(payload) == []
    assert len(payload["credentialSubject"]) == 5  # the five events the plant's submission added
    cli("credential", "events", "99", "--out", str(events), expect=1)
