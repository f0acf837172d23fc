"""What a person sees tells the truth, in Chromium and in both languages: a skip link first, the
language switch a link in its own navigation, the English quota chart drawing every name whole,
the national flow never drawn through a stage it skipped, an empty year saying so, reporting
compliance told by marks as well as colours, and the review page listing items and documents
and saying, when asked, why a screening match scored as it did."""

import pytest

from reetrace.services.dashboard import latest_year

pytestmark = pytest.mark.browser

# a flow band's centre line at sample points, and each node's box (in the SVG's coordinates)
BANDS_AND_NODES = """svg => {
  const nodes = [...svg.querySelectorAll('rect.node')].map(r => ({key: r.dataset.node,
    x: r.x.baseVal.value, y: r.y.baseVal.value, w: r.width.baseVal.value, h: r.height.baseVal.value}));
  const bands = [...svg.querySelectorAll('path.flow')].map(p => {
    const length = p.getTotalLength(), points = [];
    for (let i = 0; i <= 80; i++) { const q = p.getPointAtLength(length * i / 80); points.push([q.x, q.y]); }
    return {from: p.dataset.from, to: p.dataset.to, half: parseFloat(p.getAttribute('stroke-width')) / 2, points};
  });
  return {nodes, bands};
}"""


def test_a_skip_link_comes_first_and_the_language_switch_is_a_link(site, login):
    page = login("regulator")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.innerText]")
    assert focused == ["skip", "跳到主要内容"]
    assert page.locator("a.skip").bounding_box()["width"] > 0  # shown once focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    switch = page.locator("nav.languages")
    assert switch.get_attribute("aria-label") == "语言"
    assert switch.locator("a[aria-current=true]").inner_text() == "中文"
    switch.locator("a[hreflang=en]").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.innerText") == "Skip to main content"
    assert page.locator("nav.languages a[aria-current=true]").inner_text() == "English"


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_the_dashboard_draws_names_whole_and_flows_around_stages(site, login, screenshot, language):
    page = login("regulator")
    page.goto(f"{site.url}/language/{language}?next=/")
    quota = page.locator("svg.chart-quota")
    chart = quota.bounding_box()
    labels = quota.locator("text[text-anchor=end]")
    assert labels.count() > 0
    for i in range(labels.count()):
        box = labels.nth(i).bounding_box()
        assert box["x"] >= chart["x"] - 0.5, labels.nth(i).text_content()  # never cut at the left edge
    drawn = page.locator("svg.chart-sankey").evaluate(BANDS_AND_NODES)
    crossed = [
        (band["from"], band["to"], node["key"])
        for band in drawn["bands"]
        for node in drawn["nodes"]
        if node["key"] not in (band["from"], band["to"])
        and any(
            node["x"] <= x <= node["x"] + node["w"]
            and node["y"] - band["half"] < y < node["y"] + node["h"] + band["half"]
            for x, y in band["points"]
        )
    ]
    assert drawn["bands"] and not crossed
    assert any(b["to"] == "stock" and b["from"] == "mine" for b in drawn["bands"])  # the case the rule is for
    marks = page.locator("svg.chart-compliance text.mark")
    assert marks.count() > 0 and set(marks.all_text_contents()) <= {"✓", "!", "✕", "…"}
    screenshot(page, f"dashboard-{language}")


def test_an_empty_year_says_so_and_counts_nothing(site, login, screenshot):
    page = login("regulator")
    empty = latest_year(site.store, site.settings) - 3
    page.goto(f"{site.url}/?year={empty}")
    assert page.locator("ul.figures li").first.locator("strong").inner_text() == "0"
    assert page.locator("svg.chart-sankey text.none").text_content() == f"{empty}年未报告稀土流向。"
    assert page.locator("svg.chart-sankey path.flow").count() == 0
    page.goto(f"{site.url}/language/en?next=/%3Fyear%3D{empty}")
    assert (
        page.locator("svg.chart-sankey text.none").text_content() == f"No flow of rare earths was reported in {empty}."
    )
    screenshot(page, "empty-year")
    page.goto(f"{site.url}/?year={empty + 3}")  # the near miss: the demo year counts its findings
    assert int(page.locator("ul.figures li").first.locator("strong").inner_text().replace(",", "")) > 0


EXPLAINED = {
    "list": "us_bis",
    "entity": "NK-friedrich",
    "name": "Hans Joachim Friedrich",
    "score": 0.63,
    "schema": "Person",
    "countries": ["ru"],
    "explanation": {
        "name": {
            "query": "Hans J Friedrich",
            "listed": "Hans Joachim Friedrich",
            "alias": "alias",
            "how": "parts",
            "score": 0.93,
            "parts": [{"query": "j", "listed": "joachim", "match": "initial", "score": 0.9, "weight": 0.5}],
        },
        "adjustments": [{"by": "birth_date", "effect": -0.3, "query": "1960-05-01", "listed": ["1952-10-07"]}],
    },
}


def _with_an_explained_match(monkeypatch):
    """The review page's application as recorded, its pre-review screening one more party whose
    match carries an explanation, as the matcher will give it (it gives none yet)."""
    import reetrace.web.review as review

    real = review.application_view

    def application_view(*args, **kwargs):
        found = real(*args, **kwargs)
        report = found["pre_review"]["report"]
        result = {
            "format": "reetrace/screening@1",
            "query": "Hans J Friedrich",
            "threshold": 0.5,
            "matches": [EXPLAINED],
        }
        report["screening"] = [
            *report["screening"],
            {"role": "end_user", "party": "Hans J Friedrich", "result": result},
        ]
        return found

    monkeypatch.setattr(review, "application_view", application_view)


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_the_review_page_lists_items_and_documents(site, login, screenshot, language, monkeypatch):
    _with_an_explained_match(monkeypatch)
    page = login("reviewer")
    page.goto(f"{site.url}/language/{language}?next=/review/{site.application}")
    why = page.locator("#pre-review details.why-score")  # closed until asked, then the parts in words
    assert why.locator("table.why-parts").is_hidden() and why.locator("summary").inner_text() == (
        "得分依据" if language == "zh-Hans" else "Why this score"
    )
    why.locator("summary").click()
    assert why.locator("table.why-parts tbody td").all_inner_texts()[:3] == (
        ["j", "joachim", "首字母缩写"] if language == "zh-Hans" else ["j", "joachim", "initial"]
    )
    items = page.locator("table.items tbody tr")
    assert items.count() >= 1 and items.first.locator("a[href^='/lots/']").count() == 1
    assert items.first.locator("td code").count() >= 1  # the control codes found
    documents = page.locator("table.documents tbody tr")
    assert documents.count() == 2
    kinds = set(documents.locator("td:nth-child(1)").all_inner_texts())
    assert kinds == (
        {"最终用户证明", "最终用途证明"} if language == "zh-Hans" else {"end-user certificate", "end-use certificate"}
    )
    screenshot(page, f"review-{language}")


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_a_lot_tells_its_blocking_findings_and_prints_its_certificate(site, login, screenshot, language):
    from reetrace.services.dashboard import today
    from reetrace.services.lot_findings import blocking_around

    page = login("regulator")
    page.goto(f"{site.url}/language/{language}?next=/lots")
    head = site.lot.split("-")[0] + "-"
    page.fill("input[name=prefix]", head)
    page.click("form.prefix button[type=submit]")
    page.wait_for_load_state()
    assert page.input_value("input[name=prefix]") == head  # the search keeps what was typed
    links = page.locator("table.lots.prefix tbody a")
    assert links.count() >= 1 and all(text.startswith(head) for text in links.all_inner_texts())
    page.click(f"table.lots.prefix a:text-is('{site.lot}')")
    page.wait_for_load_state()
    assert site.lot in heading(page)
    around = blocking_around(site.store, site.settings, site.lot, today(site.settings))
    section = page.locator("#blocking")
    for where, found in (("upstream", around.upstream), ("downstream", around.downstream)):
        assert section.locator(f"ul.blocking.{where} li").count() == len(found)
        assert section.locator(f"p.clean.{where}").count() == (0 if found else 1)
    screenshot(page, f"lot-{language}")
    page.click("a[href$='/certificate/print']")
    page.wait_for_load_state()
    assert site.lot in page.inner_text("div.lot-id")
    title = {"zh-Hans": "溯源证书", "en": "Certificate of provenance"}[language]
    assert page.inner_text("h1").strip() == title and page.get_attribute("html", "lang") == language
    qr = page.locator("figure.qr-box svg")
    assert abs(qr.bounding_box()["width"] - 38 / 25.4 * 96) < 2  # 38 mm: the linked style sheet applies
    screenshot(page, f"certificate-{language}")


def heading(page) -> str:
    return page.inner_text("h1").strip()
