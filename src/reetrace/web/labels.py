"""Names of the domain's codes as the pages show them. Each is marked with `_` for the
catalogue and translated where it is shown (`t(labels.SEVERITY[s])` in a template)."""

from __future__ import annotations

from reetrace.web.i18n import _

SEVERITY = {"critical": _("critical"), "high": _("high"), "medium": _("medium"), "low": _("low")}

ROLE = {
    "regulator": _("regulator"),
    "inspector": _("inspector"),
    "reviewer": _("reviewer"),
    "approver": _("approver"),
    "auditor": _("auditor"),
    "enterprise": _("enterprise"),
    "capture": _("capture account"),
}

FINDING = {
    "UNAUTHORIZED_MINING": _("Extraction without a valid mining qualification"),
    "UNAUTHORIZED_SEPARATION": _("Separation without a valid separation qualification"),
    "MINING_QUOTA_EXCEEDED": _("Mining quota exceeded"),
    "SEPARATION_QUOTA_EXCEEDED": _("Separation quota exceeded"),
    "MASS_BALANCE_VIOLATION": _("Outputs hold more of an element than the inputs"),
    "LOW_YIELD": _("Yield below the process floor"),
    "UNKNOWN_LOT": _("A lot no event created enters the chain"),
    "DUPLICATE_LOT": _("A lot id created a second time"),
    "LOT_OVERDRAWN": _("More taken from a lot than it holds"),
    "NOT_CUSTODIAN": _("A lot used by an enterprise that does not hold it"),
    "SHIPMENT_NOT_RECEIVED": _("Shipment not received in time"),
    "RECEIPT_WITHOUT_SHIPMENT": _("Receipt without a shipment"),
    "TRANSFER_MISMATCH": _("Received mass differs from shipped mass"),
    "EXPORT_WITHOUT_LICENSE": _("Controlled export without a license"),
    "LICENSE_EXCEEDED": _("Exports beyond the licensed quantity"),
    "LICENSE_MISMATCH": _("Export does not fit its license"),
    "LATE_REPORT": _("Month reported after the deadline"),
    "LARGE_ADJUSTMENT": _("Unusually large stock adjustment"),
    "CIRCULAR_TRADE": _("Lot returns to an earlier holder"),
    "ELEMENT_DIVERTED": _("Controlled element diverted"),
    "RECYCLING_IMPLAUSIBLE": _("Recycling of material that is not scrap"),
    "LAYERED_CIRCULAR_TRADE": _("Material returns by a detour"),
    "DECLARATION_WITHOUT_EXPORT": _("Customs declaration without an export"),
    "EXPORT_WITHOUT_DECLARATION": _("Export without a customs declaration"),
    "DECLARED_QUANTITY_MISMATCH": _("Declared quantity differs from the lots"),
    "DECLARATION_MISMATCH": _("Declaration differs from its export"),
    "HS_CODE_MISDECLARED": _("Customs code contradicts the lot"),
    "ARRIVAL_NOT_REPORTED": _("Arrival of a licensed export not reported"),
    "COMPOSITION_IMPLAUSIBLE": _("Extracted composition does not fit the deposit"),
    "CAPACITY_EXCEEDED": _("Site output beyond its registered capacity"),
}

TRIAGE_STATUS = {"open": _("open"), "confirmed": _("confirmed"), "dismissed": _("dismissed")}
TRIAGE_ACTION = {"assign": _("assign"), "confirm": _("confirm"), "dismiss": _("dismiss"), "note": _("note")}

COMPLIANCE = {
    "on_time": _("on time"),
    "late": _("late"),
    "missing": _("missing"),
    "quiet": _("not due"),
    "pending": _("not yet due"),
}

FLOW_NODE = {
    "mine": _("Mines"),
    "import": _("Imports"),
    "earlier": _("Earlier or unknown"),
    "separation": _("Separation"),
    "recycling": _("Recycling"),
    "metal_alloy": _("Metal and alloy"),
    "other": _("Other processing"),
    "magnet": _("Magnets"),
    "export": _("Export"),
    "domestic_use": _("Domestic use"),
    "stock": _("Stock and losses"),
}

QUOTA_KIND = {"mining": _("mining"), "separation": _("separation")}
DEPOSIT = {"rock": _("rock"), "ion_adsorption": _("ion-adsorption"), "all": _("all")}

EVENT = {
    "extract": _("extraction"),
    "import": _("import"),
    "transform": _("transformation"),
    "ship": _("shipment"),
    "receive": _("receipt"),
    "export": _("export"),
    "consume": _("consumption"),
    "adjust": _("adjustment"),
}

FORM = {
    "ore": _("ore"),
    "concentrate": _("concentrate"),
    "mixed_compound": _("mixed compound"),
    "oxide": _("oxide"),
    "metal": _("metal"),
    "alloy": _("alloy"),
    "magnet": _("magnet"),
    "compound": _("compound"),
    "scrap": _("scrap"),
}

DOCUMENT_KIND = {
    "end_user_certificate": _("end-user certificate"),
    "end_use_certificate": _("end-use certificate"),
    "contract": _("contract"),
    "technical_description": _("technical description"),
    "test_report": _("test report"),
    "other": _("other document"),
}

PROCESS = {
    "beneficiation": _("beneficiation"),
    "separation": _("separation"),
    "metal": _("metal making"),
    "alloy": _("alloying"),
    "magnet": _("magnet making"),
    "repack": _("repacking"),
    "recycling": _("recycling"),
    "other": _("other"),
}

LOT_STATUS = {"held": _("held"), "in_transit": _("in transit"), "exported": _("exported"), "consumed": _("consumed")}

LINEAGE_KIND = {
    "traced": _("this lot"),
    "extract": _("extracted"),
    "import": _("imported"),
    "transform": _("made"),
    "unknown": _("unknown origin"),
}

APPLICATION_STATE = {
    "submitted": _("submitted"),
    "accepted": _("accepted"),
    "under_review": _("under review"),
    "info_requested": _("information requested"),
    "approved": _("approved"),
    "denied": _("denied"),
    "not_accepted": _("not accepted"),
    "withdrawn": _("withdrawn"),
}

REVIEW_ACTION = {
    "submit": _("submit"),
    "accept": _("accept"),
    "decline": _("decline"),
    "start": _("start review"),
    "request_info": _("request information"),
    "clear_hit": _("clear screening hit"),
    "provide_info": _("provide information"),
    "approve": _("approve"),
    "deny": _("deny"),
    "withdraw": _("withdraw"),
}

VERDICT = {"clear": _("clear"), "attention": _("attention"), "blocked": _("blocked")}

# Why a screening match scored as it did (the matcher's `explanation`, docs/screening.md): how a
# part of the query's name matched a part of the listed name, which kind of listed name it was
# compared with and how, and what raised or lowered the name's score.
NAME_MATCH = {
    "same": _("written alike"),
    "variant": _("known variant"),
    "initial": _("initial"),
    "nickname": _("nickname"),
    "similar": _("spelt alike"),
    "reading": _("same Chinese reading"),
    "legal_form": _("company forms agree"),
    "legal_form_differs": _("company forms differ"),
    "generic": _("generic word"),
    "place": _("place name"),
    "query_only": _("only in the name screened"),
    "listed_only": _("only in the listed name"),
    "different": _("do not match"),
}
NAME_MATCH_UNKNOWN = _("not classified")

LISTED_NAME = {
    "name": _("main name"),
    "alias": _("alias"),
    "weakAlias": _("weak alias"),
    "previousName": _("former name"),
}
LISTED_NAME_UNKNOWN = _("name on the list")

NAME_COMPARISON = {
    "parts": _("name parts aligned"),
    "reading": _("read across scripts (characters, Pinyin, English)"),
    "script": _("character by character in the same script"),
}

SCORE_ADJUSTMENT = {
    "birth_date": _("Birth date differs"),
    "birth_date_agrees": _("Birth date agrees"),
    "country": _("Country differs"),
    "nationality": _("Nationality differs"),
    "weak_alias": _("Matched a weak alias"),
}
SCORE_ADJUSTMENT_UNKNOWN = _("Other adjustment")

REJECTION = {
    "parse": _("not readable"),
    "schema": _("not in the reporting format"),
    "reporter": _("reporter not registered, or not its own"),
    "key": _("signed with an unknown or retired key"),
    "signature": _("signature does not verify"),
    "conflict": _("an event already reported differently"),
}


def name_of(enterprise, language: str) -> str:
    """An enterprise's name in the page's language: the legal (Chinese) name, or the English one."""
    if enterprise is None:
        return ""
    if language == "en":
        return enterprise.name_en or enterprise.name
    return enterprise.name or enterprise.name_en or enterprise.uscc
