"""Privacy between enterprises through the live API (SQLite, or PostgreSQL with
REETRACE_TEST_DB): the squatting attack fails end to end and the holder is approved; an
enterprise's certificate is redacted and verifies offline with the log's key while staff get the
complete one; reads and changes of lots and applications are in the access log, with the
enterprise whose data they are."""

from __future__ import annotations

import json

from api_data import application_request

from reetrace.certificates.verify import verify

SQUATTER, HOLDER = "mine_user", "trader_user"


def applications(seeded) -> list[dict]:
    with seeded.client("regulator") as staff:
        return staff.get("/api/applications", params={"limit": 500}).json()["items"]


def access_log(seeded) -> list[dict]:
    with seeded.client("regulator") as staff:
        return staff.get("/api/access-log", params={"limit": 500}).json()["items"]


def test_the_squatting_attack_fails_end_to_end(seeded):
    m, x, p = seeded.world.mine.uscc, seeded.world.trader.uscc, seeded.world.plant.uscc
    before = applications(seeded)
    with seeded.client(SQUATTER) as squatter:
        answer = squatter.post("/api/applications", json=application_request(m, "DYO-1"))
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == (
        "item 1: an application may name only lots its exporter holds when it is filed"
    )
    assert applications(seeded) == before  # nothing stored
    refusal = next(e for e in access_log(seeded) if e["action"] == "refused" and e["username"] == SQUATTER)
    assert refusal["enterprise"] == m and refusal["what"] == "application"

    # the holder's application goes through the review, unblocked, and the holder is told of nobody
    number = next(a["number"] for a in before if a["exporter"] == x)
    with seeded.client(HOLDER) as holder:
        mine = holder.get(f"/api/applications/{number}")
    assert mine.status_code == 200 and m not in mine.text and p not in mine.text
    report = mine.json()["pre_review"]["report"]
    assert not [b for b in report["blocking"] if b["check"] == "quantities"]
    for user, action in (("reviewer", "accept"), ("reviewer", "start"), ("approver", "approve")):
        with seeded.client(user) as official:
            done = official.post(f"/api/applications/{number}/steps", json={"action": action, "why": "clear"})
        assert done.status_code == 201, done.text
    assert done.json()["state"] == "approved" and done.json()["license_no"]


def test_an_enterprises_certificate_is_redacted_and_verifies_offline(seeded):
    m, x, p = seeded.world.mine.uscc, seeded.world.trader.uscc, seeded.world.plant.uscc
    with seeded.client(HOLDER) as holder:
        answer = holder.get("/api/lots/DYO-1/certificate")
        key = holder.get("/api/log/key").text.strip()
    with seeded.client("regulator") as staff:
        complete = staff.get("/api/lots/DYO-1/certificate").json()
    certificate = answer.json()
    assert certificate["format"] == "reetrace/redacted-certificate@1" and certificate["issued_to"] == x
    assert m not in answer.text and p not in answer.text  # the mine's and the plant's events are redacted
    result = verify(json.loads(answer.text), key)
    assert result.ok, result.failures
    assert result.seen_in_full == [] and len(result.redacted_leaves) == 2
    assert complete["format"] == "reetrace/certificate@1" and m in json.dumps(complete)
    figures = [(o["lot"], o["type"], o["elements_kg"]) for o in complete["trace"]["origins"]]
    assert [(o["lot"], o["type"], o["elements_kg"]) for o in result.trace["origins"]] == figures


def test_staff_reads_and_enterprise_changes_are_logged_with_the_enterprise(seeded):
    x, p = seeded.world.trader.uscc, seeded.world.plant.uscc
    with seeded.client("auditor") as auditor:
        assert auditor.get("/api/lots/DYO-1").status_code == 200
        assert auditor.get("/api/lots/DYO-1/certificate").status_code == 200
    with seeded.client(HOLDER) as holder:
        filed = holder.post("/api/applications", json=application_request(x, "DYO-1")).json()["number"]
        holder.get("/api/lots/DYO-1")  # an enterprise reading its own lot is not logged
    entries = access_log(seeded)
    reads = [(e["what"], e["enterprise"], e["detail"]) for e in entries if e["username"] == "auditor"]
    assert ("GET /api/lots/DYO-1", p, None) in reads  # the plant made DYO-1: its data
    assert ("GET /api/lots/DYO-1/certificate", p, "certificate") in reads
    change = next(e for e in entries if e["what"] == f"application {filed}")
    assert (change["action"], change["username"], change["enterprise"]) == ("change", HOLDER, x)
    assert not [e for e in entries if e["username"] == HOLDER and e["action"] == "read"]
