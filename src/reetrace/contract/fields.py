"""Field types shared by the contract's documents."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from stdnum.cn import uscc as _uscc

from reetrace.domain.elements import ELEMENTS

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@lru_cache(maxsize=1 << 16)
def is_uscc(value: str) -> bool:
    """Whether `value` is a USCC written exactly in its compact form (18 characters, valid
    check character). Cached: the same few thousand enterprises recur in every report."""
    return _uscc.is_valid(value) and _uscc.compact(value) == value


def _uscc_check(value: str) -> str:
    if not isinstance(value, str) or not is_uscc(value):
        raise ValueError(f"{value!r} is not a valid Unified Social Credit Code")
    return value


def _rfc3339(value: object) -> datetime:
    if not isinstance(value, str) or not (match := _RFC3339.match(value)):
        raise ValueError("must be an RFC 3339 time with an offset, e.g. 2026-10-03T08:00:00+08:00")
    text = value.replace("z", "Z").replace("t", "T")
    if match.group(1):  # a fraction of a second: Python keeps microseconds only
        head, _, tail = text.partition(".")
        digits = match.group(1)[1:]
        text = f"{head}.{digits[:6].ljust(6, '0')}{tail[len(digits) :]}"
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid time: {exc}") from None


def _iso_date(value: object) -> date:
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date: {exc}") from None


def _composition(value: dict[str, float]) -> dict[str, float]:
    unknown = sorted(set(value) - set(ELEMENTS))
    if unknown:
        raise ValueError(f"not rare earth element symbols: {', '.join(unknown)}")
    total = sum(value.values())
    if total > 1 + 1e-9:
        raise ValueError(f"mass fractions add up to {total:.6g}, more than 1")
    return value


Uscc = Annotated[str, AfterValidator(_uscc_check)]
Time = Annotated[datetime, BeforeValidator(_rfc3339)]
Day = Annotated[date, BeforeValidator(_iso_date)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=500, strict=True)]
EventId = Annotated[str, StringConstraints(min_length=1, max_length=128, strict=True)]
LotId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:/-]{1,80}$", strict=True)]
Kg = Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)]
PositiveKg = Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)]
SignedKg = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, strict=True, allow_inf_nan=False)]
Composition = Annotated[dict[str, Fraction], AfterValidator(_composition)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$", strict=True)]
HsCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4,10}$", strict=True)]
KeyId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$", strict=True)]
