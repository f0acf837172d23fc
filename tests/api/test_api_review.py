"""Triage of findings and the export review through the live API: append-only actions, the
workflow's separation of duties with users acting as officials, a license issued and read."""

from __future__ import annotations

import pytest
from api_data import application_request

from reetrace.services.review import add_official


def test_triage_actions_are_appended_and_set_the_status(seeded):
    with seeded.client("inspector") as client:
        finding = client.get("/api/findings", params={"status": "open"}).json()["items"][0]
        url = f"/api/findings/{finding['key']}/actions"
        assert client.post(url, json={"action": "assign", "note": "yours"}).status_code == 422  # no assignee
        assert client.post(url, json={"action": "confirm", "note": ""}).status_code == 422  # no note
        assert client.post(url, json={"action": "delete", "note": "x"}).status_code == 422
        assert (
            client.post(url, json={"action": "assign", "note": "take it", "assignee": "regulator"}).status_code == 201
        )
        confirmed = client.post(url, json={"action": "confirm", "note": "the receipt is late"}).json()
        assert confirmed["status"] == "confirmed" and confirmed["assignee"] == "regulator"
    with seeded.client("regulator") as client:
        dismissed = client.post(url, json={"action": "dismiss", "note": "the deadline was extended"}).json()
        noted = client.post(url, json={"action": "note", "note": "called the plant"}).json()
        shown = client.get(f"/api/findings/{finding['key']}").json()
        listed = client.get("/api/findings", params={"status": "dismissed", "code": finding["code"]}).json()
    assert dismissed["status"] == noted["status"] == shown["status"] == "dismissed"  # a note decides nothing
    assert [a["action"] for a in shown["actions"]] == ["assign", "confirm", "dismiss", "note"]
    assert [a["by"] for a in shown["actions"]] == ["inspector", "inspector", "regulator", "regulator"]
    assert finding["key"] in [f["key"] for f in listed["items"]]
    for role in ("reviewer", "approver", "auditor", "trader_user"):
        with seeded.client(role) as client:
            assert client.post(url, json={"action": "note", "note": "me too"}).status_code == 403
    with seeded.client("regulator") as client:
        assert (
            client.post(
                "/api/findings/0123456789abcdef0123456789abcdef/actions",
                json={"action": "note", "note": "no such finding"},
            ).status_code
            == 404
        )


def test_finding_filters(seeded):
    x = seeded.world.trader.uscc
    with seeded.client("regulator") as client:
        every = client.get("/api/findings", params={"limit": 500}).json()
        by_enterprise = client.get("/api/findings", params={"enterprise": x, "limit": 500}).json()
        high = client.get("/api/findings", params={"severity": "high", "limit": 500}).json()
        early = client.get("/api/findings", params={"as_of": "2025-12-31"}).json()
    assert every["total"] > by_enterprise["total"] > 0
    assert all(f["enterprise"] == x for f in by_enterprise["items"])
    assert all(f["severity"] == "high" for f in high["items"])
    assert early["total"] == 0 and early["as_of"] == "2025-12-31"


def test_application_review_to_license_with_separation_of_duties(seeded):
    x = seeded.world.trader.uscc
    add_official(seeded.store, "dual", ["reviewer", "approver"], None)
    seeded.add_user("dual", "reviewer")
    with seeded.client("trader_user") as client:
        filed = client.get("/api/applications").json()["items"]
    number = next(a["number"] for a in filed if a["state"] == "submitted")

    def step(user: str, action: str, why: str = "", expect: int = 201) -> dict:
        with seeded.client(user) as client:
            answer = client.post(f"/api/applications/{number}/steps", json={"action": action, "why": why})
        assert answer.status_code == expect, answer.text
        return answer.json()

    assert step("approver", "accept", expect=422)["error"]["message"].startswith("approver does not hold")
    assert step("dual", "accept")["state"] == "accepted"
    assert step("reviewer", "start")["state"] == "under_review"
    refused = step("dual", "approve", "all clear", expect=422)  # it reviewed: it may not decide
    assert "may not also decide" in refused["error"]["message"]
    assert step("trader_user", "approve", "mine", expect=403)["error"]["type"] == "forbidden"
    approved = step("approver", "approve", "legal provenance, parties clear")
    assert approved["state"] == "approved" and approved["license_no"].startswith("RE2026S")
    with seeded.client("trader_user") as client:
        view = client.get(f"/api/applications/{number}").json()
        licenses = client.get("/api/licenses").json()["items"]
        issued = client.get(f"/api/licenses/{approved['license_no']}").json()
    assert [s["by"] for s in view["steps"]] == ["trader_user", "dual", "reviewer", "approver"]
    assert view["license"] == approved["license_no"]
    assert approved["license_no"] in {lic["license_no"] for lic in licenses}
    assert issued["exporter"] == x and issued["application"] == number


def test_the_exporter_withdraws_its_own_application(seeded):
    with seeded.client("trader_user") as client:
        filed = client.post("/api/applications", json=application_request(seeded.world.trader.uscc)).json()
        done = client.post(f"/api/applications/{filed['number']}/steps", json={"action": "withdraw"}).json()
    assert done["state"] == "withdrawn"
    with seeded.client("reviewer") as client:
        late = client.post(f"/api/applications/{filed['number']}/steps", json={"action": "accept"})
    assert late.status_code == 422


@pytest.mark.parametrize(
    "files, message",
    [
        ({"euc.pdf": "!!not base64!!", "eu.pdf": ""}, "not base64"),
        ({"../euc.pdf": "", "eu.pdf": ""}, "must name a member of files"),
        ({"eu.pdf": ""}, "must name a member of files"),
    ],
)
def test_application_documents_must_be_attached_plainly(seeded, files, message):
    request = application_request(seeded.world.trader.uscc)
    request["files"] = files
    with seeded.client("trader_user") as client:
        answer = client.post("/api/applications", json=request)
    assert answer.status_code == 422 and message in answer.json()["error"]["message"]


def test_absolute_document_paths_are_refused(seeded):
    request = application_request(seeded.world.trader.uscc)
    request["application"]["documents"][0]["path"] = "/etc/hostname"
    request["files"]["/etc/hostname"] = ""
    with seeded.client("trader_user") as client:
        answer = client.post("/api/applications", json=request)
    assert answer.status_code == 422 and "not a plain file name" in answer.json()["error"]["message"]


def test_trace_and_certificate_for_staff(seeded):
    with seeded.client("regulator") as client:
        backward = client.get("/api/lots/DYO-1/trace").json()
        forward = client.get("/api/lots/C1/trace", params={"direction": "forward"}).json()
        certificate = client.get("/api/lots/DYO-1/certificate").json()
        facts = client.get("/api/lots/DYO-1").json()
    assert backward["format"] == "reetrace/trace@1" and backward["origins"][0]["lot"] == "C1"
    assert {d["lot"] for d in forward["descendants"]} == {"DYO-1", "CEO-1"} and "withheld" not in forward
    assert certificate["format"] == "reetrace/certificate@1"
    assert facts["creator"]["enterprise"] == seeded.world.plant.uscc
    assert facts["custodian"] == seeded.world.trader.uscc and facts["form"] == "oxide"
    assert [e["type"] for e in facts["events"]] == ["transform", "ship", "receive"]
