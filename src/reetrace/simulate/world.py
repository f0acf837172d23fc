"""The demo's `World`, streamed: only live state is kept (lots still held, shipments in transit,
counters), and each enterprise's month is signed and written as soon as the month is over: as a
§4 submission, or, for `epcis_share` of enterprise-months, as an EPCIS document with its
detached JWS (reetrace.demo.epcis).

Events are given their times at the end of each day (`assign_times` sees only that day's) and
are then kept only as their line of the submission file and their canonical bytes (what the
signature covers) until the month ends. A lot put aside for the rest of the year (`keep`) is
counted and forgotten: it never moves again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reetrace.demo import epcis
from reetrace.demo.cast import Actor
from reetrace.demo.chain import CST, Holding, World
from reetrace.demo.documents import event_line, submission_file
from reetrace.ledger.canonical import canonical_bytes
from reetrace.ledger.signing import key_id, raw_public_key, sign
from reetrace.ledger.submission import FORMAT, signed_message

DEADLINE_DAY = 10  # each enterprise sends the previous month's events by the 10th (Order No. 71)


@dataclass
class StreamingWorld(World):
    directory: Path = Path(".")
    written: dict[str, list[tuple[str, bytes]]] = field(default_factory=lambda: defaultdict(list))
    stocked_kg: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    event_count: int = 0
    submission_count: int = 0  # monthly reports written, §4 submissions and EPCIS documents
    epcis_share: float = 0.0  # of enterprise-months reported in EPCIS (`epcis.in_epcis`)
    seed: int = 0  # what decides which enterprise-months those are
    epcis_count: int = 0
    _controlled: dict[tuple[int, str, tuple[str, ...]], list[tuple[str, str]]] = field(default_factory=dict)

    def controlled(self, holding: Holding) -> list[tuple[str, str]]:
        """As the demo's, remembered for the day: it depends only on the form and the elements."""
        key = (self.day, holding.form, tuple(holding.composition))
        items = self._controlled.get(key)
        if items is None:
            if len(self._controlled) > 4096:
                self._controlled.clear()
            items = self._controlled[key] = super().controlled(holding)
        return items

    def keep(self, actor: Actor, holding: Holding) -> None:
        del self.holdings[actor.key][holding.lot]
        self.stocked_kg[holding.product] += holding.mass

    def end_day(self) -> None:
        """Time today's events and set them aside for their month's submission."""
        self.assign_times()
        for key, emitted in self.events.items():
            # a compact copy of the canonical bytes: an encoder's buffer can be far larger than them
            self.written[key].extend(
                (event_line(e.event), bytes(memoryview(canonical_bytes(e.event)))) for e in emitted
            )
            self.event_count += len(emitted)
        self.events.clear()

    def flush_month(self, month: int, is_late: Callable[[Actor], bool], on_late: Callable[[Actor, str], None]) -> None:
        """Sign and write every enterprise's submission of `month`. `is_late` is asked once per
        submission, in the order of the cast; `on_late` is told of each late one and its signing
        time."""
        for actor in self.actors:
            events = self.written.pop(actor.key, None)
            if not events:
                continue
            self.rng.shuffle(events)
            overdue = is_late(actor)
            day = self.rng.randint(DEADLINE_DAY + 1, 28) if overdue else self.rng.randint(1, DEADLINE_DAY - 1)
            created = self.signed_at(month, day)
            if overdue:
                on_late(actor, created)
            path = self.directory / "submissions" / actor.uscc / f"{self.year}-{month:02d}.json"
            if epcis.in_epcis(self.epcis_share, self.seed, actor.uscc, path.stem):
                self._write_report(actor, path.with_suffix(epcis.SUFFIX), events, created)
            else:
                self._write_submission(actor, path, events, created)
            self.submission_count += 1

    def _write_submission(self, actor: Actor, path: Path, events: list[tuple[str, bytes]], created: str) -> None:
        assert actor.private_key is not None
        doc: dict[str, Any] = {
            "format": FORMAT,
            "reporter": actor.uscc,
            "key_id": key_id(raw_public_key(actor.private_key)),
            "created_at": created,
            "events": [],
        }
        doc["signature"] = sign(actor.private_key, signed_message(doc, [canonical for _, canonical in events]))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(submission_file(doc, [line for line, _ in events]), encoding="utf-8")

    def _write_report(self, actor: Actor, path: Path, events: list[tuple[str, bytes]], created: str) -> None:
        """The month as an EPCIS document signed with a detached JWS, its events in the same order."""
        assert actor.private_key is not None
        document = epcis.report(actor.uscc, [json.loads(line) for line, _ in events], created)
        epcis.write_signed(path, document, actor.private_key)
        self.epcis_count += 1

    def signed_at(self, month: int, day: int) -> str:
        """A signing time on `day` of the month after `month`, in office hours."""
        year, month = (self.year + 1, 1) if month == 12 else (self.year, month + 1)
        moment = datetime(year, month, day, 8, 30, tzinfo=CST) + timedelta(seconds=self.rng.randrange(9 * 3600))
        return moment.isoformat()
