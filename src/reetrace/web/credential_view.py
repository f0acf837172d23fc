"""A verified provenance credential as the verify page shows it, in the reader's language: the
verdict first (valid and not revoked, revoked and why, or not valid and which check failed),
then what the credential states — read only from a credential whose signature verified, and
read warily: a member of the wrong shape shows as a dash, never as an error.

A revocation's reason names the findings that block by their names alone, with the day: the
enterprises and lots a finding concerns are upstream of the lot and stay unnamed here, as they
do in the credential."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from reetrace.charts.origin_share import OriginBar, origin_chart
from reetrace.credentials.verify import REVOKED, UNCHECKED, CredentialReport
from reetrace.web import labels
from reetrace.web.credential_messages import CHECK, MAGNET_TYPE, STAGE, said
from reetrace.web.i18n import _
from reetrace.web.words import Words

VALID, VALID_UNCHECKED, NOT_VALID = "valid", "valid-unchecked", "invalid"
OTHER = "Other constituents"
_SYMBOL = re.compile(r".*\(([A-Z][a-z]?)\)")
_PRODUCT_NAME = re.compile(r"(?P<form>[a-z_]+) lot (?P<lot>.+)", re.DOTALL)


@dataclass(frozen=True)
class CheckLine:
    name: str
    ok: bool | None
    text: str


@dataclass(frozen=True)
class Material:
    element: str
    code: str  # the origin country's ISO code; "" unknown
    country: str
    mass_kg: float | None
    share: float | None
    recycled: float | None
    rest: bool = False  # the lot's other constituents, not a rare earth


@dataclass(frozen=True)
class Verdict:
    kind: str  # VALID, VALID_UNCHECKED, REVOKED, NOT_VALID
    headline: str
    note: str = ""  # when revoked; which check failed; why the status is unknown
    reasons: list[str] = field(default_factory=list)  # the findings a revocation names


@dataclass(frozen=True)
class Shown:
    """Everything the page says of one credential."""

    verdict: Verdict
    checks: list[CheckLine]
    facts: dict[str, Any] | None  # None: nothing may be read from it (its signature failed)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _kg(value: Any) -> float | None:
    return _number(_dict(value).get("value"))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def verdict(words: Words, report: CredentialReport) -> Verdict:
    t = words.t
    if report.status == REVOKED:
        revocation = report.revocation or {}
        found = _list(_dict(revocation.get("reason")).get("findings"))
        codes = sorted({_text(_dict(f).get("code")) for f in found} - {""})
        reasons = [t(labels.FINDING[c]) if c in labels.FINDING else c for c in codes]
        day = _text(revocation.get("revoked_at"))
        note = t("Revoked on %(day)s, because a finding that blocks a license now stands upstream of the lot:")
        return Verdict(REVOKED, t("REVOKED"), note % {"day": words.fmt.date(day[:10])} if day else "", reasons)
    if not report.ok:
        failed = next((c for c in report.checks if c.ok is False), None)
        problem = failed or next((c for c in report.checks if c.ok is None), None)
        note = f"{t(CHECK[problem.name])}: {said(words, problem.problem)}" if problem else ""
        return Verdict(NOT_VALID, t("NOT VALID"), note)
    if report.status == UNCHECKED:
        status = next((c for c in report.checks if c.name == "status"), None)
        return Verdict(
            VALID_UNCHECKED,
            t("Valid; its revocation status could not be checked"),
            said(words, status.problem) if status else "",
        )
    return Verdict(VALID, t("Valid and not revoked"))


def shown(words: Words, report: CredentialReport, public_url: str) -> Shown:
    checks = [CheckLine(words.t(CHECK.get(c.name, c.name)), c.ok, said(words, c.problem)) for c in report.checks]
    facts = facts_of(words, report.credential, public_url) if report.credential is not None else None
    return Shown(verdict(words, report), checks, facts)


def facts_of(words: Words, credential: dict[str, Any], public_url: str) -> dict[str, Any]:
    """What the credential states, ready for the page."""
    t = words.t
    subject = _dict(credential.get("credentialSubject"))
    product = _dict(subject.get("product"))
    issuer = credential.get("issuer")
    issuer_id = _text(_dict(issuer).get("id")) or _text(issuer)
    lot = _text(product.get("batchNumber"))
    named = _PRODUCT_NAME.fullmatch(_text(product.get("name")))
    if named and named["lot"] == lot and named["form"] in labels.FORM:
        product_name = t(labels.FORM[named["form"]])
    else:
        product_name = _text(product.get("name"))
    materials = [_material(words, _dict(m)) for m in _list(subject.get("materialsProvenance"))]
    legal = subject.get("allOriginsLegal")
    own = _text(credential.get("id"))
    credential_id = own.rsplit("/credentials/", 1)[1] if own.startswith(public_url + "/credentials/") else None
    status = _dict(credential.get("credentialStatus"))
    return {
        "lot": lot,
        "product": product_name,
        "uri": _text(product.get("id")) or _text(subject.get("id")),
        "issuer_name": _text(_dict(issuer).get("name")),
        "issuer": issuer_id,
        "issued": _text(credential.get("validFrom")),
        "legal": legal if isinstance(legal, bool) else None,
        "chinese_share": _number(subject.get("chineseOriginShare")),
        "rare_earth_kg": _kg(subject.get("rareEarthMass")),
        "stages": [_stage(words, _dict(s)) for s in _list(subject.get("provenanceStages"))],
        "materials": materials,
        "magnet": _magnet(words, _dict(subject.get("permanentMagnet"))) if "permanentMagnet" in subject else None,
        "checkpoint": _dict(subject.get("logCheckpoint")),
        "credential_href": f"/credentials/{credential_id}" if credential_id else None,
        "status_href": _text(status.get("statusListCredential")),
        "chart": _chart(words, materials),
    }


def _material(words: Words, material: dict[str, Any]) -> Material:
    name = _text(material.get("name"))
    symbol = _SYMBOL.fullmatch(name)
    if name == OTHER:
        element = words.t(_("Other constituents"))
    else:
        element = words.element(symbol[1]) if symbol else name
    country = _text(material.get("originCountry"))
    shown_country = words.country(country) if country else (words.t(_("unknown")) if name != OTHER else "—")
    return Material(
        element,
        country,
        shown_country,
        _kg(material.get("mass")),
        _number(material.get("massFraction")),
        _number(material.get("recycledMassFraction")),
        name == OTHER,
    )


def _stage(words: Words, stage: dict[str, Any]) -> tuple[str, str]:
    name = _text(stage.get("stage"))
    countries = [words.country(c) for c in _list(stage.get("countries")) if isinstance(c, str)]
    joiner = "、" if words.fmt.language == "zh-Hans" else ", "
    return words.t(STAGE[name]) if name in STAGE else name, joiner.join(countries) or words.t(_("unknown"))


def _magnet(words: Words, magnet: dict[str, Any]) -> dict[str, Any]:
    kind = _text(magnet.get("magnetType"))
    recycled = {
        _text(_dict(r).get("element")): _number(_dict(r).get("recycledMassFraction"))
        for r in _list(magnet.get("recycledShares"))
    }
    composition = [
        (words.element(_text(_dict(c).get("element"))), _number(_dict(c).get("massFraction")), recycled.get(e))
        for c in _list(magnet.get("composition"))
        for e in [_text(_dict(c).get("element"))]
    ]
    return {
        "type": words.t(MAGNET_TYPE[kind]) if kind in MAGNET_TYPE else kind,
        "mass_kg": _kg(magnet.get("mass")),
        "composition": composition,
    }


def _chart(words: Words, materials: list[Material]) -> str | None:
    """The per-element origin split, and all rare earths together, as a small bar chart."""
    t, fmt = words.t, words.fmt
    by_element: dict[str, dict[str, float]] = {}
    total: dict[str, float] = {}
    names: dict[str, str] = {}
    for m in materials:
        if m.rest or m.mass_kg is None or m.mass_kg <= 0:
            continue
        countries = by_element.setdefault(m.element, {})
        countries[m.code] = countries.get(m.code, 0.0) + m.mass_kg
        total[m.code] = total.get(m.code, 0.0) + m.mass_kg
        names[m.code] = m.country
    if not by_element:
        return None

    def bar(label: str, countries: dict[str, float]) -> OriginBar:
        whole = sum(countries.values())
        return OriginBar(label, [(code, kg, fmt.percent(kg / whole)) for code, kg in countries.items()])

    bars = [bar(t(_("All rare earths")), total)] + [bar(e, c) for e, c in by_element.items()]
    return origin_chart(bars, names, t(_("Where the rare earths were mined, by element")))
