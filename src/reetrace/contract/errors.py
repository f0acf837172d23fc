"""Pydantic validation errors in a contract reader's words: where, and what is wrong."""

from __future__ import annotations

from pydantic import ValidationError

from reetrace.domain.events import EVENT_TYPES


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
