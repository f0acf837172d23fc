"""Spreadsheet (CSV) templates for each event type, and reading them into contract events.

One row per lot line; rows with the same `event_id` form one event. Event-level columns
(`type`, `time`, `site` and the type's own, such as `deposit` or `to`) must agree across an
event's rows. Lots an event creates take `lot`, `form`, `mass_kg`, `hs_code` and one column per
rare earth element (Sc…Lu) holding its elemental mass fraction; transform rows say whether they
are an `input` or an `output` in `role`. Numbers become JSON numbers (an int when the text is
integral); empty cells are left out. docs/filing.md is the user's guide to the same rules.

This module only gives the rows their structure; whether the event is valid is the contract's
business (`reetrace.contract.submission.validate_event`), which `reetrace.filing.prepare` runs.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from reetrace.domain.elements import ELEMENTS
from reetrace.filing import Draft, Place, Problem

COMMON = ("type", "event_id", "time", "site")
LOT_COLUMNS = ("lot", "form", "mass_kg", "hs_code", *ELEMENTS)
NUMBER_COLUMNS = frozenset({"mass_kg", "delta_kg", *ELEMENTS})
_OUTPUT_ONLY = ("form", "hs_code", *ELEMENTS)
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class Template:
    """The CSV layout of one event type."""

    type: str
    summary: str
    event_columns: tuple[str, ...]  # one value per event, repeated on each of its rows
    row_columns: tuple[str, ...]  # one value per row
    example: tuple[dict[str, str], ...]  # the rows of one example event
    first_row_only: frozenset[str] = frozenset()  # event-level, given on the event's first row
    one_row: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return COMMON + self.event_columns + self.row_columns

    def csv(self) -> str:
        """The header and the example rows, as CSV text."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.example:
            writer.writerow([row.get(c, "") for c in self.columns])
        return out.getvalue()


_SITE = "91150200MA0N0P1X25/P1"
_BUYER = "91440300MA5F000007"
_SUPPLIER = "91320500MA1M000009"
_TIME = "2026-10-03T08:00:00+08:00"

TEMPLATES: dict[str, Template] = {
    t.type: t
    for t in (
        Template(
            "extract",
            "mining creates ore or concentrate lots",
            ("deposit",),
            LOT_COLUMNS,
            (
                {
                    "type": "extract",
                    "event_id": "EX-2026-0001",
                    "time": _TIME,
                    "site": _SITE,
                    "deposit": "rock",
                    "lot": "BO-ORE-2026-0001",
                    "form": "ore",
                    "mass_kg": "250000",
                    "hs_code": "2530902000",
                    "La": "0.012",
                    "Ce": "0.024",
                    "Pr": "0.0025",
                    "Nd": "0.008",
                },
            ),
        ),
        Template(
            "import",
            "material enters from abroad",
            ("origin_country", "customs_declaration"),
            LOT_COLUMNS,
            (
                {
                    "type": "import",
                    "event_id": "IM-2026-0007",
                    "time": _TIME,
                    "site": _SITE,
                    "origin_country": "AU",
                    "customs_declaration": "020120261000012345",
                    "lot": "IMP-MZ-2026-0007",
                    "form": "concentrate",
                    "mass_kg": "20000",
                    "hs_code": "2612200000",
                    "Y": "0.015",
                    "La": "0.12",
                    "Ce": "0.25",
                    "Pr": "0.025",
                    "Nd": "0.1",
                    "Sm": "0.015",
                    "Gd": "0.01",
                },
            ),
        ),
        Template(
            "transform",
            "inputs (wholly or partly) become new lots; role is input or output",
            ("process",),
            ("role", *LOT_COLUMNS),
            (
                {
                    "type": "transform",
                    "event_id": "TR-2026-0101",
                    "time": _TIME,
                    "site": _SITE,
                    "process": "separation",
                    "role": "input",
                    "lot": "IMP-MZ-2026-0007",
                    "mass_kg": "10000",
                },
                {
                    "type": "transform",
                    "event_id": "TR-2026-0101",
                    "time": _TIME,
                    "site": _SITE,
                    "process": "separation",
                    "role": "output",
                    "lot": "PRND-OX-2026-0101",
                    "form": "oxide",
                    "mass_kg": "1150",
                    "hs_code": "2846901900",
                    "Pr": "0.21",
                    "Nd": "0.64",
                },
            ),
        ),
        Template(
            "ship",
            "custody of whole lots leaves the reporter; one lot a row",
            ("to", "shipment"),
            ("lot",),
            (
                {
                    "type": "ship",
                    "event_id": "SH-2026-0456",
                    "time": _TIME,
                    "site": _SITE,
                    "to": _BUYER,
                    "shipment": "SHP-2026-0456",
                    "lot": "PRND-OX-2026-0101",
                },
            ),
        ),
        Template(
            "receive",
            "custody of whole lots arrives at the reporter; mass_kg (optional) on the first row",
            ("from", "shipment", "mass_kg"),
            ("lot",),
            (
                {
                    "type": "receive",
                    "event_id": "RC-2026-0456",
                    "time": _TIME,
                    "site": _SITE,
                    "from": _SUPPLIER,
                    "shipment": "SHP-2026-0456",
                    "mass_kg": "1149.6",
                    "lot": "PRND-OX-2026-0101",
                },
            ),
            first_row_only=frozenset({"mass_kg"}),
        ),
        Template(
            "export",
            "material leaves the country; one lot a row",
            ("consignee", "destination", "customs_declaration", "license_no"),
            ("lot",),
            (
                {
                    "type": "export",
                    "event_id": "XP-2026-0031",
                    "time": _TIME,
                    "site": _SITE,
                    "consignee": "Example GmbH",
                    "destination": "DE",
                    "customs_declaration": "020120261000067890",
                    "license_no": "RE-2026-000123",
                    "lot": "DY-OX-2026-0012",
                },
            ),
        ),
        Template(
            "consume",
            "used up domestically, the end of the chain",
            ("purpose",),
            ("lot", "mass_kg"),
            (
                {
                    "type": "consume",
                    "event_id": "CO-2026-0078",
                    "time": _TIME,
                    "site": _SITE,
                    "purpose": "glass polishing powder",
                    "lot": "CE-OX-2026-0044",
                    "mass_kg": "350",
                },
            ),
        ),
        Template(
            "adjust",
            "a stock-take difference or loss; one row",
            ("lot", "delta_kg", "reason"),
            (),
            (
                {
                    "type": "adjust",
                    "event_id": "AD-2026-0009",
                    "time": _TIME,
                    "site": _SITE,
                    "lot": "PRND-OX-2026-0101",
                    "delta_kg": "-2.5",
                    "reason": "stock-take 2026-10-31",
                },
            ),
            one_row=True,
        ),
    )
}
KNOWN_COLUMNS: frozenset[str] = frozenset(c for t in TEMPLATES.values() for c in t.columns)


def parse_number(text: str) -> int | float:
    """A cell's number as JSON would read it: an int when the text is integral, else a float."""
    match = _JSON_NUMBER.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not a number")
    if match.group(1) is None and match.group(2) is None:
        return int(text)
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is out of range")
    return value


@dataclass
class _Row:
    line: int
    type: str
    cells: dict[str, Any]  # non-empty cells only, numbers parsed


@dataclass
class _Group:
    event_id: str
    rows: list[_Row] = field(default_factory=list)
    broken: bool = False


def read_csv(text: str, source: str, default_type: str | None = None) -> tuple[list[Draft], list[Problem]]:
    """The events of a CSV sheet, and every problem found in its structure.

    An event with a problem in any of its rows is left out of the result. `default_type` is the
    type of rows that have no `type` cell.
    """
    problems: list[Problem] = []
    records = _records(text)
    try:
        header_line, header = next(records, (1, []))
    except _Unreadable as exc:
        return [], [Problem(Place(source, (exc.line,)), str(exc))]
    columns = [c.strip() for c in header]
    problems += _check_header(columns, source, header_line)
    if "type" not in columns and default_type is None:
        problems.append(Problem(Place(source, (header_line,)), "no type column; add one or pass --type"))
        return [], problems
    groups: dict[str, _Group] = {}
    broken_types: set[str] = set()
    for line, values in _readable(records, source, problems):
        row_problems, event_id, row = _read_row(columns, values, line, default_type)
        problems += [Problem(Place(source, (line,)), m) for m in row_problems]
        if event_id is None:
            continue
        group = groups.setdefault(event_id, _Group(event_id))
        if row is None:
            group.broken = True
        else:
            group.rows.append(row)
    for type_, column in _missing_columns(columns, groups.values()):
        broken_types.add(type_)
        problems.append(Problem(Place(source, (header_line,)), f"no {column!r} column, which {type_} events need"))
    drafts = []
    for group in groups.values():
        if group.broken or not group.rows or group.rows[0].type in broken_types:
            continue
        group_problems = _check_group(group)
        if group_problems:
            problems += [Problem(Place(source, (line,)), m) for line, m in group_problems]
            continue
        drafts.append(_build(group, source))
    return drafts, problems


class _Unreadable(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank CSV records with the line each starts on; `_Unreadable` where the CSV breaks."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _Unreadable(end + 1, f"not readable as CSV: {exc}") from None
        start, end = end + 1, reader.line_num
        if any(v.strip() for v in values):
            yield start, values


def _readable(
    records: Iterator[tuple[int, list[str]]], source: str, problems: list[Problem]
) -> Iterator[tuple[int, list[str]]]:
    """The records up to where the CSV breaks, which is noted as a problem."""
    try:
        yield from records
    except _Unreadable as exc:
        problems.append(Problem(Place(source, (exc.line,)), str(exc)))


def _check_header(columns: list[str], source: str, line: int) -> list[Problem]:
    problems = []
    if not any(columns):
        return [Problem(Place(source, (line,)), "no header row; start with a template (reetrace sign --template TYPE)")]
    seen: set[str] = set()
    for column in columns:
        if column and column in seen:
            problems.append(Problem(Place(source, (line,)), f"column {column!r} appears twice"))
        seen.add(column)
        if column and column not in KNOWN_COLUMNS:
            close = [c for c in sorted(KNOWN_COLUMNS) if c.lower() == column.lower()]
            close = close or difflib.get_close_matches(column, sorted(KNOWN_COLUMNS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem(Place(source, (line,)), f"unknown column {column!r}{hint}"))
    return problems


def _read_row(
    columns: list[str], values: list[str], line: int, default_type: str | None
) -> tuple[list[str], str | None, _Row | None]:
    """Problems of one row, its event id (when it has one) and the row (when it is sound)."""
    problems: list[str] = []
    extra = [v for v in values[len(columns) :] if v.strip()]
    if extra:
        problems.append(f"{len(values)} cells but only {len(columns)} columns")
    if any(v.strip() for c, v in zip(columns, values, strict=False) if not c):
        problems.append("a filled cell under a column without a name")
    cells: dict[str, Any] = {c: v.strip() for c, v in zip(columns, values, strict=False) if c and v.strip()}
    event_id = cells.get("event_id")
    if event_id is None:
        problems.append("event_id is empty")
    type_ = cells.get("type", default_type)
    if default_type and type_ != default_type:
        problems.append(f"type is {type_!r} but --type is {default_type!r}")
    if type_ is None:
        return problems + ["type is empty (fill it in or pass --type)"], event_id, None
    template = TEMPLATES.get(type_)
    if template is None:
        return problems + [f"unknown event type {type_!r}; expected one of {', '.join(TEMPLATES)}"], event_id, None
    cells["type"] = type_
    unused = [c for c in cells if c not in template.columns]
    if unused:
        problems.append(f"{', '.join(unused)}: not a column of {type_} events")
    if "lot" in columns and "lot" not in cells:
        problems.append("lot is empty")
    if type_ == "transform" and "role" in columns:
        role = cells.get("role")
        if role is None:
            problems.append("role is empty (input or output)")
        elif role not in ("input", "output"):
            problems.append(f"role must be input or output, not {role!r}")
        elif role == "input" and (misplaced := [c for c in _OUTPUT_ONLY if c in cells]):
            problems.append(f"{', '.join(misplaced)}: only output rows describe a lot's form and composition")
    for column in NUMBER_COLUMNS.intersection(cells):
        try:
            cells[column] = parse_number(cells[column])
        except ValueError as exc:
            problems.append(f"{column}: {exc}")
    return problems, event_id, None if problems else _Row(line, type_, cells)


def _missing_columns(columns: list[str], groups: Iterable[_Group]) -> list[tuple[str, str]]:
    """(type, column) for each type present whose required columns the header lacks."""
    present = {row.type for g in groups for row in g.rows}
    missing = []
    for type_ in sorted(present, key=list(TEMPLATES).index):
        template = TEMPLATES[type_]
        needed = ("event_id", "time", *_required(template))
        missing += [(type_, c) for c in needed if c not in columns]
    return missing


def _required(template: Template) -> tuple[str, ...]:
    optional = {"site", "hs_code", "license_no", *ELEMENTS}
    if template.type == "receive":
        optional.add("mass_kg")
    return tuple(c for c in template.event_columns + template.row_columns if c not in optional)


def _check_group(group: _Group) -> list[tuple[int, str]]:
    """Problems of an event as a whole: rows that disagree on event-level values."""
    first, rest = group.rows[0], group.rows[1:]
    template = TEMPLATES[first.type]
    problems = []
    if template.one_row:
        return [
            (
                r.line,
                f"event {group.event_id}: an {first.type} event is one row, and this event_id is already "
                f"on line {first.line}",
            )
            for r in rest
        ]
    for row in rest:
        if row.type != first.type:
            problems.append(
                (
                    row.line,
                    f"event {group.event_id}: type {row.type!r} differs from {first.type!r} on line {first.line}",
                )
            )
            continue
        for column in ("time", "site", *template.event_columns):
            if column in template.first_row_only:
                if column in row.cells:
                    problems.append(
                        (
                            row.line,
                            f"event {group.event_id}: {column} goes on the event's first row only (line {first.line})",
                        )
                    )
            elif row.cells.get(column) != first.cells.get(column):
                problems.append(
                    (
                        row.line,
                        f"event {group.event_id}: {column} is {_show(row.cells.get(column))} "
                        f"here but {_show(first.cells.get(column))} on line {first.line}",
                    )
                )
    return problems


def _show(value: Any) -> str:
    return "empty" if value is None else repr(value)


def _build(group: _Group, source: str) -> Draft:
    first = group.rows[0]
    template = TEMPLATES[first.type]
    event: dict[str, Any] = {c: first.cells[c] for c in ("type", "event_id", "time", "site") if c in first.cells}
    member_lines: dict[str, int] = {}
    for column in template.event_columns:
        if column in first.cells:
            event[column] = first.cells[column]
    match template.type:
        case "extract" | "import":
            event["outputs"] = [_new_lot(r.cells) for r in group.rows]
            member_lines.update((f"outputs[{i}]", r.line) for i, r in enumerate(group.rows))
        case "transform":
            inputs = [r for r in group.rows if r.cells["role"] == "input"]
            outputs = [r for r in group.rows if r.cells["role"] == "output"]
            event["inputs"] = [_draw(r.cells) for r in inputs]
            event["outputs"] = [_new_lot(r.cells) for r in outputs]
            member_lines.update((f"inputs[{i}]", r.line) for i, r in enumerate(inputs))
            member_lines.update((f"outputs[{i}]", r.line) for i, r in enumerate(outputs))
        case "ship" | "receive" | "export":
            event["lots"] = [r.cells["lot"] for r in group.rows]
            member_lines.update((f"lots[{i}]", r.line) for i, r in enumerate(group.rows))
        case "consume":
            event["lots"] = [_draw(r.cells) for r in group.rows]
            member_lines.update((f"lots[{i}]", r.line) for i, r in enumerate(group.rows))
    return Draft(event, Place(source, tuple(r.line for r in group.rows)), member_lines)


def _new_lot(cells: dict[str, Any]) -> dict[str, Any]:
    lot: dict[str, Any] = {c: cells[c] for c in ("lot", "form", "mass_kg") if c in cells}
    lot["composition"] = {e: cells[e] for e in ELEMENTS if e in cells}
    if "hs_code" in cells:
        lot["hs_code"] = cells["hs_code"]
    return lot


def _draw(cells: dict[str, Any]) -> dict[str, Any]:
    return {c: cells[c] for c in ("lot", "mass_kg") if c in cells}
