"""Sessions and browser defences on the live server (its own store: SQLite, or PostgreSQL with
REETRACE_TEST_DB): a cookie replayed after logout, a password change or disabling is refused;
a change made with the cookie from another origin (another port of the same host), or without
the CSRF token, is refused, while the same change from the site itself, or with a bearer token,
goes through; failed logins answer 429 with Retry-After; the security headers are on every
answer; /openapi.json and /docs are for staff only."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from api_data import PASSWORD
from sqlalchemy import func, select

from reetrace.domain.accounts import Actor
from reetrace.services import accounts
from reetrace.store import tables as t

OPERATOR = Actor.operator("root")
WATCH_LIST = json.dumps(
    {"id": "W-9", "schema": "Company", "properties": {"name": ["Replaced By Attacker Ltd"], "country": ["ae"]}}
)


def browser(live, address: str = "127.0.0.1", origin: str | None = "") -> httpx.Client:
    """A client that behaves like a browser on the site: it sends the site's origin (or `origin`)."""
    headers = {"Origin": live.url if origin == "" else origin} if origin is not None else {}
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=live.url, headers=headers, transport=transport, timeout=60)


def signed_in(live, username: str, password: str = PASSWORD, **kw) -> tuple[httpx.Client, str]:
    client = browser(live, **kw)
    answer = client.post("/api/session", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return client, answer.json()["csrf_token"]


def with_cookie(live, cookie: str) -> httpx.Client:
    return httpx.Client(base_url=live.url, cookies={"reetrace_session": cookie}, timeout=60)


def loads(live) -> int:
    with live.store.reading() as conn:
        return conn.scalar(select(func.count()).select_from(t.screening_loads)) or 0


@pytest.fixture(scope="module")
def site(seeded):
    return seeded


def test_a_cookie_replayed_after_logout_is_refused(site):
    client, csrf = signed_in(site, "inspector")
    cookie = client.cookies["reetrace_session"]
    assert with_cookie(site, cookie).get("/api/whoami").status_code == 200
    assert client.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert with_cookie(site, cookie).get("/api/whoami").status_code == 401


def test_a_cookie_replayed_after_a_password_change_is_refused(site):
    accounts.add_user(site.store, "gao", PASSWORD, "reviewer", actor=OPERATOR)
    client, csrf = signed_in(site, "gao")
    other, _ = signed_in(site, "gao")
    old = client.cookies["reetrace_session"]
    change = {"current_password": PASSWORD, "new_password": "a quiet harbour at noon"}
    assert client.post("/api/account/password", json=change).status_code == 403  # no CSRF token
    weak = client.post(
        "/api/account/password", json={**change, "new_password": "12345678"}, headers={"X-CSRF-Token": csrf}
    )
    assert weak.status_code == 422
    answer = client.post("/api/account/password", json=change, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200 and answer.json()["csrf_token"] != csrf
    assert with_cookie(site, old).get("/api/whoami").status_code == 401
    assert other.get("/api/whoami").status_code == 401  # every other session of the account ended too
    assert client.get("/api/whoami").json()["username"] == "gao"  # the changer goes on, re-issued
    assert client.cookies["reetrace_session"] != old


def test_a_disabled_users_cookie_and_token_are_refused(site):
    accounts.add_user(site.store, "zhou", PASSWORD, "inspector", actor=OPERATOR)
    _, token = accounts.issue_token(site.store, "zhou", "etl", actor=OPERATOR)
    client, _ = signed_in(site, "zhou")
    cookie = client.cookies["reetrace_session"]
    accounts.disable_user(site.store, OPERATOR, "zhou")
    assert with_cookie(site, cookie).get("/api/whoami").status_code == 401
    bearer = httpx.get(f"{site.url}/api/whoami", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 401
    assert browser(site).post("/api/session", json={"username": "zhou", "password": PASSWORD}).status_code == 401


def test_a_raw_body_write_from_another_port_is_refused(site):
    """The attack of the issue: a page on another port of the same host posts text/plain to the
    screening list with the regulator's cookie. Each variant is refused; the same request from
    the site with its token goes through."""
    client, csrf = signed_in(site, "regulator")
    cookie = {"reetrace_session": client.cookies["reetrace_session"]}
    url = f"{site.url}/api/screening/lists/cn_watch"
    attacker = re.sub(r":\d+$", ":9", site.url)
    before = loads(site)
    attempts = [
        {"Origin": attacker, "Content-Type": "text/plain"},
        {"Origin": attacker, "Content-Type": "text/plain", "X-CSRF-Token": csrf},  # even with a stolen token
        {"Origin": "null", "Content-Type": "text/plain"},
        {"Referer": attacker + "/page.html", "Content-Type": "text/plain"},
        {"Content-Type": "text/plain"},  # neither Origin nor Referer
        {"Origin": site.url, "Content-Type": "text/plain"},  # the right origin, no token
        {"Origin": site.url, "Content-Type": "text/plain", "X-CSRF-Token": "0" * 64},
        {"Origin": site.url.replace("http:", "https:"), "X-CSRF-Token": csrf},  # another scheme
    ]
    for headers in attempts:
        answer = httpx.post(url, content=WATCH_LIST, headers=headers, cookies=cookie)
        assert answer.status_code == 403, headers
        assert answer.json()["error"]["type"] == "forbidden"
    assert loads(site) == before
    for headers in ({"Origin": site.url}, {"Referer": site.url + "/docs"}):
        answer = httpx.post(url, content=WATCH_LIST, headers={**headers, "X-CSRF-Token": csrf}, cookies=cookie)
        assert answer.status_code == 201, answer.text
    with site.client("regulator") as machine:  # a bearer token needs neither
        assert machine.post("/api/screening/lists/cn_watch", content=WATCH_LIST).status_code == 201
    assert loads(site) == before + 3


def test_a_cross_origin_login_is_refused(site):
    attacker = browser(site, origin="http://127.0.0.1:9")
    answer = attacker.post("/api/session", json={"username": "regulator", "password": PASSWORD})
    assert answer.status_code == 403 and "reetrace_session" not in attacker.cookies
    page = browser(site, origin="http://127.0.0.1:9").post(
        "/login", data={"username": "regulator", "password": PASSWORD}, follow_redirects=False
    )
    assert page.status_code == 403 and "reetrace_session" not in page.cookies


@pytest.mark.parametrize("path", ["/api/health", "/login", "/api/nowhere", "/static/reetrace.css"])
def test_every_answer_carries_the_security_headers(site, path):
    answer = httpx.get(site.url + path)
    csp = answer.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert (answer.headers.get("cache-control") == "no-store") == (not path.startswith("/static/"))


def test_signed_in_answers_are_not_stored(site):
    client, _ = signed_in(site, "regulator")
    for path in ("/api/findings", "/api/whoami", "/", "/findings"):
        assert client.get(path).headers["cache-control"] == "no-store", path


def test_the_api_description_and_docs_are_for_staff(site):
    assert httpx.get(f"{site.url}/openapi.json").status_code == 401
    with site.client("mine_user") as enterprise:
        assert enterprise.get("/openapi.json").status_code == 403
    with site.client("auditor") as staff:
        assert staff.get("/openapi.json").json()["info"]["title"] == "reetrace"
    anonymous = httpx.get(f"{site.url}/docs", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    firm, _ = signed_in(site, "mine_user")
    assert firm.get("/docs").status_code == 403
    regulator, csrf = signed_in(site, "regulator")
    page = regulator.get("/docs")
    assert page.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert scripts and all("src=" in attributes and not body.strip() for attributes, body in scripts)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    assert f'content="{csrf}"' in page.text
    for source in sources:
        assert regulator.get(source).status_code == 200, source


@pytest.fixture
def frozen(site):
    """The server's clock stopped at one moment (restored afterwards), so throttling is tested
    without waiting and without depending on how fast the machine is."""
    moment = [datetime.now(UTC)]
    site.app.state.clock = lambda: moment[0]
    yield moment
    site.app.state.clock = lambda: datetime.now(UTC)


def test_failed_logins_are_answered_at_once_with_429_and_retry_after(site, frozen):
    accounts.add_user(site.store, "sun", PASSWORD, "inspector", actor=OPERATOR)
    guesser = browser(site, address="127.0.0.2")
    wrong = {"username": "sun", "password": "not the right one"}
    assert [guesser.post("/api/session", json=wrong).status_code for _ in range(3)] == [401, 401, 401]
    refused = guesser.post("/api/session", json={"username": "sun", "password": PASSWORD})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["type"] == "too_many_attempts"
    elsewhere = browser(site, address="127.0.0.3")  # the account waits, from any address …
    assert elsewhere.post("/api/session", json={"username": "sun", "password": PASSWORD}).status_code == 429
    assert elsewhere.post("/api/session", json={"username": "inspector", "password": PASSWORD}).status_code == 200
    frozen[0] += timedelta(seconds=1)  # … until its delay has passed
    assert elsewhere.post("/api/session", json={"username": "sun", "password": PASSWORD}).status_code == 200
    with site.client("regulator") as staff:
        entries = staff.get("/api/access-log", params={"limit": 500}).json()["items"]
    failed = [e for e in entries if e["action"] == "login_failed" and e["username"] == "sun"]
    assert len(failed) == 3 and {e["client"] for e in failed} == {"127.0.0.2"}
    assert any(e["action"] == "login" and e["username"] == "sun" and e["client"] == "127.0.0.3" for e in entries)


def test_a_flood_of_guesses_is_refused_without_slowing_the_rest(site, frozen):
    """Sixty guesses at once from one address: a handful are checked, the rest refused at once
    (429), and the server keeps answering everyone else meanwhile."""
    import concurrent.futures

    def guess(i: int) -> int:
        with browser(site, address="127.0.0.4") as client:
            return client.post("/api/session", json={"username": f"nobody{i}", "password": "x" * 12}).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        flood = [pool.submit(guess, i) for i in range(60)]
        with site.client("inspector") as other:
            assert other.get("/api/findings").status_code == 200
        statuses = [f.result() for f in flood]
    assert set(statuses) <= {401, 429} and statuses.count(429) >= 30
    with site.client("regulator") as staff:
        entries = staff.get("/api/access-log", params={"limit": 500}).json()["items"]
    checked = [e for e in entries if e["action"] == "login_failed" and e["client"] == "127.0.0.4"]
    assert len(checked) == statuses.count(401) < 30
