"""Where inspection visits should go: a risk score per enterprise and month, ranked.

A score adds two kinds of evidence, each listed as a contribution so that every score explains
itself (docs/risk.md):

- **findings**: each current finding of the month (the month of its event, else the month it
  names) weighs by its severity (`SEVERITY_POINTS`); several findings of one code in one month
  weigh `points × (1 + log2 n)`, so that one broken habit repeated does not drown the rest;
- **figures far from the peers**: an enterprise's figure of the month (the REO yield of a
  process, the share of a controlled element kept through a process, output against capacity,
  the share of recycled input) against the same figure of every enterprise doing the same
  thing in the same month. The distance is a robust z-score (`robust_z`): from the peers'
  median, in units of their median absolute deviation, so that a few violators among the peers
  do not hide themselves by widening the spread. Only the direction that points to evasion
  counts (`DIRECTION`): a yield too low or too high, an element lost, a capacity overrun, a
  recycled share too high. A figure at `Z_FLOOR` or beyond contributes `FIGURE_POINTS × z`,
  with z capped at `Z_CAP`.

Rows are ranked by score, highest first (ties by enterprise and month); a row's percentile is
the share of rows scoring strictly less. Everything here is a pure function of its inputs.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median

from reetrace.domain.elements import reo_kg

# what one finding of each severity weighs
SEVERITY_POINTS = {"critical": 8.0, "high": 4.0, "medium": 2.0, "low": 1.0}
# the figures, and which side of the peers' median points to evasion (+1 above, -1 below, 0 both)
YIELD, ELEMENT_KEPT, UTILISATION, RECYCLED_SHARE = "yield", "element_kept", "utilisation", "recycled_share"
FIGURES = (YIELD, ELEMENT_KEPT, UTILISATION, RECYCLED_SHARE)
DIRECTION = {YIELD: 0, ELEMENT_KEPT: -1, UTILISATION: 1, RECYCLED_SHARE: 1}
# the smallest spread a figure's peers are taken to have: below it, differences are noise
# (all four figures are ratios)
MIN_SCALE = {YIELD: 0.01, ELEMENT_KEPT: 0.01, UTILISATION: 0.05, RECYCLED_SHARE: 0.02}
MIN_PEERS = 5  # enterprises with the figure in the month, itself included, before anyone is judged
Z_FLOOR = 2.5  # a figure this far from its peers, or farther, contributes
Z_CAP = 12.0
FIGURE_POINTS = 0.5  # per unit of robust z
MAD_TO_SD = 1.4826  # MAD × this estimates the standard deviation of a normal population
MEAN_AD_TO_SD = 1.2533  # mean absolute deviation × this, the same (used when the MAD is 0)
# a yield is a figure once this much REO went in; an element's share kept once this much of it
MIN_REO_IN_KG = 10.0
MIN_ELEMENT_IN_KG = 1.0
CONTROLLED = ("Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Y", "Sc")  # CONTRACT.md §12
UNCOUNTED_OUTPUT = frozenset({"repack"})  # a repack makes no new material: not output against capacity
RECYCLING = "recycling"


@dataclass(slots=True)
class Flow:
    """What an enterprise's events of one process moved in one month: kilograms drawn (inputs
    only) and kilograms of each element."""

    mass_kg: float = 0.0
    elements_kg: dict[str, float] = field(default_factory=dict)


# (enterprise, "YYYY-MM", process; None for what was extracted) -> Flow
Flows = Mapping[tuple[str, str, str | None], Flow]


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of an enterprise in a month. `process` names the transforms it is about
    (None: all of the enterprise's output), `element` the element (ELEMENT_KEPT only)."""

    enterprise: str
    month: str  # YYYY-MM
    name: str
    value: float
    process: str | None = None
    element: str | None = None

    @property
    def peer_group(self) -> tuple[str, str, str | None, str | None]:
        return (self.name, self.month, self.process, self.element)


@dataclass(frozen=True, slots=True)
class MonthFindings:
    """How many current findings of one code and severity an enterprise has in a month."""

    enterprise: str
    month: str
    code: str
    severity: str
    count: int


@dataclass(frozen=True, slots=True)
class Contribution:
    """One reason in a score: a finding code (its severity and count), or a figure with the
    peers' median, the robust z and how many peers it was judged against."""

    points: float
    code: str | None = None
    severity: str | None = None
    count: int = 0
    figure: str | None = None
    process: str | None = None
    element: str | None = None
    value: float | None = None
    median: float | None = None
    z: float | None = None
    peers: int = 0

    @property
    def kind(self) -> str:
        return "finding" if self.code is not None else "figure"


@dataclass(frozen=True, slots=True)
class RiskRow:
    enterprise: str
    month: str
    score: float
    rank: int  # 1 = highest score
    percentile: float  # share of rows scoring strictly less, in percent
    contributions: tuple[Contribution, ...]
    figures: int  # figures of the month judged against peers


def month_figures(outputs: Flows, inputs: Flows, capacity_t_reo: Mapping[str, float]) -> list[Figure]:
    """The figures of each enterprise and month, from what its events created (`outputs`) and
    drew (`inputs`) per process, and its registered capacity (t REO a year, all sites):

    - `yield` per process: REO out ÷ REO in, once `MIN_REO_IN_KG` went in;
    - `element_kept` per process and controlled element: element out ÷ element in, once
      `MIN_ELEMENT_IN_KG` of it went in;
    - `utilisation`: the month's output (REO of extracts and transforms but repacks) ÷ a
      twelfth of the yearly capacity, for an enterprise with a capacity and output;
    - `recycled_share`: kilograms drawn by recycling ÷ kilograms drawn by all its transforms,
      for an enterprise that recycled."""
    figures = []
    drawn: dict[tuple[str, str], float] = defaultdict(float)
    for (who, month, process), flow in sorted(inputs.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or "")):
        if process is None:
            continue
        drawn[(who, month)] += flow.mass_kg
        made = outputs.get((who, month, process), Flow()).elements_kg
        reo_in = reo_kg(flow.elements_kg)
        if reo_in >= MIN_REO_IN_KG:
            figures.append(Figure(who, month, YIELD, reo_kg(made) / reo_in, process))
        for element in CONTROLLED:
            kg_in = flow.elements_kg.get(element, 0.0)
            if kg_in >= MIN_ELEMENT_IN_KG:
                figures.append(Figure(who, month, ELEMENT_KEPT, made.get(element, 0.0) / kg_in, process, element))
    for (who, month), total in sorted(drawn.items()):
        recycled = inputs.get((who, month, RECYCLING), Flow()).mass_kg
        if recycled > 0 and total > 0:
            figures.append(Figure(who, month, RECYCLED_SHARE, recycled / total, RECYCLING))
    produced: dict[tuple[str, str], float] = defaultdict(float)
    for (who, month, process), flow in outputs.items():
        if process not in UNCOUNTED_OUTPUT:
            produced[(who, month)] += reo_kg(flow.elements_kg)
    for (who, month), reo in sorted(produced.items()):
        capacity = capacity_t_reo.get(who, 0.0)
        if capacity > 0 and reo > 0:
            figures.append(Figure(who, month, UTILISATION, reo / (capacity * 1000.0 / 12.0)))
    return figures


def robust_z(value: float, values: Sequence[float], min_scale: float = 0.0) -> float:
    """How far `value` lies from the median of `values`, in robust standard deviations: the
    median absolute deviation (MAD) × 1.4826 (Iglewicz and Hoaglin's modified z-score), or, when
    more than half the values are equal so that the MAD is 0, the mean absolute deviation ×
    1.2533; never less than `min_scale`. 0 when every value is equal and `min_scale` is 0."""
    if not values:
        raise ValueError("robust_z needs at least one value")
    centre = median(values)
    deviations = [abs(v - centre) for v in values]
    scale = MAD_TO_SD * median(deviations)
    if scale == 0:
        scale = MEAN_AD_TO_SD * sum(deviations) / len(deviations)
    scale = max(scale, min_scale)
    if scale == 0:
        return 0.0
    return (value - centre) / scale


@dataclass(frozen=True, slots=True)
class Judged:
    figure: Figure
    median: float
    z: float
    peers: int


def judge(figures: Iterable[Figure]) -> list[Judged]:
    """Every figure that has at least `MIN_PEERS` in its group (same figure, month, process and
    element), with its peers' median and robust z."""
    groups: dict[tuple[str, str, str | None, str | None], list[Figure]] = defaultdict(list)
    for f in figures:
        groups[f.peer_group].append(f)
    judged = []
    for key in sorted(groups, key=lambda k: tuple(x or "" for x in k)):
        group = sorted(groups[key], key=lambda f: f.enterprise)
        if len(group) < MIN_PEERS:
            continue
        values = [f.value for f in group]
        centre = median(values)
        for f in group:
            z = robust_z(f.value, values, MIN_SCALE.get(f.name, 0.0))
            judged.append(Judged(f, centre, z, len(group)))
    return judged


def figure_points(name: str, z: float) -> float:
    """What a figure this far from its peers adds to a score: 0 unless it lies at `Z_FLOOR` or
    beyond on the side that points to evasion."""
    direction = DIRECTION.get(name, 0)
    distance = abs(z) if direction == 0 else z * direction
    if distance < Z_FLOOR:
        return 0.0
    return FIGURE_POINTS * min(distance, Z_CAP)


def finding_points(severity: str, count: int) -> float:
    return SEVERITY_POINTS.get(severity, 1.0) * (1.0 + math.log2(count)) if count > 0 else 0.0


def rank(findings: Iterable[MonthFindings], figures: Iterable[Figure]) -> list[RiskRow]:
    """Every enterprise and month that has a finding or a figure, scored, explained and ranked."""
    parts: dict[tuple[str, str], list[Contribution]] = defaultdict(list)
    judged_count: dict[tuple[str, str], int] = defaultdict(int)
    for mf in findings:
        if mf.count > 0:
            parts[(mf.enterprise, mf.month)].append(
                Contribution(finding_points(mf.severity, mf.count), code=mf.code, severity=mf.severity, count=mf.count)
            )
    every = list(figures)
    for f in every:
        parts.setdefault((f.enterprise, f.month), [])
    for j in judge(every):
        key = (j.figure.enterprise, j.figure.month)
        judged_count[key] += 1
        points = figure_points(j.figure.name, j.z)
        if points > 0:
            f = j.figure
            parts[key].append(
                Contribution(
                    points,
                    figure=f.name,
                    process=f.process,
                    element=f.element,
                    value=f.value,
                    median=j.median,
                    z=j.z,
                    peers=j.peers,
                )
            )
    scored = sorted(
        ((round(sum(c.points for c in cs), 6), who, month, cs) for (who, month), cs in parts.items()),
        key=lambda r: (-r[0], r[1], r[2]),
    )
    ascending = sorted(r[0] for r in scored)
    rows = []
    for n, (score, who, month, cs) in enumerate(scored, start=1):
        below = _count_below(ascending, score)
        explained = tuple(
            sorted(cs, key=lambda c: (-c.points, c.code or "", c.figure or "", c.process or "", c.element or ""))
        )
        rows.append(RiskRow(who, month, score, n, 100.0 * below / len(scored), explained, judged_count[(who, month)]))
    return rows


def _reason_order(c: Contribution) -> tuple[float, str, str, str, str]:
    return (-c.points, c.code or "", c.figure or "", c.process or "", c.element or "")


def _count_below(ascending: Sequence[float], score: float) -> int:
    """How many of the (ascending) scores are strictly less than `score`."""
    return bisect_left(ascending, score)
