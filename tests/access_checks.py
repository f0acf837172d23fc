"""What a request or a command left in the access log, and whether it changed anything else in
the store: the checks the access-log meta-tests share (API, console, command line)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, select, text

from reetrace.store import tables as t
from reetrace.store.database import Store

# what a read or a refusal may change besides its entry: nothing but these
# the access log itself, and the checkpoints the log signs by itself whenever something moved
NOT_A_CHANGE = {"access_log", "alembic_version", "checkpoints"}


def served_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the app serves (HEAD and static files aside), however its routers
    were included."""
    found: set[tuple[str, str]] = set()

    def visit(routes: Any) -> None:
        for route in routes:
            contexts = getattr(route, "effective_route_contexts", None)
            if contexts is not None:  # a router included as a whole (FastAPI ≥ 0.16x)
                for c in contexts():
                    found.update((m, c.path_format) for m in c.methods)
                continue
            if hasattr(route, "routes") and not hasattr(route, "methods"):
                visit(route.routes)
                continue
            for method in getattr(route, "methods", None) or ():
                found.add((method, getattr(route, "path_format", route.path)))

    visit(app.routes)
    return {(m, p) for m, p in found if m != "HEAD" and not p.startswith("/static")}


def last_entry(store: Store) -> int:
    with store.reading() as conn:
        return conn.scalar(select(t.access_log.c.id).order_by(t.access_log.c.id.desc()).limit(1)) or 0


def entries_after(store: Store, last: int) -> list[dict[str, Any]]:
    """The entries written since entry `last`, oldest first, as stored."""
    with store.reading() as conn:
        rows = conn.execute(select(t.access_log).where(t.access_log.c.id > last).order_by(t.access_log.c.id))
        return [dict(r._mapping) for r in rows]


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def store_state(store: Store) -> dict[str, str]:
    """A digest of every table's rows, but for the access log and the links of its chain."""
    state = {}
    with store.reading() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            if name in NOT_A_CHANGE:
                continue
            query = f'SELECT * FROM "{name}"'
            if name == t.chain_links.name:
                query += " WHERE chain <> 'access_log'"
            rows = sorted(repr(tuple(_plain(v) for v in row)) for row in conn.execute(text(query)))
            state[name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return state


def changed_tables(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


@dataclass(frozen=True)
class Entry:
    """An entry as a check expects it; `action` or `what` None: any (for a door whose entry is
    named by the work that owns it)."""

    action: str | None
    what: str | None
    enterprise: str | None

    def matches(self, row: dict[str, Any]) -> bool:
        return (
            (self.action is None or row["action"] == self.action)
            and (self.what is None or row["what"] == self.what)
            and row["enterprise"] == self.enterprise
        )


def assert_entries(rows: list[dict[str, Any]], expected: list[Entry], **door: Any) -> None:
    """`rows` are exactly the `expected` entries, in order, each made through `door` (channel,
    username, role, client, os_user: as given)."""
    assert len(rows) == len(expected), ([(r["action"], r["what"], r["enterprise"]) for r in rows], expected)
    for row, entry in zip(rows, expected, strict=True):
        assert entry.matches(row), (row, entry)
        for column, value in door.items():
            assert row[column] == value, (column, row)
