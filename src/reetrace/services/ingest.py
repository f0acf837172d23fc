"""Use case: receive submissions, from files and directories (`reetrace ingest`), an HTTP body
or an upload (docs/contract.md §4, §7).

`receive` is the one way submission bytes enter the ledger, whatever door they come through.
Each submission is all-or-nothing, and every one ends accepted, a duplicate, or a rejection
recorded with its reason class, the digest and size of its bytes, and the bytes themselves
within the size bound; one bad file never stops the others. Each is written to the access log
in the transaction that records it. Authentication runs before the write lock is taken; the
ledger checks and appends run in one transaction per batch of submissions, so a process killed
at any moment leaves whole submissions or none of a batch, never part of one.

EPCIS captures (docs/epcis.md "Capture": a `Delivery` with its envelope, or an `X.jsonld` file
with its detached JWS beside it) come through here too: authenticated into the same submission
or rejection (reetrace.services.intake_epcis), and recorded in the batch's transaction with
their capture jobs and EPCIS ids (reetrace.services.capture_jobs).
"""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import DataError

from reetrace.collector import collector_paused
from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.domain.problems import Problem
from reetrace.domain.registry import SigningKey
from reetrace.domain.submissions import Authenticated, Delivery, Rejection
from reetrace.errors import UsageError
from reetrace.services.accounts import Note, note_accesses
from reetrace.services.capture_jobs import id_conflicts, record_jobs
from reetrace.services.intake import read_file
from reetrace.services.log import covered, sign_within
from reetrace.services.supervision import Absorbed, absorb
from reetrace.services.workers import Item, Job, authenticate_all
from reetrace.store.database import Store
from reetrace.store.ledger_repo import AppendOutcome, append, record_rejections, storable
from reetrace.store.registry_repo import signing_parties

# Events per write transaction: each commit rewrites the index pages its batch touched, so
# larger batches write each hot page fewer times (measured on 1.6M events: 20,000 → 60,000
# events a batch cut the writer's commit time by a fifth); memory holds about two of them.
BATCH_EVENTS = 60_000
PARALLEL_FROM_FILES = 16  # fewer files than this are authenticated in this process
# Rejections wait for the next write with their bytes: written sooner when they hold this much
REJECTED_BYTES = 64 << 20
ANALYZE_FROM_EVENTS = 50_000  # an ingest adding this many events refreshes the planner's statistics
INGEST_REPORT_FORMAT = "reetrace/ingest-report@1"
DETAIL_LENGTH = 600  # of an access-log entry's detail
log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    submissions_accepted: int = 0
    submissions_duplicate: int = 0
    events_accepted: int = 0
    events_duplicate: int = 0
    rejected: list[Rejection] = field(default_factory=list)  # without their bytes (kept in the store)
    supervision: Absorbed | None = None  # the last incremental update of the findings, if supervised
    foreign: int = 0  # rejections of submissions an enterprise sent for another one
    captures: list[int] = field(default_factory=list)  # the jobs of the EPCIS captures, as written

    def as_contract(self) -> dict[str, object]:
        return {
            "format": INGEST_REPORT_FORMAT,
            "submissions": {
                "accepted": self.submissions_accepted,
                "duplicate": self.submissions_duplicate,
                "rejected": len(self.rejected),
            },
            "events": {"accepted": self.events_accepted, "duplicate": self.events_duplicate},
            "rejected": [r.as_contract() for r in self.rejected],
        }


def submission_files(sources: Iterable[Path]) -> list[Path]:
    """The submission files named, directories expanded to their `*.json` files (and EPCIS
    captures, `*.jsonld`, each with its detached JWS beside it in `*.jsonld.jws`), taken in
    order of file name, then path: an archive kept as one folder per enterprise with a file per
    month is read month by month across enterprises, as it arrived. (Read folder by folder
    instead, each enterprise's year would be written all over the ledger's time index in turn;
    at a national year's size that index outgrows the page cache and every insert becomes a
    read.)"""
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            found = [p for pattern in ("*.json", "*.jsonld") for p in source.rglob(pattern) if p.is_file()]
            files.extend(sorted(found, key=lambda p: (p.name, p)))
        elif source.is_file():
            files.append(source)
        else:
            raise UsageError(f"no such file or directory: {source}")
    return files


def ingest(
    store: Store,
    sources: list[Path],
    as_received_created_at: bool = False,
    progress: Callable[[int], None] | None = None,
    clock: Callable[[], datetime] | None = None,
    with_log: bool = True,
    settings: Settings | None = None,
    actor: Actor | None = None,
) -> IngestReport:
    """Ingest every submission in `sources` (files, and directories of them), as `actor` (by
    default the operating-system user at the command line). `progress` is called with the
    number of files checked so far as the work goes on."""
    return receive(
        store,
        settings or Settings(),
        submission_files(sources),
        actor or Actor.operator(os_user()),
        "reetrace ingest",
        as_received=as_received_created_at,
        progress=progress,
        clock=clock,
        with_log=with_log,
    )


def receive(
    store: Store,
    settings: Settings,
    sources: Sequence[Path | Delivery],
    actor: Actor,
    door: str,
    sender: str | None = None,
    as_received: bool = False,
    progress: Callable[[int], None] | None = None,
    clock: Callable[[], datetime] | None = None,
    with_log: bool = True,
) -> IngestReport:
    """Receive submissions: files to read, or bytes already received (`Delivery`), through
    `door` (what the access log names: `POST /api/submissions`, `reetrace ingest` …). Never
    raises for what the bytes hold. `sender`: the enterprise whose user sent them, which may
    send only its own (another's is a `reporter` rejection, counted in `foreign`)."""
    clock = clock or now
    keys, enterprises = signers(store)
    report = IngestReport()
    with collector_paused():  # ingest allocates millions of short-lived acyclic objects
        results = authenticate_all(sources, Job(keys, enterprises, as_received, clock), PARALLEL_FROM_FILES)
        for items, done in _batches(results, sender, progress):
            write_each(
                store, settings, [Entry(item, foreign, actor, door, report) for item, foreign in items], with_log
            )
            if progress:
                progress(done)
    if report.events_accepted >= ANALYZE_FROM_EVENTS:
        store.analyze()  # a bulk load changes what the query planner should expect
    report.rejected.sort(key=lambda r: r.source)
    return report


def signers(store: Store) -> tuple[Mapping[str, SigningKey], frozenset[str]]:
    """The registered signing keys and enterprises, as authentication reads them."""
    with store.reading() as conn:
        parties = signing_parties(conn)
    return parties.keys, parties.enterprises


def entry(result: Item, sender: str | None, actor: Actor, door: str) -> Entry:
    """One authenticated (or refused) submission ready to write, with a report of its own."""
    item, foreign = _attributed(result, sender)
    return Entry(item, foreign, actor, door, IngestReport())


def _attributed(result: Item, sender: str | None) -> tuple[Item, bool]:
    """What to record of an authenticated (or refused) submission that `sender`'s user sent:
    a `reporter` rejection if it is another enterprise's (and True), else the result, a
    rejection naming no reporter being the sender's."""
    foreign = _foreign(result, sender)
    if foreign is not None:
        return foreign, True
    if isinstance(result, Rejection) and sender is not None and result.reporter is None:
        return replace(result, reporter=sender), False  # whose it is: the enterprise that sent it
    return result, False


@dataclass(slots=True)
class Entry:
    """One submission (or rejection) of a write: whether it was sent for another enterprise,
    who sent it through which door, and the report it is counted in (one report for all the
    files of an ingest; one each for submissions written together as they arrived)."""

    item: Item
    foreign: bool
    actor: Actor
    door: str
    report: IngestReport


def write_each(
    store: Store, settings: Settings, entries: list[Entry], with_log: bool = True, checkpoint: bool = False
) -> None:
    """`_write`, and should the store refuse a value of the batch (DataError: every value passed
    the contract, so this is a gap between the contract and a column), the batch again one
    submission at a time, the one refused becoming a `schema` rejection: one submission never
    keeps the others out. `checkpoint`: a write that adds events signs a checkpoint covering
    them in its own transaction (submissions as they arrive, answered once covered)."""
    try:
        _write(store, settings, entries, with_log, checkpoint)
    except DataError as exc:
        if len(entries) > 1:
            for one in entries:
                write_each(store, settings, [one], with_log, checkpoint)
            return
        [refused] = entries
        item = refused.item
        problem = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        log.error("the store refused a value of %s: %s", item.source, problem)
        if isinstance(item, Rejection):  # some text of its own was refused: kept without the ones not needed
            rejection = replace(item, reporter=None, event=None)
        else:
            rejection = _with_raw(
                item.rejected("schema", Problem("unstorable", f"a value cannot be stored: {problem}"))
            )
        _write(store, settings, [replace(refused, item=storable_rejection(rejection))], with_log, checkpoint)


def storable_rejection(rejection: Rejection) -> Rejection:
    """A rejection whose texts any store keeps (`storable`)."""
    detail = rejection.detail
    kept = storable(detail)
    if isinstance(detail, Problem):
        kept = Problem(detail.id, kept, **detail.params)
    return replace(rejection, source=storable(rejection.source), detail=kept)


def _write(store: Store, settings: Settings, entries: list[Entry], with_log: bool, checkpoint: bool) -> None:
    """Record one batch in one transaction: the submissions appended, the rejections kept, an
    access-log entry for each, and the job of each EPCIS capture (and, with `checkpoint`, a
    checkpoint covering them when they added events); each counted in its entry's report."""
    signed: int | None = None
    batch = [e.item for e in entries if isinstance(e.item, Authenticated)]
    with store.writing() as conn:
        refused = id_conflicts(conn, batch)  # EPCIS captures whose eventIDs name other events
        batch = [sub for sub in batch if sub.digest not in refused]
        outcome = append(conn, batch, with_log) if batch else AppendOutcome([], [], [])
        conflicts = {r.digest: _with_raw(r) for r in [*refused.values(), *outcome.rejected]}
        accepted = {id(sub) for sub in outcome.accepted}
        rejections = []
        outcomes: list[tuple[Item, Rejection | None, Actor]] = []
        notes = []
        for e in entries:
            item = e.item
            rejection = item if isinstance(item, Rejection) else conflicts.get(item.digest)
            outcomes.append((item, rejection, e.actor))
            if rejection is not None:
                rejections.append(rejection)
                notes.append(_note(e, "refused" if e.foreign else "change", rejection, f"rejected, {rejection.reason}"))
            elif isinstance(item, Authenticated):
                done = "accepted" if id(item) in accepted else "duplicate, nothing new"
                notes.append(_note(e, "change", item, f"{done} ({item.event_count} events)"))
        note_accesses(conn, notes)
        rejection_ids = dict(zip(map(id, rejections), record_rejections(conn, rejections), strict=True))
        jobs = iter(record_jobs(conn, outcomes, rejection_ids, outcome))  # EPCIS captures' jobs
        supervision = absorb(conn, settings, outcome.seqs) if outcome.seqs else None  # findings kept up to date
        if checkpoint and outcome.seqs:
            signed = sign_within(store, conn, settings)
    if signed is not None:
        covered(store, signed)
    for e, (item, rejection, _) in zip(entries, outcomes, strict=True):
        _count(e.report, e, item, rejection, id(item) in accepted, outcome)
        if item.capture is not None:
            e.report.captures.append(next(jobs))
        if supervision is not None:
            e.report.supervision = supervision


def _count(
    report: IngestReport,
    entry: Entry,
    item: Item,
    rejection: Rejection | None,
    accepted: bool,
    outcome: AppendOutcome,
) -> None:
    """Count one entry of a written batch in its report."""
    if rejection is not None:
        report.rejected.append(replace(rejection, raw=None))  # the store keeps the bytes
        report.foreign += entry.foreign
    elif isinstance(item, Authenticated):
        if accepted:
            new = outcome.appended[item.digest][1]
            report.submissions_accepted += 1
            report.events_accepted += new
            report.events_duplicate += item.event_count - new
        else:
            report.submissions_duplicate += 1
            report.events_duplicate += item.event_count


def _note(entry: Entry, action: str, item: Item, outcome: str) -> Note:
    """The access-log entry of one submission."""
    detail = f"{item.source}: {outcome}"
    if len(detail) > DETAIL_LENGTH:
        detail = detail[: DETAIL_LENGTH - 1] + "…"
    return Note(entry.actor, action, entry.door, item.reporter, storable(detail))


def _foreign(result: Item, sender: str | None) -> Rejection | None:
    """The rejection of a submission an enterprise's user sent for another enterprise."""
    claimed = result.reporter
    if sender is None or claimed is None or claimed == sender:
        return None
    raw = result.raw if isinstance(result, Rejection) else _with_raw_of(result.source, result.raw)
    size = result.size if isinstance(result, Rejection) else (None if raw is None else len(raw))
    return Rejection(
        result.source,
        "reporter",
        Problem(
            "foreign",
            f"enterprise {sender} may submit only its own reports, not those of {claimed}",
            sender=sender,
            reporter=claimed,
        ),
        result.received_at,
        sender,
        None,
        result.digest,
        raw,
        size,
    )


def _batches(
    results: Iterable[Item], sender: str | None, progress: Callable[[int], None] | None
) -> Iterator[tuple[list[tuple[Item, bool]], int]]:
    """The results in batches to write: about `BATCH_EVENTS` events, or rejections holding
    about `REJECTED_BYTES`, each with the number of sources done so far."""
    items: list[tuple[Item, bool]] = []
    events = held = done = 0
    for result in results:
        done += 1
        if progress and done % 8 == 0:
            progress(done)
        result, foreign = _attributed(result, sender)
        items.append((result, foreign))
        if isinstance(result, Authenticated):
            events += result.event_count
        else:
            held += result.size or 0
        if events >= BATCH_EVENTS or held >= REJECTED_BYTES:
            yield items, done
            items, events, held = [], 0, 0
    if items or not done:
        yield items, done


def _with_raw(rejection: Rejection) -> Rejection:
    """A rejection made after its bytes were dropped gets them back from its source file."""
    if rejection.raw is not None:
        return rejection
    raw = _with_raw_of(rejection.source, None)
    return rejection if raw is None else replace(rejection, raw=raw, size=len(raw))


def _with_raw_of(source: str, raw: bytes | None) -> bytes | None:
    """The bytes of a submission that left its worker without them, read again from its file."""
    if raw is not None:
        return raw
    try:
        delivery = read_file(Path(source))
    except OSError:
        return None
    return delivery.raw


def os_user() -> str:
    """Who runs this process, as the operating system names them."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def now() -> datetime:
    """The system's own clock: the time a submission is received."""
    return datetime.now().astimezone()
