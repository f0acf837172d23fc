"""Why a screening match scored as it did, said in the reader's language: the listed name the
party's name was compared with (and whether it is an alias), how the two were compared, each
aligned part with how it matched, its score and weight, and the adjustments that raised or lowered
the name's score, as sentences.

The matcher gives this as a match's `explanation` (docs/screening.md); a match recorded before it
did has none, and one whose explanation cannot be read is shown as such a match is: `explain`
gives None for both. Every word goes through the catalogue (`labels`, `messages`); a value the
catalogue does not know is said by a general word, never by its code. Scores and weights are
written as the page writes a match's score in a sentence (two decimals), an adjustment with its
sign (+0.05, −0.30).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reetrace.web import labels
from reetrace.web.messages import SCORE_ADJUSTMENT_SAID
from reetrace.web.words import Words

COUNTRIES = {"country", "nationality"}  # adjustments whose values are country codes
MINUS = "\N{MINUS SIGN}"


@dataclass(frozen=True)
class Part:
    """One aligned piece of the two names; a piece only one of them has leaves the other empty."""

    query: str
    listed: str
    match: str  # how they match, said
    kind: str  # the matcher's word for it (a class for the page's styles, never shown)
    score: str
    weight: str


@dataclass(frozen=True)
class Explained:
    query: str
    listed: str
    listed_as: str  # which of the entity's names it is (its main name, an alias …), said
    alias: bool  # compared with a name other than the entity's main name
    how: str
    score: str
    parts: tuple[Part, ...]
    adjustments: tuple[str, ...]


def explain(match: Mapping[str, Any], words: Words) -> Explained | None:
    """A match's explanation, said; None when it has none or it cannot be read."""
    found = match.get("explanation") if isinstance(match, Mapping) else None
    if not isinstance(found, Mapping):
        return None
    try:
        return _explained(found, words)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _explained(found: Mapping[str, Any], words: Words) -> Explained:
    t = words.t
    name = found["name"]
    kind = str(name.get("alias") or "")
    how = labels.NAME_COMPARISON.get(str(name.get("how") or ""))
    parts = tuple(
        Part(
            query=_text(p.get("query")),
            listed=_text(p.get("listed")),
            match=t(labels.NAME_MATCH.get(str(p.get("match")), labels.NAME_MATCH_UNKNOWN)),
            kind=str(p.get("match")) if p.get("match") in labels.NAME_MATCH else "",
            score=_number(words, p.get("score")),
            weight=_number(words, p.get("weight")),
        )
        for p in name.get("parts") or []
    )
    return Explained(
        query=_text(name.get("query")),
        listed=_text(name.get("listed")),
        listed_as=t(labels.LISTED_NAME.get(kind, labels.LISTED_NAME_UNKNOWN)),
        alias=kind != "name",
        how=t(how) if how else "—",
        score=_number(words, name.get("score")),
        parts=parts,
        adjustments=tuple(adjustment(a, words) for a in found.get("adjustments") or []),
    )


def adjustment(entry: Mapping[str, Any], words: Words) -> str:
    """One adjustment as a sentence: what, the party's value against the list's, the points."""
    by = str(entry.get("by") or "")
    what = words.t(labels.SCORE_ADJUSTMENT.get(by, labels.SCORE_ADJUSTMENT_UNKNOWN))
    country = by in COUNTRIES

    def said(value: Any) -> str:
        text = _text(value)
        return words.country(text.upper()) if country and text else text

    query = said(entry.get("query"))
    listed_values = entry.get("listed") or []
    if isinstance(listed_values, str):
        listed_values = [listed_values]
    listed = _and(words).join(s for s in (said(v) for v in listed_values) if s)
    form = "compared" if query and listed else "query" if query else "listed" if listed else "bare"
    effect = signed(words, entry.get("effect"))
    return words.t(SCORE_ADJUSTMENT_SAID[form]) % {"what": what, "query": query, "listed": listed, "effect": effect}


def signed(words: Words, value: Any) -> str:
    """Score points with their sign: +0.05, −0.30 (a true minus sign), 0.00."""
    if value is None or isinstance(value, bool):
        return "—"
    number = float(value)
    sign = "+" if number > 0 else MINUS if number < 0 else ""
    return sign + words.fmt.number(abs(number), 2)


def _number(words: Words, value: Any) -> str:
    if value is None or isinstance(value, bool):
        return "—"
    return words.fmt.number(float(value), 2)


def _and(words: Words) -> str:
    return "、" if words.fmt.language == "zh-Hans" else ", "


def _text(value: Any) -> str:
    return "" if value is None else str(value)
