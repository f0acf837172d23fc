"""The demo's credential step (contract §11): the exported magnet lot's provenance issued as a
W3C Verifiable Credential (a UNTP Digital Product Passport), written beside the issuer's DID
document and the status list, and verified from those files alone, as a buyer abroad would."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from reetrace.cli import console

CREDENTIALS_DIR = "credentials"  # under the demo's workdir


def credential_step(store: Any, settings: Any, lot: str, workdir: Path) -> Path:
    """Issue `lot`'s credential, write it with what checks it, verify it offline; says so."""
    from reetrace.services import credentials
    from reetrace.services.credential_verify import verify_credential_file

    issued = credentials.issue(store, settings, lot, "di")
    folder = workdir / CREDENTIALS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^A-Za-z0-9._-]', '_', lot)}.vc.json"
    did_document = credentials.did_document(store, settings)
    status = credentials.status_list_credential(store, settings, 1)
    written = ((path, issued.document), (folder / "did.json", did_document), (folder / "status-1.json", status))
    for target, doc in written:
        target.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report = verify_credential_file(
        issued.document, did_document=did_document, status_list=status, settings=settings, online=False
    )
    subject = issued.document["credentialSubject"]
    stages = "; ".join(f"{s['stage']} {', '.join(s['countries']) or '?'}" for s in subject["provenanceStages"])
    legal = "every origin legal" if subject["allOriginsLegal"] else "a blocking finding stands upstream"
    verdict = "[green]verifies[/green]" if report.ok else "[red]does not verify[/red]"
    console.print(
        f"\n[bold]Provenance credential[/bold] for {lot} (UNTP Digital Product Passport, eddsa-jcs-2022, issuer "
        f"{issued.document['issuer']['id']}): {stages}; Chinese-origin share "
        f"{subject['chineseOriginShare']:.1%}; {legal}. Written to {path}; checked with nothing but "
        f"{folder / 'did.json'} and {folder / 'status-1.json'}: it {verdict}.",
        highlight=False,
        soft_wrap=True,
    )
    return path
