"""The review page tells the truth: the items with their quantities and control codes, the
attached documents, approval offered only when no blocking reason stands (the rule the approval
itself is refused by), a closed application with no clock running, and a refused license called
不予许可 (never 驳回)."""

import re

from babel.messages.pofile import read_po

from reetrace.web.i18n import LOCALE_DIR
from reetrace.web.review import decision_actions

SCREENED = {"check": "screening", "hit": "UN:1", "party": "Vogel", "reason": "matches"}
UNSCREENED = {"check": "screening", "reason": "no restricted-party list is loaded"}


def token(html: str) -> str:
    return re.search(r'name="form_token" value="(\w+)"', html).group(1)


def test_approval_is_offered_only_when_no_blocking_reason_stands():
    actions, standing = decision_actions("approver", "under_review", {"blocking": [SCREENED]}, set())
    assert "approve" not in actions and "deny" in actions and standing == [SCREENED]
    actions, standing = decision_actions("approver", "under_review", {"blocking": [SCREENED]}, {"UN:1"})
    assert "approve" in actions and standing == []  # the near miss: the hit was cleared
    actions, standing = decision_actions("approver", "under_review", {"blocking": [SCREENED, UNSCREENED]}, {"UN:1"})
    assert "approve" not in actions and standing == [UNSCREENED]  # no reviewer can clear this one
    assert decision_actions("approver", "under_review", {"blocking": []}, set())[0] == ["approve", "deny"]
    assert decision_actions("reviewer", "submitted", {"blocking": [UNSCREENED]}, set())[1] == []


def test_the_review_page_shows_items_documents_and_withholds_approval(site):
    reviewer = site.client("reviewer")
    page = reviewer.get(f"/review/{site.application}").text
    items = page.split('class="items"')[1].split("</table>")[0]
    assert re.search(r"<code>\d[A-Z]\d{3}", items), "the control codes the pre-review found"
    assert "/lots/" in items and "整批" in items
    documents = page.split('id="documents"')[1].split("</section>")[0]
    assert "最终用户证明" in documents and "最终用途证明" in documents and "end_use_certificate.txt" in documents
    for action in ("accept", "start"):
        reviewer.post(
            f"/review/{site.application}/step",
            data={"action": action, "form_token": token(reviewer.get(f"/review/{site.application}").text)},
        )
    kept = reviewer.post(  # a refused step keeps what was typed
        f"/review/{site.application}/step",
        data={
            "action": "clear_hit",
            "hit": "cn_control:NOPE",
            "why": "same name, <other> firm",
            "form_token": token(reviewer.get(f"/review/{site.application}").text),
        },
    )
    assert kept.status_code == 422 and 'role="alert"' in kept.text
    assert '<textarea name="why" rows="2">same name, &lt;other&gt; firm</textarea>' in kept.text
    assert '<option value="clear_hit" selected>' in kept.text
    fresh = reviewer.get(f"/review/{site.application}").text  # the near miss: a new page starts empty
    assert (
        '<textarea name="why" rows="2"></textarea>' in fresh and "selected>" not in fresh.split('class="decision"')[1]
    )
    approver = site.client("approver")
    page = approver.get(f"/review/{site.application}").text
    offered = re.findall(r'<option value="(\w+)"', page.split('class="decision"')[1].split("</form>")[0])
    assert "deny" in offered and "approve" not in offered
    assert "不能批准" in page and "剩余" in page  # the clock runs while the application is open
    done = approver.post(
        f"/review/{site.application}/step", data={"action": "deny", "why": "end use unclear", "form_token": token(page)}
    )
    assert done.status_code == 200
    closed = done.text
    assert "剩余" not in closed and "个工作日" not in closed.split('class="facts"')[1].split("</dl>")[0]
    assert "已办结" in closed and "不予许可" in closed and "驳回" not in closed
    approver.get("/language/en?next=/")
    english = approver.get(f"/review/{site.application}").text
    assert "working days left" not in english and "Closed" in english


def test_no_license_is_refused_with_the_word_for_dismissing():
    with open(LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalogue = read_po(f, locale="zh_Hans")
    strings = {m.id: m.string for m in catalogue if m.id}
    assert strings["denied"] == "不予许可" and strings["deny"] == "不予许可"
    assert not [i for i, s in strings.items() if "驳回" in s]


def test_an_overdue_application_says_so_in_words_not_only_in_colour(site, monkeypatch):
    from dataclasses import replace
    from datetime import date

    import reetrace.web.review as page
    from reetrace.domain.clock import ClockReading

    real = page.queue

    def with_clock(remaining):
        def queue(*args, **kwargs):
            reading = ClockReading(date(2026, 1, 5), date(2026, 3, 20), 45 - remaining, remaining, None, False, False)
            return [replace(e, state="under_review", clock=reading) for e in real(*args, **kwargs)]

        return queue

    client = site.client("reviewer")
    monkeypatch.setattr(page, "queue", with_clock(-3))
    row = client.get("/review").text.split('<tr class="overdue">')[1].split("</tr>")[0]
    assert '<strong class="overdue-flag">已超期</strong>' in row and "-3" in row
    monkeypatch.setattr(page, "queue", with_clock(2))  # the near miss: two days left
    assert "overdue-flag" not in client.get("/review").text
