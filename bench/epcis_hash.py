"""EPCIS event hash benchmark: microseconds per event for `reetrace.epcis.hashing.event_hash`
beside the reference implementation (epcis-event-hash-generator 1.9.3, a test dependency, run
in-process in the same run on the same events).

    python bench/epcis_hash.py [--events 2000] [--per-document 50] [--seed 7]

The events are typical ones: an ObjectEvent with two quantity elements, a source and a
destination list, a business transaction, an `ilmd` with a small nested extension and three
top-level extension members, their lots, masses, times and offsets drawn from `--seed`.
`event_hash` hashes each event alone; so does the step-for-step port it falls back to for odd
shapes (`reetrace.epcis.tree`, on the first `--per-document` events); the reference hashes
documents of `--per-document` events (two of them per round; the GS1 context loaded from its
own copy, nothing fetched), as it is used. The figures are CPU time, each the best of
`--rounds` alternating rounds, so that other work on a shared machine weighs less; at the end
the reference hashes every event once more and both must give the same hashes. Target: 30 µs
per event.
"""

from __future__ import annotations

import argparse
import copy
import logging
import random
import time
import warnings
from typing import Any

from epcis_event_hash_generator import file_document_loader, hash_generator, json_to_py
from pyld import jsonld

from reetrace.epcis import tree
from reetrace.epcis.hashing import event_hash

NS = {"rt": "https://ns.reetrace.org/epcis/"}
CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def typical_event(rng: random.Random, number: int) -> dict[str, Any]:
    lot = f"urn:reetrace:lot:L-{rng.randrange(10**6)}"
    minutes = rng.randrange(-12, 15) * 60
    offset = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:00"
    reporter = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(18))
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{rng.randrange(24):02d}:"
        f"{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(1000):03d}{offset}",
        "eventTimeZoneOffset": offset,
        "epcList": [],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "quantityList": [
            {"epcClass": lot, "quantity": round(rng.uniform(1, 5000), 1), "uom": "KGM"},
            {"epcClass": f"urn:epc:class:lgtin:4012345.012345.{rng.randrange(10**6)}", "quantity": 12, "uom": "KGM"},
        ],
        "readPoint": {"id": f"urn:reetrace:site:{reporter}:P1"},
        "sourceList": [{"type": "owning_party", "source": f"urn:reetrace:party:{reporter}"}],
        "destinationList": [{"type": "owning_party", "destination": "urn:reetrace:party:91310000MA1FL0XX1X"}],
        "bizTransactionList": [{"type": "desadv", "bizTransaction": f"urn:reetrace:shipment:S%20{number}"}],
        "ilmd": {"rt:lots": [{"rt:lot": lot, "rt:composition": {"rt:Nd": rng.random(), "rt:Dy": rng.random()}}]},
        "rt:reporter": reporter,
        "rt:eventId": f"e-{number}",
        "rt:ext": '{"batch":7}',
    }


def reference_hashes(documents: list[dict[str, Any]]) -> list[str]:
    hashes = []
    for doc in documents:
        json_to_py._namespaces.clear()  # (a module global that outlives each document)
        hashes += hash_generator.epcis_hashes_from_events(json_to_py.event_list_from_epcis_document_json(doc))
    return hashes


def offline_reference() -> None:
    """The reference's PyLD reads the GS1 context from the reference's own copy, never the web."""
    shipped = file_document_loader.file_document_loader()

    def loader(url: str, options: dict[str, Any] | None = None) -> Any:
        if url != CONTEXT:
            raise RuntimeError(f"the reference would fetch {url}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return shipped(url, options or {})

    jsonld.set_document_loader(loader)
    logging.disable(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--per-document", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    events = [typical_event(rng, n) for n in range(args.events)]
    step = args.per_document
    documents = [
        {
            "@context": [CONTEXT, NS],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-01-01T00:00:00Z",
            "epcisBody": {"eventList": events[i : i + step]},
        }
        for i in range(0, len(events), step)
    ]
    offline_reference()
    ours_us, port_us, reference_us = float("inf"), float("inf"), float("inf")
    for _ in range(args.rounds):  # alternating, each figure the best of its rounds: the machine may be shared
        start = time.process_time()
        ours = [event_hash(event, NS) for event in events]
        ours_us = min(ours_us, (time.process_time() - start) / len(events) * 1e6)
        start = time.process_time()
        for event in events[:step]:
            tree.prehash(event, NS)
        port_us = min(port_us, (time.process_time() - start) / step * 1e6)
        start = time.process_time()
        theirs = reference_hashes(copy.deepcopy(documents[:2]))
        reference_us = min(reference_us, (time.process_time() - start) / len(theirs) * 1e6)
    theirs = reference_hashes(copy.deepcopy(documents))

    print(f"{len(events)} typical events, seed {args.seed}; CPU time, best of {args.rounds} rounds")
    print(f"  reetrace.epcis.hashing.event_hash:        {ours_us:8.1f} µs/event (target 30)")
    print(f"  reetrace.epcis.tree (the port it falls back to): {port_us:8.1f} µs/event")
    print(f"  epcis-event-hash-generator 1.9.3:         {reference_us:8.1f} µs/event ({step} events a document)")
    print(f"  ratio: the reference takes {reference_us / ours_us:.0f}× the time of event_hash")
    print(f"  same hashes on all {len(events)} events: {'yes' if ours == theirs else 'NO'}")
    return 0 if ours == theirs else 1


if __name__ == "__main__":
    raise SystemExit(main())
