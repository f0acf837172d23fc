"""The reference implementation's own examples: each event of each document hashes to the line
its `.hashes` file expects (tests/data/epcis-hash-examples, vendored with its origin and licence).

Where the expected hashes are not what release 1.9.3 computes (a feature of its repository
added since), the event is held to what 1.9.3 computes, in-process; the list says why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from epcis_reference import document, reference_hashes
from reetrace.epcis.hashing import document_namespaces, event_hash

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "epcis-hash-examples"
DOCUMENTS = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".jsonld", ".json"))

# Document -> why some expected hashes are not release 1.9.3's (its hashes are the ones held)
NOT_RELEASE_1_9_3 = {
    "epcisDocHavingEventWithIgnoreFields.jsonld": "the document's repository-x:ignoreFields member leaves two "
    "fields of its first event out of the hash: a feature added to the repository after 1.9.3 (b68b60f, 812da70)",
    "epcisQueryDocHavingEventWithIgnoreFields.jsonld": "as epcisDocHavingEventWithIgnoreFields.jsonld, in a query "
    "document",
}


def events_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The events of a capture document (``eventList`` or one ``event``) or a query document."""
    body = doc["epcisBody"]
    if "queryResults" in body:  # (1.9.3 reads no query documents; its repository does since)
        return body["queryResults"]["resultsBody"]["eventList"]
    return body["eventList"] if "eventList" in body else [body["event"]]


def test_every_example_document_is_tested_and_every_exception_exists():
    assert len(DOCUMENTS) == 22
    assert set(NOT_RELEASE_1_9_3) <= {p.name for p in DOCUMENTS}
    assert all(p.with_suffix(".hashes").exists() for p in DOCUMENTS)


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_example_hashes(path: Path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    namespaces = document_namespaces(doc["@context"])
    ours = [event_hash(event, namespaces) for event in events_of(doc)]
    expected = path.with_suffix(".hashes").read_text(encoding="utf-8").split()
    if path.name in NOT_RELEASE_1_9_3:
        release = reference_hashes(document(events_of(doc), namespaces))
        assert release != expected
        expected = release
    assert ours == expected
