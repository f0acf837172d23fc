"""The CSV files customs and trade statistics arrive in (docs/customs.md): export declarations,
one row per item, and partner countries' import statistics. Each reader checks every row and
names the line and column of what is wrong; a file with any bad row yields nothing.

Column names are matched loosely (case, spaces, hyphens and dots aside) against a few accepted
spellings; an unknown column is an error, as an unknown member is in the JSON documents.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TypeVar

from stdnum.cn import uscc as _uscc

from reetrace.contract.fields import is_uscc
from reetrace.domain.customs import Declaration, DeclarationItem
from reetrace.domain.mirror import MirrorStatistic
from reetrace.errors import InvalidInput

Progress = Callable[[int, int], None]
Row = TypeVar("Row")  # what one row of a file is read into

DECLARATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "declaration_no": (
        "declaration_no",
        "declaration",
        "declaration_number",
        "customs_declaration",
        "entry_no",
        "报关单号",
    ),
    "date": ("date", "declaration_date", "declared_on", "export_date", "申报日期"),
    "exporter": ("exporter", "exporter_uscc", "uscc", "exporter_code", "发货人"),
    "hs_code": ("hs_code", "hs", "hs10", "commodity_code", "商品编号"),
    "net_kg": ("net_kg", "net_weight_kg", "net_mass_kg", "net_weight", "kg", "净重"),
    "destination": ("destination", "destination_country", "country", "运抵国"),
    "license_no": ("license_no", "licence_no", "license", "licence", "license_number", "许可证号"),
    "lots": ("lots", "lot_ids", "lot", "lot_id"),
}
DECLARATION_OPTIONAL = ("license_no", "lots")

MIRROR_COLUMNS: dict[str, tuple[str, ...]] = {
    "year": ("year", "period", "ref_year"),
    "partner": ("partner", "reporter", "importer", "partner_country", "reporter_iso", "country"),
    "hs6": ("hs6", "hs", "hs_code", "cmd_code", "cmdcode", "commodity_code"),
    "kg": ("kg", "net_kg", "net_weight_kg", "netwgt", "net_wgt", "qty_kg"),
    "value": ("value", "value_usd", "usd", "primary_value", "primaryvalue", "trade_value"),
}
MIRROR_OPTIONAL = ("value",)

_LOT = re.compile(r"^[A-Za-z0-9._:/-]{1,80}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_ERRORS = 10


class _RowError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def _key(name: str) -> str:
    return re.sub(r"[\s\-.]+", "_", name.strip().lstrip("\ufeff").casefold()).strip("_")


def _columns(
    header: list[str], known: dict[str, tuple[str, ...]], optional: tuple[str, ...], source: str
) -> dict[str, int]:
    spelling = {_key(alias): name for name, aliases in known.items() for alias in aliases}
    found: dict[str, int] = {}
    unknown = []
    for index, raw in enumerate(header):
        name = spelling.get(_key(raw))
        if name is None:
            unknown.append(raw)
        elif name in found:
            raise InvalidInput(f"{source}: line 1: columns {header[found[name]]!r} and {raw!r} both give {name}")
        else:
            found[name] = index
    missing = [name for name in known if name not in found and name not in optional]
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(repr(u) for u in unknown)}")
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if problems:
        raise InvalidInput(
            f"{source}: line 1: {'; '.join(problems)}; expected the columns "
            f"{', '.join(known)} ({', '.join(optional)} optional)"
        )
    return found


def _rows(text: str, known: dict[str, tuple[str, ...]], optional: tuple[str, ...], source: str):
    """(line number, {column: cell}) for every non-blank row."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        raise InvalidInput(f"{source}: line 1: empty file, expected a header line")
    head = lines[0]
    delimiter = "," if "," in head else "\t" if "\t" in head else ";" if ";" in head else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = next(reader)
    columns = _columns(header, known, optional, source)
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            yield reader.line_num, None, f"{len(cells)} cells where the header has {len(header)} columns"
            continue
        yield reader.line_num, {name: (cells[i].strip() if i < len(cells) else "") for name, i in columns.items()}, None


def _read(
    text: str,
    source: str,
    known: dict[str, tuple[str, ...]],
    optional: tuple[str, ...],
    build: Callable[[dict[str, str]], Row],
    progress: Progress | None,
) -> list[tuple[int, Row]]:
    total = max(0, len(text.splitlines()) - 1)
    parsed: list[tuple[int, Row]] = []
    errors: list[str] = []
    for n, (line, cells, problem) in enumerate(_rows(text, known, optional, source), start=1):
        if progress is not None and n % 1000 == 0:
            progress(n, total)
        if problem is not None:
            errors.append(f"line {line}: {problem}")
            continue
        try:
            parsed.append((line, build(cells)))
        except _RowError as exc:
            errors.append(f"line {line}, column {exc.column}: {exc}")
        if len(errors) >= MAX_ERRORS:
            break
    if progress is not None:
        progress(total, total)
    if errors:
        more = " (stopped at the first ten)" if len(errors) >= MAX_ERRORS else ""
        raise InvalidInput(f"{source}: nothing loaded, {len(errors)} bad row(s){more}: " + "; ".join(errors))
    return parsed


# -- cells ------------------------------------------------------------------------------------


def _required(cells: dict[str, str], column: str) -> str:
    value = cells.get(column, "")
    if not value:
        raise _RowError(column, "is empty")
    return value


def _day(cells: dict[str, str], column: str) -> date:
    value = _required(cells, column)
    try:
        if not _DATE.match(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise _RowError(column, f"{value!r} is not a date YYYY-MM-DD") from None


def _optional_kg(cells: dict[str, str], column: str) -> float | None:
    """None for an empty cell, else as `_kg`."""
    return _kg(cells, column) if cells.get(column, "").replace(",", "").replace("_", "") else None


def _kg(cells: dict[str, str], column: str) -> float:
    value = cells.get(column, "").replace(",", "").replace("_", "")
    value = value or _required(cells, column)
    try:
        number = float(value)
    except ValueError:
        raise _RowError(column, f"{cells[column]!r} is not a number") from None
    if not math.isfinite(number):
        raise _RowError(column, f"{cells[column]!r} is not a finite number")
    if number < 0:
        raise _RowError(column, f"{cells[column]!r} is negative")
    return number


def _country(cells: dict[str, str], column: str) -> str:
    value = _required(cells, column).upper()
    if not _COUNTRY.match(value):
        raise _RowError(column, f"{cells[column]!r} is not an ISO 3166 alpha-2 country code")
    return value


def _digits(cells: dict[str, str], column: str, length: int) -> str:
    raw = _required(cells, column)
    value = re.sub(r"[\s.]", "", raw)
    if not value.isdigit() or not value.isascii():
        raise _RowError(column, f"{raw!r} is not a code of digits")
    if len(value) != length:
        raise _RowError(column, f"{raw!r} has {len(value)} digits; a {length}-digit code is expected")
    return value


# -- the two files ---------------------------------------------------------------------------


def _declaration(cells: dict[str, str]) -> Declaration:
    number = _required(cells, "declaration_no")
    if len(number) > 64 or any(c.isspace() for c in number):
        raise _RowError("declaration_no", f"{number!r} is not a declaration number (at most 64 characters, no spaces)")
    exporter = _required(cells, "exporter")
    compact = _uscc.compact(exporter) if exporter.isascii() else exporter
    if not is_uscc(compact):
        raise _RowError("exporter", f"{exporter!r} is not a valid Unified Social Credit Code")
    lots = tuple(dict.fromkeys(p for p in re.split(r"[;,|\s]+", cells.get("lots", "")) if p))
    bad = [lot for lot in lots if not _LOT.match(lot)]
    if bad:
        raise _RowError("lots", f"{bad[0]!r} is not a lot id (1–80 of A-Z a-z 0-9 . _ : / -)")
    item = DeclarationItem(_digits(cells, "hs_code", 10), _kg(cells, "net_kg"), lots)
    return Declaration(
        declaration_no=number,
        day=_day(cells, "date"),
        exporter=compact,
        destination=_country(cells, "destination"),
        license_no=cells.get("license_no") or None,
        items=(item,),
    )


def _statistic(cells: dict[str, str]) -> MirrorStatistic:
    raw = _required(cells, "year")
    if not raw.isdigit() or not 1900 <= int(raw) <= 2200:
        raise _RowError("year", f"{raw!r} is not a year")
    return MirrorStatistic(
        year=int(raw),
        partner=_country(cells, "partner"),
        hs6=_digits(cells, "hs6", 6),
        kg=_kg(cells, "kg"),
        value_usd=_optional_kg(cells, "value"),
    )


def read_declarations(
    text: str, source: str, progress: Progress | None = None
) -> list[tuple[tuple[int, ...], Declaration]]:
    """(lines, declaration) for every declaration, in the order of their first rows: the rows of
    one number are its items, numbered in file order, `lines[n - 1]` the line of item n. The rows
    of one number must agree on date, exporter, destination and license number, and an item may
    not be given twice."""
    rows = _read(text, source, DECLARATION_COLUMNS, DECLARATION_OPTIONAL, _declaration, progress)
    grouped: dict[str, tuple[list[int], Declaration, list[DeclarationItem]]] = {}
    errors: list[str] = []
    shared = False  # whether an error is of the fields the items of a declaration share
    for line, row in rows:
        (item,) = row.items
        found = grouped.get(row.declaration_no)
        if found is None:
            grouped[row.declaration_no] = ([line], row, [item])
            continue
        lines, first, items = found
        differences = first.header_differences(row)
        repeated = next((n for n, other in enumerate(items, start=1) if other.key == item.key), None)
        if differences:
            errors.extend(
                f"line {line}, column {name}: {row.header()[name] or ''!r} where line {lines[0]} of "
                f"declaration {row.declaration_no} has {first.header()[name] or ''!r}"
                for name in differences
            )
            shared = True
        elif repeated is not None:
            errors.append(
                f"line {line}: repeats item {repeated} of declaration {row.declaration_no} "
                f"(line {lines[repeated - 1]}); an item is given once"
            )
        else:
            lines.append(line)
            items.append(item)
    if errors:
        note = (
            (
                " (the rows of one declaration number are its items: they share its date, exporter, destination "
                "and license_no)"
            )
            if shared
            else ""
        )
        raise InvalidInput(f"{source}: nothing loaded: " + "; ".join(errors[:MAX_ERRORS]) + note)
    return [(tuple(lines), replace(first, items=tuple(items))) for lines, first, items in grouped.values()]


def read_mirror_statistics(
    text: str, source: str, progress: Progress | None = None
) -> list[tuple[int, MirrorStatistic]]:
    """(line, statistic) for every row; one (year, partner, hs6) given twice is an error."""
    rows = _read(text, source, MIRROR_COLUMNS, MIRROR_OPTIONAL, _statistic, progress)
    seen: dict[tuple[int, str, str], int] = {}
    errors = []
    for line, statistic in rows:
        if statistic.key in seen:
            errors.append(
                f"line {line}: {statistic.year} {statistic.partner} {statistic.hs6} is already on line "
                f"{seen[statistic.key]}"
            )
        seen.setdefault(statistic.key, line)
    if errors:
        raise InvalidInput(f"{source}: nothing loaded: " + "; ".join(errors[:MAX_ERRORS]))
    return rows
