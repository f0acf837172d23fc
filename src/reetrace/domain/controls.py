"""The dual-use control list as dated data, and the classification of a lot on a date.

An entry is in force on a day when its announcement has taken effect, no suspension covers the
day, and the entry has not ended. Ores and concentrates are never listed; other forms fall into
groups `a` (metal, alloy, magnet), `b` (oxide) and `c` (compounds).

The list changes without a code change: a regulator adds an entry, suspends one (until a date or
open-ended) or ends one, each from an effective date. `apply_changes` replays such changes, in
the order they were recorded, over the initial document's list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from reetrace.domain.elements import ELEMENTS
from reetrace.errors import InvalidInput

ACTIONS = ("add", "suspend", "end")


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
            entries.append(
                ControlEntry(
                    code=e["code"],
                    element=e["element"],
                    groups=tuple(e["groups"]),
                    effective_from=date.fromisoformat(e.get("effective_from") or ann["effective_from"]),
                    ended_on=date.fromisoformat(e["ended_on"]) if e.get("ended_on") else None,
                    suspensions=suspensions,
                )
            )
        form_groups = {form: g for g, forms in doc["form_groups"].items() for form in forms}
        return cls(tuple(entries), form_groups)


@dataclass(frozen=True, slots=True)
class ControlChange:
    """A regulator's change to the list: `add` a new entry, `suspend` one from `effective` until
    `until` (exclusive; None = open), or `end` one from `effective`; who made it and why."""

    action: str
    code: str
    effective: date
    by: str
    why: str
    element: str | None = None  # add only
    groups: tuple[str, ...] = ()  # add only
    until: date | None = None  # suspend only


def check_change(current: ControlList, change: ControlChange) -> None:
    """Raise InvalidInput, with a message a regulator can act on, unless `change` applies to `current`."""
    known = {e.code for e in current.entries}
    if change.action not in ACTIONS:
        raise InvalidInput(f"unknown action {change.action!r}; one of {', '.join(ACTIONS)}")
    if not change.code.strip():
        raise InvalidInput("a control code is required")
    if not change.by.strip():
        raise InvalidInput("who makes the change is required (--by)")
    if not change.why.strip():
        raise InvalidInput("why the change is made is required (--why)")
    if change.action == "add":
        if change.code in known:
            raise InvalidInput(f"control code {change.code} is already on the list")
        if change.element not in ELEMENTS:
            raise InvalidInput(f"unknown element {change.element!r}; a rare earth element symbol (La-Lu, Sc, Y)")
        letters = set(current.form_groups.values())
        bad = [g for g in change.groups if g not in letters]
        if bad or not change.groups:
            raise InvalidInput(
                f"bad group letter(s) {', '.join(bad) or '(none given)'}; groups are {', '.join(sorted(letters))}"
            )
        if len(set(change.groups)) != len(change.groups):
            raise InvalidInput(f"group letters repeat: {', '.join(change.groups)}")
    elif change.code not in known:
        raise InvalidInput(f"unknown control code {change.code}; known: {', '.join(sorted(known))}")
    if change.until is not None:
        if change.action != "suspend":
            raise InvalidInput("an end date (--until) applies only to a suspension")
        if change.until <= change.effective:
            raise InvalidInput(f"a suspension must end after it starts ({change.effective} .. {change.until})")


def apply_changes(base: ControlList, changes: Iterable[ControlChange]) -> ControlList:
    """The list after `changes`, applied in order. A later `end` of the same entry replaces an
    earlier one; suspensions accumulate."""
    current = base
    for change in changes:
        check_change(current, change)
        if change.action == "add":
            entry = ControlEntry(change.code, change.element or "", tuple(change.groups), change.effective)
            current = replace(current, entries=(*current.entries, entry))
            continue
        entries = []
        for entry in current.entries:
            if entry.code == change.code:
                if change.action == "suspend":
                    entry = replace(entry, suspensions=(*entry.suspensions, Period(change.effective, change.until)))
                else:
                    entry = replace(entry, ended_on=change.effective)
            entries.append(entry)
        current = replace(current, entries=tuple(entries))
    return current
