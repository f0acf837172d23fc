"""The pre-review's blocking reasons and red flags, said in Chinese and English from their
message ids: a pre-review that raises every kind of reason (the domain's own test chain with a
lot of unknown input, a party on a list, a lot claimed twice and held by another, every red
flag), each reason said with no Python value, no field name and, in Chinese, no English word but
the data; a report recorded before reasons carried ids is said by its English text."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from reetrace.domain.applications import ApplicationItem, Party
from reetrace.domain.disclosure import prereview_seen_by
from reetrace.domain.prereview import pre_review
from reetrace.web.i18n import Formats
from reetrace.web.messages import PREREVIEW
from reetrace.web.words import Words

PYTHON = re.compile(r"None|\[\{|\{'|\[\]|\{\}|True|False|\b[a-z]+_[a-z_]+\b|%\(")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _report() -> dict[str, Any]:
    domain_tests = str(Path(__file__).parents[1] / "domain")
    if domain_tests not in sys.path:
        sys.path.insert(0, domain_tests)
    t = importlib.import_module("test_prereview_rules")
    app = t.application(
        items=(
            ApplicationItem(lot="DYO-1", quantity_kg=1_000_000.0),
            ApplicationItem(lot="NOT-MINE", quantity_kg=5.0),
            ApplicationItem(control_code="1C905", element="Dy", form="oxide", quantity_kg=1.0),
        ),
        parties=(
            Party("consignee", "Pyongyang Trading", "KP"),
            Party("end_user", "Hamburg Magnet Works GmbH", "DE"),
            Party("intermediary", "Northern Lights Trading FZE", "AE"),
        ),
        destination="KP",
        end_use="guidance parts for military drones",
    )
    hit = {"list": "W", "entity": "W-1", "name": "Northern Lights Trading FZE", "score": 0.97}
    screening = [
        ("consignee", "Pyongyang Trading", "KP", {"matches": [], "lists": []}),
        ("intermediary", "Northern Lights Trading FZE", "AE", {"matches": [hit], "lists": []}),
    ]
    facts = t.facts(
        t.chain(unknown_input=True), app, screening=screening, claimed={"DYO-1": [("A-2026-0007", "under_review")]}
    )
    return pre_review(facts)


REPORT = _report()
# an upstream finding about another enterprise, as the applicant reads it: named by its code only
OF_ANOTHER = [b for b in prereview_seen_by(REPORT, "another")["blocking"] if "code" in b]
REASONS = REPORT["blocking"] + REPORT["red_flags"] + OF_ANOTHER


def test_the_report_raises_every_kind_of_reason():
    assert {r["message_id"] for r in REASONS} == set(PREREVIEW)


def _data(entry: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(v: Any) -> None:
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list | tuple):
            for x in v:
                walk(x)
        elif isinstance(v, str):
            found.append(v)

    walk(entry.get("params"))
    return sorted(set(found) | {p for s in found if ":" in s for p in s.split(":")}, key=len, reverse=True)


@pytest.mark.parametrize("language", ["zh-Hans", "en"])
def test_every_reason_is_said_in_the_language(language):
    words = Words(Formats(language))
    for entry in REASONS:
        said = words.reason(entry)
        assert said.language == language
        text = said.text
        for value in _data(entry):
            if len(value) > 2 and value not in {"consignee", "intermediary", "under_review"}:
                text = text.replace(value, "")
        assert not PYTHON.search(text), (entry["message_id"], said.text)
        if language == "zh-Hans":
            assert LATIN_WORD.findall(text) == [], (entry["message_id"], said.text)


def test_an_upstream_finding_is_said_by_name_and_explanation():
    upstream = next(r for r in REPORT["blocking"] if r["message_id"] == "prereview.upstream_finding")
    zh = Words(Formats("zh-Hans")).reason(upstream).text
    en = Words(Formats("en")).reason(upstream).text
    assert zh.startswith("批次 DYO-1 的上游：") and "——" not in zh and " — " in zh
    assert en.startswith("Upstream of lot DYO-1: ")


def test_an_upstream_finding_of_another_is_named_by_its_code_alone():
    (reduced,) = OF_ANOTHER
    zh = Words(Formats("zh-Hans")).reason(reduced).text
    assert zh == "批次 DYO-1 的上游：来源不明的批次进入产业链，这是关于制成该批次的物料的一项问题。"
    assert "91150200SEPARATOR2" not in zh


def test_a_reason_recorded_without_a_message_is_said_by_its_text():
    old = {"check": "screening", "reason": "no restricted-party list is loaded: the parties were not screened"}
    said = Words(Formats("zh-Hans")).reason(old)
    assert (said.text, said.language) == (old["reason"], "en")
    assert (
        Words(Formats("zh-Hans")).reason({**old, "message_id": "prereview.not_screened", "params": {}}).language
        == "zh-Hans"
    )
