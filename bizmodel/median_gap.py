"""Why the Monte Carlo median NPV differs from the plan's NPV, input by input.

The plan (:func:`bizmodel.projection.project`) projects each field at the scenario's own value,
its *most likely* value. The Monte Carlo (:mod:`bizmodel.montecarlo`) draws each ranged field from
its distribution, and the P50 of the NPV across paths need not equal the plan's NPV, for two
reasons this module separates:

1. **A range that does not centre on the value.** A triangular range whose mode (the value) is not
   midway between low and high has its median on the longer side: churn triangular 2–5 % with
   mode 3 % has median 3.27 %, CAC $250–$700 with mode $400 has median $440. Moving that one
   input from its value to its median, all else at the plan, moves the NPV by the input's
   **effect** (for one input alone, the NPV's median is exactly the NPV at the input's median,
   the projection being monotone in every input).
2. **The ranges acting together.** With several uncertain inputs the median of the NPV is not the
   plan's NPV plus the sum of those effects: a median of combined uncertainties is not the sum of
   their medians (skewed effects pull it towards their means), and the NPV is not linear in its
   inputs (churn and market size multiply). This part is the **interaction**, measured as what
   the effects leave unexplained; it also holds the Monte Carlo's sampling noise.

Conventions
-----------
* Money is USD; ``gap_usd`` = Monte Carlo P50 − plan NPV, negative when the median is below the
  plan. An effect is NPV(plan with that one field at its median) − NPV(plan), the NPV being
  :func:`bizmodel.projection.kpis`' ``npv_usd`` (operating cash flows at the annual discount rate).
  ``gap_usd`` = Σ effects + ``interaction_usd`` (to rounding).
* Each range's median is that of its distribution as :mod:`bizmodel.scenario` defines it
  (:func:`range_median`): triangular in closed form; log-normal the value itself (its median by
  construction; the sampler's clipping to the field's bounds is monotone and keeps it). The
  sampler's joint-bound adjustment (``bass_p + bass_q ≤ 1`` and the churn pair) never touches a
  triangular pair (validation keeps their highs within the bound) and keeps a single log-normal's
  median; only a pair with both fields ranged and one of them log-normal can have its medians
  lowered a little by it, which then shows in the interaction.
* **Material.** The explanation is worth showing (``verdict == "material"``) when the scenario has
  ranges, ``|gap_usd|`` exceeds :data:`MATERIAL_SHARE` (5 %) of the larger of ``|plan NPV|`` and the
  P10–P90 spread of the NPV (``threshold_usd``; a gap that small hides in the chart's scale), and
  the plan's NPV lies outside the distribution-free 95 % confidence interval of the P50 (order
  statistics ``n/2 ± 1.96·√n/2``), so sampling noise alone cannot explain it. Otherwise the
  verdict is a reason code: ``no_ranges``, ``small`` or ``within_noise``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bizmodel import finance
from bizmodel.projection import project
from bizmodel.scenario import Scenario
from bizmodel.scenario_ranges import Range

#: The share of max(|plan NPV|, P90 − P10) a gap must exceed to be worth explaining.
MATERIAL_SHARE = 0.05
#: The standard normal's 97.5th percentile: the P50's confidence interval is about 95 %.
Z975 = 1.959963984540054
#: The verdicts of :class:`MedianGap` (reason codes; the UI words them).
VERDICTS = ("material", "small", "within_noise", "no_ranges")


class MedianGapError(ValueError):
    """NPVs that cannot be explained (not a non-empty series of finite numbers)."""


def range_median(r: Range, value: float) -> float:
    """The median of the range's distribution, in the field's units, for the scenario's ``value``.

    Triangular(low, mode = value, high): ``low + √((high − low)(value − low) / 2)`` when the value
    is at or above the midpoint, else ``high − √((high − low)(high − value) / 2)``. Log-normal: the
    value (its median by construction, see :mod:`bizmodel.scenario`).

    >>> round(range_median(Range("monthly_churn", 0.02, 0.05), 0.03), 5)
    0.03268
    >>> round(range_median(Range("cac_usd", 250.0, 700.0), 400.0), 2)
    440.19
    >>> range_median(Range("price_usd_per_user_month", 39.0, 59.0), 49.0)
    49.0
    >>> range_median(Range("market_size", 10_000.0, 40_000.0, "lognormal"), 20_000.0)
    20000.0
    """
    low, high, mode = float(r.low), float(r.high), float(value)
    if r.distribution != "triangular":
        return mode
    width = high - low
    if mode - low >= high - mode:
        return low + math.sqrt(width * (mode - low) / 2.0)
    return high - math.sqrt(width * (high - mode) / 2.0)


@dataclass(frozen=True)
class GapDriver:
    """One ranged input's part of the gap.

    ``point_value`` (the scenario's value, the plan's) and ``median_value`` (its distribution's
    median, :func:`range_median`), ``low`` and ``high`` are in the field's own units (fractions for
    rates, USD for money, counts). ``npv_effect_usd``: the plan's NPV change when this one field
    moves from its value to its median (USD; 0 when they are equal).
    """

    field: str
    distribution: str
    low: float
    high: float
    point_value: float
    median_value: float
    npv_effect_usd: float

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the fields."""
        return {
            "field": self.field,
            "distribution": self.distribution,
            "low": self.low,
            "high": self.high,
            "point_value": self.point_value,
            "median_value": self.median_value,
            "npv_effect_usd": self.npv_effect_usd,
        }


@dataclass(frozen=True)
class MedianGap:
    """The Monte Carlo P50 of the NPV against the plan's NPV, explained (module docstring). USD.

    ``drivers``: one per range, largest ``|npv_effect_usd|`` first. ``interaction_usd``: ``gap_usd``
    − Σ effects. ``median_interval_usd``: the P50's distribution-free 95 % confidence interval
    (low, high). ``spread_usd``: P90 − P10 of the NPV. ``threshold_usd``: the smallest material gap.
    ``verdict``: one of :data:`VERDICTS`.
    """

    point_npv_usd: float
    median_npv_usd: float
    gap_usd: float
    drivers: tuple[GapDriver, ...]
    interaction_usd: float
    median_interval_usd: tuple[float, float]
    spread_usd: float
    threshold_usd: float
    verdict: str

    @property
    def material(self) -> bool:
        """Whether the gap is worth explaining (``verdict == "material"``)."""
        return self.verdict == "material"

    @property
    def effects_usd(self) -> float:
        """The drivers' effects summed (USD): ``gap_usd − interaction_usd``."""
        return math.fsum(d.npv_effect_usd for d in self.drivers)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: every field, the drivers as dicts, the interval as a list, and
        ``material``."""
        return {
            "point_npv_usd": self.point_npv_usd,
            "median_npv_usd": self.median_npv_usd,
            "gap_usd": self.gap_usd,
            "drivers": [d.to_dict() for d in self.drivers],
            "interaction_usd": self.interaction_usd,
            "median_interval_usd": list(self.median_interval_usd),
            "spread_usd": self.spread_usd,
            "threshold_usd": self.threshold_usd,
            "verdict": self.verdict,
            "material": self.material,
        }


def plan_npv_usd(scenario: Scenario) -> float:
    """The plan's NPV (USD): :func:`bizmodel.projection.kpis`' ``npv_usd`` without the other KPIs.

    >>> from bizmodel.projection import kpis
    >>> from bizmodel.scenario import base_template
    >>> s = base_template()
    >>> plan_npv_usd(s) == kpis(project(s), s).npv_usd
    True
    """
    operating = project(scenario)["operating_cash_flow_usd"].to_numpy()
    return float(finance.npv(operating, scenario.annual_discount_rate))


def _median_interval(sorted_npv: np.ndarray) -> tuple[float, float]:
    """The distribution-free ~95 % confidence interval of the median of sorted values."""
    n = sorted_npv.size
    half = Z975 * math.sqrt(n) / 2.0
    lo = min(max(math.floor(n / 2.0 - half), 0), n - 1)
    hi = min(max(math.ceil(n / 2.0 + half), 0), n - 1)
    return float(sorted_npv[lo]), float(sorted_npv[hi])


def median_gap(
    scenario: Scenario,
    npv_usd: np.ndarray | Sequence[float],
    *,
    material_share: float = MATERIAL_SHARE,
) -> MedianGap:
    """Explain the Monte Carlo P50 of ``npv_usd`` against the plan's NPV (module docstring).

    Parameters
    ----------
    scenario : Scenario
        The scenario that was simulated (the one its plan and ranges come from).
    npv_usd : array of shape (paths,)
        The NPV of each simulated path, USD (``simulate(scenario, ...).npv_usd``).
    material_share : float, keyword-only
        The share of max(|plan NPV|, P90 − P10) a gap must exceed to be material (default 5 %).

    Returns
    -------
    MedianGap
        Costs one projection for the plan plus one per range whose median differs from its value.

    Raises
    ------
    MedianGapError
        ``npv_usd`` is not a non-empty 1-D series of finite numbers, or ``material_share`` is
        negative or not finite.

    >>> from bizmodel.montecarlo import simulate
    >>> from bizmodel.scenario import base_template
    >>> s = base_template()
    >>> gap = median_gap(s, simulate(s, paths=4000, seed=0).npv_usd)
    >>> gap.verdict, gap.gap_usd < 0, [d.field for d in gap.drivers][:2]
    ('material', True, ['cac_usd', 'monthly_churn'])
    >>> abs(gap.effects_usd + gap.interaction_usd - gap.gap_usd) < 1e-6
    True
    """
    npv = np.asarray(npv_usd, dtype=np.float64)
    if npv.ndim != 1 or npv.size == 0 or not np.isfinite(npv).all():
        raise MedianGapError("npv_usd must be a non-empty series of finite NPVs, one per path")
    if not (math.isfinite(material_share) and material_share >= 0.0):
        raise MedianGapError(f"material_share must be a finite fraction ≥ 0; got {material_share!r}")
    point = plan_npv_usd(scenario)
    p10, median, p90 = (float(v) for v in np.percentile(npv, (10, 50, 90)))
    drivers = []
    for r in scenario.ranges:
        value = float(getattr(scenario, r.field))
        middle = range_median(r, value)
        effect = 0.0 if middle == value else plan_npv_usd(scenario.with_values(**{r.field: middle})) - point
        drivers.append(GapDriver(r.field, r.distribution, float(r.low), float(r.high), value, middle, effect))
    drivers.sort(key=lambda d: (-abs(d.npv_effect_usd), d.field))
    gap = median - point
    interaction = gap - math.fsum(d.npv_effect_usd for d in drivers)
    interval = _median_interval(np.sort(npv))
    spread = p90 - p10
    threshold = material_share * max(abs(point), spread)
    if not scenario.ranges:
        verdict = "no_ranges"
    elif not abs(gap) > threshold:
        verdict = "small"
    elif interval[0] <= point <= interval[1]:
        verdict = "within_noise"
    else:
        verdict = "material"
    return MedianGap(
        point_npv_usd=point,
        median_npv_usd=median,
        gap_usd=gap,
        drivers=tuple(drivers),
        interaction_usd=interaction,
        median_interval_usd=interval,
        spread_usd=spread,
        threshold_usd=threshold,
        verdict=verdict,
    )
