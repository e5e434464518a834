"""A run's learning curve ``error(n) = a·n^(−b) + c``: its points, the weighted fit and its bootstrap.

``n`` is the number of training samples; accuracies are fractions (0.97); ``error = 1 − accuracy``.
``c`` is the error no amount of data removes, ``b`` how fast the error falls and ``a`` its scale
(in the units of raw ``n``). Intervals are central ``interval_level`` (80 %) intervals of a
parametric bootstrap (see :func:`fit_learning_curve`). No curve is fabricated: too few sizes, a
fit that does not converge or a curve that does not improve with data raise
:class:`DataValueError`. What the curve is worth in money is :mod:`bizmodel.data_value`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit

from bizmodel.reasons import Reason, ReasonedError

__all__ = [
    "B_MAX",
    "MIN_DISTINCT_SIZES",
    "STD_FLOOR",
    "CurveFit",
    "CurvePointIn",
    "DataValueError",
    "boot_accuracy",
    "example_points",
    "fit_learning_curve",
    "interval_bounds",
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

        >>> fit = fit_learning_curve(example_points(), n_bootstrap=50)
        >>> acc, low, high = fit.predict(16000)
        >>> bool(low <= acc <= high <= 1 - fit.c + 0.01)
        True
        """
        acc = predicted_accuracy(self, n)
        low, high = interval_bounds(self, boot_accuracy(self, np.asarray(n, dtype=float)))
        low, high = np.minimum(low, acc), np.maximum(high, acc)
        if np.ndim(acc) == 0:
            return float(acc), float(low), float(high)
        return acc, low, high


def _accuracy(params: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Accuracy for parameter rows ``(k, 3)`` at sizes ``n`` → shape ``(k, *n.shape)``."""
    a, b, c = (params[:, i].reshape((-1,) + (1,) * n.ndim) for i in range(3))
    return np.clip(1.0 - a * np.power(n, -b) - c, 0.0, 1.0)


def boot_accuracy(fit: CurveFit, n: np.ndarray) -> np.ndarray:
    """Accuracy (fraction 0–1) of every bootstrap curve at sizes ``n`` → shape ``(refits, *n.shape)``.

    >>> fit = fit_learning_curve(example_points(), n_bootstrap=20)
    >>> boot_accuracy(fit, np.array([1000.0, 8000.0])).shape
    (20, 2)
    """
    return _accuracy(fit.boot_params, np.maximum(n, 1.0))


def interval_bounds(fit: CurveFit, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The central ``fit.interval_level`` bounds of ``samples`` over its first axis (NaN if none).

    >>> fit = fit_learning_curve(example_points(), n_bootstrap=0)
    >>> interval_bounds(fit, np.empty((0, 2)))[0].tolist()
    [nan, nan]
    """
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

    >>> fit = fit_learning_curve(example_points(), n_bootstrap=0)
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

    >>> fit = fit_learning_curve(example_points(), n_bootstrap=0)
    >>> round(fit.b, 2), round(fit.c, 3), round(fit.rmse_points, 3)
    (0.6, 0.02, 0.0)
    """
    _check_points(points)
    if n_bootstrap < 0 or not (0.0 < interval_level < 1.0) or not std_floor > 0:
        raise DataValueError("n_bootstrap must be ≥ 0, interval_level in (0, 1) and std_floor > 0")
    n, err, sigma = _fit_inputs(points, std_floor)
    n_ref = float(n.max())
    x = n / n_ref
    popt, pcov = _best_fit(x, err, sigma)
    resid, rmse, noise_scale = _fit_quality(x, err, sigma, popt, pcov)
    boot = _bootstrap(x, err - resid, sigma * noise_scale, popt, count=n_bootstrap, seed=seed)
    boot_raw = np.column_stack([boot[:, 0] * n_ref ** boot[:, 1], boot[:, 1], boot[:, 2]])
    boot_raw.setflags(write=False)
    amp, b, c = (float(v) for v in popt)
    return CurveFit(
        a=amp * n_ref**b,
        b=b,
        c=c,
        a_std=_a_std(amp, b, n_ref, pcov),
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
        notes=_fit_notes(b, c, refits_ok=len(boot), n_bootstrap=n_bootstrap),
        boot_params=boot_raw,
    )


def _fit_inputs(
    points: Sequence[CurvePointIn], std_floor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sizes n, error 1 − accuracy, standard error of each point) of checked points, refused when
    accuracy does not rise with ``n`` (a log-linear slope ≤ 0).

    >>> n, err, sigma = _fit_inputs(example_points(), STD_FLOOR)
    >>> n.tolist()[:2], round(float(sigma[0]), 4)
    ([500.0, 1000.0], 0.0029)
    """
    n = np.array([p.n_train for p in points], dtype=float)
    acc = np.array([p.accuracy_mean for p in points], dtype=float)
    sigma = np.array([max(p.accuracy_std, std_floor) / math.sqrt(p.seeds) for p in points])
    if np.polyfit(np.log(n), acc, 1)[0] <= 0:
        raise DataValueError(
            "accuracy does not rise with training-set size in this sweep, so more data has no "
            "measurable value for this model: check the sweep (enough epochs? a model that can "
            "learn?) before pricing data"
        )
    return n, 1.0 - acc, sigma


def _fit_quality(
    x: np.ndarray, err: np.ndarray, sigma: np.ndarray, popt: np.ndarray, pcov: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """(residuals, RMSE as a fraction, bootstrap noise scale ≥ 1) of a fit, refusing one that cannot be used.

    The fit is refused when its covariance is not finite, when its curve gains less than
    :data:`MIN_FITTED_GAIN` across the measured sizes, or when its RMSE is more than half that gain.
    The noise scale is ``max(1, √(χ²/dof))`` with dof = points − 3 (1 when dof ≤ 0).
    """
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
    dof = len(x) - 3
    chi2 = float(np.sum((resid / sigma) ** 2))
    noise_scale = max(1.0, math.sqrt(chi2 / dof)) if dof > 0 else 1.0
    return resid, rmse, noise_scale


def _a_std(amp: float, b: float, n_ref: float, pcov: np.ndarray) -> float:
    """Standard error of ``a = amp · n_ref^b`` by the delta method on (amp, b)."""
    a = amp * n_ref**b
    grad = np.array([n_ref**b, a * math.log(n_ref), 0.0])
    return float(math.sqrt(max(grad @ pcov @ grad, 0.0)))


def _fit_notes(b: float, c: float, *, refits_ok: int, n_bootstrap: int) -> tuple[Reason, ...]:
    """Reasons to read the fit with care: ``b`` at its cap, ``c`` at 0, bootstrap refits that failed."""
    notes: list[Reason] = []
    if b >= B_MAX * 0.999:
        notes.append(Reason("fit_b_cap", cap=float(B_MAX)))
    if c <= 1e-9:
        notes.append(Reason("fit_c_zero"))
    if n_bootstrap and refits_ok < n_bootstrap:
        notes.append(
            Reason("fit_bootstrap_failed", failed=int(n_bootstrap - refits_ok), total=int(n_bootstrap))
        )
    return tuple(notes)


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


def example_points() -> tuple[CurvePointIn, ...]:
    """Noiseless points from ``error = 8·n^(−0.6) + 0.02`` (for the doctests)."""
    return tuple(
        CurvePointIn(n_train=n, accuracy_mean=1 - (8 * n**-0.6 + 0.02), accuracy_std=0.004, seeds=3)
        for n in (500, 1000, 2000, 4000, 8000)
    )
