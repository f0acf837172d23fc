"""§4 events as a UNTP Digital Traceability Event credential: valid against UNTP's DTE 0.6.1
schema for every type of event as hypothesis draws them (tests/epcis_events.py), each event of the
UNTP class its EPCIS form stands for, no enterprise named but the reporter and the counterparties
its events name, and every member defined by a context the credential names."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld

from epcis_events import events as drawn_events
from factory import make_uscc
from reetrace.credentials.contexts import document_loader
from reetrace.credentials.digital_link import lot_uri
from reetrace.credentials.schema import DTE, schema_errors, validate_passport, validate_traceability
from reetrace.credentials.traceability import traceability
from reetrace.epcis.document import Recorded, epcis_id

PUBLIC_URL = "https://reetrace.example.gov.cn"
REPORTER, BUYER, SUPPLIER, ELSEWHERE = (make_uscc(n) for n in (10, 11, 12, 13))
TYPES = ["extract", "import", "transform", "ship", "receive", "export", "consume", "adjust"]
CLASS = {
    "extract": "ObjectEvent",
    "import": "ObjectEvent",
    "transform": "TransformationEvent",
    "ship": "TransactionEvent",
    "receive": "TransactionEvent",
    "export": "TransactionEvent",
    "consume": "ObjectEvent",
    "adjust": "ObjectEvent",
}
USCC_LIKE = re.compile(r"91110000MA[0-9]{7}[0-9A-Z]")


def issue(recorded: list[Recorded], **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "credential_id": f"{PUBLIC_URL}/credentials/0b7e4bd2-0a51-4d33-8f7c-8a0f3f1f1c55",
        "issuer_did": "did:web:reetrace.example.gov.cn",
        "issuer_name": "Rare Earth Office",
        "valid_from": datetime(2026, 12, 7, 2, 0, tzinfo=UTC),
        "public_url": PUBLIC_URL,
    }
    arguments.update(overrides)
    return traceability(recorded, **arguments)


def submission() -> list[dict[str, Any]]:
    """A separator's month: ore received from its supplier, separated, oxide shipped and exported.
    Its `ext` names an enterprise that is none of its counterparties."""
    site = f"{REPORTER}/P1"
    return [
        {"event_id": "r1", "type": "receive", "time": "2026-11-02T08:00:00+08:00", "site": site,
         "lots": ["ORE-7"], "from": SUPPLIER, "shipment": "S-1", "mass_kg": 1000},
        {"event_id": "t1", "type": "transform", "time": "2026-11-03T08:00:00+08:00", "site": site,
         "process": "separation", "inputs": [{"lot": "ORE-7", "mass_kg": 1000}],
         "outputs": [{"lot": "OX-7", "form": "oxide", "mass_kg": 80.5, "composition": {"Nd": 0.7}}],
         "ext": {"broker": ELSEWHERE}},
        {"event_id": "s1", "type": "ship", "time": "2026-11-04T08:00:00+08:00", "site": site,
         "lots": ["OX-7"], "to": BUYER, "shipment": "S-2"},
        {"event_id": "x1", "type": "export", "time": "2026-11-05T08:00:00+08:00", "site": site,
         "lots": ["OX-8"], "consignee": "Magnet GmbH", "destination": "DE", "customs_declaration": "CD-9",
         "license_no": "L-1"},
    ]  # fmt: skip


def recorded(events: list[dict[str, Any]], reporter: str = REPORTER) -> list[Recorded]:
    return [Recorded(reporter, e) for e in events]


def test_a_submission_is_a_valid_dte():
    credential = issue(recorded(submission()))
    assert schema_errors(credential, DTE) == []
    assert validate_traceability(credential) == []
    assert validate_passport(credential) != []  # a DTE is no passport
    assert credential["type"] == ["VerifiableCredential", "DigitalTraceabilityEvent"]
    assert [e["type"][0] for e in credential["credentialSubject"]] == [
        "TransactionEvent",
        "TransformationEvent",
        "TransactionEvent",
        "TransactionEvent",
    ]


def test_the_events_say_what_the_submission_says():
    receive, transform, ship, export = issue(recorded(submission()))["credentialSubject"]
    assert receive["id"] == epcis_id(REPORTER, submission()[0])
    assert receive["sourceParty"] == f"urn:reetrace:party:{SUPPLIER}"
    assert receive["destinationParty"] == f"urn:reetrace:party:{REPORTER}"
    assert receive["bizStep"] == "https://ref.gs1.org/cbv/BizStep-receiving"
    assert receive["bizTransaction"] == "https://ref.gs1.org/cbv/BTT-desadv"
    assert receive["action"] == "observe"
    assert receive["epcList"] == [{"type": ["Item"], "id": f"{PUBLIC_URL}/lots/ORE-7", "name": "lot ORE-7"}]
    assert receive["bizLocation"] == f"urn:reetrace:site:{REPORTER}/P1"
    assert transform["processType"] == "separation"
    assert transform["eventTime"] == "2026-11-03T08:00:00+08:00"
    assert transform["inputQuantityList"] == [
        {"productId": f"{PUBLIC_URL}/lots/ORE-7", "productName": "lot ORE-7", "quantity": 1000, "uom": "KGM"}
    ]
    assert transform["outputQuantityList"] == [
        {"productId": f"{PUBLIC_URL}/lots/OX-7", "productName": "oxide lot OX-7", "quantity": 80.5, "uom": "KGM"}
    ]
    assert ship["destinationParty"] == f"urn:reetrace:party:{BUYER}"
    assert export["destinationParty"] == "urn:reetrace:consignee:Magnet%20GmbH"
    assert export["bizTransaction"] == "https://ns.reetrace.org/epcis/btt/customs_declaration"
    assert {e["reportedBy"] for e in (receive, transform, ship, export)} == {f"urn:reetrace:party:{REPORTER}"}


def test_only_the_reporter_and_its_counterparties_are_named():
    text = json.dumps(issue(recorded(submission())))
    assert set(USCC_LIKE.findall(text)) == {REPORTER, SUPPLIER, BUYER}  # not ELSEWHERE, named in `ext`


def test_lots_are_named_as_the_caller_names_them():
    def named(lot: str) -> str:
        return lot_uri(PUBLIC_URL, lot, "9520123456788")

    transform = issue(recorded(submission()[1:2]), lot_uri=named)["credentialSubject"][0]
    assert transform["outputQuantityList"][0]["productId"] == f"{PUBLIC_URL}/01/09520123456788/10/OX-7"


def test_a_captured_event_keeps_the_id_it_came_with():
    event = submission()[2]
    captured = Recorded(REPORTER, event, "urn:uuid:6a3c1d1e-4d67-4c3a-9b2e-0f4f1c7e6a10")
    assert issue([captured])["credentialSubject"][0]["id"] == "urn:uuid:6a3c1d1e-4d67-4c3a-9b2e-0f4f1c7e6a10"


def test_a_status_entry_is_carried_when_given():
    status = {
        "id": f"{PUBLIC_URL}/credentials/status/1#9",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "9",
        "statusListCredential": f"{PUBLIC_URL}/credentials/status/1",
    }
    credential = issue(recorded(submission()), status_entry=status)
    assert credential["credentialStatus"] == status
    assert schema_errors(credential, DTE) == []
    assert "credentialStatus" not in issue(recorded(submission()))


@pytest.mark.parametrize("kind", TYPES)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_type_of_event_is_a_valid_dte(kind, data):
    reporter, event = data.draw(drawn_events().filter(lambda drawn: drawn[1]["type"] == kind))
    credential = issue([Recorded(reporter, event)])
    assert schema_errors(credential, DTE) == []
    (untp,) = credential["credentialSubject"]
    assert untp["type"] == [CLASS[kind], "Event"]
    assert untp["id"] == epcis_id(reporter, event)


# --- JSON-LD ------------------------------------------------------------------------------------


def members(value: Any) -> int:
    if isinstance(value, dict):
        own = sum(1 for key in value if key not in ("@context", "id", "type"))
        return own + sum(members(v) for v in value.values())
    if isinstance(value, list):
        return sum(members(v) for v in value)
    return 0


def expanded_members(value: Any) -> int:
    if isinstance(value, dict):
        own = sum(1 for key in value if not key.startswith("@"))
        return own + sum(expanded_members(v) for v in value.values())
    if isinstance(value, list):
        return sum(expanded_members(v) for v in value)
    return 0


def assert_expands_whole(credential: dict[str, Any]) -> None:
    dropped: list[str | None] = []
    expanded = jsonld.expand(credential, {"documentLoader": document_loader(PUBLIC_URL)}, dropped.append)
    assert dropped == []
    assert expanded_members(expanded) == members(credential)


def test_json_ld_expansion_drops_no_member():
    assert_expands_whole(issue(recorded(submission())))


@settings(max_examples=40, deadline=None)
@given(drawn_events())
def test_json_ld_expansion_drops_no_member_of_any_event(drawn):
    reporter, event = drawn
    assert_expands_whole(issue([Recorded(reporter, event)]))
