"""Use case: verify a credential file (`reetrace credential verify`, the verify page), finding
the issuer's DID document and the credential's status where they can be had
(docs/credentials.md, "Verifying").

The issuer's DID document: the one given; else, when the credential's issuer is this
installation's (`did:web` of `REETRACE_PUBLIC_URL`), its keys from the store; else fetched from
its did:web URL. The status, in this order: the status list given (a file); the store, when it
issued the credential; the status list's URL. With none of them reachable the status is not
checked and the report says so (offline). Nothing is fetched from a host the credential names
unless `online`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.exc import SQLAlchemyError

from reetrace.config import Settings
from reetrace.credentials import did
from reetrace.credentials import verify as checks
from reetrace.credentials.errors import VerificationError
from reetrace.credentials.status_list import StatusEntry
from reetrace.domain.problems import Problem
from reetrace.errors import ReetraceError
from reetrace.services import credentials as issued
from reetrace.store import credentials_repo as repo
from reetrace.store.database import Store, open_store

FETCH_TIMEOUT = 5.0  # seconds, for a DID document or a status list
MAX_FETCH = 8 * 1024 * 1024


def _store_if_any(settings: Settings) -> Store | None:
    """The configured store, unless it is an SQLite file that does not exist (nothing is made)."""
    url = settings.db_url
    if url.startswith("sqlite:///") and not url.endswith(":memory:"):
        if not Path(url.removeprefix("sqlite:///")).is_file():
            return None
    try:
        return open_store(url)
    except (ReetraceError, OSError):
        return None


def _fetch_json(url: str) -> Any:
    """A JSON document fetched over HTTP(S), bounded; None when it cannot be had."""
    try:
        with httpx.Client(timeout=FETCH_TIMEOUT, follow_redirects=False) as client:
            with client.stream("GET", url, headers={"Accept": "application/json"}) as response:
                if response.status_code != 200:
                    return None
                data = b""
                for chunk in response.iter_bytes():
                    data += chunk
                    if len(data) > MAX_FETCH:
                        return None
        return json.loads(data)
    except (httpx.HTTPError, ValueError, OSError):
        return None


def _local_url(settings: Settings, url: str) -> str:
    """A URL of this installation fetched as its public URL says (http on a test host)."""
    parts, public = urlsplit(url), urlsplit(settings.public_url)
    if parts.netloc == public.netloc and parts.scheme == "https" and public.scheme == "http":
        return "http" + url[len("https") :]
    return url


def verify_credential_file(
    document: Any,
    *,
    did_document: Any = None,
    status_list: Any = None,
    settings: Settings,
    store: Store | None = None,
    online: bool = True,
) -> checks.CredentialReport:
    own_did = issued.issuer_did(settings)
    claimed = checks.claimed_issuer(document)
    if store is None and (did_document is None or status_list is None):
        store = _store_if_any(settings)
    if did_document is None and claimed == own_did and store is not None:
        did_document = issued.did_document(store, settings)
    if did_document is None and claimed is not None and online:
        try:
            url = did.did_web_url(claimed)
        except VerificationError:
            url = None
        did_document = _fetch_json(_local_url(settings, url)) if url else None
    if did_document is None:
        report = checks.CredentialReport(securing=checks.securing_of(document))
        said = f"the issuer's DID document ({claimed or 'unknown issuer'}) is not at hand: give --did-document"
        report.check("signature", None, Problem("no_did_document", said, issuer=claimed or ""))
        return report

    def status_of(entry: StatusEntry) -> tuple[bool, str] | None:
        if status_list is not None:
            return checks.status_from_list(status_list, did_document)(entry), "file"
        if store is not None:
            known = _from_store(store, settings, document, entry)
            if known is not None:
                return known, "store"
        if online:
            fetched = _fetch_json(_local_url(settings, entry.list_credential))
            if fetched is not None:
                return checks.status_from_list(fetched, did_document)(entry), "url"
        return None

    report = checks.verify(document, did_document, status_of=status_of)
    if report.status == checks.REVOKED and report.status_source == "store" and store is not None:
        report.revocation = _revocation(store, report.credential)
    return report


def _credential_id(credential: Any) -> str | None:
    ident = credential.get("id") if isinstance(credential, dict) else None
    if isinstance(ident, str) and "/credentials/" in ident:
        return ident.rsplit("/credentials/", 1)[1]
    return None


def _from_store(store: Store, settings: Settings, document: Any, entry: StatusEntry) -> bool | None:
    """Revoked or not, when the store issued this very credential (the same file at that bit)."""
    prefix = settings.public_url + issued.STATUS_PATH
    list_number = entry.list_credential.removeprefix(prefix)
    if list_number == entry.list_credential or not list_number.isdigit() or entry.index >= issued.LIST_BITS:
        return None
    number = (int(list_number) - 1) * issued.LIST_BITS + entry.index + 1
    try:
        with store.reading() as conn:
            row = repo.by_number(conn, number)
    except (ReetraceError, SQLAlchemyError):  # a store without credentials: it cannot tell
        return None
    if row is None or row.document != document:
        return None
    return row.revoked_at is not None


def _revocation(store: Store, credential: Any) -> dict[str, Any] | None:
    ident = _credential_id(credential)
    if ident is None:
        return None
    with store.reading() as conn:
        row = repo.by_id(conn, ident)
    if row is None or row.revoked_at is None:
        return None
    return {"revoked_at": row.revoked_at, "reason": row.revoked_reason}
