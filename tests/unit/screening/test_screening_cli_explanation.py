"""`reetrace screen NAME` prints under its table one line a match saying why it scored as it did:
the listed name when it is an alias, each aligned part, the adjustments with their sign. The
matcher does not give explanations yet, so the screening service is replaced here by one giving a
match that carries one as the matcher will (docs/screening.md), beside a match without."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import reetrace.cli.screening as command
import reetrace.services.screening as service
from reetrace.cli import app
from reetrace.cli.screening import explanation_line

EXPLANATION = {
    "name": {
        "query": "Hans J Friedrich",
        "listed": "Hans Joachim Friedrich",
        "alias": "name",
        "how": "parts",
        "score": 0.93,
        "parts": [
            {"query": "hans", "listed": "hans", "match": "same", "score": 1.0, "weight": 1.0},
            {"query": "j", "listed": "joachim", "match": "initial", "score": 0.9, "weight": 0.5},
            {"query": "", "listed": "shaikh", "match": "listed_only", "score": 0.0, "weight": 0.1},
            {"query": "von", "listed": "", "match": "query_only", "score": 0.0, "weight": 0.1},
            {"query": "friedrich", "listed": "[bold]x", "match": "different", "score": 0.0, "weight": 1.0},
        ],
    },
    "adjustments": [
        {"by": "birth_date", "effect": -0.3, "query": "1960-05-01", "listed": ["1952-10-07"]},
        {"by": "birth_date_agrees", "effect": 0.05, "query": "1952", "listed": ["1952"]},
    ],
}
LINE = (
    "parts 0.93: hans = hans · j ~ joachim (initial 0.90) · + shaikh (listed only) · von (query only) · "
    "friedrich ≠ [bold]x | birth date differs −0.30, birth date agrees +0.05"
)


@dataclass(frozen=True)
class Match:  # a match as the service will give it, its explanation beside the other members
    list: str
    entity: str
    name: str
    score: float
    schema: str = "Person"
    countries: tuple[str, ...] = ()
    explanation: dict[str, Any] | None = None


@dataclass(frozen=True)
class Result:
    query: str
    matches: tuple[Match, ...]
    threshold: float = 0.8
    country: str | None = None
    lists: tuple = field(default=())


def test_the_line_says_each_part_and_adjustment():
    assert explanation_line(EXPLANATION) == LINE
    by_alias = {**EXPLANATION, "name": {**EXPLANATION["name"], "alias": "weakAlias", "how": "reading"}}
    assert explanation_line(by_alias).startswith("weak alias “Hans Joachim Friedrich”, reading 0.93: hans = hans")
    assert explanation_line({"name": {"how": "script", "score": 1, "parts": []}, "adjustments": []}) == "script 1.00: —"


@pytest.fixture
def screened(monkeypatch):
    """`reetrace screen` run with the service giving one explained match and one without."""
    out = io.StringIO()
    monkeypatch.setattr(command, "console", Console(file=out, width=400, color_system=None))
    monkeypatch.setattr(command, "store_for", lambda ctx: None)
    matches = (
        Match("us_bis", "NK-friedrich", "Hans Joachim Friedrich", 0.43, explanation=EXPLANATION),
        Match("un_sc", "UN-1", "Friedrich Trading", 0.81),
        Match("eu_fsf", "EU-2", "Friedrich H.", 0.80, explanation={"name": {"score": "high"}}),  # unreadable
    )
    monkeypatch.setattr(
        service, "screen_names", lambda store, names, country, threshold, birth_date=None: [Result(names[0], matches)]
    )

    def run(*args: str) -> str:
        result = CliRunner().invoke(app, ["screen", *args])
        assert result.exit_code == 0, result.output
        return out.getvalue() + result.output

    return run


def test_screen_prints_a_line_under_the_table_for_each_explained_match(screened):
    printed = screened("Hans J Friedrich")
    table, _, rest = printed.partition("  ↳ ")
    assert "NK-friedrich" in table and "UN-1" in table and "EU-2" in table
    assert rest.strip() == f"us_bis:NK-friedrich  {LINE}"  # one line: the others have no readable explanation
