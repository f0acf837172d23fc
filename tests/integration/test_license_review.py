"""License applications over a real store: submission with documents, the recorded pre-review,
the workflow with separation of duties and the clock, the license issued and drawn down by the
exports the audit judges."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

import pytest

from factory import export, extract, lot, receive, ship, transform
from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.errors import InvalidInput
from reetrace.services import applications as apps
from reetrace.services import review
from reetrace.services.application_documents import fetch_document
from reetrace.services.audit import audit_ledger
from reetrace.services.ingest import ingest
from reetrace.services.licenses import licenses
from reetrace.services.registry import load_registry
from reetrace.services.screening import load_list

SETTINGS = Settings()
ACTOR = Actor.operator("tests", "Li Na")
OXIDE_DY = {"Dy": 0.8713}
SUBMITTED = datetime(2026, 2, 2, 2, 0, tzinfo=UTC)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 2, 0, tzinfo=UTC)


@pytest.fixture
def world_in_store(store, world, write_json, tmp_path):
    load_registry(store, world.registry())
    m, p, x = world.mine, world.plant, world.trader
    subs = {
        "mine.json": m.submit(
            [
                extract("m1", "C1", 1000, composition={"Ce": 0.19, "Dy": 0.0515}),  # an ion-adsorption clay
                ship("m2", ["C1"], p.uscc, "S1"),
            ]
        ),
        "plant.json": p.submit(
            [
                receive("p1", ["C1"], m.uscc, "S1", mass_kg=1000),
                transform(
                    "p2",
                    "separation",
                    [("C1", 1000)],
                    [
                        lot("DYO-1", "oxide", 20, OXIDE_DY),
                        lot("DYO-2", "oxide", 18.5, OXIDE_DY),
                        lot("DYO-3", "oxide", 15, OXIDE_DY),
                        lot("CEO-1", "oxide", 230, {"Ce": 0.8141}),
                    ],
                ),
                ship("p3", ["DYO-1", "DYO-2", "DYO-3"], x.uscc, "S2", time="2026-01-12T08:00:00+08:00"),
            ]
        ),
        "trader.json": x.submit(
            [receive("x1", ["DYO-1", "DYO-2", "DYO-3"], p.uscc, "S2", time="2026-01-14T08:00:00+08:00")]
        ),
    }
    ingest(store, [write_json(f"subs/{n}", d) for n, d in subs.items()], as_received_created_at=True)
    entities = tmp_path / "list.ftm.jsonl"
    entities.write_text(
        json.dumps(
            {"id": "NK-1", "schema": "Company", "properties": {"name": ["Shadow Magnetics Limited"], "country": ["ru"]}}
        )
        + "\n",
        encoding="utf-8",
    )
    load_list(store, entities, "cn_control")
    for name, roles in (("Wang Li", ["reviewer"]), ("Zhao Min", ["reviewer", "approver"]), ("Chen Jie", ["approver"])):
        review.add_official(store, name, roles, None)
    review.add_official(store, "Lin Tao", ["reviewer", "approver"], x.uscc)
    return world


def application(tmp_path, world, lots=("DYO-1", "DYO-3"), consignee="Hamburg Magnet Works GmbH", **changes):
    (tmp_path / "euc.pdf").write_bytes(b"%PDF end-user certificate")
    (tmp_path / "eu.pdf").write_bytes(b"%PDF end-use certificate")
    doc = {
        "format": "reetrace/license-application@1",
        "exporter": world.trader.uscc,
        "license_type": "single",
        "items": [{"lot": x} for x in lots],
        "consignee": {"name": consignee, "country": "DE"},
        "end_users": [{"name": "Hamburg Magnet Works GmbH", "country": "DE"}],
        "end_use": "Sintered NdFeB magnets for wind turbine generators",
        "destination": "DE",
        "contract_ref": "HMW-2026-17",
        "valid_from": "2026-02-02",
        "valid_to": "2027-02-01",
        "documents": [
            {"kind": "end_user_certificate", "path": "euc.pdf"},
            {"kind": "end_use_certificate", "path": "eu.pdf"},
        ],
    } | changes
    path = tmp_path / f"application-{len(list(tmp_path.glob('application-*')))}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_submission_records_documents_and_the_pre_review(store, world_in_store, tmp_path):
    done = apps.submit_application(
        store, SETTINGS, application(tmp_path, world_in_store), "Li Na", SUBMITTED, actor=ACTOR
    )
    assert done.number == "EA2026-000001"
    view = apps.application_view(store, SETTINGS, done.number, date(2026, 2, 3))
    assert view["state"] == "submitted" and view["clock"] is None
    assert {d["kind"]: d["sha256"] for d in view["documents"]} == {
        "end_user_certificate": hashlib.sha256(b"%PDF end-user certificate").hexdigest(),
        "end_use_certificate": hashlib.sha256(b"%PDF end-use certificate").hexdigest(),
    }
    report = view["pre_review"]["report"]
    dy_oxide = [{"code": "1C905", "element": "Dy", "group": "b"}]
    assert [r["controlled"] for r in report["classification"]] == [dy_oxide, dy_oxide]
    assert {o["enterprise"] for r in report["provenance"] for o in r["origins"]} == {world_in_store.mine.uscc}
    assert report["blocking"] == [] and report["verdict"] == "attention"  # a consignee never seen before
    assert [r["result"]["lists"][0]["name"] for r in report["screening"]] == ["cn_control", "cn_control"]
    out = tmp_path / "back.pdf"
    fetch_document(store, done.number, view["documents"][0]["id"], out, actor=ACTOR)
    assert out.read_bytes() == b"%PDF end-user certificate"


def test_an_incomplete_application_or_a_wrong_digest_is_refused_and_nothing_is_stored(store, world_in_store, tmp_path):
    path = application(tmp_path, world_in_store, documents=[{"kind": "end_user_certificate", "path": "euc.pdf"}])
    with pytest.raises(InvalidInput, match="end use certificate is not attached"):
        apps.submit_application(store, SETTINGS, path, "Li Na", SUBMITTED, actor=ACTOR)
    path = application(
        tmp_path,
        world_in_store,
        documents=[
            {"kind": "end_user_certificate", "path": "euc.pdf", "sha256": "0" * 64},
            {"kind": "end_use_certificate", "path": "eu.pdf"},
        ],
    )
    with pytest.raises(InvalidInput, match="SHA-256"):
        apps.submit_application(store, SETTINGS, path, "Li Na", SUBMITTED, actor=ACTOR)
    assert apps.queue(store, SETTINGS, date(2026, 2, 3)) == []


def _approve_path(store, number: str, start: datetime) -> None:
    review.take_step(store, SETTINGS, number, "accept", "Wang Li", now=start)
    review.take_step(store, SETTINGS, number, "start", "Wang Li", now=start)


def test_workflow_issues_a_license_the_audit_then_uses(store, world_in_store, tmp_path, write_json):
    world = world_in_store
    number = apps.submit_application(
        store, SETTINGS, application(tmp_path, world), "Li Na", SUBMITTED, actor=ACTOR
    ).number
    with pytest.raises(InvalidInput, match="belongs to the exporter"):
        review.take_step(store, SETTINGS, number, "accept", "Lin Tao", now=at(2, 3))
    review.take_step(store, SETTINGS, number, "accept", "Zhao Min", now=at(2, 3))
    review.take_step(store, SETTINGS, number, "start", "Wang Li", now=at(2, 4))
    with pytest.raises(InvalidInput, match="reviewed this application"):
        review.take_step(store, SETTINGS, number, "approve", "Zhao Min", "fine", now=at(2, 5))
    done = review.take_step(
        store, SETTINGS, number, "approve", "Chen Jie", "legal provenance, parties clear", now=at(2, 5)
    )
    assert done.state == "approved" and done.license_no == "RE2026S000001"
    (issued,) = licenses(store, SETTINGS, done.license_no)
    assert (issued.source, issued.license_type, issued.application) == ("review", "single", number)
    assert issued.items == [{"element": "Dy", "form": "oxide", "max_kg": 35.0, "exported_kg": 0.0, "left_kg": 35.0}]

    x = world.trader
    ingest(
        store,
        [
            write_json(
                "subs/exports.json",
                x.submit(
                    [
                        export(
                            "x2",
                            ["DYO-1"],
                            license_no=done.license_no,
                            consignee="Hamburg Magnet Works GmbH",
                            time="2026-02-10T08:00:00+08:00",
                        ),
                        export(
                            "x3",
                            ["DYO-2"],
                            license_no=done.license_no,
                            consignee="Hamburg Magnet Works GmbH",
                            time="2026-02-11T08:00:00+08:00",
                        ),
                    ],
                    created_at="2026-02-12T08:00:00+08:00",
                ),
            )
        ],
        as_received_created_at=True,
    )
    findings = audit_ledger(store, SETTINGS, date(2026, 2, 28))
    codes = [(f.code, f.lot) for f in findings]
    assert ("EXPORT_WITHOUT_LICENSE", "DYO-1") not in codes and ("EXPORT_WITHOUT_LICENSE", "DYO-2") not in codes
    exceeded = [f for f in findings if f.code == "LICENSE_EXCEEDED"]
    assert [f.evidence["license_no"] for f in exceeded] == [done.license_no]
    assert exceeded[0].evidence["exported_kg"] == 38.5
    (used,) = licenses(store, SETTINGS, done.license_no)
    assert used.items[0]["exported_kg"] == 38.5 and used.items[0]["left_kg"] == -3.5
    assert [e["lots"] for e in used.exports] == [["DYO-1"], ["DYO-2"]]

    view = apps.application_view(store, SETTINGS, number, date(2026, 2, 28))
    assert [s["action"] for s in view["steps"]] == ["submit", "accept", "start", "approve"]
    assert view["license"] == done.license_no and view["pre_review"]["runs"] == 2


def test_blocking_reasons_refuse_approval_until_cleared(store, world_in_store, tmp_path, write_json):
    path = application(tmp_path, world_in_store, lots=("DYO-2",), consignee="Shadow Magnetics Ltd")
    number = apps.submit_application(store, SETTINGS, path, "Li Na", SUBMITTED, actor=ACTOR).number
    report = apps.application_view(store, SETTINGS, number)["pre_review"]["report"]
    assert report["verdict"] == "blocked"
    assert [b["hit"] for b in report["blocking"] if b.get("hit")] == ["cn_control:NK-1"]
    x, p = world_in_store.trader, world_in_store.plant
    sent_back = x.submit([ship("x5", ["DYO-2"], p.uscc, "S9", time="2026-02-02T12:00:00+08:00")])
    ingest(store, [write_json("subs/back.json", sent_back)])  # after filing, the lot leaves the applicant
    _approve_path(store, number, at(2, 3))
    with pytest.raises(InvalidInput, match="cannot be approved: .*DYO-2 is not held by the applicant"):
        review.take_step(store, SETTINGS, number, "approve", "Chen Jie", "ok", now=at(2, 5))
    view = apps.application_view(store, SETTINGS, number)
    assert view["state"] == "under_review" and view["pre_review"]["runs"] == 2 and view["license"] is None
    with pytest.raises(InvalidInput, match="not a screening hit"):
        review.take_step(
            store, SETTINGS, number, "clear_hit", "Wang Li", "other firm", hit="cn_control:X", now=at(2, 6)
        )
    review.take_step(
        store,
        SETTINGS,
        number,
        "clear_hit",
        "Wang Li",
        "registered in Vladivostok, ours is in Hamburg",
        hit="cn_control:NK-1",
        now=at(2, 6),
    )
    with pytest.raises(InvalidInput) as refused:
        review.take_step(store, SETTINGS, number, "approve", "Chen Jie", "ok", now=at(2, 7))
    assert "DYO-2" in str(refused.value) and "NK-1" not in str(refused.value)
    denied = review.take_step(store, SETTINGS, number, "deny", "Chen Jie", "lot DYO-2 was shipped away", now=at(2, 7))
    assert denied.state == "denied"


def test_a_lot_in_an_open_application_cannot_be_licensed_twice(store, world_in_store, tmp_path):
    first = apps.submit_application(
        store, SETTINGS, application(tmp_path, world_in_store), "Li Na", SUBMITTED, actor=ACTOR
    )
    second = apps.submit_application(
        store, SETTINGS, application(tmp_path, world_in_store, lots=("DYO-3",)), "Li Na", SUBMITTED, actor=ACTOR
    )
    report = apps.application_view(store, SETTINGS, second.number)["pre_review"]["report"]
    assert any(first.number in b["reason"] for b in report["blocking"])
    review.take_step(store, SETTINGS, first.number, "withdraw", f"Li Na@{world_in_store.trader.uscc}", now=at(2, 3))
    again = apps.refresh_pre_review(store, SETTINGS, second.number, now=at(2, 4), actor=ACTOR)
    assert not any(first.number in b["reason"] for b in again["blocking"])


def test_clock_stops_for_information_and_due_lists(store, world_in_store, tmp_path):
    number = apps.submit_application(
        store, SETTINGS, application(tmp_path, world_in_store), "Li Na", SUBMITTED, actor=ACTOR
    ).number
    _approve_path(store, number, datetime(2026, 9, 24, 2, tzinfo=UTC))  # Thursday before National Day
    reading = apps.application_view(store, SETTINGS, number, date(2026, 9, 24))["clock"]
    assert reading["due"] == "2026-12-03"  # 45 working days, the National Day week not counted, 2026-10-10 counted
    assert apps.due(store, SETTINGS, date(2026, 11, 27)) != []
    assert apps.due(store, SETTINGS, date(2026, 11, 20)) == []
    review.take_step(
        store,
        SETTINGS,
        number,
        "request_info",
        "Wang Li",
        "end-user's signature is missing",
        now=datetime(2026, 11, 2, 2, tzinfo=UTC),
    )
    stopped = apps.application_view(store, SETTINGS, number, date(2026, 12, 10))["clock"]
    assert stopped["stopped"] and stopped["due"] is None
    assert apps.due(store, SETTINGS, date(2026, 12, 10)) == []
    apps.provide_information(
        store,
        SETTINGS,
        number,
        "Li Na",
        world_in_store.trader.uscc,
        "signed copy attached",
        [],
        now=datetime(2026, 11, 9, 2, tzinfo=UTC),
        actor=ACTOR,
    )
    moved = apps.application_view(store, SETTINGS, number, date(2026, 11, 9))["clock"]
    assert moved["due"] == "2026-12-10" and not moved["stopped"]  # one week of pause: five working days later


def test_lot_custody_from_the_lots_own_events_equals_the_full_replay(store, tmp_path):
    """Replaying only the events that touched some lots (and the lots received with them) gives
    what a replay of the whole ledger gives, including masses shared by a receipt."""
    import random

    from reetrace.contract.stored import decode_event
    from reetrace.demo import generate, write
    from reetrace.domain.audit import STAGE
    from reetrace.domain.lots import Ledger
    from reetrace.services.ingest import submission_files
    from reetrace.services.prereview import lot_facts
    from reetrace.store.ledger_repo import iter_events

    demo = generate(seed=5, scale=0.2)
    write(demo, tmp_path / "demo")
    load_registry(store, demo.registry)
    ingest(store, submission_files([tmp_path / "demo" / "submissions"]), as_received_created_at=True)
    with store.reading() as conn:
        events = [
            decode_event(reporter, datetime.fromisoformat(time), body)
            for _, reporter, time, _, body in iter_events(conn)
        ]
        events.sort(key=lambda e: (e.time, STAGE[type(e)], e.reporter, e.event_id))
        full = Ledger()
        for event in events:
            full.admit(event)
            full.apply(event)
        created = sorted(lot for lot, state in full.lots.items() if state.created_by is not None)
        sample = random.Random(1).sample(created, 60)
        shared = [e for e in events if getattr(e, "mass_kg", None) is not None and len(getattr(e, "lots", ())) > 1]
        assert shared, "the sample must include receipts that share a declared mass"
        sample += [shared[0].lots[0]]
        facts = lot_facts(conn, sample, 0.01)
    for lot_id in sample:
        state = full.lots[lot_id]
        assert (facts[lot_id].remaining_kg, facts[lot_id].custodian, facts[lot_id].status) == pytest.approx(
            (state.remaining_kg, state.custodian, state.status)
        ), lot_id


def test_without_a_loaded_list_the_application_is_recorded_and_blocked(store, world, tmp_path):
    load_registry(store, world.registry())
    described = [{"control_code": "1C905.b", "form": "oxide", "element": "Dy", "quantity_kg": 100.0}]
    done = apps.submit_application(
        store, SETTINGS, application(tmp_path, world, items=described), "Li Na", SUBMITTED, actor=ACTOR
    )
    report = apps.application_view(store, SETTINGS, done.number)["pre_review"]["report"]
    assert done.verdict == "blocked"
    assert [b["reason"] for b in report["blocking"]] == [
        "no restricted-party list is loaded: the parties were not screened"
    ]
