"""Every page and every API read renders what the ledger already holds, even values outside
today's bounds, written by an older version: an adjustment dated 9999-12-31T23:59:59+08:00 (once
a 500 on `/` and every `/portal`), one at the very last second UTC can write, an import of
1e300 kg (once Babel's InvalidOperation on the dashboard and the lot page), an extraction of
the year 1, a write-off of -1.8e308 kg, an `ext` nested 40 levels deep. The events go straight
into the store (tests/extremes.py); then every GET route is asked, as staff and as enterprise
users, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from api_data import PASSWORD, application_request, chain
from fastapi.testclient import TestClient

from extremes import EXTREMES, LOTS, write_extremes
from factory import World
from reetrace.api.app import create_app
from reetrace.config import Settings
from reetrace.epcis.document import epcis_id
from reetrace.services import accounts, registry
from reetrace.store.database import Store, open_store

USERS = {
    "regulator": None,
    "auditor": None,
    "reviewer": None,
    "mine_user": "mine",
    "plant_user": "plant",
    "trader_user": "trader",
}


@dataclass
class Site:
    app: object
    store: Store
    world: World
    tokens: dict[str, str]

    def api(self, username: str) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=True)
        client.headers["Authorization"] = f"Bearer {self.tokens[username]}"
        return client

    def pages(self, username: str) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=True)
        answer = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
        return client


@pytest.fixture(scope="module")
def site(module_store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    settings = Settings(db_url=module_store_url, log_key_dir=tmp_path_factory.mktemp("logkeys"))
    store = open_store(module_store_url)
    world = World()
    registry.load_registry(store, world.registry())
    tokens = {}
    for username, whose in USERS.items():
        party = {"mine": world.mine, "plant": world.plant, "trader": world.trader}.get(whose or "")
        role = "enterprise" if party else username
        accounts.add_user(store, username, PASSWORD, role, party.uscc if party else None)
        tokens[username] = accounts.issue_token(store, username, "tests")[1]
    app = create_app(settings, store, session_secret=b"s" * 32)
    built = Site(app, store, world, tokens)
    for name, doc in chain(world).items():
        answer = built.api(f"{name}_user").post("/api/submissions", content=json.dumps(doc))
        assert answer.status_code == 201, answer.text
    write_extremes(store, world.mine.uscc, world.mine.key_id)
    _odd_capture_job(store, world.mine.uscc)
    answer = built.api("trader_user").post("/api/applications", json=application_request(world.trader.uscc))
    assert answer.status_code in (201, 422), answer.text
    yield built
    store.dispose()


def _odd_capture_job(store: Store, uscc: str) -> None:
    """A capture job whose errors are not what this version writes: a place and a message far
    longer than any, parameters that do not fit their sentence, an error that is not an object."""
    from reetrace.store.epcis_repo import add_capture

    errors = [
        {
            "reason": "schema",
            "at": "/" + "x" * 5000,
            "message": "m" * 10000,
            "id": "too_large",
            "params": {"size": "?"},
        },
        {"reason": "nonsense", "at": None, "message": None, "id": None, "params": None},
        "not an object",
    ]
    row = {"received_at": "9999-12-31T15:59:59.999999+00:00", "enterprise": uscc, "username": "erp", "digest": "0" * 64}
    with store.writing() as conn:
        add_capture(
            conn,
            {**row, "size": 2**62, "success": 0, "event_count": 2**31 - 1, "accepted": 0, "errors": json.dumps(errors)},
        )


def served_get_routes(app) -> set[str]:
    """Every GET path the app serves, however its routers were included."""
    found: set[str] = set()

    def visit(routes) -> None:
        for route in routes:
            contexts = getattr(route, "effective_route_contexts", None)
            if contexts is not None:
                found.update(c.path_format for c in contexts() if "GET" in c.methods)
            elif hasattr(route, "routes") and not hasattr(route, "methods"):
                visit(route.routes)
            elif "GET" in (getattr(route, "methods", None) or ()):
                found.add(getattr(route, "path_format", route.path))

    visit(app.routes)
    return found


def addresses(site: Site) -> dict[str, list[str]]:
    """Each GET route with the addresses that exercise it on this store."""
    w = site.world
    regulator = site.api("regulator")
    findings = [f["key"] for f in regulator.get("/api/findings", params={"limit": 500}).json()["items"]]
    applications = [a["number"] for a in regulator.get("/api/applications").json()["items"]]
    lots = [*LOTS, "C1", "DYO-1"]
    events = [f"{w.mine.uscc}:{e['event_id']}" for _, e, _ in EXTREMES]
    return {
        "/": ["/", "/?year=9998", "/?year=1900", "/?year=9999", "/?year=1"],
        "/findings": ["/findings", "/findings?year=9999", "/findings?export=xlsx&from=1000-01-01&to=9998-12-31"],
        "/findings/{key}": [f"/findings/{k}" for k in findings],
        "/lots": [
            "/lots",
            *[f"/lots?q={lot}" for lot in lots],
            *[f"/lots?prefix={lot[:3]}" for lot in lots],
            *[f"/lots?lot={lot}x" for lot in lots],
            "/lots?sort=mass&dir=desc&export=xlsx",
            "/lots?sort=created&dir=asc&from=1000-01-01&to=9998-12-31",
            "/lots?from=0001-01-01",
        ],
        "/audit": ["/audit"],
        "/risk": ["/risk", "/risk?year=2026&sort=score&dir=asc&export=xlsx", "/risk?year=9999", "/risk?q=%00"],
        "/audit/access-log": [
            "/audit/access-log",
            "/audit/access-log?sort=user&export=xlsx",
            "/audit/access-log?from=1000-01-01&to=9998-12-31&export=csv",
            "/audit/access-log?to=9999-12-31",
        ],
        "/portal/submissions": ["/portal/submissions", "/portal/submissions?export=xlsx&from=1000-01-01&to=9998-12-31"],
        "/portal/rejections": ["/portal/rejections", "/portal/rejections?export=csv&sort=reason"],
        "/portal/captures": [
            "/portal/captures",
            "/portal/captures?export=xlsx&sort=events&from=1000-01-01&to=9998-12-31",
        ],
        "/epcis/capture": ["/epcis/capture", "/epcis/capture?limit=500"],
        "/epcis/capture/{capture_id}": ["/epcis/capture/1", "/epcis/capture/99999999999", "/epcis/capture/%E2%80%8B"],
        "/lots/{lot}": [f"/lots/{lot}" for lot in lots],
        "/lots/{lot}/certificate": [f"/lots/{lot}/certificate" for lot in lots],
        "/lots/{lot}/certificate/print": [f"/lots/{lot}/certificate/print" for lot in lots],
        "/certificates/print.css": ["/certificates/print.css"],
        "/portal": ["/portal"],
        "/review": ["/review", "/review?sort=deadline&dir=desc&export=csv"],
        "/review/{number}": [f"/review/{n}" for n in applications],
        "/login": ["/login"],
        "/login/second-factor": ["/login/second-factor"],
        "/account": ["/account"],
        "/language/{language}": ["/language/en?next=/"],
        "/api/health": ["/api/health"],
        "/api/whoami": ["/api/whoami"],
        "/api/access-log": ["/api/access-log"],
        "/api/applications": ["/api/applications"],
        "/api/applications/{number}": [f"/api/applications/{n}" for n in applications],
        "/api/controls": ["/api/controls"],
        "/api/customs/findings": ["/api/customs/findings"],
        "/api/exports": ["/api/exports"],
        "/api/findings": ["/api/findings", "/api/findings?as_of=9998-12-31"],
        "/api/findings/{key}": [f"/api/findings/{k}" for k in findings],
        "/api/licenses": ["/api/licenses"],
        "/api/licenses/{license_no}": ["/api/licenses/RE-2026-000001"],
        "/api/log/checkpoint": ["/api/log/checkpoint"],
        "/api/log/key": ["/api/log/key"],
        "/api/log/proof/{event}": [f"/api/log/proof/{e}" for e in events],
        "/api/log/consistency": ["/api/log/consistency?size1=1&size2=2"],
        "/api/lots/{lot}": [f"/api/lots/{lot}" for lot in lots],
        "/api/lots/{lot}/trace": [
            f"/api/lots/{lot}/trace?direction={d}" for lot in lots for d in ("backward", "forward")
        ],
        "/api/lots/{lot}/certificate": [f"/api/lots/{lot}/certificate" for lot in lots],
        "/api/lots/{lot}/classification": [f"/api/lots/{lot}/classification" for lot in lots],
        "/api/mirror": ["/api/mirror"],
        "/api/mirror/chart.svg": ["/api/mirror/chart.svg"],
        "/api/registry/enterprises": ["/api/registry/enterprises"],
        "/api/registry/enterprises/{uscc}": [f"/api/registry/enterprises/{w.mine.uscc}"],
        "/api/quota-use/{year}": ["/api/quota-use/2026", "/api/quota-use/9999", "/api/quota-use/1"],
        "/api/screening": ["/api/screening?name=Example"],
        "/api/screening/lists": ["/api/screening/lists"],
        "/api/submissions": ["/api/submissions"],
        "/api/rejections": ["/api/rejections"],
        # a provenance credential and what checking one needs (public; a lot without one is not found)
        "/verify": ["/verify"],
        "/verify/{credential_id}": ["/verify/00000000-0000-0000-0000-000000000000", "/verify/%E2%80%8B"],
        "/01/{gtin}/10/{lot}": [f"/01/09506000134352/10/{quote(lot, safe='')}" for lot in lots],
        "/.well-known/did.json": ["/.well-known/did.json"],
        "/.well-known/gs1resolver": ["/.well-known/gs1resolver"],
        "/contexts/provenance/v1": ["/contexts/provenance/v1"],
        "/credentials/status/{number}": [f"/credentials/status/{n}" for n in (1, 999999, 0)],
        "/credentials/{credential_id}": ["/credentials/" + "0" * 36, "/credentials/%E2%80%8B"],
        "/api/lots/{lot}/credentials": [f"/api/lots/{lot}/credentials" for lot in lots],
        "/epcis/events": [
            "/epcis/events?perPage=1000",
            "/epcis/events?GE_eventTime=9999-12-31T00:00:00Z",
            "/epcis/events?LT_eventTime=0002-01-01T00:00:00Z",
            "/epcis/events?MATCH_anyEPCClass=urn:reetrace:lot:*&EQ_bizStep=stock_taking",
            *[f"/epcis/events?MATCH_anyEPCClass=urn:reetrace:lot:{lot}" for lot in lots],
        ],
        "/epcis/events/{event_id}": [
            "/epcis/events/" + quote(epcis_id(w.mine.uscc, event), safe="") for _, event, _ in EXTREMES
        ],
    }


UNCHECKED = {"/openapi.json", "/docs", "/static"}  # no data in them


def test_every_get_route_is_asked(site):
    served = {p for p in served_get_routes(site.app) if not p.startswith("/static")}
    assert sorted(served - set(addresses(site)) - UNCHECKED) == [], "GET routes this test does not ask"


@pytest.mark.parametrize("username", sorted(USERS))
def test_no_address_answers_a_server_error(site, username):
    api, pages = site.api(username), site.pages(username)
    asked = 0
    for route, urls in addresses(site).items():
        client = api if route.startswith("/api") else pages
        for url in urls:
            answer = client.get(url)  # raise_server_exceptions: a crash fails here with its traceback
            assert answer.status_code < 500, (url, answer.status_code, answer.text[:300])
            asked += 1
    assert asked > 60


def test_the_pages_show_the_extremes(site):
    regulator = site.pages("regulator")
    for language in ("zh-Hans", "en"):
        regulator.get(f"/language/{language}?next=/")
        assert regulator.get("/").status_code == 200
        huge = regulator.get("/lots/HUGE")
        assert huge.status_code == 200 and "1E300" in huge.text  # 1e300 kg, in scientific notation
        far = regulator.get("/lots/FAR-FUTURE")
        assert far.status_code == 200 and "9999" in far.text
        ancient = regulator.get("/lots/ANCIENT")
        assert ancient.status_code == 200
    portal = site.pages("mine_user").get("/portal")
    assert portal.status_code == 200 and site.world.mine.uscc in portal.text


def test_the_dashboard_opens_on_the_latest_year_not_dated_in_the_future(site):
    page = site.pages("regulator").get("/")
    years = re.findall(r"(\d{4})", re.search(r"<h1>(.*?)</h1>", page.text, re.S).group(1))
    assert years == ["2026"]  # the chain's year, not 9999


def test_the_api_returns_the_stored_values_as_they_are(site):
    api = site.api("regulator")
    huge = api.get("/api/lots/HUGE").json()
    assert huge["mass_kg"] == 1e300 and huge["creator"]["event"] == f"{site.world.mine.uscc}:x-huge"
    assert [e["type"] for e in huge["events"]] == ["import", "adjust", "consume"]
    far = api.get(f"/api/log/proof/{site.world.mine.uscc}:x-last-second").json()
    assert far["event"] == f"{site.world.mine.uscc}:x-last-second"
    assert api.get("/api/quota-use/9999").status_code == 400  # a year no view can show: asked, refused
    assert api.get("/api/quota-use/9998").status_code == 200


def test_the_store_is_still_verifiable(site):
    from reetrace.services.log import verify_log

    assert verify_log(site.store).ok


def test_the_command_line_reads_them_too(site, module_store_url, tmp_path):
    import os
    import subprocess
    import sys

    reetrace = str(Path(sys.executable).with_name("reetrace"))
    env = {**os.environ, "REETRACE_DB": module_store_url, "REETRACE_LOG_KEYS": str(tmp_path / "keys"), "COLUMNS": "200"}
    commands = [["audit"], ["audit", "--format", "json"], ["rejected"], ["registry", "show"], ["quota-use", "2026"]]
    for lot in LOTS:
        commands += [["trace", lot], ["trace", lot, "--direction", "forward", "--format", "json"], ["classify", lot]]
    commands += [["certify", "HUGE", "--out", str(tmp_path / "huge.json"), "--html", str(tmp_path / "huge.html")]]
    for command in commands:
        done = subprocess.run([reetrace, *command], env=env, capture_output=True, text=True, timeout=300)
        assert "Traceback" not in done.stderr and done.returncode in (0, 1), (command, done.stderr[-500:])
