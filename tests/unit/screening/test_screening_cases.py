"""The hand-made cases of `bench/data/screening_hand.json`: real firms' names as they are written
in Chinese, traditional characters, Pinyin and English (English trade names that are no Pinyin
covered by the list's aliases, as real lists do), US Entity List style entries, persons, and the
firms one would confuse with them. Each is screened against the whole hand-made list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reetrace.screening import ListedEntity, ScreeningIndex, entity_keys
from reetrace.screening.ftm import read_entities

HAND = Path(__file__).resolve().parents[3] / "bench" / "data" / "screening_hand.json"
CASES = json.loads(HAND.read_text(encoding="utf-8"))
THRESHOLD = 0.8


@pytest.fixture(scope="module")
def index() -> ScreeningIndex:
    lines = enumerate((json.dumps(e, ensure_ascii=False).encode() for e in CASES["entities"]), start=1)
    parsed = read_entities(lines)
    assert parsed.skipped == {"Address": 1}
    return ScreeningIndex(
        [
            ListedEntity("hand", p.entity_id, p.schema, p.names, p.countries, entity_keys(p.schema, p.names))
            for p in parsed.parties
        ]
    )


@pytest.mark.parametrize("case", CASES["pairs"], ids=lambda c: f"{c['query']}→{c['entity']}:{c['label']}")
def test_hand_made_case(index, case):
    found = {m.entity.entity_id: m.score for m in index.screen(case["query"], THRESHOLD)}
    if case["label"] == "match":
        assert case["entity"] in found, f"{case['why']}: not found"
    else:
        assert case["entity"] not in found, f"{case['why']}: matched at {found.get(case['entity'])}"


def test_the_hand_made_set_has_both_labels_and_enough_cases():
    labels = [c["label"] for c in CASES["pairs"]]
    assert labels.count("match") >= 30 and labels.count("non-match") >= 12
