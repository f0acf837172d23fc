"""Scores: the distinctive words decide; generic words and places add a little; a different
place, or another trade name sharing a syllable, is another firm; typos and word order are not."""

from __future__ import annotations

import pytest

from reetrace.screening import org_keys, person_keys, score
from reetrace.screening.score import places_agree, word_similarity

THRESHOLD = 0.8


def org(a: str, b: str) -> float:
    return max(score(x, y) for x in org_keys(a) for y in org_keys(b))


def person(a: str, b: str) -> float:
    return max(score(x, y) for x in person_keys(a) for y in person_keys(b))


@pytest.mark.parametrize(
    "query, listed",
    [
        ("宁波韵升磁材科技有限公司", "Ningbo Yunsheng Magnetic Materials Technology Co., Ltd."),
        ("寧波韻升", "Ningbo Yunsheng Co., Ltd."),
        ("ningbo yun sheng", "Ningbo Yunsheng Co., Ltd."),
        ("Ningbo Yunsheng", "宁波韵升磁材科技有限公司"),
        ("Yunsheng Magnetic", "Ningbo Yunsheng Magnetic Materials Technology Co., Ltd."),
        ("Jiangxi Jinli Permanent Magnet", "江西金力永磁科技股份有限公司"),
        ("Ganzhou Jinli Permanent Magnet", "江西金力永磁科技股份有限公司"),  # a city of the province given
        ("Beijing Zhongke Sanhuan", "北京中科三环高技术股份有限公司"),
        ("San Huan Zhong Ke", "Beijing Zhong Ke San Huan Hi-Tech Co., Ltd."),
    ],
)
def test_the_same_firm_in_another_script_order_or_form_matches(query, listed):
    assert org(query, listed) >= 0.9


@pytest.mark.parametrize(
    "query, listed",
    [
        ("Ningbo Yunshemg Magnetic Materials", "Ningbo Yunsheng Magnetic Materials Technology Co., Ltd."),
        ("Ningbo Yunsehng", "Ningbo Yunsheng Co., Ltd."),
        ("Lynas Rare Earhts", "Lynas Rare Earths Ltd"),
        ("Ningbo Yunsheng Magnetic Materails Technolgy Co Ltd", "宁波韵升磁材科技有限公司"),
    ],
)
def test_a_typo_still_matches(query, listed):
    assert org(query, listed) >= THRESHOLD


@pytest.mark.parametrize(
    "query, listed",
    [
        ("Ningbo Jinji Magnetic Materials Technology", "Ningbo Yunsheng Magnetic Materials Technology Co., Ltd."),
        ("包头金龙稀土有限公司", "厦门金龙稀土有限公司"),  # same trade name, another city
        ("Baotou Jinli Rare Earth", "Baotou Jinlong Rare Earth Co., Ltd."),  # one syllable of two shared
        ("Huaxing International Trading", "Hong Kong Huaxin International Trading Co., Limited"),  # 华兴, 华鑫
        ("China Southern Rare Earth Group", "China Rare Earth Group Co., Ltd."),
        ("China Rare Earth Holdings Limited", "China Rare Earth Group Co., Ltd."),
        ("Xiamen Rare Earth", "Xiamen Tungsten Co., Ltd."),
        ("Rare Earth Co., Ltd.", "Ningbo Yunsheng Rare Earth Co., Ltd."),  # no trade name: not this firm
        ("Lynx Resources", "Lynas Rare Earths Ltd"),
    ],
)
def test_another_firm_with_a_similar_name_does_not_match(query, listed):
    assert org(query, listed) < THRESHOLD


def test_generic_words_weigh_far_less_than_the_trade_name():
    same_trade = org("Ningbo Yunsheng Trading", "Ningbo Yunsheng Magnetic Materials Technology Co., Ltd.")
    same_generic = org("Ningbo Jinji Magnetic Materials Technology", "Ningbo Yunsheng Magnetic Materials Technology")
    assert same_trade >= 0.85 > THRESHOLD > 0.5 > same_generic


def test_a_place_conflict_costs_a_fifth():
    with_place = org("包头金龙稀土", "包头金龙稀土有限公司")
    other_place = org("厦门金龙稀土", "包头金龙稀土有限公司")
    assert with_place == 1.0
    assert other_place == pytest.approx(with_place / 1.1 * 0.8, abs=0.01)  # place agreement lost, then a fifth


def test_places_agree_by_province():
    assert places_agree(frozenset({"ganzhou"}), frozenset({"jiangxi"})) is True
    assert places_agree(frozenset({"jiangxi", "ganzhou"}), frozenset({"nanchang"})) is False
    assert places_agree(frozenset({"baotou"}), frozenset()) is None


def test_word_similarity_ignores_order_and_spacing_and_reads_pinyin_by_syllable():
    assert word_similarity(("jin", "long"), ("jinlong",)) == 1.0
    assert word_similarity(("sanhuan", "zhongke"), ("zhong", "ke", "san", "huan")) == 1.0
    assert word_similarity(("jinli",), ("jinlong",)) == 0.5  # jin shared, li is not long
    assert word_similarity(("yunshemg",), ("yunsheng",)) == pytest.approx(0.875)  # a typo is no Pinyin


def test_chinese_homophones_score_high_but_not_one():
    assert 0.9 <= org("包头金隆稀土", "包头金龙稀土") < 1.0


@pytest.mark.parametrize(
    "query, listed",
    [
        ("王小明", "WANG Xiaoming"),
        ("Xiaoming Wang", "WANG Xiaoming"),
        ("Wang Xiao Ming", "王小明"),
        ("歐陽建國", "OUYANG Jianguo"),
        ("Ivan Petrov", "PETROV, Ivan"),
        ("Ivan Petrov", "Ivan Ivanovich Petrov"),
        ("Ivan Petorv", "Ivan Petrov"),
    ],
)
def test_persons_match_across_scripts_and_orders(query, listed):
    assert person(query, listed) >= THRESHOLD


@pytest.mark.parametrize(
    "query, listed",
    [
        ("王小平", "WANG Xiaoming"),
        ("Wang Ming", "Wang Xiao Ming"),
        ("Zhao Chaoyang", "吴超洋"),
        ("Alexei Kozlovsky", "Alexei Kozlov"),
        ("Ivan Petrenko", "Ivan Ivanovich Petrov"),
    ],
)
def test_other_persons_do_not_match(query, listed):
    assert person(query, listed) < THRESHOLD


def test_a_person_never_matches_a_company_key():
    assert max(score(x, y) for x in person_keys("Jinlong") for y in org_keys("Jinlong Trading")) == 1.0
    assert score(person_keys("Jinlong")[0], org_keys("Xiamen Tungsten")[0]) == 0.0
