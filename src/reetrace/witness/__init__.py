"""An independent witness of the transparency log (c2sp.org/tlog-witness, tlog-cosignature).

The witness keeps its own key and state in its own directory (`state`), never in the log's
store. It remembers the last checkpoint it cosigned for each log it trusts and cosigns a new one
only when it extends that checkpoint (`witness.Witness.observe`); anything else is refused and
recorded. This module holds the witness's errors; it imports nothing from the store, the
services or the CLI.
"""

from __future__ import annotations

from reetrace.errors import ReetraceError


class WitnessError(ReetraceError):
    """A checkpoint the witness will not cosign: untrusted, badly signed, or without its proof."""


class SplitView(WitnessError):
    """A validly signed checkpoint that does not extend the one the witness cosigned before.

    `kind` is "rollback" (a smaller tree), "fork" (the same size with another root) or
    "inconsistent" (a larger tree whose consistency proof does not verify). The refusal is
    recorded in the witness's alerts before this is raised."""

    def __init__(self, message: str, kind: str, origin: str, cosigned: str, presented: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.origin = origin
        self.cosigned = cosigned  # the note the witness cosigned last
        self.presented = presented  # the note it refused
