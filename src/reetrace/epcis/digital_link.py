"""GS1 keys in one canonical form: EPC URIs, EPC class and pattern URIs, and GS1 Digital Link URIs
are all rewritten as a constrained canonical Digital Link (``https://id.gs1.org/01/…/21/…``), so
that the event hash does not depend on which of them an event names its objects by.

A port of ``dl_normaliser.py`` of the EPCIS event hash reference implementation
(github.com/RalphTro/epcis-event-hash-generator, PyPI 1.9.3; Copyright 2019-2023 Ralph Troeger,
MIT licence), kept faithful to it, oddities included, because a hash ID is only worth anything
if every party computes the same one: the fixed offsets at which it cuts URIs apart (which
assume the usual lengths), the grai and gdti patterns whose 12-digit company prefix alternative
wants two dots, the missing separator before a gdti serial, ``.`` matching any character in its
``id.gs1.org`` patterns, and Unicode digits where it says ``\\d``. The patterns are the
reference's, assembled from shared pieces; `normalise` answers ``None`` wherever it does.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# One character of a GS1 AI encodable character set 82 value, bare or percent-encoded (EPC TDS).
# The reference's groups, made non-capturing and with the bare characters tried first (the
# alternatives are disjoint): the same matches, found several times faster
_X = (
    r"(?:[!\')(*+,.0-9:;=A-Za-z_-]|\%2[125-9A-Fa-f]|\%3[0-9A-Fa-f]|\%4[1-9A-Fa-f]|\%5[0-9AaFf]|\%6[1-9A-Fa-f]"
    r"|\%7[0-9Aa])"
)
# One character of a CPI component/part reference (character set 39)
_C = r"(?:[0-9A-Z-]|\%2[3dfDF]|\%3[0-9]|\%4[1-9A-Fa-f]|\%5[0-9Aa])"
# One character of a Digital Link path value as the reference's final checks accept it
_D = r"[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]"


def _split(total: int, last: str = "") -> str:
    """Company prefix of 6 to 12 digits, a dot, and the rest of `total` digits; `last` stands
    for the 12-digit alternative where the rest would be empty."""
    parts = [rf"\d{{{n}}}\.\d{{{total - n}}}" for n in range(6, 13) if total - n > 0]
    return "(?:" + "|".join(parts + ([last] if last else [])) + ")"


def _free(char: str, longest: int) -> str:
    """Company prefix of 6 to 12 digits, a dot, and a reference of up to `longest` - (digits - 6)."""
    return "(?:" + "|".join(rf"\d{{{n}}}\.{char}{{1,{longest - n + 6}}}" for n in range(6, 13)) + ")"


_P13, _P16, _P17 = _split(13), _split(16), _split(17)
_P12_DOT, _P12_DOTS = _split(12, r"\d{12}\."), _split(12, r"\d{12}\.\.")


def check_digit(key: str) -> int:
    """The GS1 mod-10 check digit of a GTIN, GLN, SSCC, GSIN, GSRN… written without it (its
    digits may be any Unicode decimal digits, as the reference's patterns let through)."""
    if key.isascii():
        data = key.encode()
        odd, even = data[-1::-2], data[-2::-2]  # from the right: weight 3, weight 1
        total = 3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)
    else:
        total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(key)))
    return -total % 10


def gtin14(text: str) -> str | None:
    """A GTIN-8, -12, -13 or -14 written as ASCII digits with a valid check digit, as the 14 digits
    GS1 Digital Link uses (zeros in front); None for anything else."""
    if not (text.isascii() and text.isdigit() and len(text) in (8, 12, 13, 14)):
        return None
    padded = text.zfill(14)
    return padded if check_digit(padded[:-1]) == int(padded[-1]) else None


def _encode(value: str) -> str:
    """Percent-encode what a Digital Link path must not carry bare (GS1 DL Table 7-1)."""
    for char, escaped in (("!", "%21"), ("(", "%28"), (")", "%29"), ("*", "%2A"), ("+", "%2B"), (",", "%2C")):
        value = value.replace(char, escaped)
    return value.replace(":", "%3A")


def _gtin(uri: str, start: int, dot: int) -> str:
    """GTIN (with check digit) of an sgtin-like URI: indicator digit, company prefix, item ref."""
    prefix = uri[start:dot]
    item = uri[dot + 1 : dot + 1 + 13 - len(prefix)]
    raw = item[:1] + prefix + item[1:]
    return raw + str(check_digit(raw))


def _twelve(uri: str, start: int, dot: int, lead: str = "") -> str:
    """A 13-digit key (with check digit): company prefix and reference of 12 digits together."""
    prefix = uri[start:dot]
    raw = lead + prefix + uri[dot + 1 : dot + 1 + 12 - len(prefix)]
    return raw + str(check_digit(raw))


def _whole(uri: str, start: int, dot: int) -> str:
    """A key of company prefix and the whole rest, with check digit (SSCC-less keys)."""
    raw = uri[start:dot] + uri[dot + 1 :]
    return raw + str(check_digit(raw))


def _sscc(uri: str, dot: int) -> str:
    raw = uri[dot + 1 : dot + 2] + uri[16:dot] + uri[dot + 2 :]
    return "00/" + raw + str(check_digit(raw))


def _sgln(uri: str, dot: int) -> str:
    extension = uri[30:]
    gln = "414/" + _twelve(uri, 16, dot)
    return gln if extension == "0" else gln + "/254/" + _encode(extension)


def _cpi(uri: str, start: int, dot: int, serial: bool) -> str:
    cut = uri.rfind(".")
    head = "8010/" + _encode(uri[start:dot] + uri[dot + 1 : cut])
    return head + "/8011/" + uri[cut + 1 :] if serial else head


# EPC scheme (``urn:epc:…:``) -> the reference's pattern for its URIs, and their Digital Link
_SCHEMES: dict[str, tuple[re.Pattern[str], Callable[[str, int], str]]] = {
    f"urn:epc:{scheme}:": (re.compile(f"^urn:epc:{scheme}:{pattern}"), convert)
    for scheme, pattern, convert in (
        ("id:sgtin", rf"{_P13}\.{_X}{{1,20}}$", lambda u, d: f"01/{_gtin(u, 17, d)}/21/{_encode(u[32:])}"),
        ("id:sscc", rf"{_P17}$", _sscc),
        ("id:sgln", rf"{_P12_DOT}\.{_X}{{1,20}}$", _sgln),
        ("id:grai", rf"{_P12_DOTS}\.{_X}{{1,16}}$", lambda u, d: f"8003/{_twelve(u, 16, d, '0')}{_encode(u[30:])}"),
        ("id:giai", rf"{_free(_X, 24)}$", lambda u, d: f"8004/{u[16:d]}{_encode(u[d + 1 :])}"),
        ("id:gsrn", rf"{_P17}$", lambda u, d: "8018/" + _whole(u, 16, d)),
        ("id:gsrnp", rf"{_P17}$", lambda u, d: "8017/" + _whole(u, 17, d)),
        ("id:gdti", rf"{_P12_DOTS}{_X}{{1,20}}$", lambda u, d: f"253/{_twelve(u, 16, d)}{_encode(u[30:])}"),
        ("id:cpi", rf"{_free(_C, 24)}\.\d{{1,12}}$", lambda u, d: _cpi(u, 15, d, True)),
        ("id:sgcn", rf"{_P12_DOT}\.\d{{1,12}}$", lambda u, d: f"255/{_twelve(u, 16, d)}{u[30:]}"),
        ("id:ginc", rf"{_free(_X, 24)}$", lambda u, d: f"401/{u[16:d]}{_encode(u[d + 1 :])}"),
        ("id:gsin", rf"{_P16}$", lambda u, d: "402/" + _whole(u, 16, d)),
        (
            "id:itip",
            rf"{_P13}\.\d{{2}}\.\d{{2}}\.{_X}{{1,20}}$",
            lambda u, d: f"8006/{_gtin(u, 16, d)}{u[31:33]}{u[34:36]}/21/{_encode(u[37:])}",
        ),
        ("id:upui", rf"{_P13}\.{_X}{{1,28}}$", lambda u, d: f"01/{_gtin(u, 16, d)}/235/{_encode(u[31:])}"),
        ("id:pgln", rf"{_P12_DOT}$", lambda u, d: "417/" + _twelve(u, 16, d)),
        ("class:lgtin", rf"{_P13}\.{_X}{{1,20}}$", lambda u, d: f"01/{_gtin(u, 20, d)}/10/{_encode(u[35:])}"),
        ("idpat:sgtin", rf"{_P13}\.\*$", lambda u, d: "01/" + _gtin(u, 20, d)),
        ("idpat:grai", rf"{_P12_DOTS}\.\*$", lambda u, d: "8003/" + _twelve(u, 19, d, "0")),
        ("idpat:gdti", rf"{_P12_DOTS}\.\*$", lambda u, d: "253/" + _twelve(u, 19, d)),
        ("idpat:sgcn", rf"{_P12_DOTS}\.\*$", lambda u, d: "255/" + _twelve(u, 19, d)),
        ("idpat:cpi", rf"{_free(_C, 24)}\.\*$", lambda u, d: _cpi(u, 18, d, False)),
        ("idpat:itip", rf"{_P13}\.\d{{2}}\.\d{{2}}\.\*$", lambda u, d: f"8006/{_gtin(u, 19, d)}{u[34:36]}{u[37:39]}"),
        ("idpat:upui", rf"{_P13}\.\*$", lambda u, d: "01/" + _gtin(u, 19, d)),
    )
}

_KEYS = "01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|"
_KEYS += "8003|grai|8004|giai"
_DIGITAL_LINK = re.compile(
    r"^https?:(\/\/((([^\/?#]*)@)?([^\/?#:]*)(:([^\/?#]*))?))?((([^?#]*)(\/(" + _KEYS + r")\/)(\d{4}[^\/]+)"
    r"(\/[^/]+\/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?)|(\/[A-Za-z_-]{10}$))"
)
# What the pattern above needs somewhere, found faster than it fails on other web URIs
_MAYBE_DIGITAL_LINK = re.compile(r"\/(" + _KEYS + r")\/\d{4}|^https?:(\/\/[^\/?#]*)?\/[A-Za-z_-]{10}$")
_SHORT_NAMES = tuple(
    (f"/{name}/", f"/{ai}/")
    for name, ai in (
        ("gtin", "01"), ("itip", "8006"), ("cpid", "8010"), ("gln", "414"), ("party", "417"), ("gsrnp", "8017"),
        ("gsrn", "8018"), ("gcn", "255"), ("sscc", "00"), ("gdti", "253"), ("ginc", "401"), ("gsin", "402"),
        ("grai", "8003"), ("giai", "8004"), ("cpv", "22"), ("lot", "10"), ("ser", "21"),
    )
)  # fmt: skip
_CANONICAL = re.compile(
    r"^https:\/\/id.gs1.org\/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/(\d{4}[^\/]+)"
    r"(\/[^\/]+\/[^\/]+)?[\/]?(\?([^?\n]*))?(#([^\n]*))?|(\/[A-Za-z_-]{10}$)"
)
_PRIMARY = tuple(f"/{ai}/" for ai in "00 01 253 255 401 402 414 417 8003 8004 8006 8010 8017 8018".split())
_GTIN_PAD = tuple((re.compile(rf"^https:\/\/id.gs1.org\/01\/\d{{{n}}}"), "0" * (14 - n)) for n in (13, 12, 8))
_GTIN14 = re.compile(r"^https:\/\/id.gs1.org\/01\/\d{14}")


def _at_gs1(*paths: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(r"https:\/\/id.gs1.org\/" + path) for path in paths)


_CPV_LAST = _at_gs1(rf"8006\/\d{{18}}\/22\/({_D}{{0,20}})$", rf"01\/\d{{14}}\/22\/({_D}{{0,20}})$")
_CPV_MORE = _at_gs1(rf"8006\/\d{{18}}\/22\/([\x2F{_D[1:]}{{0,20}})$", rf"01\/\d{{14}}\/22\/([\x2F{_D[1:]}{{0,20}})$")
_LOT_AND_SERIAL = _at_gs1(
    rf"8006\/\d{{18}}\/10\/({_D}{{0,20}})\/21\/({_D}{{0,20}})$",
    rf"01\/(\d{{14}})\/10\/({_D}{{0,20}})\/21\/({_D}{{0,20}})$",
)
_VALID = _at_gs1(
    r"00\/(\d{18})$",
    rf"01\/(\d{{14}})\/21\/({_D}{{0,20}})$",
    rf"01\/(\d{{14}})\/10\/({_D}{{0,20}})$",
    r"01\/(\d{14})$",
    rf"01\/(\d{{14}})\/235\/({_D}{{0,28}})$",
    rf"253\/(\d{{13}})({_D}{{0,17}})$",
    r"255\/(\d{13})(\d{0,12})$",
    rf"401\/({_D}{{0,30}})$",
    r"402\/(\d{17})$",
    r"414\/(\d{13})$",
    rf"414\/(\d{{13}})\/254\/({_D}{{0,20}})$",
    r"417\/(\d{13})$",
    rf"8003\/(\d{{14}})({_D}{{0,16}})$",
    rf"8004\/({_D}{{0,30}})$",
    rf"8006\/(\d{{18}})\/21\/({_D}{{0,20}})$",
    rf"8006\/(\d{{18}})\/10\/({_D}{{0,20}})$",
    r"8006\/(\d{18})$",
    r"8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})\/8011/(\d{0,12})$",
    r"8010\/([\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30})$",
    r"8017\/(\d{18})$",
    r"8018\/(\d{18})$",
)


def normalise(uri: str) -> str | None:
    """The canonical GS1 Digital Link of an EPC URI, EPC class or pattern URI or Digital Link
    naming a GS1 key, at its finest level of identification and without attributes; None for
    anything else (and wherever the reference answers None)."""
    if "." not in uri:
        return None
    if uri.startswith("urn:epc:"):
        scheme = _SCHEMES.get(uri[: uri.find(":", uri.find(":", 8) + 1) + 1])
        if scheme is None or scheme[0].match(uri) is None:
            return None
        return "https://id.gs1.org/" + scheme[1](uri, uri.index("."))
    if not uri.startswith("http") or _MAYBE_DIGITAL_LINK.search(uri) is None or _DIGITAL_LINK.match(uri) is None:
        return None
    return _canonical_digital_link(uri)


def _canonical_digital_link(uri: str) -> str | None:
    """Steps of the reference for a Digital Link: drop the query, AIs for short names, the
    canonical domain, GTIN-14, no CPV, serial over lot, then its list of valid results."""
    if "?" in uri:
        uri = uri[: uri.index("?")]
    for name, ai in _SHORT_NAMES:
        uri = uri.replace(name, ai)
    if _CANONICAL.match(uri) is None:
        for ai in _PRIMARY:
            if ai in uri:
                uri = "https://id.gs1.org" + uri[uri.find(ai) :]
                break
    if _GTIN14.match(uri) is None:
        for pattern, padding in _GTIN_PAD:
            if pattern.match(uri) is not None:
                uri = uri.replace("/01/", "/01/" + padding)
                break
    after_cpv = uri[uri.find("/22/") + 4 :]
    if any(p.match(uri) for p in _CPV_LAST):
        uri = uri[: uri.find("/22/")] + after_cpv[after_cpv.find("/") : -1]
    if any(p.match(uri) for p in _CPV_MORE):
        uri = uri[: uri.find("/22/")] + after_cpv[after_cpv.find("/") :]
    if any(p.match(uri) for p in _LOT_AND_SERIAL):
        after_lot = uri[uri.find("/10/") + 4 :]
        uri = uri[: uri.find("/10/")] + after_lot[after_lot.find("/") :]
    return uri if any(p.match(uri) for p in _VALID) else None
