"""Value of data: fit a run's learning curve and price more labels against what they are worth.

Conventions
-----------
* **Error vs accuracy.** The curve is fitted to the *error* ``error(n) = 1 − accuracy(n)`` as
  ``error(n) = a·n^(−b) + c``, with ``n`` the number of training samples. ``c`` is the error that
  no amount of data removes (so accuracy never exceeds ``1 − c``), ``b`` how fast the error falls
  and ``a`` its scale (in the units of raw ``n``). Accuracies are fractions (0.97), as in run
  records.
* **Percentage points.** Gains in accuracy are *percentage points* (``*_points``): 0.95 → 0.97 is
  a gain of 2 points. Money is US dollars (``*_usd``); value is typed per point per year
  (``value_usd_per_point_per_year``), labelling cost per sample (``label_cost_usd_per_sample``).
* **Years and net value.** Value accrues for ``horizon_years`` (undiscounted); labels are paid
  once, up front. *Net value* of growing the training set from ``current_n`` to ``n`` is::

      net_value_usd = horizon_years × value_usd_per_point_per_year × gain_points(n)
                      − label_cost_usd_per_sample × max(n − current_n, 0)

  Shrinking the set (``n < current_n``) saves nothing (the labels are already paid for) and loses
  accuracy. ROI is ``net_value_usd / labelling_cost_usd``; payback is the months of value per
  year needed to recover the labelling cost.
* **Uncertainty.** Intervals are central *80 %* intervals (``interval_level``, adjustable) from a
  parametric bootstrap: the fitted curve plus normal noise with each point's standard error is
  re-sampled ``n_bootstrap`` times and refitted; the interval at ``n`` is the spread of those
  refitted curves (see :func:`fit_learning_curve`). It covers the noise of the measured points,
  not the risk that the power law itself fails far beyond the largest measured size; columns and
  fields named ``extrapolated`` flag those predictions.

* **What the points must measure.** The fit reads accuracy as a function of data alone, so every
  point must come from a model trained as far as its data allows. A point trained for fewer
  optimizer steps than it needs reads low, the curve rises too steeply and more data looks more
  valuable than it is (learning-curve sweeps train each fraction to convergence for this reason;
  see the README's "Learning curve" section). The stored curve says how its points were trained.

No curve is fabricated: fewer than 4 distinct training-set sizes, a fit that does not converge, a
curve that does not improve with data, or points that scatter around the curve by more than half
of what it rises across them raise :class:`DataValueError` with what to do instead.

The fit itself (points, :class:`CurveFit`, :func:`fit_learning_curve`) is
:mod:`bizmodel.learning_curve`; this module prices it and gathers both modules' public names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from bizmodel.learning_curve import (
    B_MAX,
    MIN_DISTINCT_SIZES,
    CurveFit,
    CurvePointIn,
    DataValueError,
    boot_accuracy,
    fit_learning_curve,
    interval_bounds,
    points_from_record,
    predicted_accuracy,
)

__all__ = [
    "B_MAX",
    "MIN_DISTINCT_SIZES",
    "CurveFit",
    "CurvePointIn",
    "DataEconomics",
    "DataValueError",
    "OptimalSize",
    "Purchase",
    "buy_data",
    "fit_learning_curve",
    "marginal_value_curve",
    "optimal_dataset_size",
    "points_from_record",
    "predicted_accuracy",
]


@dataclass(frozen=True, kw_only=True)
class DataEconomics:
    """What accuracy is worth and what labels cost.

    ``value_usd_per_point_per_year``: USD per year per percentage point of accuracy.
    ``label_cost_usd_per_sample``: USD to acquire and label one training sample.
    ``horizon_years``: years over which the gain is counted (undiscounted).
    ``current_n``: training samples already owned; ``None`` means the fit's largest size.
    """

    value_usd_per_point_per_year: float
    label_cost_usd_per_sample: float
    horizon_years: float = 1.0
    current_n: int | None = None

    def __post_init__(self) -> None:
        checks = (
            (self.value_usd_per_point_per_year, "value_usd_per_point_per_year", False),
            (self.label_cost_usd_per_sample, "label_cost_usd_per_sample", False),
            (self.horizon_years, "horizon_years", True),
        )
        for value, name, positive in checks:
            if not math.isfinite(value) or value < 0 or (positive and value == 0):
                raise DataValueError(f"{name} must be a finite number {'> 0' if positive else '≥ 0'}")
        if self.current_n is not None and self.current_n < 1:
            raise DataValueError("current_n must be at least 1 (or None for the run's training set)")

    def current(self, fit: CurveFit) -> int:
        """Training samples already owned: ``current_n`` or the fit's largest measured size."""
        return self.current_n if self.current_n is not None else fit.n_max


#: The optimum is searched up to this many times the current training set, by default.
MAX_N_FACTOR = 100


def current_size(fit: CurveFit, n_train: int | None) -> int:
    """Training samples the run already has: its training split (``n_train``, the sweep's
    fraction 1), or the fit's largest measured size when that is larger or ``n_train`` unknown.

    Every caller (the page and the command line) uses this one rule, so they agree.
    """
    return max(int(n_train or 0), fit.n_max)


def _gain_points(fit: CurveFit, n: np.ndarray, current: int) -> tuple[np.ndarray, ...]:
    base = predicted_accuracy(fit, float(current))
    gain = 100 * (np.asarray(predicted_accuracy(fit, n)) - base)
    base_samples = boot_accuracy(fit, np.asarray(float(current))).reshape((-1,) + (1,) * n.ndim)
    samples = 100 * (boot_accuracy(fit, n) - base_samples)
    low, high = interval_bounds(fit, samples)
    return gain, np.minimum(low, gain), np.maximum(high, gain)


def marginal_value_curve(fit: CurveFit, econ: DataEconomics, n_grid: Any) -> pd.DataFrame:
    """Accuracy, value, cost and net value at each training-set size of ``n_grid``.

    Parameters
    ----------
    fit : the fitted learning curve.
    econ : value per point, label cost, horizon, current size.
    n_grid : training-set sizes (≥ 1), any order.

    Returns
    -------
    DataFrame, one row per size, columns: ``n_train``, ``extra_samples``, ``accuracy``,
    ``accuracy_low``, ``accuracy_high``, ``gain_points`` (vs ``current_n``), ``gain_points_low``,
    ``gain_points_high``, ``value_usd_per_year``, ``labelling_cost_usd``, ``net_value_usd``
    (over the horizon), ``marginal_value_usd_per_sample`` (value over the horizon of one more
    sample at that size, to compare with the label cost), ``extrapolated`` (beyond the largest
    measured size).

    >>> from bizmodel.learning_curve import example_points
    >>> fit = fit_learning_curve(example_points(), n_bootstrap=50)
    >>> econ = DataEconomics(value_usd_per_point_per_year=10_000, label_cost_usd_per_sample=0.05)
    >>> df = marginal_value_curve(fit, econ, [8000, 16000, 64000])
    >>> df["net_value_usd"].round(-2).tolist()
    [0.0, 12000.0, 23200.0]
    """
    n = np.asarray(n_grid, dtype=float).reshape(-1)
    if n.size == 0 or not np.all(np.isfinite(n)) or np.any(n < 1):
        raise DataValueError("n_grid must hold training-set sizes ≥ 1")
    current = econ.current(fit)
    acc, acc_low, acc_high = fit.predict(n)
    gain, gain_low, gain_high = _gain_points(fit, n, current)
    extra = np.maximum(n - current, 0.0)
    value_per_year = econ.value_usd_per_point_per_year * gain
    cost = econ.label_cost_usd_per_sample * extra
    slope = 100 * fit.a * fit.b * np.power(n, -fit.b - 1.0)  # points per sample
    return pd.DataFrame(
        {
            "n_train": n.astype(np.int64),
            "extra_samples": extra.astype(np.int64),
            "accuracy": acc,
            "accuracy_low": acc_low,
            "accuracy_high": acc_high,
            "gain_points": gain,
            "gain_points_low": gain_low,
            "gain_points_high": gain_high,
            "value_usd_per_year": value_per_year,
            "labelling_cost_usd": cost,
            "net_value_usd": econ.horizon_years * value_per_year - cost,
            "marginal_value_usd_per_sample": econ.horizon_years * econ.value_usd_per_point_per_year * slope,
            "extrapolated": n > fit.n_max,
        }
    )


@dataclass(frozen=True)
class OptimalSize:
    """The training-set size that maximises net value, and what it buys.

    ``bound`` says why it stops where it does: ``"current"`` (do not buy: the first label is
    worth less than it costs), ``"interior"`` (marginal value equals label cost) or ``"max_n"``
    (still worth buying at the cap).
    """

    n_train: int
    extra_samples: int
    accuracy: float
    gain_points: float
    value_usd_per_year: float
    labelling_cost_usd: float
    net_value_usd: float
    bound: Literal["current", "interior", "max_n"]
    extrapolated: bool

    @property
    def buy(self) -> bool:
        """Whether buying any data adds net value."""
        return self.extra_samples > 0


def _net_value(fit: CurveFit, econ: DataEconomics, n: np.ndarray, current: int) -> np.ndarray:
    gain = 100 * (np.asarray(predicted_accuracy(fit, n)) - predicted_accuracy(fit, float(current)))
    cost = econ.label_cost_usd_per_sample * np.maximum(n - current, 0)
    return econ.horizon_years * econ.value_usd_per_point_per_year * gain - cost


def optimal_dataset_size(fit: CurveFit, econ: DataEconomics, *, max_n: int) -> OptimalSize:
    """The training-set size in ``[current_n, max_n]`` that maximises net value (closed form).

    Net value ``K·a·(current^(−b) − n^(−b)) − p·(n − current)`` with ``K = 100 × horizon × value``
    and ``p`` the label cost is concave in ``n``; its derivative vanishes at
    ``n* = (K·a·b / p)^(1/(b+1))``, clipped to the range and rounded to the better neighbouring
    integer. Free labels (``p = 0``) give ``max_n``; worthless accuracy gives ``current_n``.
    The fitted curve's ceiling ``1 − c`` is used as is (clipping to accuracy 0–1 only matters far
    below the measured sizes).

    Parameters
    ----------
    fit : the fitted learning curve.
    econ : value per point, label cost, horizon, current size.
    max_n : largest training set that could be bought (e.g. all the data that exists).

    Returns
    -------
    OptimalSize

    Raises
    ------
    DataValueError
        ``max_n`` below the current size.

    >>> from bizmodel.learning_curve import example_points
    >>> fit = fit_learning_curve(example_points(), n_bootstrap=0)
    >>> econ = DataEconomics(value_usd_per_point_per_year=10_000, label_cost_usd_per_sample=0.05)
    >>> best = optimal_dataset_size(fit, econ, max_n=1_000_000)
    >>> best.bound, round(best.n_train, -3)
    ('interior', 97000)
    """
    current = econ.current(fit)
    if max_n < current:
        raise DataValueError(f"max_n ({max_n:,}) is below the current training set ({current:,})")
    k = 100 * econ.horizon_years * econ.value_usd_per_point_per_year
    p = econ.label_cost_usd_per_sample
    if p == 0:
        n_star = float(max_n) if k > 0 else float(current)
    else:
        n_star = (k * fit.a * fit.b / p) ** (1.0 / (fit.b + 1.0))
    n_star = min(max(n_star, float(current)), float(max_n))
    candidates = np.unique(np.clip([math.floor(n_star), math.ceil(n_star)], current, max_n))
    net = _net_value(fit, econ, candidates.astype(float), current)
    n_best = int(candidates[int(np.argmax(net))])
    bound = "current" if n_best == current else "max_n" if n_best == max_n else "interior"
    gain = 100 * (predicted_accuracy(fit, n_best) - predicted_accuracy(fit, current))
    return OptimalSize(
        n_train=n_best,
        extra_samples=n_best - current,
        accuracy=predicted_accuracy(fit, n_best),
        gain_points=gain,
        value_usd_per_year=econ.value_usd_per_point_per_year * gain,
        labelling_cost_usd=p * (n_best - current),
        net_value_usd=float(net.max()),
        bound=bound,
        extrapolated=n_best > fit.n_max,
    )


@dataclass(frozen=True)
class Purchase:
    """What buying ``extra_samples`` more labels is worth.

    ``gain_points_low``/``high`` bound the gain at the fit's interval level; ``roi`` is
    ``net_value_usd / labelling_cost_usd`` (NaN when the labels are free); ``payback_months`` is
    ``12 × cost / value per year`` (infinite when the gain is worth nothing).
    """

    extra_samples: int
    n_before: int
    n_after: int
    accuracy_before: float
    accuracy_after: float
    gain_points: float
    gain_points_low: float
    gain_points_high: float
    interval_level: float
    value_usd_per_year: float
    labelling_cost_usd: float
    net_value_usd: float
    horizon_years: float
    roi: float
    payback_months: float
    extrapolated: bool

    def summary(self) -> str:
        """One sentence for a founder, e.g. for a report or the page's headline."""
        per = self.labelling_cost_usd / self.extra_samples if self.extra_samples else 0.0
        return (
            f"buying {self.extra_samples:,} more labels at ${per:,.2f} raises accuracy by "
            f"{self.gain_points:.2f} points ({100 * self.interval_level:.0f} % interval "
            f"{self.gain_points_low:.2f}–{self.gain_points_high:.2f}), "
            f"worth ${self.value_usd_per_year:,.0f} a year"
        )


def buy_data(fit: CurveFit, econ: DataEconomics, extra_samples: int) -> Purchase:
    """Gain, value, cost, net value, ROI and payback of buying ``extra_samples`` more labels.

    Parameters
    ----------
    fit : the fitted learning curve.
    econ : value per point, label cost, horizon, current size.
    extra_samples : labels to buy on top of the current training set (≥ 0).

    Returns
    -------
    Purchase

    Raises
    ------
    DataValueError
        ``extra_samples`` negative.

    >>> from bizmodel.learning_curve import example_points
    >>> fit = fit_learning_curve(example_points(), n_bootstrap=50)
    >>> econ = DataEconomics(value_usd_per_point_per_year=10_000, label_cost_usd_per_sample=0.05)
    >>> buy = buy_data(fit, econ, 50_000)
    >>> round(buy.gain_points, 2), round(buy.value_usd_per_year, -2), buy.labelling_cost_usd
    (2.53, 25300.0, 2500.0)
    >>> buy.summary()[:60]
    'buying 50,000 more labels at $0.05 raises accuracy by 2.53 p'
    """
    if extra_samples < 0:
        raise DataValueError("extra_samples must be 0 or more")
    before = econ.current(fit)
    after = before + int(extra_samples)
    gain, low, high = (float(v) for v in _gain_points(fit, np.asarray(float(after)), before))
    value = econ.value_usd_per_point_per_year * gain
    cost = econ.label_cost_usd_per_sample * extra_samples
    net = econ.horizon_years * value - cost
    return Purchase(
        extra_samples=int(extra_samples),
        n_before=before,
        n_after=after,
        accuracy_before=predicted_accuracy(fit, before),
        accuracy_after=predicted_accuracy(fit, after),
        gain_points=gain,
        gain_points_low=low,
        gain_points_high=high,
        interval_level=fit.interval_level,
        value_usd_per_year=value,
        labelling_cost_usd=cost,
        net_value_usd=net,
        horizon_years=econ.horizon_years,
        roi=net / cost if cost > 0 else float("nan"),
        payback_months=12 * cost / value if value > 0 else (0.0 if cost == 0 else float("inf")),
        extrapolated=after > fit.n_max,
    )
