"""The server's secret, which binds each session's CSRF token and each second-factor enrolment form
to the session (sessions themselves are random tokens kept, as SHA-256, in the store):
`REETRACE_SESSION_SECRET`, else a file only its owner can read, made on first use beside an
SQLite store (`<file>.session`) or under `~/.local/share/reetrace/` (like the log's keys). Kept
across restarts, so an open form still posts after one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from reetrace.config import Settings
from reetrace.errors import StoreError
from reetrace.files import create_private

ENV = "REETRACE_SESSION_SECRET"


def secret_path(settings: Settings) -> Path:
    if settings.db_url.startswith("sqlite:///") and not settings.db_url.endswith(":memory:"):
        return Path(settings.db_url.removeprefix("sqlite:///") + ".session")
    return Path.home() / ".local" / "share" / "reetrace" / "session-secret"


def session_secret(settings: Settings, environ: dict[str, str] | None = None) -> bytes:
    value = (os.environ if environ is None else environ).get(ENV)
    if value:
        if len(value) < 32:
            raise StoreError(f"{ENV} must be at least 32 characters")
        return value.encode()
    path = secret_path(settings)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            create_private(path, secrets.token_hex(32).encode("ascii"))
        except FileExistsError:
            pass
        if path.stat().st_mode & 0o077:
            raise StoreError(f"{path} is readable by others; make it private (chmod 600) or set {ENV}")
        value = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise StoreError(f"cannot keep the session secret in {path}: {exc.strerror or exc}; set {ENV}") from None
    if len(value) < 32:
        raise StoreError(f"{path} does not hold a usable session secret")
    return value.encode()
