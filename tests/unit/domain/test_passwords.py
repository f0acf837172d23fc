"""The password policy: each rule with a password it refuses and a near miss it accepts; the
shipped list of common passwords is the file its README describes."""

from __future__ import annotations

import hashlib
from importlib import resources

import pytest

from reetrace.domain.passwords import COMMON, NAME, TOO_LONG, TOO_SHORT, WeakPassword, check_password
from reetrace.services.accounts import check_new_password, common_passwords

COMMON_FEW = frozenset({"qwerty123456", "password1234"})


@pytest.mark.parametrize(
    "username, password, reason",
    [
        ("wang.li", "12345678", TOO_SHORT),
        ("wang.li", "eleven char", TOO_SHORT),  # 11 characters
        ("wang.li", "x" * 1025, TOO_LONG),
        ("regulator-zhang", "regulator-zhang", NAME),  # the username itself
        ("wang.li", "Wang.Li.Wang.Li", NAME),  # a case change of it, repeated
        ("wang.li", "il.gnaw-il.gnaw", NAME),  # written backwards
        ("wang.li", "my name is WANG.LI!", NAME),  # inside a longer password
        ("wang.li", "QWERTY123456", COMMON),  # on the list, whatever the case
        ("wang.li", "password1234", COMMON),
    ],
)
def test_a_password_breaking_a_rule_is_refused_saying_which(username, password, reason):
    with pytest.raises(WeakPassword) as refused:
        check_password(username, password, COMMON_FEW)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    "username, password",
    [
        ("wang.li", "twelve chars"),  # exactly 12 characters
        ("wang.li", "x" * 1024),
        ("wang.li", "wang lives by the river"),  # "wang" alone is not the username
        ("ann", "planning ahead always"),  # a username under four characters is checked only whole
        ("wang.li", "qwerty1234567"),  # near a listed password, not on the list
    ],
)
def test_a_near_miss_is_accepted(username, password):
    check_password(username, password, COMMON_FEW)


def test_the_shipped_list_is_the_file_its_readme_names():
    raw = resources.files("reetrace.data").joinpath("common_passwords.txt").read_bytes()
    readme = resources.files("reetrace.data").joinpath("README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    assert digest in readme and f"{len(raw):,} bytes" in readme
    assert raw.count(b"\n") == 100_000


def test_the_policy_uses_the_shipped_list_ignoring_case():
    listed = common_passwords()
    assert {"12345678", "password", "qwerty123456", "1q2w3e4r5t6y"} <= listed
    for password in ("QWERTY123456", "1Q2W3E4R5T6Y", "qazwsxedcrfv"):
        with pytest.raises(WeakPassword) as refused:
            check_new_password("someone", password)
        assert refused.value.reason == COMMON
    check_new_password("someone", "copper kettle on the stove")
