"""Every word a person reads, in the page's language, in a real browser (Chromium): one finding
page of every code the demo year raises, in Chinese and in English, says its explanation and
evidence through the catalogues (no field name, no Python value, nothing marked English); the
review page says the pre-review's reasons and a refused step's error the same way."""

import re

import pytest

from reetrace.domain.findings import CODES
from reetrace.services.dashboard import today
from reetrace.services.triage import triaged_findings

pytestmark = pytest.mark.browser

HAN = re.compile(r"[\u4e00-\u9fff]")
PYTHON = re.compile(r"None|\[\{|\{'|True|False|\b[a-z]+_[a-z_]+\b|%\(")
NEEDS_WHY = ("decline", "request_info", "deny", "approve")


def _in(page, site, language: str, path: str) -> None:
    page.goto(f"{site.url}/language/{language}?next={path}")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == language


def _offered(page) -> list[str]:
    return page.locator("select[name=action] option").evaluate_all("options => options.map(o => o.value)")


def _a_step_needing_a_reason(page) -> str:
    """A step offered that needs a reason; when none is (another test may have moved the
    application on), the first step offered is taken, with a reason, until one is."""
    for _ in range(3):
        offered = _offered(page)
        wanted = [s for s in offered if s in NEEDS_WHY]
        if wanted:
            return wanted[0]
        page.select_option("select[name=action]", offered[0])
        page.fill("textarea[name=why]", "moved on by the test")
        page.click("form.decision button[type=submit]")
        page.wait_for_load_state()
    raise AssertionError(f"no step needing a reason is offered: {_offered(page)}")


def one_of_each_code(site) -> dict[str, str]:
    found = triaged_findings(site.store, site.settings, today(site.settings))
    keys: dict[str, str] = {}
    for f in found:
        keys.setdefault(f.finding.code, f.key)
    return keys


def test_every_finding_page_speaks_the_readers_language(site, login, screenshot):
    keys = one_of_each_code(site)
    # the demo year raises the chain's codes (every code, customs included, is said in
    # tests/unit/web/test_finding_words.py)
    assert len(keys) >= 10 and set(keys) <= set(CODES), sorted(keys)
    page = login("inspector")
    for language in ("zh-Hans", "en"):
        for code, key in sorted(keys.items()):
            _in(page, site, language, f"/findings/{key}")
            detail = page.locator("main p.detail")
            assert detail.get_attribute("lang") is None, code  # said in the page's language
            text = detail.inner_text()
            assert bool(HAN.search(text)) == (language == "zh-Hans"), (code, text)
            labels = page.locator("table.evidence th").all_inner_texts()
            values = page.locator("table.evidence td").all_inner_texts()
            assert labels and all(bool(HAN.search(label)) == (language == "zh-Hans") for label in labels), labels
            for shown in [text, *labels, *values]:
                assert not PYTHON.search(shown), (code, shown)
        screenshot(page, f"finding-{language}")


def test_the_pre_review_and_a_refused_step_speak_the_readers_language(site, login, screenshot):
    page = login("reviewer")
    path = f"/review/{site.application}"
    for language in ("zh-Hans", "en"):
        _in(page, site, language, path)
        reasons = page.locator("#pre-review li")
        assert reasons.count() > 0
        for i in range(reasons.count()):
            item = reasons.nth(i)
            assert item.get_attribute("lang") is None
            assert bool(HAN.search(item.inner_text())) == (language == "zh-Hans"), item.inner_text()
            assert not PYTHON.search(item.inner_text())
        step = _a_step_needing_a_reason(page)
        page.select_option("select[name=action]", step)
        page.fill("textarea[name=why]", "")
        page.click("form.decision button[type=submit]")
        page.wait_for_load_state()
        error = page.inner_text("#decision p.error")
        assert bool(HAN.search(error)) == (language == "zh-Hans"), error
        assert "--why" not in error and not PYTHON.search(error), error
        screenshot(page, f"review-{language}")
