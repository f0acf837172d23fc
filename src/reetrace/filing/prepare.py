"""From event files to one signed `reetrace/submission@1` document (docs/contract.md §4).

Events are read from JSON lines (`.jsonl`, `.ndjson`: one event object a line) or CSV sheets
(`.csv`, see `reetrace.filing.sheets`). Every event is checked against the contract before
anything is signed, and every problem is reported with its file and line, so that a compliance
officer fixes a whole file in one pass. Only a clean batch is signed, and the document is
written atomically: a reader sees the old file or the complete new one, never a part.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import TypeAdapter, ValidationError

from reetrace.contract.fields import Time, Uscc
from reetrace.contract.submission import EVENT_TYPES, InvalidDocument, validate_event, validate_events, validate_header
from reetrace.errors import InvalidInput, UsageError
from reetrace.files import replace_atomically
from reetrace.filing import Draft, Place, Problem
from reetrace.filing.sheets import read_csv
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.submission import sign_submission

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
CHINA_STANDARD_TIME = timezone(timedelta(hours=8))
_uscc = TypeAdapter(Uscc)
_time = TypeAdapter(Time)


class EventsRejected(InvalidInput):
    """The events cannot be signed as they are; `problems` says where and why."""

    def __init__(self, problems: Sequence[Problem]):
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{count} in the events; nothing was signed")
        self.problems = list(problems)


def now() -> str:
    """The current time, to the second, at +08:00."""
    return datetime.now(CHINA_STANDARD_TIME).replace(microsecond=0).isoformat()


def check_reporter(reporter: str) -> str:
    try:
        return _uscc.validate_python(reporter)
    except ValidationError:
        raise UsageError(f"--reporter {reporter!r} is not a valid Unified Social Credit Code") from None


def check_time(value: str, option: str) -> datetime:
    try:
        return _time.validate_python(value)
    except ValidationError:
        raise UsageError(
            f"{option} {value!r} must be an RFC 3339 time with an offset, e.g. 2026-10-03T08:00:00+08:00"
        ) from None


def read_drafts(paths: Sequence[Path], default_type: str | None = None) -> tuple[list[Draft], list[Problem]]:
    """The events in the files, in order, and every problem found in reading them."""
    if default_type is not None and default_type not in EVENT_TYPES:
        raise UsageError(f"--type {default_type!r}: expected one of {', '.join(EVENT_TYPES)}")
    drafts: list[Draft] = []
    problems: list[Problem] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in JSON_LINES_SUFFIXES + CSV_SUFFIXES:
            raise UsageError(f"{path}: not an event file; name it *.jsonl, *.ndjson or *.csv")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            problems.append(Problem(Place(str(path), ()), 'not UTF-8 text (save the sheet as "CSV UTF-8")'))
            continue
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from None
        reader = read_csv if suffix in CSV_SUFFIXES else read_json_lines
        found, trouble = reader(text, str(path), default_type)
        drafts += found
        problems += trouble
    return drafts, problems


def read_json_lines(text: str, source: str, default_type: str | None = None) -> tuple[list[Draft], list[Problem]]:
    """One event object a line; blank lines are skipped. `default_type` fills in a missing
    `type` and must match a present one."""
    drafts, problems = [], []
    for number, line in enumerate(text.split("\n"), start=1):  # not splitlines: U+2028 may be in a string
        if not line.strip():
            continue
        place = Place(source, (number,))
        try:
            event = json.loads(line, object_pairs_hook=_object)
        except json.JSONDecodeError as exc:
            problems.append(Problem(place, f"not JSON: {exc.msg} at column {exc.colno}"))
            continue
        except _RepeatedMember as exc:
            problems.append(Problem(place, f"member {exc} appears twice in an object"))
            continue
        if not isinstance(event, dict):
            problems.append(Problem(place, "an event must be a JSON object"))
            continue
        if default_type is not None:
            if "type" not in event:
                event = {"type": default_type, **event}
            elif event["type"] != default_type:
                problems.append(Problem(place, f"type is {event['type']!r} but --type is {default_type!r}"))
                continue
        drafts.append(Draft(event, place))
    return drafts, problems


class _RepeatedMember(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose members are distinct: a repeated one would silently hide a value."""
    result = dict(pairs)
    if len(result) != len(pairs):
        names = [name for name, _ in pairs]
        raise _RepeatedMember(repr(next(n for n in names if names.count(n) > 1)))
    return result


def check_drafts(drafts: Sequence[Draft], reporter: str, received_at: datetime | None = None) -> list[Problem]:
    """Every contract problem of the events, each at the line it comes from; event ids must be
    distinct across all the files. `received_at`: held to the bounds as if received then."""
    problems: list[Problem] = []
    first_place: dict[str, Place] = {}
    for draft in drafts:
        try:
            validate_event(draft.event, reporter, received_at)
        except InvalidDocument as exc:
            label = f"event {exc.event}: " if exc.event else ""
            problems += [Problem(draft.place_of(part), label + part) for part in _parts(str(exc))]
        else:
            try:
                canonical_bytes(draft.event)
            except ValueError:
                problems.append(
                    Problem(
                        draft.place,
                        f"event {draft.event['event_id']}: a number cannot be signed "
                        "exactly (integers are limited to ±2^53-1)",
                    )
                )
        event_id = draft.event.get("event_id")
        if isinstance(event_id, str):
            if event_id in first_place:
                problems.append(Problem(draft.place, f"event_id {event_id!r} is also used at {first_place[event_id]}"))
            else:
                first_place[event_id] = draft.place
    return problems


def _parts(message: str) -> list[str]:
    """A contract message names up to three members, `path: reason` joined by '; '."""
    return re.split(r"; (?=[\w\[\].]+: )", message)


def prepare_submission(
    paths: Sequence[Path],
    reporter: str,
    private_key: Ed25519PrivateKey,
    created_at: str,
    default_type: str | None = None,
) -> dict[str, Any]:
    """The signed submission of every event in the files; `EventsRejected` lists all that is
    wrong with them when any is."""
    check_reporter(reporter)
    created = check_time(created_at, "--created-at")
    drafts, problems = read_drafts(paths, default_type)
    problems += check_drafts(drafts, reporter, created)  # the bounds, as if received when signed
    if not drafts and not problems:
        raise UsageError(f"no events in {', '.join(map(str, paths))}")
    if problems:
        order = {str(path): index for index, path in enumerate(paths)}
        raise EventsRejected(sorted(problems, key=lambda p: (order.get(p.place.source, -1), p.place.lines[:1])))
    events = [d.event for d in drafts]
    validate_events(events, reporter, created)  # the very check ingest makes; it must agree with the one above
    document = sign_submission(reporter, private_key, created_at, events)
    validate_header(document)
    return document


def events_after(document: dict[str, Any]) -> list[str]:
    """Ids of events whose time is later than the submission's `created_at`."""
    created = _time.validate_python(document["created_at"])
    return [e["event_id"] for e in document["events"] if _time.validate_python(e["time"]) > created]


def count_by_type(document: dict[str, Any]) -> dict[str, int]:
    counts = Counter(e["type"] for e in document["events"])
    return {t: counts[t] for t in EVENT_TYPES if counts[t]}


def write_document(path: Path, document: dict[str, Any]) -> None:
    """Write the document to `path` atomically (a temporary file beside it, then a rename)."""
    data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if path.is_dir():
        raise UsageError(f"--out {path} is a directory; name the file to write")
    directory = path.parent
    if not directory.is_dir():
        raise UsageError(f"--out {path}: directory {directory} does not exist")
    try:
        replace_atomically(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
