"""The API says what a person reads in the language of `Accept-Language` (Chinese when it names
none of the console's languages), beside the contract's fields, which stay as they are."""

from __future__ import annotations

import json
import re

import pytest

from factory import extract
from reetrace.api.language import accepted_language

CONTRACT = {"code", "severity", "enterprise", "lot", "event", "year", "detail", "evidence"}
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    "header, language",
    [
        (None, "zh-Hans"),
        ("", "zh-Hans"),
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
        ("fr;q=1, en;q=0.5, zh;q=0.7", "zh-Hans"),  # by quality, not by order
        ("de, en;q=0.1", "en"),
        ("de, fr", "zh-Hans"),
        ("en;q=0, zh;q=0.1", "zh-Hans"),  # q=0: not acceptable
        ("en;q=abc", "zh-Hans"),
        ("*", "zh-Hans"),
        ("x" * 10_000 + ",en", "zh-Hans"),  # read no further than the first 512 characters
    ],
)
def test_the_readers_language(header, language):
    assert accepted_language(header) == language


def test_findings_are_said_in_the_readers_language(seeded):
    with seeded.client("inspector") as client:
        zh = client.get("/api/findings")
        en = client.get("/api/findings", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert zh.headers["Content-Language"] == "zh-Hans" and en.headers["Content-Language"] == "en"
    zh_items, en_items = zh.json()["items"], en.json()["items"]
    assert zh_items and [f["key"] for f in zh_items] == [f["key"] for f in en_items]
    for said_zh, said_en in zip(zh_items, en_items, strict=True):
        assert {k: said_zh[k] for k in CONTRACT} == {k: said_en[k] for k in CONTRACT}  # the contract's, unchanged
        assert said_zh["message_id"] == said_en["message_id"] and said_zh["message_id"].startswith(said_zh["code"])
        assert HAN.search(said_zh["message"]) and not HAN.search(said_en["message"])
        assert said_zh["message_language"] == "zh-Hans" and said_en["message_language"] == "en"
        assert [e["label"] for e in said_zh["evidence_shown"]] != [e["label"] for e in said_en["evidence_shown"]]
        assert all("None" not in e["value"] and "[{" not in e["value"] for e in said_zh["evidence_shown"])
    with seeded.client("inspector") as client:
        one = client.get(f"/api/findings/{zh_items[0]['key']}", headers={"Accept-Language": "en"}).json()
    assert one["message"] == en_items[0]["message"] and one["detail"] == zh_items[0]["detail"]


def test_pre_review_reasons_are_said_in_the_readers_language(seeded):
    with seeded.client("reviewer") as client:
        number = client.get("/api/applications").json()["items"][0]["number"]
        zh = client.get(f"/api/applications/{number}").json()["pre_review"]["report"]
        en = client.get(f"/api/applications/{number}", headers={"Accept-Language": "en"}).json()["pre_review"]["report"]
    reasons_zh, reasons_en = zh["blocking"] + zh["red_flags"], en["blocking"] + en["red_flags"]
    assert reasons_zh and len(reasons_zh) == len(reasons_en)
    for said_zh, said_en in zip(reasons_zh, reasons_en, strict=True):
        stable = {k: v for k, v in said_zh.items() if k not in ("message", "message_language")}
        assert stable == {k: v for k, v in said_en.items() if k not in ("message", "message_language")}
        assert ("reason" in stable or "detail" in stable) and stable["message_id"].startswith("prereview.")
        assert HAN.search(said_zh["message"]) and not HAN.search(said_en["message"])


def test_errors_are_said_in_the_readers_language(seeded):
    missing = "/api/findings/0123456789abcdef0123456789abcdef"
    with seeded.client("inspector") as client:
        zh = client.get(missing).json()["error"]
        en = client.get(missing, headers={"Accept-Language": "en"}).json()["error"]
        key = client.get("/api/findings").json()["items"][0]["key"]
        refused = client.post(f"/api/findings/{key}/actions", json={"action": "assign", "note": "take it"})
    assert zh["type"] == en["type"] == "not_found" and zh["message"] == en["message"] == "finding not found"
    assert zh["localized"] == {"message": "没有这个问题，或者您无权查看。", "language": "zh-Hans"}
    assert en["localized"] == {"message": "No such finding, or not one you may see.", "language": "en"}
    assert zh["message_id"] == "error.not_found" and zh["params"] == {"kind": "finding"}
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["message"] == "assign needs an assignee" and error["message_id"] == "error.triage.assignee_needed"
    assert error["localized"]["message"] == "指派时请写明由谁处理。"


def test_a_request_the_api_cannot_read_is_refused_in_the_readers_language(seeded):
    with seeded.client("inspector") as client:
        zh = client.get("/api/findings", params={"limit": 0}).json()["error"]
        en = client.get("/api/findings", params={"limit": 0}, headers={"Accept-Language": "en"}).json()["error"]
    assert zh["type"] == "invalid" and zh["problems"] == en["problems"] and zh["message"] == en["message"]
    assert zh["localized"]["message"] == "请求无效：共 1 处问题（见 problems）。"
    assert en["localized"] == {
        "message": "The request is not valid: problems found, 1 (listed under problems).",
        "language": "en",
    }


def test_a_rejected_submission_is_said_in_the_readers_language(seeded):
    w = seeded.world
    bad = w.trader.submit([extract("x10", "X10", 10)])
    bad["events"][0]["outputs"][0]["mass_kg"] = -1  # an impossible mass, signed as it is sent
    with seeded.client("trader_user") as client:
        zh = client.post("/api/submissions", content=json.dumps(bad))
        en = client.post("/api/submissions", content=json.dumps(bad), headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 422
    assert zh.headers["Content-Language"] == "zh-Hans" and en.headers["Content-Language"] == "en"
    zh_error, en_error = zh.json()["error"], en.json()["error"]
    assert zh_error["message"] == en_error["message"] and zh_error["message"].startswith("schema: events[0]: ")
    assert zh_error["message_id"] == "invalid"
    assert zh_error["params"]["problems"][0]["at"] == ["events", 0, "outputs", 0, "mass_kg"]
    assert zh_error["localized"] == {"message": "事件 1 › 产出 1 › 质量：必须大于 0。", "language": "zh-Hans"}
    assert en_error["localized"]["message"] == "event 1 › output 1 › mass: Must be more than 0."
    # the contract's report is unchanged: its reason in English
    assert zh.json()["rejected"][0]["reason"] == zh_error["message"]
