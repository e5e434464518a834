"""Monte Carlo simulation: reproducibility, the deterministic limit, sampling laws, JSON safety."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel import finance, montecarlo
from bizmodel.montecarlo import (
    MAX_PATHS,
    SERIES,
    Z95,
    MonteCarloError,
    sample_inputs,
    simulate,
)
from bizmodel.projection import kpis, project
from bizmodel.scenario import TEMPLATES, Scenario, base_template, bear_template
from bizmodel.scenario_ranges import Range


def with_ranges(*ranges: Range, scenario: Scenario | None = None) -> Scenario:
    return (scenario or base_template()).with_values(ranges=ranges)


def test_same_seed_gives_byte_identical_arrays() -> None:
    a, b = (simulate(base_template(), paths=500, seed=42) for _ in range(2))
    for name in (*SERIES, "npv_usd", "break_even_month", "runway_months", "min_cash_usd"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes(), name
    assert a.inputs.keys() == b.inputs.keys()
    for name in a.inputs:
        assert a.inputs[name].tobytes() == b.inputs[name].tobytes()


def test_different_seeds_differ() -> None:
    a, b = simulate(base_template(), paths=500, seed=1), simulate(base_template(), paths=500, seed=2)
    assert not np.array_equal(a.cash_usd, b.cash_usd)
    assert not np.array_equal(a.npv_usd, b.npv_usd)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_without_ranges_every_path_is_the_deterministic_projection(kind: str) -> None:
    scenario = TEMPLATES[kind]().with_values(ranges=())
    result = simulate(scenario, paths=50, seed=0)
    frame = project(scenario)
    k = kpis(frame, scenario)
    assert result.inputs == {}
    for name in SERIES:
        expected = frame[name].to_numpy()
        assert (getattr(result, name) == expected).all(), name
    assert result.npv_usd == pytest.approx(np.full(50, k.npv_usd), rel=1e-12)
    expected_break_even = np.nan if k.break_even_month is None else float(k.break_even_month)
    np.testing.assert_array_equal(result.break_even_month, np.full(50, expected_break_even))
    expected_runway = np.nan if k.runway_months is None else float(k.runway_months)
    np.testing.assert_array_equal(result.runway_months, np.full(50, expected_runway))
    assert (result.min_cash_usd == k.min_cash_usd).all()
    fan = result.fan()
    np.testing.assert_allclose(fan["p10"], frame["cash_usd"], rtol=1e-12)
    np.testing.assert_allclose(fan["p90"], frame["cash_usd"], rtol=1e-12)


def test_narrow_ranges_put_the_median_cash_on_the_deterministic_projection() -> None:
    # ±1 % around each ranged value: the P50 of cash stays within 0.2 % of the largest |cash|
    # of the deterministic projection every month (measured: about 0.03 %).
    base = base_template()
    narrow = with_ranges(
        *(
            Range(r.field, getattr(base, r.field) * 0.99, getattr(base, r.field) * 1.01, r.distribution)
            for r in base.ranges
        )
    )
    result = simulate(narrow, paths=4000, seed=3)
    deterministic = project(base)["cash_usd"].to_numpy()
    scale = np.abs(deterministic).max()
    np.testing.assert_allclose(result.fan()["p50"].to_numpy(), deterministic, rtol=0, atol=0.002 * scale)


def test_probability_out_of_cash_is_the_share_of_paths_below_zero() -> None:
    scenario = base_template().with_values(starting_cash_usd=1_000_000.0)
    result = simulate(scenario, paths=2000, seed=5)
    by_hand = sum(bool((row < 0.0).any()) for row in result.cash_usd) / 2000
    assert 0.0 < by_hand < 1.0  # the case is not trivial
    assert result.probability_out_of_cash == by_hand
    assert result.probability_out_of_cash == pytest.approx(np.mean(~np.isnan(result.runway_months)))
    by_hand_break_even = sum(bool((row >= 0.0).any()) for row in result.operating_cash_flow_usd) / 2000
    assert result.probability_break_even == by_hand_break_even


def test_per_path_kpis_follow_finance() -> None:
    result = simulate(base_template(), paths=200, seed=9)
    rate = base_template().annual_discount_rate
    for i in range(0, 200, 37):
        flows, cash = result.operating_cash_flow_usd[i], result.cash_usd[i]
        assert result.npv_usd[i] == pytest.approx(finance.npv(flows, rate), rel=1e-12)
        be = finance.break_even_month(flows)
        assert math.isnan(result.break_even_month[i]) if be is None else result.break_even_month[i] == be
        assert result.min_cash_usd[i] == cash.min()


def test_a_ranged_discount_rate_discounts_each_path_at_its_own_rate() -> None:
    scenario = with_ranges(Range("annual_discount_rate", 0.05, 0.30))
    result = simulate(scenario, paths=100, seed=1)
    rates = result.inputs["annual_discount_rate"]
    assert len(np.unique(rates)) > 1
    for i in (0, 50, 99):
        flows = result.operating_cash_flow_usd[i]
        assert result.npv_usd[i] == pytest.approx(finance.npv(flows, float(rates[i])), rel=1e-10)


def test_each_path_is_the_projection_of_its_sampled_inputs() -> None:
    scenario = base_template()
    result = simulate(scenario, paths=30, seed=11)
    for i in (0, 17, 29):
        single = scenario.with_values(**{name: float(v[i]) for name, v in result.inputs.items()})
        np.testing.assert_allclose(result.cash_usd[i], project(single)["cash_usd"], rtol=1e-12, atol=1e-6)


def test_chunks_do_not_change_the_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    whole = simulate(base_template(), paths=1000, seed=4)
    monkeypatch.setattr(montecarlo, "_CHUNK_PATHS", 300)
    chunked = simulate(base_template(), paths=1000, seed=4)
    for name in (*SERIES, "npv_usd", "break_even_month", "runway_months", "min_cash_usd"):
        np.testing.assert_array_equal(getattr(chunked, name), getattr(whole, name), err_msg=name)


def test_more_paths_extend_the_sample() -> None:
    small = sample_inputs(base_template(), paths=100, seed=8)
    large = sample_inputs(base_template(), paths=1000, seed=8)
    for name in small:
        np.testing.assert_array_equal(large[name][:100], small[name])


def test_adding_a_range_never_changes_another_fields_draws() -> None:
    one = sample_inputs(with_ranges(Range("monthly_churn", 0.02, 0.05)), paths=300, seed=6)
    two = sample_inputs(
        with_ranges(Range("cac_usd", 300.0, 900.0), Range("monthly_churn", 0.02, 0.05)), paths=300, seed=6
    )
    np.testing.assert_array_equal(one["monthly_churn"], two["monthly_churn"])
    assert set(two) == {"cac_usd", "monthly_churn"}


@pytest.mark.parametrize(
    ("low", "mode", "high"), [(250.0, 400.0, 700.0), (400.0, 400.0, 900.0), (0.0, 0.0, 1.0)]
)
def test_triangular_samples_stay_within_low_high_with_the_right_mean(
    low: float, mode: float, high: float
) -> None:
    scenario = base_template().with_values(cac_usd=mode, ranges=[Range("cac_usd", low, high)])
    draws = sample_inputs(scenario, paths=40_000, seed=0)["cac_usd"]
    assert draws.min() >= low and draws.max() <= high
    mean = (low + mode + high) / 3.0
    sd = math.sqrt((low**2 + mode**2 + high**2 - low * mode - low * high - mode * high) / 18.0)
    assert abs(draws.mean() - mean) < 5 * sd / math.sqrt(len(draws))


def test_lognormal_median_is_the_value_and_low_high_are_the_5th_and_95th_percentiles() -> None:
    base = base_template()  # market size: log-normal 10,000–40,000, value 20,000 (geometric mean)
    draws = sample_inputs(base, paths=40_000, seed=0)["market_size"]
    assert np.median(draws) == pytest.approx(base.market_size, rel=0.02)
    p5, p95 = np.percentile(draws, [5, 95])
    assert p5 == pytest.approx(10_000.0, rel=0.03)
    assert p95 == pytest.approx(40_000.0, rel=0.03)
    assert ((draws < 10_000.0) | (draws > 40_000.0)).mean() == pytest.approx(0.10, abs=0.01)
    sigma = math.log(4.0) / (2.0 * Z95)
    assert np.std(np.log(draws)) == pytest.approx(sigma, rel=0.02)


def test_lognormal_samples_are_clipped_to_the_fields_bounds_only() -> None:
    scenario = base_template().with_values(
        model_accuracy=0.95, ranges=[Range("model_accuracy", 0.5, 1.0, "lognormal")]
    )
    draws = sample_inputs(scenario, paths=20_000, seed=0)["model_accuracy"]
    assert draws.max() == 1.0  # the tail above 1 is clipped to the field's bound
    assert draws.min() < 0.5  # but not to the range's low


def test_sampled_pairs_keep_their_joint_bound() -> None:
    scenario = base_template().with_values(
        bass_p=0.3, bass_q=0.3, ranges=[Range("bass_q", 0.2, 0.7, "lognormal"), Range("bass_p", 0.2, 0.3)]
    )
    draws = sample_inputs(scenario, paths=20_000, seed=0)
    total = draws["bass_p"] + draws["bass_q"]
    assert (total <= 1.0 + 1e-12).all()
    assert (total > 0.99).any()  # the log-normal tail did reach the bound
    churn = base_template().with_values(
        monthly_churn=0.5, ranges=[Range("monthly_churn", 0.2, 0.9, "lognormal")]
    )
    extra = churn.churn_at_minimum_accuracy_extra
    assert (sample_inputs(churn, paths=20_000, seed=0)["monthly_churn"] <= 1.0 - extra + 1e-12).all()
    simulate(churn, paths=2000, seed=0)  # the projection accepts every path


@pytest.mark.parametrize(
    ("paths", "seed", "expected"),
    [
        (0, 0, "paths must be from 1"),
        (-5, 0, "paths must be from 1"),
        (MAX_PATHS + 1, 0, "paths must be from 1"),
        (10.5, 0, "paths must be a whole number"),
        (True, 0, "paths must be a whole number"),
        ("100", 0, "paths must be a whole number"),
        (100, -1, "seed must be ≥ 0"),
        (100, 1.5, "seed must be a whole number"),
        (100, False, "seed must be a whole number"),
        (100, None, "seed must be a whole number"),
    ],
)
def test_bad_paths_or_seed_are_refused(paths: object, seed: object, expected: str) -> None:
    with pytest.raises(MonteCarloError, match=expected):
        simulate(base_template(), paths=paths, seed=seed)  # type: ignore[arg-type]
    with pytest.raises(MonteCarloError, match=expected):
        sample_inputs(base_template(), paths=paths, seed=seed)  # type: ignore[arg-type]


def test_numpy_integers_are_accepted() -> None:
    result = simulate(base_template(), paths=np.int64(10), seed=np.uint32(3))  # type: ignore[arg-type]
    assert result.paths == 10 and result.seed == 3


@pytest.mark.parametrize(
    "scenario",
    [
        base_template(),
        bear_template(),  # never breaks even: no break-even percentiles
        base_template().with_values(model_accuracy=0.5),  # nobody adopts
        base_template().with_values(ranges=(), starting_cash_usd=1e9),  # never out of cash, no spread
    ],
    ids=["base", "bear", "no-adoption", "rich-and-certain"],
)
def test_summary_is_json_without_nan(scenario: Scenario) -> None:
    result = simulate(scenario, paths=300, seed=0)
    summary = result.summary()
    text = json.dumps(summary, allow_nan=False)
    again = json.loads(text)
    assert again["paths"] == 300 and again["seed"] == 0
    assert set(again["npv_usd"]) == {"p10", "p50", "p90", "mean"}
    assert set(again["min_cash_usd"]) == {"p10", "p50", "p90", "mean"}
    assert set(again["break_even_month"]) == {"p10", "p50", "p90"}
    assert len(again["monthly"]) == scenario.horizon_months
    first = again["monthly"][0]
    assert set(first) == {"month"} | {f"{c}_p{p}" for c in ("cash_usd", "revenue_usd") for p in (10, 50, 90)}
    assert first["month"] == 1
    if result.probability_break_even == 0.0:
        assert again["break_even_month"] == {"p10": None, "p50": None, "p90": None}
    else:
        assert again["break_even_month"]["p10"] <= again["break_even_month"]["p90"]
    if result.probability_out_of_cash == 0.0:
        assert again["runway_months"]["p50"] is None


def test_bear_never_breaks_even_and_always_runs_out() -> None:
    result = simulate(bear_template(), paths=300, seed=0)
    assert result.probability_break_even == 0.0
    assert np.isnan(result.break_even_month).all()
    assert result.probability_out_of_cash == 1.0


def test_fan_and_npv_percentiles() -> None:
    result = simulate(base_template(), paths=1000, seed=2)
    fan = result.fan("revenue_usd", percentiles=(5, 50, 95))
    assert list(fan.columns) == ["p5", "p50", "p95"]
    assert fan.index.name == "month" and fan.index.tolist() == list(range(1, 61))
    assert (fan["p5"] <= fan["p50"]).all() and (fan["p50"] <= fan["p95"]).all()
    npv = result.npv_percentiles()
    assert npv["p10"] <= npv["p50"] <= npv["p90"]
    assert npv["p50"] == pytest.approx(float(np.median(result.npv_usd)))
    with pytest.raises(MonteCarloError, match="column"):
        result.fan("cash")
    with pytest.raises(MonteCarloError, match="percentiles"):
        result.npv_percentiles((10, 120))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32), st.integers(1, 400))
def test_probabilities_are_shares(seed: int, paths: int) -> None:
    result = simulate(base_template(), paths=paths, seed=seed)
    for p in (result.probability_out_of_cash, result.probability_break_even):
        assert 0.0 <= p <= 1.0
        assert (p * paths) == pytest.approx(round(p * paths))
    assert np.isfinite(result.npv_usd).all()
