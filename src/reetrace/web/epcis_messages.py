"""What is wrong with an EPCIS capture, said by the problem's message id (docs/epcis.md): the
capture's own checks (reetrace.services.intake_epcis, reetrace.services.capture_jobs) and the
translation's (reetrace.epcis.translate, reetrace.epcis.document). Part of `messages.PROBLEM`,
so the pages say them as they say any rejection."""

from __future__ import annotations

from reetrace.web.i18n import _

EPCIS_PROBLEM = {
    # the capture
    "jws_missing": _("No JWS-Signature: a capture is signed with a detached JWS."),
    "jws_malformed": _(
        "The JWS-Signature must be a detached compact JWS (header..signature) of at most %(bound)s characters."
    ),
    "jws_header": _("The JWS header must hold exactly alg (EdDSA) and kid (the key id), not: %(members)s."),
    "jws_key": _("The JWS names key %(key)s, not the key it was checked with."),
    "jws_alg": _("The JWS is signed with %(alg)s: a capture is signed with EdDSA (Ed25519)."),
    "key_not_theirs": _("The signing key %(key)s is not a registered key of enterprise %(enterprise)s."),
    "epcis_schema": _("The document does not keep to the EPCIS 2.0 JSON Schema: %(detail)s"),
    "epcis_creation_date": _("creationDate must be a date and time with its offset from UTC."),
    "epcis_id_not_hash": _("The eventID %(event_id)s is not this event's event hash."),
    "epcis_id_long": _("An eventID of %(length)s characters, more than the %(bound)s one may have."),
    "epcis_id_twice": _("The eventID %(event_id)s is given twice."),
    "epcis_id_conflict": _("The eventID %(event_id)s already names another event."),
    "epcis_reporter": _("The event says it is reported by %(reporter)s, but %(signer)s signed the capture."),
    # the translation of an event
    "epcis_not_document": _("The body must be an EPCISDocument."),
    "epcis_not_object": _("An EPCIS event must be a JSON object."),
    "epcis_missing": _("%(member)s is missing."),
    "epcis_not_text": _("%(member)s must be text."),
    "epcis_event_type": _("Events of type %(value)s are not recorded: only ObjectEvent and TransformationEvent."),
    "epcis_no_event": _("An ObjectEvent with action %(action)s and bizStep %(step)s is no event of the chain."),
    "epcis_serials": _("epcList must be empty: lots are quantities of a class (quantityList)."),
    "epcis_no_id": _("An event needs %(member)s or an eventID."),
    "epcis_time": _("eventTime %(value)s has no offset from UTC."),
    "epcis_offset": _("eventTimeZoneOffset %(value)s is not an offset from UTC."),
    "epcis_site_null": _("rt:site may only be null (no site)."),
    "epcis_two_sites": _("bizLocation must be the readPoint: an event happens at one site."),
    "epcis_location": _("%(member)s must be an object with only an id."),
    "epcis_escapes": _("The escapes of %(value)s are not UTF-8."),
    "epcis_ext": _("rt:ext must be JSON text."),
    "epcis_no_lots": _("%(member)s must list the lots."),
    "epcis_quantity": _("A quantity element needs epcClass, quantity and uom (KGM), nothing else."),
    "epcis_whole_lots": _("Whole lots move here: a quantity element has only its epcClass."),
    "epcis_uom": _("The unit %(value)s: masses are in kilograms (KGM)."),
    "epcis_ilmd": _("The ILMD must hold %(member)s: each created lot's form and composition."),
    "epcis_ilmd_count": _("The ILMD describes %(described)s lots, the quantity list lists %(listed)s."),
    "epcis_ilmd_lot": _("Each lot in the ILMD has rt:lot, rt:form, rt:composition and maybe rt:hsCode."),
    "epcis_ilmd_order": _("The ILMD's lots must be in the order of the quantity list (here: %(lot)s)."),
    "epcis_composition": _("rt:composition maps rt:<element> to its mass fraction."),
    "epcis_party": _("%(member)s must name one owning party."),
    "epcis_party_uri": _("%(value)s: an enterprise is written urn:reetrace:party:<USCC>."),
    "epcis_documents": _("bizTransactionList must be a list."),
    "epcis_document": _("Business transaction %(index)s is not one of the documents this event names."),
    "epcis_customs": _("An import or export names its customs declaration."),
    "epcis_transform_step": _("A transformation's bizStep is commissioning, not %(value)s."),
    "epcis_shipment": _("A shipment is named by a despatch advice (desadv) business transaction."),
    "epcis_license": _("A license is a business transaction; rt:licenseNo may only be null."),
    "epcis_one_lot": _("A stock-taking adjusts one lot."),
    "epcis_unread": _("%(member)s is not recorded: no event of the chain holds it."),
}
