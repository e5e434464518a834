"""Value of data: learning-curve fit, refusals, and the economics built on it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel.data_value import (
    B_MAX,
    CurveFit,
    CurvePointIn,
    DataEconomics,
    DataValueError,
    buy_data,
    fit_learning_curve,
    marginal_value_curve,
    optimal_dataset_size,
    points_from_record,
    predicted_accuracy,
)
from bizmodel.reasons import Reason

SIZES = (500, 1000, 2000, 4000, 8000)


def curve_points(
    a: float,
    b: float,
    c: float,
    sizes=SIZES,
    *,
    noise_std: float = 0.005,
    seeds: int = 3,
    rng_seed: int | None = None,
) -> tuple[CurvePointIn, ...]:
    """Points from ``error = a·n^(−b) + c``; ``noise_std`` is the stated seed-to-seed std of accuracy.

    With ``rng_seed`` set, each mean gets normal noise of its standard error ``noise_std / √seeds``;
    without it the means lie exactly on the curve.
    """
    rng = np.random.default_rng(rng_seed)
    points = []
    for n in sizes:
        noise = rng.normal(0.0, noise_std / math.sqrt(seeds)) if rng_seed is not None else 0.0
        acc = 1.0 - (a * n**-b + c) + noise
        points.append(CurvePointIn(n_train=n, accuracy_mean=acc, accuracy_std=noise_std, seeds=seeds))
    return tuple(points)


def true_accuracy(a: float, b: float, c: float, n: float) -> float:
    return 1.0 - (a * n**-b + c)


@pytest.fixture(scope="module")
def fit() -> CurveFit:
    return fit_learning_curve(curve_points(8.0, 0.6, 0.02, noise_std=0.005, rng_seed=3), n_bootstrap=100)


# ------------------------------------------------------------------------------- fitting


@pytest.mark.parametrize(
    ("a", "b", "c", "sizes"),
    [
        (8.0, 0.6, 0.02, SIZES),
        (3.0, 0.5, 0.05, SIZES),
        (1.5, 0.3, 0.01, (300, 900, 2700, 8100, 24300)),
        (40.0, 1.0, 0.03, (250, 500, 1000, 2000)),  # exactly 4 sizes
        (2.0, 0.35, 0.0, (1000, 2000, 4000, 8000, 16000, 32000)),  # no error floor
    ],
)
def test_fit_recovers_noiseless_parameters(a, b, c, sizes):
    result = fit_learning_curve(curve_points(a, b, c, sizes, noise_std=0.004), n_bootstrap=0)
    assert result.a == pytest.approx(a, rel=1e-3)
    assert result.b == pytest.approx(b, rel=1e-3)
    assert result.c == pytest.approx(c, abs=1e-4)
    assert result.rmse_points < 1e-3
    assert result.n_sizes == len(sizes)
    assert (result.n_min, result.n_max) == (min(sizes), max(sizes))


@pytest.mark.parametrize("rng_seed", [0, 1, 2, 3])
@pytest.mark.parametrize(("a", "b", "c"), [(8.0, 0.6, 0.02), (3.0, 0.5, 0.05)])
def test_fit_recovers_noisy_curve_within_its_uncertainty(a, b, c, rng_seed):
    sizes = (500, 1000, 2000, 4000, 8000, 16000)
    result = fit_learning_curve(
        curve_points(a, b, c, sizes, noise_std=0.005, rng_seed=rng_seed), n_bootstrap=100
    )
    assert result.b == pytest.approx(b, abs=0.2)
    assert result.c == pytest.approx(c, abs=0.03)
    assert result.rmse_points < 0.5
    # inside and somewhat beyond the measured sizes, prediction stays within a point of the truth
    for n in (1000, 16000, 64000):
        acc, low, high = result.predict(n)
        truth = true_accuracy(a, b, c, n)
        assert acc == pytest.approx(truth, abs=0.01)
        assert low - 0.005 <= truth <= high + 0.005
        assert low <= acc <= high


def test_bootstrap_is_reproducible_and_level_widens_interval():
    points = curve_points(8.0, 0.6, 0.02, noise_std=0.005, rng_seed=5)
    first = fit_learning_curve(points, n_bootstrap=60, seed=7)
    again = fit_learning_curve(points, n_bootstrap=60, seed=7)
    assert first.predict(50_000) == again.predict(50_000)
    wide = fit_learning_curve(points, n_bootstrap=60, seed=7, interval_level=0.95)
    _, lo80, hi80 = first.predict(50_000)
    _, lo95, hi95 = wide.predict(50_000)
    assert lo95 <= lo80 and hi95 >= hi80


def test_no_bootstrap_gives_nan_interval():
    result = fit_learning_curve(curve_points(8.0, 0.6, 0.02, noise_std=0.005), n_bootstrap=0)
    acc, low, high = result.predict(10_000)
    assert math.isfinite(acc) and math.isnan(low) and math.isnan(high)


@pytest.mark.parametrize(
    ("sizes", "distinct"),
    [
        ((1000, 2000, 4000), 3),
        ((1000, 1000, 2000, 2000, 4000, 4000), 3),
        ((5000,), 1),
    ],
)
def test_fewer_than_four_sizes_refused(sizes, distinct):
    with pytest.raises(DataValueError, match=f"{distinct} distinct training-set size.*at least 4.*sweep"):
        fit_learning_curve(curve_points(8.0, 0.6, 0.02, sizes, noise_std=0.005))


def test_empty_curve_refused():
    with pytest.raises(DataValueError, match="no points"):
        fit_learning_curve(())


@pytest.mark.parametrize(
    "accuracies",
    [
        (0.90, 0.90, 0.90, 0.90, 0.90),  # flat
        (0.95, 0.94, 0.93, 0.92, 0.91),  # error rises with data
        (0.9000, 0.9001, 0.9001, 0.9002, 0.9002),  # gains far below a tenth of a point
        (0.90, 0.80, 0.92, 0.79, 0.91),  # noise, no trend
    ],
)
def test_flat_or_rising_curve_refused(accuracies):
    points = tuple(
        CurvePointIn(n_train=n, accuracy_mean=acc, accuracy_std=0.003, seeds=3)
        for n, acc in zip(SIZES, accuracies, strict=True)
    )
    with pytest.raises(DataValueError, match=r"flat|does not rise|does not fit"):
        fit_learning_curve(points, n_bootstrap=20)


@pytest.mark.parametrize(
    "point",
    [
        CurvePointIn(n_train=8000, accuracy_mean=95.0, accuracy_std=0.5, seeds=2),  # percent, not fraction
        CurvePointIn(n_train=0, accuracy_mean=0.95, accuracy_std=0.01, seeds=2),
        CurvePointIn(n_train=8000, accuracy_mean=0.95, accuracy_std=float("nan"), seeds=2),
        CurvePointIn(n_train=8000, accuracy_mean=0.95, accuracy_std=0.01, seeds=0),
    ],
)
def test_invalid_points_refused(point):
    points = (*curve_points(8.0, 0.6, 0.02, (500, 1000, 2000, 4000)), point)
    with pytest.raises(DataValueError):
        fit_learning_curve(points)


def test_zero_std_single_seed_points_still_fit():
    points = curve_points(8.0, 0.6, 0.02, noise_std=0.0, seeds=1)
    result = fit_learning_curve(points, n_bootstrap=30)
    assert result.b == pytest.approx(0.6, rel=1e-3)
    assert result.b <= B_MAX


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=10_000_000), min_size=1, max_size=30))
def test_predictions_monotone_and_bounded(fit, sizes):
    n = np.sort(np.asarray(sizes, dtype=float))
    acc, low, high = fit.predict(n)
    assert np.all(np.diff(acc) >= -1e-12)
    assert np.all(np.diff(low) >= -1e-12) and np.all(np.diff(high) >= -1e-12)
    assert np.all(acc <= 1.0 - fit.c + 1e-12)
    assert np.all((low <= acc) & (acc <= high))
    np.testing.assert_allclose(predicted_accuracy(fit, n), acc)


def test_predicted_accuracy_scalar_and_array(fit):
    assert isinstance(predicted_accuracy(fit, 4000), float)
    grid = np.array([[1000, 2000], [4000, 8000]])
    assert predicted_accuracy(fit, grid).shape == (2, 2)


# ------------------------------------------------------------------------------- economics


@pytest.mark.parametrize(
    "kwargs",
    [
        {"value_usd_per_point_per_year": -1.0, "label_cost_usd_per_sample": 0.05},
        {"value_usd_per_point_per_year": 1.0, "label_cost_usd_per_sample": -0.05},
        {"value_usd_per_point_per_year": 1.0, "label_cost_usd_per_sample": 0.05, "horizon_years": 0.0},
        {"value_usd_per_point_per_year": float("inf"), "label_cost_usd_per_sample": 0.05},
        {"value_usd_per_point_per_year": 1.0, "label_cost_usd_per_sample": 0.05, "current_n": 0},
    ],
)
def test_economics_validated(kwargs):
    with pytest.raises(DataValueError):
        DataEconomics(**kwargs)


def test_marginal_value_curve_columns_and_consistency(fit):
    econ = DataEconomics(value_usd_per_point_per_year=10_000, label_cost_usd_per_sample=0.05, horizon_years=2)
    grid = np.geomspace(1000, 500_000, 40)
    df = marginal_value_curve(fit, econ, grid)
    assert list(df.columns) == [
        "n_train",
        "extra_samples",
        "accuracy",
        "accuracy_low",
        "accuracy_high",
        "gain_points",
        "gain_points_low",
        "gain_points_high",
        "value_usd_per_year",
        "labelling_cost_usd",
        "net_value_usd",
        "marginal_value_usd_per_sample",
        "extrapolated",
    ]
    current = fit.n_max
    below = df["n_train"] < current
    assert (df.loc[below, "labelling_cost_usd"] == 0).all() and (df.loc[below, "gain_points"] < 0).all()
    np.testing.assert_allclose(df["net_value_usd"], 2 * df["value_usd_per_year"] - df["labelling_cost_usd"])
    assert (df["gain_points_low"] <= df["gain_points"]).all() and (
        df["gain_points"] <= df["gain_points_high"]
    ).all()
    assert (df["extrapolated"] == (df["n_train"] > current)).all()
    assert df["marginal_value_usd_per_sample"].is_monotonic_decreasing


def test_net_value_is_zero_at_current_size(fit):
    econ = DataEconomics(value_usd_per_point_per_year=5_000, label_cost_usd_per_sample=0.1, current_n=4000)
    row = marginal_value_curve(fit, econ, [4000]).iloc[0]
    assert row["gain_points"] == pytest.approx(0.0, abs=1e-12)
    assert row["net_value_usd"] == pytest.approx(0.0, abs=1e-9)


def test_bad_grid_refused(fit):
    econ = DataEconomics(value_usd_per_point_per_year=1.0, label_cost_usd_per_sample=0.1)
    with pytest.raises(DataValueError, match="n_grid"):
        marginal_value_curve(fit, econ, [0, 100])


def test_optimum_matches_dense_grid_and_marginal_condition(fit):
    econ = DataEconomics(value_usd_per_point_per_year=10_000, label_cost_usd_per_sample=0.05)
    best = optimal_dataset_size(fit, econ, max_n=2_000_000)
    assert best.bound == "interior" and best.buy and best.extrapolated
    grid = np.unique(np.geomspace(fit.n_max, 2_000_000, 20_000).round())
    df = marginal_value_curve(fit, econ, grid)
    assert best.net_value_usd >= df["net_value_usd"].max() - 1e-6
    at_best = marginal_value_curve(fit, econ, [best.n_train]).iloc[0]
    assert at_best["marginal_value_usd_per_sample"] == pytest.approx(0.05, rel=1e-3)
    assert best.net_value_usd == pytest.approx(at_best["net_value_usd"])


@pytest.mark.parametrize(
    ("value", "cost", "max_n", "bound"),
    [
        (10_000, 50.0, 1_000_000, "current"),  # labels far too dear: do not buy
        (0.0, 0.05, 1_000_000, "current"),  # accuracy worth nothing
        (10_000, 0.0, 1_000_000, "max_n"),  # free labels: buy all there is
        (10_000, 0.05, 20_000, "max_n"),  # still worth it at the cap
    ],
)
def test_optimum_bounds(fit, value, cost, max_n, bound):
    econ = DataEconomics(value_usd_per_point_per_year=value, label_cost_usd_per_sample=cost)
    best = optimal_dataset_size(fit, econ, max_n=max_n)
    assert best.bound == bound
    if bound == "current":
        assert not best.buy and best.net_value_usd == pytest.approx(0.0, abs=1e-9)
    else:
        assert best.n_train == max_n


def test_optimum_refuses_max_below_current(fit):
    econ = DataEconomics(value_usd_per_point_per_year=1.0, label_cost_usd_per_sample=0.1)
    with pytest.raises(DataValueError, match="max_n"):
        optimal_dataset_size(fit, econ, max_n=fit.n_max - 1)


costs = st.floats(min_value=1e-4, max_value=10.0, allow_nan=False)
values = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(value=values, cost=costs, factor=st.floats(min_value=1.0, max_value=100.0))
def test_higher_label_cost_never_increases_optimal_size(fit, value, cost, factor):
    cheap = DataEconomics(value_usd_per_point_per_year=value, label_cost_usd_per_sample=cost)
    dear = DataEconomics(value_usd_per_point_per_year=value, label_cost_usd_per_sample=cost * factor)
    max_n = 5_000_000
    assert (
        optimal_dataset_size(fit, dear, max_n=max_n).n_train
        <= optimal_dataset_size(fit, cheap, max_n=max_n).n_train
    )


@settings(max_examples=80, deadline=None)
@given(value=values, cost=costs, factor=st.floats(min_value=1.0, max_value=100.0))
def test_higher_value_never_decreases_optimal_size(fit, value, cost, factor):
    low = DataEconomics(value_usd_per_point_per_year=value, label_cost_usd_per_sample=cost)
    high = DataEconomics(value_usd_per_point_per_year=value * factor, label_cost_usd_per_sample=cost)
    max_n = 5_000_000
    assert (
        optimal_dataset_size(fit, high, max_n=max_n).n_train
        >= optimal_dataset_size(fit, low, max_n=max_n).n_train
    )


@pytest.mark.parametrize(
    ("value", "cost", "horizon", "extra"),
    [
        (10_000, 0.05, 1.0, 50_000),
        (2_000, 0.5, 3.0, 20_000),
        (500, 2.0, 1.0, 100_000),  # a loss: negative ROI
        (10_000, 0.05, 0.5, 1),
    ],
)
def test_buy_data_roi_consistent_with_parts(fit, value, cost, horizon, extra):
    econ = DataEconomics(
        value_usd_per_point_per_year=value, label_cost_usd_per_sample=cost, horizon_years=horizon
    )
    buy = buy_data(fit, econ, extra)
    assert buy.n_after == buy.n_before + extra == fit.n_max + extra
    assert buy.gain_points == pytest.approx(100 * (buy.accuracy_after - buy.accuracy_before))
    assert buy.gain_points_low <= buy.gain_points <= buy.gain_points_high
    assert buy.value_usd_per_year == pytest.approx(value * buy.gain_points)
    assert buy.labelling_cost_usd == pytest.approx(cost * extra)
    assert buy.net_value_usd == pytest.approx(horizon * buy.value_usd_per_year - buy.labelling_cost_usd)
    assert buy.roi == pytest.approx(buy.net_value_usd / buy.labelling_cost_usd)
    assert buy.payback_months == pytest.approx(12 * buy.labelling_cost_usd / buy.value_usd_per_year)
    assert (buy.roi > 0) == (buy.payback_months < 12 * horizon)
    row = marginal_value_curve(fit, econ, [buy.n_after]).iloc[0]
    assert row["net_value_usd"] == pytest.approx(buy.net_value_usd)


def test_buy_data_journey_sentence(fit):
    econ = DataEconomics(value_usd_per_point_per_year=10_000, label_cost_usd_per_sample=0.05)
    buy = buy_data(fit, econ, 50_000)
    sentence = buy.summary()
    assert sentence.startswith("buying 50,000 more labels at $0.05 raises accuracy by ")
    assert f"{buy.gain_points:.2f} points" in sentence
    assert f"worth ${buy.value_usd_per_year:,.0f} a year" in sentence


def test_buy_nothing_and_negative(fit):
    econ = DataEconomics(value_usd_per_point_per_year=10_000, label_cost_usd_per_sample=0.05)
    nothing = buy_data(fit, econ, 0)
    assert nothing.gain_points == 0 and nothing.labelling_cost_usd == 0 and math.isnan(nothing.roi)
    with pytest.raises(DataValueError):
        buy_data(fit, econ, -1)


# ------------------------------------------------------------------------------- run records


def _record(points: list[dict] | None) -> dict:
    curve = None if points is None else {"measured_at": "2025-01-01T00:00:00", "points": points, "epochs": 3}
    return {"id": "run-42", "status": "done", "learning_curve": curve, "test_accuracy": 0.97}


def test_points_from_record_reads_sorted_points_and_ignores_extra_keys():
    raw = [
        {
            "fraction": f,
            "n_train": n,
            "accuracy_mean": acc,
            "accuracy_std": 0.01,
            "train_seconds": 1.5,
            "seeds": 2,
            "accuracies": [acc - 0.01, acc + 0.01],
        }
        for f, n, acc in [(1.0, 4000, 0.95), (0.1, 400, 0.85), (0.5, 2000, 0.93), (0.25, 1000, 0.9)]
    ]
    points = points_from_record(_record(raw))
    assert [p.n_train for p in points] == [400, 1000, 2000, 4000]
    assert points[0] == CurvePointIn(n_train=400, accuracy_mean=0.85, accuracy_std=0.01, seeds=2)
    fit_learning_curve(points, n_bootstrap=0)  # a real record's points feed the fit directly


@pytest.mark.parametrize("record", [_record(None), _record([]), {"id": "run-42"}])
def test_points_from_record_without_learning_curve(record):
    with pytest.raises(DataValueError) as info:
        points_from_record(record)
    assert info.value.reason == Reason("run_no_curve", run="run-42")


def test_points_from_a_record_without_id_name_this_run() -> None:
    with pytest.raises(DataValueError) as info:
        points_from_record({})
    assert info.value.reason == Reason("run_no_curve", run=Reason("this_run"))


def test_points_from_record_incomplete_point():
    with pytest.raises(DataValueError, match="incomplete"):
        points_from_record(_record([{"n_train": 100, "accuracy_mean": 0.9}]))
