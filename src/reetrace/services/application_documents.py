"""The documents of a license application: read from files and hashed when it is filed or an
answer is given, and written back out after checking they still have the digest recorded."""

from __future__ import annotations

import hashlib
from pathlib import Path

from reetrace.domain.accounts import Actor
from reetrace.domain.applications import DOCUMENT_KINDS, Document
from reetrace.errors import InvalidInput, NotFound, StoreError
from reetrace.files import replace_atomically
from reetrace.services.accounts import record_access
from reetrace.store import applications_repo as repo
from reetrace.store.database import Store


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_documents(base: Path, specs: list[tuple[str, str, str | None]]) -> list[tuple[Document, bytes]]:
    """The attached files, read and hashed; a declared digest must match."""
    documents = []
    for kind, path_text, declared in specs:
        if kind not in DOCUMENT_KINDS:
            raise InvalidInput(f"document {path_text}: kind must be one of {', '.join(DOCUMENT_KINDS)}")
        path = (base / path_text) if not Path(path_text).is_absolute() else Path(path_text)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(f"document {path_text}: cannot read it ({exc.strerror or exc})") from None
        found = digest(content)
        if declared and declared != found:
            raise InvalidInput(f"document {path_text}: its SHA-256 is {found}, not {declared} as declared")
        documents.append((Document(kind, path.name, found, len(content)), content))
    return documents


def fetch_document(store: Store, number: str, document_id: int, out: Path, *, actor: Actor) -> repo.StoredDocument:
    """Write an attached document to `out` after checking it still has the digest recorded; the
    read is written to the access log."""
    with store.reading() as conn:
        found = repo.document_content(conn, number, document_id)
        stored = repo.get_application(conn, number)
    if found is None or stored is None:
        raise NotFound(f"application {number} has no document {document_id}")
    document, content = found
    record_access(store, actor, "read", f"application {number}", stored.exporter, f"document {document_id}")
    if digest(content) != document.sha256:
        raise StoreError(f"document {document_id} of {number} no longer matches its SHA-256 {document.sha256}")
    replace_atomically(out, content)
    return document
