"""Provenance credentials through a real server (docs/contract.md §11): who may issue them, what
anyone may fetch to check one — the DID document, the status list, the context, the credential
itself — and that a credential fetched checks with those alone."""

from __future__ import annotations

import pytest

from reetrace.credentials import data_integrity, did
from reetrace.credentials.status_list import StatusEntry
from reetrace.credentials.verify import verify


@pytest.fixture(scope="module")
def issued(seeded):
    with seeded.client("regulator") as client:
        answer = client.post("/api/lots/DYO-1/credentials", json={"securing": "di"})
    assert answer.status_code == 201, answer.text
    return answer


def test_staff_issue_and_anyone_fetches_what_checks_it(seeded, issued):
    body = issued.json()
    assert issued.headers["location"] == f"/credentials/{body['credential_id']}"
    assert body["lot"] == "DYO-1" and body["all_origins_legal"] is True
    with seeded.client() as anyone:  # no account at all
        fetched = anyone.get(issued.headers["location"])
        document = anyone.get("/.well-known/did.json")
        status = anyone.get("/credentials/status/1")
        context = anyone.get("/contexts/provenance/v1")
        resolver = anyone.get("/.well-known/gs1resolver")
    assert fetched.status_code == 200 and fetched.json() == body["credential"]
    assert document.headers["content-type"].startswith("application/did+json")
    assert document.json()["id"] == "did:web:localhost%3A8000" == fetched.json()["issuer"]["id"]
    report = verify(
        fetched.json(),
        document.json(),
        status_of=lambda entry: (
            entry.is_set(data_integrity.verify_proof(status.json(), did.key_resolver(document.json())).document),
            "url",
        ),
    )
    assert report.ok and report.status == "active", report.as_json()
    assert "chineseOriginShare" in context.json()["@context"]
    assert resolver.json()["supportedPrimaryKeys"] == ["01"]


def test_the_status_list_points_at_the_credential(seeded, issued):
    with seeded.client() as anyone:
        status = anyone.get("/credentials/status/1").json()
    entry = StatusEntry.of(issued.json()["credential"])
    assert entry is not None and entry.list_credential.endswith("/credentials/status/1")
    assert entry.is_set(status) is False
    assert status["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]


def test_who_may_issue(seeded):
    with seeded.client("trader_user") as trader:  # it received DYO-1
        mine = trader.post("/api/lots/DYO-1/credentials", json={"securing": "jwt"})
        assert mine.status_code == 201, mine.text
        assert mine.json()["credential"]["type"] == "EnvelopedVerifiableCredential"
        listed = trader.get("/api/lots/DYO-1/credentials").json()["credentials"]
    assert [c["credential_id"] for c in listed] == [mine.json()["credential_id"]]  # its own only
    with seeded.client("regulator") as regulator:
        assert len(regulator.get("/api/lots/DYO-1/credentials").json()["credentials"]) >= 2
    with seeded.client("auditor") as auditor:
        assert auditor.post("/api/lots/DYO-1/credentials", json={}).status_code == 403
    with seeded.client("mine_user") as mine_user:  # never held DYO-1: as if it did not exist
        theirs = mine_user.post("/api/lots/DYO-1/credentials", json={})
        nothing = mine_user.post("/api/lots/NO-SUCH-0/credentials", json={})
    assert theirs.status_code == nothing.status_code == 404 and theirs.content == nothing.content
    with seeded.client("regulator") as regulator:
        bad = regulator.post("/api/lots/DYO-1/credentials", json={"securing": "pgp"})
    assert bad.status_code == 422


def test_an_events_credential_for_ones_own_submission(seeded):
    with seeded.client("plant_user") as plant:
        own = plant.get("/api/submissions").json()["items"][0]["id"]
        made = plant.post(f"/api/submissions/{own}/credential", json={"securing": "di"})
    assert made.status_code == 201, made.text
    assert "DigitalTraceabilityEvent" in made.json()["credential"]["type"]
    with seeded.client("mine_user") as mine_user:
        theirs = mine_user.post(f"/api/submissions/{own}/credential", json={})
        nothing = mine_user.post("/api/submissions/999999/credential", json={})
    assert theirs.status_code == nothing.status_code == 404 and theirs.content == nothing.content


def test_what_is_not_there(seeded):
    with seeded.client() as anyone:
        assert anyone.get("/credentials/status/2").status_code == 404
        assert anyone.get("/credentials/00000000-0000-0000-0000-000000000000").status_code == 404
        assert anyone.get("/credentials/not-a-credential").status_code == 422
        missing = anyone.get("/credentials/00000000-0000-0000-0000-000000000000")
    assert missing.headers["content-type"].startswith("application/json")


def test_an_ingest_through_the_api_revokes_before_it_answers(seeded, issued):
    """Last in this module: the plant draws C1 (upstream of DYO-1) a second time, through the
    API; by the time the answer is in, the credential's bit is set and its reason recorded."""
    from factory import lot, transform

    overdraw = seeded.world.plant.submit(
        [transform("p9", "separation", [("C1", 900)], [lot("CEO-9", "oxide", 10, {"Ce": 0.8})])],
        created_at="2026-02-10T10:00:00+08:00",
    )
    with seeded.client("plant_user") as plant:
        assert plant.post("/api/submissions", json=overdraw).status_code == 201
    with seeded.client() as anyone:
        status = anyone.get("/credentials/status/1").json()
    entry = StatusEntry.of(issued.json()["credential"])
    assert entry is not None and entry.is_set(status) is True
    with seeded.client("regulator") as regulator:
        listed = regulator.get("/api/lots/DYO-1/credentials").json()["credentials"]
    mine = next(c for c in listed if c["credential_id"] == issued.json()["credential_id"])
    assert mine["revoked_at"] and [f["code"] for f in mine["revoked_reason"]["findings"]] == ["LOT_OVERDRAWN"]
