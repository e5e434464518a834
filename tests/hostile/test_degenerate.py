"""Issue 20, D7: every valid scenario draws — degenerate Monte Carlo distributions included.

A scenario without ranges gives every path the same NPV; at a magnitude above ~9e15 numpy could
not cut that (or a spread below float resolution) into 60 finite bins, and the Scenarios page,
the report button and ``python -m bizmodel report`` crashed. Here: the histogram's bars for
constant and near-constant values at any finite magnitude, then hypothesis searches scenarios
across their whole bounds (extremes included, with and without ranges) and asserts the HTML
report and the workbook build, and that the Scenarios page renders every chart without an error.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bizmodel.catalog import load_bundled
from bizmodel.scenario import Scenario, base_template
from bizmodel.scenario_bounds import (
    FIELD_BOUNDS,
    HORIZON_MAX_MONTHS,
    HORIZON_MIN_MONTHS,
    MAX_CASH_USD,
    ScenarioError,
)
from bizmodel.scenario_ranges import Range
from present.format import NumberStyle
from present.report import render_html
from present.report_data import ReportOptions, build_report
from present.scenario_figures import HistogramLabels, npv_histogram
from present.sharelink import SharedView, encode
from present.workbook import workbook_bytes
from tests.support.app import make_app, no_errors

ROOT = Path(__file__).resolve().parents[2]
LABELS = HistogramLabels(title="NPV", npv="NPV", paths="paths", median="P50")

#: The issue's case: the base template without ranges, a huge market at a huge price.
D7 = dataclasses.replace(
    base_template(),
    ranges=(),
    market_size=1e10,
    price_usd_per_user_month=1e6,
    bass_p=0.5,
    bass_q=0.5,
)


def _bars_are_drawable(values: np.ndarray) -> None:
    """The NPV histogram of ``values`` has finite bars of positive width holding every value."""
    bars = npv_histogram(values, LABELS).data
    assert len(bars) == 1
    centres, counts, widths = (np.asarray(getattr(bars[0], k), dtype=float) for k in ("x", "y", "width"))
    assert centres.size >= 1 and int(counts.sum()) == values.size
    assert np.isfinite(centres).all() and np.isfinite(widths).all() and (widths > 0).all()


@pytest.mark.parametrize(
    "values",
    [
        np.full(500, 9.3e15),  # constant above 2**53
        np.full(500, -4.2e44),  # the most a valid scenario's NPV can reach, constant
        np.array([9e15, 9e15 + 2.0, 9e15 + 4.0]),  # a spread of a few units in the last place
        np.array([1e300, np.nextafter(1e300, np.inf)]),
        np.array([-1.7e308, 1.7e308]),  # a spread that overflows as a difference
        np.full(3, 0.0),
        np.array([5e-324, 1e-320]),  # subnormal values
    ],
    ids=["constant-9e15", "constant-4e44", "last-bits", "1e300", "full-range", "zero", "subnormal"],
)
def test_a_degenerate_npv_histogram_draws(values: np.ndarray) -> None:
    _bars_are_drawable(values)


@given(
    magnitude=st.floats(min_value=-300, max_value=300),
    sign=st.sampled_from((-1.0, 1.0)),
    ulps=st.integers(min_value=0, max_value=200),
    size=st.integers(min_value=1, max_value=400),
)
def test_near_constant_values_at_any_magnitude_draw(
    magnitude: float, sign: float, ulps: int, size: int
) -> None:
    centre = sign * 10.0**magnitude
    steps = np.arange(size) % (ulps + 1)
    values = np.array([centre], dtype=np.float64).repeat(size)
    for i in range(size):  # a spread of a few units in the last place
        for _ in range(int(steps[i])):
            values[i] = np.nextafter(values[i], np.inf)
    _bars_are_drawable(values)


def test_the_tornado_moves_adoption_of_a_market_at_its_joint_bound() -> None:
    """Found by the page test below: Bass p + q at 1, moved +10 % and scaled back, summed to
    1.0000000000000002 and the tornado raised instead of drawing."""
    from bizmodel.sensitivity import tornado

    scenario = dataclasses.replace(
        base_template(), bass_p=0.23137821572139, bass_q=0.7686217842778414, ranges=()
    )
    frame = tornado(scenario, change=0.1)
    assert len(frame) > 0 and frame["npv_low_usd"].notna().all()


# ---------------------------------------------------------------------- scenarios over their bounds


def _value(low: float, high: float) -> st.SearchStrategy[float]:
    """A field's value: its bounds, or log-uniform between them (money spans 12 decades)."""
    inner = (
        st.floats(min_value=0.0, max_value=math.log10(high)).map(lambda e: min(high, 10.0**e))
        if high > 10
        else st.floats(min_value=low, max_value=high)
    )
    return st.one_of(st.just(low), st.just(high), inner)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A valid scenario with values anywhere in its bounds, its horizon 12–120, and no ranges or
    a few (some of them narrow: a near-constant distribution)."""
    base = base_template()
    values: dict[str, Any] = {name: draw(_value(*bounds)) for name, bounds in FIELD_BOUNDS.items()}
    for a, b in (("bass_p", "bass_q"), ("monthly_churn", "churn_at_minimum_accuracy_extra")):
        total = values[a] + values[b]
        if total > 1.0:
            values[a], values[b] = values[a] / total, values[b] / total * (1 - 1e-12)
    horizon = draw(st.integers(min_value=HORIZON_MIN_MONTHS, max_value=HORIZON_MAX_MONTHS))
    ranges = []
    for name in draw(st.lists(st.sampled_from(list(FIELD_BOUNDS)), max_size=4, unique=True)):
        low_bound, high_bound = FIELD_BOUNDS[name]
        value = values[name]
        spread = draw(st.sampled_from((1e-12, 0.01, 0.3)))
        low, high = max(low_bound, value * (1 - spread)), min(high_bound, value * (1 + spread))
        if name in ("bass_p", "bass_q", "monthly_churn", "churn_at_minimum_accuracy_extra"):
            high = value  # joint sums stay at most 1 with the highs
            low = max(low_bound, value * (1 - spread))
        if low >= high and value > low_bound:  # a value of 0 (or a high at the value): reach below it
            low, high = max(low_bound, value - max(abs(value), 1e-3) * spread), value
        if low < high:
            ranges.append(Range(name, low, high))
    try:
        return dataclasses.replace(
            base,
            **values,
            horizon_months=horizon,
            headcount_by_month=base.headcount_by_month[:horizon],
            starting_cash_usd=draw(st.sampled_from((0.0, 5e5, MAX_CASH_USD))),
            ranges=tuple(ranges),
        )
    except ScenarioError:
        assume(False)
        raise


STYLES = (NumberStyle(), NumberStyle(language="zh", currency="CNY", usd_to_cny=7.1))


@pytest.mark.slow  # 25 whole reports and workbooks: about 25 s
@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(scenario=scenarios())
@example(scenario=D7)
def test_every_valid_scenario_has_a_report_and_a_workbook(scenario: Scenario) -> None:
    report = build_report(
        scenario, name="Hypothesis", run=None, catalog=load_bundled(), options=ReportOptions(paths=300)
    )
    for style in STYLES:
        page = render_html(report, style)
        assert "npv_histogram" in page or "monte_carlo" in report.notes
        assert workbook_bytes(report, style)[:2] == b"PK"


@pytest.mark.slow  # starts a process
def test_the_report_command_writes_the_d7_scenario(tmp_path: Path) -> None:
    path = tmp_path / "d7.json"
    path.write_text(json.dumps(D7.to_dict()))
    env = {**os.environ, "MOATLAB_HOME": str(tmp_path / "home")}
    env.pop("DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "bizmodel", "report", str(path), "-o", str(tmp_path / "r.html"),
         "--xlsx", str(tmp_path / "r.xlsx"), "--paths", "500"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "r.html").stat().st_size > 0 and (tmp_path / "r.xlsx").stat().st_size > 0


@settings(
    max_examples=6,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(scenario=scenarios())
@example(scenario=D7)
def test_the_scenarios_page_draws_every_valid_scenario(app_env: Path, scenario: Scenario) -> None:
    import streamlit

    streamlit.cache_data.clear()
    token = encode(SharedView(scenario, page="scenarios", name="Hypothesis", paths=200))
    at = make_app("app_pages/scenarios.py", share=token)
    no_errors(at)
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("plotly_chart")) == 6  # projection, link, fan, histogram, two tornados
