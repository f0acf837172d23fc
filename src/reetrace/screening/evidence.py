"""What besides the name raises or lowers a match: birth dates, countries, a weak alias.

A listed person's birth date and the one the reviewer gives agree when one is the other as far as
both go (1952 agrees with 1952-10-07); a namesake born in another year is not the listed person,
nor, less surely, one born another day of the same year. A full date that agrees raises a close
name. The party's country against the entity's countries (nationality, citizenship, country,
jurisdiction): none of them costs a tenth. A name the list gives only as a weak alias (a
nickname, a short or common name) counts for less than a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

YEAR_DIFFERS = 0.3  # score points off when no listed birth date is of the query's year
DATE_DIFFERS = 0.25  # ... when the year agrees but the month or day does not
DATE_AGREES = 0.05  # points on, for the same full date, to a name scoring at least CLOSE
CLOSE = 0.7
COUNTRY_FACTOR = 0.9  # on a score whose entity is of none of the query's country
WEAK_ALIAS_FACTOR = 0.85  # on a score reached only through a weak alias


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One reason the score moved: by what (birth_date, birth_date_agrees, country, nationality,
    weak_alias), by how many points (signed), the query's value and the list's."""

    by: str
    effect: float
    query: str | None
    listed: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"by": self.by, "effect": round(self.effect, 3), "query": self.query, "listed": list(self.listed)}


def dates_agree(a: str, b: str) -> bool:
    """Whether two dates, each given as far as it is known, can be the same day."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def weigh(
    score: float,
    *,
    person: bool,
    name_property: str,
    listed_name: str,
    birth_date: str | None,
    birth_dates: Sequence[str],
    country: str | None,
    countries: Sequence[str],
) -> tuple[float, tuple[Adjustment, ...]]:
    """The name's score moved by the evidence both sides give, and why."""
    moves: list[Adjustment] = []
    if name_property == "weakAlias":
        moved = score * WEAK_ALIAS_FACTOR
        moves.append(Adjustment("weak_alias", moved - score, None, (listed_name,)))
        score = moved
    if birth_date and birth_dates:
        listed = tuple(birth_dates)
        if not any(dates_agree(birth_date, d) for d in listed):
            same_year = any(d[:4] == birth_date[:4] for d in listed)
            effect = -(DATE_DIFFERS if same_year else YEAR_DIFFERS)
            moves.append(Adjustment("birth_date", effect, birth_date, listed))
            score += effect
        elif len(birth_date) == 10 and birth_date in listed and CLOSE <= score < 1.0:
            effect = min(DATE_AGREES, 1.0 - score)
            moves.append(Adjustment("birth_date_agrees", effect, birth_date, listed))
            score += effect
    if country and countries and country not in countries:
        moved = score * COUNTRY_FACTOR
        moves.append(Adjustment("nationality" if person else "country", moved - score, country, tuple(countries)))
        score = moved
    return max(score, 0.0), tuple(moves)
