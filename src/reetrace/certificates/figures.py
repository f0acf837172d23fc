"""The trace of a certificate, checked: recomputed from the events it carries (whole, or as the
projections of redacted ones) and compared figure by figure with the certificate's, within
`KG_TOLERANCE`. Each origin must be an `extract` or an `import` resting on an event of the
certificate, or be reported as of unknown origin (a warning, not a failure)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from reetrace.certificates.bundle import recomputed_trace
from reetrace.certificates.outcome import Verification, check_members
from reetrace.domain.trace import FORMAT as TRACE_FORMAT
from reetrace.domain.trace import Creation

KG_TOLERANCE = 1e-6
_SLACK = 1e-9  # both sides are rounded to 6 decimals: a true 1e-6 difference may print as a hair more
LEGAL_ORIGINS = ("extract", "import")
TRACE_MEMBERS = ("format", "lot", "direction", "elements_kg", "reo_kg", "origins")
ORIGIN_MEMBERS = ("lot", "event", "enterprise", "type", "elements_kg", "reo_kg")


def check_trace(lot: str, claimed: Any, creations: list[Creation], included: set[str], result: Verification) -> None:
    """Recompute the lot's trace from `creations` (those of the events the certificate shows or
    projects; `included` names them) and compare it, figure by figure, with `claimed`."""
    recomputed = recomputed_trace(lot, creations)
    result.trace = recomputed
    _warn_unknown(lot, recomputed, result)
    if not isinstance(claimed, dict):
        result.failures.append("trace: not a JSON object")
        return
    check_members(claimed, TRACE_MEMBERS, "trace", result)
    if claimed.get("format") != TRACE_FORMAT:
        result.failures.append(f"trace: format is {claimed.get('format')!r}, not {TRACE_FORMAT!r}")
    if claimed.get("lot") != lot:
        result.failures.append(f"trace: it is the trace of lot {claimed.get('lot')!r}, the certificate is for {lot!r}")
    if claimed.get("direction") != "backward":
        result.failures.append(f"trace: direction is {claimed.get('direction')!r}, not 'backward'")
    _compare_kg(f"trace: lot {lot}", claimed.get("elements_kg"), recomputed["elements_kg"], result)
    _compare_number(f"trace: lot {lot} REO", claimed.get("reo_kg"), recomputed["reo_kg"], result)
    origins = claimed.get("origins")
    if not isinstance(origins, list):
        result.failures.append("trace: `origins` is not a list")
        return
    computed = {o["lot"]: o for o in recomputed["origins"]}
    listed: set[str] = set()
    for n, origin in enumerate(origins, 1):
        if not isinstance(origin, dict) or not isinstance(origin.get("lot"), str):
            result.failures.append(f"trace: origin {n} is not an origin with a lot id")
            continue
        key = origin["lot"]
        label = f"trace: origin {key}"
        if key in listed:
            result.failures.append(f"{label} is listed twice")
            continue
        listed.add(key)
        check_members(origin, ORIGIN_MEMBERS, label, result)
        kind, ref = origin.get("type"), origin.get("event")
        if kind not in (*LEGAL_ORIGINS, "unknown"):
            result.failures.append(
                f"{label}: type {kind!r} is neither a legal origin (extract, import) nor reported as unknown"
            )
        if isinstance(ref, str) and ref not in included:
            result.failures.append(f"{label}: it rests on event {ref}, which the certificate does not include")
        other = computed.get(key)
        if other is None:
            result.failures.append(
                f"{label} is in the certificate but not among the origins recomputed from the included events"
            )
            continue
        for member in ("type", "event", "enterprise"):
            if origin.get(member) != other[member]:
                result.failures.append(
                    f"{label}: {member} {origin.get(member)!r} in the certificate, {other[member]!r} recomputed"
                )
        _compare_kg(label, origin.get("elements_kg"), other["elements_kg"], result)
        _compare_number(f"{label} REO", origin.get("reo_kg"), other["reo_kg"], result)
    for key, other in computed.items():
        if key not in listed:
            cause = ": no included event creates it" if other["type"] == "unknown" else ""
            result.failures.append(
                f"trace: origin {key} ({other['type']}, {_kg(other['reo_kg'])} kg REO), "
                f"recomputed from the included events, is not in the certificate{cause}"
            )


def _warn_unknown(lot: str, trace: Mapping[str, Any], result: Verification) -> None:
    total = trace["reo_kg"]
    for origin in trace["origins"]:
        if origin["type"] == "unknown":
            share = f" ({origin['reo_kg'] / total:.1%} of the lot)" if total > 0 else ""
            what = (
                "the lot itself: no included event creates it"
                if origin["lot"] == lot
                else f"lot {origin['lot']}: no included event creates it"
            )
            result.warnings.append(f"unknown origin: {what}; {_kg(origin['reo_kg'])} kg REO{share}")


def _compare_kg(label: str, claimed: Any, recomputed: Mapping[str, float], result: Verification) -> None:
    if not isinstance(claimed, dict):
        result.failures.append(f"{label}: elements_kg is not an object of element masses")
        return
    for element in [*recomputed, *(e for e in claimed if e not in recomputed)]:
        _compare_number(f"{label} {element}", claimed.get(element, 0.0), recomputed.get(element, 0.0), result)


def _compare_number(label: str, claimed: Any, recomputed: float, result: Verification) -> None:
    if not _is_number(claimed):
        result.failures.append(f"{label}: {claimed!r} in the certificate is not a number of kilograms")
    elif abs(claimed - recomputed) > KG_TOLERANCE + _SLACK:
        result.failures.append(f"{label} {_kg(claimed)} kg in the certificate, {_kg(recomputed)} kg recomputed")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _kg(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


__all__ = ["KG_TOLERANCE", "check_trace"]
