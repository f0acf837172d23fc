"""The pre-review's judgement on plain facts: classification, provenance, screening,
quantities, red flags; what blocks approval and what a reviewer can clear."""

from __future__ import annotations

from datetime import date

from builders import (
    ION_CLAY,
    MINE,
    SEP,
    TRADER,
    at,
    controls,
    extract,
    new,
    receive,
    registry,
    run,
    ship,
    transform,
)

from reetrace.domain.applications import Application, ApplicationItem, Document, Party
from reetrace.domain.lots import Ledger
from reetrace.domain.prereview import Facts, LotFacts, Provenance, RedFlagRules, pre_review, still_blocking
from reetrace.domain.trace import InMemoryLotSource, ancestry, backward

DAY = date(2026, 6, 1)
LISTED = {
    "format": "reetrace/screening@1",
    "threshold": 0.8,
    "matches": [],
    "lists": [{"name": "cn_control", "version": "abc"}],
}


def chain(unknown_input: bool = False):
    events = [
        extract(MINE, "x1", at(0), new("CONC-1", 10_000, ION_CLAY), deposit="ion_adsorption"),
        ship(MINE, "s1", at(1), ["CONC-1"], SEP, "SH1"),
        receive(SEP, "r1", at(2), ["CONC-1"], MINE, "SH1"),
        transform(
            SEP,
            "t1",
            at(5),
            "separation",
            [("CONC-1", 10_000)] + ([("GHOST-9", 500)] if unknown_input else []),
            new("DYO-1", 560, {"Dy": 0.8713}, form="oxide"),
        ),
    ]
    return events


def application(**changes) -> Application:
    base = dict(
        exporter=SEP,
        license_type="single",
        items=(ApplicationItem(lot="DYO-1"),),
        parties=(
            Party("consignee", "Hamburg Magnet Works GmbH", "DE"),
            Party("end_user", "Hamburg Magnet Works GmbH", "DE"),
        ),
        end_use="Sintered NdFeB magnets for wind turbine generators",
        destination="DE",
        contract_ref="C-1",
        valid_from=DAY,
        valid_to=date(2027, 5, 31),
        documents=(
            Document("end_user_certificate", "euc.pdf", "0" * 64, 10),
            Document("end_use_certificate", "eu.pdf", "1" * 64, 10),
        ),
    )
    base.update(changes)
    return Application(**base)


def facts(events, app: Application, reg=None, screening=None, known=frozenset(), claimed=None) -> Facts:
    findings = run(events, reg)
    source = InMemoryLotSource.from_events(events)
    ledger = Ledger()
    for e in sorted(events, key=lambda e: e.time):
        ledger.admit(e)
        ledger.apply(e)
    lots, provenance = {}, {}
    for lot in app.lots:
        s = ledger.get(lot)
        lots[lot] = (
            None
            if s is None or s.created_by is None
            else LotFacts(lot, s.form, dict(s.composition or {}), s.remaining_kg, s.custodian, s.status)
        )
        creations = ancestry(lot, source)
        producers = {
            ("extract" if c.type == "extract" else "separation", c.reporter, c.time.year)
            for c in creations.values()
            if c is not None and (c.type == "extract" or c.process == "separation")
        }
        provenance[lot] = Provenance(
            backward(lot, source),
            frozenset(creations),
            frozenset(c.ref for c in creations.values() if c),
            frozenset(producers),
        )
    screening = screening if screening is not None else [(p.role, p.name, p.country, LISTED) for p in app.parties]
    return Facts(app, DAY, controls(), lots, provenance, findings, screening, claimed or {}, frozenset(known))


def test_a_legal_lot_is_classified_and_not_blocked():
    app = application()
    report = pre_review(facts(chain(), app, known={"hamburg magnet works gmbh"}))
    assert report["classification"][0]["controlled"] == [{"code": "1C905", "element": "Dy", "group": "b"}]
    assert [o["enterprise"] for o in report["provenance"][0]["origins"]] == [MINE]
    assert report["blocking"] == [] and report["verdict"] == "clear"


def test_unauthorized_mining_upstream_blocks():
    reg = registry(qualified=[SEP, TRADER])  # the mine holds no mining qualification
    report = pre_review(facts(chain(), application(), reg=reg, known={"hamburg magnet works gmbh"}))
    codes = {b.get("code") for b in report["blocking"]}
    assert "UNAUTHORIZED_MINING" in codes and report["verdict"] == "blocked"
    upstream = report["provenance"][0]["findings"]
    assert any(f["code"] == "UNAUTHORIZED_MINING" and f["blocking"] for f in upstream)


def test_material_of_unknown_origin_blocks():
    report = pre_review(facts(chain(unknown_input=True), application(), known={"hamburg magnet works gmbh"}))
    reasons = " ".join(b["reason"] for b in report["blocking"])
    assert "GHOST-9" in reasons and "no legal origin" in reasons
    assert any(b.get("code") == "UNKNOWN_LOT" for b in report["blocking"])


def test_a_lot_the_applicant_does_not_hold_or_that_is_claimed_blocks():
    app = application(exporter=TRADER)
    report = pre_review(
        facts(chain(), app, known={"hamburg magnet works gmbh"}, claimed={"DYO-1": [("EA2026-000001", "under_review")]})
    )
    issues = report["quantities"][0]["issues"]
    assert "lot DYO-1 is not held by the applicant" in issues
    assert any("EA2026-000001" in i for i in issues)
    too_much = pre_review(
        facts(
            chain(),
            application(items=(ApplicationItem(lot="DYO-1", quantity_kg=600.0),)),
            known={"hamburg magnet works gmbh"},
        )
    )
    assert any("600.000 kg asked for" in i for i in too_much["quantities"][0]["issues"])
    used_up = chain() + [
        transform(SEP, "t2", at(8), "metal", [("DYO-1", 560)], new("DYM-1", 480, {"Dy": 0.999}, form="metal"))
    ]
    report = pre_review(facts(used_up, application(), known={"hamburg magnet works gmbh"}))
    assert report["quantities"][0]["issues"] == ["lot DYO-1 is not held by the applicant"]  # used up
    missing = pre_review(
        facts(chain(), application(items=(ApplicationItem(lot="NOPE-1"),)), known={"hamburg magnet works gmbh"})
    )
    assert missing["quantities"][0]["issues"] == ["lot NOPE-1 is not held by the applicant"]  # the same words


def test_a_screening_hit_blocks_until_a_reviewer_clears_it():
    hit = dict(LISTED, matches=[{"list": "us_entity", "entity": "NK-1", "name": "Hamburg Magnet Werke", "score": 0.91}])
    app = application()
    screening = [
        ("consignee", "Hamburg Magnet Works GmbH", "DE", hit),
        ("end_user", "Hamburg Magnet Works GmbH", "DE", LISTED),
    ]
    report = pre_review(facts(chain(), app, screening=screening, known={"hamburg magnet works gmbh"}))
    assert [b["hit"] for b in report["blocking"]] == ["us_entity:NK-1"]
    assert still_blocking(report, {"us_entity:NK-1"}) == []
    assert still_blocking(report, {"other:1"}) == report["blocking"]


def test_without_any_loaded_list_the_parties_are_not_screened_and_that_blocks():
    empty = {"format": "reetrace/screening@1", "threshold": 0.8, "matches": [], "lists": []}
    app = application()
    report = pre_review(
        facts(
            chain(),
            app,
            screening=[(p.role, p.name, p.country, empty) for p in app.parties],
            known={"hamburg magnet works gmbh"},
        )
    )
    assert any("no restricted-party list" in b["reason"] for b in report["blocking"])


def test_red_flags():
    app = application(
        destination="KP",
        end_use="Permanent magnets for missile guidance fins and 雷达 units",
        parties=(
            Party("consignee", "Pyongyang Trading", "KP"),
            Party("end_user", "Unit 7", "KP"),
            Party("intermediary", "Far East Logistics", "HK"),
        ),
    )
    report = pre_review(facts(chain(), app))
    flags = {f["flag"]: f["detail"] for f in report["red_flags"]}
    assert set(flags) == {"destination", "end_use", "new_consignee", "intermediary"}
    assert "missile" in flags["end_use"] and "雷达" in flags["end_use"]
    assert report["verdict"] == "attention"
    custom = facts(chain(), app)
    custom = Facts(
        custom.application,
        custom.day,
        custom.controls,
        custom.lots,
        custom.provenance,
        custom.findings,
        custom.screening,
        custom.claimed,
        custom.known_consignees,
        RedFlagRules(frozenset(), ()),
    )
    assert {f["flag"] for f in pre_review(custom)["red_flags"]} == {"new_consignee", "intermediary"}


def test_a_party_outside_the_destination_is_flagged():
    app = application(
        parties=(Party("consignee", "Hamburg Magnet Works GmbH", "DE"), Party("end_user", "Istanbul Motors", "TR"))
    )
    report = pre_review(facts(chain(), app, known={"hamburg magnet works gmbh"}))
    assert [f["flag"] for f in report["red_flags"]] == ["country"]
