"""The demo's EPCIS steps (contract §10): one enterprise's ERP reports a month in GS1 EPCIS 2.0
instead of a §4 submission, and an exported magnet lot's history goes out as an EPCIS document
that standard EPCIS tools read."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from reetrace.cli import console

EPCIS_DIR = "epcis"  # under the demo's workdir: what the EPCIS steps write besides the submissions


def epcis_report_step(year_doc: Any, workdir: Path) -> None:
    """One enterprise-month written as an EPCIS document signed with the enterprise's key (a
    detached JWS beside it) in place of its submission file; `reetrace ingest` takes the pair as
    it is, as a capture."""
    from reetrace.demo import epcis
    from reetrace.demo.cast import signing_key

    submission = epcis.showcase(year_doc.submissions)
    reporter = submission["reporter"]
    month = min(e["time"][:7] for e in submission["events"])
    folder = workdir / "submissions" / reporter
    key = signing_key(year_doc.seed, reporter)
    path = folder / f"{month}{epcis.SUFFIX}"
    size = epcis.write_signed(path, epcis.report(reporter, submission["events"], submission["created_at"]), key)
    (folder / f"{month}.json").unlink()  # the month is reported in EPCIS instead
    names = {e["uscc"]: e.get("name_en") or e["name"] for e in year_doc.registry["enterprises"]}
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(Counter(e["type"] for e in submission["events"]).items()))
    console.print(
        f"\n[bold]EPCIS[/bold]: {names[reporter]}'s ERP reports {month} in GS1 EPCIS 2.0: "
        f"{len(submission['events'])} events ({kinds}) in {path} ({size:,} bytes), signed with the "
        f"enterprise's key as a detached JWS in {epcis.jws_path(path).name}.",
        highlight=False,
    )


def epcis_export_step(store: Any, lot: str, workdir: Path) -> Path:
    """The history of `lot` (its trace's lots: their creations, moves and uses) written as an
    EPCIS document to the workdir; says where it is and what it holds."""
    from reetrace.demo import epcis
    from reetrace.epcis.document import Recorded, epcis_document
    from reetrace.services.trace import history

    events = history(store, lot)
    # the events as recorded: the eventID each was captured with, once the store keeps those (capture)
    document = epcis_document((Recorded(reporter, event) for reporter, event in events), datetime.now().astimezone())
    path = workdir / EPCIS_DIR / f"{re.sub(r'[^A-Za-z0-9._-]', '_', lot)}{epcis.SUFFIX}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(epcis.document_text(document), encoding="utf-8")
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(Counter(e["type"] for _, e in events).items()))
    reporters = {reporter for reporter, _ in events}
    console.print(
        f"\n[bold]EPCIS export[/bold]: the history of {lot}, {len(events)} events ({kinds}) reported by "
        f"{len(reporters)} enterprises, as an EPCISDocument in {path}.",
        highlight=False,
    )
    return path
