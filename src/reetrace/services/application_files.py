"""Use cases: file an application, or answer a request for information, with documents that
arrive as bytes (through the API or the portal) rather than as files on disk.

The bytes are written to a private temporary directory under the names they came with, each a
plain file name, and handed to `applications.submit_application` / `provide_information`, so
that a document is read, hashed and validated exactly as the command line's are.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.errors import InvalidInput
from reetrace.services import applications
from reetrace.store.database import Store

FILE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")


def _write(directory: Path, files: Mapping[str, bytes]) -> None:
    for name, content in files.items():
        if not FILE_NAME.match(name):
            raise InvalidInput(f"files: {name!r} is not a plain file name")
        (directory / name).write_bytes(content)


def file_application(
    store: Store,
    settings: Settings,
    application: Mapping[str, Any],
    files: Mapping[str, bytes],
    by: str,
    now: datetime | None = None,
    *,
    actor: Actor,
) -> applications.Submitted:
    """File `application` (a `reetrace/license-application@1` document), each of its documents'
    `path` naming a member of `files`."""
    documents = application.get("documents", [])
    for document in documents if isinstance(documents, list) else []:
        name = document.get("path") if isinstance(document, dict) else None
        if not isinstance(name, str) or name not in files:
            raise InvalidInput(f"document {name!r}: its path must name a member of files")
    with tempfile.TemporaryDirectory(prefix="reetrace-application-") as directory:
        _write(Path(directory), files)
        path = Path(directory) / ".application.json"
        path.write_text(json.dumps(application, ensure_ascii=False), encoding="utf-8")
        return applications.submit_application(store, settings, path, by, now, actor=actor)


def answer_request(
    store: Store,
    settings: Settings,
    number: str,
    by: str,
    acting_for: str,
    note: str,
    documents: list[tuple[str, str, bytes]],
    now: datetime | None = None,
    *,
    actor: Actor,
) -> str:
    """The applicant answers a request for information with `documents` ((kind, file name,
    bytes)); the state after it."""
    with tempfile.TemporaryDirectory(prefix="reetrace-answer-") as directory:
        _write(Path(directory), {name: content for _, name, content in documents})
        paths = [(kind, Path(directory) / name) for kind, name, _ in documents]
        return applications.provide_information(store, settings, number, by, acting_for, note, paths, now, actor=actor)
