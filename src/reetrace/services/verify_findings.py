"""The stored findings (incremental supervision) compared with a fresh audit.

Supervision keeps the audit's findings in `supervised_findings` and serves them instead of
auditing again, as long as they hold for the ledger as it stands, their audit date and the
thresholds in force. Whoever edits those rows edits what every reader is shown; so, when they
are served, the whole ledger is audited again as of the same date and thresholds, in the
verification's snapshot, and the two must be the same findings in the same order. Findings
that are not served (supervision off, stale, other thresholds, behind the ledger) are not
compared: readers audit afresh then.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import Connection

from reetrace.config import Settings
from reetrace.domain.findings import Finding
from reetrace.services.audit import replay_ledger
from reetrace.services.supervision import current_findings
from reetrace.store.supervision_repo import load_state

MAX_NAMED = 20


def verify_findings(conn: Connection, settings: Settings, problems: list[str], notes: list[str]) -> int | None:
    """Compare the stored findings with a fresh audit; the number compared (None: not served,
    so not compared, and `notes` says why)."""
    try:
        state = load_state(conn)
        kept = None if state is None else current_findings(conn, settings, state.as_of)
    except (ValueError, TypeError) as exc:  # what readers would fail on too
        problems.append(f"supervised_findings: the stored findings cannot be read ({exc}): they were changed")
        return None
    if state is None:
        notes.append("no stored findings to compare: supervision is off")
        return None
    if kept is None:
        notes.append(
            "the stored findings were not compared: they are not served "
            "(stale, judged by other thresholds, or behind the ledger)"
        )
        return None
    fresh = [finding for _, finding in replay_ledger(conn, settings, state.as_of)]
    stored_forms = [_form(f) for f in kept]
    fresh_forms = [_form(f) for f in fresh]
    if stored_forms == fresh_forms:
        return len(kept)
    kept_count, fresh_count = Counter(stored_forms), Counter(fresh_forms)
    named = []
    for form in sorted((kept_count - fresh_count).elements()):
        named.append(
            f"supervised_findings: {_named(form)} is stored, but a fresh audit as of {state.as_of} does not "
            "find it: it was inserted or changed"
        )
    for form in sorted((fresh_count - kept_count).elements()):
        named.append(
            f"supervised_findings: {_named(form)} is found by a fresh audit as of {state.as_of}, but not stored: "
            "it was deleted or changed"
        )
    if not named:
        at = next(i for i, (a, b) in enumerate(zip(stored_forms, fresh_forms, strict=True)) if a != b)
        named.append(
            f"supervised_findings: the stored findings are in another order than a fresh audit's from finding "
            f"{at + 1} ({_named(stored_forms[at])}): their sort columns were changed"
        )
    problems.extend(named[:MAX_NAMED])
    if len(named) > MAX_NAMED:
        problems.append(f"supervised_findings: {len(named) - MAX_NAMED} more findings differ")
    return len(kept)


def _form(finding: Finding) -> str:
    return json.dumps(finding.as_contract(), sort_keys=True, ensure_ascii=False)


def _named(form: str) -> str:
    finding: dict[str, Any] = json.loads(form)
    where = finding.get("event") or finding.get("lot") or finding.get("enterprise") or "-"
    return f"{finding['code']} ({where}, {finding.get('year')})"
