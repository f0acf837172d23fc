"""The sentences the pages and the API say by message id: a finding's explanation (the ids the
rules give, `reetrace.domain.rules`), the parts of a sentence some of them list, and the labels of
evidence. Each sentence is marked with `_` for the catalogue and takes named parameters, which
`reetrace.web.words` formats for the language before it fills them in (docs/i18n.md)."""

from __future__ import annotations

from reetrace.web.epcis_messages import EPCIS_PROBLEM
from reetrace.web.i18n import _

FINDING_MESSAGE = {
    "UNAUTHORIZED_MINING": _("%(reporter)s mined on %(day)s without a mining qualification valid on that day."),
    "UNAUTHORIZED_SEPARATION": _(
        "%(reporter)s separated rare earths on %(day)s without a separation qualification valid on that day."
    ),
    "MINING_QUOTA_EXCEEDED": _(
        "Mining output (%(category)s deposits) of %(enterprise)s in %(year)s reaches %(used_kg)s REO against a "
        "quota of %(quota_kg)s (excess %(excess_kg)s)."
    ),
    "SEPARATION_QUOTA_EXCEEDED": _(
        "Separation output of %(enterprise)s in %(year)s reaches %(used_kg)s REO against a quota of "
        "%(quota_kg)s (excess %(excess_kg)s)."
    ),
    "MASS_BALANCE_VIOLATION": _(
        "The outputs of a %(process)s step hold %(out_kg)s of %(element)s but its inputs held only %(in_kg)s "
        "(excess %(excess_kg)s)."
    ),
    "MASS_BALANCE_VIOLATION.unknown": _(
        "The outputs of a %(process)s step hold %(out_kg)s of %(element)s but its inputs held only %(in_kg)s, "
        "plus %(unknown_kg)s drawn from lots of unknown content (excess %(excess_kg)s)."
    ),
    "LOW_YIELD": _(
        "The yield of a %(process)s step is %(yield)s (%(out_kg)s REO out of %(in_kg)s in), below the floor "
        "of %(floor)s."
    ),
    "UNKNOWN_LOT": _(
        "Lot %(lot)s is used in a %(event_type)s by %(reporter)s but no event created it before: material of "
        "unknown origin enters the chain."
    ),
    "DUPLICATE_LOT": _("Lot %(lot)s is created again by event %(event)s; event %(first)s created it first."),
    "LOT_OVERDRAWN": _(
        "%(reporter)s takes %(taken_kg)s from lot %(lot)s, which holds only %(held_kg)s (excess %(excess_kg)s)."
    ),
    "LOT_OVERDRAWN.used_up": _(
        "Lot %(lot)s is moved by a %(event_type)s of %(reporter)s but holds %(held_kg)s: it was already used up."
    ),
    "NOT_CUSTODIAN.held": _("%(reporter)s uses lot %(lot)s in a %(event_type)s but the lot is held by %(custodian)s."),
    "NOT_CUSTODIAN.in_transit": _("%(reporter)s uses lot %(lot)s in a %(event_type)s but the lot is in transit."),
    "NOT_CUSTODIAN.exported": _("%(reporter)s uses lot %(lot)s in a %(event_type)s but the lot was already exported."),
    "NOT_CUSTODIAN.consumed": _("%(reporter)s uses lot %(lot)s in a %(event_type)s but the lot was already consumed."),
    "SHIPMENT_NOT_RECEIVED": _(
        "Shipment %(shipment)s from %(sender)s to %(receiver)s on %(day)s was not received by %(deadline)s."
    ),
    "SHIPMENT_NOT_RECEIVED.late": _(
        "Shipment %(shipment)s from %(sender)s to %(receiver)s on %(day)s was not received by %(deadline)s; "
        "it was received only on %(received_day)s."
    ),
    "RECEIPT_WITHOUT_SHIPMENT": _(
        "%(receiver)s records receiving shipment %(shipment)s from %(sender)s, but %(sender)s recorded no such "
        "shipment to it."
    ),
    "TRANSFER_MISMATCH.more": _(
        "%(receiver)s received %(received_kg)s under shipment %(shipment)s from %(sender)s, which shipped "
        "%(shipped_kg)s: more by %(difference_kg)s (%(share)s)."
    ),
    "TRANSFER_MISMATCH.less": _(
        "%(receiver)s received %(received_kg)s under shipment %(shipment)s from %(sender)s, which shipped "
        "%(shipped_kg)s: less by %(difference_kg)s (%(share)s)."
    ),
    "EXPORT_WITHOUT_LICENSE.undeclared": _(
        "%(reporter)s exports lot %(lot)s (%(form)s, %(held_kg)s) to %(destination)s; it falls under "
        "%(controlled)s but no license was declared."
    ),
    "EXPORT_WITHOUT_LICENSE.unregistered": _(
        "%(reporter)s exports lot %(lot)s (%(form)s, %(held_kg)s) to %(destination)s; it falls under "
        "%(controlled)s but license %(license)s is not registered."
    ),
    "EXPORT_WITHOUT_LICENSE.uncovered": _(
        "%(reporter)s exports lot %(lot)s (%(form)s, %(held_kg)s) to %(destination)s; it falls under "
        "%(controlled)s but license %(license)s does not cover it."
    ),
    "LICENSE_EXCEEDED": _(
        "Exports of %(element)s %(form)s under license %(license)s reach %(exported_kg)s against %(licensed_kg)s "
        "licensed (excess %(excess_kg)s)."
    ),
    "LICENSE_MISMATCH": _("Export %(event)s does not fit license %(license)s: %(mismatches)s."),
    "LATE_REPORT": _(
        "%(enterprise)s reported events of %(month)s after the deadline of %(deadline)s (%(count)s late "
        "events), the last received on %(received_day)s."
    ),
    "LARGE_ADJUSTMENT": _(
        "Lot %(lot)s is adjusted by %(delta_kg)s (stated reason: %(reason)s), %(share)s of the %(held_kg)s it held."
    ),
    "LARGE_ADJUSTMENT.empty": _(
        "Lot %(lot)s is adjusted by %(delta_kg)s (stated reason: %(reason)s) while it holds nothing."
    ),
    "CIRCULAR_TRADE": _("Lot %(lot)s returns to %(enterprise)s, which held it before (custody: %(holders)s)."),
    "DECLARATION_WITHOUT_EXPORT": _(
        "Customs declaration %(declaration)s of %(day)s (%(exporter)s, to %(destination)s, %(net_kg)s in "
        "%(count)s items) matches no export event."
    ),
    "EXPORT_WITHOUT_DECLARATION": _(
        "%(reporter)s exported %(lots)s to %(destination)s on %(day)s under customs declaration %(declaration)s, "
        "but customs, reporting on %(from_day)s to %(to_day)s, recorded no such declaration, nor one for "
        "these lots."
    ),
    "DECLARED_QUANTITY_MISMATCH.more": _(
        "Customs declaration %(declaration)s declares %(declared_kg)s net, but the lots exported under it "
        "(%(lots)s) held %(exported_kg)s: more by %(difference_kg)s (%(share)s)."
    ),
    "DECLARED_QUANTITY_MISMATCH.less": _(
        "Customs declaration %(declaration)s declares %(declared_kg)s net, but the lots exported under it "
        "(%(lots)s) held %(exported_kg)s: less by %(difference_kg)s (%(share)s)."
    ),
    "DECLARATION_MISMATCH": _(
        "Customs declaration %(declaration)s of %(day)s does not fit export %(event)s: %(mismatches)s."
    ),
    "HS_CODE_MISDECLARED": _(
        "Customs declaration %(declaration)s declares lot %(lot)s (%(form)s) in item %(items)s under customs code "
        "%(declared)s, but the lot belongs under %(expected)s."
    ),
    "HS_CODE_MISDECLARED.unnamed": _(
        "Customs declaration %(declaration)s names lot %(lot)s (%(form)s) in no item, and the customs code of "
        "none of its items that name no lots (items %(items)s: %(declared)s) fits it: it belongs under "
        "%(expected)s."
    ),
    "ARRIVAL_NOT_REPORTED": _(
        "%(reporter)s exported %(lots)s to %(destination)s under license %(license)s on %(day)s; no arrival was "
        "reported by %(as_of)s, %(days)s days later (due within %(window)s days, by %(deadline)s)."
    ),
    "ARRIVAL_NOT_REPORTED.late": _(
        "%(reporter)s exported %(lots)s to %(destination)s under license %(license)s on %(day)s; no arrival was "
        "reported by %(as_of)s, %(days)s days later (due within %(window)s days, by %(deadline)s); it was "
        "reported only on %(reported_day)s."
    ),
    "COMPOSITION_IMPLAUSIBLE.profile": _(
        "Lot %(lot)s extracted by %(reporter)s at site %(site)s lies at a distance of %(distance)s from the "
        "site's registered profile (sum of the differences of the elements' shares of REO; at most "
        "%(distance_max)s fits)."
    ),
    "COMPOSITION_IMPLAUSIBLE.rock": _(
        "Lot %(lot)s extracted by %(reporter)s from a rock deposit holds %(heavy_share)s heavy rare earths in its "
        "REO, above the %(heavy_share_max)s a rock (light) deposit yields."
    ),
    "COMPOSITION_IMPLAUSIBLE.ion_adsorption": _(
        "Lot %(lot)s extracted by %(reporter)s from an ion-adsorption deposit holds only %(heavy_share)s heavy "
        "rare earths in its REO, below the %(heavy_share_min)s such a deposit yields."
    ),
    "COMPOSITION_IMPLAUSIBLE.deposit": _(
        "Lot %(lot)s is extracted by %(reporter)s from a deposit it declares %(declared_deposit)s, but site "
        "%(site)s is registered as %(registered_deposit)s."
    ),
    "CAPACITY_EXCEEDED": _(
        "Output of site %(site)s of %(enterprise)s in %(year)s reaches %(output_t_reo)s REO against a registered "
        "capacity of %(capacity_t_reo)s a year (excess %(excess_t_reo)s)."
    ),
    "ELEMENT_DIVERTED": _(
        "The outputs of a %(process)s step hold %(out_kg)s of %(element)s, %(ratio)s of the %(in_kg)s its inputs "
        "held, below %(minimum_ratio)s: the rest left the books."
    ),
    "RECYCLING_IMPLAUSIBLE": _(
        "A recycling run of %(reporter)s on %(day)s takes %(lots)s, which is not scrap of manufactured goods: less "
        "than %(share)s of its rare earths descend from metals, alloys, magnets or imported scrap, or its "
        "composition is that of ore."
    ),
    "LAYERED_CIRCULAR_TRADE": _(
        "%(enterprise)s receives lot %(lot)s on %(day)s; %(share)s of its rare earths descend from lot "
        "%(earlier_lot)s, which it shipped away %(days)s days before, and came back through %(path)s and a "
        "transformation."
    ),
}

_DEPOSIT_CONTRADICTED = _(
    "The extraction declares its deposit %(declared_deposit)s, but its site is registered as %(registered_deposit)s."
)

# A sentence added after a finding's message when its parameter is not empty.
FINDING_ADDENDUM = {
    "MASS_BALANCE_VIOLATION": ("elements", _("Outputs also exceed inputs for %(elements)s.")),
    "MASS_BALANCE_VIOLATION.unknown": ("elements", _("Outputs also exceed inputs for %(elements)s.")),
    **{
        f"COMPOSITION_IMPLAUSIBLE.{reason}": ("declared_deposit", _DEPOSIT_CONTRADICTED)
        for reason in ("profile", "rock", "ion_adsorption")
    },
}

# One difference in a list of them ("mismatches"): with a license, or with the export.
MISMATCH = {
    "LICENSE_MISMATCH": _("%(field)s %(declared)s where the license has %(reported)s"),
    "DECLARATION_MISMATCH": _("%(field)s %(declared)s where the export has %(reported)s"),
}

MISMATCH_FIELD = {
    "consignee": _("consignee"),
    "destination": _("destination"),
    "exporter": _("exporter"),
    "date": _("date"),
    "license_no": _("license"),
    "declaration_no": _("customs declaration"),
    "lots": _("lots"),
}

EVIDENCE = {
    "arrived_on": _("Arrived on"),
    "category": _("Deposit type"),
    "code": _("Control code"),
    "composition": _("Composition"),
    "controlled": _("Control codes"),
    "covered": _("Period customs reported on"),
    "created_later_by": _("Created later by event"),
    "custodian": _("Holder"),
    "customs_declaration": _("Customs declaration named by the export"),
    "date": _("Date"),
    "day": _("Day"),
    "days": _("Days since it was shipped away"),
    "days_since_export": _("Days since export"),
    "deadline": _("Deadline"),
    "declaration_no": _("Customs declaration"),
    "declared": _("Declared customs code"),
    "declared_kg": _("Declared net mass"),
    "delta_kg": _("Adjustment"),
    "destination": _("Destination"),
    "difference_kg": _("Difference"),
    "dominant": _("Main element"),
    "earlier_lot": _("Lot shipped away earlier"),
    "element": _("Element"),
    "elements": _("Elements over balance"),
    "excess_kg": _("Excess"),
    "expected": _("Expected customs code"),
    "exported_kg": _("Mass exported"),
    "exported_on": _("Exported on"),
    "exporter": _("Exporter"),
    "exports": _("Export events"),
    "family": _("Customs heading"),
    "first_created_by": _("First created by event"),
    "floor": _("Yield floor"),
    "form": _("Form"),
    "from": _("Sender"),
    "held_kg": _("Mass held"),
    "holders": _("Holders in turn"),
    "hs_code": _("Customs code"),
    "input": _("Input lot"),
    "inputs": _("Inputs that are not scrap"),
    "item": _("Item"),
    "items": _("Declaration items"),
    "kg_in": _("Input"),
    "kg_out": _("Output"),
    "la_ce_share": _("La + Ce share of the rare earths"),
    "last_received_at": _("Last received"),
    "late_events": _("Late events"),
    "level": _("Level of the contradiction"),
    "license_no": _("License"),
    "licensed_kg": _("Licensed quantity"),
    "lots": _("Lots"),
    "manufactured_share": _("Share from manufactured material"),
    "minimum_ratio": _("Lowest ratio allowed"),
    "mismatches": _("Differences"),
    "month": _("Month"),
    "net_kg": _("Net mass"),
    "not_manufactured": _("Less than half from manufactured material"),
    "ore_like": _("Ore-like composition"),
    "path": _("Enterprises on the way back"),
    "process": _("Process"),
    "qualification": _("Qualification needed"),
    "ratio": _("Output to input"),
    "quota_kg": _("Quota"),
    "received_kg": _("Mass received"),
    "received_late_at": _("Received late on"),
    "recorded_hs_code": _("Customs code recorded by the maker"),
    "reo_in_kg": _("REO in"),
    "reo_out_kg": _("REO out"),
    "reported_at": _("Arrival reported at"),
    "reported_late": _("Arrival reported late"),
    "share": _("Share of the lot"),
    "shipment": _("Shipment"),
    "shipped_away_at": _("Shipped away at"),
    "shipped_kg": _("Mass shipped"),
    "state": _("State of the lot"),
    "taken_kg": _("Mass taken"),
    "to": _("Receiver"),
    "tolerance": _("Tolerance"),
    "uncovered": _("Codes not covered"),
    "unknown_input_kg": _("Input from lots of unknown content"),
    "usage": _("Used in"),
    "used_kg": _("Used"),
    "used_up": _("Already used up"),
    "y_share": _("Y share of the rare earths"),
    "yield": _("Yield"),
    # the findings that catch evasion (docs/evasion.md)
    "capacity_t_reo": _("Registered capacity a year"),
    "declared_deposit": _("Deposit declared by the extraction"),
    "distance": _("Distance from the registered profile"),
    "distance_max": _("Largest distance that fits"),
    "excess_t_reo": _("Excess"),
    "heavy_share": _("Heavy rare earths' share of REO"),
    "heavy_share_max": _("Largest heavy share of a rock deposit"),
    "heavy_share_min": _("Smallest heavy share of an ion-adsorption deposit"),
    "output_t_reo": _("Output in the year"),
    "profile": _("Registered profile"),
    "registered_deposit": _("Deposit registered for the site"),
    "site": _("Site"),
    "year": _("Year"),
}

HS_LEVEL = {
    "heading": _("heading"),
    "subheading": _("subheading"),
    "lot record": _("the maker's record"),
}

QUALIFICATION = {
    "mining": _("mining"),
    "separation": _("separation"),
    "metal": _("metal making"),
    "magnet": _("magnet making"),
    "recycling": _("recycling"),
    "trade": _("trade"),
    "export": _("export"),
}

ELEMENT = {
    "Sc": _("scandium"),
    "Y": _("yttrium"),
    "La": _("lanthanum"),
    "Ce": _("cerium"),
    "Pr": _("praseodymium"),
    "Nd": _("neodymium"),
    "Pm": _("promethium"),
    "Sm": _("samarium"),
    "Eu": _("europium"),
    "Gd": _("gadolinium"),
    "Tb": _("terbium"),
    "Dy": _("dysprosium"),
    "Ho": _("holmium"),
    "Er": _("erbium"),
    "Tm": _("thulium"),
    "Yb": _("ytterbium"),
    "Lu": _("lutetium"),
}

# The pre-review's blocking reasons and red flags (reetrace.domain.prereview).
PREREVIEW = {
    "prereview.unknown_origin": _(
        "Material of lot %(lot)s comes from %(origin)s, which has no legal origin in the ledger (%(reo_kg)s REO)."
    ),
    "prereview.upstream_finding": _("Upstream of lot %(lot)s: %(finding)s"),
    "prereview.upstream_finding_of_another": _(
        "Upstream of lot %(lot)s: %(code)s, a finding on the material this lot was made from."
    ),
    "prereview.not_screened": _("No restricted-party list is loaded: the parties were not screened."),
    "prereview.screening_hit": _("The %(role)s %(party)s matches %(match)s on list %(list)s (score %(score)s)."),
    "prereview.not_held": _("Lot %(lot)s is not held by the applicant."),
    "prereview.more_than_held": _("%(wanted_kg)s asked for, but lot %(lot)s holds %(held_kg)s."),
    "prereview.claimed": _("Lot %(lot)s is already in application %(application)s (%(application_state)s)."),
    "prereview.destination_of_concern": _("The destination %(destination)s is a destination of concern."),
    "prereview.end_use_terms": _("The end-use statement mentions %(terms)s."),
    "prereview.new_consignee": _("No earlier export or license names the consignee %(party)s."),
    "prereview.party_elsewhere": _("The %(role)s %(party)s is in %(country)s; the goods go to %(destination)s."),
    "prereview.intermediary": _("Intermediary %(party)s (%(country)s)."),
    "prereview.described_items": _(
        "Items described without lots: their provenance is checked only when lots are exported."
    ),
}

# What raised or lowered a screening match's score (`labels.SCORE_ADJUSTMENT` says what): the
# party's value against the list's, or only one of them, with the points it moved the score by.
SCORE_ADJUSTMENT_SAID = {
    "compared": _("%(what)s: %(query)s against %(listed)s (%(effect)s)"),
    "listed": _("%(what)s: %(listed)s on the list (%(effect)s)"),
    "query": _("%(what)s: %(query)s (%(effect)s)"),
    "bare": _("%(what)s (%(effect)s)"),
}

PARTY_ROLE = {"consignee": _("consignee"), "end_user": _("end user"), "intermediary": _("intermediary")}

# Errors a page or the API says in the reader's language (`ReetraceError.message_id`); an error
# without one is said by its English text.
ERROR = {
    "error.not_found": _("No such %(kind)s, or not one you may see."),
    "error.request_invalid": _("The request is not valid: problems found, %(count)s (listed under problems)."),
    "error.no_finding": _("No such finding, or not one you may see."),
    "error.no_application": _("Application %(number)s does not exist."),
    "error.triage.unknown_action": _("Choose an action: assign, confirm, dismiss or note."),
    "error.triage.note_needed": _("To %(action)s, say why in the note."),
    "error.triage.message_needed": _("A message to the enterprise needs its text."),
    "error.triage.note_too_long": _("A note or message is at most %(limit)s characters."),
    "error.triage.assignee_needed": _("To assign, name the person who is to handle it."),
    "error.triage.assignee_not_wanted": _("Only an assignment names an assignee."),
    "error.step.unknown": _("Choose one of the steps offered."),
    "error.step.not_in_state": _(
        "The step “%(step)s” cannot be taken on an application that is %(application_state)s."
    ),
    "error.step.exporters": _("Only the exporter may take the step “%(step)s”."),
    "error.step.officials": _("The step “%(step)s” is an official's."),
    "error.step.role": _("%(official)s does not hold the role this step needs."),
    "error.step.own_enterprise": _("%(official)s belongs to the exporter and may not handle its application."),
    "error.step.reviewed": _("%(official)s reviewed this application and may not also decide it."),
    "error.step.decided": _("%(official)s decided on this application and may not review it."),
    "error.step.why_needed": _("The step “%(step)s” needs a reason: say why."),
    "error.step.not_official": _("%(official)s is not a registered official."),
    "error.step.hit_needed": _("Choose the screening hit to clear."),
    "error.step.not_a_hit": _("%(hit)s is not a screening hit of the latest pre-review."),
    "error.application.not_held": _(
        "Items %(items)s name lots the exporter does not hold: an application may name only lots its exporter "
        "holds when it is filed."
    ),
    "error.application.incomplete": _(
        "The application is incomplete (%(count)s problems): fill in every required part and attach the documents."
    ),
    "error.application.unknown_exporter": _("The exporter %(exporter)s is not a registered enterprise."),
    "error.step.blocked": _(
        "Application %(number)s cannot be approved while %(count)s blocking reasons stand: see the pre-review."
    ),
    "error.epcis.parameter": _("The value of the query parameter %(parameter)s is not accepted."),
    "error.epcis.unknown_parameters": _("The EPCIS query has no parameters named %(parameters)s."),
}

KIND = {
    "application": _("application"),
    "capture": _("capture job"),
    "event": _("event"),
    "export": _("export"),
    "finding": _("finding"),
    "license": _("license"),
    "lot": _("lot"),
    "enterprise": _("enterprise"),
}

# Why a submission was refused, or what is wrong in one (`reetrace.domain.problems`): by the
# problem's id; a validation error lists its problems, each under the place it is (`MEMBER`).
PROBLEM = {
    "": _("This value is not accepted."),
    "unchecked": _("The file could not be checked; it is kept for the operator to look into."),
    "unreadable": _("The file could not be read."),
    "unstorable": _("A value in the file cannot be stored."),
    "too_large": _("%(size)s bytes received, more than the %(bound)s bytes a submission may be."),
    "not_utf8": _("Not UTF-8 text (at byte %(byte)s)."),
    "not_json": _("Not JSON (line %(line)s, column %(column)s)."),
    "member_repeated": _("The member “%(member)s” is repeated in one object."),
    "not_a_number": _("%(name)s is not a JSON number."),
    "nested": _("Nested more than %(depth)s levels deep."),
    "not_finite": _("The number %(number)s is not finite."),
    "too_many_digits": _("A number of %(digits)s digits cannot be read."),
    "submission_not_object": _("A submission must be a JSON object."),
    "event_not_object": _("An event must be a JSON object."),
    "created_ahead": _(
        "Created at %(created)s, more than 5 minutes ahead of the time it was received (%(received_at)s)."
    ),
    "uscc_invalid": _("“%(value)s” is not a valid Unified Social Credit Code."),
    "reporter_unregistered": _("Enterprise %(uscc)s is not registered."),
    "foreign": _("%(sender)s may submit only its own reports, not those of %(claimed)s."),
    "key_unregistered": _("The signing key %(key)s is not registered."),
    "key_foreign": _("The signing key %(key)s is registered to another enterprise, not to the reporter."),
    "key_not_yet": _(
        "The signing key %(key)s is valid only from %(valid_from)s, after the file was created (%(created)s)."
    ),
    "key_revoked": _(
        "The signing key %(key)s was revoked at %(revoked_at)s, before the file was created (%(created)s)."
    ),
    "not_canonical": _("Cannot be written as canonical JSON (RFC 8785)."),
    "signature_encoding": _("The signature is not written in unpadded base64url."),
    "signature_invalid": _("The signature does not verify with the key named."),
    "conflict": _("Event %(event_id)s is already recorded with different content."),
    "lot_twice": _("Lot %(lot)s is named twice."),
    "lot_both": _("Lot %(lot)s is both an input and an output."),
    "event_id_twice": _("Event number %(event_id)s appears twice."),
    "time_format": _("Must be a time with its offset from UTC, e.g. 2026-10-03T08:00:00+08:00."),
    "time_invalid": _("“%(value)s” is not a valid time."),
    "date_format": _("Must be a date written YYYY-MM-DD."),
    "date_invalid": _("“%(value)s” is not a valid date."),
    "elements_unknown": _("Not rare earth element symbols: %(symbols)s."),
    "fractions_over": _("The mass fractions add up to %(total)s, more than 1."),
    "mass_beyond": _("%(mass_kg)s is beyond 10⁹ kg, the most any mass may be."),
    "time_before_floor": _("%(time)s is before 1990, the earliest an event may be."),
    "time_ahead": _(
        "%(time)s is more than 24 hours after the submission was received (%(received_at)s): nothing is reported "
        "from the future."
    ),
    "created_before_floor": _("The creation time is before 1990."),
    "created_unwritable": _("The creation time is beyond the last time that can be written."),
    "ext_too_large": _("%(size)s bytes of canonical JSON, more than the %(bound)s bytes it may hold."),
    "text_nul": _("Holds the character U+0000, which no text may hold."),
    "pydantic.missing": _("Required, but missing."),
    "pydantic.extra_forbidden": _(
        "Not a member of the reporting format (members of one's own belong in the extension)."
    ),
    "pydantic.union_tag_invalid": _("Unknown event type; expected one of %(expected)s."),
    "pydantic.union_tag_not_found": _("The event type is missing."),
    "pydantic.string_type": _("Must be text."),
    "pydantic.string_too_short": _("Must be at least %(limit)s characters long."),
    "pydantic.string_too_long": _("Must be at most %(limit)s characters long."),
    "pydantic.string_pattern_mismatch": _("Not written in the required form."),
    "pydantic.float_type": _("Must be a number."),
    "pydantic.float_parsing": _("Must be a number."),
    "pydantic.int_type": _("Must be a whole number."),
    "pydantic.int_parsing": _("Must be a whole number."),
    "pydantic.int_from_float": _("Must be a whole number."),
    "pydantic.finite_number": _("Must be a finite number."),
    "pydantic.bool_type": _("Must be true or false."),
    "pydantic.greater_than": _("Must be more than %(limit)s."),
    "pydantic.greater_than_equal": _("Must be at least %(limit)s."),
    "pydantic.less_than": _("Must be less than %(limit)s."),
    "pydantic.less_than_equal": _("Must be at most %(limit)s."),
    "pydantic.too_short": _("Must hold at least %(limit)s items."),
    "pydantic.too_long": _("Must hold at most %(limit)s items."),
    "pydantic.literal_error": _("Must be one of %(expected)s."),
    "pydantic.list_type": _("Must be a list."),
    "pydantic.dict_type": _("Must be an object."),
    "pydantic.model_type": _("Must be an object."),
    "pydantic.model_attributes_type": _("Must be an object."),
    **EPCIS_PROBLEM,
}

# The members of a submission, as the place of a problem names them
MEMBER = {
    "consignee": _("consignee"),
    "composition": _("composition"),
    "created_at": _("creation time"),
    "customs_declaration": _("customs declaration"),
    "delta_kg": _("adjustment"),
    "deposit": _("deposit type"),
    "destination": _("destination"),
    "event_id": _("event number"),
    "events": _("event"),
    "ext": _("extension"),
    "form": _("form"),
    "format": _("format"),
    "from": _("sender"),
    "hs_code": _("customs code"),
    "inputs": _("input"),
    "key_id": _("signing key"),
    "license_no": _("license number"),
    "lot": _("lot"),
    "lots": _("lot"),
    "mass_kg": _("mass"),
    "origin_country": _("country of origin"),
    "outputs": _("output"),
    "process": _("process"),
    "purpose": _("purpose"),
    "reason": _("reason"),
    "reporter": _("reporter"),
    "shipment": _("shipment"),
    "signature": _("signature"),
    "site": _("site"),
    "time": _("time"),
    "to": _("receiver"),
    "type": _("event type"),
}
