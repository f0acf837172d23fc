"""Use cases of restricted-party screening: load a list (FollowTheMoney JSON lines), screen a
name, screen the parties of a license application inside the caller's transaction.

Every result carries the versions of the lists it ran against (name, SHA-256 of the file,
when it was loaded, how many entities), so it can be recorded and reproduced. The index over
the lists' entities is built once per process and list versions, and rebuilt when a list is
loaded again; screening with no list loaded is an error, never an empty all-clear.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from reetrace.domain.accounts import Actor
from reetrace.errors import InvalidInput, NotFound, UsageError
from reetrace.screening import ListedEntity, NameKey, ScreeningIndex, entity_keys
from reetrace.screening.ftm import ListFormatError, birth_date, read_entities
from reetrace.screening.normalise import KEYS_VERSION
from reetrace.screening.parts import warm_up
from reetrace.services.access_log import note_change
from reetrace.store.database import Store
from reetrace.store.screening_repo import StoredList, replace_list, stored_entities, stored_lists

FORMAT = "reetrace/screening@1"
DEFAULT_THRESHOLD = 0.8
LIST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class ListVersion:
    """A loaded list as a screening ran against it."""

    name: str
    version: str
    loaded_at: datetime
    entities: int
    source: str = ""
    loaded_by: str | None = None
    skipped: tuple[tuple[str, int], ...] = ()

    def as_contract(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "loaded_at": self.loaded_at.isoformat(),
            "entities": self.entities,
        }


@dataclass(frozen=True, slots=True)
class ScreeningMatch:
    list: str
    entity: str
    name: str
    score: float
    schema: str
    countries: tuple[str, ...]
    explanation: dict[str, Any] | None = None

    def as_contract(self) -> dict[str, Any]:
        doc = {
            "list": self.list,
            "entity": self.entity,
            "name": self.name,
            "score": self.score,
            "schema": self.schema,
            "countries": list(self.countries),
        }
        if self.explanation is not None:
            doc["explanation"] = self.explanation
        return doc


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    query: str
    threshold: float
    country: str | None
    matches: tuple[ScreeningMatch, ...]
    lists: tuple[ListVersion, ...]
    birth_date: str | None = None

    @property
    def matched(self) -> bool:
        return bool(self.matches)

    def as_contract(self) -> dict[str, Any]:
        """The result as §9 of the contract gives it, with the list versions it ran against."""
        return {
            "format": FORMAT,
            "query": self.query,
            "threshold": self.threshold,
            "country": self.country,
            **({"birth_date": self.birth_date} if self.birth_date else {}),
            "matches": [m.as_contract() for m in self.matches],
            "lists": [v.as_contract() for v in self.lists],
        }


@dataclass(frozen=True, slots=True)
class LoadReport:
    list: ListVersion
    replaced_version: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            **self.list.as_contract(),
            "source": self.list.source,
            "loaded_by": self.list.loaded_by,
            "skipped": dict(self.list.skipped),
            "replaced_version": self.replaced_version,
        }


def _version(stored: StoredList) -> ListVersion:
    return ListVersion(
        stored.name,
        stored.version,
        stored.loaded_at,
        stored.entities,
        stored.source,
        stored.loaded_by,
        tuple(sorted(stored.skipped.items())),
    )


# --- loading -----------------------------------------------------------------------------


def load_list(
    store: Store,
    path: Path,
    list_name: str,
    *,
    loaded_by: str | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    actor: Actor | None = None,
) -> LoadReport:
    """Load a FollowTheMoney JSON-lines file as the list `list_name`, replacing it if loaded.
    The whole file is read and checked first: a bad line raises InvalidInput naming its number,
    and nothing is replaced. The replacement is one transaction, written to the access log with
    it, naming `actor`."""
    if not LIST_NAME.match(list_name or ""):
        raise UsageError(f"a list name is letters, digits, '.', '_' and '-' (up to 100), not {list_name!r}")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    try:
        parsed = read_entities(enumerate(data.splitlines(), start=1))
    except ListFormatError as exc:
        raise InvalidInput(f"{path.name} {exc}; nothing was loaded") from None
    rows = []
    total = len(parsed.parties)
    for done, party in enumerate(parsed.parties, start=1):
        keys = entity_keys(party.schema, party.names)
        rows.append(
            (
                party.entity_id,
                party.schema,
                json.dumps(list(party.names), ensure_ascii=False),
                json.dumps(list(party.countries)),
                json.dumps([[i, key.as_json()] for i, key in keys], ensure_ascii=False),
                json.dumps(party.details(), ensure_ascii=False),
            )
        )
        if progress and (done % 1000 == 0 or done == total):
            progress("reading names", done, total)
    stored = StoredList(
        list_name,
        hashlib.sha256(data).hexdigest(),
        path.name,
        now or datetime.now(UTC),
        loaded_by,
        total,
        dict(parsed.skipped),
        KEYS_VERSION,
    )
    with store.writing() as conn:
        previous = replace_list(
            conn, stored, rows, progress=(lambda done: progress("storing", done, total)) if progress else None
        )
        note_change(
            conn,
            actor,
            "screening list load",
            None,
            f"{list_name}: version {stored.version[:16]}, {total} entities"
            + (f", replacing version {previous[:16]}" if previous else ""),
        )
    return LoadReport(_version(stored), previous)


def list_versions_in(conn: Connection) -> list[ListVersion]:
    """The lists loaded, read inside the caller's transaction."""
    return [_version(s) for s in stored_lists(conn)]


def list_versions(store: Store) -> list[ListVersion]:
    with store.reading() as conn:
        return list_versions_in(conn)


# --- the index, once per process and list versions ----------------------------------------

_lock = threading.Lock()
_cached: tuple[tuple[Any, ...], ScreeningIndex] | None = None


def _index_in(conn: Connection) -> tuple[ScreeningIndex, tuple[ListVersion, ...]]:
    global _cached
    lists = stored_lists(conn)
    if not lists:
        raise NotFound("no restricted-party list is loaded (reetrace screening load FILE --list NAME)")
    identity = tuple((s.name, s.version, s.loaded_at, s.keys_version) for s in lists)
    versions = tuple(_version(s) for s in lists)
    with _lock:
        if _cached is not None and _cached[0] == identity:
            return _cached[1], versions
        current = {s.name for s in lists if s.keys_version == KEYS_VERSION}
        entities = []
        for row in stored_entities(conn):
            if row.list_name in current:
                keys = tuple((i, NameKey.from_json(key)) for i, key in row.name_keys)
            else:  # stored by another version of the normaliser: make the keys again
                keys = entity_keys(row.schema, row.names)
            details = row.details
            entities.append(
                ListedEntity(
                    row.list_name,
                    row.entity_id,
                    row.schema,
                    tuple(row.names),
                    tuple(row.countries),
                    keys,
                    tuple(details.get("props", ())),
                    tuple(details.get("birth_dates", ())),
                    tuple((tag, tuple(values)) for tag, values in details.get("tags", ())),
                )
            )
        index = ScreeningIndex(entities)
        warm_up(people=any(e.person for e in entities))
        _cached = (identity, index)
        return index, versions


def _threshold(threshold: float | None) -> float:
    value = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    if not 0.0 < value <= 1.0:
        raise UsageError(f"a threshold is a number above 0 and at most 1, not {threshold}")
    return value


def _birth_date(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    found = birth_date(value)
    if found is None or found != value.strip():
        raise UsageError(f"a birth date is YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
    return found


def _result(
    index: ScreeningIndex,
    lists: tuple[ListVersion, ...],
    name: str,
    country: str | None,
    threshold: float,
    born: str | None = None,
) -> ScreeningResult:
    query = name.strip()
    if not query:
        raise InvalidInput("the name to screen is empty")
    country = country.strip().lower() if country and country.strip() else None
    born = _birth_date(born)
    matches = tuple(
        ScreeningMatch(
            m.entity.list, m.entity.entity_id, m.name, m.score, m.entity.schema, m.entity.countries, m.explanation()
        )
        for m in index.screen(query, threshold, country, born)
    )
    return ScreeningResult(query, threshold, country, matches, lists, born)


# --- screening -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    """A name to screen, with what else the reviewer knows of the party."""

    name: str
    country: str | None = None
    birth_date: str | None = None


def screen_parties_in(
    conn: Connection, parties: Sequence[tuple[str, str | None]], threshold: float | None = None
) -> list[ScreeningResult]:
    """Screen each (name, country) inside the caller's transaction, against the lists as that
    transaction sees them; one result per party, in order. Raises NotFound when no list is
    loaded, InvalidInput for an empty name."""
    value = _threshold(threshold)
    index, lists = _index_in(conn)
    return [_result(index, lists, name, country, value) for name, country in parties]


def screen(
    store: Store,
    name: str,
    country: str | None = None,
    threshold: float | None = None,
    birth_date: str | None = None,
) -> ScreeningResult:
    """Screen one name against every loaded list; the party's country and birth date, when
    given, weigh in the score."""
    value = _threshold(threshold)
    with store.reading() as conn:
        index, lists = _index_in(conn)
        return _result(index, lists, name, country, value, birth_date)


def screen_names(
    store: Store,
    names: Iterable[str | Party],
    country: str | None = None,
    threshold: float | None = None,
    birth_date: str | None = None,
) -> Iterator[ScreeningResult]:
    """Screen many names (or parties, with their own country and birth date) against the lists
    as they are when this is called, one result a name, as each is screened (the index is read
    once, outside any long transaction). `country` and `birth_date` apply to names given alone."""
    value = _threshold(threshold)
    with store.reading() as conn:
        index, lists = _index_in(conn)

    def results() -> Iterator[ScreeningResult]:
        for item in names:
            party = item if isinstance(item, Party) else Party(item, country, birth_date)
            yield _result(index, lists, party.name, party.country, value, party.birth_date)

    return results()
