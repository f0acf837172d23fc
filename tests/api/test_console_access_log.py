"""The access log through the console (the pages, on the same live server as the API): every
page that shows staff an enterprise's data, or all of them, leaves one read entry with the
filter asked for; every form that changes the store leaves exactly its entry, through the
console, from the browser's address; an enterprise's attempt at another's finding is refused and
written down. The tables must cover every page the app serves."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from api_data import PASSWORD, application_request

import totp
from access_checks import Entry, assert_entries, changed_tables, entries_after, last_entry, served_routes, store_state
from factory import extract
from reetrace.domain.accounts import Actor
from reetrace.services import accounts


@contextmanager
def console(live, username: str | None) -> Iterator[httpx.Client]:
    """A browser's session: logged in through the login form (`username` None: not logged in)."""
    with httpx.Client(base_url=live.url, timeout=120, headers={"Origin": live.url}) as client:
        if username is not None:
            answer = client.post("/login", data={"username": username, "password": PASSWORD})
            assert answer.status_code == 303, answer.text
        yield client


def form_token(client: httpx.Client, page: str = "/findings") -> str:
    found = re.search(r'name="form_token" value="(\w+)"', client.get(page).text)
    assert found, "the page must carry a form token"
    return found.group(1)


def trader_finding(live) -> str:
    with live.client("regulator") as client:
        return client.get("/api/findings", params={"enterprise": live.world.trader.uscc}).json()["items"][0]["key"]


def trader_application(live) -> str:
    with live.client("regulator") as client:
        params = {"exporter": live.world.trader.uscc, "state": "submitted"}  # one a reviewer may accept
        return client.get("/api/applications", params=params).json()["items"][0]["number"]


def trader_files(live) -> str:
    """A new application of the trader's, filed through the API: its number."""
    with live.client("trader_user") as client:
        answer = client.post("/api/applications", json=application_request(live.world.trader.uscc))
    assert answer.status_code == 201, answer.text
    return answer.json()["number"]


def trader_asked(live) -> str:
    """A new application of the trader's on which a reviewer asked for information: its number."""
    number = trader_files(live)
    if "asker" not in live.users:  # a reviewer of its own: the review form's test registers "reviewer"
        live.add_user("asker", "reviewer")
    with live.client("asker") as client:
        for action in ("accept", "start", "request_info"):
            step = client.post(f"/api/applications/{number}/steps", json={"action": action, "why": "the contract"})
            assert step.status_code == 201, step.text
    return number


def _x(lv) -> str:
    return lv.world.trader.uscc


def _plant(lv) -> str:
    return lv.world.plant.uscc


# -- reads --------------------------------------------------------------------------------------


@dataclass
class PageRead:
    """A page read by `who`: its path, the query string (the filter the entry must carry) and
    whose data it shows (None: not one enterprise's)."""

    who: str
    path: Callable[[Any], str]
    query: str = ""
    enterprise: Callable[[Any], str | None] = field(default=lambda lv: None)


PAGE_READS: dict[tuple[str, str], PageRead | None] = {
    ("GET", "/"): PageRead("regulator", lambda lv: "/", "year=2026"),
    ("GET", "/findings"): PageRead("inspector", lambda lv: "/findings", "severity=high&year=2026"),
    ("GET", "/findings/{key}"): PageRead("inspector", lambda lv: f"/findings/{trader_finding(lv)}", "", _x),
    ("GET", "/lots/{lot}"): PageRead("auditor", lambda lv: "/lots/DYO-1", "", _plant),
    ("GET", "/lots/{lot}/certificate"): PageRead("auditor", lambda lv: "/lots/DYO-1/certificate", "", _plant),
    ("GET", "/lots/{lot}/certificate/print"): PageRead(
        "auditor", lambda lv: "/lots/DYO-1/certificate/print", "", _plant
    ),
    ("GET", "/review"): PageRead("approver", lambda lv: "/review", "state=submitted"),
    ("GET", "/review/{number}"): PageRead("approver", lambda lv: f"/review/{trader_application(lv)}", "", _x),
    ("GET", "/lots"): PageRead("auditor", lambda lv: "/lots", "form=oxide&q=DY"),
    ("GET", "/audit"): PageRead("auditor", lambda lv: "/audit"),
    ("GET", "/risk"): PageRead("inspector", lambda lv: "/risk", "month=2026-01&sort=month"),
    ("GET", "/audit/access-log"): PageRead("auditor", lambda lv: "/audit/access-log", "user=inspector&from=2026-01-01"),
    # no one's data: forms, the language switch, the API's own documentation
    ("GET", "/certificates/print.css"): None,  # the printable certificate's style sheet
    ("GET", "/login"): None,
    ("GET", "/login/second-factor"): None,
    ("GET", "/account"): None,  # one's own account
    ("GET", "/language/{language}"): None,
    ("GET", "/docs"): None,
    ("GET", "/openapi.json"): None,
    ("GET", "/portal"): None,  # an enterprise's own data: not written down (test below)
    ("GET", "/portal/submissions"): None,  # the same
    ("GET", "/portal/rejections"): None,  # the same
    ("GET", "/portal/captures"): None,  # the same
    # public: what a provenance credential states, for anyone, signed in or not (a buyer's phone);
    # nothing of an enterprise's beyond what the credential itself, public too, holds
    ("GET", "/verify"): None,  # the form to check a credential file
    ("GET", "/verify/{credential_id}"): None,
    ("GET", "/01/{gtin}/10/{lot}"): None,  # a lot's URI: its credential's verify page, or its linkset
    ("GET", "/.well-known/did.json"): None,  # what checking a credential needs: the issuer's keys,
    ("GET", "/.well-known/gs1resolver"): None,  # the resolver's description,
    ("GET", "/contexts/provenance/v1"): None,  # the JSON-LD context,
    ("GET", "/credentials/status/{number}"): None,  # the revocation lists,
    ("GET", "/credentials/{credential_id}"): None,  # and a credential as issued
}


@pytest.mark.parametrize(
    "route", sorted(r for r, read in PAGE_READS.items() if read is not None), ids=lambda r: f"{r[0]} {r[1]}"
)
def test_every_page_staff_read_leaves_an_entry_with_its_filter(seeded, route):
    read = PAGE_READS[route]
    assert read is not None
    path, enterprise = read.path(seeded), read.enterprise(seeded)
    with console(seeded, read.who) as client:
        last = last_entry(seeded.store)
        answer = client.get(path + (f"?{read.query}" if read.query else ""))
    assert answer.status_code == 200, answer.text
    rows = entries_after(seeded.store, last)
    assert_entries(
        rows,
        [Entry("read", f"GET {path}", enterprise)],
        channel="console",
        username=read.who,
        role=read.who,
        client="127.0.0.1",
        os_user=None,
    )
    assert rows[0]["detail"] == (read.query or None)


def test_a_findings_list_filtered_to_one_enterprise_names_it(seeded):
    x = _x(seeded)
    with console(seeded, "inspector") as client:
        last = last_entry(seeded.store)
        assert client.get("/findings", params={"enterprise": x}).status_code == 200
    (row,) = entries_after(seeded.store, last)
    assert (row["enterprise"], row["detail"]) == (x, f"enterprise={x}")


def test_an_enterprise_reading_its_own_pages_leaves_no_entry(seeded):
    with console(seeded, "trader_user") as client:
        last = last_entry(seeded.store)
        assert client.get("/portal").status_code == 200
        assert client.get("/portal/submissions", params={"export": "csv"}).status_code == 200
        assert client.get("/portal/rejections").status_code == 200
        assert client.get("/portal/captures", params={"export": "xlsx"}).status_code == 200
        assert client.get("/findings").status_code == 200
        assert client.get(f"/findings/{trader_finding(seeded)}").status_code == 200
    assert [r for r in entries_after(seeded.store, last) if r["username"] == "trader_user"] == []


def test_an_enterprises_attempt_at_another_enterprises_finding_is_refused_and_logged(seeded):
    key = trader_finding(seeded)
    with console(seeded, "mine_user") as client:
        last = last_entry(seeded.store)
        assert client.get(f"/findings/{key}").status_code == 404  # the same as a finding that does not exist
    assert_entries(
        entries_after(seeded.store, last),
        [Entry("refused", f"GET /findings/{key}", _x(seeded))],
        channel="console",
        username="mine_user",
    )


# -- changes ------------------------------------------------------------------------------------


@dataclass
class PageChange:
    """A form that changes the store, sent by `who` (logged in, or None), and its entries."""

    who: str
    path: Callable[[Any], str]
    form: Callable[[Any, str], dict[str, Any]]
    entries: Callable[[Any], list[Entry]]
    status: int = 303
    logged_in: bool = True
    # before the form: what a person does first (e.g. give a password), and the page that
    # carries the form's token (None: the form needs none)
    prepare: Callable[[Any, httpx.Client], None] = field(default=lambda lv, client: None)
    token_page: str | None = "/findings"


PAGE_CHANGES: dict[tuple[str, str], PageChange] = {
    ("POST", "/findings/{key}/triage"): PageChange(
        "regulator",
        lambda lv: f"/findings/{trader_finding(lv)}/triage",
        lambda lv, token: {"data": {"action": "assign", "assignee": "inspector", "note": "visit", "form_token": token}},
        lambda lv: [Entry("change", "triage assign", _x(lv))],
    ),
    ("POST", "/review/{number}/step"): PageChange(
        "reviewer",
        lambda lv: f"/review/{trader_application(lv)}/step",
        lambda lv, token: {"data": {"action": "accept", "why": "complete", "form_token": token}},
        # the reviewer's first step registers the official they act as
        lambda lv: [Entry("change", "official add", None), Entry("change", "review accept", _x(lv))],
    ),
    # the submission work's upload: its entry, whatever it names it
    ("POST", "/portal/submissions"): PageChange(
        "trader_user",
        lambda lv: "/portal/submissions",
        lambda lv, token: {
            "data": {"form_token": token},
            "files": {"submission": ("march.json", portal_submission(lv), "application/json")},
        },
        lambda lv: [Entry(None, None, _x(lv))],
        status=200,
    ),
    ("POST", "/portal/applications"): PageChange(
        "trader_user",
        lambda lv: "/portal/applications",
        lambda lv, token: {
            "data": {"form_token": token},
            "files": [
                (
                    "application",
                    ("application.json", json.dumps(application_request(_x(lv))["application"]), "application/json"),
                ),
                ("documents", ("euc.pdf", b"end user certificate", "application/pdf")),
                ("documents", ("eu.pdf", b"end use certificate", "application/pdf")),
            ],
        },
        lambda lv: [Entry("change", None, _x(lv))],
        token_page="/portal",
    ),
    ("POST", "/portal/applications/{number}/answer"): PageChange(
        "trader_user",
        lambda lv: f"/portal/applications/{trader_asked(lv)}/answer",
        lambda lv, token: {
            "data": {"note": "the contract is attached", "kind": "contract", "form_token": token},
            "files": [("documents", ("contract.pdf", b"the contract", "application/pdf"))],
        },
        lambda lv: [Entry("change", None, _x(lv))],
        token_page="/portal",
    ),
    ("POST", "/portal/applications/{number}/withdraw"): PageChange(
        "trader_user",
        lambda lv: f"/portal/applications/{trader_files(lv)}/withdraw",
        lambda lv, token: {"data": {"why": "the buyer cancelled", "form_token": token}},
        lambda lv: [Entry("change", "review withdraw", _x(lv))],
        token_page="/portal",
    ),
    ("POST", "/login"): PageChange(
        "auditor",
        lambda lv: "/login",
        lambda lv, token: {"data": {"username": "auditor", "password": PASSWORD}},
        lambda lv: [Entry("login", None, None)],
        logged_in=False,
        token_page=None,
    ),
    ("POST", "/login/second-factor"): PageChange(
        "code_holder",
        lambda lv: "/login/second-factor",
        lambda lv, token: {"data": {"code": totp.code_at(code_holder(lv), datetime.now(UTC)), "form_token": token}},
        lambda lv: [Entry("login", None, None)],
        logged_in=False,
        prepare=lambda lv, client: _password_step(client, "code_holder"),
        token_page="/login/second-factor",
    ),
    ("POST", "/account/password"): PageChange(
        "auditor",
        lambda lv: "/account/password",
        # the same password again: the module's other tests log in with it
        lambda lv, token: {
            "data": {"current_password": PASSWORD, "new_password": PASSWORD, "repeated": PASSWORD, "form_token": token}
        },
        lambda lv: [Entry("change", "account password auditor", None)],
    ),
    ("POST", "/account/second-factor"): PageChange(
        "enrollee",
        lambda lv: "/account/second-factor",
        lambda lv, token: {"data": {**lv.enrolment, "form_token": token}},
        lambda lv: [Entry("change", None, None)],
        status=200,
        prepare=lambda lv, client: _enrolment_form(lv, client),
        token_page="/account",
    ),
    ("POST", "/lots/{lot}/credentials"): PageChange(
        "regulator",
        lambda lv: "/lots/DYO-1/credentials",
        lambda lv, token: {"data": {"securing": "di", "form_token": token}},
        lambda lv: [Entry("change", "credential issue", lv.world.plant.uscc)],
    ),
    ("POST", "/logout"): PageChange(
        "auditor",
        lambda lv: "/logout",
        lambda lv, token: {"data": {"form_token": token}},
        lambda lv: [Entry("logout", None, None)],
    ),
}


def code_holder(live) -> str:
    """A staff user with a second factor (made once): its secret."""
    if getattr(live, "code_holder_secret", None) is None:
        live.add_user("code_holder", "inspector")
        live.code_holder_secret = accounts.reset_second_factor(
            live.store, Actor.operator("tests"), "code_holder", enrol=True
        )
    return live.code_holder_secret


def _password_step(client: httpx.Client, username: str) -> None:
    code_holder_answer = client.post("/login", data={"username": username, "password": PASSWORD})
    assert code_holder_answer.status_code == 303 and "second-factor" in code_holder_answer.headers["location"]


def _enrolment_form(live, client: httpx.Client) -> None:
    """The enrollee's account page offers a secret to enrol: the form is filled as an
    authenticator app would, with the code for now."""
    page = client.get("/account").text
    secret = re.search(r'name="secret" value="(\w+)"', page)
    seal = re.search(r'name="seal" value="([^"]+)"', page)
    assert secret and seal, "the account page must offer a second factor to enrol"
    live.enrolment = {
        "secret": secret.group(1),
        "seal": seal.group(1),
        "code": totp.code_at(secret.group(1), datetime.now(UTC)),
    }


def portal_submission(live) -> bytes:
    return json.dumps(
        live.world.trader.submit([extract("con-1", "CON-1", 3)], created_at="2026-03-09T10:00:00+08:00")
    ).encode()


# forms that change nothing, and why they leave no entry
PAGE_POSTS_THAT_CHANGE_NOTHING = {
    ("POST", "/verify"): "checks a credential file anyone holds against the issuer's keys; nothing is kept",
}


def test_every_page_is_in_a_table(seeded):
    served = {r for r in served_routes(seeded.app) if not r[1].startswith(("/api/", "/epcis/"))}  # the API's elsewhere
    assert sorted({r for r in served if r[0] == "GET"} ^ set(PAGE_READS)) == []
    assert (
        sorted({r for r in served if r[0] != "GET"} ^ (set(PAGE_CHANGES) | set(PAGE_POSTS_THAT_CHANGE_NOTHING))) == []
    )


def test_checking_a_credential_file_changes_nothing_and_leaves_no_entry(seeded):
    with console(seeded, "regulator") as client:
        before, last = store_state(seeded.store), last_entry(seeded.store)
        answer = client.post("/verify", files={"credential": ("c.json", b'{"proof": {}}', "application/json")})
    assert answer.status_code == 422
    assert not changed_tables(before, store_state(seeded.store))
    assert entries_after(seeded.store, last) == []


# the same routes as above, sent with other forms
MORE_CHANGES: dict[str, PageChange] = {
    "a message to the enterprise": PageChange(
        "inspector",
        lambda lv: f"/findings/{trader_finding(lv)}/triage",
        lambda lv, token: {"data": {"action": "message", "note": "please report the receipt", "form_token": token}},
        lambda lv: [Entry("change", "triage message", _x(lv))],
    ),
}


@pytest.mark.parametrize("route", [pytest.param(r, id=f"{r[0]} {r[1]}") for r in sorted(PAGE_CHANGES)])
def test_every_form_that_changes_the_store_leaves_its_entry(seeded, route):
    check_change(seeded, PAGE_CHANGES[route])


@pytest.mark.parametrize("name", sorted(MORE_CHANGES))
def test_other_forms_of_a_route_leave_their_entries(seeded, name):
    check_change(seeded, MORE_CHANGES[name])


def check_change(seeded, change: PageChange) -> None:
    path = change.path(seeded)
    if change.who == "code_holder":
        code_holder(seeded)
    if change.who == "enrollee" and "enrollee" not in seeded.users:
        seeded.add_user("enrollee", "auditor")
    with console(seeded, change.who if change.logged_in else None) as client:
        change.prepare(seeded, client)
        token = form_token(client, change.token_page) if change.token_page else ""
        request = change.form(seeded, token)
        before, last = store_state(seeded.store), last_entry(seeded.store)
        answer = client.post(path, **request)
    assert answer.status_code == change.status, answer.text
    assert changed_tables(before, store_state(seeded.store)), "the form must have changed something"
    rows = [r for r in entries_after(seeded.store, last) if r["action"] != "read"]  # a page shown again is a read
    assert_entries(
        rows,
        change.entries(seeded),
        channel="console",
        username=change.who,
        role=seeded.users[change.who][0],
        client="127.0.0.1",
        os_user=None,
    )


def test_a_forged_form_changes_nothing_and_is_no_change(seeded):
    key = trader_finding(seeded)
    with console(seeded, "regulator") as client:
        before, last = store_state(seeded.store), last_entry(seeded.store)
        answer = client.post(f"/findings/{key}/triage", data={"action": "dismiss", "note": "x", "form_token": "0"})
    assert answer.status_code == 403
    assert changed_tables(before, store_state(seeded.store)) == set()
    assert [r["action"] for r in entries_after(seeded.store, last) if r["action"] == "change"] == []
