"""The EPCIS query string read into what it asks of the §4 events (reetrace.epcis.query): each
parameter's meaning, lists and patterns, and every value refused naming its parameter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reetrace.epcis.query import (
    ALL_TYPES,
    DEFAULT_PER_PAGE,
    LotPattern,
    QueryParameterError,
    UnknownParameters,
    read_query,
)


def test_no_parameter_asks_for_every_event():
    query = read_query([])
    assert (query.types, query.since, query.until, query.lots, query.event_ids) == (None, None, None, (), None)
    assert query.per_page == DEFAULT_PER_PAGE and not query.matches_nothing


@pytest.mark.parametrize(
    ("given", "types"),
    [
        ([("eventType", "TransformationEvent")], {"transform"}),
        ([("eventType", "ObjectEvent")], ALL_TYPES - {"transform"}),
        ([("eventType", "ObjectEvent,TransformationEvent")], ALL_TYPES),
        ([("eventType", "ObjectEvent"), ("eventType", "TransformationEvent")], ALL_TYPES),
        ([("eventType", "AggregationEvent")], set()),
        ([("EQ_bizStep", "shipping")], {"ship", "export"}),
        ([("EQ_bizStep", "https://ref.gs1.org/cbv/BizStep-receiving")], {"import", "receive"}),
        ([("EQ_bizStep", "urn:epcglobal:cbv:bizstep:decommissioning")], {"consume"}),
        ([("EQ_bizStep", "stock_taking,commissioning")], {"adjust", "extract", "transform"}),
        ([("EQ_bizStep", "packing")], set()),
        ([("EQ_bizStep", "commissioning"), ("eventType", "ObjectEvent")], {"extract"}),
        ([("MATCH_epc", "urn:epc:id:sgtin:0614141.107346.2017")], set()),
        ([("MATCH_inputEPCClass", "urn:reetrace:lot:C1")], {"transform"}),
        ([("MATCH_outputEPCClass", "urn:reetrace:lot:C1"), ("eventType", "ObjectEvent")], set()),
    ],
)
def test_types_and_steps_narrow_the_event_types(given, types):
    query = read_query(given)
    assert query.types == frozenset(types)
    assert query.matches_nothing == (not types)


def test_times_are_instants_whatever_their_offset():
    query = read_query([("GE_eventTime", "2026-01-05T08:00:00+08:00"), ("LT_eventTime", "2026-01-05T00:00:00Z")])
    assert query.since == datetime(2026, 1, 5, 0, 0, tzinfo=UTC) == query.until
    assert query.matches_nothing  # an empty window
    # an unescaped '+' arrives as a space: read as the offset it was
    assert read_query([("GE_eventTime", "2026-01-05T08:00:00 08:00")]).since == datetime(2026, 1, 5, tzinfo=UTC)


def test_lot_classes_and_patterns():
    query = read_query(
        [
            ("MATCH_anyEPCClass", "urn:reetrace:lot:C1,urn:reetrace:lot:SP001-*"),
            ("MATCH_anyEPCClass", "urn:epc:class:lgtin:4012345.012345.998877"),
            ("MATCH_outputEPCClass", "urn:epc:idpat:lgtin:4012345.012345.*"),
        ]
    )
    assert query.lots == (
        (
            "any",
            (
                LotPattern("C1"),
                LotPattern("SP001-", prefix=True),
                LotPattern("urn:epc:class:lgtin:4012345.012345.998877"),
            ),
        ),
        ("output", (LotPattern("urn:epc:class:lgtin:4012345.012345.", prefix=True),)),
    )


def test_event_ids_and_pages():
    query = read_query([("EQ_eventID", "ni:///sha-256;ab?ver=CBV2.0"), ("perPage", "1000"), ("nextPageToken", "x.y")])
    assert query.event_ids == {"ni:///sha-256;ab?ver=CBV2.0"}
    assert (query.per_page, query.page_token) == (1000, "x.y")


def test_unknown_parameters_are_refused_by_name():
    with pytest.raises(UnknownParameters) as caught:
        read_query([("eventType", "ObjectEvent"), ("EQ_action", "ADD"), ("limit", "3"), ("EQ_action", "OBSERVE")])
    assert caught.value.names == ["EQ_action", "limit"]
    assert "EQ_action, limit" in str(caught.value)
    assert caught.value.message_id == "error.epcis.unknown_parameters"


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ([("perPage", "0")], "perPage"),
        ([("perPage", "1001")], "perPage"),
        ([("perPage", "ten")], "perPage"),
        ([("perPage", "9" * 5000)], "perPage"),
        ([("perPage", "-1")], "perPage"),
        ([("perPage", "30"), ("perPage", "40")], "perPage"),
        ([("GE_eventTime", "2026-01-05")], "GE_eventTime"),
        ([("LT_eventTime", "2026-01-05T08:00:00")], "LT_eventTime"),
        ([("LT_eventTime", "yesterday")], "LT_eventTime"),
        ([("GE_eventTime", "0001-01-01T00:00:00+05:00")], "GE_eventTime"),
        ([("eventType", "ObjectEvents")], "eventType"),
        ([("eventType", "ObjectEvent,")], "eventType"),
        ([("MATCH_anyEPCClass", "urn:reetrace:lot:*C1")], "MATCH_anyEPCClass"),
        ([("EQ_eventID", ",".join(str(n) for n in range(101)))], "EQ_eventID"),
        ([("EQ_eventID", "x" * 256)], "EQ_eventID"),
        ([("nextPageToken", "")], "nextPageToken"),
    ],
)
def test_a_value_not_accepted_names_its_parameter(given, named):
    with pytest.raises(QueryParameterError) as caught:
        read_query(given)
    assert caught.value.parameter == named
    assert caught.value.params == {"parameter": named}
    assert str(caught.value).startswith(named + ": ")
