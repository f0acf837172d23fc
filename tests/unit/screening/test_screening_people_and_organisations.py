"""Screening people and organisations as sanctions lists name them: name parts, legal forms,
scripts, evidence (birth date, country, weak alias) and the explanation of every match."""

from __future__ import annotations

import pytest

from reetrace.screening import ListedEntity, ScreeningIndex, entity_keys
from reetrace.screening.evidence import dates_agree, weigh
from reetrace.screening.legal import kinds_differ, legal_kind
from reetrace.screening.parts import skeleton

THRESHOLD = 0.8


def entity(entity_id, schema, names, countries=(), props=None, birth_dates=(), tags=()):
    names = tuple(names)
    return ListedEntity(
        "list",
        entity_id,
        schema,
        names,
        tuple(countries),
        entity_keys(schema, names),
        tuple(props or ("name",) * len(names)),
        tuple(birth_dates),
        tuple(tags),
    )


@pytest.fixture(scope="module")
def index():
    return ScreeningIndex(
        [
            entity("friedrich", "Person", ["Hans Joachim Friedrich"], ["de"]),
            entity("scholz", "Person", ["Olaf Scholz"], ["de"], birth_dates=["1958-06-14"]),
            entity("kim", "Person", ["Kim Jong-un", "김정은"], ["kp"]),
            entity("xi", "Person", ["Xi Jinping", "习近平"], ["cn"]),
            entity("binali", "Person", ["Shaikh Isa Bin Tarif Al Bin Ali"], ["bh"]),
            entity("qadhafi", "Person", ["Muammar Muhammad Abu Minyar al-QADHAFI"], ["ly"], birth_dates=["1942"]),
            entity("putin", "Person", ["Vladimir Vladimirovich PUTIN", "Владимир Владимирович Путин"], ["ru"]),
            entity("lee", "Person", ["이재명", "Lee Jae-myung"], ["kr"]),
            entity("takaichi", "Person", ["高市早苗"], ["jp"]),
            entity("wang", "Person", ["王小明"], ["cn"]),
            entity("abu-ali", "Person", ["Ahmad Salim al-Harbi", "Abu Ali"], ["sa"], ["name", "weakAlias"]),
            entity("siemens", "Company", ["Siemens AG"], ["de"]),
            entity("aramco", "Company", ["Saudi Arabian Oil Company"], ["sa"]),
            entity("crcc", "Company", ["China Railway Construction Corporation Limited"]),
            entity("db", "Company", ["Deutsche Bank AG"], ["de"]),
            entity("fund", "Company", ["Alpha Growth Fund 1 Ltd"]),
            entity("rosneft", "Company", ["OOO Rosneft"], ["ru"]),
        ]
    )


def found(index, query, **kwargs):
    return {m.entity.entity_id: m for m in index.screen(query, THRESHOLD, **kwargs)}


@pytest.mark.parametrize(
    "query, entity_id",
    [
        ("Hans J Friedrich", "friedrich"),  # an initial
        ("Olaf Schulze", "scholz"),  # a surname spelt as it sounds
        ("Kim Joonng-un", "kim"),  # a typo beyond a letter, the same sound
        ("Shi Jinping", "xi"),  # a known variant of the family name
        ("Hsi Chin-p'ing", "xi"),  # Wade-Giles
        ("AL BEN ALI, Isa Ben Tarif", "binali"),  # "Surname, Given", Ben for Bin, the honorific left out
        ("Muammar Gaddafi", "qadhafi"),  # transliteration, middle names left out
        ("PUTIN, Vladimir", "putin"),
        ("Владимир Путин", "putin"),  # Cyrillic, the patronymic left out
        ("Haji Ahmad Salim al-Harbi", "abu-ali"),  # a title before the name
        ("SiemensAG", "siemens"),  # the company form run together
        ("Siemens Aktiengesellschaft", "siemens"),  # the form written out
        ("Rosneft LLC", "rosneft"),  # the form translated and moved
    ],
)
def test_the_listed_name_is_found_however_written(index, query, entity_id):
    assert entity_id in found(index, query)


@pytest.mark.parametrize(
    "query, entity_id",
    [
        ("Saudi Arabian Gas Company", "aramco"),  # another distinctive word, generic words alike
        ("China Railway Constructors Corporation", "crcc"),  # more than a slip apart
        ("이재형", "lee"),  # one syllable of a short Hangul name
        ("高石早苗", "takaichi"),  # one character of a short Kanji name, though read alike
        ("Deutsche Bank GmbH", "db"),  # another kind of company form
        ("Alpha Growth Fund 2 Ltd", "fund"),  # another number
        ("Kim Jong-nam", "kim"),  # another given name of the same family
        ("Hans Peter Friedrich", "friedrich"),
    ],
)
def test_a_different_party_with_a_similar_name_is_not_matched(index, query, entity_id):
    assert entity_id not in found(index, query)


def test_a_namesake_born_another_year_is_not_the_listed_person(index):
    assert "scholz" in found(index, "Olaf Scholz", birth_date="1958")
    assert "scholz" in found(index, "Olaf Scholz", birth_date="1958-06-14")
    other = found(index, "Olaf Scholz", birth_date="1971-02-03")
    assert "scholz" not in other
    match = index.screen("Olaf Scholz", 0.1, birth_date="1971-02-03")[0]
    adjustment = match.explanation()["adjustments"][0]
    assert adjustment == {"by": "birth_date", "effect": -0.3, "query": "1971-02-03", "listed": ["1958-06-14"]}


def test_the_same_birth_date_raises_a_close_name():
    score, moves = weigh(
        0.78,
        person=True,
        name_property="name",
        listed_name="X",
        birth_date="1958-06-14",
        birth_dates=["1958-06-14"],
        country=None,
        countries=[],
    )
    assert score == pytest.approx(0.83) and moves[0].by == "birth_date_agrees"
    assert dates_agree("1958", "1958-06-14") and not dates_agree("1958-07", "1958-06-14")


def test_a_country_mismatch_costs_a_tenth_and_says_so(index):
    same = found(index, "Olaf Scholz", country="de")["scholz"]
    other = found(index, "Olaf Scholz", country="at")["scholz"]
    assert same.score == 1.0 and other.score == 0.9
    assert other.explanation()["adjustments"][0]["by"] == "nationality"


def test_a_weak_alias_counts_for_less(index):
    match = found(index, "Abu Ali")["abu-ali"]
    assert match.score == 0.85
    assert match.explanation()["name"]["alias"] == "weakAlias"
    assert match.explanation()["adjustments"][0]["by"] == "weak_alias"


def test_every_match_explains_its_parts(index):
    explanation = found(index, "Hans J Friedrich")["friedrich"].explanation()
    name = explanation["name"]
    assert name["how"] == "parts" and name["listed"] == "Hans Joachim Friedrich"
    matches = {(p["query"], p["listed"]): p["match"] for p in name["parts"]}
    assert matches == {("hans", "hans"): "same", ("j", "joachim"): "initial", ("friedrich", "friedrich"): "same"}
    assert found(index, "Wang Xiaoming")["wang"].explanation()["name"]["how"] == "reading"
    assert found(index, "習近平")["xi"].explanation()["name"]["how"] == "script"
    assert index.screen("高石早苗", 0.1)[0].explanation()["name"]["how"] == "script"


def test_wade_giles_is_read_in_pinyin():
    from reetrace.screening.chinese import wade_giles_readings

    assert "xi jinping" in wade_giles_readings("Hsi Chin-p'ing")
    assert "mao zedong" in wade_giles_readings("Mao Tse-tung")
    assert wade_giles_readings("Wang Xiaoming") == () and wade_giles_readings("Hans Friedrich") == ()


def test_legal_forms_by_kind():
    assert legal_kind("Deutsche Bank AG") == "stock" and legal_kind("OOO Rosneft") == "limited"
    assert kinds_differ("Deutsche Bank AG", "Deutsche Bank GmbH")
    assert kinds_differ("Acme GmbH", "Acme GmbH & Co. KG")
    assert not kinds_differ("Acme Co., Ltd.", "Acme K.K.")  # Co., Ltd. says little of the kind
    assert not kinds_differ("Acme Pvt. Ltd.", "Acme Private Limited")


@pytest.mark.parametrize(
    "a, b, alike",
    [
        ("gaddafi", "qadhafi", True),
        ("schulze", "scholz", True),
        ("majid", "maged", True),
        ("economou", "oikonomou", True),
        ("semenko", "semenov", False),
        ("tehranchi", "tehrani", False),
    ],
)
def test_sound_skeletons(a, b, alike):
    assert (skeleton(a) == skeleton(b)) is alike


def test_a_listed_birth_date_is_kept_only_when_it_is_a_date():
    from reetrace.screening.ftm import birth_date

    assert [birth_date(v) for v in ("1952", "1952-10", "1952-10-07", "1952-10-07T00:00:00")] == [
        "1952",
        "1952-10",
        "1952-10-07",
        "1952-10-07",
    ]
    assert [birth_date(v) for v in ("1960/1961", "circa 1960", "1952-13", "")] == [None, None, None, None]
