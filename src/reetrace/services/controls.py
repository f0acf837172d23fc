"""Use cases: the control list in force (the initial document plus the changes recorded in the
store), a regulator's change to it, and the classification of a lot on a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection

from reetrace.config import Settings
from reetrace.domain.accounts import Actor
from reetrace.domain.controls import ControlChange, ControlledItem, ControlList, apply_changes, check_change
from reetrace.errors import NotFound
from reetrace.services.access_log import note_change
from reetrace.store.controls_repo import RecordedChange, list_changes, lot_as_created, record_change
from reetrace.store.database import Store


def base_list(settings: Settings) -> ControlList:
    """The initial list, from the configured document."""
    return ControlList.from_document(settings.control_list_document())


def control_list_in(conn: Connection, settings: Settings) -> ControlList:
    """The list as the store holds it, read inside the caller's transaction."""
    return apply_changes(base_list(settings), (r.change for r in list_changes(conn)))


def control_list(store: Store, settings: Settings) -> ControlList:
    with store.reading() as conn:
        return control_list_in(conn, settings)


def control_history(store: Store, settings: Settings) -> tuple[ControlList, list[RecordedChange]]:
    """The list as the store holds it, and the changes recorded, oldest first."""
    with store.reading() as conn:
        changes = list_changes(conn)
    return apply_changes(base_list(settings), (r.change for r in changes)), changes


def change_control(
    store: Store,
    settings: Settings,
    action: str,
    code: str,
    *,
    effective: date,
    by: str,
    why: str,
    element: str | None = None,
    groups: tuple[str, ...] = (),
    until: date | None = None,
    now: datetime | None = None,
    actor: Actor | None = None,
) -> RecordedChange:
    """Record a regulator's change after checking it against the list as it stands, and write it
    to the access log with it, naming `actor`; raises InvalidInput (unknown or duplicate code,
    unknown element, bad group letters, no who or why)."""
    change = ControlChange(
        action=action,
        code=code.strip(),
        effective=effective,
        by=by.strip(),
        why=why.strip(),
        element=element,
        groups=tuple(groups),
        until=until,
    )
    recorded_at = now or datetime.now(UTC)
    with store.writing() as conn:
        check_change(control_list_in(conn, settings), change)
        change_id = record_change(conn, change, recorded_at)
        from reetrace.services.supervision_changes import controls_changed  # it reads the control list

        controls_changed(conn, settings, change.effective)
        span = f"from {change.effective}" + (f" until {change.until}" if change.until else "")
        note_change(conn, actor, f"control {action}", None, f"{change.code} {span}: change {change_id}")
    return RecordedChange(change_id, change, recorded_at)


@dataclass(frozen=True, slots=True)
class Classification:
    lot: str
    on: date
    form: str
    controlled: list[ControlledItem]

    def as_json(self) -> dict[str, object]:
        return {
            "lot": self.lot,
            "on": self.on.isoformat(),
            "form": self.form,
            "controlled": [{"code": c.code, "element": c.element, "group": c.group} for c in self.controlled],
        }


def classify_lot(store: Store, settings: Settings, lot: str, day: date) -> Classification:
    """The control codes `lot` falls under on `day`, from its form and composition as created."""
    with store.reading() as conn:
        created = lot_as_created(conn, lot)
        if created is None:
            raise NotFound(f"lot {lot} is not in the ledger")
        controls = control_list_in(conn, settings)
    form, composition = created
    return Classification(lot, day, form, controls.classify(form, composition, day))
