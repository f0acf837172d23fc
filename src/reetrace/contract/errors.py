"""Pydantic validation errors in a contract reader's words: where, and what is wrong."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from reetrace.domain.events import EVENT_TYPES
from reetrace.domain.problems import Problem, found, invalid


def describe(error: ValidationError, tagged: bool = False, limit: int = 3) -> str:
    """One line naming each problem by its path (`outputs[0].mass_kg: …`). `tagged`: the first
    path element is a discriminated union's tag, which the reader never wrote."""
    parts = []
    for item in error.errors(include_url=False)[:limit]:
        path = item["loc"][1:] if tagged else item["loc"]
        loc = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        msg = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            msg = "unknown member (only `ext` may hold free members)"
        elif item["type"] == "union_tag_invalid":
            msg = f"unknown event type; expected one of {', '.join(EVENT_TYPES)}"
        parts.append(f"{loc or ('event' if tagged else 'document')}: {msg}")
    more = len(error.errors()) - len(parts)
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


# the member of a pydantic error's context that holds the bound it names, by error type
_BOUND = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
    "string_too_short": "min_length",
    "string_too_long": "max_length",
    "too_short": "min_length",
    "too_long": "max_length",
}


def said(error: ValidationError, tagged: bool = False, limit: int = 3) -> Problem:
    """The validation error as a `Problem`: its English text is `describe`'s, and each problem
    found is kept with where it is, its message id and parameters (reetrace.domain.problems)."""
    items = error.errors(include_url=False)
    problems: list[dict[str, Any]] = []
    for item in items[:limit]:
        path = list(item["loc"][1:] if tagged else item["loc"])
        problems.extend(found(path, _problem_of(item)))
    return invalid(describe(error, tagged, limit), problems, max(len(items) - limit, 0))


def _problem_of(item: Any) -> str:
    """One pydantic error item as a `Problem`: the one a validator raised, or one named by the
    error's type (`pydantic.<type>`) with the bound or the choices it names."""
    kind = item["type"]
    context = item.get("ctx") or {}
    raised = context.get("error")
    if kind == "value_error" and isinstance(raised, ValueError) and raised.args:
        return raised.args[0] if isinstance(raised.args[0], Problem) else str(raised.args[0])
    params: dict[str, Any] = {}
    if kind in _BOUND and _BOUND[kind] in context:
        params["limit"] = context[_BOUND[kind]]
    elif kind == "literal_error":
        params["expected"] = str(context.get("expected", ""))
    elif kind == "union_tag_invalid":
        params["expected"] = ", ".join(EVENT_TYPES)
    return Problem(f"pydantic.{kind}", str(item["msg"]), **params)
