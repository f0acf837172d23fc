"""What an enterprise may see of what is not its own.

The authority's staff see everything. An enterprise sees its own events, applications and
findings in full. Of the material upstream of its own lots it sees what a redacted certificate
proves (docs/certificates.md): each origin's lot, its type (a mine, an import, or unknown) and
the element mass it contributed, but not which enterprise reported it or which event it was. Of a
finding upstream of its lot it learns the code and whether it blocks, not whom it is about,
where or why. It is never told of another enterprise's application.

The pre-review an applicant reads is the recorded report seen through these rules. One red
flag is left out as well: "no earlier export or license names the consignee" would tell the
applicant whether any other exporter ever dealt with a consignee of its choosing. The
applicant's verdict is the one the rest of its view supports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PRIVATE_FLAGS = frozenset({"new_consignee"})


def origin_seen_by(origin: Mapping[str, Any], enterprise: str) -> dict[str, Any]:
    """A trace origin (docs/contract.md §6) as `enterprise` may see it: another's without who or which event."""
    if origin.get("enterprise") == enterprise:
        return dict(origin)
    return {**origin, "enterprise": None, "event": None}


def trace_seen_by(trace: Mapping[str, Any], enterprise: str) -> dict[str, Any]:
    """A backward trace as `enterprise` may see it."""
    return {**trace, "origins": [origin_seen_by(o, enterprise) for o in trace.get("origins", [])]}


def _finding_seen_by(finding: Mapping[str, Any], enterprise: str) -> dict[str, Any]:
    if finding.get("enterprise") == enterprise:
        return dict(finding)
    return {"code": finding.get("code"), "severity": finding.get("severity"), "blocking": finding.get("blocking")}


def _blocking_seen_by(reason: Mapping[str, Any], lot: str | None, enterprise: str) -> dict[str, Any]:
    if reason.get("check") != "provenance" or "code" not in reason:
        return dict(reason)
    if reason.get("enterprise") == enterprise:
        return dict(reason)
    code = reason["code"]
    return {
        "check": "provenance",
        "lot": lot,
        "code": code,
        "reason": f"upstream of {lot}: {code}, a finding on the material this lot was made from",
        "message_id": "prereview.upstream_finding_of_another",
        "params": {"lot": lot, "code": code},
    }


def _quantity_seen_by(row: Mapping[str, Any], enterprise: str) -> dict[str, Any]:
    if row.get("custodian") == enterprise:
        return dict(row)
    return {**row, "remaining_kg": None, "custodian": None, "status": None}


def prereview_seen_by(report: Mapping[str, Any], applicant: str) -> dict[str, Any]:
    """A recorded pre-review (`reetrace/pre-review@1`) as its applicant may see it."""
    provenance = [
        {
            **row,
            "origins": [origin_seen_by(o, applicant) for o in row.get("origins", [])],
            "findings": [_finding_seen_by(f, applicant) for f in row.get("findings", [])],
        }
        for row in report.get("provenance", [])
    ]
    blocking = [_blocking_seen_by(b, b.get("lot"), applicant) for b in report.get("blocking", [])]
    red_flags = [f for f in report.get("red_flags", []) if f.get("flag") not in PRIVATE_FLAGS]
    return {
        **report,
        "provenance": provenance,
        "quantities": [_quantity_seen_by(q, applicant) for q in report.get("quantities", [])],
        "blocking": blocking,
        "red_flags": red_flags,
        "verdict": "blocked" if blocking else ("attention" if red_flags else "clear"),
    }


__all__ = ["origin_seen_by", "prereview_seen_by", "trace_seen_by"]
