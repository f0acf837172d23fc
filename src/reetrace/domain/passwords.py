"""The password policy: what a new password must be, whoever sets it (the operator's `users add`
and `users password`, or the person's own change).

A password is refused when
- it is shorter than 12 characters (or longer than 1,024: a bound, not advice);
- it contains the username, or the username written backwards, ignoring case (for usernames of
  four characters or more; a shorter username can only be refused when it is the whole
  password, which the length already excludes): `Wang.Li`, `wang.liwang.li2024` and `il.gnaw`
  are all refused for the user `wang.li`;
- it is, ignoring case, one of the passwords most used in breaches (the list shipped in
  `reetrace/data/common_passwords.txt`).

Nothing else is asked (no classes of characters to mix): length and not being guessable from a
list are what resists guessing.
"""

from __future__ import annotations

from collections.abc import Container

from reetrace.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 1024
SHORTEST_NAME_CHECKED = 4

# why a password is refused: the edges turn each into a sentence in the person's language
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
NAME = "contains_username"
COMMON = "common"


class WeakPassword(InvalidInput):
    """A new password breaks the policy; `reason` says which rule."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def check_password(username: str, password: str, common: Container[str]) -> None:
    """Raise WeakPassword unless `password` may be set for `username`. `common` holds the common
    passwords, case-folded."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(TOO_SHORT, f"a password has at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(TOO_LONG, f"a password has at most {MAX_LENGTH} characters")
    folded, name = password.casefold(), username.casefold()
    if folded == name or (len(name) >= SHORTEST_NAME_CHECKED and (name in folded or name[::-1] in folded)):
        raise WeakPassword(NAME, "a password may not contain the username")
    if folded in common:
        raise WeakPassword(COMMON, "this password is on the list of passwords most used in breaches")
