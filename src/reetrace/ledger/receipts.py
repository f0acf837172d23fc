"""The receipt chain: each accepted submission's time of receipt, chained and signed.

Deadlines are judged on the time a submission was received, which is not part of the event
the Merkle tree holds. Every accepted submission extends a hash chain over (digest, reporter,
received_at), and each checkpoint carries the chain's head as an extension line
(`receipts <count> <base64 head>`), so moving a receipt's time later or earlier breaks the
chain at that submission and every signed checkpoint after it.
"""

from __future__ import annotations

import base64
import hashlib

GENESIS = bytes(32)
EXTENSION = "receipts"


def link(previous: bytes, digest: str, reporter: str, received_at: str) -> bytes:
    return hashlib.sha256(b"reetrace/receipt\n" + previous + f"{digest}\n{reporter}\n{received_at}\n".encode()).digest()


def extension_line(count: int, head: bytes) -> str:
    return f"{EXTENSION} {count} {base64.b64encode(head).decode()}"


def parse_extension(lines: tuple[str, ...]) -> tuple[int, bytes] | None:
    for line in lines:
        name, _, rest = line.partition(" ")
        if name == EXTENSION:
            count, _, head = rest.partition(" ")
            return int(count), base64.b64decode(head)
    return None
