"""The edge cases of the EPCIS event hash, each checked against the reference implementation
where it decides: numbers, times, CBV words in their three spellings, the order of members,
bare words in extensions, namespaces, what is left out, what is refused; then the GS1 tables
the hash is built from, and that the product does not import the reference."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from epcis_reference import GS1_CONTEXT, document, reference_hashes, reference_prehashes
from reetrace.epcis import expansion
from reetrace.epcis.hashing import EventHashError, document_namespaces, event_hash, prehash
from reetrace.epcis.values import canonical

NS = {"rt": "https://ns.reetrace.org/epcis/"}
EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2026-10-03T08:00:00+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": [],
    "action": "ADD",
    "bizStep": "commissioning",
    "quantityList": [
        {"epcClass": "urn:reetrace:lot:L-1", "quantity": 1250.5, "uom": "KGM"},
        {"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 12, "uom": "KGM"},
    ],
    "readPoint": {"id": "urn:reetrace:site:91150200MA0N0P1X25:P1"},
    "bizLocation": {"id": "urn:reetrace:site:91150200MA0N0P1X25:P1"},
    "ilmd": {
        "rt:lots": [
            {
                "rt:lot": "urn:reetrace:lot:L-1",
                "rt:form": "ore",
                "rt:composition": {"rt:Nd": 0.12, "rt:Dy": 0.004},
                "rt:hsCode": "2846901900",
            }
        ]
    },
    "rt:reporter": "91150200MA0N0P1X25",
    "rt:eventId": "e-1",
    "rt:deposit": "rock",
    "rt:ext": '{"batch":7}',
}
SHIPPING: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventTime": "2026-10-05T10:30:00.250Z",
    "eventTimeZoneOffset": "+00:00",
    "epcList": [],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "quantityList": [{"epcClass": "urn:reetrace:lot:L-1"}],
    "sourceList": [{"type": "owning_party", "source": "urn:reetrace:party:91150200MA0N0P1X25"}],
    "destinationList": [{"type": "owning_party", "destination": "urn:reetrace:party:91310000MA1FL0XX1X"}],
    "bizTransactionList": [{"type": "desadv", "bizTransaction": "urn:reetrace:shipment:S%201"}],
    "rt:reporter": "91150200MA0N0P1X25",
}


def changed(event: dict[str, Any], **members: Any) -> dict[str, Any]:
    new = copy.deepcopy(event)
    new.update({key.replace("__", ":"): value for key, value in members.items()})
    return new


def agrees(*events: dict[str, Any], namespaces: dict[str, str] = NS) -> list[str]:
    """Our hashes of `events`, having checked they are the reference's."""
    ours = [event_hash(event, namespaces) for event in events]
    assert ours == reference_hashes(document(list(events), namespaces))
    return ours


def test_the_projects_example_event():
    assert prehash(EVENT, NS) == (
        "eventType=ObjectEvent"
        "eventTime=2026-10-03T00:00:00.000ZeventTimeZoneOffset=+08:00"
        "quantityList"
        "quantityElementepcClass=https://id.gs1.org/01/04012345123456/10/998877quantity=12uom=KGM"
        "quantityElementepcClass=urn:reetrace:lot:L-1quantity=1250.5uom=KGM"
        "action=ADDbizStep=https://ref.gs1.org/cbv/BizStep-commissioning"
        "readPointid=urn:reetrace:site:91150200MA0N0P1X25:P1bizLocationid=urn:reetrace:site:91150200MA0N0P1X25:P1"
        "ilmd{https://ns.reetrace.org/epcis/}lots{https://ns.reetrace.org/epcis/}composition"
        "{https://ns.reetrace.org/epcis/}Dy=0.004{https://ns.reetrace.org/epcis/}Nd=0.12"
        "{https://ns.reetrace.org/epcis/}form=ore{https://ns.reetrace.org/epcis/}hsCode=2846901900"
        "{https://ns.reetrace.org/epcis/}lot=urn:reetrace:lot:L-1"
        "{https://ns.reetrace.org/epcis/}deposit=rock{https://ns.reetrace.org/epcis/}eventId=e-1"
        '{https://ns.reetrace.org/epcis/}ext={"batch":7}{https://ns.reetrace.org/epcis/}reporter=91150200MA0N0P1X25'
    )
    agrees(EVENT, SHIPPING)


@pytest.mark.parametrize("same", [5, 5.0, "5", "5.000", "+5", "0005", "5e0", " 5 "])
def test_a_number_is_written_in_one_form_whatever_its_spelling(same):
    """Integral numbers lose their fraction; strings that read as numbers are numbers too."""
    quantities = [{"epcClass": "urn:reetrace:lot:L-1", "quantity": same, "uom": "KGM"}]
    number = changed(EVENT, quantityList=quantities, rt__moisture=same)
    assert "quantity=5uom" in prehash(number, NS) and "moisture=5" in prehash(number, NS)
    assert agrees(number) == agrees(changed(number, quantityList=[dict(quantities[0], quantity=5)], rt__moisture=5))


def test_fractions_and_negative_numbers_in_pythons_shortest_form():
    event = changed(EVENT, rt__a=-0.5, rt__b=1250.50, rt__c=-3.0, rt__d=1e-7, rt__e=1e16, rt__f="NaN", rt__g=None)
    written = prehash(event, NS)
    for text in ("a=-0.5", "b=1250.5", "c=-3{", "d=1e-07", "e=10000000000000000", "f=NaN", "g=None"):
        assert text in written
    agrees(event)


@pytest.mark.parametrize("infinite", ["Infinity", "-inf", "1e999", float("inf")])
def test_an_infinite_number_is_refused_where_the_reference_drops_the_event(infinite):
    event = changed(EVENT, rt__note=infinite)
    with pytest.raises(EventHashError):
        event_hash(event, NS)
    assert reference_hashes(document([event, EVENT], NS)) == agrees(EVENT)


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("2026-10-03T08:00:00+08:00", "2026-10-03T00:00:00.000Z"),
        ("2026-10-03T00:00:00Z", "2026-10-03T00:00:00.000Z"),
        ("2026-10-02T19:15:00-04:45", "2026-10-03T00:00:00.000Z"),
        ("2026-01-01T05:29:59.9994999+05:30", "2025-12-31T23:59:59.999Z"),  # cut to µs, then rounded
        ("2026-10-03T00:00:00.0005Z", "2026-10-03T00:00:00.000Z"),  # half to even
        ("2026-10-03T00:00:00.0015Z", "2026-10-03T00:00:00.002Z"),
        ("2026-10-03T00:00:00.0025Z", "2026-10-03T00:00:00.002Z"),
        ("2026-10-03T00:00:00.123456789z", "2026-10-03T00:00:00.123Z"),
    ],
)
def test_times_are_written_in_utc_to_the_millisecond(written, utc):
    event = changed(EVENT, eventTime=written)
    assert f"eventTime={utc}eventTimeZoneOffset" in prehash(event, NS)
    agrees(event)


@pytest.mark.parametrize("time", ["2026-10-03T23:59:59.9995Z", "2026-10-03T23:59:59.99999+01:00"])
def test_a_time_rounding_up_to_the_next_second_is_refused_where_the_reference_drops_the_event(time):
    event = changed(EVENT, eventTime=time)
    with pytest.raises(EventHashError):
        event_hash(event, NS)
    assert reference_hashes(document([event], NS)) == []


@pytest.mark.parametrize("time", ["2026-10-03 08:00:00+08:00", "2026-10-03T08:00+08:00", "2026-10-03T08:00:00"])
def test_a_time_outside_rfc_3339_is_refused(time):
    """The reference would read these with dateutil (a missing offset as the machine's zone)."""
    with pytest.raises(EventHashError):
        event_hash(changed(EVENT, eventTime=time), NS)


@pytest.mark.parametrize(
    "spelling",
    [
        {"bizStep": "shipping", "disposition": "in_transit", "btt": "desadv", "sdt": "owning_party"},
        {
            "bizStep": "https://ref.gs1.org/cbv/BizStep-shipping",
            "disposition": "https://ref.gs1.org/cbv/Disp-in_transit",
            "btt": "https://ref.gs1.org/cbv/BTT-desadv",
            "sdt": "https://ref.gs1.org/cbv/SDT-owning_party",
        },
        {
            "bizStep": "urn:epcglobal:cbv:bizstep:shipping",
            "disposition": "urn:epcglobal:cbv:disp:in_transit",
            "btt": "urn:epcglobal:cbv:btt:desadv",
            "sdt": "urn:epcglobal:cbv:sdt:owning_party",
        },
    ],
    ids=["bare", "web", "urn"],
)
def test_a_cbv_word_bare_as_a_web_iri_or_as_an_old_urn_hashes_the_same(spelling):
    event = changed(
        SHIPPING,
        bizStep=spelling["bizStep"],
        disposition=spelling["disposition"],
        bizTransactionList=[{"type": spelling["btt"], "bizTransaction": "urn:reetrace:shipment:S%201"}],
        sourceList=[{"type": spelling["sdt"], "source": "urn:reetrace:party:91150200MA0N0P1X25"}],
    )
    assert agrees(event) == agrees(SHIPPING)


def test_a_business_transaction_type_of_our_own_is_written_as_given():
    own = "https://ns.reetrace.org/epcis/btt/customs_declaration"
    event = changed(SHIPPING, bizTransactionList=[{"type": own, "bizTransaction": "urn:reetrace:declaration:D1"}])
    assert f"bizTransactionListtype={own}bizTransaction=urn:reetrace:declaration:D1" in prehash(event, NS)
    agrees(event)


def test_the_order_of_members_does_not_count_but_within_a_source_it_does():
    shuffled = dict(reversed(list(SHIPPING.items())))
    shuffled["quantityList"] = [dict(reversed(list(q.items()))) for q in SHIPPING["quantityList"]]
    assert agrees(shuffled) == agrees(SHIPPING)
    extensions = changed(EVENT, ilmd={"rt:lots": [dict(reversed(list(EVENT["ilmd"]["rt:lots"][0].items())))]})
    assert agrees(extensions) == agrees(EVENT)
    # the reference writes a source's members in the JSON object's order
    reversed_source = changed(
        SHIPPING, sourceList=[{"source": "urn:reetrace:party:91150200MA0N0P1X25", "type": "owning_party"}]
    )
    assert agrees(reversed_source) != agrees(SHIPPING)


def test_a_bare_word_in_an_extension_is_rewritten_when_the_event_uses_its_cbv_term():
    event = changed(SHIPPING, rt__step="shipping", rt__other="receiving")
    written = prehash(event, NS)
    assert "step=https://ref.gs1.org/cbv/BizStep-shipping" in written and "other=receiving" in written
    agrees(event)


def test_namespace_prefixes_are_expanded_in_values_too():
    event = changed(EVENT, rt__element="rt:Nd", ex__other="ex:value")
    written = prehash(event, NS)
    assert "{https://ns.reetrace.org/epcis/}element=https://ns.reetrace.org/epcis/Nd" in written
    assert "ex:other=ex:value" in written  # an undeclared prefix stays
    agrees(event)


@pytest.mark.parametrize("namespace", ["https://ns.reetrace.org/epcis/", "https://ns.reetrace.org/epcis#"])
def test_an_extension_of_a_standard_member_goes_with_it_only_if_its_namespace_ends_in_a_slash(namespace):
    event = changed(EVENT, readPoint={"id": "urn:reetrace:site:X:P1", "rt:gate": "G2"})
    written = prehash(event, {"rt": namespace})
    with_it = f"readPointid=urn:reetrace:site:X:P1{{{namespace}}}gate=G2bizLocation"
    assert (with_it in written) == namespace.endswith("/")
    agrees(event, namespaces={"rt": namespace})


def test_what_the_hash_leaves_out():
    left_out = changed(
        SHIPPING,
        eventID="ni:///sha-256;00?ver=CBV2.0",
        recordTime="2026-10-05T10:31:00Z",
        errorDeclaration={"declarationTime": "2026-10-06T00:00:00Z", "reason": "incorrect_data"},
        comment="a note",
        epcList=[],
        disposition="",
    )
    without = {key: value for key, value in SHIPPING.items() if key != "disposition"}
    assert agrees(left_out) == agrees(without)
    # an empty extension is still written, by its name
    assert "{https://ns.reetrace.org/epcis/}note" in prehash(changed(SHIPPING, rt__note=""), NS)


def test_document_namespaces_are_read_from_a_context_list_only():
    context = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", NS, {"ex": "https://example.com/"}]
    assert document_namespaces(context) == {"rt": "https://ns.reetrace.org/epcis/", "ex": "https://example.com/"}
    assert document_namespaces(NS) == {}  # as the reference reads a lone context object
    # a term defined by an object is no prefix (the reference fails on such a document)
    typed = [GS1_CONTEXT, {"rail": "urn:gs1:epcisapp:rail:", "rail:trainAxleCount": {"@type": "xsd:integer"}}]
    assert document_namespaces(typed) == {"rail": "urn:gs1:epcisapp:rail:"}


def test_the_cbv_tables_are_those_of_the_gs1_context_the_reference_ships():
    import epcis_event_hash_generator

    shipped = Path(epcis_event_hash_generator.__file__).parent
    context = json.loads(
        (shipped / "e532647e8eb371379b8b0e8602d8981c8566bc60f7351f22c76a5bc865962008.jsonld").read_text()
    )
    terms = context["@context"]

    def words(scoped: dict[str, str]) -> dict[str, str]:
        return {w: iri.replace("cbv:", expansion.CBV).replace("gs1:", expansion.GS1) for w, iri in scoped.items()}

    report = terms["sensorElementList"]["@context"]["sensorReport"]["@context"]
    assert expansion.TERMS == {
        "BizStep": words(terms["bizStep"]["@context"]),
        "Disp": words(terms["disposition"]["@context"]),
        "SDT": words(terms["sourceList"]["@context"]["type"]["@context"]),
        "BTT": words(terms["bizTransactionList"]["@context"]["type"]["@context"]),
        "ER": words(terms["errorDeclaration"]["@context"]["reason"]["@context"]),
        "Comp": words(report["component"]["@context"]),
        "measurement": words(report["type"]["@context"]),
        "exception": words(report["exception"]["@context"]),
    }
    assert words(terms["persistentDisposition"]["@context"][0]) == expansion.TERMS["Disp"]
    # the direct writer writes a CBV word's IRI as it is: it must be its own canonical form
    assert all(canonical(iri) == iri for table in expansion.TERMS.values() for iri in table.values())
    assert terms["destinationList"]["@context"]["type"] == terms["sourceList"]["@context"]["type"]
    assert set(expansion.GLOBAL) == {t for t in terms if not t.startswith("@")}
    for term, definition in terms.items():
        if isinstance(definition, dict) and definition.get("@type") in ("@id", "@vocab"):
            assert expansion.GLOBAL[term][0] == {"@id": expansion.ID, "@vocab": expansion.VOCAB}[definition["@type"]]


def test_the_product_does_not_import_the_reference():
    package = Path(expansion.__file__).parent
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            assert not any(n.split(".")[0] in ("epcis_event_hash_generator", "pyld", "dateutil") for n in names)


def test_events_the_writer_leaves_to_the_port_hash_as_the_reference_hashes_them():
    sensor = changed(
        EVENT,
        sensorElementList=[
            {
                "sensorMetadata": {"time": "2026-10-03T08:00:00+08:00", "deviceID": "urn:epc:id:giai:4000001.111"},
                "sensorReport": [{"type": "Temperature", "value": 26.0, "uom": "CEL"}],
            }
        ],
    )
    with_extensions = changed(
        SHIPPING,
        quantityList=[{"epcClass": "urn:reetrace:lot:L-1", "quantity": 5, "uom": "KGM", "rt:grade": "A"}],
        readPoint={"id": "urn:reetrace:site:X:P1", "rt:gate": "G2"},
    )
    agrees(sensor, with_extensions)
    assert reference_prehashes(document([sensor], NS)) == [prehash(sensor, NS)]


def deeply_nested(depth: int) -> dict[str, Any]:
    event = changed(EVENT)
    inner = event
    for _ in range(depth):
        inner["rt:x"] = {}
        inner = inner["rt:x"]
    return event


@pytest.mark.parametrize(
    "hostile",
    [
        [],
        "ObjectEvent",
        None,
        changed(EVENT, type=["ObjectEvent"]),
        changed(EVENT, rt__note="\ud800"),
        changed(SHIPPING, bizTransactionList=[{"bizTransaction": "urn:reetrace:shipment:S1"}]),
        changed(EVENT, eventTime=12),
        deeply_nested(5000),
    ],
    ids=["list", "string", "null", "type-list", "lone-surrogate", "untyped-transaction", "number-time", "deep"],
)
def test_what_cannot_be_hashed_as_the_reference_would_is_refused_with_one_error(hostile):
    """Events the reference drops or fails on, and times it would read leniently (12: a day)."""
    with pytest.raises(EventHashError):
        event_hash(hostile, NS)


def test_a_bare_word_is_rewritten_from_its_own_event_only():
    """The one place where event_hash departs from the reference on purpose: the reference
    gathers the CBV IRIs of the whole document, so a free-text "shipping" in one event becomes
    the bizStep IRI because *another* event ships. An event's hash here is its own."""
    noted = changed(EVENT, rt__note="shipping")
    assert reference_hashes(document([noted], NS)) == [event_hash(noted, NS)]
    together = reference_hashes(document([noted, SHIPPING], NS))
    assert together[1] == event_hash(SHIPPING, NS)
    assert together[0] != event_hash(noted, NS)
    rewritten = prehash(noted, NS).replace("note=shipping", "note=https://ref.gs1.org/cbv/BizStep-shipping")
    assert reference_prehashes(document([noted, SHIPPING], NS))[0] == rewritten
