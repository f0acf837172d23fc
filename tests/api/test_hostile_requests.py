"""Whatever a request holds, every route answers 4xx, never 5xx: bodies beyond 64 MiB or nested
past 32 levels, U+0000 in the address or a form, text Unicode cannot encode, numbers out of any
range, days and years no calendar view holds, malformed multipart; on SQLite and PostgreSQL.
Each guard has its attack and a near miss that still goes through."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

import pytest
from api_data import PASSWORD, application_request, chain
from fastapi.testclient import TestClient

from factory import World
from reetrace.api.app import create_app
from reetrace.config import Settings
from reetrace.domain.submissions import MAX_BYTES
from reetrace.services import accounts, registry
from reetrace.store.database import open_store

HOSTILE_VALUES = [
    "",
    "-1",
    "99999999999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "1e400",
    "2026-13-45",
    "%F0%9F%98%80",
    "%ED%A0%80",  # a surrogate's UTF-8 form
    "a" * 5000,
    "null",
    "%00",
]


@pytest.fixture(scope="module")
def app(module_store_url, tmp_path_factory) -> Iterator[object]:
    settings = Settings(db_url=module_store_url, log_key_dir=tmp_path_factory.mktemp("logkeys"))
    store = open_store(module_store_url)
    world = World()
    registry.load_registry(store, world.registry())
    app = create_app(settings, store, session_secret=b"s" * 32)
    app.state.world = world
    app.state.tokens = {}
    for username, role, party in (
        ("regulator", "regulator", None),
        ("mine_user", "enterprise", world.mine),
        ("plant_user", "enterprise", world.plant),
        ("trader_user", "enterprise", world.trader),
    ):
        accounts.add_user(store, username, PASSWORD, role, party.uscc if party else None)
        app.state.tokens[username] = accounts.issue_token(store, username, "tests")[1]
    client = TestClient(app)
    for name, doc in chain(world).items():
        answer = client.post("/api/submissions", content=json.dumps(doc), headers=bearer(app, f"{name}_user"))
        assert answer.status_code == 201, answer.text
    answer = client.post(
        "/api/applications", json=application_request(world.trader.uscc), headers=bearer(app, "trader_user")
    )
    assert answer.status_code == 201, answer.text
    yield app
    store.dispose()


def bearer(app, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.state.tokens[username]}"}


def client(app, address: str = "testclient") -> TestClient:
    # a crash fails the test with its traceback; a browser on the site itself sends the site's Origin.
    # `address`: where it comes from (failed logins are throttled per address, and this module
    # sends many)
    return TestClient(
        app, raise_server_exceptions=True, headers={"Origin": "http://testserver"}, client=(address, 50000)
    )


def test_hostile_query_and_path_values_on_every_get_operation(app):
    c = client(app)
    schema = c.get("/openapi.json", headers=bearer(app, "regulator")).json()  # for staff only
    known = {"lot": "C1", "event": f"{app.state.world.mine.uscc}:m1", "uscc": app.state.world.mine.uscc, "year": "2026"}
    asked = 0
    for path, operations in schema["paths"].items():
        parameters = operations.get("get", {}).get("parameters", [])
        for parameter, value in itertools.product(parameters, HOSTILE_VALUES):
            url, query = path, []
            for p in parameters:
                given = value if p is parameter else known.get(p["name"], "x")
                if p["in"] == "path":
                    url = url.replace("{" + p["name"] + "}", given)
                elif p is parameter:
                    query.append(f"{p['name']}={given}")
            answer = c.get(url + ("?" + "&".join(query) if query else ""), headers=bearer(app, "regulator"))
            assert answer.status_code < 500, (url, query, answer.text[:200])
            asked += 1
    assert asked > 200


def test_hostile_query_values_on_the_pages(app):
    c = client(app)
    assert c.post("/login", data={"username": "regulator", "password": PASSWORD}, follow_redirects=False).is_redirect
    for page, name, value in itertools.product(
        ["/", "/findings", "/lots", "/review", "/lots/C1", "/login"],
        ["year", "as_of", "code", "q", "next"],
        HOSTILE_VALUES,
    ):
        answer = c.get(f"{page}?{name}={value}")
        assert answer.status_code < 500, (page, name, value)


JSON = {"content-type": "application/json"}
BODIES = [
    (b"[" * 1000 + b"]" * 1000, JSON),
    (b"[" * 200_000, JSON),
    (b"\xff\xfe{\x00}\x00", JSON),
    (b'{"a": 1e400}', JSON),
    (b'"\\u0000"', JSON),
    (b'{"a": "\\ud800"}', JSON),
    (b"x,y\n\x00,1\n", {"content-type": "text/csv"}),
    (
        b'--x\r\nContent-Disposition: form-data; name="note"\r\n\r\n\x00\r\n--x--\r\n',
        {"content-type": "multipart/form-data; boundary=x"},
    ),
    (b"garbage", {"content-type": "multipart/form-data; boundary=x"}),
    (b"garbage", {"content-type": "multipart/form-data"}),
    (b"note=%00&why=%ff%fe", {"content-type": "application/x-www-form-urlencoded"}),
    (b"", {}),
]


def hostile_documents(doc) -> Iterator[object]:
    """The document with each member, at every depth, replaced by something hostile."""
    hostile = ("\u0000", "\ud800", "x" * 100_000, 10**30, 1e308, -1, None, [], {}, "9999-12-31", "0001-01-01")

    def walk(value) -> Iterator[object]:
        if isinstance(value, dict):
            for key, member in value.items():
                for replacement in hostile:
                    yield {**value, key: replacement}
                for changed in walk(member):
                    yield {**value, key: changed}
        elif isinstance(value, list) and value:
            for changed in walk(value[0]):
                yield [changed, *value[1:]]

    yield from walk(doc)


def test_hostile_bodies_on_every_write_operation(app):
    c = client(app)
    world = app.state.world
    documents = {
        "/api/registry": world.registry(),
        "/api/applications": application_request(world.trader.uscc),
        "/api/session": {"username": "regulator", "password": "x"},
    }
    schema = c.get("/openapi.json", headers=bearer(app, "regulator")).json()  # for staff only
    asked = 0
    for path, operations in schema["paths"].items():
        for method in set(operations) & {"post", "put", "delete", "patch"}:
            url = path.replace("{key}", "x").replace("{number}", "x").replace("{ref}", "x").replace("{name}", "lst")
            bodies = list(BODIES)
            if path in documents:
                bodies += [
                    (json.dumps(d).encode(), JSON) for d in itertools.islice(hostile_documents(documents[path]), 300)
                ]
            for username in ("regulator", "trader_user"):
                for body, headers in bodies:
                    answer = c.request(method.upper(), url, content=body, headers={**headers, **bearer(app, username)})
                    assert answer.status_code < 500, (method, url, body[:80], answer.text[:200])
                    asked += 1
    assert asked > 500


PORTAL_FORMS = ("/portal/applications", "/portal/applications/x/answer", "/portal/applications/x/withdraw")


@pytest.mark.parametrize("username", ["regulator", "trader_user"])
def test_hostile_bodies_on_the_pages(app, username):
    c = client(app)
    c.post("/login", data={"username": username, "password": PASSWORD})
    for page in ("/login", "/logout", "/findings/x/triage", "/review/x/step", "/portal/submissions", *PORTAL_FORMS):
        for body, headers in BODIES:
            assert c.post(page, content=body, headers=headers).status_code < 500, (page, body[:60])
        c.post("/login", data={"username": username, "password": PASSWORD})  # again, after /logout


# --- each guard: the attack refused, the near miss through -----------------------------------------


def test_a_body_beyond_64_mib_is_refused_unread(app):
    c = client(app)
    answer = c.post(
        "/api/registry",
        content=b"{}",
        headers={**JSON, **bearer(app, "regulator"), "content-length": str(MAX_BYTES + 1)},
    )
    assert answer.status_code == 413 and answer.json()["error"]["type"] == "too_large"
    streamed = c.post(
        "/api/registry", content=iter([b" " * (1 << 20)] * 65), headers={**JSON, **bearer(app, "regulator")}
    )  # no length given: counted as it comes
    assert streamed.status_code == 413


def test_json_nested_32_levels_reaches_the_route_and_33_do_not(app):
    c = client(app)
    near = b'{"a":' * 31 + b"1" + b"}" * 31 + b""
    deep = b'{"a":' * 33 + b"1" + b"}" * 33
    headers = {**JSON, **bearer(app, "regulator")}
    refused = c.post("/api/registry", content=deep, headers=headers)
    assert refused.status_code == 422 and "32 levels" in refused.json()["error"]["message"]
    reached = c.post("/api/registry", content=near, headers=headers)
    assert reached.status_code != 422 or "32 levels" not in reached.text  # the route's own verdict


def test_u0000_in_the_address_or_a_form_is_refused(app):
    c = client(app)
    assert c.get("/api/lots/C%001", headers=bearer(app, "regulator")).status_code == 400
    assert c.get("/api/findings?code=%00", headers=bearer(app, "regulator")).status_code == 400
    assert c.get("/api/findings?code=%01", headers=bearer(app, "regulator")).status_code == 200
    form = {"content-type": "application/x-www-form-urlencoded"}
    assert c.post("/login", content=b"username=a%00&password=b", headers=form).status_code == 400
    # a login like any other: refused for its password (or, after this module's many, throttled)
    assert c.post("/login", content=b"username=a%01&password=b", headers=form).status_code in (401, 429)


def test_text_unicode_cannot_encode_is_refused(app):
    c = client(app)
    doc = application_request(app.state.world.trader.uscc)
    doc["application"]["end_use"] = "\ud800"
    answer = c.post("/api/applications", content=json.dumps(doc), headers={**JSON, **bearer(app, "trader_user")})
    assert answer.status_code == 422


def test_an_oversized_upload_is_read_past_and_recorded(app):
    """The portal's upload streams its file too: beyond 64 MiB it is a `schema` rejection kept
    with the file's digest and size, shown on the page; the file itself is not kept."""
    import hashlib

    from sqlalchemy import select

    from reetrace.store import tables as t

    c = client(app, "192.0.2.7")  # a browser of its own, not throttled by the other tests' failed logins
    c.post("/login", data={"username": "mine_user", "password": PASSWORD})
    token = c.get("/portal").text.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    big = b"{" + b" " * (MAX_BYTES + 10)
    answer = c.post(
        "/portal/submissions", data={"form_token": token}, files={"submission": ("big.json", big, "application/json")}
    )
    assert answer.status_code == 422 and "收到 67,108,875 字节" in answer.text  # said in the reader's language
    store = app.state.store
    with store.reading() as conn:
        kept = conn.execute(select(t.rejections).order_by(t.rejections.c.id.desc()).limit(1)).one()
    assert (kept.source, kept.size, kept.raw) == (f"portal/{app.state.world.mine.uscc}/big.json", len(big), None)
    assert kept.digest == hashlib.sha256(big).hexdigest() and kept.reason_class == "schema"
