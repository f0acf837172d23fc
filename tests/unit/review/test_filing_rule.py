"""The filing rule (`domain.prereview.holds`): an application may name a lot only while its
exporter holds it — created, in its custody, not on its way, exported, consumed or used up. Each
way of not holding it, and the near misses that still hold."""

from __future__ import annotations

from datetime import date

import pytest

from reetrace.domain.applications import Application, ApplicationItem, Party
from reetrace.domain.prereview import LotFacts, holds, unheld_items

ME, OTHER = "91110000MA0000003T", "91110000MA0000002P"


def facts(**changes) -> LotFacts:
    base = {
        "lot": "DYO-1",
        "form": "oxide",
        "composition": {"Dy": 0.8713},
        "remaining_kg": 20.0,
        "custodian": ME,
        "status": "held",
    }
    return LotFacts(**(base | changes))


@pytest.mark.parametrize(
    "lot",
    [
        None,  # never created
        facts(custodian=OTHER),  # another enterprise holds it
        facts(status="in_transit"),  # shipped, not yet received
        facts(status="exported"),
        facts(status="consumed", remaining_kg=0.0),
        facts(remaining_kg=0.0),  # drawn down to nothing
        facts(remaining_kg=1e-7),
    ],
)
def test_a_lot_the_exporter_does_not_hold(lot):
    assert not holds(lot, ME)


@pytest.mark.parametrize("lot", [facts(), facts(remaining_kg=0.001), facts(remaining_kg=2e-6)])
def test_a_lot_it_holds_however_little_is_left(lot):
    assert holds(lot, ME)


def test_the_items_that_name_a_lot_not_held_are_numbered():
    application = Application(
        exporter=ME,
        license_type="single",
        items=(
            ApplicationItem(lot="DYO-1"),
            ApplicationItem(control_code="1C905.b", form="oxide", element="Dy", quantity_kg=5.0),
            ApplicationItem(lot="DYO-2"),
            ApplicationItem(lot="DYO-3"),
        ),
        parties=(Party("consignee", "X GmbH", "DE"), Party("end_user", "X GmbH", "DE")),
        end_use="Magnets for servo motors made in Germany",
        destination="DE",
        contract_ref="C-1",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        documents=(),
    )
    lots = {"DYO-1": facts(), "DYO-2": facts(lot="DYO-2", custodian=OTHER)}
    assert unheld_items(application, lots) == [3, 4]  # the described item needs no lot
