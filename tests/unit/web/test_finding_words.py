"""Every finding the rules can raise, said in Chinese and in English: its explanation from its
message id and parameters, its evidence as labelled values. The findings come from the two
scenarios that raise every code (tests/unit/domain: the rules engine's and the customs rules', and
those of the rules that catch evasion).
Nothing Python writes reaches the reader: no `None`, no brackets of a list or dict, no field
name; and in Chinese no English word is left but the data itself (lot ids, enterprise codes,
license and declaration numbers, what an enterprise typed)."""

from __future__ import annotations

import importlib
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from reetrace.domain.customs import Period
from reetrace.domain.findings import CODES, Finding
from reetrace.web.i18n import Formats
from reetrace.web.messages import EVIDENCE, FINDING_MESSAGE
from reetrace.web.words import Words, words_for

LANGUAGES = ("zh-Hans", "en")
PYTHON = re.compile(r"None|\[\{|\{'|'\}|\[\]|\{\}|True|False|\b[a-z]+_[a-z_]+\b")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def every_finding() -> list[Finding]:
    domain_tests = str(Path(__file__).parents[1] / "domain")
    if domain_tests not in sys.path:
        sys.path.insert(0, domain_tests)
    engine = importlib.import_module("test_rules_engine")
    c = importlib.import_module("test_rules_customs")
    records, registry = engine._everything()
    found = list(importlib.import_module("builders").run(records, registry))
    found += importlib.import_module("test_rules_composition").raise_both()
    found += importlib.import_module("test_rules_capacity").raise_it()
    events = [
        c._stock("MAG-1"),
        c._stock("MAG-2"),
        c._export("x1", ("MAG-1",), "CD-1"),
        c._export("x2", ("MAG-2",), "CD-UNKNOWN", time=c.EXPORTED + timedelta(days=1)),
    ]
    declarations = c._customs(
        c._declaration(hs_code="8505119000", net_kg=290.0, destination="US"),
        c._declaration("CD-9", lots=("MAG-9",)),
        covered=[Period(date(2026, 3, 1), date(2026, 3, 31))],
    )
    return found + list(c._run(events, declarations, as_of=date(2026, 6, 30)))


FINDINGS = every_finding()


def _data(value: Any) -> list[str]:
    """The strings a finding carries as data (ids, codes, free text)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in _data(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _data(v)]
    return [value] if isinstance(value, str) else []


def _without_data(text: str, finding: Finding) -> str:
    data = _data(finding.params) + _data(finding.evidence)
    data += [s for s in (finding.enterprise, finding.lot, finding.event) if s]
    data += [s for ref in list(data) if ":" in ref for s in ref.split(":")]
    for value in sorted(set(data), key=len, reverse=True):
        if len(value) > 2 and value not in {"rock", "all", "magnet", "held", "ship", "subheading", "separation"}:
            text = text.replace(value, "")
    return text


def test_the_scenarios_raise_every_code():
    assert {f.code for f in FINDINGS} == set(CODES)


def test_every_finding_carries_a_message_the_catalogue_says():
    for finding in FINDINGS:
        assert finding.message in FINDING_MESSAGE, finding.message
        assert finding.message.split(".")[0] == finding.code


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_finding_is_said_in_the_language(language):
    words = Words(Formats(language))
    for finding in FINDINGS:
        said = words.finding(finding)
        assert said.language == language
        shown = [said.text] + [f"{label} {value}" for label, value in words.evidence(finding)]
        for text in shown:
            assert not PYTHON.search(_without_data(text, finding)), (finding.message, text)
            assert "%(" not in text, text
        if language == "zh-Hans":
            for text in shown:
                left = LATIN_WORD.findall(_without_data(text, finding))
                assert left == [], (finding.message, text, left)


def test_every_piece_of_evidence_has_a_label():
    keys = {key for finding in FINDINGS for key in finding.evidence}
    assert keys - set(EVIDENCE) == set()


def test_values_are_formatted_for_the_language():
    by_code = {f.code: f for f in FINDINGS}
    zh, en = Words(Formats("zh-Hans")), Words(Formats("en"))
    wl = by_code["EXPORT_WITHOUT_LICENSE"]
    assert "1C905（镝及其化合物）" in zh.finding(wl).text and "德国（DE）" in zh.finding(wl).text
    assert "1C905 (dysprosium and its compounds)" in en.finding(wl).text
    assert dict(zh.evidence(wl))["许可证"] == "—"  # no license: a dash, never None
    late = by_code["LATE_REPORT"]
    assert dict(zh.evidence(late))["最后收到时间"] == "2026年5月1日 00:00:00 中国标准时间"
    assert "2026年3月" in zh.finding(late).text and "Mar 2026" in en.finding(late).text
    mismatch = by_code["LICENSE_MISMATCH"]
    assert zh.finding(mismatch).text.endswith("收货人 为 X，许可证为 Example GmbH。")
    assert "consignee X where the license has Example GmbH" in en.finding(mismatch).text


def test_enterprises_are_named_in_the_language():
    finding = next(f for f in FINDINGS if f.code == "UNAUTHORIZED_MINING")
    trader = SimpleNamespace(name="稀土贸易有限公司", name_en="Rare Earth Trading Co.", uscc=finding.enterprise)
    enterprises = {finding.enterprise: trader}
    assert words_for(Formats("zh-Hans"), enterprises).finding(finding).text.startswith("稀土贸易有限公司 于 ")
    assert words_for(Formats("en"), enterprises).finding(finding).text.startswith("Rare Earth Trading Co. mined")


def test_a_finding_stored_without_a_message_is_said_by_its_detail():
    finding = FINDINGS[0]
    old = Finding(
        *(getattr(finding, name) for name in ("code", "severity", "enterprise", "lot", "event", "year")),
        finding.detail,
        finding.evidence,
    )
    said = Words(Formats("zh-Hans")).finding(old)
    assert (said.text, said.language) == (finding.detail, "en")
    assert Words(Formats("zh-Hans")).finding(finding).language == "zh-Hans"  # the near miss
