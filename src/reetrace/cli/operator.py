"""Who acts at the command line, as the access log names them: the operating-system user, and
the person `--by` names when the command takes it."""

from __future__ import annotations

import getpass
import os

from reetrace.domain.accounts import Actor
from reetrace.errors import UsageError

MAX_NAME = 64  # characters of a username in the access log


def os_user() -> str:
    """The operating-system user running the command (its uid when the system names none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def operator(by: str | None = None) -> Actor:
    """The actor of a command: the person `--by` names (default: the operating-system user),
    through the command line, as the operating-system user."""
    name = " ".join((by or "").split()) or None
    if name is not None and len(name) > MAX_NAME:
        raise UsageError(f"--by names a person in at most {MAX_NAME} characters")
    return Actor.operator(os_user(), name)
