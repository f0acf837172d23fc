"""The console as an inspector's office and an enterprise's compliance officer use it, on a live
server (SQLite, or PostgreSQL with REETRACE_TEST_DB): triage with internal notes, a message to
the enterprise, an assignee picked from the users who triage, "assigned to me", a confirmation
after each action and the input kept on error; the enterprise's portal with its applications
(filed, answered, withdrawn), the messages written to it and never the notes, and header links
that all lead somewhere it may go. Another enterprise's application reads as one that does not
exist."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from api_data import PASSWORD, application_request

from access_checks import changed_tables, entries_after, last_entry, store_state

INTERNAL = "内部：疑似虚假报关，核查前勿告知企业"
MESSAGE = "请补报 1 月 14 日的收货凭证。"


@contextmanager
def console(live, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=120, headers={"Origin": live.url}) as client:
        answer = client.post("/login", data={"username": username, "password": PASSWORD})
        assert answer.status_code == 303, answer.text
        yield client


def token(client: httpx.Client, page: str) -> str:
    found = re.search(r'name="form_token" value="(\w+)"', client.get(page).text)
    assert found, f"{page} must carry a form token"
    return found.group(1)


def trader_finding(live) -> str:
    with live.client("regulator") as client:
        return client.get("/api/findings", params={"enterprise": live.world.trader.uscc}).json()["items"][0]["key"]


def triage(client: httpx.Client, key: str, **form: str) -> httpx.Response:
    return client.post(f"/findings/{key}/triage", data={**form, "form_token": token(client, f"/findings/{key}")})


def application_files(exporter: str) -> list:
    request = application_request(exporter)
    return [
        ("application", ("application.json", json.dumps(request["application"]), "application/json")),
        ("documents", ("euc.pdf", b"end user certificate", "application/pdf")),
        ("documents", ("eu.pdf", b"end use certificate", "application/pdf")),
    ]


def file_from_portal(client: httpx.Client, exporter: str) -> str:
    answer = client.post(
        "/portal/applications", data={"form_token": token(client, "/portal")}, files=application_files(exporter)
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].startswith("/portal?done=filed#application-")
    return answer.headers["location"].rsplit("#application-", 1)[1]


def state_of(live, number: str) -> str:
    with live.client("regulator") as client:
        return client.get(f"/api/applications/{number}").json()["state"]


# -- triage -------------------------------------------------------------------------------------


def test_an_internal_note_and_the_assignee_never_reach_the_enterprise_but_a_message_does(seeded):
    key = trader_finding(seeded)
    with console(seeded, "inspector") as inspector:
        assert triage(inspector, key, action="assign", assignee="inspector", note=INTERNAL).status_code == 303
        assert triage(inspector, key, action="note", note=INTERNAL).status_code == 303
        assert triage(inspector, key, action="message", note=MESSAGE).status_code == 303
        staff_page = inspector.get(f"/findings/{key}").text
    assert INTERNAL in staff_page and MESSAGE in staff_page
    with console(seeded, "trader_user") as firm:
        page, portal = firm.get(f"/findings/{key}").text, firm.get("/portal").text
    for shown in (page, portal):
        assert MESSAGE in shown
        assert INTERNAL not in shown and "inspector ·" not in shown and "→ inspector" not in shown
    assert 'name="note"' not in page  # no triage form either
    with seeded.client("trader_user") as api:
        one = api.get(f"/api/findings/{key}").json()
        listed = api.get("/api/findings").json()["items"]
    assert [m["text"] for m in one["messages"]] == [MESSAGE]
    assert "actions" not in one and "assignee" not in one
    assert all("assignee" not in f for f in listed)
    assert INTERNAL not in json.dumps(one, ensure_ascii=False) + json.dumps(listed, ensure_ascii=False)
    with seeded.client("regulator") as api:  # staff read everything
        staff = api.get(f"/api/findings/{key}").json()
    assert staff["assignee"] == "inspector" and INTERNAL in [a["note"] for a in staff["actions"]]


def test_each_action_is_confirmed_after_a_redirect(seeded):
    key = trader_finding(seeded)
    with console(seeded, "regulator") as client:
        answer = triage(client, key, action="message", note="please call us")
        assert (answer.status_code, answer.headers["location"]) == (303, f"/findings/{key}?done=message#triage")
        client.cookies.set("reetrace_lang", "en")
        assert "The message is sent to the enterprise." in client.get(f"/findings/{key}?done=message").text
        page = client.get(f"/findings/{key}?done=<script>").text
        assert 'class="flash"' not in page and "<script>" not in page
        client.cookies.set("reetrace_lang", "zh-Hans")
        assert "消息已发送给企业。" in client.get(f"/findings/{key}?done=message").text


def test_a_refused_action_keeps_what_was_typed(seeded):
    key = trader_finding(seeded)
    typed = "内部：请核对 1 月 14 日的磅单 <b>"
    with console(seeded, "inspector") as client:
        before = store_state(seeded.store)
        answer = triage(client, key, action="assign", assignee="", note=typed)
        assert answer.status_code == 422
        assert changed_tables(before, store_state(seeded.store)) == set()
        assert 'id="triage-error"' in answer.text and 'id="message-error"' not in answer.text
        assert "内部：请核对 1 月 14 日的磅单 &lt;b&gt;</textarea>" in answer.text
        assert '<option value="assign" selected>' in answer.text
        nobody = triage(client, key, action="assign", assignee="auditor", note="take it")
        assert nobody.status_code == 422 and "auditor is not a user who triages" in nobody.text


def test_the_assignee_is_picked_from_the_users_who_triage_and_assigned_to_me_filters(seeded):
    key = trader_finding(seeded)
    with console(seeded, "regulator") as client:
        page = client.get(f"/findings/{key}").text
        options = re.findall(r'<option value="([^"]*)"', page.split('name="assignee"')[1].split("</select>")[0])
        assert options == ["", "inspector", "regulator"]  # not the auditor, reviewer or an enterprise's user
        assert triage(client, key, action="assign", assignee="regulator", note="mine now").status_code == 303
        mine = client.get("/findings", params={"mine": "1"}).text
        everything = client.get("/findings").text
    with console(seeded, "inspector") as client:
        theirs = client.get("/findings", params={"mine": "1"}).text
    assert f'data-key="{key}"' in mine and f'data-key="{key}"' in everything
    assert f'data-key="{key}"' not in theirs
    assert everything.count("data-key=") > mine.count("data-key=")


# -- the portal ---------------------------------------------------------------------------------


def test_every_header_link_leads_an_enterprise_user_somewhere_it_may_go(seeded):
    key = trader_finding(seeded)
    with console(seeded, "trader_user") as client:
        for page in ("/portal", "/findings", f"/findings/{key}", "/findings/0000", "/account"):
            html = client.get(page).text
            header = html.split("</header>")[0]
            links = set(re.findall(r'href="(/[^"]*)"', header)) - {"/static/reetrace.css"}
            if page == "/findings/0000":  # the error page's way back
                links |= set(re.findall(r'<p><a href="(/[^"]*)"', html.split("<main")[1]))
                assert 'href="/portal"' in html.split("<main")[1]
            assert 'class="brand" href="/portal"' in header
            for link in links:
                answer = client.get(link.replace("&amp;", "&"))
                assert answer.status_code in (200, 303), (page, link, answer.status_code)
    with console(seeded, "regulator") as client:  # staff's start is still the dashboard
        assert 'class="brand" href="/"' in client.get("/findings").text


def test_the_enterprise_files_answers_and_withdraws_its_applications(seeded):
    x = seeded.world.trader.uscc
    with console(seeded, "trader_user") as client:
        filed = file_from_portal(client, x)
        assert "申请已提交。" in client.get("/portal?done=filed").text
        row = client.get("/portal").text.split(f'id="application-{filed}"')[1].split("</tr>")[0]
        assert 'data-state="submitted"' in row and "尚未受理" in row and "/withdraw" in row
    if "asker" not in seeded.users:
        seeded.add_user("asker", "reviewer")
    with seeded.client("asker") as reviewer:
        for action in ("accept", "start", "request_info"):
            step = {"action": action, "why": "请提供合同原件"}
            assert reviewer.post(f"/api/applications/{filed}/steps", json=step).status_code == 201
    with console(seeded, "trader_user") as client:
        client.cookies.set("reetrace_lang", "en")
        row = client.get("/portal").text.split(f'id="application-{filed}"')[1].split("</tr>")[0]
        assert "information requested" in row and "请提供合同原件" in row and "/answer" in row
        empty = client.post(
            f"/portal/applications/{filed}/answer",
            data={"note": " ", "kind": "contract", "form_token": token(client, "/portal")},
        )
        assert empty.status_code == 422 and 'id="step-error"' in empty.text
        answer = client.post(
            f"/portal/applications/{filed}/answer",
            data={"note": "the contract is attached", "kind": "contract", "form_token": token(client, "/portal")},
            files=[("documents", ("contract.pdf", b"%PDF the contract", "application/pdf"))],
        )
        assert answer.status_code == 303 and state_of(seeded, filed) == "under_review"
        row = client.get("/portal").text.split(f'id="application-{filed}"')[1].split("</tr>")[0]
        assert "working days left" in row and "/answer" not in row
        gone = client.post(
            f"/portal/applications/{filed}/withdraw", data={"why": "cancelled", "form_token": token(client, "/portal")}
        )
        assert gone.status_code == 303 and state_of(seeded, filed) == "withdrawn"
        page = client.get("/portal?done=withdrawn").text
        assert "Your application is withdrawn." in page
        row = page.split(f'id="application-{filed}"')[1].split("</tr>")[0]
        assert "withdrawn" in row and "<form" not in row and "working days" not in row
        again = client.post(
            f"/portal/applications/{filed}/withdraw", data={"why": "", "form_token": token(client, "/portal")}
        )
        assert again.status_code == 422  # a closed application cannot be withdrawn again


def test_a_filing_that_fails_says_why_and_stores_nothing(seeded):
    x, a = seeded.world.trader.uscc, seeded.world.mine.uscc
    with console(seeded, "trader_user") as client:
        for files, status, says in (
            ([("application", ("a.json", b"{not json", "application/json"))], 422, "不是 JSON 文档"),
            (application_files(a), 403, "只能以本企业名义申请"),
            (application_files(x)[:2], 422, "eu.pdf"),  # a document it names is missing
        ):
            before = store_state(seeded.store)
            answer = client.post("/portal/applications", data={"form_token": token(client, "/portal")}, files=files)
            assert answer.status_code == status, answer.text
            assert 'id="application-error"' in answer.text and says in answer.text
            assert changed_tables(before, store_state(seeded.store)) <= {"access_log", "chain_links"}


def test_another_enterprises_application_reads_as_one_that_does_not_exist(seeded):
    x = seeded.world.trader.uscc
    with console(seeded, "trader_user") as client:
        theirs = file_from_portal(client, x)
    with console(seeded, "mine_user") as client:
        assert theirs not in client.get("/portal").text
        answers = {}
        for number in (theirs, "EA2026-999999"):
            for step, form in (("answer", {"note": "x", "kind": "other"}), ("withdraw", {"why": "x"})):
                before, last = store_state(seeded.store), last_entry(seeded.store)
                answer = client.post(
                    f"/portal/applications/{number}/{step}", data={**form, "form_token": token(client, "/portal")}
                )
                assert answer.status_code == 404
                answers[(number, step)] = answer.text.replace(number, "N")
                assert changed_tables(before, store_state(seeded.store)) <= {"access_log", "chain_links"}
                (entry,) = entries_after(seeded.store, last)
                assert (entry["action"], entry["username"]) == ("refused", "mine_user")
                assert entry["enterprise"] == (x if number == theirs else None)
    assert answers[(theirs, "answer")] == answers[("EA2026-999999", "answer")]
    assert answers[(theirs, "withdraw")] == answers[("EA2026-999999", "withdraw")]
    assert state_of(seeded, theirs) == "submitted"


def test_a_forged_portal_form_changes_nothing(seeded):
    x = seeded.world.trader.uscc
    with console(seeded, "trader_user") as client:
        number = file_from_portal(client, x)
        before = store_state(seeded.store)
        assert client.post(f"/portal/applications/{number}/withdraw", data={"form_token": "0"}).status_code == 403
        forged = client.post("/portal/applications", data={"form_token": "0"}, files=application_files(x))
        assert forged.status_code == 403
    with httpx.Client(base_url=seeded.url, headers={"Origin": "https://elsewhere.example"}) as other:
        other.cookies = client.cookies
        assert other.post(f"/portal/applications/{number}/withdraw", data={}).status_code == 403
    assert changed_tables(before, store_state(seeded.store)) <= {"access_log", "chain_links"}
    assert state_of(seeded, number) == "submitted"


def test_the_quota_chart_is_shown_only_to_an_enterprise_holding_a_quota(seeded):
    from factory import party
    from reetrace.services import registry

    newcomer = party(4, "trade")  # registered, with no quota
    registry.load_registry(seeded.store, {"format": "reetrace/registry@1", "enterprises": [newcomer.registry_entry()]})
    seeded.add_user("newcomer_user", "enterprise", newcomer.uscc)
    with console(seeded, "newcomer_user") as client:
        page = client.get("/portal").text
    assert 'id="quota"' not in page and "<svg" not in page
    assert 'id="applications"' in page and 'id="messages"' in page
    with console(seeded, "trader_user") as client:
        assert 'id="quota"' in client.get("/portal").text


def test_hostile_portal_forms_are_refused_with_a_reason_never_a_server_error(seeded):
    x = seeded.world.trader.uscc
    document = json.dumps(application_request(x)["application"])
    attached = [("documents", ("eu.pdf", b"end use certificate", "application/pdf"))]
    with console(seeded, "trader_user") as client:
        number = file_from_portal(client, x)
        for files in (
            [("application", ("a.json", b"[1, 2]", "application/json"))],
            [("application", ("a.json", b"\xff\xfe", "application/json"))],
            [("application", ("a.json", b"[" * 40 + b"]" * 40, "application/json"))],
            [("application", ("a.json", b"[" * 100_000 + b"]" * 100_000, "application/json"))],
            [("application", ("a.json", b'{"exporter": "' + x.encode() + b'", "items": 7}', "application/json"))],
            [("application", ("a.json", document, "application/json")), *attached]
            + [("documents", ("..", b"x", "application/pdf"))],
            [("application", ("a.json", document, "application/json")), *attached]
            + [("documents", ("证明.pdf", b"x", "application/pdf"))],
        ):
            before = store_state(seeded.store)
            answer = client.post("/portal/applications", data={"form_token": token(client, "/portal")}, files=files)
            assert 400 <= answer.status_code < 500, answer.text
            assert changed_tables(before, store_state(seeded.store)) <= {"access_log", "chain_links"}
        for step, form in (
            ("answer", {"note": "x" * 5001, "kind": "other"}),
            ("answer", {"note": "ok", "kind": "passport"}),  # not yet asked, and no such kind
            ("withdraw", {"why": "x" * 5001}),
        ):
            before = store_state(seeded.store)
            answer = client.post(
                f"/portal/applications/{number}/{step}", data={**form, "form_token": token(client, "/portal")}
            )
            assert answer.status_code == 422, answer.text
            assert 'id="step-error"' in answer.text
            assert changed_tables(before, store_state(seeded.store)) <= {"access_log", "chain_links"}
        # a path for a file name is reduced to its last part, as a browser sends it
        traversal = [("documents", ("../../etc/euc.pdf", b"end user certificate", "application/pdf"))]
        filed = client.post(
            "/portal/applications",
            data={"form_token": token(client, "/portal")},
            files=[("application", ("a.json", document, "application/json")), *attached, *traversal],
        )
        assert filed.status_code == 303
        with seeded.client("regulator") as api:
            kept = api.get(f"/api/applications/{filed.headers['location'].rsplit('#application-', 1)[1]}").json()
        assert sorted(d["filename"] for d in kept["documents"]) == ["eu.pdf", "euc.pdf"]
        long = client.post(f"/portal/applications/{'E' * 5000}/withdraw", data={"form_token": token(client, "/portal")})
        assert long.status_code == 404
    assert state_of(seeded, number) == "submitted"
