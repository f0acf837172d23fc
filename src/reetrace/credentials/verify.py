"""Verifying a provenance credential as a buyer would, with nothing but the file, the issuer's
DID document and, for its status, a status list (docs/credentials.md, "Verifying").

The checks, in order, each passed, failed or not made:

1. `signature` — the credential is secured one of §11's two ways: a Data Integrity proof
   (`eddsa-jcs-2022`) or an `EnvelopedVerifiableCredential` whose id is a `vc+jwt` data URL;
   it verifies with a key the issuer's DID document lists under `assertionMethod`, and that
   key is the issuer's (`did.check_issuer`). Nothing else is read from a credential that fails.
2. `schema` — the credential validates against the UNTP Digital Product Passport 0.6.1 schema.
3. `validity` — now lies within `validFrom` … `validUntil`.
4. `status` — the credential's bit in its revocation list, when a list is at hand (its own
   proof checked with the same DID document): set means revoked. With no list, the status is
   not checked, and the report says so.

A credential verifies when 1–3 pass and it is not revoked. Every failure carries a `Problem`
(message id and parameters) so that a page can say it in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reetrace.credentials import data_integrity, did, jose
from reetrace.credentials.errors import VerificationError, clip
from reetrace.credentials.schema import validate_passport, validate_traceability
from reetrace.credentials.status_list import StatusEntry
from reetrace.domain.problems import Problem

CHECKS = ("signature", "schema", "validity", "status")
ACTIVE, REVOKED, UNCHECKED = "active", "revoked", "unchecked"


@dataclass(frozen=True, slots=True)
class Check:
    name: str  # one of CHECKS
    ok: bool | None  # None: not made
    problem: Problem  # what was found, as a message id, its parameters and English text

    @property
    def text(self) -> str:
        return str(self.problem)


@dataclass(slots=True)
class CredentialReport:
    securing: str | None = None  # "di" | "jwt"
    credential: dict[str, Any] | None = None  # the credential itself, once its signature verified
    issuer: str | None = None
    method: str | None = None  # the verification method that signed it
    checks: list[Check] = field(default_factory=list)
    status: str = UNCHECKED
    status_source: str | None = None  # "file" | "store" | "url"
    revocation: dict[str, Any] | None = None  # why, when the store knows

    @property
    def ok(self) -> bool:
        made = {c.name: c.ok for c in self.checks}
        return all(made.get(name) is True for name in CHECKS[:3]) and self.status != REVOKED

    def check(self, name: str, ok: bool | None, problem: Problem) -> None:
        self.checks = [c for c in self.checks if c.name != name] + [Check(name, ok, problem)]
        self.checks.sort(key=lambda c: CHECKS.index(c.name))

    def summary(self) -> str:
        lot = subject_lot(self.credential)
        if self.status == REVOKED:
            return f"the credential{lot} is revoked"
        if not self.ok:
            failed = next((c for c in self.checks if c.ok is False), None)
            return failed.text if failed else "the credential does not verify"
        said = f"the credential{lot} verifies, issued by {self.issuer}"
        if self.status == UNCHECKED:
            return said + "; its status could not be checked (offline)"
        return said + f"; not revoked (status from the {self.status_source})"

    def as_json(self) -> dict[str, Any]:
        return {
            "format": "reetrace/credential-verification@1",
            "ok": self.ok,
            "securing": self.securing,
            "issuer": self.issuer,
            "verification_method": self.method,
            "status": self.status,
            "status_source": self.status_source,
            "revocation": self.revocation,
            "checks": [
                {"check": c.name, "ok": c.ok, "message": c.problem.id, "params": dict(c.problem.params), "text": c.text}
                for c in self.checks
            ],
        }


def subject_lot(credential: dict[str, Any] | None) -> str:
    product = (credential or {}).get("credentialSubject", {})
    product = product.get("product", {}) if isinstance(product, dict) else {}
    batch = product.get("batchNumber") if isinstance(product, dict) else None
    return f" for lot {batch}" if isinstance(batch, str) else ""


def securing_of(document: Any) -> str | None:
    """How a credential is secured, by its shape: "di", "jwt", or None."""
    if not isinstance(document, dict):
        return None
    if "proof" in document:
        return "di"
    if document.get("type") in (jose.ENVELOPED, [jose.ENVELOPED]):
        return "jwt"
    return None


def claimed_issuer(document: Any) -> str | None:
    """The DID a secured credential claims as its issuer, read before anything is verified (to
    find its DID document): the issuer of a proven credential, the `kid`'s DID of an envelope."""
    securing = securing_of(document)
    if securing == "di":
        return did.issuer_id(document)
    if securing == "jwt":
        kid = jose.peek_kid(document)
        return did.controller_of(kid) if kid else None
    return None


def verify(
    document: Any,
    did_document: Any,
    *,
    now: datetime | None = None,
    status_of: Callable[[StatusEntry], tuple[bool, str] | None] | None = None,
) -> CredentialReport:
    """Checks 1–3 with the keys of `did_document`, then the status: `status_of(entry)` answers
    (revoked, where from), or None when it cannot tell."""
    report = CredentialReport(securing=securing_of(document))
    resolver = did.key_resolver(did_document)
    try:
        if report.securing == "di":
            verified = data_integrity.verify_proof(document, resolver)
            report.credential, report.method = verified.document, verified.verification_method
        elif report.securing == "jwt":
            report.credential = jose.open_envelope(document, resolver)
            report.method = jose.peek_kid(document)
        else:
            raise VerificationError(
                Problem("unsecured", "the file is not a secured credential (no proof, no envelope)")
            )
    except VerificationError as exc:
        report.check("signature", False, exc.problem)
        return report
    report.issuer = did.issuer_id(report.credential)
    report.check("signature", True, Problem("signature_ok", f"signed by {report.method}", method=report.method))
    _schema(report)
    _validity(report, now or datetime.now(UTC))
    _status(report, status_of)
    return report


def _schema(report: CredentialReport) -> None:
    """A Digital Traceability Event credential is held to its own UNTP schema; anything else to
    the passport's."""
    credential = report.credential or {}
    types = credential.get("type")
    events = isinstance(types, list) and "DigitalTraceabilityEvent" in types
    problems = (validate_traceability if events else validate_passport)(credential)
    kind = "UNTP Digital Traceability Event credential" if events else "UNTP Digital Product Passport"
    if problems:
        first = problems[0]
        said = f"not a valid {kind}: {first}"
        report.check("schema", False, Problem("schema_invalid", said, at=first.where() or "/", detail=first.message))
    else:
        report.check("schema", True, Problem("schema_ok" if not events else "schema_ok_events", f"a {kind} 0.6.1"))


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not data_integrity.is_xsd_datetime(value):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _validity(report: CredentialReport, now: datetime) -> None:
    credential = report.credential or {}
    start, end = _moment(credential.get("validFrom")), _moment(credential.get("validUntil"))
    if start is None:
        report.check("validity", False, Problem("valid_from", "the credential has no valid validFrom"))
    elif now < start:
        report.check(
            "validity", False, Problem("not_yet_valid", f"valid only from {start.isoformat()}", at=start.isoformat())
        )
    elif "validUntil" in credential and (end is None or now > end):
        until = clip(credential.get("validUntil"))
        report.check("validity", False, Problem("expired", f"expired (valid until {until})", at=until))
    else:
        report.check("validity", True, Problem("valid_now", f"valid since {start.isoformat()}", at=start.isoformat()))


def _status(report: CredentialReport, status_of: Callable[[StatusEntry], tuple[bool, str] | None] | None) -> None:
    try:
        entry = StatusEntry.of(report.credential)
    except VerificationError as exc:
        report.check("status", False, exc.problem)
        report.status = UNCHECKED
        return
    if entry is None:
        report.check("status", None, Problem("no_status", "the credential has no revocation status"))
        return
    try:
        answer = status_of(entry) if status_of is not None else None
    except VerificationError as exc:
        report.check(
            "status",
            None,
            Problem("status_unreadable", f"status not checked: {str(exc.problem)}", detail=str(exc.problem)),
        )
        return
    if answer is None:
        report.check("status", None, Problem("status_offline", "status not checked: no status list at hand (offline)"))
        return
    revoked, source = answer
    report.status, report.status_source = (REVOKED if revoked else ACTIVE), source
    if revoked:
        report.check("status", False, Problem("revoked", f"revoked (status from the {source})", source=source))
    else:
        report.check("status", True, Problem("not_revoked", f"not revoked (status from the {source})", source=source))


def status_from_list(list_credential: Any, did_document: Any) -> Callable[[StatusEntry], bool]:
    """Reading a status from a status list credential: its proof checked with the issuer's DID
    document first (a VerificationError when it does not verify or is not the entry's list)."""

    def read(entry: StatusEntry) -> bool:
        verified = data_integrity.verify_proof(list_credential, did.key_resolver(did_document))
        return entry.is_set(verified.document)

    return read
