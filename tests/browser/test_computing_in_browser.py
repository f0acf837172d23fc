"""The "being computed" notice in a real browser (Chromium): findings that need the whole ledger
replayed are computed by a background job, and meanwhile the findings page answers 503 saying so
in the reader's language (the catalogue's words, in Chinese and in English), with how far the job
has got and a link to ask again (no automatic reload: it would take the page away from someone
reading it, WCAG 2.2.1), and axe finds nothing grave on it; once the job is done, that link shows
the findings.

How the job is made to wait: every ledger counts as too large to replay in place (as a national
year is), and the replay, reporting its progress at each event instead of every 50,000, stops a
third of the way through until the test lets it go on. The server runs in the test's process, so
the job is the server's own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from test_accessibility import grave_violations

from demo_site import PASSWORD
from reetrace.errors import Computing
from reetrace.services import audit, findings
from reetrace.services.dashboard import today
from reetrace.web.i18n import translations

pytestmark = pytest.mark.browser

NOTICE = "What this page shows as of %(day)s is being computed (%(percent)s%% done). Reload it in a moment."
GO_ON = threading.Event()  # the held replay may go on
HALTED = threading.Event()  # the held replay has reported its progress and waits


@pytest.fixture
def held_replay(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Call it (once logged in) to make the next findings read start a background job that stops
    a third of the way through the ledger; the job goes on when GO_ON is set."""

    def hold() -> None:
        def counted(events, progress):
            records = list(events)
            halt = len(records) // 3
            for n, record in enumerate(records, 1):
                if n == halt:
                    progress(n)
                    HALTED.set()
                    assert GO_ON.wait(120), "the test never let the replay go on"
                yield record

        monkeypatch.setattr(findings, "INLINE_EVENTS", 0)
        monkeypatch.setattr(findings, "_jobs", {})  # no result of another test's job
        monkeypatch.setattr(audit, "_counted", counted)

    GO_ON.clear()
    HALTED.clear()
    yield hold
    GO_ON.set()
    for job in findings.jobs():
        if job.thread is not None:
            job.thread.join(120)


@pytest.fixture
def regulator(browser, site):
    """A regulator logged in, in Chinese; the context lets axe be injected (bypass_csp), as in
    test_accessibility.py."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.goto(site.url + "/login")
    page.fill("input[name=username]", "regulator")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url  # on the dashboard, its findings replayed in place
    yield page
    context.close()


def notice_in(page, language: str, day: str, done: int, total: int) -> None:
    """The page is the notice, every word of it from the language's catalogue."""
    say = translations(language).gettext
    assert page.get_attribute("html", "lang") == language
    assert page.inner_text("h1") == say("Being computed")
    percent = Computing(date.fromisoformat(day), done, total).percent
    assert page.inner_text("p.error[role=alert]") == say(NOTICE) % {"day": day, "percent": percent}
    bar = page.locator("progress#computing-progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == (str(done), str(total))
    assert page.inner_text("label[for=computing-progress]") == say("Events read")
    assert page.get_by_role("link", name=say("Try again now")).get_attribute("href") == "/findings?severity=high"


def test_the_notice_says_how_far_in_each_language_then_the_page_shows_the_findings(
    site, regulator, held_replay, screenshot
):
    page = regulator
    held_replay()
    day = today(site.settings).isoformat()
    first = page.goto(f"{site.url}/language/zh-Hans?next=/findings%3Fseverity%3Dhigh")
    assert first is not None and first.status == 503 and first.headers["retry-after"] == "5"
    (job,) = findings.jobs()
    total = job.total
    notice_in(page, "zh-Hans", day, 0, total)  # the job has just started
    zh = page.inner_text("main")
    assert "正在计算" in zh and "computed" not in zh and "Try again" not in zh

    assert HALTED.wait(60), "the replay never reported its progress"
    done = job.done
    assert 0 < done < total
    with page.expect_navigation() as again:
        page.get_by_role("link", name=translations("zh-Hans").gettext("Try again now")).click()
    assert again.value is not None and again.value.status == 503
    notice_in(page, "zh-Hans", day, done, total)
    screenshot(page, "zh")

    answer = page.goto(f"{site.url}/language/en?next=/findings%3Fseverity%3Dhigh")
    assert answer is not None and answer.status == 503
    notice_in(page, "en", day, done, total)
    assert "is being computed" in page.inner_text("main")
    screenshot(page, "en")
    assert grave_violations(page) == []

    GO_ON.set()
    job.thread.join(120)
    assert job.result is not None and job.failed is None
    with page.expect_navigation() as shown:
        page.get_by_role("link", name="Try again now").click()
    assert shown.value is not None and shown.value.status == 200
    assert page.inner_text("h1") == "Findings"
    assert page.locator("progress").count() == 0
    high = [f for f in job.result if f.severity == "high"]
    assert high and page.locator("table.findings tbody tr").count() >= 1
    screenshot(page, "findings")
