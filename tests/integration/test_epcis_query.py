"""The EPCIS query on a real store (SQLite, and PostgreSQL with REETRACE_TEST_DB): each parameter
against the ledger of tests/epcis_ledger.py, paging to the end, what each enterprise is party to,
eventIDs found through the lazy fill and as captured, and every document valid EPCIS."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from epcis_ledger import LGTIN, seen_by, submissions
from reetrace.epcis.document import epcis_id
from reetrace.epcis.query import QueryParameterError, read_query
from reetrace.epcis.schema import schema_errors
from reetrace.services import epcis_query as service
from reetrace.services.ingest import ingest
from reetrace.services.registry import load_registry
from reetrace.store import epcis_query_repo as epcis_repo
from reetrace.store import tables as t

NOW = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.fixture
def ledger(store, world, write_json):
    load_registry(store, world.registry())
    files = [write_json(f"sub/{uscc}.json", doc) for uscc, doc in submissions(world).items()]
    assert ingest(store, files).events_accepted == 12
    return store


def ids(document) -> list[str]:
    assert schema_errors(document) == []
    return [e["rt:eventId"] for e in document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


def found(store, pairs, party=None) -> list[str]:
    return ids(service.find_events(store, read_query(pairs), party, None, NOW).document)


def all_pages(store, pairs, party=None) -> list[str]:
    seen, after = [], None
    while True:
        answer = service.find_events(store, read_query(pairs), party, after, NOW)
        seen += ids(answer.document)
        if answer.next is None:
            return seen
        after = answer.next


TIME_ORDER = ["m1", "m3", "m2", "p1", "m4", "p2", "p3", "p4", "x1", "x3", "x4", "x2"]


def test_every_event_in_event_time_order(ledger):
    assert found(ledger, []) == TIME_ORDER


def test_pages_follow_each_other_to_the_end(ledger):
    for size in (1, 2, 5, 11, 12, 13):
        assert all_pages(ledger, [("perPage", str(size))]) == TIME_ORDER
    first = service.find_events(ledger, read_query([("perPage", "12")]), None, None, NOW)
    assert first.next is None and first.count == 12


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("eventType", "TransformationEvent")], ["p2"]),
        ([("eventType", "ObjectEvent")], [i for i in TIME_ORDER if i != "p2"]),
        ([("eventType", "AggregationEvent")], []),
        ([("EQ_bizStep", "shipping")], ["m2", "p3", "x4", "x2"]),
        ([("EQ_bizStep", "urn:epcglobal:cbv:bizstep:receiving")], ["p1", "x1", "x3"]),
        ([("EQ_bizStep", "https://ref.gs1.org/cbv/BizStep-commissioning")], ["m1", "m3", "p2"]),
        ([("EQ_bizStep", "decommissioning,stock_taking")], ["m4", "p4"]),
        ([("GE_eventTime", "2026-01-12T08:00:00+08:00")], ["p3", "p4", "x1", "x3", "x4", "x2"]),
        ([("GE_eventTime", "2026-01-12T00:00:00Z")], ["p3", "p4", "x1", "x3", "x4", "x2"]),
        ([("GE_eventTime", "2026-01-12T00:00:00.000001Z")], ["p4", "x1", "x3", "x4", "x2"]),
        ([("LT_eventTime", "2026-01-06T00:00:00Z")], ["m1", "m3"]),
        ([("LT_eventTime", "2026-01-06T00:00:00.000001Z")], ["m1", "m3", "m2"]),
        ([("LT_eventTime", "2026-01-05T19:00:01-05:00")], ["m1", "m3", "m2"]),
        ([("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017")], []),
        ([("MATCH_anyEPCClass", "urn:reetrace:lot:C1")], ["m1", "m2", "p1", "p2"]),
        ([("MATCH_anyEPCClass", "urn:reetrace:lot:CEO-1")], ["p2", "p4"]),
        ([("MATCH_anyEPCClass", "urn:reetrace:lot:C*")], ["m1", "m3", "m2", "p1", "m4", "p2", "p4"]),
        ([("MATCH_anyEPCClass", LGTIN)], ["x3", "x4"]),
        ([("MATCH_anyEPCClass", "urn:epc:idpat:lgtin:4012345.012345.*")], ["x3", "x4"]),
        ([("MATCH_anyEPCClass", "urn:reetrace:lot:NOPE")], []),
        ([("MATCH_inputEPCClass", "urn:reetrace:lot:C1")], ["p2"]),
        ([("MATCH_inputEPCClass", "urn:reetrace:lot:CEO-1")], []),  # consumed, not transformed
        ([("MATCH_outputEPCClass", "urn:reetrace:lot:DYO-1")], ["p2"]),
        ([("MATCH_outputEPCClass", "urn:reetrace:lot:C1")], []),  # extracted, not transformed
        ([("MATCH_outputEPCClass", "urn:reetrace:lot:*")], ["p2"]),
        (
            [("MATCH_anyEPCClass", "urn:reetrace:lot:DYO-1"), ("EQ_bizStep", "shipping")],
            ["p3", "x2"],
        ),
    ],
)
def test_each_parameter(ledger, pairs, expected):
    assert found(ledger, pairs) == expected
    assert all_pages(ledger, [*pairs, ("perPage", "1")]) == expected


def test_what_each_enterprise_is_party_to(ledger, world):
    for party, visible in seen_by(world).items():
        assert all_pages(ledger, [("perPage", "2")], party) == [i for i in TIME_ORDER if i in visible]
        assert found(ledger, [("MATCH_anyEPCClass", "urn:reetrace:lot:DYO-1")], party) == [
            i for i in ["p2", "p3", "x1", "x2"] if i in visible
        ]
        assert found(ledger, [("EQ_bizStep", "shipping")], party) == [
            i for i in ["m2", "p3", "x4", "x2"] if i in visible
        ]


def test_counterparty_reading_without_a_bytewise_collation_agrees(ledger, world):
    """Where the database does not order text by bytes, shipment keys and lot patterns are read
    by pattern; the answers are the same."""
    with ledger.reading() as conn:
        ranges = {p: epcis_repo.counterparty_seqs(conn, p) for p in seen_by(world)}
    epcis_repo._BYTEWISE[ledger.engine] = False
    try:
        with ledger.reading() as conn:
            assert {p: epcis_repo.counterparty_seqs(conn, p) for p in seen_by(world)} == ranges
        assert found(ledger, [("MATCH_anyEPCClass", "urn:reetrace:lot:C*")]) == [
            "m1",
            "m3",
            "m2",
            "p1",
            "m4",
            "p2",
            "p4",
        ]
    finally:
        del epcis_repo._BYTEWISE[ledger.engine]


def test_event_ids_are_found_through_the_lazy_fill(ledger, world):
    listed = service.find_events(ledger, read_query([]), None, None, NOW).document
    by_id = {e["eventID"]: e["rt:eventId"] for e in listed["epcisBody"]["queryResults"]["resultsBody"]["eventList"]}
    with ledger.reading() as conn:
        assert conn.scalar(select(func.count()).select_from(t.epcis_ids)) == 0  # listing fills nothing
    some = sorted(by_id)[:3]
    assert sorted(found(ledger, [("EQ_eventID", ",".join(some))])) == sorted(by_id[i] for i in some)
    with ledger.reading() as conn:
        assert conn.scalar(select(func.count()).select_from(t.epcis_ids)) == 12
        assert epcis_repo.epcis_watermark(conn) == 12
    for event_id, mine in by_id.items():
        answer = service.find_event(ledger, event_id, None, NOW)
        assert answer is not None and answer.visible and ids(answer.document) == [mine]
    assert service.find_event(ledger, "ni:///sha-256;00?ver=CBV2.0", None, NOW) is None
    assert found(ledger, [("EQ_eventID", "urn:uuid:nothing")]) == []


def test_an_event_another_enterprise_may_not_see_is_found_but_not_shown(ledger, world):
    listed = service.find_events(ledger, read_query([("eventType", "TransformationEvent")]), None, None, NOW)
    transform_id = listed.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["eventID"]
    hidden = service.find_event(ledger, transform_id, world.mine.uscc, NOW)
    assert hidden is not None and hidden.reporter == world.plant.uscc and not hidden.visible
    assert found(ledger, [("EQ_eventID", transform_id)], world.mine.uscc) == []
    assert found(ledger, [("EQ_eventID", transform_id)], world.plant.uscc) == ["p2"]


def test_a_captured_event_keeps_its_eventid(ledger, world):
    captured = "urn:uuid:6f0e6a4e-0000-4000-8000-000000000001"
    with ledger.writing() as conn:  # as the capture writes it, in the transaction recording the event
        epcis_repo.record_epcis_ids(conn, [(captured, world.plant.uscc, "p4", 1)], 0)
    assert service.fill_epcis_ids(ledger) == 11  # every other event; p4 keeps its row
    with ledger.reading() as conn:
        rows = {r.event_id: (r.epcis_id, r.captured) for r in conn.execute(select(t.epcis_ids))}
    assert rows["p4"] == (captured, 1)
    assert all(c == 0 for e, (_, c) in rows.items() if e != "p4")
    answer = service.find_event(ledger, captured, world.plant.uscc, NOW)
    assert answer is not None and answer.visible
    assert answer.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["eventID"] == captured
    listed = service.find_events(ledger, read_query([("MATCH_anyEPCClass", "urn:reetrace:lot:CEO-1")]), None, None, NOW)
    assert [e["eventID"] for e in listed.document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]][1] == (
        captured
    )


def test_the_fill_hashes_as_the_listing_does_and_fillers_at_once_agree(ledger, world):
    errors: list[BaseException] = []

    def fill() -> None:
        try:
            service.fill_epcis_ids(ledger, batch=3)
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=fill) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert errors == []
    with ledger.reading() as conn:
        rows = {(r.reporter, r.event_id): r.epcis_id for r in conn.execute(select(t.epcis_ids))}
        bodies = {(r.reporter, r.event_id): json.loads(r.body) for r in conn.execute(select(t.events))}
        assert epcis_repo.epcis_watermark(conn) == 12
    assert rows == {key: epcis_id(key[0], body) for key, body in bodies.items()}


def test_too_broad_a_pattern_is_refused(ledger, monkeypatch):
    monkeypatch.setattr(service, "MOST_MATCHED", 3)
    with pytest.raises(QueryParameterError) as caught:
        found(ledger, [("MATCH_anyEPCClass", "urn:reetrace:lot:*")])
    assert caught.value.parameter == "MATCH_anyEPCClass"
    assert found(ledger, [("MATCH_anyEPCClass", "urn:reetrace:lot:CEO*")]) == ["p2", "p4"]


def test_page_tokens_carry_the_position_and_nothing_else():
    tokens = service.PageTokens(b"k" * 32)
    scope = service.query_scope([("eventType", "ObjectEvent"), ("perPage", "3")], "auditor")
    token = tokens.issue(scope, ("2026-01-05T00:00:00.000000+00:00", 7))
    assert tokens.read(scope, token) == ("2026-01-05T00:00:00.000000+00:00", 7)
    assert service.query_scope([("perPage", "9"), ("eventType", "ObjectEvent")], "auditor") == scope
    others = (
        service.query_scope([("eventType", "TransformationEvent")], "auditor"),
        service.query_scope([("eventType", "ObjectEvent")], "mine_user"),
    )
    payload, _, mac = token.partition(".")
    for scope_, bad in [
        *((other, token) for other in others),
        (scope, "not a token"),
        (scope, payload + "."),
        (scope, "." + mac),
        (scope, payload + "x." + mac),
        (scope, token + "A"),
        (scope, "é" * 3 + "." + mac),
        (scope, "x" * 500),
        (scope, service.PageTokens(b"j" * 32).issue(scope, ("2026", 7))),
    ]:
        with pytest.raises(QueryParameterError) as caught:
            tokens.read(scope_, bad)
        assert caught.value.parameter == "nextPageToken"
