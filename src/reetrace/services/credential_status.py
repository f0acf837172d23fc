"""Use case: revoke the credentials whose lot's provenance a later finding blocks
(docs/credentials.md, "Revocation").

A credential records, when issued, the stretch of history its lot's provenance rests on (the
lots upstream, the events that made or moved them, the extractions, separations and outputs by
enterprise and year) and the blocking findings that stood on it then. Whenever the findings are
brought up to date — after an ingest, a registry load, an audit, and on the server's periodic
round — every credential not yet revoked is held against the findings as they now stand, by the
pre-review's own rule (`domain.prereview.blocking_findings`): one that a blocking finding now
concerns, which did not stand when it was issued, is revoked, and the findings are its reason.
A revocation is final; the credential's bit in its status list is set from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.domain.findings import Finding
from reetrace.domain.prereview import blocking_findings
from reetrace.services import findings as current_findings
from reetrace.services.access_log import note_change
from reetrace.services.credentials import finding_key
from reetrace.store import credentials_repo as repo
from reetrace.store.access_log_repo import last_entry_id
from reetrace.store.database import Store
from reetrace.store.supervision_repo import event_count
from reetrace.store.timefmt import to_utc_text


@dataclass(frozen=True, slots=True)
class Revocation:
    credential_id: str
    lot: str
    reason: dict[str, Any]


def reason_of(findings: Sequence[Finding]) -> dict[str, Any]:
    """A revocation's reason, as recorded and shown: the findings that block, each with its
    message id and parameters so a page can say it in the reader's language."""
    return {
        "code": "blocking_finding",
        "findings": [
            {
                "code": f.code,
                "enterprise": f.enterprise,
                "lot": f.lot,
                "event": f.event,
                "year": f.year,
                "detail": f.detail,
                "message": f.message,
                "params": dict(f.params),
            }
            for f in findings
        ],
    }


def moved_marker(store: Store) -> tuple[int, int]:
    """What tells whether the findings may have moved: the ledger's size and the access log's
    last entry (every change besides the ledger — a registry load, a customs file — writes one)."""
    with store.reading() as conn:
        return event_count(conn), last_entry_id(conn)


def review(
    store: Store,
    settings: Settings,
    found: Sequence[Finding] | None = None,
    *,
    actor: Actor | None = None,
    wait: bool = True,
) -> list[Revocation]:
    """Revoke every credential a blocking finding now stands against that did not stand when it
    was issued; returns the revocations made. Costs nothing when no credential is live. Without
    `wait` (the server), raises `Computing` while the findings are being computed."""
    with store.reading() as conn:
        if not repo.any_unrevoked(conn):
            return []
    if found is None:
        found = current_findings.current(store, settings, wait=wait)
    revocations = []
    with store.writing() as conn:
        at = to_utc_text(datetime.now(UTC))
        for row in repo.unrevoked(conn):
            lineage = row.lineage
            producers = frozenset(tuple(p) for p in lineage.get("producers", ()))
            standing = blocking_findings(
                found, frozenset(lineage.get("lots", ())), frozenset(lineage.get("events", ())), producers
            )
            before = {tuple(k) for k in row.blocking}
            new = [f for f in standing if tuple(finding_key(f)) not in before]
            if not new:
                continue
            reason = reason_of(new)
            if repo.revoke(conn, row.number, at, reason):
                codes = ", ".join(sorted({f.code for f in new}))
                note_change(
                    conn, actor, "credential revoke", row.issued_to, f"{row.credential_id} lot {row.lot}: {codes}"
                )
                revocations.append(Revocation(row.credential_id, row.lot or "", reason))
    return revocations
