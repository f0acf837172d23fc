"""The risk view in a real browser (Chromium): an inspector opens it from the header, sorts it
by a column header, and opens one row's reasons, in Chinese and in English."""

import pytest

pytestmark = pytest.mark.browser


def keys(page) -> list[str]:
    return page.eval_on_selector_all("table.risk tbody tr[data-key]", "rows => rows.map(r => r.dataset.key)")


def scores(page) -> list[float]:
    cells = page.eval_on_selector_all("table.risk tbody tr td:nth-child(4)", "c => c.map(x => x.textContent)")
    return [float(c.replace(",", "")) for c in cells]


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_an_inspector_sorts_the_risk_view_and_opens_a_score_s_reasons(site, login, screenshot, language):
    page = login("inspector")
    page.goto(f"{site.url}/language/{language}?next=/findings")
    page.click("nav a[href='/risk']")
    page.wait_for_load_state()
    assert page.url.endswith("/risk") and page.get_attribute("nav a[href='/risk']", "aria-current") == "page"
    ranked, highest = keys(page), scores(page)
    assert highest == sorted(highest, reverse=True) and highest[0] > 0
    assert len(ranked) > 1, "the demo year must give the view more than one row"
    page.click("th a[data-sort=score]")  # the default is highest first: a click turns it round
    page.wait_for_load_state()
    assert "dir=asc" in page.url and page.get_attribute("th:has(a[data-sort=score])", "aria-sort") == "ascending"
    shown = scores(page)
    assert shown == sorted(shown) and shown[0] < highest[0] and keys(page)[0] != ranked[0]
    page.click("th a[data-sort=score]")
    page.wait_for_load_state()
    assert keys(page) == ranked
    first = page.locator("table.risk tbody tr").first.locator("details.reasons")
    reasons = first.locator("li")
    assert not reasons.first.is_visible()
    first.locator("summary").click()
    assert reasons.first.is_visible() and reasons.count() >= 1
    said = reasons.first.inner_text()
    assert ("分" in said) if language == "zh-Hans" else ("points" in said)
    screenshot(page, f"risk-{language}")
