"""Use case: a submission's events as a UNTP Digital Traceability Event credential, signed by the
issuer, for an enterprise to pass to its customers (docs/credentials.md, "Events credential").

The credential attests what the ledger recorded from one submission: the events it added, each
as its EPCIS event in UNTP's shape (`credentials.traceability`). It is issued to the enterprise
that sent the submission (or to the regulator's staff), recorded like a passport, with its own
bit in the status lists; no finding revokes it, since it states only what was reported.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from reetrace.config import Settings
from reetrace.credentials.schema import validate_traceability
from reetrace.credentials.traceability import traceability
from reetrace.domain.accounts import Actor
from reetrace.epcis.document import Recorded
from reetrace.errors import InvalidInput, NotFound, StoreError
from reetrace.services import issuer_keys
from reetrace.services.access_log import note_change
from reetrace.services.credentials import (
    SECURINGS,
    Issued,
    issuer_did,
    secure,
    status_entry,
    status_list_url,
    status_place,
    verification_method,
)
from reetrace.store import credentials_repo as repo
from reetrace.store import epcis_query_repo
from reetrace.store.database import Store
from reetrace.store.timefmt import to_utc_text

MAX_EVENTS = 10_000  # events in one credential: a larger submission is a bulk load, not a delivery


def issue_events(
    store: Store,
    settings: Settings,
    submission_id: int,
    securing: str = "di",
    *,
    party: str | None = None,
    actor: Actor | None = None,
    issued_by: str = "cli",
    now: datetime | None = None,
) -> Issued:
    """The events credential of submission `submission_id`; `party` (an enterprise) may have
    only its own submissions' (another's answers as a submission that does not exist)."""
    if securing not in SECURINGS:
        raise InvalidInput(f"securing must be one of {', '.join(SECURINGS)}, not {securing!r}")
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    with store.reading() as conn:
        found = epcis_query_repo.submission_size(conn, submission_id)
        if found is None or (party is not None and found[0] != party):
            raise NotFound("there is no such submission")
        reporter, count = found
        if count == 0:
            raise InvalidInput(f"submission {submission_id} added no event to the ledger: there is nothing to attest")
        if count > MAX_EVENTS:
            raise InvalidInput(
                f"submission {submission_id} added {count:,} events; an events credential holds at most {MAX_EVENTS:,}"
            )
        events = [
            Recorded(r.reporter, json.loads(r.body), r.epcis_id)
            for r in epcis_query_repo.rows_of_submission(conn, submission_id)
        ]
    credential_id = str(uuid.uuid4())
    with store.writing() as conn:
        signer = issuer_keys.current(conn, settings.log_keys_path())
        number = repo.reserve(
            conn,
            credential_id,
            None,
            "events",
            securing,
            to_utc_text(moment),
            issued_by,
            None if party is None else party,
            signer.key_id,
            submission_id=submission_id,
        )
        list_number, index = status_place(number)
        unsigned = traceability(
            events,
            credential_id=f"{settings.public_url}/credentials/{credential_id}",
            issuer_did=issuer_did(settings),
            issuer_name=settings.issuer_name,
            valid_from=moment,
            public_url=settings.public_url,
            status_entry=status_entry(status_list_url(settings, list_number), index),
        )
        problems = validate_traceability(unsigned)
        if problems:
            raise StoreError(f"the events credential of submission {submission_id} does not meet UNTP: {problems[0]}")
        document = secure(unsigned, securing, signer, verification_method(settings, signer.key_id), moment)
        repo.complete(conn, number, document, {}, ())
        what = f"{credential_id} submission {submission_id} ({securing})"
        note_change(conn, actor, "credential issue", reporter, what)
    return Issued(credential_id, "", securing, document, True)
