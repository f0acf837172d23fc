"""Provisional: the EPCIS event hash's interface, until the CBV 2.0 algorithm lands here."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import rfc8785


def document_namespaces(context: Any) -> dict[str, str]:
    items = context if isinstance(context, list) else [context]
    return {k: val for item in items if isinstance(item, dict) for k, val in item.items() if isinstance(val, str)}


def event_hash(event: Mapping[str, Any], namespaces: Mapping[str, str]) -> str:
    body = {k: x for k, x in event.items() if k not in ("eventID", "recordTime")}
    return "ni:///sha-256;" + hashlib.sha256(rfc8785.dumps(body)).hexdigest() + "?ver=CBV2.0"
