"""Field types shared by the contract's documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, ValidationInfo
from stdnum.cn import uscc as _uscc

from reetrace.domain.elements import ELEMENTS
from reetrace.domain.problems import Problem
from reetrace.domain.submissions import AHEAD_OF_RECEIPT, MAX_DEPTH, MAX_EXT_BYTES, MAX_KG, TIME_FLOOR, size_text
from reetrace.ledger.canonical import canonical_bytes, max_nesting

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@lru_cache(maxsize=1 << 16)
def is_uscc(value: str) -> bool:
    """Whether `value` is a USCC written exactly in its compact form (18 characters, valid
    check character). Cached: the same few thousand enterprises recur in every report."""
    return _uscc.is_valid(value) and _uscc.compact(value) == value


def _uscc_check(value: str) -> str:
    if not isinstance(value, str) or not is_uscc(value):
        raise ValueError(
            Problem("uscc_invalid", f"{value!r} is not a valid Unified Social Credit Code", value=str(value))
        )
    return value


def _rfc3339(value: object) -> datetime:
    if not isinstance(value, str) or not (match := _RFC3339.match(value)):
        raise ValueError(
            Problem("time_format", "must be an RFC 3339 time with an offset, e.g. 2026-10-03T08:00:00+08:00")
        )
    text = value.replace("z", "Z").replace("t", "T")
    if match.group(1):  # a fraction of a second: Python keeps microseconds only
        head, _, tail = text.partition(".")
        digits = match.group(1)[1:]
        text = f"{head}.{digits[:6].ljust(6, '0')}{tail[len(digits) :]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(Problem("time_invalid", f"{value!r} is not a valid time: {exc}", value=value)) from None


def _iso_date(value: object) -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError(Problem("date_format", "must be a date YYYY-MM-DD"))
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(Problem("date_invalid", f"{value!r} is not a valid date: {exc}", value=value)) from None


def _composition(value: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(value) - set(ELEMENTS))
    if unknown:
        named = ", ".join(unknown)
        raise ValueError(Problem("elements_unknown", f"not rare earth element symbols: {named}", symbols=named))
    total = sum(value.values())
    if total > 1 + 1e-9:
        raise ValueError(Problem("fractions_over", f"mass fractions add up to {total:.6g}, more than 1", total=total))
    return value


# --- the bounds (reetrace.domain.submissions) -------------------------------------------------
# They apply to a submission as it is received: the models check them when validation is given
# the time of receipt (`context={"received_at": …}`), and the fast checks of reetrace.contract.
# event_facts call the same functions. An event already recorded is validated as it was accepted
# (a certificate carries events an older version took).


def mass_problem(value: float) -> str | None:
    """What is wrong with a (finite) mass or adjustment of `value` kg: more than `MAX_KG` either way."""
    if -MAX_KG <= value <= MAX_KG:
        return None
    return Problem("mass_beyond", f"{value:g} kg is beyond 10^9 kg, the most any mass may be", mass_kg=value)


def time_problem(moment: datetime, received_at: datetime) -> str | None:
    """What is wrong with an event's time: before `TIME_FLOOR`, or more than `AHEAD_OF_RECEIPT`
    after its submission was received."""
    if moment < TIME_FLOOR:
        return Problem(
            "time_before_floor",
            f"{_time_text(moment)} is before 1990 (1990-01-01T00:00:00+08:00), the earliest an event may be",
            time=_time_text(moment),
        )
    if moment > received_at + AHEAD_OF_RECEIPT:
        return Problem(
            "time_ahead",
            f"{_time_text(moment)} is more than 24 hours after the submission was received "
            f"({_time_text(received_at)}): nothing is reported from the future",
            time=_time_text(moment),
            received_at=_time_text(received_at),
        )
    return None


def created_problem(moment: datetime) -> str | None:
    """What is wrong with a submission's `created_at`: before `TIME_FLOOR`, or so late that the
    day after it cannot be written (its events may be dated up to 24 hours after it)."""
    if moment < TIME_FLOOR:
        return Problem("created_before_floor", f"{_time_text(moment)} is before 1990 (1990-01-01T00:00:00+08:00)")
    try:
        (moment + AHEAD_OF_RECEIPT).astimezone(UTC)
    except OverflowError:
        return Problem("created_unwritable", f"{_time_text(moment)} is beyond the last time that can be written in UTC")
    return None


def _time_text(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def ext_problem(value: Any) -> str | None:
    """What is wrong with an event's `ext`: nested more than `MAX_DEPTH` levels, not writable as
    canonical JSON (a number that is not finite or beyond ±2^53-1 as an integer, a lone
    surrogate), or more than `MAX_EXT_BYTES` of it."""
    if value is None:
        return None
    if max_nesting(value, MAX_DEPTH) > MAX_DEPTH:
        return Problem("nested", f"nests more than {MAX_DEPTH} levels deep", depth=MAX_DEPTH)
    try:
        size = len(canonical_bytes(value))
    except ValueError as exc:
        return Problem("not_canonical", f"cannot be written as canonical JSON (RFC 8785): {exc}")
    if size > MAX_EXT_BYTES:
        bound = f"{MAX_EXT_BYTES:,} ({size_text(MAX_EXT_BYTES)})"
        return Problem(
            "ext_too_large",
            f"is {size:,} bytes of canonical JSON, more than the {bound} it may hold",
            size=size,
            bound=MAX_EXT_BYTES,
        )
    return None


def text_problem(value: str) -> str | None:
    """Text holding U+0000, which no store can keep (PostgreSQL refuses it in text)."""
    return Problem("text_nul", "holds the character U+0000, which no text may hold") if "\x00" in value else None


def received_at(info: ValidationInfo) -> datetime | None:
    """The time of receipt the validation was given: the bounds apply when there is one."""
    context = info.context
    return context.get("received_at") if isinstance(context, dict) else None


def _bounded(problem: Callable[[Any], str | None]) -> Callable[[Any, ValidationInfo], Any]:
    """A validator that applies `problem` when the bounds apply."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if received_at(info) is not None:
            found = problem(value)
            if found:
                raise ValueError(found)
        return value

    return check


def _event_time(value: datetime, info: ValidationInfo) -> datetime:
    receipt = received_at(info)
    problem = None if receipt is None else time_problem(value, receipt)
    if problem:
        raise ValueError(problem)
    return value


def _plain_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _created_at(value: datetime) -> datetime:
    problem = created_problem(value)
    if problem:
        raise ValueError(problem)
    return value


Uscc = Annotated[str, AfterValidator(_uscc_check)]
Time = Annotated[datetime, BeforeValidator(_rfc3339)]
EventTime = Annotated[datetime, BeforeValidator(_rfc3339), AfterValidator(_event_time)]
CreatedAt = Annotated[datetime, BeforeValidator(_rfc3339), AfterValidator(_created_at)]
Day = Annotated[date, BeforeValidator(_iso_date)]
_PLAIN = AfterValidator(_plain_text)  # in every document: no store keeps U+0000
Text = Annotated[str, StringConstraints(min_length=1, max_length=500, strict=True), _PLAIN]
EventId = Annotated[str, StringConstraints(min_length=1, max_length=128, strict=True), _PLAIN]
LotId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:/-]{1,80}$", strict=True)]
_MASS = AfterValidator(_bounded(mass_problem))
Kg = Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False), _MASS]
PositiveKg = Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False), _MASS]
SignedKg = Annotated[float, Field(strict=True, allow_inf_nan=False), _MASS]
Ext = Annotated[Any, AfterValidator(_bounded(ext_problem))]
Fraction = Annotated[float, Field(ge=0, le=1, strict=True, allow_inf_nan=False)]
Composition = Annotated[dict[str, Fraction], AfterValidator(_composition)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$", strict=True)]
HsCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4,10}$", strict=True)]
KeyId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$", strict=True)]
