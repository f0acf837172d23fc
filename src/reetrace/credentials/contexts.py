"""The JSON-LD contexts the credentials name, held with the project (src/reetrace/data/credentials/)
so that nothing needs fetching to read a credential: the W3C VC 2.0 context, UNTP's DPP and DTE
0.6.1 contexts, the DID v1 and Multikey v1 contexts of the issuer's DID document, and the project's
own context for what UNTP does not say (`provenance-v1.jsonld`).

A credential names every context by URL (UNTP asks for strings). The project's own is served by
the server at `<public_url>/contexts/provenance/v1`; its text is the same whatever the server's
address, since its terms are IRIs under `https://ns.reetrace.org/provenance#`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
UNTP_DPP = "https://test.uncefact.org/vocabulary/untp/dpp/0.6.1/"
UNTP_DTE = "https://test.uncefact.org/vocabulary/untp/dte/0.6.1/"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
PROVENANCE_PATH = "/contexts/provenance/v1"
PROVENANCE_NS = "https://ns.reetrace.org/provenance#"

# URL -> file under data/credentials/
_FILES = {
    CREDENTIALS_V2: "credentials-v2.jsonld",
    UNTP_DPP: "untp-dpp-context.jsonld",
    UNTP_DTE: "untp-dte-context.jsonld",
    DID_V1: "did-v1.jsonld",
    MULTIKEY_V1: "multikey-v1.jsonld",
}
_PROVENANCE_FILE = "provenance-v1.jsonld"

Json = dict[str, Any]


class UnknownContext(LookupError):
    """A context URL the project holds no copy of."""


def provenance_context_url(public_url: str) -> str:
    """Where the server serves the project's context: `<public_url>/contexts/provenance/v1`."""
    return public_url.rstrip("/") + PROVENANCE_PATH


@cache
def _text(name: str) -> str:
    return resources.files("reetrace.data").joinpath("credentials", name).read_text("utf-8")


def provenance_context_text() -> str:
    """The project's context as served (`application/ld+json`), byte for byte the vendored file."""
    return _text(_PROVENANCE_FILE)


def provenance_context() -> Json:
    """The project's context document (a fresh copy)."""
    return json.loads(provenance_context_text())


def context_for(url: str, public_url: str | None = None) -> Json:
    """The context document held for `url` (a fresh copy each time: callers may change it). The
    project's own context is known at its URL under `public_url` only. Raises `UnknownContext`."""
    if url in _FILES:
        return json.loads(_text(_FILES[url]))
    if public_url is not None and url == provenance_context_url(public_url):
        return provenance_context()
    raise UnknownContext(f"no copy of the JSON-LD context {url} is held")


def known_urls(public_url: str) -> frozenset[str]:
    """Every context URL `context_for` answers for a server at `public_url`."""
    return frozenset(_FILES) | {provenance_context_url(public_url)}


def document_loader(public_url: str) -> Callable[..., Json]:
    """A document loader for JSON-LD processors in the shape pyld takes (`loader(url, options)` ->
    RemoteDocument), answering from the copies held and never from the network: any other URL
    fails. Offline, so a test (or a verifier) expands a credential exactly as published."""

    def load(url: str, options: Any = None) -> Json:
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": context_for(url, public_url),
        }

    return load
