"""Two names compared part by part, as people and organisations are named on sanctions lists.

Names are analysed by rigour (`analyze_names`): split into parts, tagged (given and family names
where the list says so, legal forms, stopwords) and annotated with symbols — the same person's
name in other spellings and scripts (Wikidata name variants: Osama ~ Usama, Shi ~ Xi), legal-form
classes (AG ~ Aktiengesellschaft ~ SA), generic words (International, Bank, Construction),
places, numbers. The comparison follows the name matcher OpenSanctions runs in production
(nomenklatura's `logic_v2`, MIT licence): the symbols two names share are paired first
(`pair_symbols`), the parts left over are aligned and scored by spelling (`compare_parts`), and
the name's score is the weighted mean of its aligned pieces, a family name weighing more and a
part only one side has weighing less.

What is added here, where that matcher is weak on listed names:

- **Initials**: "Hans J Friedrich" ~ "Hans Joachim Friedrich" (J is an initial of Joachim).
- **Transliteration and typos of a person's name** that spelling alone refuses: the parts' sound
  skeletons agree (Gaddafi ~ Qadhafi, Schulze ~ Scholz, Joonng ~ Jong).
- **Pinyin syllables**: two Pinyin parts are compared syllable by syllable, so Xiaoming and
  Xiaoping share one syllable of two (0.5) instead of seven letters of eight.
- **A different word is a different entity**: where each side has a part the other lacks, neither
  is taken for a part left out (Saudi Arabian Gas ~ Saudi Arabian Oil Company), and an
  organisation's distinctive words spelt less alike than a typo count as different
  (Constructors, Construction).
- **Legal forms**: forms of different classes lower the score (Deutsche Bank AG, Deutsche Bank
  GmbH); a form one side leaves out costs almost nothing (Siemens, Siemens AG).
- **Generic words never carry a match**: an organisation name whose matching parts are all
  generic words, places and forms, while distinctive words differ, scores at most
  `GENERIC_ONLY`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein
from rigour.names import (
    Name,
    NamePart,
    NamePartTag,
    NameTypeTag,
    Symbol,
    align_person_name_order,
    analyze_names,
    compare_parts,
    pair_symbols,
)

from reetrace.screening.chinese import loose, split_syllables
from reetrace.screening.legal import FORM_WORDS, kinds_differ

Category = Symbol.Category

# Scores and weights of symbol pairs and of parts only one side has (nomenklatura logic_v2's)
SYM_SCORES = {
    Category.ORG_CLASS: 0.8,
    Category.INITIAL: 0.9,
    Category.NAME: 0.9,
    Category.NICK: 0.6,
    Category.SYMBOL: 0.9,
    Category.DOMAIN: 0.9,
    Category.NUMERIC: 0.9,
    Category.LOCATION: 0.9,
}
SYM_WEIGHTS = {
    Category.ORG_CLASS: 0.7,
    Category.INITIAL: 0.5,
    Category.NICK: 0.8,
    Category.SYMBOL: 0.3,
    Category.DOMAIN: 0.7,
    Category.NUMERIC: 1.3,
    Category.LOCATION: 0.8,
}
EXTRAS_WEIGHTS = {
    Category.SYMBOL: 0.7,
    Category.NUMERIC: 1.3,
    Category.LOCATION: 0.8,
}
GENERIC_CATEGORIES = frozenset({Category.ORG_CLASS, Category.SYMBOL, Category.DOMAIN, Category.LOCATION})
QUERY_ONLY = 0.8  # weight of a part only the query has
LISTED_ONLY = 0.2  # ... only the listed name has (a middle name, a company's trade left out)
SUBSTITUTED = 0.8  # ... when each side has a part the other lacks: another word, not one left out
FAMILY = 1.3  # factor on the weight of a family name
STOP = 0.7  # factor on the weight of a stopword
MIDDLE_ONLY = 0.3  # ... of a person's middle name or patronymic only the query gives
LISTED_MIDDLE = 0.1  # ... only the list gives (Muammar Muhammad Abu Minyar al-Qadhafi)
LEGAL_ONLY = 0.05  # weight of a legal form only one side gives
LEGAL_DIFFERS = 0.6  # weight of legal forms of different classes, scoring 0
INITIAL = (0.9, 0.5)  # score and weight of an initial of the other side's part
SOUND_ALIKE = 0.85  # score of a person's name part whose sound skeleton is the other's
DEMONYM = 0.9  # score of a country's name against its adjective
_DEMONYM_ENDINGS = frozenset({"n", "an", "ian", "i", "ese", "ish", "ean", "ic"})
PERSON_TYPO = 0.8  # a person's parts spelt less alike than this (by rigour) are other names, unless they sound alike
GENERIC_ONLY = 0.7  # at most this for organisations alike only in generic words
ARTICLES = frozenset("al el ash as at ad ar an az adh ath ul e i".split())  # Arabic al- as assimilated, Persian -e
HONORIFIC_ONLY = 0.05  # weight of a title or honorific before a person's name (Haji, Sheikh, General)
HONORIFICS = frozenset(
    "haji hajji hadji alhaj alhaji sheikh shaikh shaykh sheik sheikha mullah mulla maulana maulvi mawlawi "
    "sayyid syed imam ayatollah hojatoleslam hujjat general senior lieutenant colonel major brigadier "
    "admiral marshal commander president minister dr doctor prof professor mr mrs ms miss sir lord "
    "emir sultan captain engineer eng judge senator governor mayor ambassador".split()
)
_PATRONYMIC = re.compile(r"(ovich|evich|ovna|evna|ich|ogl[uy]|qizi|kyzy|uly|ovic|evic)$")


@dataclass(frozen=True, slots=True)
class PartMatch:
    """One aligned piece of two names: the parts (as compared), how they match, with what weight."""

    query: str
    listed: str
    match: str  # same, variant, initial, nickname, similar, legal_form, legal_form_differs, generic,
    # place, query_only, listed_only, different, reading
    score: float
    weight: float

    def as_json(self) -> dict[str, object]:
        return {
            "query": self.query,
            "listed": self.listed,
            "match": self.match,
            "score": round(self.score, 3),
            "weight": round(self.weight, 3),
        }


@dataclass(frozen=True, slots=True)
class Compared:
    """How alike two names are (0..1), and the pieces the score was made of."""

    score: float
    parts: tuple[PartMatch, ...]


NO_MATCH = Compared(0.0, ())
PartTags = tuple[tuple[str, tuple[str, ...]], ...]  # (NamePartTag name, values), hashable

_PART_TAGS = {
    "firstName": ("GIVEN",),
    "secondName": ("MIDDLE",),
    "middleName": ("MIDDLE",),
    "lastName": ("FAMILY",),
    "fatherName": ("PATRONYMIC",),
    "motherName": ("MATRONYMIC",),
}


NAME_PART_PROPERTIES = tuple(_PART_TAGS)


def part_tags(properties: dict[str, Sequence[str]]) -> PartTags:
    """The part tags a list's name-part properties (firstName, lastName …) give its names."""
    tags: dict[str, list[str]] = {}
    for prop, names in _PART_TAGS.items():
        for tag in names:
            tags.setdefault(tag, []).extend(properties.get(prop, ()))
    return tuple((tag, tuple(values)) for tag, values in sorted(tags.items()) if values)


_ORDINAL = re.compile(r"\b(?:no\.?\s*)?(\d+)(?:st|nd|rd|th)?\b", re.IGNORECASE)


@lru_cache(maxsize=262_144)
def analysed(name: str, person: bool, query: bool = False, tags: PartTags = ()) -> tuple[Name, ...]:
    """A name as rigour reads it (a query's single letters are initials; 14th and No. 14 are 14)."""
    name = _ORDINAL.sub(r"\1", name)
    mapping = {getattr(NamePartTag, tag): list(values) for tag, values in tags}
    return tuple(
        sorted(
            analyze_names(
                NameTypeTag.PER if person else NameTypeTag.ORG,
                [name],
                mapping or None,
                infer_initials=query and person,
                consolidate=False,
                phonetics=False,
            ),
            key=lambda n: n.comparable,
        )
    )


def warm_up(people: bool = True) -> None:
    """Load rigour's name taggers (the people's takes seconds, once per process; only when some
    listed entity is a person), so no screening waits for them."""
    if people:
        analysed("Warm Up", True)
    analysed("Warm Up Ltd", False)


# --- spelling of leftover parts -------------------------------------------------------------

_SOUNDS = [
    (re.compile(pattern), replacement)
    for pattern, replacement in [
        (r"[^a-z]", ""),
        (r"tch|tsch|sch|sh|ch|zh", "s"),
        (r"ph", "f"),
        (r"([kgd])h", r"\1"),  # kh, gh, dh: k, g, d
        (r"th", "t"),
        (r"ck|q|c|g", "k"),
        (r"x", "ks"),
        (r"z", "s"),
        (r"w|v", "f"),  # Pavloff, Pavlov
        (r"dj|j", "k"),  # Majid, Maged (ج is j and g)
    ]
]


@lru_cache(maxsize=65_536)
def skeleton(word: str) -> str:
    """A person's name part as it sounds, spelt the same way whatever the transliteration: the
    consonants, after the usual transliteration pairs are made one (kh~k, q~k~g, z~s, sh~sch~ch)."""
    text = word.lower()
    for pattern, replacement in _SOUNDS:
        text = pattern.sub(replacement, text)
    if not text:
        return ""
    head = "a" if text[0] in "aeiouy" else text[0]  # Economou, Oikonomou; Otaibi, Utaybi
    rest = re.sub(r"[aeiouyh]", "", text[1:])
    out = head
    for c in rest:
        if c != out[-1]:
            out += c
    return out


def _pinyin(word: str) -> tuple[str, ...] | None:
    return split_syllables(word) if len(word) >= 2 else None


def spelling(a: str, b: str, person: bool, chinese: bool = False) -> tuple[float, str]:
    """How alike two leftover parts are spelt (and how: similar, different), beyond rigour's
    typo budget: Pinyin syllable by syllable where the names are Chinese; a person's parts by
    their sound skeleton."""
    if a == b:
        return 1.0, "same"
    if chinese:
        sa, sb = _pinyin(a), _pinyin(b)
        if sa and sb:  # Pinyin spells each syllable one way: Wang is not Feng
            exact = Levenshtein.normalized_similarity(sa, sb)
            near = Levenshtein.normalized_similarity([loose(s) for s in sa], [loose(s) for s in sb])
            value = exact + 0.5 * (near - exact)
            return value, "similar" if value > 0 else "different"
    if min(len(a), len(b)) >= (3 if person else 5):
        ka, kb = skeleton(a), skeleton(b)
        # an organisation's word only with its long vowels written otherwise (Shaheed, Shahid)
        if len(ka) >= 2 and ka == kb and (person or OSA.distance(_long_vowels(a), _long_vowels(b)) <= 1):
            return SOUND_ALIKE, "similar"
    if not person and _demonym(a, b):
        return DEMONYM, "variant"
    return 0.0, "different"


_LONG_VOWELS = [(re.compile(p), r) for p, r in [("ee|ie", "i"), ("oo|ou", "u"), ("aa", "a"), ("([aeiou])\\1+", "\\1")]]


def _long_vowels(word: str) -> str:
    for pattern, replacement in _LONG_VOWELS:
        word = pattern.sub(replacement, word)
    return word


def _demonym(a: str, b: str) -> bool:
    """A country and its adjective: Syria, Syrian; Iraq, Iraqi; Korea, Korean."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 4:
        return False
    for cut in (0, 1):  # Syria → Syrian; Libya → Libyan; China → Chinese
        stem = short[: len(short) - cut] if cut else short
        if long_.startswith(stem) and long_[len(stem) :] in _DEMONYM_ENDINGS:
            return True
    return False


# --- one name against another ---------------------------------------------------------------


def _text(parts: Iterable[NamePart]) -> str:
    return " ".join(p.comparable for p in parts)


def _category_match(category: object, same: bool) -> str:
    if category == Category.INITIAL:
        return "initial"
    if category == Category.NICK:
        return "nickname"
    if category == Category.ORG_CLASS:
        return "legal_form"
    if category == Category.LOCATION:
        return "place"
    if category in (Category.SYMBOL, Category.DOMAIN):
        return "generic"
    return "same" if same else "variant"


@dataclass(slots=True)
class _Row:
    qps: tuple[NamePart, ...]
    rps: tuple[NamePart, ...]
    match: str
    score: float
    weight: float
    generic: bool = False


def _generic_parts(name: Name) -> frozenset[NamePart]:
    found = {p for span in name.spans if span.symbol.category in GENERIC_CATEGORIES for p in span.parts}
    found.update(p for p in name.parts if p.tag in (NamePartTag.LEGAL, NamePartTag.STOP))
    return frozenset(found)


@lru_cache(maxsize=16_384)
def _form_typo(word: str) -> bool:
    """A company form with a slip ("Lmiited", "Imc", "Cotp", "PSC" for PJSC)."""
    return len(word) >= 3 and any(
        len(form) >= 3 and abs(len(form) - len(word)) <= 1 and OSA.distance(word, form) <= 1 for form in FORM_WORDS
    )


def _legal_parts(name: Name) -> frozenset[NamePart]:
    """Its company forms: rigour's, the words of known forms, and a slip of one at either end."""
    found = {p for span in name.spans if span.symbol.category == Category.ORG_CLASS for p in span.parts}
    found.update(p for p in name.parts if p.tag == NamePartTag.LEGAL or p.comparable in FORM_WORDS)
    if len(name.parts) > 1:
        for edge in (name.parts[0], name.parts[-1]):
            if edge not in found and _form_typo(edge.comparable):
                found.add(edge)
    return frozenset(found)


def slip(a: str, b: str) -> float:
    """Words alike but for a slip: one edit (two in words of ten letters or more), else 0:
    Walkwr is Walker (0.83), Constructors is not Construction, nor Semenko Semenov."""
    longest = max(len(a), len(b))
    edits = OSA.distance(a, b)
    return 1.0 - edits / longest if edits <= (1 if longest < 10 else 2) else 0.0


def _extras(name: Name) -> dict[tuple[NamePart, ...], float]:
    weights: dict[tuple[NamePart, ...], float] = {}
    for span in name.spans:
        weight = EXTRAS_WEIGHTS.get(span.symbol.category, 1.0)
        if weight != 1.0:
            weights[tuple(span.parts)] = weights.get(tuple(span.parts), 1.0) * weight
    return weights


def _leftovers(qrem: list[NamePart], rrem: list[NamePart], person: bool, chinese: bool) -> list[_Row]:
    """The parts no symbol paired: initials first (a person's), then rigour's alignment by
    spelling, each pair or lone part rescored where the spelling rules above know better."""
    rows: list[_Row] = []
    if person:
        for short, long_side, query_short in ((qrem, rrem, True), (rrem, qrem, False)):
            for part in list(short):
                if len(part.comparable) != 1 or not part.comparable.isalpha():
                    continue
                found = next(
                    (p for p in long_side if len(p.comparable) > 1 and p.comparable[0] == part.comparable),
                    None,
                )
                if found is not None:
                    short.remove(part)
                    long_side.remove(found)
                    pair = ((part,), (found,)) if query_short else ((found,), (part,))
                    rows.append(_Row(*pair, "initial", *INITIAL))
    if not qrem and not rrem:
        return rows
    if person:
        qrem, rrem = align_person_name_order(qrem, rrem)
    else:
        qrem, rrem = NamePart.tag_sort(qrem), NamePart.tag_sort(rrem)
    lone_q: list[NamePart] = []
    lone_r: list[NamePart] = []
    for al in compare_parts(qrem, rrem):
        qps, rps = tuple(al.qps), tuple(al.rps)
        if not qps or not rps:
            (lone_q if qps else lone_r).extend(qps or rps)
            continue
        qs, rs = al.qstr, al.rstr
        qj, rj = qs.replace(" ", ""), rs.replace(" ", "")
        value, how = spelling(qj, rj, person, chinese)
        score = al.score
        if score < 1.0:  # a slip, or else another word (Semenko, Semenov; Constructors, Construction)
            score = max(score if person and score >= PERSON_TYPO else 0.0, slip(qj, rj))
        if value > score or (chinese and _pinyin(qj) and _pinyin(rj)):
            score = value
        if score <= 0.0:
            lone_q.extend(qps)
            lone_r.extend(rps)
            continue
        rows.append(_Row(qps, rps, "same" if score >= 1.0 else "similar", score, 1.0))
    # lone parts on both sides may still sound alike (Gaddafi, Qadhafi): pair them greedily
    for q in list(lone_q):
        for r in lone_r:
            value, how = spelling(q.comparable, r.comparable, person, chinese)
            if value > 0:
                rows.append(_Row((q,), (r,), how, value, 1.0))
                lone_q.remove(q)
                lone_r.remove(r)
                break
    rows.extend(_Row((q,), (), "query_only", 0.0, QUERY_ONLY) for q in lone_q)
    rows.extend(_Row((), (r,), "listed_only", 0.0, LISTED_ONLY) for r in lone_r)
    return rows


def _pairing_rows(query: Name, listed: Name, edges: Sequence[object], person: bool, chinese: bool) -> list[_Row]:
    rows: list[_Row] = []
    for edge in edges:
        category = edge.symbol.category  # type: ignore[attr-defined]
        same = edge.qstr == edge.rstr  # type: ignore[attr-defined]
        score = 1.0 if same else SYM_SCORES.get(category, 1.0)
        weight = SYM_WEIGHTS.get(category, 1.0)
        rows.append(
            _Row(
                tuple(edge.qps),  # type: ignore[attr-defined]
                tuple(edge.rps),  # type: ignore[attr-defined]
                _category_match(category, same),
                score,
                weight,
                category in GENERIC_CATEGORIES,
            )
        )
    used_q = {p for row in rows for p in row.qps}
    used_r = {p for row in rows for p in row.rps}
    rows.extend(
        _leftovers(
            [p for p in query.parts if p not in used_q],
            [p for p in listed.parts if p not in used_r],
            person,
            chinese,
        )
    )
    return rows


def _weigh(query: Name, listed: Name, rows: list[_Row], person: bool) -> float:
    """Weights of the rows in context; the name's score (and the rows are final)."""
    q_legal, r_legal = (_legal_parts(query), _legal_parts(listed)) if not person else (frozenset(), frozenset())
    q_generic, r_generic = _generic_parts(query) | q_legal, _generic_parts(listed) | r_legal
    q_extras, r_extras = _extras(query), _extras(listed)
    lone_q = [r for r in rows if r.qps and not r.rps]
    lone_r = [r for r in rows if r.rps and not r.qps]
    matched_q = [p.index for r in rows if r.qps and r.rps and r.score > 0 for p in r.qps]
    matched_r = [p.index for r in rows if r.qps and r.rps and r.score > 0 for p in r.rps]
    if person and matched_q:  # titles before the name: lone, known, and before every matched part
        titles = {
            p
            for r in lone_q
            for p in r.qps
            if (p.comparable in HONORIFICS or p.tag in (NamePartTag.HONORIFIC, NamePartTag.TITLE))
            and p.index < min(matched_q)
        }
        titles |= {p for r in lone_r for p in r.rps if p.comparable in HONORIFICS or p.tag == NamePartTag.HONORIFIC}
        lone_q = [r for r in lone_q if not set(r.qps) <= titles]
        lone_r = [r for r in lone_r if not set(r.rps) <= titles]
    else:
        titles = set()
    substituted = any(not set(r.qps) <= q_generic for r in lone_q) and any(not set(r.rps) <= r_generic for r in lone_r)

    def lone_weight(
        parts: tuple[NamePart, ...], generic: frozenset, extras: dict, matched: list[int], only: float, middle: float
    ) -> float:
        """A part only one side has: another word where the other side has one too, a middle name
        or patronymic of a person's (between matched parts), or one left out."""
        if substituted and not set(parts) <= generic:
            return SUBSTITUTED * extras.get(parts, 1.0)
        if (
            person
            and not substituted
            and matched
            and all(_PATRONYMIC.search(p.comparable) or min(matched) < p.index < max(matched) for p in parts)
        ):
            return middle
        return only * extras.get(parts, 1.0)

    for row in rows:
        parts = row.qps or row.rps
        if not row.rps:
            row.weight = lone_weight(row.qps, q_generic, q_extras, matched_q, QUERY_ONLY, MIDDLE_ONLY)
        elif not row.qps:
            row.weight = lone_weight(row.rps, r_generic, r_extras, matched_r, LISTED_ONLY, LISTED_MIDDLE)
        if not row.qps or not row.rps:
            legal = q_legal if row.qps else r_legal
            if all(p in legal for p in parts):
                row.weight = LEGAL_ONLY
        if (not row.qps or not row.rps) and (set(parts) <= titles or all(p.comparable in ARTICLES for p in parts)):
            row.weight = HONORIFIC_ONLY
            continue
        if any(p.tag == NamePartTag.STOP for p in parts) and len(parts) == 1:
            row.weight *= STOP if row.qps and row.rps else STOP * 0.7
        if any(p.tag == NamePartTag.FAMILY for p in (*row.qps, *row.rps)):
            row.weight *= FAMILY
        if row.match == "query_only" and substituted and not set(row.qps) <= q_generic:
            row.match = "different"
        if row.match == "listed_only" and substituted and not set(row.rps) <= r_generic:
            row.match = "different"
    if not person and kinds_differ(query.original, listed.original):
        forms_q = tuple(p for p in query.parts if p in q_legal)
        forms_r = tuple(p for p in listed.parts if p in r_legal)
        rows.append(_Row(forms_q, forms_r, "legal_form_differs", 0.0, LEGAL_DIFFERS))
    total = sum(r.weight for r in rows)
    score = sum(r.score * r.weight for r in rows) / total if total > 0 else 0.0
    if not person and score < 1.0:
        distinct_q = [p for p in query.parts if p not in q_generic]
        distinct_r = [p for p in listed.parts if p not in r_generic]
        matched_distinct = any(
            r.score > 0 and r.qps and r.rps and not (set(r.qps) <= q_generic and set(r.rps) <= r_generic) for r in rows
        )
        if (distinct_q or distinct_r) and not matched_distinct:
            score = min(score, GENERIC_ONLY)
    return score


def compare_name(query: Name, listed: Name, person: bool, chinese: bool = False) -> Compared:
    """How alike two analysed names are, the best way their parts can be paired."""
    if query.comparable == listed.comparable:
        return Compared(1.0, tuple(PartMatch(p.comparable, p.comparable, "same", 1.0, 1.0) for p in listed.parts))
    best_score, best_rows = -1.0, []
    for edges in pair_symbols(query, listed):
        rows = _pairing_rows(query, listed, edges, person, chinese)
        score = _weigh(query, listed, rows, person)
        if score > best_score:
            best_score, best_rows = score, rows
            if score >= 1.0:
                break
    parts = tuple(
        PartMatch(_text(r.qps), _text(r.rps), r.match, r.score, r.weight)
        for r in sorted(best_rows, key=lambda r: min((p.index for p in r.rps), default=99))
    )
    return Compared(max(best_score, 0.0), parts)


def compare_names(query: Iterable[Name], listed: Iterable[Name], person: bool, chinese: bool = False) -> Compared:
    """The best comparison of any of the query's readings with any of the listed name's."""
    best = NO_MATCH
    listed = tuple(listed)
    for q in query:
        for r in listed:
            found = compare_name(q, r, person, chinese)
            if found.score > best.score:
                best = found
                if found.score >= 1.0:
                    return best
    return best
