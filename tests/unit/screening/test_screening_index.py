"""The index finds candidates without a scan (a typo, another order, another script among
thousands of similar names), reports every entity at or above the threshold, best first, with
the name that matched, and weighs a country mismatch."""

from __future__ import annotations

import random

import pytest

from reetrace.screening import ListedEntity, ScreeningIndex, entity_keys

TRADES = ["Jinlong", "Jinli", "Yunhai", "Hengda", "Xinda", "Ruitong", "Hongyuan", "Taifeng", "Huaxin", "Dingsheng"]
PLACES = ["Baotou", "Ganzhou", "Ningbo", "Xiamen", "Suzhou", "Chengdu", "Hangzhou", "Nanchang"]
TRADES_OF = ["Rare Earth", "Magnetic Materials", "New Material Technology", "Trading", "Nonferrous Metals"]


def listed(entity_id: str, *names: str, schema: str = "Company", countries: tuple[str, ...] = ("cn",)) -> ListedEntity:
    return ListedEntity("test", entity_id, schema, names, countries, entity_keys(schema, names))


@pytest.fixture(scope="module")
def crowded() -> ScreeningIndex:
    """Every place × trade name × trade: 400 firms with the same few words, and the target."""
    rng = random.Random(7)
    entities = [
        listed(f"e{i}", f"{place} {trade} {what} Co., Ltd.")
        for i, (place, trade, what) in enumerate((p, t, w) for p in PLACES for t in TRADES for w in TRADES_OF)
    ]
    rng.shuffle(entities)
    entities.append(
        listed("target", "Ningbo Yunsheng Magnetic Materials Technology Co., Ltd.", "宁波韵升磁材科技有限公司")
    )
    entities.append(listed("person", "WANG Xiaoming", "王小明", schema="Person"))
    return ScreeningIndex(entities)


@pytest.mark.parametrize(
    "query",
    [
        "Ningbo Yunsheng Magnetic Materials Technology",
        "寧波韻升",
        "Yunsheng (Ningbo)",
        "Ningbo Yunshegn Magnetic",
        "ningboyunsheng",
        "NINGBO YUNSHENG CO LTD",
    ],
)
def test_the_target_is_found_among_similar_names(crowded, query):
    matches = crowded.screen(query, 0.8)
    assert "target" in [m.entity.entity_id for m in matches]


def test_matches_are_every_entity_at_or_above_the_threshold_best_first(crowded):
    matches = crowded.screen("Baotou Jinlong Rare Earth", 0.8)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0
    assert all(s >= 0.8 for s in scores)
    ids = {m.entity.entity_id for m in matches}
    # the same firm under its other trades scores 1 on the trade name: all five Baotou Jinlong firms
    assert len(ids) == len(TRADES_OF)
    lower = {m.entity.entity_id for m in crowded.screen("Baotou Jinlong Rare Earth", 0.5)}
    assert ids < lower  # a lower threshold reports more (Jinli, other cities) and keeps these


def test_the_name_that_matched_is_reported(crowded):
    match = crowded.screen("宁波韵升", 0.8)[0]
    assert match.entity.entity_id == "target" and match.name == "宁波韵升磁材科技有限公司"
    assert crowded.screen("Xiaoming Wang", 0.8)[0].name == "WANG Xiaoming"


def test_nothing_for_a_different_firm(crowded):
    assert [m.entity.entity_id for m in crowded.screen("Ningbo Jinji Magnetic Materials Technology", 0.8)] == []


def test_a_country_mismatch_lowers_the_score_by_a_tenth(crowded):
    same = crowded.screen("Ningbo Yunsheng", 0.5, country="CN")[0]
    other = crowded.screen("Ningbo Yunsheng", 0.5, country="us")[0]
    assert same.score == 1.0 and other.score == 0.9


def test_an_empty_index_finds_nothing():
    assert ScreeningIndex([]).screen("Ningbo Yunsheng", 0.8) == []


def test_every_match_is_reported_however_many_there_are():
    cities = [
        "Baotou",
        "Ganzhou",
        "Ningbo",
        "Xiamen",
        "Suzhou",
        "Chengdu",
        "Hangzhou",
        "Nanchang",
        "Beijing",
        "Shanghai",
        "Tianjin",
        "Wuhan",
        "Changsha",
        "Hefei",
        "Jinan",
        "Qingdao",
        "Yantai",
        "Zibo",
        "Leshan",
        "Longyan",
        "Wuxi",
        "Changzhou",
        "Nanjing",
        "Guangzhou",
        "Shenzhen",
    ]
    index = ScreeningIndex(
        [listed(f"{city}-{what}", f"{city} Jinlong {what} Co., Ltd.") for city in cities for what in TRADES_OF]
    )
    matches = index.screen("Jinlong", 0.8)  # no place, no trade: every Jinlong is a match
    assert len(matches) == len(cities) * len(TRADES_OF) > 100
