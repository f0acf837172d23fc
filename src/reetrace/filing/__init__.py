"""The enterprise side: what a compliance officer needs to file a signed report.

`keys` makes and loads the enterprise's Ed25519 signing key; `sheets` turns spreadsheet rows
(CSV) into contract events; `prepare` reads event files, checks every event against the
contract, and signs them into one `reetrace/submission@1` document. Nothing here touches the
store: filing happens on the enterprise's own machine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Place:
    """Where something was read: a file and the lines (1-based) it came from."""

    source: str
    lines: tuple[int, ...]

    @property
    def line(self) -> int:
        return self.lines[0]

    def __str__(self) -> str:
        return f"{self.source}:{self.line}" if self.lines else self.source


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, at the place it was found."""

    place: Place
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


@dataclass(frozen=True)
class Draft:
    """An event object read from a file, not yet checked against the contract.

    `member_lines` maps a member path of the event (`outputs[1]`, `lots[0]`) to the line it was
    read from, so that a problem the contract finds inside the event can be put on its row.
    """

    event: dict[str, Any]
    place: Place
    member_lines: Mapping[str, int] = field(default_factory=dict)

    def place_of(self, message: str) -> Place:
        """The place a contract message about this event points at: the row of the first
        member it names, else the event's first line."""
        for match in _MEMBER.finditer(message):
            line = self.member_lines.get(match.group())
            if line is not None:
                return Place(self.place.source, (line,))
        return self.place


_MEMBER = re.compile(r"\b[a-z_]+\[\d+\]")
