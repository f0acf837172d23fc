"""Pagination, the same on every list: `?limit=&offset=`, answered with
`{"items": [...], "total": N, "limit": L, "offset": O}`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Query

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int

    def of(self, items: Sequence[Any]) -> dict[str, Any]:
        """The page of a whole list held in memory."""
        return self.answer(list(items[self.offset : self.offset + self.limit]), len(items))

    def answer(self, items: list[Any], total: int) -> dict[str, Any]:
        """The answer for a page already cut (by the database) from `total` items."""
        return {"items": items, "total": total, "limit": self.limit, "offset": self.offset}


async def page(  # async: it reads nothing, so it runs on the event loop, not on a thread
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page."),
    offset: int = Query(0, ge=0, le=10**9, description="Items to skip."),
) -> Page:
    return Page(limit, offset)
