"""Triage and the enterprise portal in a real browser (Chromium through Playwright), in both
languages: an inspector assigns a finding to a colleague picked from a list, keeps a note
internal and writes a message to the enterprise, each confirmed after the page comes back; a
refused form keeps what was typed. The enterprise reads the message and never the note or the
assignee, files a license application from its portal, answers the reviewer's request for
information and withdraws it; its header links all lead somewhere it may go."""

from __future__ import annotations

from datetime import date

import pytest

from demo_site import PASSWORD
from reetrace.demo import review as demo_review
from reetrace.domain.accounts import Actor
from reetrace.errors import InvalidInput
from reetrace.services import accounts, applications, review
from reetrace.services.dashboard import today
from reetrace.services.triage import triaged_findings

pytestmark = pytest.mark.browser

NOTE = "内部：疑似虚假报关，核查前勿告知企业"
MESSAGE_EN = "Please send the weighbridge tickets of this shipment by the 10th."
OFFICER = "officer"  # the exporter's compliance officer
ASKER = "Portal Reviewer"
WATCHED = "watched"  # a user of the enterprise the finding is about


def english(page) -> None:
    page.click("a[lang=en]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"


@pytest.fixture(scope="module")
def finding(site) -> str:
    """An open finding on an enterprise, whose user `watched` reads its portal."""
    found = triaged_findings(site.store, site.settings, today(site.settings))
    chosen = next(f for f in found if f.finding.enterprise and not f.actions)
    try:
        accounts.add_user(site.store, WATCHED, PASSWORD, "enterprise", chosen.finding.enterprise)
    except InvalidInput:
        pass  # made by an earlier run of the module in this session
    return chosen.key


@pytest.fixture(scope="module")
def exporter(site) -> str:
    """The exporter of the site's application, with a user of its own and a reviewer to ask it
    for information."""
    stored, _ = applications.stored_application(site.store, site.application)
    try:
        accounts.add_user(site.store, OFFICER, PASSWORD, "enterprise", stored.exporter)
        review.add_official(site.store, ASKER, ["reviewer"], None)
    except InvalidInput:
        pass  # made by an earlier run of the module in this session
    return stored.exporter


def test_an_inspector_assigns_notes_and_writes_to_the_enterprise(site, login, screenshot, finding):
    key = finding
    page = login("inspector")
    page.goto(f"{site.url}/findings/{key}")
    assignees = page.locator("#triage-form select[name=assignee] option").all_inner_texts()
    assert assignees[:1] == ["—"] and "inspector (我)" in assignees and "regulator" in assignees
    assert not {"auditor", "reviewer", "firm", WATCHED, OFFICER} & set(assignees)  # only the users who triage
    # a refused form keeps what was typed
    page.select_option("#triage-form select[name=action]", "assign")
    page.fill("#triage-form textarea[name=note]", NOTE)
    page.click("#triage-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#triage-error").is_visible()
    assert page.input_value("#triage-form textarea[name=note]") == NOTE
    assert page.input_value("#triage-form select[name=action]") == "assign"
    page.select_option("#triage-form select[name=assignee]", "regulator")
    page.click("#triage-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(f"/findings/{key}?done=assign#triage")
    assert page.inner_text("p.flash") == "已分派该问题。"
    assert "承办人: regulator" in page.inner_text("main")
    screenshot(page, "assigned-zh")
    english(page)
    page.fill("#message-form textarea[name=note]", MESSAGE_EN)
    page.click("#message-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("p.flash") == "The message is sent to the enterprise."
    history = page.inner_text("ol.history")
    assert "message to the enterprise" in history and MESSAGE_EN in history and "internal" in history
    screenshot(page, "message-en")
    regulator = login("regulator")
    regulator.goto(f"{site.url}/findings?mine=1")
    assert regulator.locator(f"tr[data-key='{key}']").count() == 1
    assert regulator.is_checked("input[name=mine]")


def test_the_enterprise_reads_the_message_but_never_the_note(site, login, screenshot, finding):
    key = finding
    page = login(WATCHED)
    page.goto(site.url + "/portal")
    messages = page.inner_text("#messages")
    assert MESSAGE_EN in messages and NOTE not in page.content()
    page.click(f"#messages a[href='/findings/{key}']")
    page.wait_for_load_state()
    assert MESSAGE_EN in page.inner_text("#messages ~ ol.history")
    body = page.content()
    assert NOTE not in body and "regulator" not in body and "triage-form" not in body
    screenshot(page, "finding-seen-by-the-enterprise-zh")
    english(page)
    assert "Messages from the inspectors" in page.inner_text("main")
    for link in page.locator("header a[href^='/']").all():  # the logo, the nav, the account
        target = link.get_attribute("href")
        response = page.request.get(site.url + target)
        assert response.status == 200, target
    page.click("header a.brand")
    page.wait_for_load_state()
    assert page.url.endswith("/portal")
    missing = page.goto(f"{site.url}/findings/{'0' * 32}")
    assert missing.status == 404
    page.click("main a:has-text('Back to the start')")
    page.wait_for_load_state()
    assert page.url.endswith("/portal")


def test_the_enterprise_files_answers_and_withdraws_an_application(site, login, screenshot, exporter, tmp_path):
    stored, application = applications.stored_application(site.store, site.application)
    path = demo_review.write_application(
        tmp_path,
        "portal",
        exporter,
        [application.items[0].lot],
        ("Vogel GmbH", "DE"),
        "Magnets for servo motors in factory robots",
        date.today(),
    )
    page = login(OFFICER)
    assert page.url.endswith("/portal")
    page.set_input_files("form.file-application input[name=application]", str(path))
    page.set_input_files(
        "form.file-application input[name=documents]",
        [str(tmp_path / f"portal-{k}.txt") for k in ("end_user_certificate", "end_use_certificate")],
    )
    page.click("form.file-application button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#application-error").count() == 0, page.inner_text("#application-error")
    assert page.inner_text("p.flash") == "申请已提交。"
    number = page.url.rsplit("#application-", 1)[1]
    row = page.locator(f"#application-{number}")
    assert "已提交" in row.inner_text() and "尚未受理" in row.inner_text()
    screenshot(page, "filed-zh")
    for action in ("accept", "start", "request_info"):
        review.take_step(site.store, site.settings, number, action, ASKER, "请提供购销合同", actor=Actor.operator("t"))
    page.reload()
    english(page)
    row = page.locator(f"#application-{number}")
    assert "information requested" in row.inner_text() and "请提供购销合同" in row.inner_text()
    row.locator("textarea[name=note]").fill("The contract is attached.")
    row.locator("select[name=kind]").select_option("contract")
    contract = tmp_path / "contract.txt"
    contract.write_text("sales contract", encoding="utf-8")
    row.locator("input[name=documents]").set_input_files(str(contract))
    row.locator("form.answer button[type=submit]").click()
    page.wait_for_load_state()
    assert page.inner_text("p.flash") == "Your answer is sent; the review goes on."
    row = page.locator(f"#application-{number}")
    assert "under review" in row.inner_text() and "working days left" in row.inner_text()
    assert applications.application_view(site.store, site.settings, number)["state"] == "under_review"
    screenshot(page, "answered-en")
    page.click("a[lang=zh-Hans]")
    page.wait_for_load_state()
    row = page.locator(f"#application-{number}")
    row.locator("input[name=why]").fill("买方取消订单")
    row.locator("form.withdraw button[type=submit]").click()
    page.wait_for_load_state()
    assert page.inner_text("p.flash") == "申请已撤回。"
    row = page.locator(f"#application-{number}")
    assert "已撤回" in row.inner_text() and row.locator("form").count() == 0
    assert applications.application_view(site.store, site.settings, number)["state"] == "withdrawn"
    screenshot(page, "withdrawn-zh")
