"""The risk view's page (TestClient on the demo year): ranked rows with their reasons in Chinese
and in English, sorted and filtered like every list, exported; refused to enterprises and to
staff who do not triage; every read written down with its filter."""

from __future__ import annotations

import re

from access_checks import entries_after, last_entry


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-key="([^"]+)"', html)


def test_the_inspector_reads_ranked_reasons_in_both_languages(site):
    client = site.client("inspector")
    page = client.get("/risk")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert rows, "the demo year has findings: the view must have rows"
    assert "风险" in page.text and 'href="/risk"' in page.text and "原因：" in page.text
    assert "REO yield" not in page.text and "LOW_YIELD ×" not in page.text
    client.get("/language/en?next=/risk")
    english = client.get("/risk")
    assert _rows(english.text) == rows  # the same ranking, said in English
    assert "Reasons: " in english.text and "points" in english.text and "原因" not in english.text


def test_the_list_sorts_filters_and_exports(site):
    client = site.client("regulator")
    client.get("/language/en?next=/risk")
    ranked = _rows(client.get("/risk", params={"size": 200}).text)
    ascending = _rows(client.get("/risk", params={"size": 200, "sort": "score", "dir": "asc"}).text)
    assert len(ranked) > 1 and ascending == list(reversed(ranked))  # ties keep the rank's order, reversed
    by_name = _rows(client.get("/risk", params={"size": 200, "sort": "enterprise", "dir": "asc"}).text)
    assert sorted(by_name) == sorted(ranked) and by_name != ranked
    month = ranked[0].split(":", 1)[1]
    one_month = _rows(client.get("/risk", params={"month": month, "size": 200}).text)
    assert one_month and all(r.endswith(":" + month) for r in one_month)
    exported = client.get("/risk", params={"export": "csv"}).content.decode("utf-8-sig").splitlines()
    assert len(exported) - 1 == len(ranked) and exported[0].startswith("Rank,")
    assert client.get("/risk", params={"year": "abc"}).status_code == 400


def test_enterprises_and_staff_who_do_not_triage_are_refused(site):
    assert site.client("firm").get("/risk").status_code == 403
    assert site.client("reviewer").get("/risk").status_code == 403
    assert 'href="/risk"' not in site.client("firm").get("/findings").text


def test_every_read_is_written_down_with_its_filter(site):
    before = last_entry(site.store)
    assert site.client("inspector").get("/risk", params={"month": "2026-01"}).status_code == 200
    (entry,) = [e for e in entries_after(site.store, before) if e["action"] == "read"]
    assert (entry["what"], entry["detail"], entry["channel"]) == ("GET /risk", "month=2026-01", "console")
