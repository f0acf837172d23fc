"""Restricted-party lists: replacing a list with its entities, recording the load, reading the
lists loaded and their entities. Repositories never commit: the caller's unit of work does."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from reetrace.store import chains
from reetrace.store import tables as t
from reetrace.store.bulk import insert_rows
from reetrace.store.timefmt import from_utc_text, to_utc_text

ENTITY_COLUMNS = ("list_name", "entity_id", "entity_schema", "names", "countries", "name_keys", "details")
_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class StoredList:
    name: str
    version: str
    source: str
    loaded_at: datetime
    loaded_by: str | None
    entities: int
    skipped: dict[str, int]
    keys_version: str


@dataclass(frozen=True, slots=True)
class StoredEntity:
    list_name: str
    entity_id: str
    schema: str
    names: list[str]
    countries: list[str]
    name_keys: list[Any]  # [[name index, key as JSON], ...]
    details: dict[str, Any]  # {"props", "birth_dates", "tags"}; empty for lists loaded before they were kept


def _stored_list(row: Any) -> StoredList:
    return StoredList(
        row.name,
        row.version,
        row.source,
        from_utc_text(row.loaded_at),
        row.loaded_by,
        row.entities,
        json.loads(row.skipped),
        row.keys_version,
    )


def stored_lists(conn: Connection) -> list[StoredList]:
    """The lists loaded, by name."""
    c = t.screening_lists.c
    return [_stored_list(row) for row in conn.execute(select(t.screening_lists).order_by(c.name))]


def replace_list(
    conn: Connection,
    listed: StoredList,
    entity_rows: Sequence[tuple[str, str, str, str, str, str]],
    progress: Any = None,
) -> str | None:
    """Replace the list `listed.name` (if loaded) with `listed` and its entities, rows of
    (entity_id, schema, names JSON, countries JSON, keys JSON, details JSON); record the load. Returns the
    version replaced, or None."""
    lists, entities = t.screening_lists, t.screening_entities
    previous = conn.execute(select(lists.c.version).where(lists.c.name == listed.name)).scalar()
    conn.execute(delete(entities).where(entities.c.list_name == listed.name))
    conn.execute(delete(lists).where(lists.c.name == listed.name))
    skipped = json.dumps(listed.skipped, sort_keys=True)
    loaded_at = to_utc_text(listed.loaded_at)
    conn.execute(
        insert(lists).values(
            name=listed.name,
            version=listed.version,
            source=listed.source,
            loaded_at=loaded_at,
            loaded_by=listed.loaded_by,
            entities=listed.entities,
            skipped=skipped,
            keys_version=listed.keys_version,
        )
    )
    for start in range(0, len(entity_rows), _CHUNK):
        chunk = entity_rows[start : start + _CHUNK]
        insert_rows(conn, entities, ENTITY_COLUMNS, [(listed.name, *row) for row in chunk])
        if progress:
            progress(start + len(chunk))
    chains.append(
        conn,
        t.screening_loads,
        {
            "list_name": listed.name,
            "version": listed.version,
            "source": listed.source,
            "loaded_at": loaded_at,
            "loaded_by": listed.loaded_by,
            "entities": listed.entities,
            "skipped": skipped,
            "replaced_version": previous,
        },
    )
    return previous


def stored_entities(conn: Connection) -> Iterator[StoredEntity]:
    """Every entity of every loaded list, list by list."""
    c = t.screening_entities.c
    query = select(c.list_name, c.entity_id, c.entity_schema, c.names, c.countries, c.name_keys, c.details).order_by(
        c.list_name, c.entity_id
    )
    for row in conn.execute(query):
        yield StoredEntity(
            row.list_name,
            row.entity_id,
            row.entity_schema,
            json.loads(row.names),
            json.loads(row.countries),
            json.loads(row.name_keys),
            json.loads(row.details) if row.details else {},
        )


@dataclass(frozen=True, slots=True)
class RecordedLoad:
    id: int
    list_name: str
    version: str
    source: str
    loaded_at: datetime
    loaded_by: str | None
    entities: int
    replaced_version: str | None


def recorded_loads(conn: Connection, list_name: str | None = None) -> list[RecordedLoad]:
    """Every load recorded (of one list, or of all), oldest first."""
    c = t.screening_loads.c
    query = select(t.screening_loads).order_by(c.id)
    if list_name is not None:
        query = query.where(c.list_name == list_name)
    return [
        RecordedLoad(
            row.id,
            row.list_name,
            row.version,
            row.source,
            from_utc_text(row.loaded_at),
            row.loaded_by,
            row.entities,
            row.replaced_version,
        )
        for row in conn.execute(query)
    ]
