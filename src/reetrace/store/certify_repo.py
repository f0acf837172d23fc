"""What a provenance certificate is made of, read from the store: whether a lot is known, the
events that created the lots of its closure, the checkpoint to anchor it to, one logged event by
its leaf, and the registered names of enterprises. Reads only."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, distinct, exists, func, or_, select

from reetrace.domain.trace import CREATING_TYPES
from reetrace.store import tables as t

_CHUNK = 500


def lot_known(conn: Connection, lot: str) -> bool:
    """Whether any event created or drew from the lot."""
    return bool(conn.scalar(select(or_(exists().where(t.lots.c.lot == lot), exists().where(t.lot_draws.c.lot == lot)))))


def creating_events(conn: Connection, lots: Collection[str]) -> list[Any]:
    """Every extract, import and transform that created one of these lots, in log order: rows of
    (seq, reporter, body)."""
    found: dict[int, Any] = {}
    unique = list(lots)
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        seqs = select(t.lots.c.seq).where(t.lots.c.lot.in_(chunk))
        for row in conn.execute(
            select(t.events.c.seq, t.events.c.reporter, t.events.c.body).where(
                t.events.c.seq.in_(seqs), t.events.c.type.in_(CREATING_TYPES)
            )
        ):
            found[row.seq] = row
    return [found[seq] for seq in sorted(found)]


def anchor(conn: Connection, needed: int) -> tuple[int, str] | None:
    """(size, key id) of the checkpoint to anchor to: covering leaf `needed`, cosigned by the most
    witnesses, then the largest."""
    witnesses = func.count(distinct(t.cosignatures.c.witness))
    row = conn.execute(
        select(t.checkpoints.c.size, t.checkpoints.c.key_id, witnesses.label("witnesses"))
        .select_from(t.checkpoints.outerjoin(t.cosignatures, t.cosignatures.c.checkpoint_id == t.checkpoints.c.id))
        .where(t.checkpoints.c.size >= needed)
        .group_by(t.checkpoints.c.id, t.checkpoints.c.size, t.checkpoints.c.key_id)
        .order_by(witnesses.desc(), t.checkpoints.c.size.desc(), t.checkpoints.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.size, row.key_id)


def event_at_leaf(conn: Connection, leaf_index: int) -> tuple[str, str] | None:
    """(reporter, canonical body) of the event at a leaf of the log (leaf i is the event of seq i + 1)."""
    row = conn.execute(select(t.events.c.reporter, t.events.c.body).where(t.events.c.seq == leaf_index + 1)).first()
    return None if row is None else (row.reporter, row.body)


def enterprise_names(conn: Connection, usccs: Iterable[str]) -> dict[str, str]:
    """Registered names (English where given, then the legal name)."""
    wanted = sorted(set(usccs))
    names: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        for row in conn.execute(
            select(t.enterprises.c.uscc, t.enterprises.c.name, t.enterprises.c.name_en).where(
                t.enterprises.c.uscc.in_(wanted[start : start + _CHUNK])
            )
        ):
            names[row.uscc] = row.name_en or row.name
    return names
