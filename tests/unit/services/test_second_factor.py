"""The second factor's codes against RFC 6238's published test vectors (SHA-1, its appendix B,
read with 6 digits: the last six of the 8-digit values), the drift allowed, and a code used once."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

import totp
from reetrace.services.second_factor import matching_step, new_secret, provisioning_uri

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
VECTORS = [  # (Unix time, the RFC's 8-digit TOTP)
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
]


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@pytest.mark.parametrize("seconds, expected", VECTORS)
def test_the_rfc_6238_vectors(seconds, expected):
    assert matching_step(RFC_SECRET, expected[-6:], at(seconds), None) == seconds // 30
    assert totp.code_at(RFC_SECRET, at(seconds)) == expected[-6:]  # the tests' own authenticator agrees


def test_one_step_of_drift_either_way_and_no_more():
    now = at(1234567890)
    for offset, accepted in ((-60, False), (-30, True), (30, True), (60, False)):
        code = totp.code_at(RFC_SECRET, now + timedelta(seconds=offset))
        assert (matching_step(RFC_SECRET, code, now, None) is not None) == accepted, offset


def test_a_code_is_used_once():
    now = at(1234567890)
    code = totp.code_at(RFC_SECRET, now)
    step = matching_step(RFC_SECRET, code, now, None)
    assert step is not None
    assert matching_step(RFC_SECRET, code, now, step) is None  # the same code again
    assert matching_step(RFC_SECRET, code, now, step - 1) == step  # near miss: a later code is fine


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456", "１２３４５６", "-12345"])
def test_malformed_codes_never_match(code):
    assert matching_step(RFC_SECRET, code, at(59), None) is None


def test_a_new_secret_and_its_uri():
    secret = new_secret()
    assert len(base64.b32decode(secret)) == 20  # 160 bits
    uri = provisioning_uri(secret, "wang.li")
    assert uri.startswith("otpauth://totp/reetrace:wang.li?") and f"secret={secret}" in uri
