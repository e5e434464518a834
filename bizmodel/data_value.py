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
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import OptimizeWarning, curve_fit

from bizmodel.reasons import Reason, ReasonedError

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

MIN_DISTINCT_SIZES = 4
"""Three parameters need at least one more distinct size than parameters to say anything."""

B_MAX = 2.0
"""Cap on the exponent ``b``. Measured learning-curve exponents lie between about 0.05 and 1
(Hestness et al. 2017, "Deep Learning Scaling is Predictable, Empirically", arXiv:1712.00409;
0.5 is the textbook rate for a well-specified estimator). A larger ``b`` would mean the error
vanishes almost at once, which a handful of points cannot distinguish from ``a → ∞, b → ∞``:
the cap keeps the fit away from that degenerate direction while leaving room for fast curves."""

STD_FLOOR = 0.005
"""Floor on a point's seed-to-seed standard deviation (half a percentage point), so a point
measured with one seed (std 0) or with identical seeds does not get an infinite weight."""

MIN_FITTED_GAIN = 0.001
"""A fitted curve that gains less than 0.1 points across the measured sizes is flat: refused."""

_B_MIN = 1e-6
_C_MAX = 1.0 - 1e-9


class DataValueError(ReasonedError):
    """The learning curve or the economics cannot support a value-of-data estimate."""


@dataclass(frozen=True)
class CurvePointIn:
    """One learning-curve point: mean and sample std of test accuracy over ``seeds`` runs."""

    n_train: int
    accuracy_mean: float
    accuracy_std: float
    seeds: int


def points_from_record(record: Mapping[str, Any]) -> tuple[CurvePointIn, ...]:
    """Read the learning-curve points from a run's stored record JSON (as a dict).

    Parameters
    ----------
    record : the run record dict; its ``learning_curve.points`` entries carry ``n_train``,
        ``accuracy_mean``, ``accuracy_std`` and ``seeds`` (other keys are ignored).

    Returns
    -------
    The points, smallest training set first.

    Raises
    ------
    DataValueError
        The run has no learning curve (or an empty one), or a point lacks a field.

    >>> rec = {"id": "r1", "learning_curve": {"points": [
    ...     {"fraction": 1.0, "n_train": 4000, "accuracy_mean": 0.95, "accuracy_std": 0.01,
    ...      "seeds": 2, "train_seconds": 3.0, "accuracies": [0.94, 0.96]}]}}
    >>> points_from_record(rec)
    (CurvePointIn(n_train=4000, accuracy_mean=0.95, accuracy_std=0.01, seeds=2),)
    """
    run: Reason | str = record.get("id") or Reason("this_run")
    curve = record.get("learning_curve")
    raw = curve.get("points") if isinstance(curve, Mapping) else None
    if not raw:
        raise DataValueError(Reason("run_no_curve", run=run))
    try:
        points = tuple(
            CurvePointIn(
                n_train=int(p["n_train"]),
                accuracy_mean=float(p["accuracy_mean"]),
                accuracy_std=float(p["accuracy_std"]),
                seeds=int(p["seeds"]),
            )
            for p in raw
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataValueError(
            f"{record.get('id') or 'this run'}: a learning-curve point is incomplete ({exc!r}); "
            "rerun the sweep"
        ) from exc
    return tuple(sorted(points, key=lambda p: p.n_train))


# --------------------------------------------------------------------------------------------
# fitting


def _error_scaled(x: np.ndarray, amp: float, b: float, c: float) -> np.ndarray:
    """error at ``x = n / n_ref``: the fit runs on scaled sizes so ``amp`` stays O(0.01–1)."""
    return amp * np.power(x, -b) + c


@dataclass(frozen=True, eq=False)
class CurveFit:
    """A fitted learning curve ``error(n) = a·n^(−b) + c`` with its bootstrap and fit quality.

    ``a_std``, ``b_std``, ``c_std`` are standard errors from the fit's covariance (the interval
    itself comes from the bootstrap). ``rmse_points`` is the root-mean-square gap between fitted
    and measured accuracy, in percentage points; ``noise_scale`` ≥ 1 is how much the bootstrap
    noise was inflated because the points scatter more than their error bars say.
    """

    a: float
    b: float
    c: float
    a_std: float
    b_std: float
    c_std: float
    rmse_points: float
    noise_scale: float
    n_points: int
    n_sizes: int
    n_min: int
    n_max: int
    interval_level: float
    n_bootstrap_ok: int
    notes: tuple[Reason, ...] = ()
    boot_params: np.ndarray = field(default_factory=lambda: np.empty((0, 3)), repr=False)

    @property
    def max_accuracy(self) -> float:
        """The ceiling ``1 − c`` that no amount of data passes."""
        return 1.0 - self.c

    def predict(self, n: Any) -> tuple[Any, Any, Any]:
        """Predicted accuracy at ``n`` with its interval: ``(accuracy, low, high)``.

        Scalars in give floats out; arrays give arrays. ``low``/``high`` are NaN when the fit
        was made with ``n_bootstrap=0``.

        >>> fit = fit_learning_curve(_example_points(), n_bootstrap=50)
        >>> acc, low, high = fit.predict(16000)
        >>> bool(low <= acc <= high <= 1 - fit.c + 0.01)
        True
        """
        acc = predicted_accuracy(self, n)
        low, high = _quantiles(self, _boot_accuracy(self, np.asarray(n, dtype=float)))
        low, high = np.minimum(low, acc), np.maximum(high, acc)
        if np.ndim(acc) == 0:
            return float(acc), float(low), float(high)
        return acc, low, high


def _accuracy(params: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Accuracy for parameter rows ``(k, 3)`` at sizes ``n`` → shape ``(k, *n.shape)``."""
    a, b, c = (params[:, i].reshape((-1,) + (1,) * n.ndim) for i in range(3))
    return np.clip(1.0 - a * np.power(n, -b) - c, 0.0, 1.0)


def _boot_accuracy(fit: CurveFit, n: np.ndarray) -> np.ndarray:
    return _accuracy(fit.boot_params, np.maximum(n, 1.0))


def _quantiles(fit: CurveFit, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if samples.shape[0] == 0:
        nan = np.full(samples.shape[1:], np.nan)
        return nan, nan
    tail = (1.0 - fit.interval_level) / 2.0
    low, high = np.quantile(samples, [tail, 1.0 - tail], axis=0)
    return low, high


def predicted_accuracy(fit: CurveFit, n: Any) -> Any:
    """Accuracy ``1 − a·n^(−b) − c`` of the fitted curve, vectorised over ``n`` (clipped to 0–1).

    Parameters
    ----------
    fit : a :class:`CurveFit`.
    n : training-set size(s), a number or an array (sizes below 1 are treated as 1).

    Returns
    -------
    A float for a scalar ``n``, else an array of the same shape.

    >>> fit = fit_learning_curve(_example_points(), n_bootstrap=0)
    >>> [round(float(v), 3) for v in predicted_accuracy(fit, [1000, 8000])]
    [0.853, 0.944]
    """
    n_arr = np.maximum(np.asarray(n, dtype=float), 1.0)
    acc = np.clip(1.0 - fit.a * np.power(n_arr, -fit.b) - fit.c, 0.0, 1.0)
    return float(acc) if acc.ndim == 0 else acc


def _check_points(points: Sequence[CurvePointIn]) -> None:
    if not points:
        raise DataValueError("the learning curve has no points: run a learning-curve sweep first")
    for p in points:
        if p.n_train < 1 or p.seeds < 1:
            raise DataValueError(f"point at n_train={p.n_train}: n_train and seeds must be at least 1")
        if not (0.0 <= p.accuracy_mean <= 1.0) or not (math.isfinite(p.accuracy_std) and p.accuracy_std >= 0):
            raise DataValueError(
                f"point at n_train={p.n_train}: accuracy_mean must be a fraction 0–1 and accuracy_std "
                "a finite number ≥ 0 (accuracies are fractions, not percent)"
            )
    sizes = len({p.n_train for p in points})
    if sizes < MIN_DISTINCT_SIZES:
        raise DataValueError(
            f"the learning curve has {sizes} distinct training-set size{'s' * (sizes != 1)}; at least "
            f"{MIN_DISTINCT_SIZES} are needed: run a sweep with more fractions (e.g. 0.1,0.25,0.5,1)"
        )


def _start_values(x: np.ndarray, err: np.ndarray) -> list[tuple[float, float, float]]:
    """Several starts: ``c`` at fractions of the smallest error, then ``log(err − c)`` vs ``log x``."""
    starts = []
    for frac in (0.0, 0.5, 0.9):
        c0 = frac * float(err.min())
        resid = np.maximum(err - c0, 1e-6)
        slope, intercept = np.polyfit(np.log(x), np.log(resid), 1)
        b0 = float(np.clip(-slope, 0.05, B_MAX * 0.9))
        starts.append((float(np.exp(intercept)), b0, c0))
    return starts


def _fit_once(
    x: np.ndarray, err: np.ndarray, sigma: np.ndarray, p0: tuple[float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("error", OptimizeWarning)
        popt, pcov = curve_fit(
            _error_scaled,
            x,
            err,
            p0=p0,
            sigma=sigma,
            absolute_sigma=True,
            bounds=([0.0, _B_MIN, 0.0], [np.inf, B_MAX, _C_MAX]),
            method="trf",
            max_nfev=2000,
        )
    return popt, pcov


def _best_fit(x: np.ndarray, err: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    problems = []
    for p0 in _start_values(x, err):
        try:
            popt, pcov = _fit_once(x, err, sigma, p0)
        except (RuntimeError, ValueError, OptimizeWarning) as exc:
            problems.append(str(exc))
            continue
        chi2 = float(np.sum(((_error_scaled(x, *popt) - err) / sigma) ** 2))
        if best is None or chi2 < best[0]:
            best = (chi2, popt, pcov)
    if best is None:
        raise DataValueError(
            "the learning curve could not be fitted (" + "; ".join(problems[:1]) + "): check the "
            "sweep's points, or add sizes and seeds so the curve is better defined"
        )
    return best[1], best[2]


def fit_learning_curve(
    points: Sequence[CurvePointIn],
    *,
    n_bootstrap: int = 200,
    seed: int = 0,
    interval_level: float = 0.8,
    std_floor: float = STD_FLOOR,
) -> CurveFit:
    """Fit ``error(n) = a·n^(−b) + c`` to learning-curve points, with a bootstrap interval.

    Weighted non-linear least squares (``scipy.optimize.curve_fit``, bounded trust region): each
    point's error bar is its standard error ``max(accuracy_std, std_floor) / √seeds``. Bounds:
    ``a > 0``, ``0 < b ≤ B_MAX`` (= 2, see :data:`B_MAX`), ``0 ≤ c < 1``. Three starting points
    (``c`` at 0, ½ and 0.9 of the smallest error; ``a``, ``b`` from a log-log line) are tried and
    the lowest χ² kept. Sizes are scaled by the largest one during the fit for conditioning.

    Uncertainty: a *parametric bootstrap*. ``n_bootstrap`` synthetic curves are drawn as the
    fitted error plus normal noise with each point's standard error, inflated by
    ``noise_scale = max(1, √(χ²/dof))`` when the points scatter more than their error bars say
    (dof = points − 3); each is refitted from the best-fit parameters, and the central
    ``interval_level`` quantiles of the refitted curves give the interval. This keeps the
    correlations between ``a``, ``b`` and ``c`` (which a linearised covariance misses far from
    the data) and is what :meth:`CurveFit.predict` and the economics below report.

    Parameters
    ----------
    points : the sweep's points (at least 4 distinct ``n_train``).
    n_bootstrap : refits for the interval; 0 gives NaN intervals.
    seed : seed of the bootstrap's random generator (results are reproducible).
    interval_level : central probability of the interval, 0–1 (default 0.8).
    std_floor : floor on each point's seed-to-seed std (fraction of accuracy).

    Returns
    -------
    CurveFit

    Raises
    ------
    DataValueError
        Fewer than 4 distinct sizes, invalid points, a fit that fails or does not converge,
        a non-finite covariance, or a curve whose error does not fall with more data.

    >>> fit = fit_learning_curve(_example_points(), n_bootstrap=0)
    >>> round(fit.b, 2), round(fit.c, 3), round(fit.rmse_points, 3)
    (0.6, 0.02, 0.0)
    """
    _check_points(points)
    if n_bootstrap < 0 or not (0.0 < interval_level < 1.0) or not std_floor > 0:
        raise DataValueError("n_bootstrap must be ≥ 0, interval_level in (0, 1) and std_floor > 0")
    n = np.array([p.n_train for p in points], dtype=float)
    acc = np.array([p.accuracy_mean for p in points], dtype=float)
    sigma = np.array([max(p.accuracy_std, std_floor) / math.sqrt(p.seeds) for p in points])
    err = 1.0 - acc
    n_ref = float(n.max())
    x = n / n_ref

    if np.polyfit(np.log(n), acc, 1)[0] <= 0:
        raise DataValueError(
            "accuracy does not rise with training-set size in this sweep, so more data has no "
            "measurable value for this model: check the sweep (enough epochs? a model that can "
            "learn?) before pricing data"
        )
    popt, pcov = _best_fit(x, err, sigma)
    if not np.all(np.isfinite(pcov)):
        raise DataValueError(
            "the learning-curve fit is not determined (non-finite covariance): the points do not "
            "pin down a, b and c; add more sizes (especially larger ones) or more seeds"
        )
    amp, b, c = (float(v) for v in popt)
    gain = amp * (float(x.min()) ** -b - 1.0)
    if gain < MIN_FITTED_GAIN:
        raise DataValueError(
            f"the fitted curve is flat (gain {100 * gain:.2f} points across the measured sizes, "
            f"b = {b:.3g}): more data shows no value for this model; no curve is reported"
        )

    resid = _error_scaled(x, amp, b, c) - err
    rmse = float(math.sqrt(np.mean(resid**2)))
    if gain < 2 * rmse:
        raise DataValueError(
            f"the points scatter around the fitted curve by {100 * rmse:.2f} points (RMSE), more than "
            f"half of what it rises across them ({100 * gain:.2f} points): the curve does not fit; "
            "rerun the sweep with more seeds per size"
        )
    dof = len(n) - 3
    chi2 = float(np.sum((resid / sigma) ** 2))
    noise_scale = max(1.0, math.sqrt(chi2 / dof)) if dof > 0 else 1.0

    boot = _bootstrap(x, err - resid, sigma * noise_scale, popt, count=n_bootstrap, seed=seed)
    boot_raw = np.column_stack([boot[:, 0] * n_ref ** boot[:, 1], boot[:, 1], boot[:, 2]])
    boot_raw.setflags(write=False)

    a = amp * n_ref**b
    # standard error of a = amp · n_ref^b by the delta method on (amp, b)
    grad = np.array([n_ref**b, a * math.log(n_ref), 0.0])
    a_std = float(math.sqrt(max(grad @ pcov @ grad, 0.0)))
    notes: list[Reason] = []
    if b >= B_MAX * 0.999:
        notes.append(Reason("fit_b_cap", cap=float(B_MAX)))
    if c <= 1e-9:
        notes.append(Reason("fit_c_zero"))
    if n_bootstrap and len(boot) < n_bootstrap:
        notes.append(
            Reason("fit_bootstrap_failed", failed=int(n_bootstrap - len(boot)), total=int(n_bootstrap))
        )
    return CurveFit(
        a=a,
        b=b,
        c=c,
        a_std=a_std,
        b_std=float(math.sqrt(pcov[1, 1])),
        c_std=float(math.sqrt(pcov[2, 2])),
        rmse_points=100 * rmse,
        noise_scale=noise_scale,
        n_points=len(points),
        n_sizes=len(set(n.tolist())),
        n_min=int(n.min()),
        n_max=int(n_ref),
        interval_level=interval_level,
        n_bootstrap_ok=len(boot),
        notes=tuple(notes),
        boot_params=boot_raw,
    )


def _bootstrap(
    x: np.ndarray, err_fit: np.ndarray, sigma: np.ndarray, popt: np.ndarray, *, count: int, seed: int
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    draws = err_fit + sigma * rng.standard_normal((count, len(x)))
    p0 = tuple(float(v) for v in popt)
    rows = []
    for sample in draws:
        try:
            rows.append(_fit_once(x, sample, sigma, p0)[0])
        except (RuntimeError, ValueError, OptimizeWarning):
            continue
    if count and len(rows) < count // 2:
        raise DataValueError(
            f"only {len(rows)} of {count} bootstrap refits converged: the curve is too uncertain "
            "to price; add sizes or seeds to the sweep"
        )
    return np.array(rows, dtype=float).reshape(-1, 3)


# --------------------------------------------------------------------------------------------
# economics


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
    base_samples = _boot_accuracy(fit, np.asarray(float(current))).reshape((-1,) + (1,) * n.ndim)
    samples = 100 * (_boot_accuracy(fit, n) - base_samples)
    low, high = _quantiles(fit, samples)
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

    >>> fit = fit_learning_curve(_example_points(), n_bootstrap=50)
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

    >>> fit = fit_learning_curve(_example_points(), n_bootstrap=0)
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

    >>> fit = fit_learning_curve(_example_points(), n_bootstrap=50)
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


def _example_points() -> tuple[CurvePointIn, ...]:
    """Noiseless points from ``error = 8·n^(−0.6) + 0.02`` (for the doctests)."""
    return tuple(
        CurvePointIn(n_train=n, accuracy_mean=1 - (8 * n**-0.6 + 0.02), accuracy_std=0.004, seeds=3)
        for n in (500, 1000, 2000, 4000, 8000)
    )
