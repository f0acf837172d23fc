"""The control list as dated data: classification on a day, and regulators' changes replayed
over the initial list (add, suspend until a day or open, end)."""

from __future__ import annotations

from datetime import date

import pytest
from builders import controls

from reetrace.domain.controls import ControlChange, apply_changes
from reetrace.errors import InvalidInput

HO_OXIDE = {"Ho": 0.87}
DY_MAGNET = {"Nd": 0.29, "Dy": 0.01}


def change(action: str, code: str, effective: str, **kw) -> ControlChange:
    until = kw.pop("until", None)
    return ControlChange(
        action,
        code,
        date.fromisoformat(effective),
        by=kw.pop("by", "MOFCOM"),
        why=kw.pop("why", "announcement"),
        until=date.fromisoformat(until) if until else None,
        **kw,
    )


def codes(control_list, form, composition, day: str) -> list[str]:
    return [c.code for c in control_list.classify(form, composition, date.fromisoformat(day))]


def test_no_57_is_suspended_until_10_november_2026_and_applies_again_after():
    base = controls()
    assert codes(base, "oxide", HO_OXIDE, "2025-11-09") == ["1C909"]  # in force for two days
    assert codes(base, "oxide", HO_OXIDE, "2025-11-10") == []
    assert codes(base, "oxide", HO_OXIDE, "2026-11-09") == []
    assert codes(base, "oxide", HO_OXIDE, "2026-11-10") == ["1C909"]  # the suspension has lapsed


def test_a_recorded_extension_of_the_no_57_suspension_keeps_it_out_of_force():
    extended = apply_changes(controls(), [change("suspend", "1C909", "2026-11-10", until="2027-11-10")])
    assert codes(extended, "oxide", HO_OXIDE, "2026-11-10") == []
    assert codes(extended, "oxide", HO_OXIDE, "2027-11-10") == ["1C909"]
    open_ended = apply_changes(controls(), [change("suspend", "1C909", "2026-11-10")])
    assert codes(open_ended, "oxide", HO_OXIDE, "2030-01-01") == []
    assert codes(open_ended, "oxide", HO_OXIDE, "2025-11-09") == ["1C909"]  # the past is unchanged


def test_an_added_entry_applies_from_its_effective_date_to_its_groups_only():
    added = apply_changes(controls(), [change("add", "1C914", "2027-01-01", element="Nd", groups=("a",))])
    assert codes(added, "magnet", DY_MAGNET, "2026-12-31") == ["1C905"]
    assert codes(added, "magnet", DY_MAGNET, "2027-01-01") == ["1C905", "1C914"]
    assert codes(added, "oxide", {"Nd": 0.85}, "2027-01-01") == []  # group b is not listed
    assert [c.group for c in added.classify("magnet", DY_MAGNET, date(2027, 1, 1))] == ["a", "a"]


def test_an_ended_entry_stops_applying_from_its_end_date():
    ended = apply_changes(controls(), [change("end", "1C905", "2026-06-01")])
    assert codes(ended, "oxide", {"Dy": 0.87}, "2026-05-31") == ["1C905"]
    assert codes(ended, "oxide", {"Dy": 0.87}, "2026-06-01") == []
    assert codes(controls(), "oxide", {"Dy": 0.87}, "2026-06-01") == ["1C905"]  # the base is not changed


def test_changes_apply_in_order_so_an_added_entry_can_then_be_suspended():
    changed = apply_changes(
        controls(),
        [
            change("add", "1C914", "2027-01-01", element="Pr", groups=("b", "c")),
            change("suspend", "1C914", "2027-03-01", until="2027-04-01"),
        ],
    )
    assert codes(changed, "oxide", {"Pr": 0.8}, "2027-02-28") == ["1C914"]
    assert codes(changed, "oxide", {"Pr": 0.8}, "2027-03-15") == []
    assert codes(changed, "oxide", {"Pr": 0.8}, "2027-04-01") == ["1C914"]


@pytest.mark.parametrize(
    "bad, message",
    [
        (change("suspend", "1C999", "2026-01-01"), "unknown control code 1C999"),
        (change("end", "1C999", "2026-01-01"), "unknown control code 1C999"),
        (change("add", "1C905", "2026-01-01", element="Dy", groups=("a",)), "already on the list"),
        (change("add", "1C914", "2026-01-01", element="Fe", groups=("a",)), "unknown element 'Fe'"),
        (change("add", "1C914", "2026-01-01", element="Nd", groups=("a", "d")), "bad group letter(s) d"),
        (change("add", "1C914", "2026-01-01", element="Nd", groups=()), "bad group letter(s)"),
        (change("suspend", "1C905", "2026-01-01", by=" "), "who makes the change"),
        (change("end", "1C905", "2026-01-01", why=""), "why the change"),
        (change("suspend", "1C905", "2026-02-01", until="2026-01-01"), "must end after it starts"),
        (change("pause", "1C905", "2026-01-01"), "unknown action 'pause'"),
    ],
)
def test_a_change_that_does_not_fit_the_list_is_refused_with_a_clear_message(bad, message):
    with pytest.raises(InvalidInput) as caught:
        apply_changes(controls(), [bad])
    assert message in str(caught.value)
