"""The world screening set (`bench/data/screening_world_*.jsonl`) is what its generator writes,
and is the set the benchmark describes: every pair names a listed entity, at least 1,000 pairs,
about 45/35/20 % person, company and organisation, half of them non-matches, every shape with
pairs, the hand-written cases all in."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
SHAPES = {
    "person": {
        "transliteration",
        "native-script",
        "order",
        "middle-missing",
        "initials",
        "particles",
        "honorific",
        "nickname",
        "typo",
        "alias",
        "neg-family-similar",
        "neg-given-different",
        "neg-one-char",
        "neg-father-different",
        "neg-maternal-different",
        "neg-birth-date",
        "neg-nationality",
        "hand",
    },
    "company": {
        "form-written-out",
        "form-omitted",
        "concatenated",
        "abbreviation",
        "typo",
        "alias",
        "case-and-order",
        "form-position",
        "native-script",
        "transliteration",
        "neg-legal-form",
        "neg-distinctive-swap",
        "neg-generic-only",
        "neg-number",
        "neg-one-char",
        "hand",
    },
    "organisation": {
        "other-writing",
        "native-script",
        "typo",
        "transliteration",
        "alias",
        "particles",
        "abbreviation",
        "neg-other-country",
        "neg-other-body",
        "neg-distinctive-swap",
        "neg-number",
        "neg-acronym",
        "hand",
    },
}


@pytest.fixture(scope="module")
def generator():
    sys.path.insert(0, str(BENCH))  # the generator imports its sibling screening_data, as the bench runs it
    try:
        return importlib.import_module("screening_world_data")
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def world():
    data = BENCH / "data"
    entities = [json.loads(line) for line in (data / "screening_world_entities.ftm.jsonl").open(encoding="utf-8")]
    pairs = [json.loads(line) for line in (data / "screening_world_pairs.jsonl").open(encoding="utf-8")]
    return entities, pairs


def test_the_committed_files_are_what_the_generator_writes(generator, tmp_path):
    for written in generator.write(tmp_path):
        assert written.read_bytes() == (BENCH / "data" / written.name).read_bytes(), written.name


def test_every_pair_names_a_listed_entity_of_its_category(world):
    entities, pairs = world
    schema = {e["id"]: e["schema"] for e in entities}
    assert len(schema) == len(entities), "entity ids are unique"
    category = {"Person": "person", "Company": "company", "Organization": "organisation"}
    for p in pairs:
        assert p["entity"] in schema, p
        assert category[schema[p["entity"]]] == p["category"], p
        assert isinstance(p["match"], bool) and p["query"].strip() and p["shape"], p


def test_entities_are_followthemoney_entities(world):
    entities, _ = world
    allowed = {"name", "alias", "weakAlias", "firstName", "lastName", "birthDate", "nationality", "country"}
    for e in entities:
        assert e["schema"] in ("Person", "Company", "Organization"), e
        props = e["properties"]
        assert props["name"] and set(props) <= allowed, e
        assert all(isinstance(v, list) and all(isinstance(s, str) and s for s in v) for v in props.values()), e
        assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", d) for d in props.get("birthDate", [])), e
        assert all(re.fullmatch(r"[a-z]{2}", c) for c in props.get("country", []) + props.get("nationality", [])), e


def test_counts_and_shares_are_as_stated(world, generator):
    _, pairs = world
    assert len(pairs) >= 1000
    by_category = Counter(p["category"] for p in pairs)
    for category, share in generator.SHARES.items():
        assert abs(by_category[category] / len(pairs) - share) < 0.02, (category, by_category)
        chosen = [p for p in pairs if p["category"] == category]
        assert abs(sum(not p["match"] for p in chosen) / len(chosen) - 0.5) < 0.03, category
    assert abs(sum(not p["match"] for p in pairs) / len(pairs) - 0.5) < 0.02
    for p in pairs:
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", p.get("birth_date", "2000")), p
        assert re.fullmatch(r"[a-z]{2}", p.get("country", "xx")), p


def test_every_shape_has_pairs(world):
    _, pairs = world
    shapes = Counter((p["category"], p["shape"]) for p in pairs)
    for category, expected in SHAPES.items():
        found = {s for c, s in shapes if c == category}
        assert found == expected, (category, found ^ expected)
        for shape in expected:
            assert shapes[category, shape] >= (8 if shape == "hand" else 20), (category, shape)


def test_the_hand_written_cases_are_all_in(world):
    entities, pairs = world
    hand = json.loads((BENCH / "data" / "screening_world_hand.json").read_text(encoding="utf-8"))
    assert len(hand["pairs"]) >= 40
    ids = {e["id"] for e in entities}
    assert {e["id"] for e in hand["entities"]} <= ids
    merged = {(p["query"], p["entity"], p["match"]) for p in pairs if p["shape"] == "hand"}
    assert merged == {(p["query"], p["entity"], p["match"]) for p in hand["pairs"]}
