"""Names as keys: Chinese (simplified, traditional), Pinyin (spaced, joined, tones, any case) and
English forms of one firm give the same distinctive words, generic concepts and places; company
forms go; a person's name is all distinctive words."""

from __future__ import annotations

import pytest

from reetrace.screening import NameKey, org_keys, person_keys
from reetrace.screening.chinese import pinyin, simplified, split_syllables
from reetrace.screening.normalise import KEYS_VERSION

YUNSHENG = NameKey(("yunsheng",), frozenset({"magnet", "material", "tech"}), frozenset({"ningbo"}))


def key(name: str) -> NameKey:
    return org_keys(name)[0]


def plain(k: NameKey) -> NameKey:
    """The key without the characters it was read from."""
    return NameKey(k.distinct, k.generic, k.places)


@pytest.mark.parametrize(
    "name",
    [
        "宁波韵升磁材科技有限公司",
        "寧波韻升磁材科技有限公司",  # traditional
        "Ningbo Yunsheng Magnetic Materials Technology Co., Ltd.",
        "NINGBO YUNSHENG MAGNETIC MATERIALS TECHNOLOGY COMPANY LIMITED",
        "Ningbo Yunsheng Magnetic Material Tech Co. Ltd",
        "ningbo yunsheng ci cai ke ji you xian gong si",
        "Ningbo Yunsheng Cicai Keji Youxian Gongsi",
        "NINGBOYUNSHENGCICAIKEJI",
        "Níngbō Yùnshēng cícái kējì",
        "ning2bo1 yun4sheng1 ci2cai2 ke1ji4",
        "Yunsheng (Ningbo) Magnetic Materials Science & Technology Co., Ltd.",
    ],
)
def test_every_writing_of_one_firm_gives_one_key(name):
    assert plain(key(name)) == YUNSHENG


def test_chinese_keeps_the_characters_of_the_distinctive_part():
    assert key("宁波韵升磁材科技有限公司").hanzi == "韵升"
    assert key("Ningbo Yunsheng").hanzi == ""


def test_generic_words_are_concepts_whatever_the_language():
    assert key("江西金力永磁科技股份有限公司") == NameKey(
        ("jinli",), frozenset({"magnet", "tech"}), frozenset({"jiangxi"}), "金力"
    )
    assert key("JL MAG RARE-EARTH CO., LTD.").generic == {"magnet", "rareearth"}
    assert key("Beifang Xitu").distinct == key("北方稀土").distinct == ("northern",)  # a standard translation
    assert key("China Northern Rare Earth (Group) High-Tech Co., Ltd.").distinct == ("northern",)


def test_a_name_of_generic_words_and_a_place_has_no_distinctive_word():
    assert plain(key("厦门钨业股份有限公司")) == NameKey((), frozenset({"tungsten"}), frozenset({"xiamen"}))
    assert key("Xiamen Tungsten Co., Ltd.").places == {"xiamen"}


@pytest.mark.parametrize(
    "name, distinct",
    [
        ("Solvay SA", ("solvay",)),
        ("Siemens GmbH", ("siemens",)),
        ("OOO Uralredmet", ("uralredmet",)),
        ("Joint Stock Company Uralredmet", ("uralredmet",)),
        ("Heng Yu Co., Ltd.", ("heng", "yu")),  # yu is an org type in rigour's table, and a syllable here
        ("Ningbo Yunsheng Co., Ldt.", ("yunsheng",)),  # a typo in the form
    ],
)
def test_company_forms_go_from_either_end(name, distinct):
    assert key(name).distinct == distinct


@pytest.mark.parametrize(
    "typo, right",
    [
        ("Ningbo Yunsheng Magentic Materails Technolgy", "Ningbo Yunsheng Magnetic Materials Technology"),
        ("Guangzho Hengyi Rar Earths", "Guangzhou Hengyi Rare Earths"),
        ("Wuhaan Xunke Electronic", "Wuhan Xunke Electronic"),
    ],
)
def test_generic_words_and_places_are_found_through_a_typo(typo, right):
    assert key(typo) == key(right)


def test_pinyin_that_is_near_a_place_stays_a_trade_name():
    assert key("Ningbo Yunsheng").distinct == ("yunsheng",)  # not the city Yuncheng, one letter away


def test_spaced_pinyin_is_split_at_the_vocabulary_words_that_fit_best():
    assert plain(key("tai yuan tong guang xi tu")) == NameKey(
        ("tong", "guang"), frozenset({"rareearth"}), frozenset({"taiyuan"})
    )


def test_an_unknown_county_before_the_trade_name_is_also_read_as_a_place():
    keys = org_keys("磐安凯宸鹏永磁材料有限公司")
    assert [k.distinct for k in keys] == [("panankaichenpeng",), ("kaichenpeng",)]
    assert keys[1].places == {"panan"}


def test_a_trade_name_read_like_a_place_is_also_read_as_a_trade_name():
    keys = org_keys("Taiyuan Yantai Import & Export")  # 焱泰 reads Yantai, as the city 烟台
    assert ("yantai",) in [k.distinct for k in keys]


def test_person_names_split_after_the_family_name():
    assert person_keys("王小明")[0].distinct == ("wang", "xiaoming")
    assert person_keys("歐陽建國")[0].distinct == ("ouyang", "jianguo")
    assert person_keys("曾小明")[0].distinct == ("zeng", "xiaoming")  # 曾 as a family name
    assert person_keys("Mr. WANG Xiao-ming")[0].distinct == ("wang", "xiao", "ming")


def test_chinese_helpers():
    assert simplified("廈門鎢業") == "厦门钨业"
    assert pinyin("厦门") == ("xia", "men")  # pypinyin's phrase reading, not sha men
    assert pinyin("晟", as_name=True) == ("sheng",) and pinyin("晟") == ("cheng",)
    assert split_syllables("yunsheng") == ("yun", "sheng")
    assert split_syllables("yunshegn") is None and split_syllables("magnet") is None
    assert split_syllables("wuhaan") is None  # a vowel syllable does not follow another in one word


def test_key_survives_json_and_the_version_is_stable():
    for k in org_keys("宁波韵升磁材科技有限公司") + person_keys("王小明"):
        assert NameKey.from_json(k.as_json()) == k
    assert len(KEYS_VERSION) == 16


def test_a_company_form_alone_is_no_name():
    assert org_keys("有限公司") == [] and org_keys("Co., Ltd.") == [] and org_keys("  ") == []
    assert key("金力公司").distinct == ("jinli",)
