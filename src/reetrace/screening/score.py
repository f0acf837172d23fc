"""How alike two name keys are, from 0 to 1.

The distinctive words decide (weight 1); generic words (weight 0.1) and places (0.1) add a
little, and only when both names have them, so a name written without its generic words or
place still scores 1. Two names that both give a place, and places that cannot be the same
firm's (包头金龙 and 厦门金龙; a city and the province it lies in are compatible), lose a fifth
of their score. Distinctive words are compared whatever their order and spacing ("Jin Long" =
"Jinlong"; "Xiaoming Wang" = "Wang Xiaoming"), syllable by syllable when both are Pinyin (so
Jinli and Jinlong share one syllable of two: 0.5, while a typo that is no Pinyin, "Yunshemg", is
compared letter by letter: 0.875). A name made only of generic words and places (Xiamen
Tungsten, China Rare Earth Group) is compared on all of them, company-kind words weighing
least. A name with distinctive words never matches one without.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import permutations

from rapidfuzz.distance import OSA, Levenshtein

from reetrace.screening.chinese import loose, split_syllables
from reetrace.screening.lexicon import provinces_of
from reetrace.screening.normalise import NameKey
from reetrace.screening.vocabulary import ORGANISATIONAL

GENERIC_WEIGHT = 0.1
PLACE_WEIGHT = 0.1
LOOSE_CREDIT = 0.5  # of a match for syllables alike but for -ng/-n, zh/z, ch/c, sh/s
PLACE_CONFLICT = 0.8  # factor on a score whose names give incompatible places
HOMOPHONE = 0.95  # at most this much for different characters read alike (金龙, 金隆)
PERSON_WORD = 0.8  # a person's name scores no more than a long word of it that is less alike than this
MIDDLE_NAME = 0.9  # factor on a person's name found within a longer one (Ivan Petrov, Ivan Ivanovich Petrov)
PERSON_CAP = 0.7  # ... and no more than this when a word of it is unlike the other's (Zhao, Wu)
_ORGANISATIONAL_WEIGHT = 0.3
_MAX_PERMUTED = 3


def _syllables(words: tuple[str, ...]) -> tuple[str, ...] | None:
    out: list[str] = []
    for word in words:
        sylls = split_syllables(word)
        if sylls is None:
            return None
        out.extend(sylls)
    return tuple(out)


@lru_cache(maxsize=65_536)
def _pair_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    joined_a, joined_b = "".join(a), "".join(b)
    if joined_a == joined_b:
        return 1.0
    sa, sb = _syllables(a), _syllables(b)
    if sa is not None and sb is not None:
        exact = Levenshtein.normalized_similarity(sa, sb)
        near = Levenshtein.normalized_similarity([loose(s) for s in sa], [loose(s) for s in sb])
        return exact + LOOSE_CREDIT * (near - exact)
    return OSA.normalized_similarity(joined_a, joined_b)


def word_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """How alike two sequences of distinctive words are, in any order and spacing."""
    if "".join(a) == "".join(b) or "".join(sorted(a)) == "".join(sorted(b)):
        return 1.0
    longer, other = (a, b) if len(a) >= len(b) else (b, a)
    if len(other) > 1:  # words in another order and spacing: Zhong Ke San Huan, Sanhuan Zhongke
        sa, sb = _syllables(a), _syllables(b)
        if sa is not None and sb is not None and sorted(sa) == sorted(sb):
            return 1.0
    if len(longer) > _MAX_PERMUTED:
        return max(_pair_similarity(longer, other), _pair_similarity(tuple(sorted(longer)), tuple(sorted(other))))
    best = 0.0
    for order in permutations(longer):
        best = max(best, _pair_similarity(order, other))
        if best == 1.0:
            break
    return best


def person_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """How alike two people's names are: word by word when both have as many words (in the
    order that fits best), each word counting by its length, but no more than a least alike
    long word: Kozlov is not Kozlovsky (0.67), whatever the first names; a slip in a short
    word ("Huu Haowen") is not held against the whole name."""
    if len(a) > _MAX_PERMUTED or len(b) > _MAX_PERMUTED:
        return word_similarity(a, b)
    if len(a) != len(b):  # a middle name or patronymic left out: the shorter name's words, all found
        shorter, longer = (a, b) if len(a) < len(b) else (b, a)
        joined = word_similarity(a, b)
        if len(shorter) < 2:
            return joined
        found = 0.0
        for pick in permutations(range(len(longer)), len(shorter)):
            left_out = [longer[i] for i in range(len(longer)) if i not in pick]
            if all(len(w) >= 4 and len(split_syllables(w) or ()) != 1 for w in left_out):  # not 王小明's xiao
                found = max(found, person_similarity(shorter, tuple(longer[i] for i in pick)))
        return max(joined, found * MIDDLE_NAME)
    total = sum(len(w) for w in b)
    best = 0.0
    for order in permutations(a):
        pairs = [_pair_similarity((x,), (y,)) for x, y in zip(order, b, strict=True)]
        value = sum(p * len(y) for p, y in zip(pairs, b, strict=True)) / total
        worst = (
            min(p for p, x, y in zip(pairs, order, b, strict=True) if max(len(x), len(y)) >= 5)
            if any(max(len(x), len(y)) >= 5 for x, y in zip(order, b, strict=True))
            else 1.0
        )
        value = min(value, worst) if worst < PERSON_WORD else value
        best = max(best, min(value, PERSON_CAP) if min(pairs) < 0.5 else value)
    return best


def places_agree(a: frozenset[str], b: frozenset[str]) -> bool | None:
    """None when either name gives no place; else whether the places can be one firm's."""
    if not a or not b:
        return None
    cities_a = {p for p in a if provinces_of(p)}
    cities_b = {p for p in b if provinces_of(p)}
    if cities_a and cities_b:
        return bool(cities_a & cities_b)
    regions_a = (a - cities_a).union(*(provinces_of(p) for p in cities_a))
    regions_b = (b - cities_b).union(*(provinces_of(p) for p in cities_b))
    return bool(regions_a & regions_b)


def _weight(concept: str) -> float:
    return _ORGANISATIONAL_WEIGHT if concept in ORGANISATIONAL else 1.0


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Weighted Jaccard similarity of two sets of generic concepts (and places)."""
    union = sum(_weight(c) for c in a | b)
    return sum(_weight(c) for c in a & b) / union if union else 0.0


def _agreement(a: frozenset[str], b: frozenset[str]) -> float:
    """How far the smaller set of generic concepts is found in the other (a name often leaves
    some out: Yunsheng Magnetic ~ Yunsheng Magnetic Materials Technology), weighted."""
    smaller = min(sum(_weight(c) for c in a), sum(_weight(c) for c in b))
    return sum(_weight(c) for c in a & b) / smaller if smaller else 0.0


def score(query: NameKey, listed: NameKey) -> float:
    """How alike `query` and `listed` are (0..1); person keys compare distinctive words only."""
    if query.person or listed.person:
        return person_similarity(query.distinct, listed.distinct) if query.distinct and listed.distinct else 0.0
    if query.lead and listed.lead:  # both may start with a place: their readings with it as one decide
        return 0.0
    agree = places_agree(query.places, listed.places)
    if query.distinct and listed.distinct:
        distinct = word_similarity(query.distinct, listed.distinct)
        if query.hanzi and listed.hanzi and query.hanzi != listed.hanzi:
            distinct = min(distinct, HOMOPHONE)
        total, weights = distinct, 1.0
        if query.generic and listed.generic:
            total += GENERIC_WEIGHT * _agreement(query.generic, listed.generic)
            weights += GENERIC_WEIGHT
        if agree is not None:
            total += PLACE_WEIGHT * agree
            weights += PLACE_WEIGHT
        result = total / weights
        if query.guess and listed.guess:  # both trade names are guesses: their trades must agree too
            result *= 0.5 + 0.5 * (
                _agreement(query.generic, listed.generic) if query.generic and listed.generic else 0.0
            )
    elif not query.distinct and not listed.distinct:
        result = _overlap(query.generic | query.places, listed.generic | listed.places)
    else:
        return 0.0
    return result * PLACE_CONFLICT if agree is False else result
