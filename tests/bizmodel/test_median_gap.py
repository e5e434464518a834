"""The Monte Carlo median against the plan: range medians, one-at-a-time effects, the remainder."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from bizmodel.median_gap import (
    MATERIAL_SHARE,
    VERDICTS,
    MedianGap,
    MedianGapError,
    median_gap,
    plan_npv_usd,
    range_median,
)
from bizmodel.montecarlo import sample_inputs, simulate
from bizmodel.projection import kpis, project
from bizmodel.scenario import Scenario, base_template, bear_template, bull_template
from bizmodel.scenario_ranges import Range
from tests.support.cli import run_bizmodel as run_cli


def with_ranges(*ranges: Range, scenario: Scenario | None = None) -> Scenario:
    return (scenario or base_template()).with_values(ranges=ranges)


def explain(scenario: Scenario, *, paths: int = 2_000, seed: int = 0, **kwargs: float) -> MedianGap:
    return median_gap(scenario, simulate(scenario, paths=paths, seed=seed).npv_usd, **kwargs)


# ------------------------------------------------------------------------------ range medians


@pytest.mark.parametrize(
    ("low", "mode", "high", "median"),
    [
        (0.02, 0.03, 0.05, 0.05 - math.sqrt(0.03 * 0.02 / 2)),  # churn: mode below the midpoint
        (250.0, 400.0, 700.0, 700.0 - math.sqrt(450.0 * 300.0 / 2)),  # CAC
        (0.03, 0.05, 0.08, 0.08 - math.sqrt(0.05 * 0.03 / 2)),  # Bass q
        (39.0, 49.0, 59.0, 49.0),  # symmetric: the mode
        (0.0, 10.0, 10.0, math.sqrt(50.0)),  # mode at high: low + √(w²/2)
        (0.0, 0.0, 10.0, 10.0 - math.sqrt(50.0)),  # mode at low: high − √(w²/2)
        (1.0, 8.0, 9.0, 1.0 + math.sqrt(8.0 * 7.0 / 2)),  # mode above the midpoint
    ],
)
def test_triangular_median_closed_form(low: float, mode: float, high: float, median: float) -> None:
    assert range_median(Range("cac_usd", low, high), mode) == pytest.approx(median, rel=1e-12, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(0.0, 1e4, allow_nan=False),
    width=st.floats(1e-3, 1e4, allow_nan=False),
    at=st.floats(0.0, 1.0),
)
def test_triangular_median_splits_the_distribution_in_half(low: float, width: float, at: float) -> None:
    high = low + width
    mode = min(low + at * width, high)
    median = range_median(Range("cac_usd", low, high), mode)
    c = (mode - low) / (high - low)
    assert low <= median <= high
    assert stats.triang.cdf(median, c, loc=low, scale=high - low) == pytest.approx(0.5, abs=1e-9)


@pytest.mark.parametrize(
    ("field", "low", "high", "distribution"),
    [
        ("monthly_churn", 0.02, 0.05, "triangular"),
        ("cac_usd", 250.0, 700.0, "triangular"),
        ("price_usd_per_user_month", 39.0, 59.0, "triangular"),
        ("market_size", 10_000.0, 40_000.0, "lognormal"),
    ],
)
def test_range_median_is_the_samplers(field: str, low: float, high: float, distribution: str) -> None:
    scenario = with_ranges(Range(field, low, high, distribution))
    draws = sample_inputs(scenario, paths=200_000, seed=3)[field]
    expected = range_median(scenario.ranges[0], float(getattr(scenario, field)))
    assert np.median(draws) == pytest.approx(expected, rel=0.005)


# ------------------------------------------------------------------------------ the gap


def test_plan_npv_is_the_kpi() -> None:
    for scenario in (base_template(), bull_template(), bear_template()):
        assert plan_npv_usd(scenario) == kpis(project(scenario), scenario).npv_usd


def test_base_template_median_below_the_plan_for_churn_and_cac() -> None:
    scenario = base_template()
    result = simulate(scenario, paths=10_000, seed=0)
    gap = median_gap(scenario, result.npv_usd)
    assert gap.verdict == "material" and gap.material
    assert gap.median_npv_usd == result.npv_percentiles()["p50"]
    assert gap.point_npv_usd == kpis(project(scenario), scenario).npv_usd
    assert gap.gap_usd < -0.05 * abs(gap.point_npv_usd)
    by_field = {d.field: d for d in gap.drivers}
    assert [d.field for d in gap.drivers[:3]] == ["cac_usd", "monthly_churn", "bass_q"]
    cac_median = 500 - math.sqrt(300 * 200 / 2)  # triangular $200 / $300 / $500: $326.79
    assert by_field["cac_usd"].median_value == pytest.approx(cac_median, abs=1e-9)
    assert by_field["monthly_churn"].median_value == pytest.approx(0.032679, abs=1e-6)
    assert by_field["cac_usd"].npv_effect_usd < 0 < by_field["bass_q"].npv_effect_usd
    for name in ("price_usd_per_user_month", "market_size"):  # symmetric, and log-normal
        assert by_field[name].median_value == by_field[name].point_value
        assert by_field[name].npv_effect_usd == 0.0
    assert gap.median_interval_usd[0] <= gap.median_npv_usd <= gap.median_interval_usd[1]


def test_bear_template_gap_is_small() -> None:
    assert explain(bear_template()).verdict == "small"


def test_no_ranges_no_drivers() -> None:
    gap = explain(with_ranges(), paths=100)
    assert gap.drivers == () and gap.verdict == "no_ranges" and not gap.material
    assert gap.gap_usd == pytest.approx(0.0, abs=1e-6 * abs(gap.point_npv_usd))
    assert gap.spread_usd == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    "ranges",
    [
        (Range("price_usd_per_user_month", 39.0, 59.0),),
        (Range("monthly_churn", 0.02, 0.04), Range("cac_usd", 200.0, 400.0)),
        (Range("market_size", 10_000.0, 40_000.0, "lognormal"), Range("bass_q", 0.04, 0.06)),
    ],
)
def test_symmetric_ranges_do_not_shift_medians(ranges: tuple[Range, ...]) -> None:
    gap = explain(with_ranges(*ranges), paths=500)
    assert len(gap.drivers) == len(ranges)
    for d in gap.drivers:
        assert d.median_value == pytest.approx(d.point_value, rel=1e-12)
        assert d.npv_effect_usd == pytest.approx(0.0, abs=1e-6 * abs(gap.point_npv_usd))
    assert gap.interaction_usd == pytest.approx(gap.gap_usd)


def test_one_range_the_effect_is_the_gap_but_for_sampling_noise() -> None:
    """With one uncertain input the NPV's median is the NPV at that input's median."""
    gap = explain(with_ranges(Range("cac_usd", 250.0, 700.0)), paths=20_000)
    (driver,) = gap.drivers
    width = gap.median_interval_usd[1] - gap.median_interval_usd[0]
    assert abs(gap.interaction_usd) <= width
    assert driver.npv_effect_usd == pytest.approx(gap.gap_usd, rel=0.05)


FIELDS = {
    "monthly_churn": (0.01, 0.03, 0.09),
    "cac_usd": (100.0, 300.0, 1_200.0),
    "bass_q": (0.01, 0.05, 0.2),
    "price_usd_per_user_month": (20.0, 49.0, 90.0),
    "market_size": (5_000.0, 20_000.0, 60_000.0),
}


@st.composite
def ranged_scenarios(draw: st.DrawFn) -> Scenario:
    names = draw(st.lists(st.sampled_from(sorted(FIELDS)), unique=True, max_size=len(FIELDS)))
    ranges = []
    for name in names:
        lowest, value, highest = FIELDS[name]
        low = draw(st.floats(lowest, value * 0.99))
        high = draw(st.floats(value * 1.01, highest))
        lognormal = name == "market_size" and draw(st.booleans())
        ranges.append(Range(name, low, high, "lognormal" if lognormal else "triangular"))
    return with_ranges(*ranges)


@settings(max_examples=25, deadline=None)
@given(scenario=ranged_scenarios(), seed=st.integers(0, 1_000))
def test_effects_and_interaction_add_up_to_the_gap(scenario: Scenario, seed: int) -> None:
    gap = explain(scenario, paths=200, seed=seed)
    total = math.fsum([*(d.npv_effect_usd for d in gap.drivers), gap.interaction_usd])
    assert total == pytest.approx(gap.gap_usd, rel=1e-9, abs=1e-6)
    assert gap.gap_usd == pytest.approx(gap.median_npv_usd - gap.point_npv_usd, rel=1e-12, abs=1e-9)
    assert len(gap.drivers) == len(scenario.ranges)
    effects = [abs(d.npv_effect_usd) for d in gap.drivers]
    assert effects == sorted(effects, reverse=True)
    assert gap.verdict in VERDICTS
    assert gap.threshold_usd == pytest.approx(MATERIAL_SHARE * max(abs(gap.point_npv_usd), gap.spread_usd))
    for d in gap.drivers:
        assert d.low <= d.median_value <= d.high


def test_noise_alone_is_not_material() -> None:
    """With no materiality share any gap counts, unless the plan is within the P50's noise."""
    gap = explain(with_ranges(Range("price_usd_per_user_month", 39.0, 59.0)), paths=200, material_share=0.0)
    assert gap.verdict == "within_noise"


def test_to_dict_is_json() -> None:
    gap = explain(base_template(), paths=500)
    data = json.loads(json.dumps(gap.to_dict(), allow_nan=False))
    assert data["verdict"] == gap.verdict and data["material"] is gap.material
    assert [d["field"] for d in data["drivers"]] == [d.field for d in gap.drivers]
    assert set(data["drivers"][0]) == {
        "field",
        "distribution",
        "low",
        "high",
        "point_value",
        "median_value",
        "npv_effect_usd",
    }


@pytest.mark.parametrize("npv", [[], [1.0, math.nan], [[1.0, 2.0]], [math.inf]])
def test_refuses_npvs_that_are_not_a_series_of_numbers(npv: list[float]) -> None:
    with pytest.raises(MedianGapError, match="npv_usd"):
        median_gap(base_template(), np.asarray(npv, dtype=np.float64))


def test_refuses_a_negative_share() -> None:
    with pytest.raises(MedianGapError, match="material_share"):
        median_gap(base_template(), np.zeros(3), material_share=-0.1)


# ------------------------------------------------------------------------------ the command line


def test_command_line_explains_the_median(cli_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(base_template().to_dict()))
    args = ("project", str(path), "--paths", "2000", "--seed", "3")
    doc = json.loads(run_cli(cli_home, *args, "--json").stdout)
    expected = median_gap(base_template(), simulate(base_template(), paths=2000, seed=3).npv_usd).to_dict()
    assert doc["monte_carlo"]["median_gap"] == pytest.approx(expected)
    text = run_cli(cli_home, *args)
    assert text.returncode == 0, text.stderr
    assert "P50 − plan NPV -$" in text.stdout and "(material): cac_usd -$" in text.stdout
