"""Why a screening match scored as it did, on the review page: the listed name it was compared with
(an alias, here), each aligned part with how it matched, and the adjustments as sentences, in the
page's language; hostile names escaped; a match recorded before matches carried an explanation
shown exactly as before. The matcher does not give explanations yet, so the pre-review recorded
here carries them as the matcher will (docs/screening.md)."""

from __future__ import annotations

import copy
import html
import re
from datetime import UTC, datetime

import pytest

from reetrace.store import applications_repo as repo
from reetrace.web.explanation import explain
from reetrace.web.i18n import Formats
from reetrace.web.words import Words

HOSTILE = "<script>alert(1)</script>"

EXPLANATION = {
    "name": {
        "query": "Hans J Friedrich",
        "listed": "Hans Joachim Friedrich",
        "alias": "alias",
        "how": "parts",
        "score": 0.93,
        "parts": [
            {"query": "hans", "listed": "hans", "match": "same", "score": 1.0, "weight": 1.0},
            {"query": "j", "listed": "joachim", "match": "initial", "score": 0.9, "weight": 0.5},
            {"query": "", "listed": "shaikh", "match": "listed_only", "score": 0.0, "weight": 0.1},
            {"query": "friedrich", "listed": HOSTILE, "match": "similar", "score": 0.85, "weight": 1.0},
        ],
    },
    "adjustments": [
        {"by": "birth_date", "effect": -0.3, "query": "1960-05-01", "listed": ["1952-10-07"]},
        {"by": "country", "effect": -0.1, "query": "de", "listed": ["ru"]},
        {"by": "weak_alias", "effect": -0.1, "query": None, "listed": ["Abu Ali", HOSTILE]},
        {"by": "birth_date_agrees", "effect": 0.05, "query": "1952", "listed": ["1952-10-07"]},
    ],
}
EXPLAINED = {
    "list": "us_bis",
    "entity": "NK-friedrich",
    "name": "Hans Joachim Friedrich",
    "score": 0.43,
    "schema": "Person",
    "countries": ["ru"],
    "explanation": EXPLANATION,
}
OLD = {
    "list": "un_sc",
    "entity": "UN-1",
    "name": "Friedrich Trading",
    "score": 0.81,
    "schema": "Company",
    "countries": [],
}
OLD_CELL = "<td>Friedrich Trading (un_sc, 0.81)</td>"  # as the page has always shown a match


def _result(query: str, matches: list[dict]) -> dict:
    return {"format": "reetrace/screening@1", "query": query, "threshold": 0.4, "country": "de", "matches": matches}


@pytest.fixture(scope="module")
def explained(site):
    """The application's latest pre-review again, its screening replaced: one party with an
    explained match beside an old one, another with only an old match."""
    with site.store.reading() as conn:
        _, size, report = repo.latest_prereview(conn, site.application)
    report = copy.deepcopy(report)
    report["screening"] = [
        {
            "role": "end_user",
            "party": "Hans J Friedrich",
            "country": "de",
            "result": _result("Hans J Friedrich", [EXPLAINED, OLD]),
        },
        {"role": "consignee", "party": "Friedrich GmbH", "country": "de", "result": _result("Friedrich GmbH", [OLD])},
    ]
    with site.store.writing() as conn:
        repo.add_prereview(conn, site.application, datetime.now(UTC), size, report)
    return site


def _screening(page: str) -> str:
    return page.split('id="pre-review"')[1].split("</section>")[0]


def _row(section: str) -> str:
    """The row of the party with the explained match (the one before the other party's)."""
    return section.split("<tr><td>Hans J Friedrich</td>")[1].split("<tr><td>Friedrich GmbH</td>")[0]


def _shown(fragment: str) -> str:
    """The words a reader sees: the tags dropped, the entities read."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def test_the_review_page_says_why_a_match_scored_in_chinese(explained):
    client = explained.client("reviewer")
    section = _screening(client.get(f"/review/{explained.application}").text)
    row = _row(section)
    assert row.count("<details") == 1 and "<summary>得分依据</summary>" in row
    shown = _shown(row)
    assert "Hans Joachim Friedrich（别名）" in shown and "按名称成分逐一对齐" in shown and "名称得分 0.93" in shown
    for label in ("写法相同", "首字母缩写", "仅名单名称有", "拼写相近"):
        assert label in shown
    assert "j joachim 首字母缩写 0.90 0.50" in shown and "— shaikh 仅名单名称有 0.00 0.10" in shown
    assert "出生日期不符：1960-05-01，名单为 1952-10-07（−0.30）" in shown
    assert "国家不符：德国（DE），名单为 俄罗斯（RU）（−0.10）" in shown
    assert f"仅与弱别名相符：名单为 Abu Ali、{HOSTILE}（−0.10）" in shown
    assert "出生日期相符：1952，名单为 1952-10-07（+0.05）" in shown
    for code in ("listed_only", "birth_date", "weak_alias", "weakAlias", "None", "initial", "parts"):
        assert code not in shown, code  # no value of the matcher's reaches the reader


def test_the_review_page_says_why_a_match_scored_in_english(explained):
    client = explained.client("reviewer")
    client.get("/language/en?next=/")
    shown = _shown(_row(_screening(client.get(f"/review/{explained.application}").text)))
    assert "Why this score" in shown and "Hans Joachim Friedrich (alias)" in shown
    assert "name parts aligned" in shown and "Name score 0.93" in shown
    assert "hans hans written alike 1.00 1.00" in shown and "j joachim initial 0.90 0.50" in shown
    assert "— shaikh only in the listed name 0.00 0.10" in shown
    assert "Birth date differs: 1960-05-01 against 1952-10-07 (−0.30)" in shown
    assert "Country differs: Germany (DE) against Russia (RU) (−0.10)" in shown
    assert f"Matched a weak alias: Abu Ali, {HOSTILE} on the list (−0.10)" in shown
    assert "Birth date agrees: 1952 against 1952-10-07 (+0.05)" in shown
    assert not re.search(r"[\u4e00-\u9fff]", shown)


def test_hostile_names_are_escaped_and_an_old_match_shows_as_before(explained):
    client = explained.client("reviewer")
    section = _screening(client.get(f"/review/{explained.application}").text)
    assert HOSTILE not in section and html.escape(HOSTILE, quote=False) in section
    row = _row(section)
    # the old match beside the explained one: no disclosure
    assert row.rstrip().endswith("; Friedrich Trading (un_sc, 0.81)</td></tr>")
    assert row.startswith("<td>de</td>\n        <td>Hans Joachim Friedrich (us_bis, 0.43)<details")
    assert f"<tr><td>Friedrich GmbH</td><td>de</td>\n        {OLD_CELL}</tr>" in section


def _words(language: str) -> Words:
    return Words(Formats(language))


def test_values_the_catalogue_does_not_know_are_said_in_general_words():
    strange = copy.deepcopy(EXPLANATION)
    strange["name"]["alias"] = "secretName"
    strange["name"]["how"] = "telepathy"
    strange["name"]["parts"] = [{"query": "x", "listed": "y", "match": "vibes", "score": 0.5, "weight": 1}]
    strange["adjustments"] = [{"by": "horoscope", "effect": -0.2, "query": None, "listed": []}]
    zh = explain({"explanation": strange}, _words("zh-Hans"))
    assert zh.listed_as == "名单所列名称" and zh.how == "—" and zh.parts[0].match == "未归类"
    assert zh.parts[0].kind == "" and zh.adjustments == ("其他调整（−0.20）",)
    en = explain({"explanation": strange}, _words("en"))
    assert en.parts[0].match == "not classified" and en.adjustments == ("Other adjustment (−0.20)",)


def test_a_match_without_a_readable_explanation_has_none():
    words = _words("en")
    assert explain(OLD, words) is None
    assert explain({**OLD, "explanation": None}, words) is None
    assert explain({**OLD, "explanation": {"adjustments": []}}, words) is None  # no name compared
    assert explain({**OLD, "explanation": {"name": {"parts": [{"score": "high"}]}}}, words) is None
    main = explain({"explanation": {"name": {"alias": "name", "parts": []}, "adjustments": []}}, words)
    assert main.alias is False and main.listed_as == "main name" and main.parts == () and main.adjustments == ()
