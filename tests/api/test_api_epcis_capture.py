"""EPCIS capture through the live server (contract §10): a document signed with a detached JWS
is recorded exactly as the same events sent as a §4 submission, all or nothing; each refusal
keeps its reason class and says where in the document it is; what cannot be authenticated is
answered at once; re-sending is a no-op; a capture account may capture and nothing else; the
portal lists the jobs in Chinese and English; `reetrace ingest` takes `.jsonld` + `.jws` pairs.

The module's own server (tests/api/conftest.py `live`) holds the small chain's registry, a user
per enterprise, a capture account of the mine's and a regulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_data import PASSWORD
from sqlalchemy import func, select
from test_console_access_log import console

from epcis_capture import CREATED, body, detached_jws, document, forged_jws
from factory import extract, party, ship
from reetrace.domain.submissions import MAX_BYTES
from reetrace.ledger.canonical import canonical_bytes
from reetrace.services import accounts, registry
from reetrace.store import epcis_repo
from reetrace.store import tables as t

REETRACE = str(Path(sys.executable).with_name("reetrace"))
STRANGER = party(50, "mining")  # a key nobody registered


@pytest.fixture(scope="module")
def site(live):
    w = live.world
    registry.load_registry(live.store, w.registry())
    live.add_user("regulator", "regulator")
    for name, member in (("mine_user", w.mine), ("plant_user", w.plant), ("trader_user", w.trader)):
        live.add_user(name, "enterprise", member.uscc)
    accounts.add_user(live.store, "mine_erp", None, "capture", w.mine.uscc)
    live.tokens["mine_erp"] = accounts.issue_token(live.store, "mine_erp", "the mine's ERP")[1]
    live.users["mine_erp"] = ("capture", w.mine.uscc)
    return live


def capture(live, user: str, payload: bytes, jws: str | None, media: str = "application/ld+json") -> httpx.Response:
    headers = {"Content-Type": media}
    if jws is not None:
        headers["JWS-Signature"] = jws
    with live.client(user) as client:
        return client.post("/epcis/capture", content=payload, headers=headers)


def signed(member, events: list[dict[str, Any]], **changes: Any) -> tuple[bytes, str]:
    doc = document(member.uscc, events)
    doc.update(changes)
    raw = body(doc)
    return raw, detached_jws(member.key, raw)


def count(live, table) -> int:
    with live.store.reading() as conn:
        return conn.scalar(select(func.count()).select_from(table)) or 0


def stored_bodies(live, reporter: str, event_ids: list[str]) -> dict[str, str]:
    with live.store.reading() as conn:
        rows = conn.execute(
            select(t.events.c.event_id, t.events.c.body).where(
                t.events.c.reporter == reporter, t.events.c.event_id.in_(event_ids)
            )
        )
        return {r.event_id: r.body for r in rows}


def job(live, user: str, location: str) -> dict[str, Any]:
    with live.client(user) as client:
        answer = client.get(location)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_capture_is_recorded_as_the_same_events_sent_as_a_submission_would_be(site):
    w = site.world
    events = [
        extract("c1", "CAP-1", 800, composition={"Ce": 0.2, "Dy": 0.06}),
        ship("c2", ["CAP-1"], w.plant.uscc, "CS1"),
    ]
    raw, jws = signed(w.mine, events)
    submissions = count(site, t.submissions)
    answer = capture(site, "mine_erp", raw, jws)
    assert answer.status_code == 202, answer.text
    location = answer.headers["location"]
    assert location == f"/epcis/capture/{answer.json()['captureID']}"
    done = job(site, "mine_erp", location)
    assert done == answer.json()
    assert (done["running"], done["success"], done["captureErrorBehaviour"], done["errors"]) == (
        False,
        True,
        "rollback",
        [],
    )
    assert (done["eventCount"], done["accepted"], done["enterprise"]) == (2, 2, w.mine.uscc)
    assert count(site, t.submissions) == submissions + 1
    # in the ledger exactly as the §4 events: the canonical bytes a submission of them would hold
    stored = stored_bodies(site, w.mine.uscc, ["c1", "c2"])
    assert stored == {e["event_id"]: canonical_bytes(e).decode() for e in events}
    # ... so the same events sent as a §4 submission are nothing new (a conflict if they differed)
    with site.client("mine_user") as client:
        again = client.post("/api/submissions", json=w.mine.submit(events, created_at="2026-02-06T10:00:00+08:00"))
        trace = client.get("/api/lots/CAP-1").json()
    assert again.status_code == 200, again.text
    assert again.json()["events"] == {"accepted": 0, "duplicate": 2}
    assert trace["creator"]["enterprise"] == w.mine.uscc
    with site.store.reading() as conn:  # the submission keeps the JWS; the eventIDs are kept
        signature = conn.scalar(select(t.submissions.c.signature).order_by(t.submissions.c.id.desc()).limit(1))
        ids = dict(
            conn.execute(
                select(t.epcis_ids.c.event_id, t.epcis_ids.c.epcis_id).where(t.epcis_ids.c.reporter == w.mine.uscc)
            ).all()
        )
    assert signature == jws
    doc = json.loads(raw)
    assert ids["c1"] == doc["epcisBody"]["eventList"][0]["eventID"]
    assert ids["c2"] == doc["epcisBody"]["eventList"][1]["eventID"]


def test_an_enterprise_user_may_capture_too_and_sending_it_again_captures_nothing(site):
    w = site.world
    raw, jws = signed(w.plant, [extract("p-c1", "PCAP-1", 300)])
    first = capture(site, "plant_user", raw, jws, media="application/json")
    assert first.status_code == 202 and first.json()["accepted"] == 1
    events, submissions, ids = count(site, t.events), count(site, t.submissions), count(site, t.epcis_ids)
    again = capture(site, "plant_user", raw, jws)
    assert again.status_code == 202, again.text
    assert again.json()["captureID"] != first.json()["captureID"]  # a job of its own
    assert (again.json()["success"], again.json()["accepted"], again.json()["errors"]) == (True, 0, [])
    assert (count(site, t.events), count(site, t.submissions), count(site, t.epcis_ids)) == (events, submissions, ids)


def test_one_bad_event_of_three_records_none_of_them(site):
    w = site.world
    bad = extract("b2", "BAD-2", 100)
    bad["outputs"][0]["mass_kg"] = -5
    events = [extract("b1", "BAD-1", 100), bad, extract("b3", "BAD-3", 100)]
    raw, jws = signed(w.mine, events)
    before, rejections = count(site, t.events), count(site, t.rejections)
    answer = capture(site, "mine_erp", raw, jws)
    assert answer.status_code == 202, answer.text
    done = answer.json()
    assert done["success"] is False and done["accepted"] == 0 and done["eventCount"] == 3
    [error] = done["errors"]
    assert error["reason"] == "schema" and error["at"] == "/epcisBody/eventList/1"
    assert error["id"] == "invalid" and error["params"]["problems"][0]["at"] == ["outputs", 0, "mass_kg"]
    assert count(site, t.events) == before and count(site, t.rejections) == rejections + 1
    assert stored_bodies(site, w.mine.uscc, ["b1", "b2", "b3"]) == {}


def _event(doc: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return doc["epcisBody"]["eventList"][index]


def _changed(change) -> Any:
    def make(member) -> tuple[bytes, str]:
        doc = document(member.uscc, [extract("r1", "REF-1", 100)])
        change(doc)
        raw = body(doc)
        return raw, detached_jws(member.key, raw)

    return make


# what is refused after the signature verified: a job that failed, with the reason class and place
IN_A_JOB = {
    "GS1 schema": (
        _changed(lambda doc: _event(doc).update(eventTime="yesterday")),
        "schema",
        "/epcisBody/eventList/0/eventTime",
    ),
    "untranslatable": (
        _changed(lambda doc: _event(doc).update(bizStep="inspecting")),
        "schema",
        "/epcisBody/eventList/0/bizStep",
    ),
    "reporter": (  # the event's hash no longer said: it would not be this event's
        _changed(lambda doc: (_event(doc).update({"rt:reporter": "91110000MA0000002P"}), _event(doc).pop("eventID"))),
        "reporter",
        "/epcisBody/eventList/0/rt:reporter",
    ),
    "created ahead": (_changed(lambda doc: doc.update(creationDate="2099-01-01T00:00:00Z")), "schema", "/creationDate"),
    "another event's hash": (
        _changed(lambda doc: _event(doc).update({"rt:eventId": "r2"})),
        "schema",
        "/epcisBody/eventList/0/eventID",
    ),
    "eventID too long": (
        _changed(lambda doc: _event(doc).update(eventID="urn:uuid:" + "a" * 300)),
        "schema",
        "/epcisBody/eventList/0/eventID",
    ),
}


@pytest.mark.parametrize("case", sorted(IN_A_JOB))
def test_a_signed_capture_refused_is_a_failed_job_with_the_place(site, case):
    make, reason, at = IN_A_JOB[case]
    raw, jws = make(site.world.mine)
    rejections, events = count(site, t.rejections), count(site, t.events)
    answer = capture(site, "mine_erp", raw, jws)
    assert answer.status_code == 202, answer.text
    done = answer.json()
    assert done["success"] is False
    assert (done["errors"][0]["reason"], done["errors"][0]["at"]) == (reason, at)
    assert done["errors"][0]["message"] and done["errors"][0]["id"]
    assert count(site, t.rejections) == rejections + 1 and count(site, t.events) == events
    assert job(site, "mine_erp", answer.headers["location"]) == done


def _refusals(site) -> dict[str, tuple[bytes, str | None, int, str]]:
    """What cannot be authenticated: the body, the JWS-Signature, the status, the reason class."""
    w = site.world
    raw = body(document(w.mine.uscc, [extract("u1", "UN-1", 100)]))
    kid = w.mine.key_id
    tampered = raw.replace(b'"quantity": 100', b'"quantity": 101')
    assert tampered != raw
    other = body(document(w.mine.uscc, [extract("u2", "UN-2", 100)]))
    return {
        "no signature": (raw, None, 422, "signature"),
        "unknown key": (raw, detached_jws(STRANGER.key, raw), 422, "key"),
        "another enterprise's key": (raw, detached_jws(w.trader.key, raw), 422, "key"),
        "signature of other bytes": (raw, detached_jws(w.mine.key, other), 422, "signature"),
        "tampered body": (tampered, detached_jws(w.mine.key, raw), 422, "signature"),
        "wrong alg": (raw, forged_jws(w.mine.key, raw, {"alg": "ES256", "kid": kid}), 422, "signature"),
        "unencoded payload": (
            raw,
            forged_jws(w.mine.key, raw, {"alg": "EdDSA", "kid": kid, "b64": False}),
            422,
            "signature",
        ),
        "critical header": (
            raw,
            forged_jws(w.mine.key, raw, {"alg": "EdDSA", "kid": kid, "crit": ["exp"]}),
            422,
            "signature",
        ),
        "attached payload": (raw, detached_jws(w.mine.key, raw).replace("..", ".eyJ9."), 422, "signature"),
        "not JSON": (
            b'{"type": "EPCISDocument", ',
            detached_jws(w.mine.key, b'{"type": "EPCISDocument", '),
            400,
            "parse",
        ),
        "repeated member": (b'{"a": 1, "a": 2}', detached_jws(w.mine.key, b'{"a": 1, "a": 2}'), 400, "parse"),
    }


REFUSALS = [
    "no signature",
    "unknown key",
    "another enterprise's key",
    "signature of other bytes",
    "tampered body",
    "wrong alg",
    "unencoded payload",
    "critical header",
    "attached payload",
    "not JSON",
    "repeated member",
]


@pytest.mark.parametrize("case", REFUSALS)
def test_what_cannot_be_authenticated_is_refused_at_once_and_recorded(site, case):
    raw, jws, status, reason = _refusals(site)[case]
    rejections, jobs = count(site, t.rejections), count(site, t.epcis_captures)
    answer = capture(site, "mine_erp", raw, jws)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["type"] == "rejected" and error["message"].startswith(f"{reason}: ")
    assert error["message_id"] and error["localized"]["message"]
    assert count(site, t.rejections) == rejections + 1 and count(site, t.epcis_captures) == jobs + 1
    done = job(site, "mine_erp", f"/epcis/capture/{answer.json()['captureID']}")
    assert done["success"] is False and done["errors"][0]["reason"] == reason


def test_another_enterprises_key_is_refused_as_an_unknown_one_is(site):
    """Nothing is learnt of another enterprise: its key is refused in the words an unknown key
    is, naming no one but the capturing enterprise."""
    cases = _refusals(site)
    theirs = capture(site, "mine_erp", *cases["another enterprise's key"][:2]).json()["error"]
    unknown = capture(site, "mine_erp", *cases["unknown key"][:2]).json()["error"]
    w = site.world
    assert theirs["message_id"] == unknown["message_id"] == "key_not_theirs"
    assert theirs["message"].replace(w.trader.key_id, "K") == unknown["message"].replace(STRANGER.key_id, "K")
    assert w.trader.uscc not in json.dumps(theirs)


def test_an_oversized_body_is_refused_without_being_held(site):
    w = site.world
    size = MAX_BYTES + 1
    chunk = b" " * (1 << 20)

    def stream():
        sent = 0
        while sent < size:
            part = chunk[: size - sent]
            sent += len(part)
            yield part

    rejections = count(site, t.rejections)
    headers = {"Content-Type": "application/ld+json", "JWS-Signature": detached_jws(w.mine.key, b"{}")}
    with site.client("mine_erp") as client:
        answer = client.post("/epcis/capture", content=stream(), headers=headers)
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["message"].startswith("schema: ")
    with site.store.reading() as conn:
        kept = conn.execute(select(t.rejections.c.raw, t.rejections.c.size).order_by(t.rejections.c.id.desc())).first()
    assert count(site, t.rejections) == rejections + 1
    assert kept is not None and kept.raw is None and kept.size == size


def test_another_media_type_is_refused(site):
    raw, jws = signed(site.world.mine, [extract("m-t", "MT-1", 10)])
    answer = capture(site, "mine_erp", raw, jws, media="text/plain")
    assert answer.status_code == 415 and answer.json()["error"]["type"] == "unsupported_media_type"


def test_the_same_event_id_with_other_content_is_a_conflict(site):
    w = site.world
    raw, jws = signed(w.mine, [extract("k1", "K-1", 500)])
    assert capture(site, "mine_erp", raw, jws).json()["success"] is True
    raw, jws = signed(w.mine, [extract("k0", "K-0", 5), extract("k1", "K-1", 600)])
    answer = capture(site, "mine_erp", raw, jws)
    assert answer.status_code == 202
    [error] = answer.json()["errors"]
    assert (error["reason"], error["at"]) == ("conflict", "/epcisBody/eventList/1")
    assert stored_bodies(site, w.mine.uscc, ["k0"]) == {}  # all or nothing


def test_an_event_id_naming_another_event_is_a_conflict(site):
    w = site.world
    first = document(w.mine.uscc, [extract("q1", "Q-1", 50)])
    _event(first)["eventID"] = "urn:uuid:4f7e6a2c-0000-4000-8000-000000000001"
    raw = body(first)
    assert capture(site, "mine_erp", raw, detached_jws(w.mine.key, raw)).json()["accepted"] == 1
    second = document(w.mine.uscc, [extract("q2", "Q-2", 50)])
    _event(second)["eventID"] = "urn:uuid:4f7e6a2c-0000-4000-8000-000000000001"
    raw = body(second)
    answer = capture(site, "mine_erp", raw, detached_jws(w.mine.key, raw))
    [error] = answer.json()["errors"]
    assert (error["reason"], error["at"], error["id"]) == (
        "conflict",
        "/epcisBody/eventList/0/eventID",
        "epcis_id_conflict",
    )
    assert stored_bodies(site, w.mine.uscc, ["q2"]) == {}


# --- the capture account ------------------------------------------------------------------------


def test_a_capture_account_may_only_capture(site):
    w = site.world
    submission = w.mine.submit([extract("ca-1", "CA-1", 5)], created_at="2026-02-07T10:00:00+08:00")
    with site.client("mine_erp") as client:
        for method, path, kwargs in (
            ("POST", "/api/submissions", {"json": submission}),
            ("GET", "/api/findings", {}),
            ("GET", "/api/submissions", {}),
            ("GET", "/api/whoami", {}),
            ("GET", "/api/lots/CAP-1", {}),
            ("GET", "/portal", {}),
            ("GET", "/portal/captures", {}),
            ("GET", "/findings", {}),
        ):
            answer = client.request(method, path, **kwargs)
            assert answer.status_code == 403, (path, answer.status_code, answer.text[:300])
        assert client.get("/epcis/capture").status_code == 200
    assert stored_bodies(site, w.mine.uscc, ["ca-1"]) == {}


def test_a_capture_account_cannot_log_in_and_has_no_password(site):
    with httpx.Client(base_url=site.url, headers={"Origin": site.url}) as anonymous:
        for password in (PASSWORD, "mine_erp"):
            assert (
                anonymous.post("/api/session", json={"username": "mine_erp", "password": password}).status_code == 401
            )
            assert anonymous.post("/login", data={"username": "mine_erp", "password": password}).status_code != 303
    env = {k: v for k, v in os.environ.items() if k != "REETRACE_PASSWORD"} | {"REETRACE_DB": site.settings.db_url}
    added = subprocess.run(  # at the command line no password is asked for, or taken
        [REETRACE, "users", "add", "erp1", "--role", "capture", "--uscc", site.world.mine.uscc],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    assert "capture" in added.stdout
    given = subprocess.run(
        [REETRACE, "users", "add", "erp9", "--role", "capture", "--uscc", site.world.mine.uscc, "--password", PASSWORD],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert given.returncode != 0 and "no password" in given.stderr + given.stdout
    from reetrace.errors import UsageError

    with pytest.raises(UsageError):
        accounts.add_user(site.store, "erp2", PASSWORD, "capture", site.world.mine.uscc)
    with pytest.raises(UsageError):
        accounts.add_user(site.store, "erp3", None, "capture")  # bound to an enterprise
    with pytest.raises(UsageError):
        from reetrace.domain.accounts import Actor

        accounts.set_password(site.store, Actor.operator("tests"), "mine_erp", "a long and fresh passphrase")


def test_jobs_are_seen_only_by_their_enterprise(site):
    w = site.world
    raw, jws = signed(w.plant, [extract("iso-c", "ISO-C", 20)])
    theirs = capture(site, "plant_user", raw, jws).json()["captureID"]
    with site.client("mine_erp") as client:
        other = client.get(f"/epcis/capture/{theirs}")
        missing = client.get("/epcis/capture/999999999")
        nonsense = client.get("/epcis/capture/x1")
        listed = client.get("/epcis/capture", params={"enterprise": w.plant.uscc, "limit": 500}).json()
    assert other.status_code == missing.status_code == nonsense.status_code == 404
    assert other.content == missing.content == nonsense.content  # byte for byte: nothing is learnt
    assert listed["items"] and {j["enterprise"] for j in listed["items"]} == {w.mine.uscc}
    assert theirs not in {j["captureID"] for j in listed["items"]}
    with site.client("regulator") as staff:
        assert staff.get(f"/epcis/capture/{theirs}").json()["enterprise"] == w.plant.uscc
        everyone = staff.get("/epcis/capture", params={"limit": 500}).json()["items"]
    assert {w.mine.uscc, w.plant.uscc} <= {j["enterprise"] for j in everyone}
    ids = [int(j["captureID"]) for j in everyone]
    assert ids == sorted(ids, reverse=True)  # newest first
    with site.store.reading() as conn:
        read = conn.execute(
            select(t.access_log.c.action, t.access_log.c.enterprise)
            .where(t.access_log.c.what == f"GET /epcis/capture/{theirs}")
            .order_by(t.access_log.c.id)
        ).all()
    assert [tuple(r) for r in read] == [("refused", w.plant.uscc), ("read", w.plant.uscc)]


# --- the portal ------------------------------------------------------------------------------------


def test_the_portal_lists_the_jobs_in_both_languages_and_escapes_what_they_quote(site):
    w = site.world
    raw, jws = signed(w.mine, [extract("h0", "H-0", 10)])
    made = [capture(site, "mine_erp", raw, jws).json()["captureID"]]
    for member in ("rt:<script>alert(1)</script>", "rt:colour"):  # refused by the schema; by the translation
        doc = document(w.mine.uscc, [extract("h1", "H-1", 10)])
        _event(doc)[member] = "x"
        raw = body(doc)
        answer = capture(site, "mine_erp", raw, detached_jws(w.mine.key, raw))
        assert answer.status_code == 202 and answer.json()["success"] is False
        made.append(answer.json()["captureID"])
    assert "<script>" in json.dumps(job(site, "mine_erp", f"/epcis/capture/{made[1]}")["errors"])
    with site.store.writing() as conn:  # a place as hostile as a message can be
        row = {"received_at": "2026-02-05T02:00:00.000000+00:00", "enterprise": w.mine.uscc, "username": "<b>x</b>"}
        error = {"reason": "schema", "at": "/<script>at()</script>", "message": "m", "id": "", "params": {}}
        made.append(
            str(
                epcis_repo.add_capture(
                    conn,
                    {**row, "digest": "0" * 64, "size": 1, "success": 0, "event_count": 0, "accepted": 0}
                    | {"errors": json.dumps([error])},
                )
            )
        )
    pages = {}
    for language in ("zh-Hans", "en"):
        with console(site, "mine_user") as client:
            client.get(f"/language/{language}")
            page = client.get("/portal/captures", params={"size": 200})
        assert page.status_code == 200, page.text
        pages[language] = page.text
        assert "<script>" not in page.text and "<b>x" not in page.text
        assert "&lt;script&gt;alert(1)" in page.text and "/&lt;script&gt;at()" in page.text
        assert all(f'data-id="{i}"' in page.text for i in made)
        assert 'href="/portal/captures"' in page.text  # the portal's navigation leads here
    # the outcome and the reason class in words, the message from the catalogue
    zh, en = pages["zh-Hans"], pages["en"]
    assert all(words in zh for words in ("本企业 EPCIS 采集", "已采集", "拒绝", "不符合报送格式", "rt:colour 无法记录"))
    assert all(words in en for words in ("Our EPCIS captures", "captured", "refused", "not in the reporting format"))
    assert "rt:colour is not recorded: no event of the chain holds it" in en
    with console(site, "plant_user") as client:
        assert not any(f'data-id="{i}"' in client.get("/portal/captures", params={"size": 200}).text for i in made)


# --- reetrace ingest ------------------------------------------------------------------------------


def test_reetrace_ingest_takes_a_document_and_its_detached_jws(site, tmp_path):
    w = site.world
    signed_raw, jws = signed(w.trader, [extract("f1", "FILE-1", 40)])
    (tmp_path / "2026-02.jsonld").write_bytes(signed_raw)
    (tmp_path / "2026-02.jsonld.jws").write_text(jws + "\n")
    unsigned = body(document(w.trader.uscc, [extract("f2", "FILE-2", 40)]))
    (tmp_path / "2026-03.jsonld").write_bytes(unsigned)  # no .jws beside it
    env = {**os.environ, "REETRACE_DB": site.settings.db_url, "REETRACE_LOG_KEYS": str(site.settings.log_key_dir)}
    jobs = count(site, t.epcis_captures)
    done = subprocess.run(
        [REETRACE, "ingest", "--format", "json", str(tmp_path)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["submissions"] == {"accepted": 1, "duplicate": 0, "rejected": 1}
    [rejected] = report["rejected"]
    assert rejected["source"].endswith("2026-03.jsonld") and rejected["reason"].startswith("signature: ")
    assert stored_bodies(site, w.trader.uscc, ["f1", "f2"]).keys() == {"f1"}
    assert count(site, t.epcis_captures) == jobs + 2
    with site.client("regulator") as staff:
        latest = staff.get("/epcis/capture", params={"limit": 2}).json()["items"]
    # the unsigned file is no one's the store can tell: its key would have said whose
    assert [(j["enterprise"], j["success"]) for j in latest] == [(None, False), (w.trader.uscc, True)]


def test_the_created_date_sets_the_bounds_of_the_events(site):
    """Events more than a day after the time of receipt are refused, as in a submission."""
    w = site.world
    future = extract("late", "LATE-1", 10, time="2099-01-01T08:00:00+08:00")
    raw, jws = signed(w.mine, [future], creationDate=CREATED.isoformat())
    answer = capture(site, "mine_erp", raw, jws)
    [error] = answer.json()["errors"]
    assert (error["reason"], error["at"]) == ("schema", "/epcisBody/eventList/0")
    assert error["params"]["problems"][0]["id"] == "time_ahead"


def test_an_event_captured_without_an_eventid_goes_by_its_hash_as_written(site):
    from urllib.parse import quote

    from reetrace.epcis.document import epcis_id

    w = site.world
    event = extract("h1", "HASH-1", 10)
    doc = document(w.mine.uscc, [event])
    del _event(doc)["eventID"]
    raw = body(doc)
    answer = capture(site, "mine_erp", raw, detached_jws(w.mine.key, raw))
    assert answer.status_code == 202 and answer.json()["success"] is True, answer.text
    hashed = epcis_id(w.mine.uscc, event)
    with site.client("mine_user") as client:
        found = client.get("/epcis/events/" + quote(hashed, safe=""))
    assert found.status_code == 200, found.text
    [written] = found.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert written["eventID"] == hashed and written["rt:eventId"] == "h1"
