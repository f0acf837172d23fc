"""The enterprise's EPCIS capture jobs in a real browser, in both languages: a document its ERP
captured and one refused, with the refusal's reason in words and where in the document it is;
the page has no serious accessibility violation."""

from __future__ import annotations

import json
from datetime import datetime

import httpx
import pytest
from sqlalchemy import text
from test_accessibility import grave_violations

from demo_site import PASSWORD
from epcis_capture import body, detached_jws, document
from reetrace.demo.cast import signing_key
from reetrace.errors import InvalidInput
from reetrace.services import accounts

pytestmark = pytest.mark.browser

ERP = "firm_erp"


def _adjust(event_id: str, lot: str) -> dict:
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    return {"event_id": event_id, "type": "adjust", "time": now, "lot": lot, "delta_kg": -1.5, "reason": "盘点"}


@pytest.fixture(scope="module")
def captured(site) -> dict[str, str]:
    """Two captures of the firm's ERP: one recorded (nothing new in it), one refused at its
    event's time offset."""
    try:
        accounts.add_user(site.store, ERP, None, "capture", site.mine)
    except InvalidInput:
        pass  # made by an earlier run of the module in this session
    token = accounts.issue_token(site.store, ERP, "ERP")[1]
    key = signing_key(13, site.mine)
    # an event the firm reported already: captured again, it is recorded as nothing new, so the
    # shared site's ledger (which the other browser tests read) stays as it was
    with site.store.reading() as conn:
        stored = conn.execute(
            text("SELECT body FROM events WHERE reporter = :r ORDER BY seq LIMIT 1"), {"r": site.mine}
        )
        known = json.loads(stored.scalar_one())
    good = body(document(site.mine, [known], datetime.now().astimezone()))
    bad_doc = document(site.mine, [_adjust("browser-capture-2", site.lot)], datetime.now().astimezone())
    bad_doc["epcisBody"]["eventList"][0]["eventTimeZoneOffset"] = "+8h"
    bad = body(bad_doc)
    answers = {}
    with httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {token}"}) as client:
        for name, raw in (("good", good), ("bad", bad)):
            sent = client.post(
                "/epcis/capture",
                content=raw,
                headers={"Content-Type": "application/ld+json", "JWS-Signature": detached_jws(key, raw)},
            )
            assert sent.status_code == 202, sent.text
            answers[name] = sent.headers["Location"].rsplit("/", 1)[1]
    return answers


@pytest.fixture
def page(site, browser):
    """The firm's user logged in, in a context that lets axe be injected (it bypasses the CSP)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.goto(site.url + "/login")
    page.fill("input[name=username]", "firm")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url
    yield page
    context.close()


def test_the_portal_shows_what_was_captured_and_what_was_refused_and_where(site, page, screenshot, captured):
    page.goto(site.url + "/portal/captures")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    good, bad = (page.locator(f"tr[data-id='{captured[k]}']") for k in ("good", "bad"))
    assert "✓" in good.inner_text() and "✗" in bad.inner_text()
    error = bad.locator(".capture-error")
    assert error.locator("code").inner_text() == "/epcisBody/eventList/0/eventTimeZoneOffset"
    assert "+8h" in error.inner_text()
    chinese = error.inner_text()
    assert grave_violations(page) == []
    screenshot(page, "zh")
    page.click("a[lang=en]")
    page.wait_for_load_state()
    error = page.locator(f"tr[data-id='{captured['bad']}'] .capture-error")
    assert error.inner_text() != chinese
    assert "does not keep to the EPCIS 2.0 JSON Schema" in error.inner_text()
    assert grave_violations(page) == []
    screenshot(page, "en")
