"""The EPCIS event hash reference implementation (epcis-event-hash-generator 1.9.3, a test
dependency), called in-process the way the tests compare with it.

It keeps the namespaces of every document it reads in a module global, so each call starts by
emptying it; it expands documents with PyLD, whose document loader is set here to the
reference's own file loader for the two GS1 contexts it ships and to a refusal for any other
URL, so that nothing is fetched from the network. Events it cannot hash it leaves out of its
answer (logging an error), so callers compare counts as well as hashes.
"""

from __future__ import annotations

import copy
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from epcis_event_hash_generator import file_document_loader, hash_generator, json_to_py
from pyld import jsonld

GS1_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
_SHIPPED = ("https://gs1.github.io/EPCIS/epcis-context.jsonld", GS1_CONTEXT)
_from_files = file_document_loader.file_document_loader()


def _offline(url: str, options: dict[str, Any] | None = None) -> Any:
    if url not in _SHIPPED:
        raise AssertionError(f"the reference implementation would fetch {url}")
    with warnings.catch_warnings():  # (it opens its copies with a deprecated importlib call)
        warnings.simplefilter("ignore", DeprecationWarning)
        return _from_files(url, options or {})


jsonld.set_document_loader(_offline)


@contextmanager
def _quiet() -> Iterator[None]:
    """The reference logs each event it drops (ERROR) and each time it cannot parse (WARNING) on
    the root logger; the tests look at what it answers instead."""
    before = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(before)


def document(events: list[dict[str, Any]], namespaces: dict[str, str]) -> dict[str, Any]:
    """An EPCIS 2.0 document holding `events`, its context the GS1 one and `namespaces`."""
    return {
        "@context": [GS1_CONTEXT, namespaces] if namespaces else [GS1_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-01T00:00:00Z",
        "epcisBody": {"eventList": events},
    }


def reference_prehashes(doc: dict[str, Any]) -> list[str]:
    """The reference's pre-hash strings of the events of `doc` it can hash, in document order."""
    json_to_py._namespaces.clear()
    with _quiet():
        events = json_to_py.event_list_from_epcis_document_json(copy.deepcopy(doc))
        return hash_generator.derive_prehashes_from_events(events)


def hashes_of(prehashes: list[str]) -> list[str]:
    """The reference's hash IDs of pre-hash strings."""
    return hash_generator.calculate_hashes_from_pre_hashes(prehashes)


def reference_hashes(doc: dict[str, Any]) -> list[str]:
    """The reference's hash IDs of the events of `doc` it can hash, in document order."""
    return hashes_of(reference_prehashes(doc))
