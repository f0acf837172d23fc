"""Writing files that must not be half-written or readable by others: keys, signed reports,
witness state. Callers turn the OS errors into their own messages."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def create_private(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Create `path` with `mode` from its first byte (never chmod afterwards), never following a
    link and never replacing a file: `FileExistsError` if one is there. Synced to disk; on any
    failure nothing is left behind."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def replace_atomically(path: Path, data: bytes | Iterable[bytes], mode: int = 0o644) -> None:
    """Write `data` (bytes, or chunks written as they come, never held whole) to `path` so that
    a reader (or a crash) sees the old file or the new one, never a part: a synced temporary
    file in the same directory, renamed over it."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                for chunk in data:
                    out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if os.name == "posix":
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
