"""What an applicant sees of its pre-review (`domain.disclosure`), on a report written by hand:
its own origins, findings and lots whole; another enterprise's origin without who or which
event; another's finding reduced to its code, severity and whether it blocks; a lot it no longer
holds without custodian or mass; no new-consignee flag; the verdict its view supports."""

from __future__ import annotations

import json

from reetrace.domain.disclosure import prereview_seen_by, trace_seen_by

ME, MINE, PLANT = "91110000MA0000003T", "91110000MA0000001L", "91110000MA0000002P"

REPORT = {
    "format": "reetrace/pre-review@1",
    "application": "EA2026-000007",
    "provenance": [
        {
            "lot": "DYO-1",
            "origins": [
                {"lot": "C1", "type": "extract", "enterprise": MINE, "event": f"{MINE}:m1", "reo_kg": 20.0},
                {"lot": "IMP-1", "type": "import", "enterprise": ME, "event": f"{ME}:i1", "reo_kg": 5.0},
            ],
            "findings": [
                {
                    "code": "UNAUTHORIZED_MINING",
                    "severity": "critical",
                    "enterprise": MINE,
                    "lot": "C1",
                    "event": f"{MINE}:m1",
                    "detail": f"{MINE} mined without a qualification at the North pit",
                    "evidence": {"site": f"{MINE}/P1"},
                    "blocking": True,
                },
                {"code": "LATE_REPORT", "severity": "low", "enterprise": ME, "detail": "ours", "blocking": False},
            ],
        }
    ],
    "quantities": [
        {"lot": "DYO-1", "remaining_kg": 20.0, "custodian": ME, "status": "held", "issues": []},
        {
            "lot": "DYO-2",
            "remaining_kg": 8.0,
            "custodian": PLANT,
            "status": "held",
            "issues": ["lot DYO-2 is not held by the applicant"],
        },
    ],
    "blocking": [
        {
            "check": "provenance",
            "lot": "DYO-1",
            "code": "UNAUTHORIZED_MINING",
            "enterprise": MINE,
            "event": f"{MINE}:m1",
            "reason": f"upstream of DYO-1: UNAUTHORIZED_MINING — {MINE} mined without a qualification",
        },
        {"check": "quantities", "lot": "DYO-2", "reason": "lot DYO-2 is not held by the applicant"},
    ],
    "red_flags": [{"flag": "new_consignee", "detail": "no earlier export or license names the consignee 'X'"}],
    "verdict": "blocked",
}


def test_another_enterprise_is_never_named():
    seen = prereview_seen_by(REPORT, ME)
    assert MINE in json.dumps(REPORT) and PLANT in json.dumps(REPORT)
    assert MINE not in json.dumps(seen) and PLANT not in json.dumps(seen)


def test_its_own_things_are_whole_and_others_reduced():
    seen = prereview_seen_by(REPORT, ME)
    origins, findings = seen["provenance"][0]["origins"], seen["provenance"][0]["findings"]
    assert origins == [
        {"lot": "C1", "type": "extract", "enterprise": None, "event": None, "reo_kg": 20.0},
        REPORT["provenance"][0]["origins"][1],
    ]
    assert findings == [
        {"code": "UNAUTHORIZED_MINING", "severity": "critical", "blocking": True},
        REPORT["provenance"][0]["findings"][1],
    ]
    assert seen["quantities"] == [
        REPORT["quantities"][0],
        {**REPORT["quantities"][1], "remaining_kg": None, "custodian": None, "status": None},
    ]
    assert seen["blocking"] == [
        {
            "check": "provenance",
            "lot": "DYO-1",
            "code": "UNAUTHORIZED_MINING",
            "reason": "upstream of DYO-1: UNAUTHORIZED_MINING, a finding on the material this lot was made from",
            "message_id": "prereview.upstream_finding_of_another",
            "params": {"lot": "DYO-1", "code": "UNAUTHORIZED_MINING"},
        },
        REPORT["blocking"][1],
    ]


def test_the_verdict_follows_what_it_sees():
    assert prereview_seen_by(REPORT, ME)["verdict"] == "blocked"
    flagged_only = {**REPORT, "blocking": [], "verdict": "attention"}
    assert prereview_seen_by(flagged_only, ME)["red_flags"] == []
    assert prereview_seen_by(flagged_only, ME)["verdict"] == "clear"
    destination = {**flagged_only, "red_flags": [{"flag": "destination", "detail": "KP"}]}
    assert prereview_seen_by(destination, ME)["verdict"] == "attention"


def test_a_blocking_finding_about_the_applicant_is_shown_whole():
    own = {**REPORT["blocking"][0], "enterprise": ME, "event": f"{ME}:t1", "reason": "upstream: ours"}
    assert prereview_seen_by({**REPORT, "blocking": [own]}, ME)["blocking"] == [own]


def test_a_report_recorded_before_findings_named_their_enterprise_is_withheld():
    old = {k: v for k, v in REPORT["blocking"][0].items() if k != "enterprise"}
    (seen,) = prereview_seen_by({**REPORT, "blocking": [old]}, ME)["blocking"]
    assert MINE not in json.dumps(seen)


def test_a_trace_names_only_the_enterprise_itself():
    trace = {"format": "reetrace/trace@1", "lot": "DYO-1", "origins": REPORT["provenance"][0]["origins"]}
    assert [o["enterprise"] for o in trace_seen_by(trace, ME)["origins"]] == [None, ME]
    assert [o["enterprise"] for o in trace_seen_by(trace, MINE)["origins"]] == [MINE, None]
