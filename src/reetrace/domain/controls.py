"""The dual-use control list as dated data, and the classification of a lot on a date.

An entry is in force on a day when its announcement has taken effect, no suspension covers the
day, and the entry has not ended. Ores and concentrates are never listed; other forms fall into
groups `a` (metal, alloy, magnet), `b` (oxide) and `c` (compounds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date | None  # exclusive; None = open

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class ControlEntry:
    code: str
    element: str
    groups: tuple[str, ...]
    effective_from: date
    ended_on: date | None = None
    suspensions: tuple[Period, ...] = ()

    def in_force(self, day: date) -> bool:
        if day < self.effective_from or (self.ended_on is not None and day >= self.ended_on):
            return False
        return not any(p.covers(day) for p in self.suspensions)


@dataclass(frozen=True, slots=True)
class ControlledItem:
    """One reason a lot is controlled: a code, the element that puts it there, its group."""

    code: str
    element: str
    group: str


@dataclass(frozen=True, slots=True)
class ControlList:
    entries: tuple[ControlEntry, ...]
    form_groups: Mapping[str, str]  # form -> group letter

    def classify(self, form: str, composition: Mapping[str, float], day: date) -> list[ControlledItem]:
        """The control codes a lot of this form and composition falls under on `day`."""
        group = self.form_groups.get(form)
        if group is None:
            return []
        return [
            ControlledItem(entry.code, entry.element, group)
            for entry in self.entries
            if group in entry.groups and composition.get(entry.element, 0.0) > 0 and entry.in_force(day)
        ]

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> ControlList:
        """Build from the `reetrace/control-list@1` document."""
        announcements = {a["id"]: a for a in doc["announcements"]}
        entries = []
        for e in doc["entries"]:
            ann = announcements[e["announcement"]]
            suspensions = tuple(
                Period(date.fromisoformat(s["from"]), date.fromisoformat(s["until"]) if s.get("until") else None)
                for s in ann.get("suspensions", ()) + e.get("suspensions", [])
            )
            entries.append(ControlEntry(
                code=e["code"], element=e["element"], groups=tuple(e["groups"]),
                effective_from=date.fromisoformat(e.get("effective_from") or ann["effective_from"]),
                ended_on=date.fromisoformat(e["ended_on"]) if e.get("ended_on") else None,
                suspensions=suspensions,
            ))
        form_groups = {form: g for g, forms in doc["form_groups"].items() for form in forms}
        return cls(tuple(entries), form_groups)
