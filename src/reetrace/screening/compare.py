"""A query against one listed entity: each of its names compared the way that suits the two
writings, the best name kept, and the evidence applied.

Three ways to compare two names (the `how` of an explanation):

- **script**: a person's names both written in the same syllabic or ideographic script (Han,
  Hangul, Kana) are compared character by character, as they are written: each character is a
  syllable of the name, so 이재형 and 이재명, or 高石早苗 and 高市早苗, are different people
  (the square of the share of characters alike: 0.44 and 0.56).
- **reading**: where either name is written in Chinese characters, both are read in the common
  Latin form of `normalise.py` (characters in Pinyin, the domain vocabulary) and scored by
  `score.py`, the cross-script matcher for the rare-earth trade.
- **parts**: otherwise the names are compared part by part with rigour (`parts.py`). Where the
  names are Chinese (a Han name on either side, or the entity of China), an organisation whose
  distinctive words are Pinyin on either side (Huaxin International Trading) is read as above
  instead, where the trade's generic words and places are known; a person's name is compared
  both ways and the better kept (Xi Jinping, Shi Jinping).

A name giving other numbers than the query is another entity, whatever the method (Fund 1,
Fund 2; the 14th and 15th Research Institutes): its score is multiplied by `NUMBER_MISMATCH`. Of
an entity's names scoring alike, the one written most like the query is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz, utils
from rapidfuzz.distance import Levenshtein
from rigour.text.scripts import DENSE_SCRIPTS, text_scripts
from rigour.text.translit import ascii_text

from reetrace.screening.chinese import HAN, simplified, split_syllables, wade_giles_readings
from reetrace.screening.normalise import NameKey, org_keys, person_keys
from reetrace.screening.parts import Compared, PartMatch, PartTags, analysed, compare_names
from reetrace.screening.score import score as key_score
from reetrace.screening.score import word_similarity

CHINESE_COUNTRIES = frozenset({"cn", "hk", "mo", "tw"})
NUMBER_MISMATCH = 0.7  # factor on a name giving other numbers than the query (Fund 1, Fund 2; 14th, 15th Institute)
_NUMBERS = re.compile(r"\d+")
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\s\W]")


@dataclass(frozen=True, slots=True)
class NameVerdict:
    """The best of an entity's names against the query: its index, how it was compared, the score."""

    name_index: int
    how: str  # parts | reading | script
    score: float
    parts: tuple[PartMatch, ...]
    query: str
    listed: str


class QueryName:
    """A name to screen, read every way it may be compared (each reading made once)."""

    def __init__(self, text: str):
        self.text = text
        self.han = bool(HAN.search(text))

    @cached_property
    def org_keys(self) -> list[NameKey]:
        return org_keys(self.text)

    @cached_property
    def person_keys(self) -> list[NameKey]:
        """A person's keys, and those of its Pinyin readings if it is written in Wade-Giles."""
        keys = person_keys(self.text)
        for reading in wade_giles_readings(self.text):
            keys += [k for k in person_keys(reading) if k not in keys]
        return keys

    @cached_property
    def dense(self) -> str:
        return dense_letters(self.text)

    def keys(self, person: bool) -> list[NameKey]:
        return self.person_keys if person else self.org_keys

    def analysed(self, person: bool) -> tuple:
        """As rigour reads it, and, written in another script than Latin, as transliterated too
        (سالم بن حامد → salm bn hamd)."""
        names = analysed(self.text, person, True)
        latin = self.latin
        return names + analysed(latin, person, True) if latin else names

    @cached_property
    def numbers(self) -> frozenset[str]:
        return frozenset(_NUMBERS.findall(self.text))

    @cached_property
    def latin(self) -> str:
        if not _NON_LATIN.search(self.text) or self.han:
            return ""
        return ascii_text(self.text)


def dense_letters(text: str) -> str:
    """The name's letters when all of them are of a syllabic or ideographic script (Han as
    simplified), else the empty string."""
    letters = _NOT_LETTERS.sub("", text)
    if not letters or not text_scripts(letters) <= DENSE_SCRIPTS:
        return ""
    return simplified(letters)


def in_script(a: str, b: str) -> Compared:
    """Two names of one dense script, character by character."""
    if a == b:
        return Compared(1.0, (PartMatch(a, b, "same", 1.0, 1.0),))
    alike = Levenshtein.normalized_similarity(a, b)
    return Compared(alike * alike, (PartMatch(a, b, "different", alike * alike, 1.0),))


def by_reading(query: list[NameKey], listed: list[NameKey]) -> Compared:
    """The cross-script reading of two names (their keys), with what it compared."""
    best, pair = 0.0, None
    for q in query:
        for k in listed:
            value = key_score(q, k)
            if value > best:
                best, pair = value, (q, k)
    if pair is None:
        return Compared(0.0, ())
    q, k = pair
    rows = []
    if q.distinct or k.distinct:
        alike = word_similarity(q.distinct, k.distinct) if q.distinct and k.distinct else 0.0
        rows.append(PartMatch(" ".join(q.distinct), " ".join(k.distinct), "reading", alike, 1.0))
    if q.generic and k.generic:
        shared = q.generic & k.generic
        rows.append(
            PartMatch(
                " ".join(sorted(q.generic)),
                " ".join(sorted(k.generic)),
                "generic",
                len(shared) / len(q.generic | k.generic),
                0.1,
            )
        )
    if q.places and k.places:
        rows.append(
            PartMatch(
                " ".join(sorted(q.places)), " ".join(sorted(k.places)), "place", float(bool(q.places & k.places)), 0.1
            )
        )
    return Compared(best, tuple(rows))


@lru_cache(maxsize=65_536)
def name_keys(name: str, person: bool) -> list[NameKey]:
    return person_keys(name) if person else org_keys(name)


def _pinyin(keys: list[NameKey]) -> bool:
    return bool(keys) and bool(keys[0].distinct) and all(split_syllables(w) for w in keys[0].distinct)


def _generic(query: list[NameKey], listed: list[NameKey]) -> bool:
    """Both names made only of the trade's generic words and places (China Rare Earth Group)."""
    return bool(query) and bool(listed) and not query[0].distinct and not listed[0].distinct


def _written(query: str, name: str) -> float:
    return fuzz.ratio(query, name, processor=utils.default_process)


def compare_entity(
    query: QueryName,
    person: bool,
    names: tuple[str, ...],
    keys: tuple[tuple[int, NameKey], ...],
    countries: tuple[str, ...],
    tags: PartTags = (),
) -> NameVerdict | None:
    """The entity's name most like the query, and how alike (None when none is at all)."""
    keys_of: dict[int, list[NameKey]] = {}
    for i, key in keys:
        keys_of.setdefault(i, []).append(key)
    chinese = query.han or bool(CHINESE_COUNTRIES.intersection(countries)) or any(HAN.search(n) for n in names)
    best: NameVerdict | None = None
    for i, name in enumerate(names):
        own = keys_of.get(i) or name_keys(name, person)  # a key of two names is filed with the first
        han = bool(HAN.search(name))
        dense = dense_letters(name) if person and query.dense else ""
        if dense and text_scripts(dense) & text_scripts(query.dense):
            found, how = in_script(query.dense, dense), "script"
        elif (
            query.han
            or han
            or (
                chinese
                and not person
                and (_pinyin(query.keys(person)) or _pinyin(own) or _generic(query.keys(person), own))
            )
        ):
            found, how = by_reading(query.keys(person), own), "reading"
        else:
            found, how = (
                compare_names(query.analysed(person), analysed(name, person, False, tags), person, chinese),
                "parts",
            )
            if chinese and found.score < 1.0:
                read = by_reading(query.keys(person), own)
                if read.score > found.score:
                    found, how = read, "reading"
        numbers = frozenset(_NUMBERS.findall(name))
        if found.score > 0 and query.numbers and numbers and query.numbers != numbers:
            shown = (" ".join(sorted(query.numbers)), " ".join(sorted(numbers)))
            found = Compared(found.score * NUMBER_MISMATCH, (*found.parts, PartMatch(*shown, "different", 0.0, 0.0)))
        if found.score > 0 and (
            best is None
            or found.score > best.score
            or (found.score == best.score and _written(query.text, name) > _written(query.text, best.listed))
        ):
            best = NameVerdict(i, how, found.score, found.parts, query.text, name)
    return best
