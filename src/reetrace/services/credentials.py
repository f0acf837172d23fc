"""Use cases: issue a lot's provenance credential, and serve what anyone needs to check one — the
issuer's DID document, the status lists (docs/credentials.md).

Issuing reads, in this order: the findings as people read them (`services.findings.current`);
a signed checkpoint covering every event recorded so far; then, in one read transaction, the
lot's provenance (`domain.provenance`), the stretch of history the pre-review judges a lot's
export on (`services.prereview.provenance`) and the GTIN its maker registered for its form. The
credential states whether any finding that blocks a license stands on that history
(`domain.prereview.blocking_findings`, the pre-review's own rule), is built as a UNTP Digital
Product Passport, checked against the UNTP schema, signed, and recorded in one write
transaction with its lineage and the blocking findings that stood, so that a finding raised
later can revoke it (`services.credential_status`).
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection

from reetrace.config import Settings
from reetrace.credentials import data_integrity, did, jose, status_list
from reetrace.credentials.digital_link import lot_uri
from reetrace.credentials.passport import passport
from reetrace.credentials.schema import validate_passport
from reetrace.domain.accounts import Actor
from reetrace.domain.findings import Finding
from reetrace.domain.prereview import blocking_findings
from reetrace.domain.provenance import Provenance, provenance
from reetrace.domain.trace import Creation, RememberingSource
from reetrace.errors import InvalidInput, NotFound, StoreError
from reetrace.services import findings as current_findings
from reetrace.services import issuer_keys
from reetrace.services import prereview as lineage_of
from reetrace.services.access_log import note_change
from reetrace.services.log import peek, publish_checkpoint
from reetrace.store import certify_repo, registry_repo
from reetrace.store import credentials_repo as repo
from reetrace.store.database import Store
from reetrace.store.lot_source import SqlLotSource
from reetrace.store.timefmt import to_utc_text

SECURINGS = ("di", "jwt")
LIST_BITS = status_list.MIN_BITS  # one status list holds this many credentials
STATUS_PATH = "/credentials/status/"
CONTEXT_PATH = "/contexts/provenance/v1"


@dataclass(frozen=True, slots=True)
class Issued:
    credential_id: str
    lot: str
    securing: str
    document: dict[str, Any]
    all_origins_legal: bool


def issuer_did(settings: Settings) -> str:
    return did.did_web(urlsplit(settings.public_url).netloc)


def verification_method(settings: Settings, key_id: str) -> str:
    return f"{issuer_did(settings)}#key-{key_id}"


def status_place(number: int) -> tuple[int, int]:
    """Which status list (from 1) and which bit of it (from 0) credential `number` (from 1) has."""
    return (number - 1) // LIST_BITS + 1, (number - 1) % LIST_BITS


def status_list_url(settings: Settings, list_number: int) -> str:
    return f"{settings.public_url}{STATUS_PATH}{list_number}"


def status_entry(list_url: str, index: int) -> dict[str, Any]:
    """A credential's `credentialStatus`: its bit in a revocation list."""
    return {
        "id": f"{list_url}#{index}",
        "type": status_list.ENTRY_TYPE,
        "statusPurpose": status_list.REVOCATION,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def finding_key(finding: Finding) -> list[Any]:
    """What tells one finding from another, for the record of what stood at issuance."""
    return [finding.code, finding.enterprise, finding.lot, finding.event, finding.year]


def issue(
    store: Store,
    settings: Settings,
    lot: str,
    securing: str = "di",
    *,
    actor: Actor | None = None,
    issued_by: str = "cli",
    issued_to: str | None = None,
    now: datetime | None = None,
) -> Issued:
    """Issue lot `lot`'s provenance credential, secured as `securing` (`di` or `jwt`)."""
    if securing not in SECURINGS:
        raise InvalidInput(f"securing must be one of {', '.join(SECURINGS)}, not {securing!r}")
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    found = current_findings.current(store, settings, wait=True)
    note = publish_checkpoint(store, settings)
    zone_year = lineage_of.year_in_zone(settings.thresholds.utc_offset_hours)

    with store.reading() as conn:
        if not certify_repo.lot_known(conn, lot):
            raise NotFound(f"lot {lot!r} is not in the ledger")
        source = RememberingSource(SqlLotSource(conn))  # the lineage read once, walked twice
        facts = provenance(lot, source)
        history = lineage_of.provenance(conn, lot, zone_year, source)
        maker = history.trace.creation.reporter if history.trace.creation is not None else None
        uri = _uri_of(conn, settings, lot, history.trace.creation)
    blocking = blocking_findings(found, history.upstream_lots, history.upstream_events, history.producers)
    checkpoint = peek(note)
    lineage = {
        "lots": sorted(history.upstream_lots),
        "events": sorted(history.upstream_events),
        "producers": sorted([list(p) for p in history.producers]),
    }
    credential_id = str(uuid.uuid4())
    with store.writing() as conn:
        signer = issuer_keys.current(conn, settings.log_keys_path())
        number = repo.reserve(
            conn, credential_id, lot, "passport", securing, to_utc_text(moment), issued_by, issued_to, signer.key_id
        )
        list_number, index = status_place(number)
        list_url = status_list_url(settings, list_number)
        unsigned = passport(
            facts,
            credential_id=f"{settings.public_url}/credentials/{credential_id}",
            lot_uri=uri,
            issuer_did=issuer_did(settings),
            issuer_name=settings.issuer_name,
            valid_from=moment,
            status_entry=status_entry(list_url, index),
            all_origins_legal=not blocking,
            checkpoint={
                "origin": checkpoint.origin,
                "treeSize": checkpoint.size,
                "rootHash": _b64(checkpoint.root_hash),
                "note": note,
            },
            public_url=settings.public_url,
        )
        problems = validate_passport(unsigned)
        if problems:
            raise StoreError(f"the credential for lot {lot!r} does not meet the UNTP schema: {problems[0]}")
        document = secure(unsigned, securing, signer, verification_method(settings, signer.key_id), moment)
        repo.complete(conn, number, document, lineage, (finding_key(f) for f in blocking))
        note_change(conn, actor, "credential issue", issued_to or maker, f"{credential_id} lot {lot} ({securing})")
    return Issued(credential_id, lot, securing, document, not blocking)


def secure(
    unsigned: dict[str, Any], securing: str, signer: issuer_keys.IssuerSigner, method: str, moment: datetime
) -> dict[str, Any]:
    """The credential secured as §11 says: a Data Integrity proof, or enveloped as a vc+jwt."""
    if securing == "di":
        return data_integrity.add_proof(unsigned, signer.private_key, method, moment)
    return jose.envelope(unsigned, signer.private_key, method)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- what anyone may fetch ----------------------------------------------------------------


def did_document(store: Store, settings: Settings) -> dict[str, Any]:
    """The issuer's DID document: every key it has signed with, retired ones too."""
    with store.reading() as conn:
        keys = [k.public_key for k in repo.issuer_keys(conn)]
    return did.did_document(issuer_did(settings), keys)


def status_list_credential(store: Store, settings: Settings, list_number: int) -> dict[str, Any]:
    """Status list `list_number` as a `BitstringStatusListCredential`, signed now."""
    if list_number < 1:
        raise NotFound(f"there is no status list {list_number}")
    first = (list_number - 1) * LIST_BITS + 1
    with store.writing() as conn:  # the issuer key may have to be made
        if list_number > 1 and repo.highest_number(conn) < first:
            raise NotFound(f"there is no status list {list_number}")
        revoked = [n - first for n in repo.revoked_numbers(conn, first, first + LIST_BITS - 1)]
        signer = issuer_keys.current(conn, settings.log_keys_path())
    moment = datetime.now(UTC).replace(microsecond=0)
    unsigned = status_list.status_list_credential(
        status_list_url(settings, list_number), issuer_did(settings), moment, revoked
    )
    return data_integrity.add_proof(unsigned, signer.private_key, verification_method(settings, signer.key_id), moment)


def credential(store: Store, credential_id: str) -> repo.CredentialRow:
    with store.reading() as conn:
        row = repo.by_id(conn, credential_id)
    if row is None:
        raise NotFound(f"credential {credential_id!r} is not one this server issued")
    return row


def lot_credential(store: Store, lot: str) -> repo.CredentialRow:
    """The lot's newest provenance credential; a lot without one answers as an unknown lot."""
    with store.reading() as conn:
        row = repo.latest_passport(conn, lot)
    if row is None:
        raise NotFound(f"lot {lot!r} has no provenance credential")
    return row


def lot_credentials(store: Store, lot: str) -> list[repo.CredentialRow]:
    with store.reading() as conn:
        return repo.of_lot(conn, lot)


def lot_uri_of(store: Store, settings: Settings, lot: str) -> str:
    """The lot's URI as it stands now (contract §11): a GS1 Digital Link when the enterprise that
    created the lot registered a GTIN for its form, else `/lots/{lot}`; what the printed
    certificate's QR code carries. A lot nobody created, or a GTIN the registry holds wrongly,
    gives the `/lots/` form."""
    with store.reading() as conn:
        return _uri_of(conn, settings, lot, SqlLotSource(conn).creations([lot]).get(lot))


def _uri_of(conn: Connection, settings: Settings, lot: str, creation: Creation | None) -> str:
    """The lot's URI from the event that created it (None: nobody did)."""
    made = creation.output(lot) if creation is not None else None
    gtin = registry_repo.gtin_of(conn, creation.reporter, made.form) if creation and made else None
    try:
        return lot_uri(settings.public_url, lot, gtin)
    except ValueError:  # a GTIN the registry holds wrongly
        return lot_uri(settings.public_url, lot)


def full_provenance(store: Store, lot: str) -> Provenance:
    """The lot's provenance with every enterprise named: for the authority."""
    with store.reading() as conn:
        facts = provenance(lot, SqlLotSource(conn))
    return facts
