"""§4 events as a UNTP 0.6.1 Digital Traceability Event credential (`DigitalTraceabilityEvent`),
unsigned, valid against UNTP's DTE schema: the events of one submission, as a buyer or a foreign
authority reads a supply chain's events.

Each event is first written as the EPCIS 2.0 event the project exports (reetrace.epcis), then as
the UNTP event of the same class, which is EPCIS's own shape simplified:

- `transform` → `TransformationEvent`, its inputs and outputs as quantities in `KGM`, the
  process as `processType`;
- `ship`, `receive`, `export` → `TransactionEvent` from the source to the destination party of
  the EPCIS event (the reporter and its direct counterparty, or the foreign consignee), the
  business transaction being the type of its first document (despatch advice, customs
  declaration);
- `extract`, `import`, `consume`, `adjust` → `ObjectEvent` with EPCIS's action and business step.

Every event's `id` is its EPCIS `eventID` (the event hash, or the id it was captured with),
`processType` its §4 type (a transform's process), `bizLocation` its site, and `reportedBy` (the
project's context) the reporter. Lots are named by their URIs; a lot with a mass in the event is a
quantity, a lot moved whole (ship, receive, export, adjust) an item of `epcList`. Nothing else is
carried over: no enterprise other than the reporter and the counterparties its events name, and
nothing of `ext`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from reetrace.credentials.contexts import CREDENTIALS_V2, UNTP_DTE, provenance_context_url
from reetrace.credentials.digital_link import lot_uri as lot_uri_at
from reetrace.credentials.passport import KGM, vc_time
from reetrace.epcis import vocabulary as v
from reetrace.epcis.document import Recorded, epcis_event

Json = dict[str, Any]
CBV_BIZ_STEP = "https://ref.gs1.org/cbv/BizStep-"
CBV_BTT = "https://ref.gs1.org/cbv/BTT-"
_QUANTITY_LISTS = ("quantityList", "inputQuantityList", "outputQuantityList")


def traceability(
    events: Iterable[Recorded],
    *,
    credential_id: str,
    issuer_did: str,
    issuer_name: str,
    valid_from: datetime,
    public_url: str,
    lot_uri: Callable[[str], str] | None = None,
    status_entry: Mapping[str, Any] | None = None,
) -> Json:
    """The unsigned DTE credential of `events` (those of one submission, in its order).
    `lot_uri(lot)` names a lot (default: `<public_url>/lots/<lot>`, no GTIN)."""
    name_lot = lot_uri or partial(lot_uri_at, public_url)
    credential: Json = {
        "@context": [CREDENTIALS_V2, UNTP_DTE, provenance_context_url(public_url)],
        "type": ["VerifiableCredential", "DigitalTraceabilityEvent"],
        "id": credential_id,
        "issuer": {"type": ["CredentialIssuer"], "id": issuer_did, "name": issuer_name},
        "validFrom": vc_time(valid_from),
    }
    if status_entry is not None:
        credential["credentialStatus"] = dict(status_entry)
    credential["credentialSubject"] = [traceability_event(r, name_lot) for r in events]
    return credential


def traceability_event(recorded: Recorded, lot_uri: Callable[[str], str]) -> Json:
    """One recorded §4 event as the UNTP event of its EPCIS class."""
    epcis = epcis_event(recorded)
    event = recorded.event
    if epcis["type"] == "TransformationEvent":
        kind = "TransformationEvent"
    elif "sourceList" in epcis:
        kind = "TransactionEvent"
    else:
        kind = "ObjectEvent"
    out: Json = {
        "type": [kind, "Event"],
        "id": epcis["eventID"],
        "processType": event["process"] if event["type"] == "transform" else event["type"],
        "eventTime": epcis["eventTime"],
    }
    if "action" in epcis:
        out["action"] = epcis["action"].lower()
    out["bizStep"] = CBV_BIZ_STEP + epcis["bizStep"]
    location = epcis.get("bizLocation") or epcis.get("readPoint")
    if location is not None:
        out["bizLocation"] = location["id"]
    if kind == "TransactionEvent":
        out["sourceParty"] = epcis["sourceList"][0]["source"]
        out["destinationParty"] = epcis["destinationList"][0]["destination"]
        document = epcis["bizTransactionList"][0]["type"]
        out["bizTransaction"] = document if ":" in document else CBV_BTT + document
    forms = {o["lot"]: o["form"] for o in event.get("outputs", ())}
    items = []
    for name in _QUANTITY_LISTS:
        if name not in epcis:
            continue
        quantities = []
        for element in epcis[name]:
            lot = v.uri_lot(element["epcClass"])
            title = f"{forms[lot]} lot {lot}" if lot in forms else f"lot {lot}"
            if "quantity" in element:
                quantities.append(
                    {"productId": lot_uri(lot), "productName": title, "quantity": element["quantity"], "uom": KGM}
                )
            else:
                items.append({"type": ["Item"], "id": lot_uri(lot), "name": title})
        if quantities:
            out[name] = quantities
    if items:
        out["epcList"] = items
    out["reportedBy"] = v.PARTY + recorded.reporter
    return out
