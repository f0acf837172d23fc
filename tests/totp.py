"""RFC 6238 codes computed here from the RFC's own definition (HMAC-SHA-1 over the big-endian
time step, dynamic truncation), independently of the code under test, for tests that act as a
person's authenticator app."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
from datetime import datetime


def step_of(moment: datetime, period: int = 30) -> int:
    return int(moment.timestamp()) // period


def code(secret_base32: str, step: int, digits: int = 6) -> str:
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def code_at(secret_base32: str, moment: datetime) -> str:
    return code(secret_base32, step_of(moment))
