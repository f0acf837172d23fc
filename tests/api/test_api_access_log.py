"""The access log through the API: every route that writes leaves exactly the entry it should
(who, through the API, from which address), every staff read leaves one read entry carrying the
filter asked for, an enterprise's attempt at another's data leaves a refusal, and the log reads
back filtered and paged for those who may audit.

The tables below must cover every route the app serves under /api/ (and the EPCIS routes under
/epcis/): a route added without a row here fails `test_every_api_route_is_in_a_table`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from api_data import OXIDE_DY, PASSWORD, application_request
from test_api_isolation import API_PREFIXES

from access_checks import Entry, assert_entries, changed_tables, entries_after, last_entry, served_routes, store_state
from epcis_capture import CAPTURED_EVENT, body, detached_jws, document, trader_capture
from factory import export, extract, lot

LICENSE = "RE-2026-000001"
CSV_HEADER = "declaration_no,date,exporter,hs_code,net_kg,destination,license_no,lots"
WATCH_LIST = (
    json.dumps({"id": "A-1", "schema": "Company", "properties": {"name": ["Lantern Bay Metals"], "country": ["kp"]}})
    + "\n"
).encode()


@pytest.fixture(scope="module")
def exported(seeded) -> str:
    """The trader imports a Dy oxide lot and exports it under its license: the export's reference."""
    sub = seeded.world.trader.submit(
        [
            {
                "event_id": "al-i",
                "type": "import",
                "time": "2026-01-15T08:00:00+08:00",
                "origin_country": "MM",
                "customs_declaration": "IMP-al",
                "outputs": [lot("AL-1", "oxide", 20, OXIDE_DY)],
            },
            export("al-x", ["AL-1"], time="2026-01-20T08:00:00+08:00"),
        ],
        created_at="2026-03-04T10:00:00+08:00",
    )
    with seeded.client("trader_user") as client:
        assert client.post("/api/submissions", json=sub).status_code == 201
    return f"{seeded.world.trader.uscc}:al-x"


def trader_finding(live) -> str:
    with live.client("regulator") as client:
        items = client.get("/api/findings", params={"enterprise": live.world.trader.uscc}).json()["items"]
    assert items, "the trader must have a finding"
    return items[0]["key"]


def trader_application(live) -> str:
    with live.client("regulator") as client:
        items = client.get("/api/applications", params={"exporter": live.world.trader.uscc}).json()["items"]
    assert items
    return items[0]["number"]


# -- changes ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(seeded, exported):
    """The seeded server, with the reference of the trader's licensed export."""
    seeded.exported = exported
    return seeded


@dataclass
class Change:
    """A request that changes the store, by `who` (with its API token, or with `session` a
    password session, or with `anonymous` nothing), and the entries it must leave."""

    who: str
    method: str
    url: Callable[[Any], str]
    body: Callable[[Any], dict[str, Any]] = field(default=lambda lv: {})
    entries: Callable[[Any], list[Entry]] = field(default=lambda lv: [])
    status: int = 201
    credentials: str = "token"  # token, session or anonymous


def _x(lv) -> str:
    return lv.world.trader.uscc


CHANGES: dict[tuple[str, str], Change] = {
    ("POST", "/api/registry"): Change(
        "regulator",
        "POST",
        lambda lv: "/api/registry",
        lambda lv: {"json": lv.world.registry(quotas=[{**q, "tonnes_reo": 90} for q in lv.world.registry()["quotas"]])},
        lambda lv: [Entry("change", "registry load", None)],
        status=200,
    ),
    ("POST", "/api/controls/changes"): Change(
        "regulator",
        "POST",
        lambda lv: "/api/controls/changes",
        lambda lv: {
            "json": {
                "action": "add",
                "code": "1C999",
                "from": "2026-06-01",
                "element": "Ho",
                "groups": ["b"],
                "why": "notice",
            }
        },
        lambda lv: [Entry("change", "control add", None)],
    ),
    ("POST", "/api/findings/{key}/actions"): Change(
        "inspector",
        "POST",
        lambda lv: f"/api/findings/{trader_finding(lv)}/actions",
        lambda lv: {"json": {"action": "note", "note": "seen on site"}},
        lambda lv: [Entry("change", "triage note", _x(lv))],
    ),
    ("POST", "/api/screening/lists/{name}"): Change(
        "regulator",
        "POST",
        lambda lv: "/api/screening/lists/access_test",
        lambda lv: {"content": WATCH_LIST},
        lambda lv: [Entry("change", "screening list load", None)],
    ),
    ("POST", "/api/customs/declarations"): Change(
        "regulator",
        "POST",
        lambda lv: "/api/customs/declarations",
        lambda lv: {
            "content": f"{CSV_HEADER}\nCD-al-x,2026-01-20,{_x(lv)},2846901500,20,DE,{LICENSE},AL-1\n".encode(),
            "params": {"source": "january.csv"},
        },
        lambda lv: [Entry("change", "customs load", None)],
    ),
    ("POST", "/api/exports/{ref}/arrival"): Change(
        "trader_user",
        "POST",
        lambda lv: f"/api/exports/{lv.exported}/arrival",
        lambda lv: {"json": {"arrived_on": "2026-02-01", "note": "Rotterdam"}},
        lambda lv: [Entry("change", "export arrival", _x(lv))],
    ),
    ("POST", "/api/mirror/statistics"): Change(
        "regulator",
        "POST",
        lambda lv: "/api/mirror/statistics",
        lambda lv: {"content": b"year,partner,hs6,kg,value\n2026,NL,284690,20,700\n"},
        lambda lv: [Entry("change", "mirror load", None)],
    ),
    ("POST", "/api/applications/{number}/steps"): Change(
        "reviewer",
        "POST",
        lambda lv: f"/api/applications/{trader_application(lv)}/steps",
        lambda lv: {"json": {"action": "accept", "why": "complete"}},
        # a reviewer's first step registers the official they act as: a change of its own
        lambda lv: [Entry("change", "official add", None), Entry("change", "review accept", _x(lv))],
    ),
    # the doors of the submission and application work: their entry, whatever they name it
    ("POST", "/api/submissions"): Change(
        "trader_user",
        "POST",
        lambda lv: "/api/submissions",
        lambda lv: {
            "json": lv.world.trader.submit(
                [
                    {
                        "event_id": "al-j",
                        "type": "import",
                        "time": "2026-01-16T08:00:00+08:00",
                        "origin_country": "MM",
                        "customs_declaration": "IMP-al-j",
                        "outputs": [lot("AL-2", "oxide", 5, OXIDE_DY)],
                    }
                ],
                created_at="2026-03-05T10:00:00+08:00",
            )
        },
        lambda lv: [Entry("change", None, _x(lv))],
    ),
    ("POST", "/api/applications"): Change(
        "trader_user",
        "POST",
        lambda lv: "/api/applications",
        lambda lv: {"json": application_request(_x(lv))},
        lambda lv: [Entry("change", None, _x(lv))],
    ),
    ("POST", "/api/account/password"): Change(
        "inspector",
        "POST",
        lambda lv: "/api/account/password",
        lambda lv: {"json": {"current_password": PASSWORD, "new_password": PASSWORD}},  # the same: later tests log in
        lambda lv: [Entry("change", None, None)],
        status=200,
        credentials="session",
    ),
    ("POST", "/api/session"): Change(
        "auditor",
        "POST",
        lambda lv: "/api/session",
        lambda lv: {"json": {"username": "auditor", "password": PASSWORD}},
        lambda lv: [Entry("login", None, None)],
        status=200,
        credentials="anonymous",
    ),
    ("DELETE", "/api/session"): Change(
        "auditor",
        "DELETE",
        lambda lv: "/api/session",
        entries=lambda lv: [Entry("logout", None, None)],
        status=204,
        credentials="session",
    ),
    ("POST", "/epcis/capture"): Change(
        "trader_user",
        "POST",
        lambda lv: "/epcis/capture",
        lambda lv: _capture(lv, [extract("al-cap", "AL-CAP", 5, time="2026-01-16T08:00:00+08:00")]),
        lambda lv: [Entry("change", "POST /epcis/capture", _x(lv))],
        status=202,
    ),
    ("POST", "/api/lots/{lot}/credentials"): Change(
        "trader_user",
        "POST",
        lambda lv: "/api/lots/DYO-1/credentials",
        lambda lv: {"json": {"securing": "di"}},
        lambda lv: [Entry("change", "credential issue", _x(lv))],
    ),
    ("POST", "/api/submissions/{submission_id}/credential"): Change(
        "trader_user",
        "POST",
        lambda lv: f"/api/submissions/{trader_submission(lv)}/credential",
        lambda lv: {"json": {"securing": "jwt"}},
        lambda lv: [Entry("change", "credential issue", _x(lv))],
    ),
}


def trader_submission(live) -> int:
    with live.client("regulator") as client:
        items = client.get("/api/submissions", params={"reporter": _x(live)}).json()["items"]
    assert items
    return items[0]["id"]


def _capture(lv, events: list[dict[str, Any]]) -> dict[str, Any]:
    raw = body(document(_x(lv), events))
    headers = {"Content-Type": "application/ld+json", "JWS-Signature": detached_jws(lv.world.trader.key, raw)}
    return {"content": raw, "headers": headers}


@contextmanager
def _client(live, change: Change) -> Iterator[httpx.Client]:
    if change.credentials == "token":
        with live.client(change.who) as client:
            yield client
        return
    with httpx.Client(base_url=live.url, timeout=120, headers={"Origin": live.url}) as client:
        if change.credentials == "session":
            answer = client.post("/api/session", json={"username": change.who, "password": PASSWORD})
            assert answer.status_code == 200, answer.text
            client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]  # changes made with the cookie send it
        yield client


@pytest.mark.parametrize("route", [pytest.param(r, id=f"{r[0]} {r[1]}") for r in sorted(CHANGES)])
def test_every_change_through_the_api_leaves_its_entry(site, route):
    change = CHANGES[route]
    url, body, expected = change.url(site), change.body(site), change.entries(site)
    with _client(site, change) as client:
        before, last = store_state(site.store), last_entry(site.store)
        answer = client.request(change.method, url, **body)
    assert answer.status_code == change.status, answer.text
    assert changed_tables(before, store_state(site.store)), "the request must have changed something"
    assert_entries(
        entries_after(site.store, last),
        expected,
        channel="api",
        username=change.who,
        role=site.users[change.who][0],
        client="127.0.0.1",
        os_user=None,
    )


def test_a_refused_change_leaves_no_change_entry(seeded):
    """The auditor may change nothing: its attempt changes nothing and is no change in the log."""
    before, last = store_state(seeded.store), last_entry(seeded.store)
    with seeded.client("auditor") as client:
        answer = client.post(
            "/api/controls/changes", json={"action": "end", "code": "1C905", "from": "2026-05-01", "why": "x"}
        )
    assert answer.status_code == 403
    assert changed_tables(before, store_state(seeded.store)) == set()
    assert [e["action"] for e in entries_after(seeded.store, last)] == []


# -- reads --------------------------------------------------------------------------------------


@dataclass
class Read:
    """A staff read: the path, the query string it sends (the filter the entry must carry) and
    whose data it is (None: not one enterprise's)."""

    path: Callable[[Any], str]
    query: Callable[[Any], str] = field(default=lambda lv: "")
    enterprise: Callable[[Any], str | None] = field(default=lambda lv: None)


def _plant(lv) -> str:
    return lv.world.plant.uscc


READS: dict[tuple[str, str], Read | None] = {
    ("GET", "/api/health"): None,  # no one's data
    ("GET", "/api/whoami"): None,  # the caller's own account
    ("GET", "/api/access-log"): Read(lambda lv: "/api/access-log", lambda lv: f"enterprise={_x(lv)}&limit=5", _x),
    ("GET", "/api/submissions"): Read(lambda lv: "/api/submissions", lambda lv: f"reporter={_x(lv)}", _x),
    ("GET", "/api/rejections"): Read(
        lambda lv: "/api/rejections", lambda lv: f"reporter={_x(lv)}&reason=signature", _x
    ),
    ("GET", "/api/registry/enterprises"): Read(lambda lv: "/api/registry/enterprises", lambda lv: "limit=2&offset=1"),
    ("GET", "/api/registry/enterprises/{uscc}"): Read(lambda lv: f"/api/registry/enterprises/{_x(lv)}", enterprise=_x),
    ("GET", "/api/quota-use/{year}"): Read(lambda lv: "/api/quota-use/2026", lambda lv: "limit=10"),
    ("GET", "/api/findings"): Read(lambda lv: "/api/findings", lambda lv: f"enterprise={_x(lv)}&year=2026", _x),
    ("GET", "/api/findings/{key}"): Read(
        lambda lv: f"/api/findings/{trader_finding(lv)}", lambda lv: "as_of=2026-12-31", _x
    ),
    ("GET", "/api/lots/{lot}"): Read(lambda lv: "/api/lots/DYO-1", enterprise=_plant),
    ("GET", "/api/lots/{lot}/trace"): Read(lambda lv: "/api/lots/DYO-1/trace", lambda lv: "direction=forward", _plant),
    ("GET", "/api/lots/{lot}/certificate"): Read(lambda lv: "/api/lots/DYO-1/certificate", enterprise=_plant),
    ("GET", "/api/lots/{lot}/classification"): Read(
        lambda lv: "/api/lots/DYO-1/classification", lambda lv: "on=2026-01-21", _plant
    ),
    ("GET", "/api/log/checkpoint"): Read(lambda lv: "/api/log/checkpoint"),
    ("GET", "/api/log/key"): Read(lambda lv: "/api/log/key"),
    ("GET", "/api/log/proof/{event}"): Read(lambda lv: f"/api/log/proof/{_x(lv)}:x1", lambda lv: "size=6", _x),
    ("GET", "/api/log/consistency"): Read(lambda lv: "/api/log/consistency", lambda lv: "old=1&new=3"),
    ("GET", "/api/applications"): Read(
        lambda lv: "/api/applications", lambda lv: f"exporter={_x(lv)}&state=submitted", _x
    ),
    ("GET", "/api/applications/{number}"): Read(
        lambda lv: f"/api/applications/{trader_application(lv)}", enterprise=_x
    ),
    ("GET", "/api/licenses"): Read(lambda lv: "/api/licenses", lambda lv: "limit=3"),
    ("GET", "/api/licenses/{license_no}"): Read(lambda lv: f"/api/licenses/{LICENSE}", enterprise=_x),
    ("GET", "/api/controls"): Read(lambda lv: "/api/controls", lambda lv: "on=2026-01-21&all=true"),
    ("GET", "/api/screening/lists"): Read(lambda lv: "/api/screening/lists"),
    ("GET", "/api/screening"): Read(
        lambda lv: "/api/screening", lambda lv: "name=Northern%20Lights%20Trading&country=AE"
    ),
    ("GET", "/api/customs/findings"): Read(lambda lv: "/api/customs/findings", lambda lv: "as_of=2026-12-31"),
    ("GET", "/api/exports"): Read(lambda lv: "/api/exports", lambda lv: f"license={LICENSE}&as_of=2026-12-31", _x),
    ("GET", "/api/mirror"): Read(lambda lv: "/api/mirror", lambda lv: "year=2026"),
    ("GET", "/api/mirror/chart.svg"): Read(lambda lv: "/api/mirror/chart.svg", lambda lv: "year=2026&top=3"),
    ("GET", "/epcis/capture"): Read(lambda lv: "/epcis/capture", lambda lv: f"enterprise={_x(lv)}&limit=5", _x),
    ("GET", "/epcis/capture/{capture_id}"): Read(lambda lv: f"/epcis/capture/{trader_capture(lv)}", enterprise=_x),
    ("GET", "/epcis/events"): Read(lambda lv: "/epcis/events", lambda lv: "eventType=TransformationEvent"),
    ("GET", "/epcis/events/{event_id}"): Read(lambda lv: f"/epcis/events/{trader_event_id(lv)}", enterprise=_x),
    ("GET", "/api/lots/{lot}/credentials"): Read(lambda lv: "/api/lots/DYO-1/credentials", enterprise=_plant),
}


TRADER_EVENT_ID = "urn:uuid:3b8f2c1e-7d4a-4c2b-9e1f-0a5d6c7b8e9f"


def trader_event_id(live) -> str:
    """An event of the trader's captured with an eventID of its own (the same each time)."""
    event = {**CAPTURED_EVENT, "event_id": "cap-id", "outputs": [{**CAPTURED_EVENT["outputs"][0], "lot": "CAP-ID"}]}
    doc = document(live.world.trader.uscc, [event])
    doc["epcisBody"]["eventList"][0]["eventID"] = TRADER_EVENT_ID
    raw = body(doc)
    headers = {"Content-Type": "application/ld+json", "JWS-Signature": detached_jws(live.world.trader.key, raw)}
    with live.client("trader_user") as client:
        answer = client.post("/epcis/capture", content=raw, headers=headers)
    assert answer.status_code == 202 and answer.json()["success"], answer.text
    return TRADER_EVENT_ID


def test_every_api_route_is_in_a_table(seeded):
    served = {r for r in served_routes(seeded.app) if r[1].startswith(API_PREFIXES)}
    writing = {r for r in served if r[0] != "GET"}
    reading = {r for r in served if r[0] == "GET"}
    assert sorted(writing ^ set(CHANGES)) == [], "routes that write without a case, or cases without a route"
    assert sorted(reading ^ set(READS)) == [], "routes that read without a case, or cases without a route"


@pytest.mark.parametrize("route", sorted(READS), ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("role", ["auditor", "regulator"])
def test_every_staff_read_leaves_an_entry_with_its_filter(site, route, role):
    read = READS[route]
    if read is None:
        path, query, enterprise = route[1], "", None
    else:
        path, query, enterprise = read.path(site), read.query(site), read.enterprise(site)
    last = last_entry(site.store)
    with site.client(role) as client:
        answer = client.get(path + (f"?{query}" if query else ""))
    assert answer.status_code == 200, answer.text
    expected = [] if read is None else [Entry("read", f"GET {path}", enterprise)]
    rows = entries_after(site.store, last)
    assert_entries(rows, expected, channel="api", username=role, role=role, client="127.0.0.1", os_user=None)
    if query:  # the filter as asked, after whatever the route notes itself
        assert rows[0]["detail"].rpartition("; ")[2] == query


def test_an_enterprise_reading_its_own_data_leaves_no_entry(site):
    last = last_entry(site.store)
    with site.client("trader_user") as client:
        for path in (
            f"/api/registry/enterprises/{_x(site)}",
            "/api/lots/DYO-1",
            "/api/findings",
            "/api/submissions",
            f"/api/licenses/{LICENSE}",
            f"/api/log/proof/{_x(site)}:x1",
        ):
            assert client.get(path).status_code == 200, path
    assert entries_after(site.store, last) == []


REFUSALS: list[tuple[str, str, Callable[[Any], str], Callable[[Any], str]]] = [
    ("GET", "registry", lambda lv: f"/api/registry/enterprises/{_x(lv)}", _x),
    ("GET", "finding", lambda lv: f"/api/findings/{trader_finding(lv)}", _x),
    ("GET", "lot", lambda lv: "/api/lots/DYO-1", _plant),
    ("GET", "trace", lambda lv: "/api/lots/DYO-1/trace", _plant),
    ("GET", "classification", lambda lv: "/api/lots/DYO-1/classification", _plant),
    ("GET", "proof", lambda lv: f"/api/log/proof/{_x(lv)}:x1", _x),
    ("GET", "application", lambda lv: f"/api/applications/{trader_application(lv)}", _x),
    ("GET", "license", lambda lv: f"/api/licenses/{LICENSE}", _x),
    ("POST", "arrival", lambda lv: f"/api/exports/{lv.exported}/arrival", _x),
]


@pytest.mark.parametrize("method,name,path,owner", REFUSALS, ids=[r[1] for r in REFUSALS])
def test_an_enterprises_attempt_at_another_enterprises_data_is_refused_and_logged(site, method, name, path, owner):
    url = path(site)
    last = last_entry(site.store)
    with site.client("mine_user") as client:
        answer = client.request(method, url, json={"arrived_on": "2026-02-01"} if method == "POST" else None)
    assert answer.status_code in (403, 404), answer.text
    assert_entries(
        entries_after(site.store, last),
        [Entry("refused", f"{method} {url}", owner(site))],
        channel="api",
        username="mine_user",
        role="enterprise",
    )


# -- reading the log ----------------------------------------------------------------------------


def test_the_log_reads_back_filtered_and_paged_for_those_who_audit(site):
    x = _x(site)
    with site.client("inspector") as client:  # two reads of the trader's data, one of the plant's
        client.get(f"/api/registry/enterprises/{x}")
        client.get(f"/api/findings?enterprise={x}")
        client.get(f"/api/registry/enterprises/{_plant(site)}")
    with site.client("auditor") as client:
        everything = client.get("/api/access-log", params={"limit": 500}).json()
        mine = client.get("/api/access-log", params={"user": "inspector", "enterprise": x, "limit": 500}).json()
        pages = [
            client.get("/api/access-log", params={"user": "inspector", "limit": 1, "offset": o}).json()
            for o in range(3)
        ]
        later = client.get("/api/access-log", params={"since": "2999-01-01"}).json()
        from_epoch = client.get("/api/access-log", params={"since": "2000-01-01T00:00:00+08:00", "limit": 1}).json()
        naive = client.get("/api/access-log", params={"since": "2026-01-01T00:00:00"})
        nonsense = client.get("/api/access-log", params={"since": "yesterday"})
    assert everything["total"] >= len(everything["items"]) > 10
    ids = [e["id"] for e in everything["items"]]
    assert ids == sorted(ids, reverse=True)  # newest first
    inspector_reads = [
        (e["what"], e["enterprise"])
        for e in everything["items"]
        if e["username"] == "inspector" and e["enterprise"] == x
    ]
    assert [(e["what"], e["enterprise"]) for e in mine["items"]] == inspector_reads
    assert ("GET /api/findings", x) in inspector_reads and (f"GET /api/registry/enterprises/{x}", x) in inspector_reads
    assert all(e["username"] == "inspector" and e["enterprise"] == x for e in mine["items"])
    assert [p["items"][0]["id"] for p in pages] == [
        e["id"] for e in everything["items"] if e["username"] == "inspector"
    ][:3]
    assert all(p["total"] == pages[0]["total"] for p in pages)
    assert later["items"] == [] and later["total"] == 0
    assert from_epoch["total"] >= everything["total"]
    assert naive.status_code == 400 and "offset" in naive.json()["error"]["message"]
    assert nonsense.status_code == 400


def test_reading_the_log_is_itself_logged(seeded):
    last = last_entry(seeded.store)
    with seeded.client("regulator") as client:
        assert client.get("/api/access-log", params={"user": "inspector", "since": "2026-01-01"}).status_code == 200
    assert_entries(
        entries_after(seeded.store, last),
        [Entry("read", "GET /api/access-log", None)],
        username="regulator",
        detail="user=inspector&since=2026-01-01",
    )


@pytest.mark.parametrize("role", ["inspector", "reviewer", "approver", "mine_user"])
def test_only_those_who_audit_read_the_log(seeded, role):
    last = last_entry(seeded.store)
    with seeded.client(role) as client:
        answer = client.get("/api/access-log")
    assert answer.status_code == 403 and answer.json()["error"]["type"] == "forbidden"
    assert [e["action"] for e in entries_after(seeded.store, last)] == []


def test_a_filter_that_is_no_enterprise_stays_in_the_detail(seeded):
    """A hostile filter is written down as asked, bounded, and never taken for an enterprise."""
    last = last_entry(seeded.store)
    odd = "X" * 60
    with seeded.client("auditor") as client:
        assert client.get("/api/findings", params={"enterprise": odd}).json()["items"] == []
        assert client.get("/api/registry/enterprises", params={"z": "y" * 5000}).status_code == 200
    first, second = entries_after(seeded.store, last)
    assert first["enterprise"] is None and first["detail"] == f"enterprise={odd}"
    assert second["detail"].endswith("…") and len(second["detail"]) == 2001
