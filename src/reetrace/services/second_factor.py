"""The second factor: time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30-second steps, as
authenticator apps expect), with pyotp.

A code is accepted for the current step or the one before or after (clocks drift), and only
for a step later than the last one accepted for the same account, so a code seen once (over a
shoulder, in a proxy's log) cannot be used again.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

ISSUER = "reetrace"
DIGITS = 6
DRIFT = 1  # steps accepted either side of the current one


def new_secret() -> str:
    """A fresh secret, base32 (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The `otpauth://` URI an authenticator app reads (from its QR code)."""
    return pyotp.TOTP(secret, digits=DIGITS, issuer=ISSUER).provisioning_uri(name=username)


def matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time step whose code `code` is, near `now` and later than `after`; None when it is
    none of them."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS)
    current = totp.timecode(now)
    for step in range(current - DRIFT, current + DRIFT + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
