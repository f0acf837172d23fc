"""An in-memory index over the listed entities' name keys, and screening one name against it.

Candidates come from an inverted index, never from a scan: every listed name is filed under its
distinctive words joined (in every order, for up to three words), under each distinctive word
and the sound of each (`parts.skeleton`: Qadhafi, Gaddafi) and of the whole name, and, for a
name without distinctive words, under its generic words and places. A query looks up the same
keys and every spelling one edit away from its joined words and from each word (a typo), and
its joined words without a company form run into them (SiemensAG), so a name within one typo,
in any word order, is found among 100,000 entities in about a millisecond. Candidate entities
are compared in full (`compare.py`: every name of the entity, then the evidence of
`evidence.py`) thirty at a time, best filed first, for as long as the last of the thirty still
match: every entity at or above the threshold is reported, with the explanation of its score."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import permutations
from typing import Any

from reetrace.screening import evidence
from reetrace.screening.compare import NameVerdict, QueryName, compare_entity
from reetrace.screening.legal import FORM_WORDS
from reetrace.screening.normalise import NameKey, org_keys, person_keys
from reetrace.screening.parts import PartTags, skeleton
from reetrace.screening.vocabulary import ORGANISATIONAL

PERSON_SCHEMAS = frozenset({"Person"})
SCREENED_SCHEMAS = frozenset({"Company", "Organization", "LegalEntity", "Person"})
BATCH = 30  # candidate entities compared at a time; the true entity is among the first 30 for every labelled query
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_GLUED_FORMS = tuple(sorted((f for f in FORM_WORDS if len(f) >= 2 and f.isalpha()), key=len, reverse=True))
_JOINED, _EDITED, _WORD, _GENERIC, _SOUND = 4.0, 3.0, 1.0, 4.0, 0.5


@dataclass(frozen=True, slots=True)
class ListedEntity:
    """A screened entity of a loaded list, with the keys of its names: (name index, key)."""

    list: str
    entity_id: str
    schema: str
    names: tuple[str, ...]
    countries: tuple[str, ...]
    keys: tuple[tuple[int, NameKey], ...]
    name_props: tuple[str, ...] = ()  # the list property of each name: name, alias, weakAlias, previousName
    birth_dates: tuple[str, ...] = ()
    tags: PartTags = ()

    @property
    def person(self) -> bool:
        return self.schema in PERSON_SCHEMAS

    def name_property(self, index: int) -> str:
        return self.name_props[index] if index < len(self.name_props) else "name"


@dataclass(frozen=True, slots=True)
class Match:
    entity: ListedEntity
    name: str
    score: float
    verdict: NameVerdict | None = None
    adjustments: tuple[evidence.Adjustment, ...] = ()

    def explanation(self) -> dict[str, Any] | None:
        """Which name parts matched how, and what raised or lowered the score (contract §9)."""
        if self.verdict is None:
            return None
        v = self.verdict
        return {
            "name": {
                "query": v.query,
                "listed": v.listed,
                "alias": self.entity.name_property(v.name_index),
                "how": v.how,
                "score": round(v.score, 3),
                "parts": [p.as_json() for p in v.parts],
            },
            "adjustments": [a.as_json() for a in self.adjustments],
        }


def entity_keys(schema: str, names: Iterable[str]) -> tuple[tuple[int, NameKey], ...]:
    """The keys of an entity's names, read as a person's or an organisation's by its schema."""
    keys_of = person_keys if schema in PERSON_SCHEMAS else org_keys
    seen: dict[NameKey, int] = {}
    for i, name in enumerate(names):
        for key in keys_of(name):
            seen.setdefault(key, i)
    return tuple((i, key) for key, i in seen.items())


def _filing_keys(key: NameKey) -> Iterator[str]:
    words = key.distinct
    if words:
        yield "j" + "".join(words)
        if 1 < len(words) <= 3:
            for order in permutations(words):
                yield "j" + "".join(order)
        elif len(words) > 3:
            yield "j" + "".join(sorted(words))
        for word in set(words):
            yield "t" + word
            if len(word) >= 4:
                yield "s" + skeleton(word)
        if len(words) > 1:  # the whole name as it sounds, however spaced: Rhee Ryongnam, Ri Ryong-nam
            yield "s" + skeleton("".join(words))
    elif key.generic or key.places:
        yield "g" + "|".join(sorted({g for g in key.generic if g not in ORGANISATIONAL} | key.places))


def _edits(word: str) -> set[str]:
    """Every spelling one deletion, transposition, substitution or insertion away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    found.update(a + c + b[1:] for a, b in splits if b for c in _LETTERS)
    found.update(a + c + b for a, b in splits for c in _LETTERS)
    found.discard(word)
    return found


def _lookups(keys: Iterable[NameKey]) -> dict[str, float]:
    """The index keys a query looks up, with the weight a hit on each earns."""
    wanted: dict[str, float] = {}
    for key in keys:
        for filed in _filing_keys(key):
            weight = {"j": _JOINED, "t": _WORD, "g": _GENERIC, "s": _SOUND}[filed[0]]
            wanted[filed] = max(wanted.get(filed, 0.0), weight)
        joined = "".join(key.distinct)
        if 3 <= len(joined) <= 30:
            for spelling in _edits(joined):
                wanted.setdefault("j" + spelling, _EDITED)
            for form in _GLUED_FORMS:  # a company form run into the name: SiemensAG
                if joined.endswith(form) and len(joined) - len(form) >= 3:
                    wanted.setdefault("j" + joined[: -len(form)], _EDITED)
        for word in set(key.distinct) if len(key.distinct) > 1 else ():
            if len(word) >= 4:
                for spelling in _edits(word):
                    wanted.setdefault("t" + spelling, _WORD / 2)
    return wanted


class ScreeningIndex:
    """The listed entities of every loaded list, filed for screening."""

    def __init__(self, entities: Sequence[ListedEntity]):
        self.entities = list(entities)
        self._keys: list[NameKey] = []
        self._owner: list[tuple[int, int]] = []  # (entity, name index) of each filed key
        postings: dict[str, list[int]] = {}
        for e, entity in enumerate(self.entities):
            for name_index, key in entity.keys:
                filed = len(self._keys)
                self._keys.append(key)
                self._owner.append((e, name_index))
                for index_key in set(_filing_keys(key)):
                    postings.setdefault(index_key, []).append(filed)
        self._postings = postings

    def __len__(self) -> int:
        return len(self.entities)

    def _candidates(self, lookups: dict[str, float]) -> list[int]:
        """The filed keys hit, those hit hardest first (a key filed for many names, such as a
        common family name, counts for less)."""
        hits: dict[int, float] = {}
        get = self._postings.get
        for index_key, weight in lookups.items():
            filed = get(index_key)
            if filed is None:
                continue
            if len(filed) > 50:
                weight /= (len(filed) / 50) ** 0.5
            for i in filed:
                hits[i] = hits.get(i, 0.0) + weight
        return sorted(hits, key=hits.__getitem__, reverse=True)

    def screen(
        self, name: str, threshold: float, country: str | None = None, birth_date: str | None = None
    ) -> list[Match]:
        """Every entity scoring at least `threshold` against `name` (with the party's country and
        birth date as evidence when given), best first."""
        query = QueryName(name)
        wanted = country.strip().lower() if country else None
        candidates = self._candidates(_lookups([*query.org_keys, *query.person_keys]))
        seen: set[int] = set()
        order: list[int] = []
        for filed in candidates:
            e = self._owner[filed][0]
            if e not in seen:
                seen.add(e)
                order.append(e)
        matches: list[Match] = []
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            last_matched = False
            for rank, e in enumerate(batch):
                found = self._compare(query, self.entities[e], wanted, birth_date)
                if found is not None and found.score >= threshold:
                    matches.append(found)
                    last_matched = last_matched or rank >= BATCH * 3 // 4
            if not last_matched:
                break
        matches.sort(key=lambda m: (-m.score, m.entity.list, m.entity.entity_id))
        return matches

    @staticmethod
    def _compare(query: QueryName, entity: ListedEntity, country: str | None, birth_date: str | None) -> Match | None:
        verdict = compare_entity(query, entity.person, entity.names, entity.keys, entity.countries, entity.tags)
        if verdict is None:
            return None
        value, adjustments = evidence.weigh(
            verdict.score,
            person=entity.person,
            name_property=entity.name_property(verdict.name_index),
            listed_name=verdict.listed,
            birth_date=birth_date,
            birth_dates=entity.birth_dates,
            country=country,
            countries=entity.countries,
        )
        return Match(entity, verdict.listed, round(value, 3), verdict, adjustments)
