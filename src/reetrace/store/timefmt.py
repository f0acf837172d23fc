"""Times as stored: ISO 8601 in UTC with a fixed width, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_utc_text(text: str) -> datetime:
    return datetime.fromisoformat(text)
