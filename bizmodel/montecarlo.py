"""Monte Carlo simulation of a scenario's uncertain inputs: cash fans, NPV spread, risk of ruin.

Conventions
-----------
* The uncertain inputs are the scenario's :class:`~bizmodel.scenario_ranges.Range` entries; every other
  field keeps the scenario's own value. The distributions (triangular with the value as mode;
  log-normal with the value as median, clipped only to the field's valid bounds) are defined in
  :mod:`bizmodel.scenario`.
* **Joint bounds.** Monthly rates that must sum to at most 1 (``bass_p + bass_q`` and
  ``monthly_churn + churn_at_minimum_accuracy_extra``) are kept so on every path: where a
  sampled pair sums above 1, both sampled fields are scaled down in proportion so the sum is 1;
  where only one of the two is sampled, it is lowered to 1 minus the other's value. This only
  happens in a log-normal tail (the scenario's validation keeps the triangular highs within the
  bound).
* **Random numbers.** Each ranged field draws from its own stream,
  ``Generator(PCG64(SeedSequence(seed, spawn_key=(crc32(field name),))))``, so a field's draws
  depend only on the seed, the field's name, its range and the number of paths: adding, removing
  or changing another field's range never changes them. Draws fill paths in order, so the first
  ``n`` paths of a run with more paths equal a run with ``n`` paths (same seed).
* Each path is projected by :func:`bizmodel.projection.project_paths` (months 1…H, USD, flows at
  month ends). Per path: ``npv_usd`` of the operating cash flows at the path's annual discount
  rate (:func:`bizmodel.finance.npv`), ``break_even_month`` (first month with operating cash flow
  ≥ 0), ``runway_months`` (last month before cash < 0) — both float, NaN when it does not happen
  within the horizon — and ``min_cash_usd`` (the lowest month-end cash).
* Percentiles are numpy's default (linear interpolation between order statistics), named
  ``p10``, ``p50``, ``p90``; P10 is the pessimistic side of cash and NPV.
"""

from __future__ import annotations

import math
import numbers
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bizmodel import finance
from bizmodel.projection import project_paths
from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import FIELD_BOUNDS, JOINT_AT_MOST_ONE
from bizmodel.scenario_ranges import Range

DEFAULT_PATHS = 10_000
MAX_PATHS = 200_000
PERCENTILES = (10, 50, 90)

#: The standard normal's 95th percentile: a log-normal range's σ = ln(high / low) / (2 × this).
Z95 = 1.6448536269514722

#: The per-path series a result keeps (the others are not stored, to bound memory).
SERIES = ("cash_usd", "revenue_usd", "operating_cash_flow_usd")

# Paths projected at once; larger runs go in chunks of this size (same numbers, less memory:
# a chunk's intermediate columns cost about 100 bytes per path-month).
_CHUNK_PATHS = 5_000

#: Bytes per path-month a simulation keeps (the three series of :data:`SERIES`, float64) plus
#: the percentile pass over one of them and the NPV discounting (measured with tracemalloc).
_KEPT_BYTES_PER_CELL = 38
#: Bytes per path-month of one chunk's intermediate columns (the projection's working arrays).
_CHUNK_BYTES_PER_CELL = 100
#: Bytes per path of each ranged input (its draws, and one copy in the joint-bound pass).
_INPUT_BYTES_PER_PATH = 16


def working_bytes(paths: int, months: int, ranges: int) -> int:
    """Peak memory (bytes) :func:`simulate` and its fan, percentiles and NPV need, estimated:
    the kept series and their percentile pass (about 38 B per path-month), one chunk of the
    projection (about 100 B per path-month for at most 5,000 paths) and the sampled inputs
    (16 B per path and range). Against tracemalloc's peak for 1,000–50,000 paths × 24–120
    months it is never below and at most 45 % above; the web process's admission control
    (:mod:`ui.session.admission`) budgets with it.

    >>> round(working_bytes(50_000, 120, 17) / 2**20)
    288
    >>> working_bytes(10_000, 60, 0) < working_bytes(10_000, 120, 0)
    True
    """
    paths, months, ranges = max(0, int(paths)), max(0, int(months)), max(0, int(ranges))
    kept = paths * months * _KEPT_BYTES_PER_CELL
    chunk = min(paths, _CHUNK_PATHS) * months * _CHUNK_BYTES_PER_CELL
    return kept + chunk + paths * ranges * _INPUT_BYTES_PER_PATH


class MonteCarloError(ValueError):
    """Invalid simulation settings; the message says what to change."""


def _check_paths_and_seed(paths: Any, seed: Any) -> None:
    problems: list[str] = []
    if isinstance(paths, bool) or not isinstance(paths, numbers.Integral):
        problems.append(f"paths must be a whole number from 1 to {MAX_PATHS:,}; got {paths!r}")
    elif not 1 <= int(paths) <= MAX_PATHS:
        problems.append(f"paths must be from 1 to {MAX_PATHS:,}; got {int(paths):,}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        problems.append(f"seed must be a whole number ≥ 0; got {seed!r}")
    elif int(seed) < 0:
        problems.append(f"seed must be ≥ 0 (any whole number picks a reproducible sample); got {int(seed)}")
    if problems:
        raise MonteCarloError("; ".join(problems))


def _generator(seed: int, name: str) -> np.random.Generator:
    """The field's own random stream (see the module docstring)."""
    sequence = np.random.SeedSequence(int(seed), spawn_key=(zlib.crc32(name.encode("utf-8")),))
    return np.random.Generator(np.random.PCG64(sequence))


def _draw(r: Range, value: float, generator: np.random.Generator, paths: int) -> np.ndarray:
    if r.distribution == "triangular":
        return generator.triangular(r.low, value, r.high, size=paths)
    sigma = math.log(r.high / r.low) / (2.0 * Z95)
    samples = value * np.exp(sigma * generator.standard_normal(paths))
    low, high = FIELD_BOUNDS[r.field]
    return np.clip(samples, low, np.inf if high is None else high)


def sample_inputs(scenario: Scenario, *, paths: int, seed: int) -> dict[str, np.ndarray]:
    """One array of shape ``(paths,)`` per ranged field of the scenario, in the field's units.

    Fields appear in sorted order; each draws from its own stream (see the module docstring for
    the guarantees and the joint-bound adjustment). A scenario without ranges gives ``{}``.

    >>> from bizmodel.scenario import base_template
    >>> draws = sample_inputs(base_template(), paths=1000, seed=1)
    >>> sorted(draws)[:2], draws["monthly_churn"].shape
    (['bass_q', 'cac_usd'], (1000,))
    >>> bool(((draws["monthly_churn"] >= 0.02) & (draws["monthly_churn"] <= 0.05)).all())
    True
    """
    _check_paths_and_seed(paths, seed)
    n = int(paths)
    out: dict[str, np.ndarray] = {}
    for r in sorted(scenario.ranges, key=lambda r: r.field):
        out[r.field] = _draw(r, float(getattr(scenario, r.field)), _generator(int(seed), r.field), n)
    for a, b in JOINT_AT_MOST_ONE:
        if a not in out and b not in out:
            continue
        first = out.get(a, np.full(n, float(getattr(scenario, a))))
        second = out.get(b, np.full(n, float(getattr(scenario, b))))
        total = first + second
        over = total > 1.0
        if not over.any():
            continue
        if a in out and b in out:
            out[a] = np.where(over, first / total, first)
            out[b] = np.where(over, second / total, second)
        elif a in out:
            out[a] = np.where(over, 1.0 - second, first)
        else:
            out[b] = np.where(over, 1.0 - first, second)
    return out


def _npv_paths(operating: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """NPV per path at each path's annual rate (:func:`bizmodel.finance.npv` row by rate)."""
    if operating.shape[0] == 0:
        return np.empty(0)
    unique = np.unique(rates)
    if len(unique) == 1:
        return np.asarray(finance.npv(operating, float(unique[0])), dtype=np.float64).reshape(-1)
    months = np.arange(1, operating.shape[1] + 1, dtype=np.float64)
    monthly = (1.0 + rates) ** (1.0 / finance.MONTHS_PER_YEAR) - 1.0  # as finance.monthly_rate
    factors = (1.0 + monthly[:, None]) ** -months
    return np.einsum("pm,pm->p", operating, factors)


def _float_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _percentile_names(percentiles: Sequence[float]) -> list[str]:
    for p in percentiles:
        if not isinstance(p, numbers.Real) or isinstance(p, bool) or not 0.0 <= float(p) <= 100.0:
            raise MonteCarloError(f"percentiles must be numbers from 0 to 100; got {p!r}")
    return [f"p{float(p):g}" for p in percentiles]


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """The simulated paths of one scenario (conventions in the module docstring).

    Arrays are float64; per-month arrays have shape ``(paths, months)`` with ``months`` = 1…H,
    per-path figures shape ``(paths,)``. ``inputs`` holds the sampled inputs
    (:func:`sample_inputs`). Compared by identity (``eq=False``): arrays have no single truth.
    """

    paths: int
    seed: int
    months: np.ndarray
    cash_usd: np.ndarray
    revenue_usd: np.ndarray
    operating_cash_flow_usd: np.ndarray
    npv_usd: np.ndarray
    break_even_month: np.ndarray
    runway_months: np.ndarray
    min_cash_usd: np.ndarray
    inputs: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def probability_out_of_cash(self) -> float:
        """Share of paths (0–1) whose cash goes below 0 at the end of some month."""
        return finance.probability_out_of_cash(self.cash_usd)

    @property
    def probability_break_even(self) -> float:
        """Share of paths (0–1) with a month of operating cash flow ≥ 0 within the horizon."""
        return float(np.mean(~np.isnan(self.break_even_month)))

    def fan(self, column: str = "cash_usd", percentiles: Sequence[float] = PERCENTILES) -> pd.DataFrame:
        """Per-month percentiles of a series across paths (USD).

        ``column`` is one of :data:`SERIES`. Returns a frame indexed by ``month`` (1…H) with one
        column per percentile, named ``p10``, ``p50``, ``p90`` for the defaults.
        """
        if column not in SERIES:
            raise MonteCarloError(f"column must be one of {', '.join(SERIES)}; got {column!r}")
        names = _percentile_names(percentiles)
        values = np.percentile(getattr(self, column), list(percentiles), axis=0)
        frame = pd.DataFrame(dict(zip(names, values, strict=True)), index=pd.Index(self.months, name="month"))
        return frame.astype(np.float64)

    def npv_percentiles(self, percentiles: Sequence[float] = PERCENTILES) -> dict[str, float]:
        """Percentiles of the NPV across paths (USD), e.g. ``{"p10": …, "p50": …, "p90": …}``."""
        names = _percentile_names(percentiles)
        values = np.percentile(self.npv_usd, list(percentiles))
        return {name: float(v) for name, v in zip(names, values, strict=True)}

    def summary(self) -> dict[str, Any]:
        """A JSON-ready digest (no NaN or infinity: None instead).

        Keys: ``paths``, ``seed``, ``uncertain_fields`` (sorted), ``probability_out_of_cash``,
        ``probability_break_even`` (shares 0–1); ``npv_usd`` and ``min_cash_usd`` as
        ``{p10, p50, p90, mean}``; ``break_even_month`` as ``{p10, p50, p90}`` over the paths that
        break even and ``runway_months`` the same over the paths that run out of cash (each value
        None when no path does); ``monthly``: one ``{month, cash_usd_p10, cash_usd_p50,
        cash_usd_p90, revenue_usd_p10, revenue_usd_p50, revenue_usd_p90}`` per month.
        """

        def stats(values: np.ndarray, *, mean: bool) -> dict[str, float | None]:
            finite = values[np.isfinite(values)]
            if finite.size == 0:
                out: dict[str, float | None] = {f"p{p}": None for p in PERCENTILES}
                return {**out, "mean": None} if mean else out
            ps = np.percentile(finite, PERCENTILES)
            out = {f"p{p}": _float_or_none(v) for p, v in zip(PERCENTILES, ps, strict=True)}
            return {**out, "mean": _float_or_none(float(finite.mean()))} if mean else out

        cash, revenue = self.fan("cash_usd"), self.fan("revenue_usd")
        monthly = [
            {
                "month": int(month),
                **{f"cash_usd_p{p}": _float_or_none(cash.at[month, f"p{p}"]) for p in PERCENTILES},
                **{f"revenue_usd_p{p}": _float_or_none(revenue.at[month, f"p{p}"]) for p in PERCENTILES},
            }
            for month in cash.index
        ]
        return {
            "paths": int(self.paths),
            "seed": int(self.seed),
            "uncertain_fields": sorted(self.inputs),
            "probability_out_of_cash": self.probability_out_of_cash,
            "probability_break_even": self.probability_break_even,
            "npv_usd": stats(self.npv_usd, mean=True),
            "break_even_month": stats(self.break_even_month, mean=False),
            "runway_months": stats(self.runway_months, mean=False),
            "min_cash_usd": stats(self.min_cash_usd, mean=True),
            "monthly": monthly,
        }


def simulate(scenario: Scenario, *, paths: int = DEFAULT_PATHS, seed: int = 0) -> MonteCarloResult:
    """Simulate ``paths`` paths of the scenario's uncertain inputs (reproducible by ``seed``).

    The same scenario, paths and seed give identical arrays. A scenario without ranges gives
    ``paths`` copies of :func:`bizmodel.projection.project`. Raises :class:`MonteCarloError` for
    ``paths`` outside 1…``MAX_PATHS`` or a negative or non-integer ``seed``.

    >>> from bizmodel.scenario import base_template
    >>> result = simulate(base_template(), paths=2000, seed=0)
    >>> result.cash_usd.shape, 0.0 <= result.probability_out_of_cash <= 1.0
    ((2000, 60), True)
    >>> fan = result.fan()
    >>> list(fan.columns), bool((fan["p10"] <= fan["p90"]).all())
    (['p10', 'p50', 'p90'], True)
    """
    _check_paths_and_seed(paths, seed)
    n = int(paths)
    inputs = sample_inputs(scenario, paths=n, seed=int(seed))
    horizon = scenario.horizon_months
    series = {name: np.empty((n, horizon)) for name in SERIES}
    for start in range(0, n, _CHUNK_PATHS):
        stop = min(start + _CHUNK_PATHS, n)
        chunk = {name: values[start:stop] for name, values in inputs.items()}
        projected = project_paths(scenario, chunk, paths=stop - start, columns=SERIES)
        for name in SERIES:
            series[name][start:stop] = projected[name]
    rates = inputs.get("annual_discount_rate", np.full(n, float(scenario.annual_discount_rate)))
    operating, cash = series["operating_cash_flow_usd"], series["cash_usd"]
    return MonteCarloResult(
        paths=n,
        seed=int(seed),
        months=np.arange(1, horizon + 1),
        cash_usd=cash,
        revenue_usd=series["revenue_usd"],
        operating_cash_flow_usd=operating,
        npv_usd=_npv_paths(operating, rates),
        break_even_month=finance.break_even_month_paths(operating),
        runway_months=finance.runway_months_paths(cash),
        min_cash_usd=cash.min(axis=1),
        inputs=inputs,
    )
