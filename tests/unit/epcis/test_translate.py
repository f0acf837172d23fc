"""§4 events written as EPCIS and read back: the same JSON values, nothing added; an EPCIS event
no §4 event stands for is refused with where the trouble is."""

from __future__ import annotations

import copy
import json

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings

from epcis_events import events
from factory import make_uscc
from reetrace.contract.submission import validate_event
from reetrace.epcis import vocabulary as v
from reetrace.epcis.schema import schema_errors
from reetrace.epcis.translate import Untranslatable, from_epcis, to_epcis

NS = {"rt": v.NS}
REPORTER = make_uscc(1)


def _document(*epcis_events: dict) -> dict:
    return {
        "@context": [v.GS1_CONTEXT, {"rt": v.NS}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-05T10:00:00.000+08:00",
        "epcisBody": {"eventList": list(epcis_events)},
    }


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_an_event_comes_back_as_the_same_json_value(drawn):
    reporter, event = drawn
    validate_event(copy.deepcopy(event), reporter)  # the generator draws events the contract accepts
    written = to_epcis(reporter, event)
    back_reporter, back = from_epcis(json.loads(json.dumps(written)), NS)
    assert back_reporter == reporter
    assert back == event
    assert rfc8785.dumps(back) == rfc8785.dumps(event)  # not only equal: the same canonical bytes


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_every_written_event_keeps_to_the_epcis_schema(drawn):
    reporter, event = drawn
    assert schema_errors(_document(to_epcis(reporter, event))) == []


@settings(max_examples=100, deadline=None)
@given(events())
def test_the_namespace_may_go_by_any_prefix_or_none(drawn):
    reporter, event = drawn
    written = json.dumps(to_epcis(reporter, event))
    other = json.loads(written.replace('"rt:', '"reetrace:'))
    assert from_epcis(other, {"reetrace": v.NS}) == (reporter, event)
    full = json.loads(written.replace('"rt:', f'"{v.NS}'))
    assert from_epcis(full, {}) == (reporter, event)


def _extract() -> dict:
    return {
        "event_id": "e-1",
        "type": "extract",
        "time": "2026-03-01T08:00:00+08:00",
        "deposit": "rock",
        "outputs": [{"lot": "ORE-1", "form": "ore", "mass_kg": 1000.0, "composition": {"Nd": 0.02}}],
        "site": f"{REPORTER}/矿区一",
    }


def test_an_extraction_reads_as_the_standard_says():
    written = to_epcis(REPORTER, _extract())
    assert written["type"] == "ObjectEvent" and written["action"] == "ADD" and written["bizStep"] == "commissioning"
    assert written["quantityList"] == [{"epcClass": "urn:reetrace:lot:ORE-1", "quantity": 1000.0, "uom": "KGM"}]
    assert written["readPoint"] == {"id": f"urn:reetrace:site:{REPORTER}/%E7%9F%BF%E5%8C%BA%E4%B8%80"}
    assert written["ilmd"]["rt:lots"][0]["rt:composition"] == {"rt:Nd": 0.02}
    assert written["eventTimeZoneOffset"] == "+08:00"


def test_a_time_in_utc_with_a_local_offset_is_read_as_local_time():
    written = to_epcis(REPORTER, _extract())
    written["eventTime"] = "2026-03-01T00:00:00Z"
    _, event = from_epcis(written, NS)
    assert event["time"] == "2026-03-01T08:00:00+08:00"


def test_bare_words_and_their_uris_read_alike():
    written = to_epcis(REPORTER, _extract())
    for step in ("https://ref.gs1.org/cbv/BizStep-commissioning", "urn:epcglobal:cbv:bizstep:commissioning"):
        assert from_epcis({**written, "bizStep": step}, NS) == (REPORTER, _extract())


def _refused(event: dict) -> Untranslatable:
    with pytest.raises(Untranslatable) as caught:
        from_epcis(event, NS)
    return caught.value


@pytest.mark.parametrize(
    ("change", "at", "problem"),
    [
        (lambda e: e.update({"disposition": "active"}), ["disposition"], "epcis_unread"),
        (lambda e: e.update({"rt:colour": "red"}), ["rt:colour"], "epcis_unread"),
        (lambda e: e.update({"epcList": ["urn:epc:id:sgtin:0614141.107346.2017"]}), ["epcList"], "epcis_serials"),
        (lambda e: e.update({"bizStep": "packing"}), ["bizStep"], "epcis_no_event"),
        (lambda e: e.update({"type": "AggregationEvent"}), ["type"], "epcis_event_type"),
        (lambda e: e["quantityList"][0].update({"uom": "TNE"}), ["quantityList", 0, "uom"], "epcis_uom"),
        (
            lambda e: e["ilmd"]["rt:lots"][0].update({"rt:lot": "urn:reetrace:lot:X"}),
            ["ilmd", "rt:lots", 0, "rt:lot"],
            "epcis_ilmd_order",
        ),
        (lambda e: e["ilmd"]["rt:lots"].append({}), ["ilmd", "rt:lots"], "epcis_ilmd_count"),
        (lambda e: e.update({"readPoint": {"id": "urn:reetrace:site:%FF"}}), ["readPoint", "id"], "epcis_escapes"),
        (lambda e: e.update({"bizLocation": {"id": "urn:reetrace:site:X/Y"}}), ["bizLocation"], "epcis_two_sites"),
        (lambda e: e.pop("rt:eventId"), ["rt:eventId"], "epcis_no_id"),
        (lambda e: e.update({"rt:ext": "{not json"}), ["rt:ext"], "epcis_ext"),
        (lambda e: e.update({"eventTimeZoneOffset": "+8h"}), ["eventTimeZoneOffset"], "epcis_offset"),
    ],
)
def test_what_no_event_of_the_chain_holds_is_refused_where_it_is(change, at, problem):
    written = to_epcis(REPORTER, {**_extract(), "ext": {"a": 1}})
    change(written)
    refused = _refused(written)
    assert refused.at == at
    assert refused.problem.id == problem


def test_an_event_without_its_own_id_goes_by_its_epcis_id():
    written = to_epcis(REPORTER, _extract())
    del written["rt:eventId"]
    written["eventID"] = "urn:uuid:0b1c2d3e-0000-4000-8000-000000000001"
    _, event = from_epcis(written, NS)
    assert event["event_id"] == "urn:uuid:0b1c2d3e-0000-4000-8000-000000000001"


def test_a_shipment_and_an_export_are_told_apart_by_whom_they_go_to():
    ship = {
        "event_id": "s",
        "type": "ship",
        "time": "2026-03-02T08:00:00+08:00",
        "lots": ["L"],
        "to": make_uscc(2),
        "shipment": "S-1",
    }
    export = {
        "event_id": "x",
        "type": "export",
        "time": "2026-03-02T08:00:00+08:00",
        "lots": ["L"],
        "consignee": "Example GmbH",
        "destination": "DE",
        "customs_declaration": "CD 1",
        "license_no": "RE-2026-1",
    }
    for event in (ship, export):
        written = to_epcis(REPORTER, event)
        assert written["bizStep"] == "shipping"
        assert from_epcis(written, NS) == (REPORTER, event)
