"""What checking a provenance credential found, said by the problem's message id
(docs/credentials.md, "Verifying"): the verification's own checks (`credentials.verify`, the
service's `no_did_document`) and the securing layer's (`credentials.errors.VerificationError`),
for the verify page, as `epcis_messages` says an EPCIS capture's problems.

A sentence names only the parameters its problem always carries; `said` fills a missing one with
a dash rather than fail, and formats instants in China Standard Time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reetrace.domain.problems import Problem
from reetrace.web.i18n import _
from reetrace.web.words import Words

CHECK = {
    "signature": _("Signature"),
    "schema": _("UNTP passport schema"),
    "validity": _("Period of validity"),
    "status": _("Revocation status"),
}

SOURCE = {
    "store": _("this server's records"),
    "file": _("the status list file given"),
    "url": _("the issuer's status list"),
}

STAGE = {
    "mined": _("Mined"),
    "separated": _("Separated"),
    "metal": _("Refined to metal"),
    "alloyed": _("Alloyed"),
    "magnet": _("Made into magnets"),
}

MAGNET_TYPE = {"NdFeB": _("NdFeB (neodymium)"), "SmCo": _("SmCo (samarium–cobalt)"), "other": _("other")}

VERIFY_PROBLEM = {
    # the verification's checks (credentials.verify)
    "signature_ok": _("Signed by the issuer's key %(method)s."),
    "schema_ok": _("A UNTP Digital Product Passport (version 0.6.1), as its schema requires."),
    "schema_invalid": _("Not a valid UNTP Digital Product Passport: %(detail)s"),
    "valid_now": _("Valid since %(at)s."),
    "valid_from": _("The credential does not say from when it is valid."),
    "not_yet_valid": _("Not valid yet: valid only from %(at)s."),
    "expired": _("Expired: it was valid until %(at)s."),
    "no_status": _("The credential has no revocation status."),
    "status_offline": _("Its revocation status could not be checked: no status list is at hand."),
    "status_unreadable": _("Its revocation status could not be read: %(detail)s"),
    "revoked": _("Revoked (according to %(source)s)."),
    "not_revoked": _("Not revoked (according to %(source)s)."),
    "unsecured": _("The file is not a secured credential: it has neither a proof nor a signed envelope."),
    "no_did_document": _(
        "The issuer %(issuer)s is not this server, so its keys are not at hand here: check the file with "
        "reetrace credential verify --did-document."
    ),
}

SECURING_PROBLEM = {
    # the securing layer (credentials.errors, its docstring lists these ids)
    "not_object": _("A part of the credential that must be a JSON object is not one."),
    "member": _("A member %(member)s is missing or of the wrong type."),
    "multibase": _("Text that should be multibase-encoded is not: %(value)s"),
    "key_invalid": _("A key is not an Ed25519 public key in Multikey form."),
    "key_unknown": _("No key is known for %(method)s."),
    "proof_set": _("One proof is expected, not a set of %(proofs)s."),
    "proof_type": _("The proof is not a DataIntegrityProof."),
    "cryptosuite": _("The proof's cryptosuite %(cryptosuite)s is not eddsa-jcs-2022."),
    "proof_purpose": _("The proof's purpose %(purpose)s is not assertionMethod."),
    "proof_created": _("The proof's creation time %(created)s is not a date and time."),
    "proof_context": _("The credential's @context does not start with the one its proof was made with."),
    "signature_invalid": _("The signature does not verify: the credential was changed after it was signed."),
    "issuer_key": _("The key %(method)s that signed it is not a key of the issuer %(issuer)s."),
    "envelope": _("The signed envelope (vc+jwt) is not well formed."),
    "jose_header": _("The envelope's header does not hold what it must: %(members)s"),
    "jose_alg": _("The envelope is not signed with EdDSA (Ed25519)."),
    "jose_typ": _("The envelope's header is not that of a vc+jwt credential."),
    "did": _("An identifier is not a did:web identifier of a verification method."),
    "did_document": _("The DID document of %(did)s is not well formed."),
    "not_assertion_method": _("The key %(method)s is not listed for signing credentials (assertionMethod)."),
    "method_controller": _("The key %(method)s is not controlled by the DID that lists it."),
    "status_entry": _("The credential's revocation status entry is not one that can be read."),
    "status_list": _("The status list is not one that can be read."),
    "status_list_length": _("The status list holds %(entries)s entries, fewer than the %(bound)s it must."),
    "status_range": _("Entry %(index)s is beyond the status list's %(entries)s entries."),
}

UNKNOWN = _("The credential could not be checked (%(id)s).")
MOMENTS = {"at"}


class _Params(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"


def said(words: Words, problem: Problem) -> str:
    """`problem` in the reader's language."""
    message = VERIFY_PROBLEM.get(problem.id) or SECURING_PROBLEM.get(problem.id)
    if message is None:
        return words.t(UNKNOWN) % {"id": problem.id}
    return words.t(message) % _Params({key: _value(words, key, value) for key, value in problem.params.items()})


def _value(words: Words, key: str, value: Any) -> str:
    if key in MOMENTS and isinstance(value, str):
        try:
            return words.zoned(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if key == "source" and value in SOURCE:
        return words.t(SOURCE[value])
    if isinstance(value, Mapping | list):
        return "—"
    return "—" if value is None else str(value)
