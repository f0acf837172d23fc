"""A name as keys of words in one Latin form, split into what identifies a firm and what does not.

Chinese characters are made simplified (OpenCC) and split into the vocabulary's generic words,
company forms, translated words and place names; the rest is read in Pinyin (pypinyin), one
word per run: 宁波韵升磁材科技有限公司 → place ningbo, distinctive yunsheng, generic magnet,
material, tech. Latin script is transliterated to ASCII and tokenised by rigour, company forms
at either end are removed with rigour's org-type table, and generic phrases ("Rare Earth",
"Science & Technology", spaced Pinyin "xi tu"), places and Pinyin written together
("ningboyunsheng") are recognised, also through a typo ("Magentic", "Guangzho"). A person's
name is all distinctive words (a Chinese one split after the family name: 王小明 → wang xiaoming).

Where a reading is uncertain a name has more than one key: an unknown word before the trade
name may be a county (磐安凯宸鹏 → panankaichenpeng, and also place panan + kaichenpeng), and a
Latin word read as a place may be a trade name that sounds like one (焱泰, Yantai).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA
from rigour.names import normalize_name, remove_org_types, remove_person_prefixes
from rigour.text.translit import ascii_text

from reetrace.screening import vocabulary as v
from reetrace.screening.chinese import HAN, HAN_RUN, pinyin, simplified, split_syllables
from reetrace.screening.lexicon import Word, lexicon, near_place, near_word, provinces_of, segment

_TONE_DIGITS = re.compile(r"(?<=[aeiouvnrg])[1-5](?![0-9])", re.IGNORECASE)
_BRACKETS = re.compile(r"[(（\[]([^()（）\[\]]*)[)）\]]")
_DROPPED = "company"  # company forms say nothing about which firm it is
_REVISION = "5"  # raise when keys are made differently: stored keys of another version are remade

KEYS_VERSION = hashlib.sha256(
    "\0".join(
        [
            _REVISION,
            v.GENERIC,
            v.TRANSLATIONS,
            v.PLACES,
            repr(sorted(v.ORGANISATIONAL)),
            repr(v.NAME_READINGS),
            repr(v.SURNAME_READINGS),
            repr(sorted(v.COMPOUND_SURNAMES)),
            repr(sorted(v.STOPWORDS)),
            repr(v.SHORT_FORMS),
        ]
    ).encode()
).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class NameKey:
    """What a name says: distinctive words (Latin; Pinyin for Chinese), generic concepts, places,
    and the distinctive part in simplified characters when it was written in Chinese."""

    distinct: tuple[str, ...]
    generic: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    hanzi: str = ""
    person: bool = False
    guess: bool = False  # its distinctive words include a word read as a place or generic word elsewhere
    lead: bool = False  # its first distinctive word may be a place: another key of the name reads it so

    @property
    def empty(self) -> bool:
        return not (self.distinct or self.generic or self.places)

    def as_json(self) -> list[Any]:
        return [
            list(self.distinct),
            sorted(self.generic),
            sorted(self.places),
            self.hanzi,
            int(self.person),
            int(self.guess),
            int(self.lead),
        ]

    @classmethod
    def from_json(cls, doc: list[Any]) -> NameKey:
        distinct, generic, places, hanzi, person, guess, lead = doc
        return cls(tuple(distinct), frozenset(generic), frozenset(places), hanzi, bool(person), bool(guess), bool(lead))


# --- Chinese characters ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _han_endings() -> list[str]:
    """The Chinese company forms (and 集团), longest first: peeled off a name's end before it is
    split, as no trade name ends a name."""
    chinese = lexicon().chinese
    return sorted(
        (f for f, w in chinese.items() if w.kind == "g" and set(w.values) <= {"company", "group"}),
        key=len,
        reverse=True,
    )


@lru_cache(maxsize=65_536)
def _han_words(run: str) -> tuple[Word, ...]:
    """A run of simplified characters as vocabulary words and Pinyin words with their characters."""
    chinese = lexicon().chinese
    ending: list[Word] = []
    while True:  # the longest form the run ends with, while two characters are left before it
        form = next((f for f in _han_endings() if run.endswith(f)), None)
        if form is None or len(run) - len(form) < 2:
            break
        ending.insert(0, chinese[form])
        run = run[: -len(form)]
    return tuple(
        chinese[run[i:j]] if known else Word("d", ("".join(pinyin(run[i:j], True)),), run[i:j], "zh")
        for i, j, known in segment(tuple(run), chinese, 1)
    ) + tuple(ending)


# --- Latin script ------------------------------------------------------------------------


def _latin_tokens(text: str) -> list[str]:
    text = _TONE_DIGITS.sub("", text.replace("ü", "u").replace("Ü", "U"))
    return (normalize_name(ascii_text(text)) or "").split()


@lru_cache(maxsize=4096)
def _is_org_type(span: str) -> bool:
    return not remove_org_types(span).strip()


def _one_syllable(token: str) -> bool:
    return len(split_syllables(token) or ()) == 1


def _short_form(token: str) -> bool:
    """A short company form with a typo: "ldt", "lrd" (not Pinyin, one slip from one)."""
    return (
        2 <= len(token) <= 5
        and split_syllables(token) is None
        and any(OSA.distance(token, form) <= 1 for form in v.SHORT_FORMS if abs(len(form) - len(token)) <= 1)
    )


def _strip_org_types(tokens: list[str]) -> list[str]:
    """Company forms at either end of the name (Co., Ltd.; GmbH; OOO …), by rigour's table.
    A form that is also a Pinyin syllable (S.A. = sa, yu, ao) is kept beside a one-syllable
    word: "Heng Yu Co., Ltd." is Hengyu, "Solvay SA" is Solvay, "AO Norvik" is Norvik."""
    tokens = list(tokens)
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for width in range(min(4, len(tokens) - 1), 0, -1):
            tail, head = tokens[-width:], tokens[:width]
            if _is_org_type(" ".join(tail)) and not (_one_syllable(tail[0]) and _one_syllable(tokens[-width - 1])):
                del tokens[-width:]
            elif _is_org_type(" ".join(head)) and not (_one_syllable(head[-1]) and _one_syllable(tokens[width])):
                del tokens[:width]
            else:
                continue
            changed = True
            break
    while len(tokens) > 1 and _short_form(tokens[-1]):
        tokens.pop()
    while len(tokens) > 1 and len(tokens[0]) >= 3 and _short_form(tokens[0]):
        tokens.pop(0)
    return tokens


@lru_cache(maxsize=65_536)
def _latin_word(token: str) -> tuple[Word, ...]:
    """An unknown token: Pinyin written together is split into syllables to find places and
    generic words in it ("ningboyunsheng")."""
    latin = lexicon().latin
    sylls = split_syllables(token)
    if sylls and len(sylls) >= 3:
        words = tuple(
            latin["".join(sylls[i:j])] if known else Word("d", ("".join(sylls[i:j]),))
            for i, j, known in segment(sylls, latin, 2)
        )
        if len(words) > 1:
            return words
    return (Word("d", (token,)),)


class _WithSlips(dict[str, Word]):
    """The Latin vocabulary, and the tokens of one name (alone, or joined to a neighbour) that
    are a vocabulary word with a typo: "texhnology", "rar earths", "hugh tech", "guangzho"
    (`near_word` never takes Pinyin for a slip of a Pinyin word or a place). A place is looked
    for only where names put one: first, last, or in brackets."""

    def __init__(self, tokens: list[str], bracketed: bool):
        super().__init__()
        self._latin = lexicon().latin
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            if token in self._latin:
                continue
            candidates = [(token, i in (0, last))]
            candidates += [(tokens[i - 1] + token, i - 1 == 0)] if i else []
            candidates += [(token + tokens[i + 1], i + 1 == last)] if i < last else []
            for text, at_end in candidates:
                if text not in self._latin and (text == token or not split_syllables(text)):
                    near = near_word(text, places=at_end or bracketed)
                    if near:
                        self[text] = near

    def __missing__(self, key: str) -> Word:
        return self._latin[key]

    def __contains__(self, key: object) -> bool:
        return key in self._latin or dict.__contains__(self, key)


def _latin_words(text: str, bracketed: bool = False) -> list[Word]:
    tokens = [
        t for t in (_latin_tokens(text) if bracketed else _strip_org_types(_latin_tokens(text))) if t not in v.STOPWORDS
    ]
    known = _WithSlips(tokens, bracketed)
    words: list[Word] = []
    for i, j, found in segment(tuple(tokens), known, 1, _one_syllable):
        if found:
            text = "".join(tokens[i:j])
            words.append(known[text].written(text, bracketed))
        else:
            for token in tokens[i:j]:
                words.extend(w.written(w.values[0] if w.kind == "d" else "", bracketed) for w in _latin_word(token))
    return words


# --- keys --------------------------------------------------------------------------------


def _key(words: Iterable[Word]) -> NameKey:
    distinct: list[str] = []
    hanzi: list[str] = []
    generic: set[str] = set()
    places: set[str] = set()
    guess = False
    for w in words:
        guess = guess or w.guess
        if w.kind == "d":
            distinct.extend(w.values)
            hanzi.append(w.hanzi)
        elif w.kind == "p":
            places.update(w.values)
        else:
            generic.update(c for c in w.values if c != _DROPPED)
    return NameKey(
        tuple(distinct),
        frozenset(generic),
        frozenset(places),
        "".join(hanzi) if hanzi and all(hanzi) else "",
        guess=guess,
    )


def _readings(words: list[Word]) -> Iterator[tuple[str, list[Word]]]:
    """Other readings of an uncertain name: an unknown word leading it (or ending it after its
    generic words, or bracketed) as a place; Latin read as places, or as generic words in Pinyin,
    as trade names (焱泰 Yantai, 冠力 Guanli)."""
    places = [i for i, w in enumerate(words) if w.kind == "p"]
    distinct = [i for i, w in enumerate(words) if w.kind == "d"]
    if distinct and not places:
        first = distinct[0]
        w = words[first]
        if w.script == "zh" and first == 0 and len(w.hanzi) >= 4:
            lead, rest = w.hanzi[:2], w.hanzi[2:]
            yield (
                "lead",
                [
                    Word("p", ("".join(pinyin(lead)),)),
                    Word("d", ("".join(pinyin(rest, True)),), rest, "zh"),
                    *words[1:],
                ],
            )
        elif w.script != "zh" and first == 0 and len(distinct) >= 2 and _place_like(w):
            yield "lead", [w.as_place(), *words[1:]]
            near = near_place(w.values[0])  # or a known place with a typo: Banchang, Nanchang
            if near and near.values != w.values:
                yield "lead", [Word("p", near.values, script="la", text=w.text), *words[1:]]
        last = distinct[-1]
        if len(distinct) >= 2 and last == len(words) - 1 and words[last - 1].kind == "g" and _place_like(words[last]):
            yield "lead", [*words[:last], words[last].as_place()]  # Kexing Advanced Materials Zichuan
        for i in distinct:
            if words[i].bracketed and len(distinct) >= 2:
                yield "bracket", [*words[:i], words[i].as_place(), *words[i + 1 :]]
    if not distinct:  # a place, or a generic word in Pinyin, may be a trade name: Dayu (大裕), Guanli (冠力)
        for i, w in enumerate(words):
            if (w.script == "py" and w.kind == "g") or (w.kind == "p" and w.script == "la"):
                yield "guess", [*words[:i], w.as_distinct(), *words[i + 1 :]]
    elif not _nested({words[i].values[0] for i in places}):
        for i in places:
            if words[i].script != "zh":
                yield "guess", [*words[:i], words[i].as_distinct(), *words[i + 1 :]]


def _place_like(w: Word) -> bool:
    """A Latin word that could be a Chinese place name: two syllables of Pinyin or more."""
    return w.script != "zh" and len(split_syllables(w.values[0]) or ()) >= 2


def _nested(places: set[str]) -> bool:
    """Whether places can all be one firm's: one city at most, in the province named if any."""
    cities = {p for p in places if provinces_of(p)}
    regions = places - cities
    if len(cities) > 1:
        return False
    if cities:
        return regions <= provinces_of(next(iter(cities)))
    return len(regions) <= 1


def _org_words(name: str) -> list[Word]:
    words: list[Word] = []
    for k, part in enumerate(_BRACKETS.split(simplified(name))):  # outside, inside, outside … brackets
        bracketed = k % 2 == 1 and not HAN.search(part)  # bracketed Latin words are read on their own
        for chunk in re.split(f"({HAN_RUN.pattern})", part):
            if HAN.match(chunk):
                words.extend(_han_words(chunk))
            elif chunk.strip():
                words.extend(_latin_words(chunk, bracketed))
    return words


def _org_keys(name: str) -> list[NameKey]:
    words = _org_words(name)
    readings = list(_readings(words))
    primary = _key(words)
    if any(kind == "lead" for kind, _ in readings):
        primary = replace(primary, lead=True)
    return [primary, *(_key(alternative) for _, alternative in readings)]


def _person_key(name: str) -> NameKey:
    distinct, hanzi = [], []
    for part in re.split(f"({HAN_RUN.pattern})", simplified(name)):
        if HAN.match(part):
            cut = 2 if part[:2] in v.COMPOUND_SURNAMES else 1
            if 2 <= len(part) <= 4:
                family = v.SURNAME_READINGS.get(part[:cut]) or "".join(pinyin(part[:cut]))
                distinct.extend([family, "".join(pinyin(part[cut:], True))])
            else:
                distinct.append("".join(pinyin(part, True)))
            hanzi.append(part)
        elif part.strip():
            distinct.extend(_latin_tokens(remove_person_prefixes(part)))
    return NameKey(tuple(distinct), hanzi="".join(hanzi), person=True)


def _pieces(name: str) -> list[str]:
    """A name mixing a Chinese part and a Latin part is read as each part as well as the whole."""
    han = "".join(HAN_RUN.findall(name))
    rest = HAN_RUN.sub(" ", name)
    if len(han) >= 2 and sum(c.isalpha() for c in _BRACKETS.sub(" ", rest)) >= 3:
        return [name, han, rest]
    return [name]


def org_keys(name: str) -> list[NameKey]:
    """The keys of an organisation's name: its reading, and other readings where it is uncertain."""
    return _unique(key for piece in _pieces(name) for key in _org_keys(piece))


def person_keys(name: str) -> list[NameKey]:
    return _unique(_person_key(p) for p in _pieces(name))


def _unique(keys: Iterable[NameKey]) -> list[NameKey]:
    return list(dict.fromkeys(key for key in keys if not key.empty))
