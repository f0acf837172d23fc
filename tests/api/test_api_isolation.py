"""Tenant isolation: for every API route, an enterprise's user (the mine's) can neither see nor
act on another enterprise's data (the trader's). The table below must cover every route the app
serves under /api/ (and /epcis/): a route added without a row here fails
`test_every_api_route_is_covered`.

And "not found" reads the same whether the thing does not exist or is another's: for every
route that names a thing (in its path, or the lots of an application), the answer to the
trader's thing and the answer to a thing that does not exist are byte for byte the same
(`SAME_ANSWER`; a route that names something without a row there fails
`test_every_route_naming_a_thing_has_a_same_answer_case`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest
from api_data import OXIDE_DY, application_request

from epcis_capture import CAPTURED_EVENT, body, detached_jws, document, trader_capture
from factory import export, extract, lot, make_uscc

A, B = "mine_user", "trader_user"  # A probes B's data
API_PREFIXES = ("/api/", "/epcis/")  # the API's paths (EPCIS at the root, where its tools look)


def api_routes(app) -> set[tuple[str, str]]:
    """Every (method, path) the app serves under /api/, however the routers were included."""
    found: set[tuple[str, str]] = set()

    def visit(routes) -> None:
        for route in routes:
            contexts = getattr(route, "effective_route_contexts", None)
            if contexts is not None:  # a router included as a whole (FastAPI ≥ 0.16x)
                for c in contexts():
                    found.update((m, c.path_format) for m in c.methods)
                continue
            if hasattr(route, "routes") and not hasattr(route, "methods"):
                visit(route.routes)
                continue
            for method in getattr(route, "methods", None) or ():
                found.add((method, getattr(route, "path_format", route.path)))

    visit(app.routes)
    return {(m, p) for m, p in found if p.startswith(API_PREFIXES) and m != "HEAD"}


def b_finding_key(live) -> str:
    with live.client("regulator") as client:
        items = client.get("/api/findings", params={"enterprise": live.world.trader.uscc}).json()["items"]
    assert items, "the trader must have a finding for the check to mean anything"
    return items[0]["key"]


def b_application(live) -> str:
    with live.client("regulator") as client:
        items = client.get("/api/applications", params={"exporter": live.world.trader.uscc}).json()["items"]
    assert items
    return items[0]["number"]


def only_own(field: str, *, path: str, params: dict | None = None):
    """A list: what A gets is A's alone, though staff see B's in it too."""

    def check(live, client: httpx.Client) -> None:
        a, b = live.world.mine.uscc, live.world.trader.uscc
        with live.client("regulator") as staff:
            assert any(i[field] == b for i in staff.get(path, params=params).json()["items"]), "B has data here"
        for extra in ({}, {"enterprise": b, "reporter": b, "exporter": b}):
            answer = client.get(path, params={**(params or {}), **extra})
            assert answer.status_code == 200, answer.text
            assert all(i[field] == a for i in answer.json()["items"])
            assert b not in answer.text

    return check


def refused(method: str, path: Callable | str, json=None, statuses=(403, 404)):
    def check(live, client: httpx.Client) -> None:
        url = path(live) if callable(path) else path
        body = json(live) if callable(json) else json
        answer = client.request(method, url, json=body)
        assert answer.status_code in statuses, (url, answer.status_code, answer.text)
        error = answer.json()["error"]
        assert error["type"] in ("forbidden", "not_found")
        assert live.world.trader.uscc not in error["message"], error  # the message names nobody else
        assert live.world.trader.uscc not in answer.text and live.world.plant.uscc not in answer.text

    return check


def holds_no_enterprise(path: str, params: dict | None = None):
    """Not one enterprise's data (the log's checkpoint, key, consistency proofs): answered, and
    naming no enterprise."""

    def check(live, client: httpx.Client) -> None:
        answer = client.get(path, params=params)
        assert answer.status_code == 200, answer.text
        assert live.world.trader.uscc not in answer.text and live.world.plant.uscc not in answer.text

    return check


def only_self(live, client: httpx.Client) -> None:
    answer = client.get("/api/whoami")
    assert answer.json() == {"username": A, "role": "enterprise", "uscc": live.world.mine.uscc}


def login_is_own_account(live, client: httpx.Client) -> None:
    with httpx.Client(base_url=live.url) as anonymous:
        assert anonymous.post("/api/session", json={"username": B, "password": "wrong password!"}).status_code == 401
        assert anonymous.delete("/api/session").status_code == 204  # logging out touches nobody's data


def password_of_own_account(live, client: httpx.Client) -> None:
    """The route names no account: it changes the caller's own, and only with its current password."""
    new = {"current_password": "not the password", "new_password": "a fresh and long passphrase"}
    assert client.post("/api/account/password", json={**new, "username": B}).status_code == 422
    answer = client.post("/api/account/password", json=new)
    assert answer.status_code == 403 and B not in answer.text


def foreign_submission(live, client: httpx.Client) -> None:
    sub = live.world.trader.submit([extract("iso-1", "ISO-1", 5)], created_at="2026-03-01T10:00:00+08:00")
    answer = client.post("/api/submissions", json=sub)
    assert answer.status_code == 403


def trace_withholds(live, client: httpx.Client) -> None:
    refused("GET", "/api/lots/DYO-1/trace")(live, client)
    mine = client.get("/api/lots/C1/trace", params={"direction": "forward"}).json()
    assert mine["descendants"] == [] and mine["withheld"] == 2
    with live.client("plant_user") as plant:  # its own oxide, made from the mine's concentrate
        back = plant.get("/api/lots/DYO-1/trace").json()
    assert [(o["lot"], o["type"], o["enterprise"], o["event"]) for o in back["origins"]] == [
        ("C1", "extract", None, None)
    ]
    assert live.world.mine.uscc not in json.dumps(back)


def certificate_redacts(live, client: httpx.Client) -> None:
    refused("GET", "/api/lots/DYO-1/certificate")(live, client)
    with live.client("plant_user") as plant:
        certificate = plant.get("/api/lots/DYO-1/certificate").json()
    assert certificate["format"] == "reetrace/redacted-certificate@1"
    assert [r["projection"]["type"] for r in certificate["redacted"]] == ["extract"]  # the mine's
    assert live.world.mine.uscc not in json.dumps(certificate)


def lot_hides_later_custody(live, client: httpx.Client) -> None:
    refused("GET", "/api/lots/DYO-1")(live, client)
    own = client.get("/api/lots/C1").json()  # A made C1 and shipped it to the plant
    assert own["creator"]["enterprise"] == live.world.mine.uscc
    assert {e["enterprise"] for e in own["events"]} == {live.world.mine.uscc}
    assert own["custodian"] == "withheld" and own["withheld_events"] >= 1


def b_export(live) -> str:
    """B (the trader) imports a lot and exports it; the export's reference. Sending it again is a
    duplicate, a no-op."""
    sub = live.world.trader.submit(
        [
            {
                "event_id": "iso-i",
                "type": "import",
                "time": "2026-01-15T08:00:00+08:00",
                "origin_country": "MM",
                "customs_declaration": "IMP-iso",
                "outputs": [lot("ISO-X", "oxide", 5, OXIDE_DY)],
            },
            export("iso-x", ["ISO-X"], time="2026-01-16T08:00:00+08:00"),
        ],
        created_at="2026-03-02T10:00:00+08:00",
    )
    with live.client(B) as client:
        assert client.post("/api/submissions", json=sub).status_code in (200, 201)
    return f"{live.world.trader.uscc}:iso-x"


def only_own_exports(live, client: httpx.Client) -> None:
    b_export(live)
    only_own("exporter", path="/api/exports")(live, client)


def classification_of_own_lot_only(live, client: httpx.Client) -> None:
    refused("GET", "/api/lots/DYO-1/classification")(live, client)
    assert client.get("/api/lots/C1/classification").json()["lot"] == "C1"


def capture_for_another(live, client: httpx.Client) -> None:
    """A's user sends a document signed with B's key: refused as an unknown key would be, the
    answer naming neither B nor its key's owner."""
    raw = body(document(live.world.trader.uscc, [extract("iso-c", "ISO-C", 5)]))
    jws = detached_jws(live.world.trader.key, raw)
    answer = client.post(
        "/epcis/capture", content=raw, headers={"Content-Type": "application/ld+json", "JWS-Signature": jws}
    )
    assert answer.status_code == 422 and answer.json()["error"]["message"].startswith("key: "), answer.text
    assert live.world.trader.uscc not in answer.json()["error"]["message"]


def trader_event_hash(live) -> str:
    """The eventID of an event of the trader's, captured (the same each time)."""
    from reetrace.epcis.document import epcis_id

    trader_capture(live)
    return epcis_id(live.world.trader.uscc, CAPTURED_EVENT)


def only_own_captures(live, client: httpx.Client) -> None:
    trader_capture(live)
    only_own("enterprise", path="/epcis/capture")(live, client)


def b_submission(live) -> int:
    with live.client("regulator") as client:
        items = client.get("/api/submissions", params={"reporter": live.world.trader.uscc}).json()["items"]
    assert items
    return items[0]["id"]


def staff_only(path: str, params: dict | None = None):
    def check(live, client: httpx.Client) -> None:
        answer = client.get(path, params=params)
        assert answer.status_code == 403 and answer.json()["error"]["type"] == "forbidden", answer.text
        with live.client("regulator") as staff:
            assert staff.get(path, params=params).status_code == 200

    return check


def refused_bytes(path: str, content: bytes):
    def check(live, client: httpx.Client) -> None:
        answer = client.post(path, content=content)
        assert answer.status_code == 403 and answer.json()["error"]["type"] == "forbidden", answer.text

    return check


ISOLATION: dict[tuple[str, str], Callable] = {
    ("POST", "/api/session"): login_is_own_account,
    ("DELETE", "/api/session"): login_is_own_account,
    ("POST", "/api/account/password"): password_of_own_account,
    ("GET", "/api/whoami"): only_self,
    ("GET", "/api/health"): holds_no_enterprise("/api/health"),
    ("GET", "/api/access-log"): refused("GET", "/api/access-log"),
    ("POST", "/api/submissions"): foreign_submission,
    ("GET", "/api/submissions"): only_own("reporter", path="/api/submissions"),
    ("GET", "/api/rejections"): only_own("reporter", path="/api/rejections"),
    ("GET", "/api/registry/enterprises"): only_own("uscc", path="/api/registry/enterprises"),
    ("GET", "/api/registry/enterprises/{uscc}"): refused(
        "GET", lambda lv: f"/api/registry/enterprises/{lv.world.trader.uscc}"
    ),
    ("GET", "/api/quota-use/{year}"): only_own("uscc", path="/api/quota-use/2026"),
    ("POST", "/api/registry"): refused("POST", "/api/registry", json=lambda lv: lv.world.registry()),
    ("GET", "/api/findings"): only_own("enterprise", path="/api/findings"),
    ("GET", "/api/findings/{key}"): refused("GET", lambda lv: f"/api/findings/{b_finding_key(lv)}"),
    ("POST", "/api/findings/{key}/actions"): refused(
        "POST", lambda lv: f"/api/findings/{b_finding_key(lv)}/actions", json={"action": "dismiss", "note": "mine"}
    ),
    ("GET", "/api/lots/{lot}"): lot_hides_later_custody,
    ("GET", "/api/lots/{lot}/trace"): trace_withholds,
    ("GET", "/api/lots/{lot}/certificate"): certificate_redacts,
    ("GET", "/api/log/checkpoint"): holds_no_enterprise("/api/log/checkpoint"),
    ("GET", "/api/log/key"): holds_no_enterprise("/api/log/key"),
    ("GET", "/api/log/consistency"): holds_no_enterprise("/api/log/consistency", {"old": 1, "new": 2}),
    ("GET", "/api/log/proof/{event}"): refused("GET", lambda lv: f"/api/log/proof/{lv.world.trader.uscc}:x1"),
    ("POST", "/api/applications"): refused(
        "POST", "/api/applications", json=lambda lv: application_request(lv.world.trader.uscc)
    ),
    ("GET", "/api/applications"): only_own("exporter", path="/api/applications"),
    ("GET", "/api/applications/{number}"): refused("GET", lambda lv: f"/api/applications/{b_application(lv)}"),
    ("POST", "/api/applications/{number}/steps"): refused(
        "POST", lambda lv: f"/api/applications/{b_application(lv)}/steps", json={"action": "withdraw"}
    ),
    ("GET", "/api/licenses"): only_own("exporter", path="/api/licenses"),
    ("GET", "/api/licenses/{license_no}"): refused("GET", "/api/licenses/RE-2026-000001"),
    ("GET", "/api/controls"): holds_no_enterprise("/api/controls", {"all": "true"}),
    ("POST", "/api/controls/changes"): refused(
        "POST",
        "/api/controls/changes",
        json={"action": "suspend", "code": "1C905", "from": "2026-01-01", "why": "mine"},
    ),
    ("GET", "/api/lots/{lot}/classification"): classification_of_own_lot_only,
    ("GET", "/api/screening/lists"): holds_no_enterprise("/api/screening/lists"),
    ("POST", "/api/screening/lists/{name}"): refused_bytes("/api/screening/lists/cn_watch", b"{}"),
    ("GET", "/api/screening"): staff_only("/api/screening", {"name": "Northern Lights Trading"}),
    ("POST", "/api/customs/declarations"): refused_bytes("/api/customs/declarations", b"declaration_no\n"),
    ("GET", "/api/customs/findings"): staff_only("/api/customs/findings"),
    ("GET", "/api/exports"): only_own_exports,
    ("POST", "/api/exports/{ref}/arrival"): refused(
        "POST", lambda lv: f"/api/exports/{b_export(lv)}/arrival", json={"arrived_on": "2026-02-01"}
    ),
    ("POST", "/api/mirror/statistics"): refused_bytes("/api/mirror/statistics", b"year,partner,hs6,kg,value\n"),
    ("GET", "/api/mirror"): staff_only("/api/mirror"),
    ("GET", "/api/mirror/chart.svg"): staff_only("/api/mirror/chart.svg"),
    ("POST", "/epcis/capture"): capture_for_another,
    ("GET", "/epcis/capture"): only_own_captures,
    ("GET", "/epcis/capture/{capture_id}"): refused("GET", lambda lv: f"/epcis/capture/{trader_capture(lv)}"),
    ("GET", "/epcis/events"): lambda live, client: epcis_events_party_to(live),
    ("GET", "/epcis/events/{event_id}"): lambda live, client: epcis_events_party_to(live),
    ("POST", "/api/lots/{lot}/credentials"): refused("POST", "/api/lots/DYO-1/credentials", json={}),
    ("GET", "/api/lots/{lot}/credentials"): refused("GET", "/api/lots/DYO-1/credentials"),
    ("POST", "/api/submissions/{submission_id}/credential"): refused(
        "POST", lambda lv: f"/api/submissions/{b_submission(lv)}/credential", json={}
    ),
}


def test_every_api_route_is_covered(seeded):
    served = api_routes(seeded.app)
    assert served, "no API route found: the route walk is broken"
    assert sorted(served - set(ISOLATION)) == [], "API routes without an isolation check"
    assert sorted(set(ISOLATION) - served) == [], "isolation checks for routes that no longer exist"


@pytest.mark.parametrize("route", sorted(ISOLATION), ids=lambda r: f"{r[0]} {r[1]}")
def test_an_enterprise_cannot_reach_another_enterprises_data(seeded, route):
    with seeded.client(A) as client:
        ISOLATION[route](seeded, client)


def test_the_trader_still_sees_its_own(seeded):
    """The same requests as the trader's own user succeed: the refusals above are isolation,
    not breakage."""
    x = seeded.world.trader.uscc
    with seeded.client(B) as client:
        assert client.get(f"/api/registry/enterprises/{x}").status_code == 200
        assert client.get("/api/lots/DYO-1").json()["custodian"] == x
        origin = client.get("/api/lots/DYO-1/trace").json()["origins"][0]
        assert (origin["lot"], origin["type"], origin["enterprise"]) == ("C1", "extract", None)  # not its own
        assert client.get("/api/lots/DYO-1/certificate").json()["issued_to"] == x
        assert client.get(f"/api/log/proof/{x}:x1").status_code == 200
        assert client.get("/api/licenses/RE-2026-000001").status_code == 200
        number = client.get("/api/applications").json()["items"][0]["number"]
        assert client.get(f"/api/applications/{number}").json()["exporter"] == x
        key = client.get("/api/findings").json()["items"][0]["key"]
        assert client.get(f"/api/findings/{key}").json()["enterprise"] == x


def test_the_office_keeps_its_triage_from_the_enterprise_it_is_about(seeded):
    """Triage is the office's own: the enterprise a finding is about reads the messages written
    to it, never the notes, the reasons or the assignee; another enterprise reads nothing of it."""
    key = b_finding_key(seeded)
    with seeded.client("inspector") as inspector:
        for action in (
            {"action": "assign", "note": "内部：核查前勿告知企业", "assignee": "inspector"},
            {"action": "message", "note": "please send the receipt"},
        ):
            assert inspector.post(f"/api/findings/{key}/actions", json=action).status_code == 201
    with seeded.client(B) as client:
        own = client.get(f"/api/findings/{key}")
        listed = client.get("/api/findings").text
    assert own.json()["messages"] == [{"at": own.json()["messages"][0]["at"], "text": "please send the receipt"}]
    for answer in (own.text, listed):
        assert "核查前勿告知企业" not in answer and '"assignee"' not in answer and '"actions"' not in answer
    with seeded.client(A) as client:
        assert client.get(f"/api/findings/{key}").status_code == 404
        assert "please send the receipt" not in client.get("/api/findings").text


# --- "not found" reads the same -------------------------------------------------------------------

MISSING_USCC = make_uscc(999)  # a valid code that no enterprise is registered under


def lot_application(lot_id: str):
    """A's application naming a lot: the trader's, one that does not exist, or one A once held."""

    def body(live) -> dict:
        return application_request(live.world.mine.uscc, lot_id)

    return body


# route -> (method, what A asks for of the trader's, then what A asks for that does not exist (or is
# no longer there)); each is a path, or (path, JSON body)
Ask = Callable[[object], str | tuple[str, dict]]
SAME_ANSWER: dict[tuple[str, str], tuple[str, Ask, list[Ask]]] = {
    ("GET", "/api/registry/enterprises/{uscc}"): (
        "GET",
        lambda lv: f"/api/registry/enterprises/{lv.world.trader.uscc}",
        [lambda lv: f"/api/registry/enterprises/{MISSING_USCC}"],
    ),
    ("GET", "/api/findings/{key}"): (
        "GET",
        lambda lv: f"/api/findings/{b_finding_key(lv)}",
        [lambda lv: f"/api/findings/{'0' * 32}"],
    ),
    ("POST", "/api/findings/{key}/actions"): (
        "POST",
        lambda lv: (f"/api/findings/{b_finding_key(lv)}/actions", {"action": "note", "note": "n"}),
        [lambda lv: (f"/api/findings/{'0' * 32}/actions", {"action": "note", "note": "n"})],
    ),
    ("GET", "/api/lots/{lot}"): ("GET", lambda lv: "/api/lots/DYO-1", [lambda lv: "/api/lots/NO-SUCH-0"]),
    ("GET", "/api/lots/{lot}/trace"): (
        "GET",
        lambda lv: "/api/lots/DYO-1/trace",
        [lambda lv: "/api/lots/NO-SUCH-0/trace"],
    ),
    ("GET", "/api/lots/{lot}/certificate"): (
        "GET",
        lambda lv: "/api/lots/DYO-1/certificate",
        [lambda lv: "/api/lots/NO-SUCH-0/certificate"],
    ),
    ("GET", "/api/lots/{lot}/classification"): (
        "GET",
        lambda lv: "/api/lots/DYO-1/classification",
        [lambda lv: "/api/lots/NO-SUCH-0/classification"],
    ),
    ("GET", "/api/lots/{lot}/credentials"): (
        "GET",
        lambda lv: "/api/lots/DYO-1/credentials",
        [lambda lv: "/api/lots/NO-SUCH-0/credentials"],
    ),
    ("POST", "/api/lots/{lot}/credentials"): (
        "POST",
        lambda lv: ("/api/lots/DYO-1/credentials", {"securing": "di"}),
        [lambda lv: ("/api/lots/NO-SUCH-0/credentials", {"securing": "di"})],
    ),
    ("POST", "/api/submissions/{submission_id}/credential"): (
        "POST",
        lambda lv: (f"/api/submissions/{b_submission(lv)}/credential", {"securing": "di"}),
        [lambda lv: ("/api/submissions/999999/credential", {"securing": "di"})],
    ),
    ("GET", "/api/log/proof/{event}"): (
        "GET",
        lambda lv: f"/api/log/proof/{lv.world.trader.uscc}:x1",
        [
            lambda lv: f"/api/log/proof/{lv.world.trader.uscc}:none",
            lambda lv: f"/api/log/proof/{lv.world.mine.uscc}:none",
        ],
    ),
    ("GET", "/api/applications/{number}"): (
        "GET",
        lambda lv: f"/api/applications/{b_application(lv)}",
        [lambda lv: "/api/applications/EA2099-999999"],
    ),
    ("POST", "/api/applications/{number}/steps"): (
        "POST",
        lambda lv: (f"/api/applications/{b_application(lv)}/steps", {"action": "withdraw"}),
        [lambda lv: ("/api/applications/EA2099-999999/steps", {"action": "withdraw"})],
    ),
    ("POST", "/api/applications"): (  # the lot held by the trader; one that never was; C1, which A used to hold
        "POST",
        lambda lv: ("/api/applications", lot_application("DYO-1")(lv)),
        [
            lambda lv: ("/api/applications", lot_application("NO-SUCH-0")(lv)),
            lambda lv: ("/api/applications", lot_application("C1")(lv)),
        ],
    ),
    ("GET", "/api/licenses/{license_no}"): (
        "GET",
        lambda lv: "/api/licenses/RE-2026-000001",
        [lambda lv: "/api/licenses/RE-2099-999999"],
    ),
    ("GET", "/epcis/capture/{capture_id}"): (
        "GET",
        lambda lv: f"/epcis/capture/{trader_capture(lv)}",
        [lambda lv: "/epcis/capture/999999999", lambda lv: "/epcis/capture/not-a-number"],
    ),
    ("GET", "/epcis/events/{event_id}"): (
        "GET",
        lambda lv: "/epcis/events/" + quote(trader_event_hash(lv), safe=""),
        [
            lambda lv: "/epcis/events/" + quote("ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0", safe=""),
            lambda lv: "/epcis/events/not-an-id",
        ],
    ),
    ("POST", "/api/exports/{ref}/arrival"): (
        "POST",
        lambda lv: (f"/api/exports/{b_export(lv)}/arrival", {"arrived_on": "2026-02-01"}),
        [
            lambda lv: (f"/api/exports/{lv.world.trader.uscc}:none/arrival", {"arrived_on": "2026-02-01"}),
            lambda lv: (f"/api/exports/{lv.world.mine.uscc}:none/arrival", {"arrived_on": "2026-02-01"}),
        ],
    ),
}
# routes with a parameter that names nothing of one enterprise's
NAMES_NOTHING_OWNED = {
    ("GET", "/api/quota-use/{year}"),  # a year; the list in it is filtered
    ("POST", "/api/screening/lists/{name}"),  # a restricted-party list, staff only
}


def ask(live, client: httpx.Client, method: str, what: Ask) -> httpx.Response:
    target = what(live)
    path, body = target if isinstance(target, tuple) else (target, None)
    return client.request(method, path, json=body)


def test_every_route_naming_a_thing_has_a_same_answer_case(seeded):
    named = {(m, p) for m, p in api_routes(seeded.app) if "{" in p}
    assert sorted(named - set(SAME_ANSWER) - NAMES_NOTHING_OWNED) == [], "routes without a same-answer case"
    assert sorted(set(SAME_ANSWER) - set(ISOLATION)) == [], "same-answer cases for routes that no longer exist"


@pytest.mark.parametrize("route", sorted(SAME_ANSWER), ids=lambda r: f"{r[0]} {r[1]}")
def test_not_found_reads_the_same_whether_missing_or_anothers(seeded, route):
    method, theirs, missing = SAME_ANSWER[route]
    with seeded.client("regulator") as staff:
        applications = staff.get("/api/applications").json()["total"]
    with seeded.client(A) as client:
        answers = [ask(seeded, client, method, what) for what in (theirs, *missing)]
    first = answers[0]
    assert first.status_code in (403, 404, 422), first.text
    for other in answers[1:]:
        assert (other.status_code, other.headers["content-type"]) == (first.status_code, first.headers["content-type"])
        assert other.content == first.content, (first.text, other.text)  # byte for byte
    assert seeded.world.trader.uscc not in first.text and seeded.world.plant.uscc not in first.text
    with seeded.client("regulator") as staff:
        assert staff.get("/api/applications").json()["total"] == applications  # nothing was filed


def test_the_same_request_for_the_trader_answers(seeded):
    """A near miss: the trader asking for its own things by the same requests is answered, so
    the identical answers above are isolation, not a route that always fails."""
    with seeded.client(B) as client:
        for route, (method, theirs, _) in SAME_ANSWER.items():
            if method == "GET":
                answer = ask(seeded, client, method, theirs)
                assert answer.status_code == 200, (route, answer.text)


def test_the_refusal_check_catches_a_leak(seeded):
    """`refused` fails on an answer that names the trader in its message, as the old 404s did,
    and passes the same refusal naming nobody."""

    class Answering:
        def __init__(self, message: str) -> None:
            self.message = message

        def request(self, method: str, url: str, json=None) -> httpx.Response:
            return httpx.Response(404, json={"error": {"type": "not_found", "message": self.message}})

    x = seeded.world.trader.uscc
    with pytest.raises(AssertionError):
        refused("GET", "/api/lots/DYO-1")(seeded, Answering(f"lot 'DYO-1' is not one enterprise {x} created"))
    refused("GET", "/api/lots/DYO-1")(seeded, Answering("lot not found"))


# --- the console's pages ------------------------------------------------------------------------
# Every page the console serves (GET): staff's pages refuse an enterprise's user; the lists an
# enterprise's user may open show it only its own rows, whatever filter it asks for, in the page
# and in the export alike. A page added without a row here fails `test_every_page_is_covered`.


def _page_client(live, username: str):
    from test_console_access_log import console

    return console(live, username)


def _row_ids(html: str) -> set[str]:
    import re

    return set(re.findall(r'<tr data-(?:key|id)="([^"]+)"', html))


def page_staff_only(path: str) -> Callable[..., None]:
    def check(live) -> None:
        with _page_client(live, A) as client:
            assert client.get(path).status_code == 403, path

    return check


def page_own_rows(path: str) -> Callable[..., None]:
    """The mine's rows and the trader's rows of a list never meet, even when the mine asks for
    the trader's by filter, and the export carries nothing of the trader's."""

    def check(live) -> None:
        x = live.world.trader.uscc
        with _page_client(live, B) as client:
            theirs = _row_ids(client.get(path, params={"size": 200}).text)
        assert theirs, f"{path}: the trader must have rows, or the check proves nothing"
        with _page_client(live, A) as client:
            mine = client.get(path, params={"size": 200, "enterprise": x, "q": x})
            assert mine.status_code == 200
            assert not _row_ids(mine.text) & theirs
            own = client.get(path, params={"size": 200}).text
            assert not _row_ids(own) & theirs
            # the export holds exactly the rows of its own list (a file it sent for the trader
            # may name the trader in the reason: that is its own rejection)
            exported = client.get(path, params={"export": "csv"}).content.decode("utf-8-sig")
            assert len(exported.splitlines()) - 1 == len(_row_ids(own))

    return check


def page_own_captures(live) -> None:
    trader_capture(live)
    page_own_rows("/portal/captures")(live)


def page_not_data(live) -> None:
    """Forms, the language switch, one's own account, the API's documentation: no one's data."""


def epcis_events_party_to(live) -> None:
    """The EPCIS query (JSON, outside /api): the mine's user lists only the events its enterprise
    is party to, whatever it asks, and the trader's event by its eventID reads as one that does
    not exist (tests/api/test_api_epcis_query.py has the whole of it)."""
    from urllib.parse import quote

    with live.client("regulator") as staff:
        document = staff.get("/epcis/events").json()
    every = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    theirs = [e for e in every if e["rt:reporter"] == live.world.trader.uscc]
    assert theirs, "the trader must have events, or the check proves nothing"
    with live.client(A) as client:
        for params in ({}, {"MATCH_anyEPCClass": "urn:reetrace:lot:DYO-1"}, {"EQ_eventID": theirs[0]["eventID"]}):
            answer = client.get("/epcis/events", params=params)
            assert answer.status_code == 200
            assert live.world.trader.uscc not in answer.text
            shown = answer.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            assert all(live.world.mine.uscc in json.dumps(e) for e in shown)  # its own, or naming it
        one = client.get("/epcis/events/" + quote(theirs[0]["eventID"], safe=""))
        none = client.get("/epcis/events/" + quote("ni:///sha-256;" + "0" * 64 + "?ver=CBV2.0", safe=""))
        assert one.status_code == none.status_code == 404 and one.content == none.content


PAGE_ISOLATION: dict[tuple[str, str], Callable[..., None]] = {
    ("GET", "/"): page_staff_only("/"),
    ("GET", "/lots"): page_staff_only("/lots"),
    ("GET", "/lots/{lot}"): page_staff_only("/lots/DYO-1"),
    ("GET", "/lots/{lot}/certificate"): page_staff_only("/lots/DYO-1/certificate"),
    ("GET", "/lots/{lot}/certificate/print"): page_staff_only("/lots/DYO-1/certificate/print"),
    ("GET", "/review"): page_staff_only("/review"),
    ("GET", "/review/{number}"): page_staff_only("/review/EX-2026-000001"),
    ("GET", "/audit"): page_staff_only("/audit"),
    ("GET", "/audit/access-log"): page_staff_only("/audit/access-log"),
    ("GET", "/docs"): page_staff_only("/docs"),
    ("GET", "/risk"): page_staff_only("/risk"),
    ("GET", "/findings"): page_own_rows("/findings"),
    ("GET", "/portal/submissions"): page_own_rows("/portal/submissions"),
    ("GET", "/portal/rejections"): page_own_rows("/portal/rejections"),
    ("GET", "/portal/captures"): page_own_captures,
    # a finding of another enterprise: the not-found checks of the API's /api/findings/{key}
    # and tests/api/test_console_access_log.py (refused and written down)
    ("GET", "/findings/{key}"): page_not_data,
    ("GET", "/portal"): page_not_data,  # built from the user's own USCC alone (tests/unit/web)
    ("GET", "/login"): page_not_data,
    ("GET", "/certificates/print.css"): page_not_data,  # the printable certificate's style sheet
    ("GET", "/login/second-factor"): page_not_data,
    ("GET", "/account"): page_not_data,
    ("GET", "/language/{language}"): page_not_data,
    ("GET", "/openapi.json"): page_not_data,
    # public: for anyone, signed in or not; they show only what a credential states, and nothing
    # of a lot without one (tests/api/test_verify_pages.py: the login page or the refusal, as ever)
    ("GET", "/verify"): page_not_data,
    ("GET", "/verify/{credential_id}"): page_not_data,
    ("GET", "/01/{gtin}/10/{lot}"): page_not_data,
    ("GET", "/.well-known/did.json"): page_not_data,  # the issuer's keys
    ("GET", "/.well-known/gs1resolver"): page_not_data,  # the resolver's description
    ("GET", "/contexts/provenance/v1"): page_not_data,  # the JSON-LD context
    ("GET", "/credentials/status/{number}"): page_not_data,  # the revocation lists
    ("GET", "/credentials/{credential_id}"): page_not_data,  # a credential, as issued to be public
}


def test_every_page_is_covered(seeded):
    from access_checks import served_routes

    served = {r for r in served_routes(seeded.app) if r[0] == "GET" and not r[1].startswith(API_PREFIXES)}
    assert sorted(served ^ set(PAGE_ISOLATION)) == []


@pytest.mark.parametrize("route", sorted(PAGE_ISOLATION), ids=lambda r: f"{r[0]} {r[1]}")
def test_an_enterprise_page_shows_nothing_of_another(seeded, route):
    PAGE_ISOLATION[route](seeded)
