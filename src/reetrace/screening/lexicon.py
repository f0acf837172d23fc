"""The vocabulary as lookup tables: every Chinese form, every Latin form (English phrases
without spaces, the Pinyin of each Chinese form, place spellings) to the word it stands for;
places' provinces; and the splitting of characters, syllables or tokens into known words."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA
from rigour.names import normalize_name
from rigour.text.translit import ascii_text

from reetrace.screening import vocabulary as v
from reetrace.screening.chinese import pinyin, split_syllables

_PLACE_SUFFIXES = ("", "市", "省", "县", "区", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区")
_LONGEST = 8


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a name: "d" distinctive (its Latin form, and its characters if written in
    Chinese), "g" generic concepts, or "p" a place. `script`: "zh" characters, "la" Latin,
    "py" Latin that is the Pinyin of a Chinese vocabulary word (keji, guanli); `text`, the
    Latin as written, where it was."""

    kind: str
    values: tuple[str, ...]
    hanzi: str = ""
    script: str = "la"
    bracketed: bool = False
    text: str = ""
    guess: bool = False  # read as distinctive though the vocabulary has it as a place or generic word

    def written(self, text: str, bracketed: bool = False) -> Word:
        return Word(self.kind, self.values, self.hanzi, "py" if self.script == "py" else "la", bracketed, text)

    def as_distinct(self) -> Word:
        return Word("d", (self.text or self.values[0],), "", self.script, self.bracketed, self.text, True)

    def as_place(self) -> Word:
        return Word("p", self.values, "", self.script, self.bracketed, self.text)


@dataclass(frozen=True)
class Lexicon:
    chinese: dict[str, Word]
    latin: dict[str, Word]
    provinces: dict[str, frozenset[str]]
    fuzzy: dict[int, list[str]]  # by length: Latin forms a non-Pinyin word may be with a typo
    fuzzy_english: dict[int, list[str]]  # ... and a Pinyin-looking word: English words only, never a place
    place_forms: dict[int, list[str]]  # by length: every Latin spelling of a place


def compact(phrase: str) -> str:
    return (normalize_name(ascii_text(phrase)) or "").replace(" ", "")


def _generic_rows() -> list[tuple[str, str, tuple[str, ...]]]:
    """(script, form, concepts) from the vocabulary text; `a+b` adds concept b to form a."""
    rows = []
    for line in v.GENERIC.replace("\\\n", "").strip().splitlines():
        concept, _, forms = line.partition(":")
        chinese, _, english = forms.partition("|")
        for script, items in (("zh", chinese.split()), ("la", english.split(","))):
            for item in (i.strip() for i in items):
                if item:
                    form, *more = item.split("+")
                    rows.append((script, form.strip(), (concept.strip(), *more)))
    return rows


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    chinese: dict[str, Word] = {}
    latin: dict[str, Word] = {}
    provinces: dict[str, set[str]] = {}
    english: set[str] = set()
    places = []
    for line in v.PLACES.strip().splitlines():
        for entry in line.split("|"):
            zh, canonical, province, *aliases = entry.split(maxsplit=3)
            places.append((zh, Word("p", (canonical,))))
            for suffix in _PLACE_SUFFIXES:
                chinese.setdefault(zh + suffix, Word("p", (canonical,), script="zh"))
            for spelling in [canonical, *(aliases[0].split(",") if aliases else [])]:
                latin.setdefault(compact(spelling), Word("p", (canonical,)))
                english.add(compact(spelling))
            provinces.setdefault(canonical, set())
            if province != "-":
                provinces[canonical].add(province)
    for zh, word in places:  # the Pinyin of each place (xianggang), unless another place is spelt so
        latin.setdefault("".join(pinyin(zh)), word)
    for line in v.TRANSLATIONS.strip().splitlines():
        for entry in line.split("|"):
            zh, translation = entry.split()
            chinese.setdefault(zh, Word("d", (translation,), zh, "zh"))
            latin.setdefault("".join(pinyin(zh)), Word("d", (translation,), script="py"))
    for script, form, concepts in _generic_rows():
        if script == "zh":
            chinese.setdefault(form, Word("g", concepts, script="zh"))
            if len(form) > 1:
                latin.setdefault("".join(pinyin(form)), Word("g", concepts, script="py"))
        else:
            latin.setdefault(compact(form), Word("g", concepts))
            english.add(compact(form))
    return Lexicon(
        chinese,
        latin,
        {k: frozenset(p) for k, p in provinces.items()},
        _by_length(f for f in latin if len(f) >= 4),
        _by_length(f for f in english if len(f) >= 6 and latin[f].kind == "g"),
        _by_length(f for f, w in latin.items() if w.kind == "p"),
    )


def _by_length(forms: Iterable[str]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for form in sorted(forms):
        found.setdefault(len(form), []).append(form)
    return found


def provinces_of(place: str) -> frozenset[str]:
    return lexicon().provinces.get(place, frozenset())


def near_word(text: str, places: bool = True) -> Word | None:
    found = _near_word(text)
    return found if found is not None and (places or found.kind != "p") else None


@lru_cache(maxsize=65_536)
def _near_word(text: str) -> Word | None:
    """The vocabulary word `text` is, with one slip (two from ten letters on): "magentic",
    "rarearths", "guangzho". Text that reads as Pinyin is never taken for a Pinyin word or a
    place a letter away (Yunsheng is a trade name, not the city Yuncheng), only for an English
    word ("muning")."""
    lex = lexicon()
    sylls = split_syllables(text)
    if sylls and len(text) < 6:
        return None
    if len(text) < 4:
        return None
    forms = lex.fuzzy_english if sylls else lex.fuzzy
    cutoff = 1 if len(text) < 10 else 2
    return _nearest(text, forms, cutoff)


def _nearest(text: str, forms: dict[int, list[str]], cutoff: int) -> Word | None:
    """The word of the form nearest `text` within `cutoff` slips; a place as all places equally
    near ("heei": Hebei or Hefei)."""
    choices = [f for n in range(len(text) - cutoff, len(text) + cutoff + 1) for f in forms.get(n, ())]
    found = process.extract(text, choices, scorer=OSA.distance, score_cutoff=cutoff, limit=None)
    if not found:
        return None
    nearest = min(distance for _, distance, _ in found)
    words = [lexicon().latin[form] for form, distance, _ in found if distance == nearest]
    if words[0].kind != "p":
        return words[0]
    return Word("p", tuple(dict.fromkeys(v for w in words if w.kind == "p" for v in w.values)))


@lru_cache(maxsize=16_384)
def near_place(text: str) -> Word | None:
    """The place `text` is with one slip, Pinyin or not ("banchang" → Nanchang): asked only
    where a name has a place's position and no known place."""
    return _nearest(text, lexicon().place_forms, 1) if len(text) >= 5 else None


def segment(
    units: tuple[str, ...], known: Mapping[str, Word], shortest: int, lone: Callable[[str], bool] = lambda unit: True
) -> list[tuple[int, int, bool]]:
    """Split `units` (characters, syllables or tokens) into known words of at least `shortest`
    units and unknown runs between them, leaving the fewest units unknown and, where it can, no
    `lone` unit unknown on its own (a character, a syllable): 华新材料 is 华新 + 材料, not
    华 + 新材料; "tai yuan tong guang xi tu" is taiyuan + tong guang + xitu, not guangxi + tu."""
    n = len(units)
    ends: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        piece = ""
        for j in range(i + 1, min(n, i + _LONGEST) + 1):
            piece += units[j - 1]
            if j - i >= shortest and piece in known:
                ends[i].append(j)
    stops = [i for i in range(n) if ends[i]] + [n]
    best: list[tuple[int, int, int, bool] | None] = [None] * (n + 1)  # (cost, pieces, next, known)
    best[n] = (0, 0, n, False)
    for i in range(n - 1, -1, -1):
        options = [(rest[0], rest[1] + 1, j, True) for j in ends[i] if (rest := best[j]) is not None]
        for j in stops:
            rest = best[j]
            if j > i and rest is not None and not (rest[3] is False and j < n):
                cost = (j - i) + (2 if j - i == 1 and lone(units[i]) else 0)
                options.append((rest[0] + cost, rest[1] + 1, j, False))
        best[i] = min(options) if options else None
    if best[0] is None:
        return [(0, n, False)]
    pieces, i = [], 0
    while i < n:
        step = best[i]
        assert step is not None, "each step leads to one that has a way on"
        _, _, j, found = step
        pieces.append((i, j, found))
        i = j
    return pieces
