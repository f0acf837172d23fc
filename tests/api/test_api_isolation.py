"""Tenant isolation: for every API route, an enterprise's user (the mine's) can neither see nor
act on another enterprise's data (the trader's). The table below must cover every route the app
serves under /api/: a route added without a row here fails `test_every_api_route_is_covered`."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from conftest import OXIDE_DY, application_request
from factory import export, extract, lot

A, B = "mine_user", "trader_user"  # A probes B's data


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
    return {(m, p) for m, p in found if p.startswith("/api/") and m != "HEAD"}


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
        assert answer.json()["error"]["type"] in ("forbidden", "not_found")
        assert live.world.trader.uscc not in answer.json().get("error", {}).get("detail", "")

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


def forward_trace_withholds(live, client: httpx.Client) -> None:
    refused("GET", "/api/lots/DYO-1/trace")(live, client)
    mine = client.get("/api/lots/C1/trace", params={"direction": "forward"}).json()
    assert mine["descendants"] == [] and mine["withheld"] == 2


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
    ("GET", "/api/lots/{lot}/trace"): forward_trace_withholds,
    ("GET", "/api/lots/{lot}/certificate"): refused("GET", "/api/lots/DYO-1/certificate"),
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
        assert client.get("/api/lots/DYO-1/trace").json()["origins"][0]["enterprise"] == seeded.world.mine.uscc
        assert client.get(f"/api/log/proof/{x}:x1").status_code == 200
        assert client.get("/api/licenses/RE-2026-000001").status_code == 200
        number = client.get("/api/applications").json()["items"][0]["number"]
        assert client.get(f"/api/applications/{number}").json()["exporter"] == x
        key = client.get("/api/findings").json()["items"][0]["key"]
        assert client.get(f"/api/findings/{key}").json()["enterprise"] == x
