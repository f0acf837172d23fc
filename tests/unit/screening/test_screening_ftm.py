"""Reading FollowTheMoney JSON lines: names from name, alias, weakAlias and previousName (the
caption, or a person's first and last names, when there is none), countries, other schemas
counted; any bad line stops the reading with its number."""

from __future__ import annotations

import json

import pytest

from reetrace.screening.ftm import ListFormatError, read_entities


def lines(*docs: object) -> enumerate:
    return enumerate(((d if isinstance(d, str) else json.dumps(d, ensure_ascii=False)).encode() for d in docs), 1)


def test_names_countries_and_skipped_schemas():
    parsed = read_entities(
        lines(
            {
                "id": "a",
                "schema": "Company",
                "properties": {
                    "name": ["Foo Ltd"],
                    "alias": ["富有限公司", "Foo Ltd"],
                    "weakAlias": ["Foo"],
                    "previousName": ["Old Foo"],
                    "country": ["CN"],
                    "jurisdiction": ["hk"],
                },
            },
            "",
            {"id": "b", "schema": "Person", "properties": {"firstName": ["Ivan"], "lastName": ["Petrov"]}},
            {"id": "c", "schema": "LegalEntity", "caption": "Bar", "properties": {}},
            {"id": "d", "schema": "Vessel", "properties": {"name": ["Sea Star"]}},
            {"id": "e", "schema": "Organization", "properties": {"notes": ["no name"]}},
        )
    )
    assert [(p.entity_id, p.names, p.countries) for p in parsed.parties] == [
        ("a", ("Foo Ltd", "富有限公司", "Foo", "Old Foo"), ("cn", "hk")),
        ("b", ("Ivan Petrov",), ()),
        ("c", ("Bar",), ()),
    ]
    assert parsed.skipped == {"Vessel": 1, "Organization without a name": 1}


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"schema": "Company", "properties": {}}', "'id' must be a non-empty string"),
        ('{"id": "x", "schema": "", "properties": {}}', "'schema' must be a non-empty string"),
        ('{"id": "x", "schema": "Company", "properties": []}', "'properties' must be an object"),
        (
            '{"id": "x", "schema": "Company", "properties": {"name": "Foo"}}',
            "property 'name' must be a list of strings",
        ),
        ('{"id": "a", "schema": "Company", "properties": {}}', "entity 'a' appears again (first on line 1)"),
    ],
)
def test_a_bad_line_is_named_by_its_number(bad, reason):
    with pytest.raises(ListFormatError) as caught:
        read_entities(lines({"id": "a", "schema": "Company", "properties": {"name": ["A"]}}, bad))
    assert caught.value.line == 2
    assert str(caught.value).startswith(f"line 2: {reason}")


def test_a_line_that_is_not_utf8():
    with pytest.raises(ListFormatError, match="line 1: not UTF-8"):
        read_entities(iter([(1, b"\xff\xfe")]))
