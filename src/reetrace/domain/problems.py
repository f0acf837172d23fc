"""What is wrong with something an enterprise sent, said two ways at once.

A `Problem` is the English sentence the contract's JSON, the CLI and the logs carry (it is a
`str`), and beside it the message id and parameters the pages and the API say it by in the
reader's language (docs/i18n.md). Raised inside a pydantic validator as `ValueError(problem)`, it
comes back out of the validation error intact, so a validation failure is said as precisely as a
check written by hand.

Many problems found at once (a validation error) are one problem with the id `invalid`: its
parameters list each problem found with where it is (`at`, the path of member names and list
positions), and how many more were left unsaid (`more`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

INVALID = "invalid"


class Problem(str):
    """An English sentence that knows its message id and parameters."""

    id: str
    params: dict[str, Any]

    def __new__(cls, id: str, text: str, **params: Any) -> Problem:
        problem = super().__new__(cls, text)
        problem.id = id
        problem.params = params
        return problem

    def __reduce__(self) -> tuple[Any, ...]:  # crosses from the ingest workers to the writer
        return (_problem, (self.id, str(self), self.params))


def _problem(id: str, text: str, params: dict[str, Any]) -> Problem:
    return Problem(id, text, **params)


def found(at: Sequence[str | int], problem: str) -> list[dict[str, Any]]:
    """The problems `problem` stands for, each placed under `at`: a problem with the id
    `invalid` stands for those it lists, any other for itself; a plain sentence for one
    problem the pages can only say in English (`text`)."""
    if isinstance(problem, Problem) and problem.id == INVALID:
        return [{**item, "at": [*at, *item.get("at", [])]} for item in problem.params.get("problems", [])]
    if isinstance(problem, Problem):
        return [{"at": list(at), "id": problem.id, "params": problem.params}]
    return [{"at": list(at), "id": "", "params": {"text": str(problem)}}]


def invalid(text: str, problems: list[dict[str, Any]], more: int = 0) -> Problem:
    """The problems found in one piece of what was sent, with the English `text` that says them."""
    return Problem(INVALID, text, problems=problems, more=more)


def within(at: Sequence[str | int], problem: str, text: str) -> Problem:
    """`problem` as found at `at` in something larger, said in English as `text`."""
    more = problem.params.get("more", 0) if isinstance(problem, Problem) and problem.id == INVALID else 0
    return invalid(text, found(at, problem), more)
