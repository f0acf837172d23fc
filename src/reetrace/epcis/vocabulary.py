"""The words reetrace's EPCIS events are written in (docs/epcis.md): the GS1 context, the
project's namespace, the URIs that carry lots, enterprises, sites and documents, and the CBV
words a value may be written as in full.

Every identifier that is not already a URI travels as a URN of the project's own, its text
percent-encoded (RFC 3986), so that any lot, site or document number is a valid URI and comes
back exactly as it was sent.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

GS1_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
NS = "https://ns.reetrace.org/epcis/"  # the project's namespace: its members are `rt:<name>`
PREFIX = "rt"
SCHEMA_VERSION = "2.0"

LGTIN = "urn:epc:class:lgtin:"  # a lot id that is already a GS1 LGTIN is its own epcClass
LOT = "urn:reetrace:lot:"
PARTY = "urn:reetrace:party:"  # an enterprise, by its USCC
CONSIGNEE = "urn:reetrace:consignee:"  # a foreign consignee, by its name
SITE = "urn:reetrace:site:"
SHIPMENT = "urn:reetrace:shipment:"
CUSTOMS_DECLARATION = "urn:reetrace:customs-declaration:"
LICENSE = "urn:reetrace:license:"

BTT_SHIPMENT = "desadv"  # CBV: despatch advice
BTT_CUSTOMS_DECLARATION = NS + "btt/customs_declaration"
BTT_LICENSE = NS + "btt/export_license"
OWNING_PARTY = "owning_party"
KGM = "KGM"  # UN/CEFACT Rec. 20: kilogram

# how a CBV word may be written in full: the web vocabulary (CBV 2.0) or the URN of CBV 1.x
_CBV_FORMS = {
    "bizStep": ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:"),
    "disposition": ("https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:"),
    "bizTransaction": ("https://ref.gs1.org/cbv/BTT-", "urn:epcglobal:cbv:btt:"),
    "sourceOrDestination": ("https://ref.gs1.org/cbv/SDT-", "urn:epcglobal:cbv:sdt:"),
}


def cbv_word(value: object, kind: str) -> object:
    """The bare CBV word a value stands for (`shipping` for `https://ref.gs1.org/cbv/BizStep-shipping`
    or `urn:epcglobal:cbv:bizstep:shipping`); any other value as it is."""
    if isinstance(value, str):
        for form in _CBV_FORMS[kind]:
            if value.startswith(form):
                return value[len(form) :]
    return value


def text_uri(prefix: str, text: str) -> str:
    """A document number, a name or a site code as a URI of the project's."""
    return prefix + quote(text, safe="")


def uri_text(prefix: str, uri: str) -> str:
    """The text a `text_uri` carries; a URI not of the project's stands for itself.
    Raises UnicodeDecodeError when its escapes are not UTF-8."""
    if uri.startswith(prefix):
        return unquote(uri[len(prefix) :], errors="strict")
    return uri


def lot_uri(lot: str) -> str:
    return lot if lot.startswith(LGTIN) else LOT + lot  # a lot id's characters are all safe in a URI


def uri_lot(uri: str) -> str:
    return uri[len(LOT) :] if uri.startswith(LOT) else uri


def site_uri(site: str) -> str:
    return SITE + quote(site, safe="/")


def uri_site(uri: str) -> str:
    return uri_text(SITE, uri)
