"""Use cases: load partner countries' import statistics, and the mirror report of them against
the customs declarations (docs/customs.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from reetrace.charts.mirror import mirror_chart
from reetrace.contract.customs_csv import Progress, read_mirror_statistics
from reetrace.domain.accounts import Actor
from reetrace.domain.mirror import MirrorGap, mirror_gaps
from reetrace.errors import InvalidInput
from reetrace.services.access_log import note_change
from reetrace.store.customs_repo import list_declarations, list_mirror, mirror_keys, replace_mirror
from reetrace.store.database import Store


@dataclass(frozen=True, slots=True)
class MirrorLoad:
    rows: int
    added: int
    replaced: list[tuple[int, str, str]]  # (year, partner, hs6) loaded before and now replaced


def load_mirror_statistics(
    store: Store,
    data: bytes,
    source: str,
    now: datetime | None = None,
    progress: Progress | None = None,
    *,
    actor: Actor | None = None,
) -> MirrorLoad:
    """Load a statistics CSV in one transaction, every row or none; a (year, partner, hs6)
    loaded before is replaced, and reported as such. The load is written to the access log with
    it, naming `actor`."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: not UTF-8 text ({exc})") from None
    statistics = [s for _, s in read_mirror_statistics(text, source, progress)]
    with store.writing() as conn:
        before = mirror_keys(conn, {s.year for s in statistics})
        replace_mirror(conn, statistics, source, now or datetime.now(UTC))
        replaced = sorted(s.key for s in statistics if s.key in before)
        note_change(conn, actor, "mirror load", None, f"{source}: {len(statistics)} rows, {len(replaced)} replaced")
    return MirrorLoad(len(statistics), len(statistics) - len(replaced), replaced)


def mirror_report(store: Store, year: int | None = None) -> list[MirrorGap]:
    """Partner-recorded imports against declared exports per HS6 × partner × year, largest gap first."""
    with store.reading() as conn:
        statistics = list_mirror(conn, year)
        declarations = list_declarations(conn)
    return mirror_gaps(statistics, declarations, year)


def mirror_svg(gaps: list[MirrorGap], year: int | None = None, top: int = 15) -> str:
    return mirror_chart(gaps, year, top)
