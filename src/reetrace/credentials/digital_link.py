"""A lot's URI (contract §11), the `id` of the product in its passport and the target of the QR code
on its certificate.

- A GS1 Digital Link `<public_url>/01/{GTIN}/10/{lot}` when the enterprise registered a GTIN for
  the lot's form and the lot id is a valid GS1 batch/lot value (AI 10: 1 to 20 characters of the
  GS1 AI encodable character set 82). The GTIN is written with 14 digits, zero-padded; the lot is
  percent-encoded wherever it is not an RFC 3986 unreserved character, as GS1 Digital Link asks.
- Otherwise `<public_url>/lots/{lot}`, the lot percent-encoded in full (`/` and `:` included).

`parse_lot_uri` reads the path of either form back, for the server's routes.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from reetrace.epcis.digital_link import check_digit

GTIN_LENGTHS = (8, 12, 13, 14)
LOT_AI_MAX = 20
# GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1)
_CSET82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+")
_DIGITS = re.compile(r"[0-9]+")
_DIGITAL_LINK_PATH = re.compile(r"/01/([0-9]+)/10/([^/]+)")
_LOTS_PATH = re.compile(r"/lots/([^/]+)")


def gtin14(gtin: str) -> str:
    """The GTIN as 14 digits (GTIN-8, -12 and -13 zero-padded on the left). Raises ValueError
    unless it is 8, 12, 13 or 14 ASCII digits whose last is the GS1 check digit of the others."""
    if not isinstance(gtin, str) or _DIGITS.fullmatch(gtin) is None or len(gtin) not in GTIN_LENGTHS:
        raise ValueError(f"GTIN {gtin!r} is not 8, 12, 13 or 14 digits")
    padded = gtin.rjust(14, "0")
    if check_digit(padded[:-1]) != int(padded[-1]):
        raise ValueError(f"GTIN {gtin!r} has a wrong check digit")
    return padded


def is_gtin(gtin: str) -> bool:
    try:
        gtin14(gtin)
    except ValueError:
        return False
    return True


def is_lot_value(lot: str) -> bool:
    """Whether `lot` may be a GS1 batch/lot number (AI 10): 1 to 20 characters of set 82."""
    return len(lot) <= LOT_AI_MAX and _CSET82.fullmatch(lot) is not None


def lot_uri(public_url: str, lot: str, gtin: str | None = None) -> str:
    """The lot's URI under the server at `public_url`. Raises ValueError for a GTIN that is not
    one (a registry that holds it is wrong, and no lot is to be named by it)."""
    base = public_url.rstrip("/")
    if gtin is not None:
        key = gtin14(gtin)
        if is_lot_value(lot):
            return f"{base}/01/{key}/10/{quote(lot, safe='')}"
    return f"{base}/lots/{quote(lot, safe='')}"


def parse_lot_uri(path: str) -> tuple[str, str | None]:
    """The lot and its GTIN (14 digits; None for a `/lots/` path) that a lot URI's path names, the
    path as it is in the URI (its escapes not yet decoded). Raises ValueError for any other path,
    a GTIN that is not one, a Digital Link whose lot is no AI 10 value, or escapes that are not UTF-8."""
    found = _DIGITAL_LINK_PATH.fullmatch(path)
    if found is not None:
        gtin, lot = gtin14(found.group(1)), _decoded(found.group(2))
        if not is_lot_value(lot):
            raise ValueError(f"{lot!r} is not a GS1 batch/lot number (AI 10)")
        return lot, gtin
    found = _LOTS_PATH.fullmatch(path)
    if found is not None:
        return _decoded(found.group(1)), None
    raise ValueError(f"{path!r} is not the path of a lot's URI")


def _decoded(segment: str) -> str:
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError:
        raise ValueError(f"{segment!r} holds escapes that are not UTF-8") from None
