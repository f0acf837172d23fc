"""How the EPCIS event hash writes one value: times in UTC to the millisecond, numbers in one
form, old CBV URNs as web vocabulary, GS1 keys as canonical Digital Links. Each step is the
reference implementation's (epcis-event-hash-generator 1.9.3, MIT; see `reetrace.epcis.hashing`).
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from reetrace.epcis.digital_link import normalise


class EventHashError(ValueError):
    """An event the reference implementation cannot hash: it drops it from its answer or fails
    on its whole document (or, for times, would read it with a lenient parser of its own)."""


_OLD_CBV = (
    ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
    ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
)
# What Python's float() may read, in ASCII: these characters only, or an inf(inity) or a nan
_NUMBER_START = frozenset("0123456789+-.iInN")
_NUMBER_END = frozenset("0123456789.fFyYnN")
_NUMERAL = re.compile(r"[0-9+\-._eE]+")
_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]+))?(?:[Zz]|([+-])([0-9]{2}):?([0-9]{2}))"
)


def canonical(text: str) -> str:
    """A stripped, non-empty value as the hash writes it: old CBV URNs (anywhere in it) as web
    vocabulary, what float() reads as a number in Python's shortest form, integral numbers
    without a fraction (``5.0``, ``"05"``, ``"1e3"`` → ``5``, ``5``, ``1000``; ``NaN`` stays),
    then GS1 keys as canonical Digital Links."""
    if "urn:epcglobal:cbv:" in text:
        for urn, iri in _OLD_CBV:
            text = text.replace(urn, iri)
    if (
        (text[0] in _NUMBER_START and text[-1] in _NUMBER_END)
        and (_NUMERAL.fullmatch(text) or text[-1] in "fFyYnN" or not text.isascii())
        or (text[0] > "\x7f" or text[-1] > "\x7f")
    ):
        try:
            number: float | int = float(text)
            if int(number) == number:  # OverflowError on an infinity: the reference drops the event
                number = int(number)
            text = str(number)
        except ValueError:  # not a number, or NaN
            pass
        except OverflowError as error:
            raise EventHashError(f"the reference implementation drops events holding {text!r}") from error
    return normalise(text) or text


def number(value: float) -> str:
    """`canonical` of a JSON number, without writing it out and reading it back where the result
    is known: a float the way `canonical` writes its repr, an int the way it writes its str (an
    int beyond 2**53 goes through float() there, and comes out rounded, as from the reference)."""
    if type(value) is float:
        if value != value:
            return "nan"
        if value in (math.inf, -math.inf):
            raise EventHashError(f"the reference implementation drops events holding {value!r}")
        return str(int(value)) if value.is_integer() else repr(value)
    if -(2**53) <= value <= 2**53:
        return str(value)
    return canonical(str(value))


def utc(text: str) -> str:
    """A stripped, non-empty RFC 3339 time in UTC to the millisecond, ``YYYY-MM-DDTHH:MM:SS.mmmZ``,
    as the reference computes it: the fraction cut to microseconds, then rounded half to even to
    milliseconds. A time that would round up to the next second is refused (the reference fails
    on it), as is one outside RFC 3339 (the reference reads those with dateutil's lenient parser)."""
    match = _TIME.fullmatch(text)
    if match is None:
        raise EventHashError(f"not an RFC 3339 time: {text!r}")
    date, clock, fraction, sign, off_hours, off_minutes = match.groups()
    milli = round(int(fraction[:6].ljust(6, "0")), -3) if fraction else 0
    if milli == 1_000_000:
        raise EventHashError(f"the reference implementation fails on {text!r}: it rounds up to the next second")
    try:
        moment = datetime.fromisoformat(f"{date}T{clock}")
        if sign:
            if int(off_hours) > 23 or int(off_minutes) > 59:
                raise ValueError("offset out of range")
            offset = int(off_hours) * 60 + int(off_minutes)
            if offset:
                moment -= timedelta(minutes=offset if sign == "+" else -offset)
    except (ValueError, OverflowError) as error:
        raise EventHashError(f"not a time the reference implementation can hash: {text!r}") from error
    return f"{moment.isoformat()}.{milli // 1000:03d}Z"
