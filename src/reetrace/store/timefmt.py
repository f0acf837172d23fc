"""Times as stored: ISO 8601 in UTC with a fixed width, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def from_utc_text(text: str) -> datetime:
    return datetime.fromisoformat(text)
