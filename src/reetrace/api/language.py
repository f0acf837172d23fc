"""The reader's language for the API: the first of the pages' languages its `Accept-Language`
header accepts (RFC 9110 §12.5.4, by quality), Simplified Chinese when it names none. Answers
keep every field of the contract unchanged and add what a person reads, said in that language,
beside them (docs/i18n.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request, Response

from reetrace.domain.findings import Finding
from reetrace.web.i18n import DEFAULT_LANGUAGE, Formats
from reetrace.web.words import Words, words_for

MAX_HEADER = 512  # a longer header is read no further: the language is among its first entries


def accepted_language(header: str | None) -> str:
    """`zh-Hans` or `en`, whichever the header ranks first (zh, zh-CN, zh-Hans … are Chinese;
    en, en-GB … English; `*` or nothing known: the default)."""
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((header or "")[:MAX_HEADER].split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        rest = rest.strip()
        if rest.startswith("q="):
            try:
                quality = float(rest[2:])
            except ValueError:
                continue
        if tag and quality > 0:
            ranked.append((-quality, n, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        if tag == "zh" or tag.startswith("zh-"):
            return "zh-Hans"
        if tag == "en" or tag.startswith("en-"):
            return "en"
        if tag == "*":
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def reader_words(request: Request, response: Response | None, enterprises: Mapping[str, Any]) -> Words:
    """Words in the reader's language; the answer says which (`Content-Language`)."""
    language = accepted_language(request.headers.get("accept-language"))
    if response is not None:
        response.headers["Content-Language"] = language
    return words_for(Formats(language), enterprises)


def said(words: Words, finding: Finding) -> dict[str, Any]:
    """What a person reads of a finding, beside its contract fields: its explanation and its
    evidence in the reader's language, and the message id and parameters they were said from."""
    text = words.finding(finding)
    return {
        "message": text.text,
        "message_language": text.language,
        "message_id": finding.message or None,
        "params": dict(finding.params),
        "evidence_shown": [{"label": label, "value": value} for label, value in words.evidence(finding)],
    }


def said_reasons(words: Words, view: dict[str, Any]) -> dict[str, Any]:
    """An application as the API shows it, each blocking reason and red flag of its pre-review
    with `message` (and `message_language`) in the reader's language beside its fields."""
    report = (view.get("pre_review") or {}).get("report")
    if not report:
        return view
    shown = dict(report)
    for part in ("blocking", "red_flags"):
        entries = []
        for entry in report.get(part, []):
            text = words.reason(entry)
            entries.append({**entry, "message": text.text, "message_language": text.language})
        shown[part] = entries
    return {**view, "pre_review": {**view["pre_review"], "report": shown}}
