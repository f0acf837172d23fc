"""The account pages over HTTP (TestClient): a form posted from another origin is refused with a
translated page, the login page throttles with a translated message, the password change asks
for the current password and follows the policy, a role that requires a second factor enrols at
login and nothing else opens before the code, and no page carries inline script or style."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

import totp
from demo_site import PASSWORD
from reetrace.domain.accounts import Actor
from reetrace.services import accounts

OPERATOR = Actor.operator("root")


def token_of(html: str) -> str:
    return re.search(r'name="form_token" value="(\w+)"', html).group(1)


def test_a_form_posted_from_another_origin_is_refused(site):
    client = site.client("inspector")
    page = client.get("/findings?status=open")
    key = re.search(r'data-key="(\w+)"', page.text).group(1)
    form = {"action": "note", "note": "from elsewhere", "form_token": token_of(client.get(f"/findings/{key}").text)}
    for headers in ({"Origin": "http://testserver:8080"}, {"Origin": "null"}, {"Origin": "", "Referer": ""}):
        refused = client.post(f"/findings/{key}/triage", data=form, headers=headers)
        assert refused.status_code == 403 and "该表单来自其他网站" in refused.text, headers
    assert "from elsewhere" not in client.get(f"/findings/{key}").text
    near = client.post(f"/findings/{key}/triage", data=form, headers={"Origin": "", "Referer": "http://testserver/x"})
    assert near.status_code == 200 and "from elsewhere" in near.text  # same origin, said by the Referer


def served_routes(app) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def visit(routes) -> None:
        for route in routes:
            contexts = getattr(route, "effective_route_contexts", None)
            if contexts is not None:
                found.update((m, c.path_format) for c in contexts() for m in c.methods)
            elif hasattr(route, "routes") and not hasattr(route, "methods"):
                visit(route.routes)
            else:
                found.update((m, route.path) for m in getattr(route, "methods", None) or ())

    visit(app.routes)
    return found


# forms that want no token, and why
NO_TOKEN = {"/verify": "checks a credential file anyone holds, signed in or not, and keeps nothing"}


def test_every_form_route_wants_its_token(site):
    client = site.client("regulator")
    routes = {
        (m, p)
        for m, p in served_routes(client.app)
        if m == "POST" and not p.startswith("/api") and p != "/login" and p not in NO_TOKEN
    }
    assert {"/logout", "/account/password", "/login/second-factor", "/portal/submissions"} <= {p for _, p in routes}
    for _, path in sorted(routes):
        url = path.replace("{key}", "0" * 16).replace("{number}", site.application)
        answer = client.post(url, data={"form_token": "0" * 64}, files={"submission": ("x.json", b"{}")})
        assert answer.status_code in (303, 403, 422), (path, answer.status_code)
        assert answer.status_code != 303 or path == "/login/second-factor", path  # no session waits for a code
    assert client.get("/findings").status_code == 200  # still signed in: nothing above logged out


@pytest.fixture
def clock(site):
    moment = [datetime.now(UTC)]
    return moment


def clocked(site, clock, username: str | None = None, password: str = PASSWORD):
    client = site.client()
    client.app.state.clock = lambda: clock[0]
    if username:
        answer = client.post("/login", data={"username": username, "password": password}, follow_redirects=False)
        assert answer.status_code == 303, answer.text
    return client


def test_the_login_page_throttles_in_the_persons_language(site, clock):
    accounts.add_user(site.store, "song", PASSWORD, "inspector", actor=OPERATOR)
    client = clocked(site, clock)
    for _ in range(3):
        assert client.post("/login", data={"username": "song", "password": "wrong password"}).status_code == 401
    refused = client.post("/login", data={"username": "song", "password": PASSWORD})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert "尝试次数过多，请在 1 秒后重试" in refused.text
    clock[0] += timedelta(seconds=1)
    assert (
        client.post("/login", data={"username": "song", "password": PASSWORD}, follow_redirects=False).status_code
        == 303
    )


def test_changing_the_password_on_the_account_page(site, clock):
    accounts.add_user(site.store, "hanmei", PASSWORD, "inspector", actor=OPERATOR)
    client = clocked(site, clock, "hanmei")
    old = client.cookies["reetrace_session"]
    page = client.get("/account")
    assert page.status_code == 200 and "修改密码" in page.text
    form = {"current_password": PASSWORD, "form_token": token_of(page.text)}
    for new, message in (
        ("12345678901", "密码至少 12 个字符"),
        ("HanMei-HanMei-2026", "密码不得包含用户名"),
        ("qwerty123456", "泄露事件中最常用"),
    ):
        answer = client.post("/account/password", data={**form, "new_password": new, "repeated": new})
        assert answer.status_code == 422 and message in answer.text, new
    wrong = client.post(
        "/account/password",
        data={**form, "current_password": "not it at all", "new_password": "a long river", "repeated": "a long river"},
    )
    assert wrong.status_code == 403 and "当前密码不正确" in wrong.text
    done = client.post("/account/password", data={**form, "new_password": "a long river", "repeated": "a long river"})
    assert done.status_code == 200 and "密码已修改" in done.text
    assert client.cookies["reetrace_session"] != old
    replayed = site.client()
    replayed.cookies.set("reetrace_session", old)
    assert replayed.get("/findings", follow_redirects=False).status_code == 303  # back to the login page


def test_a_role_requiring_a_second_factor_enrols_at_login_before_anything_else(site, clock):
    accounts.add_user(site.store, "qin", PASSWORD, "approver", actor=OPERATOR)
    accounts.require_second_factor(site.store, OPERATOR, "approver", True)
    try:
        client = clocked(site, clock)
        answer = client.post("/login", data={"username": "qin", "password": PASSWORD, "next": "/review"})
        assert answer.url.path == "/login/second-factor"
        for path in ("/review", "/findings", "/account", "/docs", "/login"):  # nothing but the code page
            blocked = client.get(path, follow_redirects=False)
            assert blocked.status_code == 303 and blocked.headers["location"].startswith("/login/second-factor"), path
        assert client.get("/api/whoami").status_code == 401
        page = client.get("/login/second-factor?next=/review")
        assert "您的角色要求第二因素验证" in page.text and "<svg" in page.text
        secret = re.search(r'<code class="secret">(\w+)</code>', page.text).group(1)
        form = {
            "form_token": token_of(page.text),
            "secret": secret,
            "seal": re.search(r'name="seal" value="(\w+)"', page.text).group(1),
            "next": "/review",
        }
        tampered = client.post("/login/second-factor", data={**form, "secret": "JBSWY3DPEHPK3PXP", "code": "123456"})
        assert tampered.status_code == 400  # a secret of the attacker's choosing is not accepted
        code = totp.code_at(secret, clock[0])
        done = client.post("/login/second-factor", data={**form, "code": code}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/review"
        assert client.get("/review").status_code == 200

        again = clocked(site, clock)
        again.post("/login", data={"username": "qin", "password": PASSWORD})
        page = again.get("/login/second-factor")
        assert "<svg" not in page.text and "六位数字" in page.text
        replay = again.post("/login/second-factor", data={"form_token": token_of(page.text), "code": code})
        assert replay.status_code == 401 and "验证码错误或已被使用" in replay.text
        clock[0] += timedelta(seconds=30)
        fresh = totp.code_at(secret, clock[0])
        assert (
            again.post("/login/second-factor", data={"form_token": token_of(page.text), "code": fresh}).status_code
            == 200
        )
        assert again.get("/review").status_code == 200
    finally:
        accounts.require_second_factor(site.store, OPERATOR, "approver", False)


@pytest.mark.parametrize(
    "username, paths",
    [
        ("regulator", ["/", "/findings", "/lots/{lot}", "/lots", "/account", "/docs"]),
        ("reviewer", ["/review", "/review/{application}"]),
        ("firm", ["/portal"]),
        (None, ["/login"]),
    ],
)
def test_no_page_has_inline_script_or_style(site, username, paths):
    client = site.client(username)
    for path in paths:
        page = client.get(path.format(lot=site.lot, application=site.application))
        assert page.status_code == 200, path
        assert "script-src 'self'" in page.headers["content-security-policy"]
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S):
            assert "src=" in attributes and not body.strip(), path
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", page.text, re.I), path
