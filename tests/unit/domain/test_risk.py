"""The risk score (reetrace.domain.risk): the robust outlier rule on hand-worked and generated
values, the figures from element masses, and the ranking with its explanation."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reetrace.domain.elements import reo_kg
from reetrace.domain.risk import (
    ELEMENT_KEPT,
    MIN_PEERS,
    RECYCLED_SHARE,
    UTILISATION,
    YIELD,
    Figure,
    Flow,
    MonthFindings,
    figure_points,
    judge,
    month_figures,
    rank,
    robust_z,
)

ratios = st.floats(min_value=0.0, max_value=2.0, allow_nan=False)


def test_robust_z_by_hand():
    # median 3, absolute deviations 2 1 0 1 97 → MAD 1 → scale 1.4826
    assert robust_z(100, [1, 2, 3, 4, 100]) == pytest.approx(97 / 1.4826)
    assert robust_z(1, [1, 2, 3, 4, 100]) == pytest.approx(-2 / 1.4826)


def test_when_most_peers_agree_the_mean_deviation_takes_over():
    # median 1, deviations 0 0 0 0 4: MAD 0 → mean absolute deviation 0.8 × 1.2533
    assert robust_z(5, [1, 1, 1, 1, 5]) == pytest.approx(4 / (0.8 * 1.2533))


def test_equal_peers_put_no_one_apart_and_the_floor_bounds_the_scale():
    assert robust_z(0.9, [0.9] * 6) == 0
    assert robust_z(0.95, [0.9] * 6, min_scale=0.01) == pytest.approx(5.0)


@given(
    st.lists(st.integers(0, 200).map(lambda i: i / 100), min_size=1, max_size=30),
    st.integers(-5, 5),
    st.sampled_from([0.25, 2.0, 10.0]),
)
def test_robust_z_does_not_depend_on_units_or_origin(values, shift, factor):
    value = values[0]
    moved = [v * factor + shift for v in values]
    assert robust_z(value * factor + shift, moved) == pytest.approx(robust_z(value, values), rel=1e-6, abs=1e-6)


@given(st.lists(ratios, min_size=MIN_PEERS, max_size=30), st.randoms(use_true_random=False))
def test_judging_does_not_depend_on_order(values, rnd):
    figures = [Figure(f"E{i:03d}", "2026-01", YIELD, v, "separation") for i, v in enumerate(values)]
    shuffled = list(figures)
    rnd.shuffle(shuffled)
    assert judge(figures) == judge(shuffled)
    assert rank([], figures) == rank([], shuffled)


@given(st.lists(ratios, min_size=MIN_PEERS - 1, max_size=30))
def test_one_gross_outlier_stands_out_whatever_the_honest_spread(values):
    """Honest peers within ±1 % of 0.95, even all equal (MAD 0), leave the one far off apart."""
    peers = [0.95 + (v - 1.0) * 0.01 for v in values]
    group = [*peers, 0.2]
    assert figure_points(YIELD, robust_z(0.2, group, min_scale=0.01)) > 0


def test_a_wide_honest_spread_hides_a_small_difference():
    spread = [0.80, 0.85, 0.90, 0.95, 1.00, 0.88]
    assert figure_points(YIELD, robust_z(0.88, spread, min_scale=0.01)) == 0


def test_fewer_peers_than_the_minimum_judge_no_one():
    few = [Figure(f"E{i}", "2026-01", YIELD, v, "metal") for i, v in enumerate([0.99, 0.98, 0.5][: MIN_PEERS - 2])]
    assert judge(few) == []


def test_only_the_side_that_points_to_evasion_counts():
    assert figure_points(ELEMENT_KEPT, -4.0) > 0 and figure_points(ELEMENT_KEPT, 4.0) == 0
    assert figure_points(UTILISATION, 4.0) > 0 and figure_points(UTILISATION, -4.0) == 0
    assert figure_points(YIELD, 4.0) == figure_points(YIELD, -4.0) > 0  # laundering or diversion
    assert figure_points(YIELD, 2.0) == 0  # below the floor
    assert figure_points(YIELD, 1000.0) == figure_points(YIELD, 50.0)  # capped


def test_figures_from_element_masses():
    feed = {"Nd": 100.0, "Dy": 10.0, "Ce": 200.0}
    kept = {"Nd": 90.0, "Dy": 4.0, "Ce": 180.0}
    inputs = {
        ("A", "2026-03", "separation"): Flow(1000.0, feed),
        ("A", "2026-03", "recycling"): Flow(250.0, {"Nd": 0.5}),  # too little REO for a yield
    }
    outputs = {
        ("A", "2026-03", "separation"): Flow(0.0, kept),
        ("A", "2026-03", None): Flow(0.0, {"Ce": 120.0}),  # mined
        ("A", "2026-03", "repack"): Flow(0.0, {"Ce": 1000.0}),  # not output against capacity
    }
    got = {(f.name, f.process, f.element): f.value for f in month_figures(outputs, inputs, {"A": 12.0})}
    assert got[(YIELD, "separation", None)] == pytest.approx(reo_kg(kept) / reo_kg(feed))
    assert got[(ELEMENT_KEPT, "separation", "Dy")] == pytest.approx(0.4)
    assert (ELEMENT_KEPT, "separation", "Nd") not in got  # Nd is not a controlled element
    assert (YIELD, "recycling", None) not in got
    assert got[(RECYCLED_SHARE, "recycling", None)] == pytest.approx(250 / 1250)
    # 12 t a year is 1 t a month; the month made the REO of 90 Nd + 4 Dy + 180 Ce + 120 Ce
    made = reo_kg(kept) + reo_kg({"Ce": 120.0})
    assert got[(UTILISATION, None, None)] == pytest.approx(made / 1000.0)
    assert not [f for f in month_figures(outputs, inputs, {}) if f.name == UTILISATION]  # no capacity, no figure


def plants(values: list[float], month: str = "2026-01") -> list[Figure]:
    return [Figure(f"E{i:02d}", month, ELEMENT_KEPT, v, "separation", "Dy") for i, v in enumerate(values)]


def test_findings_and_outliers_rank_and_explain():
    figures = plants([0.97, 0.96, 0.98, 0.95, 0.97, 0.40])
    findings = [
        MonthFindings("E01", "2026-01", "LATE_REPORT", "low", 1),
        MonthFindings("E02", "2026-02", "LOT_OVERDRAWN", "high", 4),
    ]
    rows = rank(findings, figures)
    # four high findings (4 × (1 + log2 4) = 12) before one capped outlier (0.5 × 12 = 6), then one low
    assert [(r.enterprise, r.month) for r in rows[:3]] == [("E02", "2026-02"), ("E05", "2026-01"), ("E01", "2026-01")]
    assert rows[0].score == pytest.approx(12.0) and rows[1].score == pytest.approx(6.0)
    top = rows[1]
    (why,) = top.contributions
    assert (why.figure, why.element, why.value, why.peers) == (ELEMENT_KEPT, "Dy", 0.40, 6)
    assert why.median == pytest.approx(0.965) and why.z < -10 and top.score == pytest.approx(why.points)
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].percentile == pytest.approx(100 * (len(rows) - 1) / len(rows))
    assert rows[-1].percentile == 0 and rows[-1].score == 0
    assert top.figures == 1


def test_equal_scores_share_a_percentile_and_rank_by_name():
    rows = rank([MonthFindings(w, "2026-05", "LATE_REPORT", "low", 1) for w in ("B", "A")], [])
    assert [r.enterprise for r in rows] == ["A", "B"]
    assert rows[0].percentile == rows[1].percentile == 0


def test_the_ranking_is_deterministic_on_a_shuffled_year():
    rnd = random.Random(5)
    figures = [
        Figure(f"E{i:02d}", f"2026-{m:02d}", YIELD, rnd.uniform(0.85, 1.0), p)
        for i in range(20)
        for m in range(1, 4)
        for p in ("separation", "metal")
    ]
    findings = [MonthFindings(f"E{i:02d}", "2026-02", "LOW_YIELD", "high", i % 3) for i in range(20)]
    expected = rank(findings, figures)
    rnd.shuffle(figures)
    rnd.shuffle(findings)
    assert rank(findings, figures) == expected
