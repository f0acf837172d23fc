"""The chained tables (reetrace.store.chains) checked against their chains, and the chains
against the heads the checkpoints signed.

For each chain:

- its links, in order, must recompute from the genesis, and at each length a checkpoint signed
  give the head it signed (reetrace.ledger.chains.ChainWalk): a deleted or edited link shows
  there, and a chain rewritten consistently shows as the rows between the last checkpoint that
  still matches and the first that does not;
- every row the chain covers must have its link, with the digest of the row as it is now, and
  every link its row: a row changed, deleted or inserted beside the chain is named by its key.

Links and rows are compared through keyed digests per slice of row keys
(reetrace.ledger.multiset), read once each in any order, and again only for a slice that
differs, to name its rows.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from reetrace.ledger import chains as formula
from reetrace.ledger.multiset import MultisetDigest, RowHasher
from reetrace.ledger.note import Checkpoint
from reetrace.store import chains

SLICES = 256
MAX_NAMED = 20  # rows named per chain


def verify_chains(
    conn: Connection, signed: Iterable[tuple[str, Checkpoint]], hasher: RowHasher, problems: list[str]
) -> dict[str, int]:
    """Check every chain; returns the links verified per chain, adds what differs to `problems`."""
    heads: dict[str, list[formula.SignedHead]] = defaultdict(list)
    for label, checkpoint in signed:
        for name, (length, head) in formula.parse_extensions(checkpoint.extensions).items():
            heads[name].append(formula.SignedHead(length, head, label))
    verified = {}
    for name in chains.CHAINED:
        verified[name] = _verify_chain(conn, name, heads.get(name, []), hasher, problems)
    unknown = sorted(set(heads) - set(chains.CHAINED))
    for name in unknown:
        problems.append(f"chain {name}: a checkpoint signed its head, but the store has no such chained table")
    return verified


def _key(row: dict[str, Any], key: tuple[str, ...]) -> str:
    """A row's key as its link records it; whatever someone stored in a key column, a text."""
    try:
        return chains.row_key(row, key)
    except (TypeError, ValueError):
        return repr([row.get(k) for k in key])


def _digest(row: dict[str, Any]) -> str:
    """A row's digest as its link records it; a value RFC 8785 cannot write (someone stored it
    there) gives no digest a link can hold."""
    try:
        return formula.row_digest(chains.row_values(row))
    except (TypeError, ValueError):
        return "unreadable"


def _slice(row_key: str) -> int:
    """Which slice of the keys a row is compared in: any spread will do (the digests are keyed)."""
    return zlib.crc32(row_key.encode("utf-8", "surrogatepass")) % SLICES


def _verify_chain(
    conn: Connection, name: str, signed: list[formula.SignedHead], hasher: RowHasher, problems: list[str]
) -> int:
    spec = chains.CHAINED[name]
    walk = formula.ChainWalk(name, signed)
    linked, held = MultisetDigest(hasher), MultisetDigest(hasher)
    for n, row_key, digest, stored_link in chains.link_rows(conn, name):
        walk.add(n, row_key, digest, bytes(stored_link))
        linked.add(_slice(row_key), (row_key, digest))
    for row in chains.rows_as_stored(conn, name):
        key = _key(row, spec.key)
        held.add(_slice(key), (key, _digest(row)))
    problems.extend(walk.finish())
    named: list[str] = []
    for part in linked.differing(held):
        named.extend(_rows_differing(conn, name, part))
        if len(named) > MAX_NAMED:
            break
    problems.extend(named[:MAX_NAMED])
    if len(named) > MAX_NAMED:
        problems.append(f"chain {name}: more rows differ from their links than named here")
    return walk.length


def _rows_differing(conn: Connection, name: str, part: int) -> list[str]:
    """The rows of one slice of the chain's keys whose links and rows disagree."""
    spec = chains.CHAINED[name]
    links: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for n, row_key, digest, _ in chains.link_rows(conn, name):
        if _slice(row_key) == part:
            links[row_key].append((n, digest))
    rows: dict[str, list[str]] = defaultdict(list)
    for row in chains.rows_as_stored(conn, name):
        key = _key(row, spec.key)
        if _slice(key) == part:
            rows[key].append(_digest(row))
    out = []
    for key in sorted(set(links) | set(rows)):
        have, held = links.get(key, []), rows.get(key, [])
        if len(have) > 1:
            numbers = ", ".join(str(n) for n, _ in have)
            out.append(f"{name}: row {key} is linked more than once (links {numbers}): links were copied")
        elif not held:
            out.append(
                f"{name}: row {key} (link {have[0][0]}) is missing: it was deleted"
                + (" or taken out of what the chain covers" if spec.where else "")
            )
        elif not have:
            out.append(f"{name}: row {key} has no link: it was inserted outside the chain")
        elif have[0][1] != held[0]:
            out.append(f"{name}: row {key} differs from what was chained (link {have[0][0]}): it was changed")
    return out
