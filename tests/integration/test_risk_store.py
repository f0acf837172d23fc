"""The risk view's figures read from a real store by grouped queries (reetrace.store.risk_repo),
checked against hand-worked element masses, and the view ranking a plant that diverts
dysprosium and yields less than its peers first. Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date

import pytest

import risk_ledger
from reetrace.config import Settings
from reetrace.domain.elements import reo_kg
from reetrace.services.risk import risk_document, risk_view
from reetrace.store.risk_repo import input_elements, output_elements
from risk_ledger import DIVERTER_YIELD


@pytest.fixture
def ledger(store, write_json):
    return risk_ledger.build(store, write_json)


def test_the_queries_give_each_plants_element_masses_by_local_month(store, ledger):
    with store.reading() as conn:
        made, drawn = output_elements(conn, 2026, 8), input_elements(conn, 2026, 8)
    diverter, night = ledger[5].uscc, ledger[4].uscc
    inputs = drawn[(diverter, "2026-01", "separation")]
    assert inputs.mass_kg == pytest.approx(1000)
    assert inputs.elements_kg == pytest.approx({"Ce": 200, "La": 100, "Nd": 70, "Dy": 10})
    outputs = made[(diverter, "2026-01", "separation")]
    assert outputs.elements_kg["Dy"] == pytest.approx(5)
    assert outputs.elements_kg["Nd"] == pytest.approx(70 * DIVERTER_YIELD)
    assert made[(diverter, "2026-01", None)].elements_kg["Ce"] == pytest.approx(200)  # what it mined
    assert (night, "2026-02", "separation") in drawn and (night, "2026-01", "separation") not in drawn
    assert reo_kg(outputs.elements_kg) / reo_kg(inputs.elements_kg) == pytest.approx(0.8, abs=0.06)


def test_a_year_without_events_has_no_figures(store, ledger):
    with store.reading() as conn:
        assert output_elements(conn, 2025, 8) == {} and input_elements(conn, 2025, 8) == {}


def test_the_diverter_ranks_first_with_its_reasons(store, ledger):
    view = risk_view(store, Settings(), 2026, date(2026, 3, 31), wait=True)
    top = view.rows[0]
    assert (top.enterprise, top.month) == (ledger[5].uscc, "2026-01")
    reasons = {(c.figure, c.element) for c in top.contributions if c.kind == "figure"}
    assert ("element_kept", "Dy") in reasons
    assert "LOW_YIELD" in {c.code for c in top.contributions if c.kind == "finding"}
    kept = next(c for c in top.contributions if c.element == "Dy")
    assert kept.value == pytest.approx(0.5) and kept.z is not None and kept.z < -2.5 and kept.peers == 5
    # the night plant is in February, so January's Dy peers are the other five
    assert top.percentile > max(r.percentile for r in view.rows[1:])
    doc = risk_document(view, top=2)
    assert doc["format"] == "reetrace/risk@1" and len(doc["rows"]) == 2 and doc["rows_total"] == len(view.rows)
    assert doc["rows"][0]["contributions"][0]["points"] >= doc["rows"][0]["contributions"][-1]["points"]
