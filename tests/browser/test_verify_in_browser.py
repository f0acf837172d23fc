"""The verify page on a phone held upright (390 × 844, a phone's user agent, nobody signed in),
in Chinese and in English as the phone's language asks: a valid credential and a revoked one
read as such, nothing is wider than the screen, and axe finds no violation.

The credentials are issued on the shared demo site (a checkpoint is published; no event is
added); the revoked one is revoked as `services.credential_status` records a revocation, with
a blocking finding as its reason, so that the site's ledger and its "today" stay as they were."""

from __future__ import annotations

import json

import pytest
from test_accessibility import AXE, TAGS

from reetrace.domain.findings import Finding
from reetrace.services import credentials as service
from reetrace.services.credential_status import reason_of
from reetrace.store import credentials_repo

pytestmark = pytest.mark.browser

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
WIDTH, HEIGHT = 390, 844
VERDICT = {
    ("zh-CN", "valid"): "有效且未撤销",
    ("zh-CN", "revoked"): "已撤销",
    ("en-US", "valid"): "Valid and not revoked",
    ("en-US", "revoked"): "REVOKED",
}
OVERDRAWN = {"zh-CN": "领用量超过批次存量", "en-US": "More taken from a lot than it holds"}


@pytest.fixture(scope="module")
def credentials(site) -> dict[str, str]:
    """A credential of the site's lot as issued, and another revoked since."""
    valid = service.issue(site.store, site.settings, site.lot)
    revoked = service.issue(site.store, site.settings, site.lot)
    overdrawn = Finding("LOT_OVERDRAWN", "high", site.other, site.lot, None, 2026, "taken twice")
    with site.store.writing() as conn:
        row = credentials_repo.by_id(conn, revoked.credential_id)
        assert row is not None
        credentials_repo.revoke(conn, row.number, "2026-03-02T01:00:00+00:00", reason_of([overdrawn]))
    return {"valid": valid.credential_id, "revoked": revoked.credential_id}


@pytest.fixture
def phone(browser):
    contexts = []

    def open_with(locale: str):
        context = browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT},
            user_agent=PHONE,
            is_mobile=True,
            has_touch=True,
            device_scale_factor=3,
            locale=locale,
            bypass_csp=True,  # for axe alone: the page itself runs no script
        )
        contexts.append(context)
        return context.new_page()

    yield open_with
    for context in contexts:
        context.close()


def wider_than_the_screen(page) -> list[str]:
    """The elements reaching past the screen's right edge, and the page's own scroll width."""
    return page.evaluate(
        """() => {
            const wide = Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .map(e => e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined
                    ? '.' + e.className : ''));
            if (document.documentElement.scrollWidth > window.innerWidth) wide.push('document');
            return wide;
        }"""
    )


def violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {json.dumps([n['target'] for n in v['nodes'][:3]])}" for v in result["violations"]
    ]


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.parametrize("which", ["valid", "revoked"])
def test_a_phone_reads_the_verdict_in_its_language_and_nothing_overflows(
    site, phone, credentials, screenshot, locale, which
):
    page = phone(locale)
    answer = page.goto(f"{site.url}/verify/{credentials[which]}")
    assert answer is not None and answer.status == 200
    assert page.locator("html").get_attribute("lang") == ("zh-Hans" if locale == "zh-CN" else "en")
    verdict = page.locator("section.verdict-box h1")
    assert verdict.inner_text().strip() == VERDICT[(locale, which)]
    assert verdict.bounding_box()["height"] >= 24  # large: the first thing read
    if which == "revoked":
        assert OVERDRAWN[locale] in page.locator("section.verdict-box").inner_text()
        assert site.other not in page.content()  # the finding's enterprise is not named
    assert page.locator("table.materials tbody tr").count() >= 1
    assert page.locator("svg.chart-origins").count() == 1
    assert wider_than_the_screen(page) == []
    screenshot(page, f"{which}-{locale}")
    assert violations(page) == []


def test_the_language_links_switch_on_the_phone(site, phone, credentials):
    page = phone("en-US")
    page.goto(f"{site.url}/verify/{credentials['valid']}")
    page.click("nav.languages a[hreflang=zh-Hans]")
    page.wait_for_load_state()
    assert page.locator("section.verdict-box h1").inner_text().strip() == VERDICT[("zh-CN", "valid")]
    assert f"/verify/{credentials['valid']}" in page.url


def test_the_upload_form_fits_the_phone_and_has_no_violation(site, phone):
    page = phone("en-US")
    page.goto(f"{site.url}/verify")
    assert page.locator("input[type=file][name=credential]").count() == 1
    assert wider_than_the_screen(page) == []
    assert violations(page) == []
