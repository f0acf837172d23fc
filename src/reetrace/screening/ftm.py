"""Reading a restricted-party list in FollowTheMoney JSON lines, as OpenSanctions publishes:
one entity a line, `{"id", "schema", "properties": {"name": [...], "alias": [...], ...}}`.

Entities of the screened schemas keep their names (name, alias, weakAlias, previousName; the
caption, or a person's first and last names, when there is no name) with the property each came
from, their countries, their birth dates (`birthDate`, as far as it is given: 1952, 1952-10 or
1952-10-07) and their name parts (firstName, lastName, fatherName …); the others are counted by
schema. Any line that is not such an entity stops the reading with its number; a birth date that
is no date is left out, as lists write "circa 1960" or "1960/1961" too (neither says which year
to hold a namesake's against).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reetrace.screening.index import SCREENED_SCHEMAS
from reetrace.screening.parts import NAME_PART_PROPERTIES, PartTags, part_tags

NAME_PROPERTIES = ("name", "alias", "weakAlias", "previousName")
COUNTRY_PROPERTIES = ("country", "jurisdiction", "nationality", "citizenship", "mainCountry")
_DATE = re.compile(r"(\d{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?(?=T|$)")


class ListFormatError(ValueError):
    """A line of a list file is not a FollowTheMoney entity."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line


@dataclass(frozen=True, slots=True)
class ListedParty:
    """A screened entity as the file gives it."""

    entity_id: str
    schema: str
    names: tuple[str, ...]
    countries: tuple[str, ...]
    name_props: tuple[str, ...] = ()  # the property each name came from
    birth_dates: tuple[str, ...] = ()
    tags: PartTags = ()

    def details(self) -> dict[str, Any]:
        return {"props": list(self.name_props), "birth_dates": list(self.birth_dates), "tags": self.tags}


@dataclass
class ParsedList:
    parties: list[ListedParty] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # schema (or "<schema> without a name") → count


def _strings(properties: dict[str, Any], key: str, line: int) -> list[str]:
    values = properties.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ListFormatError(line, f"property {key!r} must be a list of strings")
    return [v.strip() for v in values if v.strip()]


def _names(entity: dict[str, Any], properties: dict[str, Any], line: int) -> dict[str, str]:
    """The entity's names, each with the property it came from (the first, if several)."""
    names: dict[str, str] = {}
    for key in NAME_PROPERTIES:
        for name in _strings(properties, key, line):
            names.setdefault(name, key)
    if not names and isinstance(entity.get("caption"), str) and entity["caption"].strip():
        names[entity["caption"].strip()] = "name"
    if not names and entity["schema"] == "Person":
        for first in _strings(properties, "firstName", line):
            for last in _strings(properties, "lastName", line):
                names[f"{first} {last}"] = "name"
    return names


def birth_date(text: str) -> str | None:
    """A birth date as far as it is given (YYYY, YYYY-MM or YYYY-MM-DD), or None."""
    found = _DATE.match(text.strip())  # up to a time of day, if one follows
    return found.group(0) if found else None


def parse_entity(text: str, line: int) -> dict[str, Any] | None:
    """One line as an entity (None for a blank line); raises ListFormatError."""
    if not text.strip():
        return None
    try:
        entity = json.loads(text)
    except ValueError as exc:
        raise ListFormatError(line, f"not JSON ({exc})") from None
    if not isinstance(entity, dict):
        raise ListFormatError(line, "not a JSON object")
    for key in ("id", "schema"):
        if not isinstance(entity.get(key), str) or not entity[key].strip():
            raise ListFormatError(line, f"{key!r} must be a non-empty string")
    if not isinstance(entity.get("properties", {}), dict):
        raise ListFormatError(line, "'properties' must be an object")
    return entity


def read_entities(lines: Iterator[tuple[int, bytes]]) -> ParsedList:
    """Parse numbered lines of a list file; raises ListFormatError naming the first bad line."""
    parsed = ParsedList()
    first_line: dict[str, int] = {}
    for number, raw in lines:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ListFormatError(number, "not UTF-8") from None
        entity = parse_entity(text, number)
        if entity is None:
            continue
        entity_id, schema = entity["id"].strip(), entity["schema"].strip()
        if entity_id in first_line:
            raise ListFormatError(number, f"entity {entity_id!r} appears again (first on line {first_line[entity_id]})")
        first_line[entity_id] = number
        properties = entity.get("properties", {})
        if schema not in SCREENED_SCHEMAS:
            parsed.skipped[schema] += 1
            continue
        names = _names(entity, properties, number)
        if not names:
            parsed.skipped[f"{schema} without a name"] += 1
            continue
        countries: dict[str, None] = {}
        for key in COUNTRY_PROPERTIES:
            countries.update(dict.fromkeys(c.lower() for c in _strings(properties, key, number)))
        born = dict.fromkeys(d for d in map(birth_date, _strings(properties, "birthDate", number)) if d)
        tags = part_tags({p: _strings(properties, p, number) for p in NAME_PART_PROPERTIES})
        parsed.parties.append(
            ListedParty(entity_id, schema, tuple(names), tuple(countries), tuple(names.values()), tuple(born), tags)
        )
    return parsed
