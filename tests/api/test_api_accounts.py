"""Accounts on the live API: password login (session cookie), API tokens (revocable), roles
(the auditor changes nothing), the access log, pagination and the one error shape."""

from __future__ import annotations

import re

import httpx
import pytest
from api_data import PASSWORD, application_request
from sqlalchemy import func, select
from test_api_isolation import api_routes

from reetrace.services import accounts
from reetrace.store import tables as t


def test_password_login_sets_a_session_that_authenticates(seeded):
    with httpx.Client(base_url=seeded.url, headers={"Origin": seeded.url}) as browser:
        assert browser.get("/api/whoami").status_code == 401
        wrong = browser.post("/api/session", json={"username": "regulator", "password": "not the password"})
        assert wrong.status_code == 401 and wrong.json()["error"]["type"] == "unauthenticated"
        assert "reetrace_session" not in browser.cookies
        answer = browser.post("/api/session", json={"username": "regulator", "password": PASSWORD})
        assert answer.status_code == 200
        assert "httponly" in answer.headers["set-cookie"].lower()
        assert browser.get("/api/whoami").json()["role"] == "regulator"
        assert browser.delete("/api/session").status_code == 403  # a change under the cookie: no CSRF token
        assert browser.get("/api/whoami").status_code == 200
        logout = browser.delete("/api/session", headers={"X-CSRF-Token": answer.json()["csrf_token"]})
        assert logout.status_code == 204
        assert browser.get("/api/whoami").status_code == 401


def test_a_forged_session_cookie_is_not_accepted(seeded):
    import secrets

    for forged in (secrets.token_urlsafe(32), "regulator", "", "x" * 5000):
        with httpx.Client(base_url=seeded.url, cookies={"reetrace_session": forged}) as client:
            assert client.get("/api/whoami").status_code == 401


def test_a_revoked_token_stops_working(seeded):
    token_id, token = accounts.issue_token(seeded.store, "inspector", "short-lived")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=seeded.url, headers=headers) as client:
        assert client.get("/api/whoami").json()["username"] == "inspector"
        accounts.revoke_token(seeded.store, token_id)
        answer = client.get("/api/whoami")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert set(answer.json()) == {"error"} and answer.json()["error"]["type"] == "unauthenticated"


def test_every_api_route_but_health_and_login_needs_credentials(seeded):
    open_routes = {("GET", "/api/health"), ("POST", "/api/session"), ("DELETE", "/api/session")}
    with httpx.Client(base_url=seeded.url) as anonymous:
        for method, path in sorted(api_routes(seeded.app) - open_routes):
            url = path.replace("{year}", "2026").replace("{", "").replace("}", "")
            answer = anonymous.request(method, url)
            assert answer.status_code == 401, (method, path, answer.status_code)


def _state(live) -> dict[str, int]:
    with live.store.reading() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table))
            for table in (
                t.submissions,
                t.events,
                t.enterprises,
                t.finding_actions,
                t.license_applications,
                t.application_steps,
                t.officials,
                t.licenses,
                t.control_changes,
                t.screening_loads,
                t.customs_imports,
                t.arrival_reports,
                t.mirror_statistics,
            )
        }


def _changes(live) -> list[tuple[str, str, dict | None]]:
    w = live.world
    with live.client("regulator") as staff:
        key = staff.get("/api/findings").json()["items"][0]["key"]
        number = staff.get("/api/applications").json()["items"][0]["number"]
    return [
        (
            "POST",
            "/api/submissions",
            w.trader.submit(
                [
                    {
                        "event_id": "z",
                        "type": "adjust",
                        "lot": "DYO-1",
                        "time": "2026-01-20T08:00:00+08:00",
                        "delta_kg": -1,
                        "reason": "spill",
                    }
                ]
            ),
        ),
        ("POST", "/api/registry", w.registry()),
        ("POST", f"/api/findings/{key}/actions", {"action": "dismiss", "note": "looks fine to me"}),
        ("POST", "/api/applications", application_request(w.trader.uscc)),
        ("POST", f"/api/applications/{number}/steps", {"action": "accept", "why": "complete"}),
        ("POST", "/api/controls/changes", {"action": "suspend", "code": "1C905", "from": "2026-01-01", "why": "x"}),
        ("POST", "/api/screening/lists/cn_watch", None),
        ("POST", "/api/customs/declarations", None),
        ("POST", f"/api/exports/{w.trader.uscc}:x1/arrival", {"arrived_on": "2026-02-01"}),
        ("POST", "/api/mirror/statistics", None),
        ("POST", "/epcis/capture", None),
        ("POST", "/api/lots/DYO-1/credentials", {"securing": "di"}),
        ("POST", "/api/submissions/1/credential", {"securing": "di"}),
    ]


def test_the_auditor_cannot_change_anything(seeded):
    changes = _changes(seeded)
    writing = {(m, p) for m, p in api_routes(seeded.app) if m != "GET"} - {
        ("POST", "/api/session"),
        ("DELETE", "/api/session"),
        ("POST", "/api/account/password"),  # one's own password: not the ledger's data
    }
    tried = {(m, u) for m, u, _ in changes}
    for method, template in writing:  # every route that can change something is tried
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        assert any(m == method and pattern.match(u) for m, u in tried), (method, template)
    before = _state(seeded)
    with seeded.client("auditor") as client:
        for method, url, body in changes:
            answer = client.request(method, url, json=body)
            assert answer.status_code == 403, (url, answer.text)
            assert answer.json()["error"]["type"] == "forbidden"
        assert client.get("/api/access-log").status_code == 200  # it may read the log of who did what
    assert _state(seeded) == before


@pytest.mark.parametrize("role", ["inspector", "reviewer", "approver", "auditor", "mine_user"])
def test_only_regulators_load_the_registry(seeded, role):
    with seeded.client(role) as client:
        assert client.post("/api/registry", json=seeded.world.registry()).status_code == 403
    with seeded.client("regulator") as client:
        answer = client.post(
            "/api/registry",
            json=seeded.world.registry(
                quotas=[
                    {
                        "year": 2026,
                        "uscc": seeded.world.mine.uscc,
                        "kind": "mining",
                        "category": "rock",
                        "tonnes_reo": 100,
                    },
                    {
                        "year": 2026,
                        "uscc": seeded.world.plant.uscc,
                        "kind": "separation",
                        "category": "all",
                        "tonnes_reo": 100,
                    },
                    {
                        "year": 2026,
                        "uscc": seeded.world.trader.uscc,
                        "kind": "separation",
                        "category": "all",
                        "tonnes_reo": 5,
                    },
                ]
            ),
        )
    assert answer.status_code == 200 and answer.json()["loaded"]["enterprises"] == 3


def test_staff_reads_of_one_enterprise_and_changes_are_logged(seeded):
    x = seeded.world.trader.uscc
    with seeded.client("inspector") as client:
        assert client.get(f"/api/registry/enterprises/{x}").status_code == 200
        assert client.get("/api/lots/DYO-1").status_code == 200
    with seeded.client("trader_user") as client:
        assert client.get(f"/api/registry/enterprises/{x}").status_code == 200  # its own: not logged
    with seeded.client("regulator") as client:
        entries = client.get("/api/access-log", params={"limit": 500}).json()["items"]
    reads = [(e["username"], e["what"], e["enterprise"]) for e in entries if e["action"] == "read"]
    assert ("inspector", f"GET /api/registry/enterprises/{x}", x) in reads
    assert ("inspector", "GET /api/lots/DYO-1", seeded.world.plant.uscc) in reads
    assert not any(u == "trader_user" for u, _, _ in reads)
    changes = [(e["username"], e["what"], e["enterprise"]) for e in entries if e["action"] == "change"]
    assert ("trader_user", "POST /api/submissions", x) in changes
    assert any(u == "trader_user" and w.startswith("application EA") and e == x for u, w, e in changes)  # filed
    for role in ("inspector", "reviewer", "approver", "mine_user"):
        with seeded.client(role) as client:
            assert client.get("/api/access-log").status_code == 403


def test_pagination_on_lists(seeded):
    with seeded.client("regulator") as client:
        whole = client.get("/api/submissions", params={"limit": 500}).json()
        assert whole["total"] == len(whole["items"]) >= 3
        pages = [
            client.get("/api/submissions", params={"limit": 2, "offset": o}).json() for o in range(0, whole["total"], 2)
        ]
        assert all(p["limit"] == 2 and p["total"] == whole["total"] for p in pages)
        assert [i["id"] for p in pages for i in p["items"]] == [i["id"] for i in whole["items"]]
        beyond = client.get("/api/findings", params={"offset": 10_000}).json()
        assert beyond["items"] == [] and beyond["total"] > 0 and beyond["offset"] == 10_000
        for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "many"}):
            answer = client.get("/api/registry/enterprises", params=bad)
            assert answer.status_code == 422
            assert answer.json()["error"]["type"] == "invalid" and answer.json()["error"]["problems"]


@pytest.mark.parametrize(
    "method, url, status, kind",
    [
        ("GET", "/api/lots/NO-SUCH-LOT", 404, "not_found"),
        ("GET", "/api/nowhere", 404, "not_found"),
        ("DELETE", "/api/submissions", 405, "method_not_allowed"),
        ("GET", "/api/log/consistency?old=5&new=2", 400, "bad_request"),
        ("GET", "/api/quota-use/year", 422, "invalid"),
        ("POST", "/api/findings/abc/actions", 422, "invalid"),
    ],
)
def test_errors_have_one_shape(seeded, method, url, status, kind):
    with seeded.client("regulator") as client:
        answer = client.request(method, url)
    assert answer.status_code == status
    assert set(answer.json()) == {"error"}
    assert answer.json()["error"]["type"] == kind and answer.json()["error"]["message"]
