"""Settings, built once by the CLI callback (or a test) and passed down; nothing is read at
import time."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from reetrace.domain.findings import Thresholds

DEFAULT_DB = "sqlite:///reetrace.db"
DEFAULT_LOG_ORIGIN = "reetrace.local/log"
# Where the server is reached from outside: credentials name their issuer (`did:web:<host>`), their
# status list and the lots' URIs by it (docs/credentials.md)
DEFAULT_PUBLIC_URL = "http://localhost:8000"
DEFAULT_ISSUER_NAME = "Rare Earth Traceability Authority"


@dataclass(frozen=True)
class Settings:
    db_url: str = DEFAULT_DB
    thresholds: Thresholds = field(default_factory=Thresholds)
    control_list_path: Path | None = None
    log_origin: str = DEFAULT_LOG_ORIGIN
    log_key_dir: Path | None = None  # where the log's private keys live (default: beside the store)
    checkpoint_seconds: float = 60.0  # how often a running server signs a checkpoint if anything moved
    # after a change that moved only chains (no new event), a checkpoint no sooner than this after
    # the latest: a flood of failed logins or rejections signs one every few seconds, not one each
    checkpoint_spacing_seconds: float = 5.0
    public_url: str = DEFAULT_PUBLIC_URL
    issuer_name: str = DEFAULT_ISSUER_NAME

    @classmethod
    def build(cls, db_url: str | None = None, thresholds_file: Path | None = None) -> Settings:
        """Settings from explicit values, then the environment (REETRACE_DB,
        REETRACE_THRESHOLDS), then the defaults."""
        url = db_url or os.environ.get("REETRACE_DB") or DEFAULT_DB
        path = thresholds_file or (Path(p) if (p := os.environ.get("REETRACE_THRESHOLDS")) else None)
        thresholds = load_thresholds(path) if path else Thresholds()
        origin = os.environ.get("REETRACE_LOG_ORIGIN") or DEFAULT_LOG_ORIGIN
        key_dir = Path(d) if (d := os.environ.get("REETRACE_LOG_KEYS")) else None
        every = _seconds(os.environ.get("REETRACE_CHECKPOINT_SECONDS"), 60.0)
        public_url = _public_url(os.environ.get("REETRACE_PUBLIC_URL") or DEFAULT_PUBLIC_URL)
        issuer_name = os.environ.get("REETRACE_ISSUER_NAME") or DEFAULT_ISSUER_NAME
        return cls(
            db_url=url,
            thresholds=thresholds,
            log_origin=origin,
            log_key_dir=key_dir,
            checkpoint_seconds=every,
            public_url=public_url,
            issuer_name=issuer_name,
        )

    def log_keys_path(self) -> Path:
        """The directory of the log's private keys: REETRACE_LOG_KEYS, else beside an SQLite
        store (`<file>.logkeys/`), else `~/.local/share/reetrace/logkeys/`."""
        if self.log_key_dir:
            return self.log_key_dir
        if self.db_url.startswith("sqlite:///") and not self.db_url.endswith(":memory:"):
            return Path(self.db_url.removeprefix("sqlite:///") + ".logkeys")
        return Path.home() / ".local" / "share" / "reetrace" / "logkeys"

    def control_list_document(self) -> dict[str, Any]:
        if self.control_list_path:
            return json.loads(self.control_list_path.read_text(encoding="utf-8"))
        return json.loads(resources.files("reetrace.data").joinpath("control_list.json").read_text(encoding="utf-8"))


def _public_url(value: str) -> str:
    """REETRACE_PUBLIC_URL: an http(s) origin (scheme, host, optional port), no path."""
    from urllib.parse import urlsplit

    from reetrace.errors import UsageError

    parts = urlsplit(value.rstrip("/"))
    try:
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        raise UsageError(f"REETRACE_PUBLIC_URL {value!r} has a port that is not a number") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise UsageError(f"REETRACE_PUBLIC_URL must be like https://trace.example.gov.cn, not {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


def _seconds(value: str | None, default: float) -> float:
    from reetrace.errors import UsageError

    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 86_400:
        raise UsageError(f"REETRACE_CHECKPOINT_SECONDS must be a number of seconds above 0, not {value!r}")
    return seconds


def load_thresholds(path: Path) -> Thresholds:
    """Thresholds from a JSON file whose members override the contract's defaults."""
    from reetrace.errors import UsageError

    try:
        overrides = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read thresholds from {path}: {exc}") from None
    known = set(Thresholds.__dataclass_fields__)
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise UsageError(f"{path}: unknown threshold(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    defaults = Thresholds()
    for name in ("yield_floor", "severity"):
        if name in overrides:
            overrides[name] = {**getattr(defaults, name), **overrides[name]}
    return Thresholds(**overrides)
