"""What a lot's URI resolves to (docs/credentials.md, "The lot's URI"): an RFC 9264 linkset
naming the lot's credential by UNTP's `dpp` link type, its certificate bundle and its EPCIS
events, and the resolver's own description, as a GS1 Digital Link resolver publishes it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reetrace.config import Settings
from reetrace.credentials.digital_link import lot_uri
from reetrace.epcis import vocabulary
from reetrace.store.credentials_repo import CredentialRow

UNTP_LINK_TYPES = "https://test.uncefact.org/vocabulary/linkTypes/"
GS1_LINK_TYPES = "https://gs1.org/voc/"
DPP = UNTP_LINK_TYPES + "dpp"


def _anchor(row: CredentialRow) -> str:
    subject = row.document.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        return subject["id"]
    return ""


def linkset(settings: Settings, lot: str, row: CredentialRow) -> dict[str, Any]:
    """The linkset of lot `lot`, whose newest credential is `row`."""
    base = settings.public_url
    anchor = _anchor(row) or lot_uri(base, lot, None)
    credential = {
        "href": f"{base}/credentials/{row.credential_id}",
        "type": "application/vc+ld+json",
        "title": "Digital Product Passport (W3C Verifiable Credential)",
        "hreflang": ["en"],
    }
    verify_page = {
        "href": f"{base}/verify/{row.credential_id}",
        "type": "text/html",
        "title": "Verify the provenance credential",
        "hreflang": ["zh", "en"],
    }
    certificate = {
        "href": f"{base}/api/lots/{quote(lot, safe='')}/certificate",
        "type": "application/json",
        "title": "Provenance certificate with evidence (authority, or the exporter on request)",
    }
    events = {
        "href": f"{base}/epcis/events?MATCH_anyEPCClass={quote(vocabulary.lot_uri(lot), safe='')}",
        "type": "application/ld+json",
        "title": "EPCIS 2.0 events of the lot (accounts of the parties)",
    }
    return {
        "linkset": [
            {
                "anchor": anchor,
                DPP: [credential],
                "untp:dpp": [credential],
                GS1_LINK_TYPES + "defaultLink": [verify_page],
                GS1_LINK_TYPES + "certificationInfo": [certificate],
                GS1_LINK_TYPES + "epcis": [events],
            }
        ]
    }


def resolver_description(settings: Settings) -> dict[str, Any]:
    """The `/.well-known/gs1resolver` document."""
    return {
        "name": f"{settings.issuer_name} — provenance resolver",
        "resolverRoot": settings.public_url,
        "supportedPrimaryKeys": ["01"],
        "linkTypeDefaultCanBeLinkset": True,
        "supportedLinkType": [
            {"namespace": GS1_LINK_TYPES, "prefix": "gs1:", "profile": "https://gs1.org/voc/?show=linktypes"},
            {"namespace": UNTP_LINK_TYPES, "prefix": "untp:", "profile": UNTP_LINK_TYPES},
        ],
        "linksetMediaType": "application/linkset+json",
    }
