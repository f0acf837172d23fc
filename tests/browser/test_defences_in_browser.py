"""The browser defences in Chromium against the real server: a page on another port of the same
host cannot change anything with a signed-in regulator's cookie (a text/plain raw-body fetch, an
auto-submitted form) nor frame the console, while the site's own page still can; a cookie
replayed after logout, a password change or disabling is refused; the login page throttles; the
password policy and the second factor (enrolment, login, a code used once) work as a person
meets them; /docs runs from the site's own files for staff only; no page breaks its CSP."""

from __future__ import annotations

import http.server
import socketserver
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

import totp
from demo_site import PASSWORD
from reetrace.domain.accounts import Actor
from reetrace.services import accounts
from reetrace.store import tables as t

pytestmark = pytest.mark.browser
OPERATOR = Actor.operator("root")
LIST = '{"id": "X-1", "schema": "Company", "properties": {"name": ["Attacker Front Ltd"]}}'


@pytest.fixture(autouse=True)
def forget_failures(site) -> Iterator[None]:
    """Failed logins made here are forgotten afterwards, so other tests log in unhindered."""
    yield
    with site.store.writing() as conn:
        conn.execute(delete(t.login_throttle))


@pytest.fixture(scope="module")
def attacker(site, tmp_path_factory) -> Iterator[str]:
    """Pages of an attacker, served on another port of the same host (127.0.0.1)."""
    folder = tmp_path_factory.mktemp("attacker")
    (folder / "fetch.html").write_text(
        "<!doctype html><title>prize</title><script>"
        f"fetch('{site.url}/api/screening/lists/cn_watch', {{method: 'POST', mode: 'no-cors', "
        f"credentials: 'include', headers: {{'Content-Type': 'text/plain'}}, body: {LIST!r}}})"
        ".then(() => { document.title = 'sent'; }, () => { document.title = 'sent'; });"
        "</script>",
        encoding="utf-8",
    )
    (folder / "form.html").write_text(
        f"<!doctype html><title>prize</title><form method='post' enctype='text/plain' "
        f"action='{site.url}/api/screening/lists/cn_watch'><input name='{LIST[:-1]}' value='}}'></form>"
        "<script>document.forms[0].submit();</script>",
        encoding="utf-8",
    )
    (folder / "frame.html").write_text(
        f"<!doctype html><title>frame</title><iframe src='{site.url}/' width='800' height='600'></iframe>",
        encoding="utf-8",
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = socketserver.TCPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def loads(site) -> int:
    with site.store.reading() as conn:
        return conn.scalar(select(func.count()).select_from(t.screening_loads)) or 0


def new_user(site, username: str, role: str = "inspector") -> str:
    accounts.add_user(site.store, username, PASSWORD, role, actor=OPERATOR)
    return username


def sign_in(browser, site, username: str, password: str = PASSWORD):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(site.url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    return context, page


def replayed(browser, site, cookies) -> str:
    """Where a fresh browser holding only `cookies` lands when it asks for the findings."""
    context = browser.new_context()
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(site.url + "/findings")
    url = page.url
    context.close()
    return url


def test_another_port_cannot_change_the_screening_list_but_the_site_can(browser, site, attacker, login, screenshot):
    page = login("regulator")
    before = loads(site)
    evil = page.context.new_page()
    with evil.expect_event("requestfailed", lambda r: "/api/screening/lists/" in r.url) as sent:
        evil.goto(f"{attacker}/fetch.html")  # its answer is not even readable there (CORP)
    assert sent.value.method == "POST" and loads(site) == before  # sent, and refused by the server
    with evil.expect_response(lambda r: "/api/screening/lists/" in r.url) as answered:
        evil.goto(f"{attacker}/form.html")
    assert answered.value.status == 403
    assert "reetrace_session" in answered.value.request.all_headers().get("cookie", "")
    evil.close()
    assert loads(site) == before
    token = page.input_value("header form[action='/logout'] input[name=form_token]")
    status = page.evaluate(
        """async ([body, token]) => (await fetch('/api/screening/lists/cn_watch', {method: 'POST',
            headers: {'Content-Type': 'text/plain', 'X-CSRF-Token': token}, body})).status""",
        [LIST, token],
    )
    assert status == 201 and loads(site) == before + 1  # the site's own page, with its token
    screenshot(page, "after-attack")


def test_another_site_cannot_frame_the_console(browser, site, attacker, login, screenshot):
    page = login("regulator")
    page.goto(f"{attacker}/frame.html")
    page.wait_for_timeout(500)
    framed = [f for f in page.frames if f != page.main_frame]
    assert framed and all(not f.url.startswith(site.url) or f.locator("h1").count() == 0 for f in framed)
    screenshot(page, "framing-refused")


def test_a_cookie_replayed_after_logout_is_refused(browser, site):
    context, page = sign_in(browser, site, new_user(site, "replay.logout"))
    cookies = context.cookies()
    assert replayed(browser, site, cookies).endswith("/findings")
    page.click("header button:has-text('退出')")
    page.wait_for_load_state()
    assert "/login" in replayed(browser, site, cookies)
    context.close()


def test_a_cookie_replayed_after_a_password_change_or_disabling_is_refused(browser, site, screenshot):
    context, page = sign_in(browser, site, new_user(site, "replay.password"))
    old = context.cookies()
    page.click("header a.who")
    page.wait_for_load_state()
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", "qwerty123456")
    page.fill("input[name=repeated]", "qwerty123456")
    page.click("form.password button[type=submit]")
    page.wait_for_load_state()
    assert "泄露事件中最常用" in page.inner_text("#password .error")  # the policy, as a person meets it
    page.fill("input[name=current_password]", PASSWORD)
    page.fill("input[name=new_password]", "lanterns over the lake")
    page.fill("input[name=repeated]", "lanterns over the lake")
    page.click("form.password button[type=submit]")
    page.wait_for_load_state()
    assert "密码已修改" in page.inner_text("main")
    screenshot(page, "password-changed")
    assert "/login" in replayed(browser, site, old)
    assert replayed(browser, site, context.cookies()).endswith("/findings")  # the changer goes on

    accounts.disable_user(site.store, OPERATOR, "replay.password")
    page.goto(site.url + "/findings")
    assert "/login" in page.url
    context.close()


def test_the_login_page_throttles_failed_attempts(browser, site, server_clock, screenshot):
    # the server's clock stands still: the one-second wait after the third failure cannot run out
    # between two clicks on a loaded machine
    username = new_user(site, "throttled")
    context, page = sign_in(browser, site, username, "not the password!")
    for _ in range(2):
        page.fill("input[name=password]", "not the password!")
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_load_state()
    assert "用户不存在或密码错误" in page.inner_text("p.error")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as answered:
        page.click("form[action='/login'] button[type=submit]")
    assert answered.value.status == 429 and answered.value.headers["retry-after"]
    assert "尝试次数过多" in page.inner_text("p.error")
    screenshot(page, "throttled")
    context.close()


@pytest.fixture
def server_clock(site) -> Iterator[list[datetime]]:
    moment = [datetime.now(UTC)]
    site.app.state.clock = lambda: moment[0]
    yield moment
    site.app.state.clock = lambda: datetime.now(UTC)


def test_a_second_factor_enrolled_at_login_then_asked_for(browser, site, server_clock, screenshot):
    accounts.require_second_factor(site.store, OPERATOR, "auditor", True)
    try:
        context, page = sign_in(browser, site, "auditor")
        assert page.url.startswith(site.url + "/login/second-factor")
        assert page.locator("figure.qr svg").bounding_box()["width"] > 100
        screenshot(page, "enrol")
        page.goto(site.url + "/findings")
        assert "/login/second-factor" in page.url  # nothing else before the code
        secret = page.inner_text("code.secret").strip()
        page.fill("input[name=code]", totp.code_at(secret, server_clock[0]))
        page.click("form.code button[type=submit]")
        page.wait_for_load_state()
        assert page.url == site.url + "/findings" and page.locator("table.findings").count() == 1
        used = totp.code_at(secret, server_clock[0])
        page.click("header button:has-text('退出')")
        page.wait_for_load_state()
        context.close()

        context, page = sign_in(browser, site, "auditor")
        assert "/login/second-factor" in page.url and page.locator("figure.qr").count() == 0
        page.fill("input[name=code]", used)
        page.click("form.code button[type=submit]")
        page.wait_for_load_state()
        assert "验证码错误或已被使用" in page.inner_text("p.error")  # a code is used once
        server_clock[0] += timedelta(seconds=30)
        page.fill("input[name=code]", totp.code_at(secret, server_clock[0]))
        page.click("form.code button[type=submit]")
        page.wait_for_load_state()
        assert "全国总览" in page.inner_text("h1")
        context.close()
    finally:
        accounts.require_second_factor(site.store, OPERATOR, "auditor", False)
        accounts.reset_second_factor(site.store, OPERATOR, "auditor", enrol=False)


def test_docs_for_staff_from_the_sites_own_files(browser, site, login, screenshot):
    page = login("regulator")
    requested: list[str] = []
    refused: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(site.url + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".swagger-ui .opblock").count() >= 40
    page.wait_for_timeout(500)
    outside = [u for u in requested if not u.startswith(site.url) and not u.startswith("data:")]
    assert requested and outside == [] and refused == []
    screenshot(page, "docs")
    firm = login("firm")
    response = firm.goto(site.url + "/docs")
    assert response.status == 403
    assert firm.goto(site.url + "/openapi.json").status == 403


@pytest.mark.parametrize("path", ["/", "/findings", "/lots/{lot}", "/account"])
def test_no_page_breaks_its_content_security_policy(site, login, path):
    page = login("regulator")
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(site.url + path.format(lot=site.lot))
    page.wait_for_load_state("networkidle")
    assert response.status == 200 and refused == []
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
