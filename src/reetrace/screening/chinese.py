"""Chinese script: traditional to simplified characters (OpenCC), Pinyin (pypinyin, read on whole
strings so that its phrase dictionary reads 厦门 as Xiamen), and the Pinyin syllables, used to
split Pinyin written without spaces and to compare Pinyin names syllable by syllable."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from reetrace.screening.vocabulary import NAME_READINGS

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
_MAX_SYLLABLE = 6  # zhuang, shuang, chuang
_VOWELS = frozenset("aeiou")
_WORD = 9  # letters: up to this, a word must follow Pinyin spelling to be read as Pinyin


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters as simplified ones (廈門 → 厦门); other text unchanged."""
    return _t2s().convert(text) if HAN.search(text) else text


def _plain(syllable: str) -> str:
    """A Pinyin syllable without tone marks, ü written u (lü → lu), as names are written."""
    decomposed = unicodedata.normalize("NFKD", syllable.replace("ü", "u").replace("v", "u"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=65_536)
def pinyin(hanzi: str, as_name: bool = False) -> tuple[str, ...]:
    """The syllables of a run of (simplified) characters, toneless: 厦门钨业 → xia men wu ye;
    `as_name`: with the readings firms and people give characters (晟 → sheng, not cheng)."""
    read = [_plain(s) for s in lazy_pinyin(hanzi, style=Style.NORMAL, v_to_u=True)]
    if as_name and len(read) == len(hanzi):
        read = [NAME_READINGS.get(c, s) for c, s in zip(hanzi, read, strict=True)]
    return tuple(read)


@lru_cache(maxsize=1)
def syllables() -> frozenset[str]:
    """Every toneless syllable pypinyin knows, without the vowel-less interjections (m, ng, hm)."""
    found = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = _plain(reading)
            if plain.isascii() and plain.isalpha() and any(v in plain for v in "aeiou"):
                found.add(plain)
    return frozenset(found)


@lru_cache(maxsize=1)
def _syllable_pattern() -> tuple[re.Pattern[str], re.Pattern[str]]:
    alternation = "|".join(sorted(syllables(), key=lambda s: (-len(s), s)))
    return re.compile(f"(?:{alternation})+"), re.compile(alternation)


@lru_cache(maxsize=262_144)
def split_syllables(word: str) -> tuple[str, ...] | None:
    """`word` as a sequence of Pinyin syllables (fewest, longest first), or None when it is not
    Pinyin: "yunsheng" → (yun, sheng); "yunshegn" and "magnet" → None. As Pinyin spelling
    has it, a syllable starting with a vowel starts the word (else it is written Xi'an), so a
    typo such as "wuhaan" or "tiajin" is not read as Pinyin (wu-ha-an, ti-a-jin)."""
    whole, one = _syllable_pattern()
    if not word or not word.isascii() or not whole.fullmatch(word):
        return None
    greedy = one.findall(word)
    strict = len(word) <= _WORD  # a long run is Pinyin typed together, where Xi'an loses its mark
    if (
        "".join(greedy) == word
        and len(greedy) <= (len(word) + 1) // 2
        and not (strict and any(s[0] in _VOWELS for s in greedy[1:]))
    ):
        return tuple(greedy)
    known = syllables()
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[n] = ()
    for start in range(n - 1, -1, -1):
        for end in range(min(n, start + _MAX_SYLLABLE), start, -1):
            rest = best[end]
            if (
                rest is not None
                and word[start:end] in known
                and (start == 0 or not strict or word[start] not in _VOWELS)
            ):
                candidate = (word[start:end], *rest)
                shortest = best[start]
                if shortest is None or len(candidate) < len(shortest):
                    best[start] = candidate
    return best[0]


def loose(syllable: str) -> str:
    """A syllable with -ng read as -n and zh, ch, sh as z, c, s (sheng ~ sen): the commonest
    slips in writing Pinyin, and regional mergers; they earn most, not all, of a match."""
    if syllable.endswith("ng"):
        syllable = syllable[:-1]
    if syllable[:2] in ("zh", "ch", "sh"):
        syllable = syllable[0] + syllable[2:]
    return syllable


_WADE_GILES_TOKEN = re.compile(r"[a-zü'’‘`]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ü": "u"})
_MAX_READINGS = 8


@lru_cache(maxsize=1)
def _from_wade_giles() -> dict[str, frozenset[str]]:
    """Wade-Giles syllables (with the aspirate's apostrophe, and without it, as names are often
    written) and the Pinyin syllables they write, by pypinyin's own Wade-Giles table."""
    from pypinyin.style.wadegiles import to_wade_glides

    table: dict[str, set[str]] = {}
    for syllable in syllables():
        written = to_wade_glides(syllable).replace("v", "u")
        for form in {written, written.replace("'", "")}:
            table.setdefault(form, set()).add(syllable)
    return {form: frozenset(found) for form, found in table.items()}


@lru_cache(maxsize=16_384)
def wade_giles_readings(name: str) -> tuple[str, ...]:
    """A Chinese name written in Wade-Giles (Hsi Chin-p'ing, Ts'ai Ying-wen) read in Pinyin, family
    name first, the given name's syllables joined: xi jinping; a few readings where the
    apostrophe is left out (ping may be ping or bing). Nothing for a name that is not all
    Wade-Giles, or that is Pinyin already."""
    tokens = _WADE_GILES_TOKEN.findall(name.lower().translate(_APOSTROPHES))
    table = _from_wade_giles()
    if not 2 <= len(tokens) <= 4 or not all(t in table for t in tokens):
        return ()
    if all("'" not in t and split_syllables(t) for t in tokens):
        return ()  # Pinyin, or as much Pinyin as Wade-Giles: read as it is
    readings: list[list[str]] = [[]]
    for token in tokens:
        readings = [r + [s] for r in readings for s in sorted(table[token])][:_MAX_READINGS]
    return tuple(f"{r[0]} {''.join(r[1:])}" for r in readings)
