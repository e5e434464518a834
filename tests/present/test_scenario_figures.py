"""The scenario figures: traces and axes from small frames, the largest tornado swing on top,
user text escaped, empty or constant inputs drawn without error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bizmodel.accuracy_link import AccuracyLink
from bizmodel.montecarlo import simulate
from bizmodel.projection import project
from bizmodel.scenario import base_template
from bizmodel.sensitivity import tornado
from present.format import NumberStyle, number_style
from present.scenario_figures import (
    FanLabels,
    HistogramLabels,
    LinkLabels,
    OverlayLabels,
    ProjectionLabels,
    TornadoLabels,
    accuracy_link_figure,
    fan_figure,
    npv_histogram,
    overlay_figure,
    projection_figure,
    tornado_figure,
)

TORNADO = TornadoLabels("t", "NPV", "low", "high", "technical", "business")


def test_projection_figure_draws_revenue_operating_and_cash() -> None:
    fig = projection_figure(
        project(base_template()), ProjectionLabels("t", "Month", "USD", "Cash", "Rev", "Op")
    )
    assert [tr.name for tr in fig.data] == ["Rev", "Op", "Cash"]
    assert len(fig.data[2].x) == 60
    assert fig.layout.yaxis.ticktext[0].startswith("-$") and "$0" in fig.layout.yaxis.ticktext
    assert fig.data[2].hovertemplate == "%{customdata}" and fig.data[2].customdata[0].startswith("$")
    assert fig.layout.template.layout.font.family  # the house template


def test_link_figure_marks_the_model_on_the_curve() -> None:
    link = AccuracyLink(minimum_viable_accuracy=0.8, delightful_accuracy=0.95)
    labels = LinkLabels("t", "Accuracy", "Adoption", "Churn", "min", "delight", "model")
    fig = accuracy_link_figure(link, accuracy=0.875, monthly_churn=0.03, churn_extra=0.05, labels=labels)
    factor, churn, here = fig.data
    assert factor.y.min() == pytest.approx(0.0) and factor.y.max() == pytest.approx(100.0)
    assert churn.y.max() == pytest.approx(8.0) and churn.y.min() == pytest.approx(3.0)
    assert here.x[0] == pytest.approx(87.5) and here.y[0] == pytest.approx(50.0)


def test_fan_figure_band_median_and_reference() -> None:
    s = base_template()
    result = simulate(s, paths=500, seed=1)
    labels = FanLabels("t", "Month", "USD", "P10", "P50", "P90", "det")
    fig = fan_figure(result.fan("cash_usd"), labels, deterministic=project(s)["cash_usd"])
    names = [tr.name for tr in fig.data]
    assert names == ["P90", "P10", "P50", "det"]
    assert fig.data[1].fill == "tonexty"
    assert (np.asarray(fig.data[0].y) >= np.asarray(fig.data[1].y)).all()


@pytest.mark.parametrize("values", [np.array([5.0] * 10), np.array([np.nan, np.nan]), np.array([-1e6, 2e6])])
def test_npv_histogram_handles_constant_and_empty_inputs(values: np.ndarray) -> None:
    fig = npv_histogram(values, HistogramLabels("t", "NPV", "Paths", "P50"))
    finite = values[np.isfinite(values)]
    assert len(fig.data) == (1 if finite.size else 0)
    if finite.size:
        assert sum(fig.data[0].y) == finite.size


def test_tornado_puts_the_largest_swing_on_top() -> None:
    frame = tornado(base_template(), change=0.1)
    names = {k: f"<b>{k}</b>" for k in frame["key"]}
    fig = tornado_figure(
        frame,
        low_column="npv_low_usd",
        high_column="npv_high_usd",
        base=float(frame["npv_base_usd"].iloc[0]),
        labels=TORNADO,
        lever_names=names,
    )
    top = fig.layout.yaxis.categoryarray[-1]  # plotly draws the last category at the top
    assert top.startswith(f"&lt;b&gt;{frame['key'].iloc[0]}")
    assert all(text.startswith("-$") or text == "$0" for text in fig.layout.xaxis.ticktext)
    base = float(frame["npv_base_usd"].iloc[0])
    outcomes = {  # (lever name, move) → NPV drawn
        (y, move): x + base
        for trace in fig.data
        for y, x, move in zip(trace.y, trace.x, trace.text, strict=True)
    }
    assert outcomes[(top, "low")] == pytest.approx(float(frame["npv_low_usd"].iloc[0]))
    assert outcomes[(top, "high")] == pytest.approx(float(frame["npv_high_usd"].iloc[0]))


def test_tornado_colours_mean_better_or_worse_for_npv() -> None:
    """Green bars raise NPV and red bars lower it, whichever way the lever moved: more churn
    (+) and a lower price (−) are both red."""
    frame = tornado(base_template(), change=0.1)
    base = float(frame["npv_base_usd"].iloc[0])
    fig = tornado_figure(
        frame,
        low_column="npv_low_usd",
        high_column="npv_high_usd",
        base=base,
        labels=TORNADO,
        lever_names={},
    )
    better, worse = fig.data
    assert (better.name, worse.name) == ("better", "worse")
    assert all(x > 0 for x in better.x) and all(x < 0 for x in worse.x)
    assert better.marker.color != worse.marker.color
    moves = {
        (y.split(" · ")[0], move): trace.name
        for trace in fig.data
        for y, move in zip(trace.y, trace.text, strict=True)
    }
    assert moves[("churn", "high")] == "worse" and moves[("churn", "low")] == "better"
    assert moves[("price", "low")] == "worse" and moves[("price", "high")] == "better"
    assert moves[("team_cost", "high")] == "worse"
    assert all(h.count(":") == 1 and "$" in h for h in better.customdata)  # "lever · move: $1.2M"


def test_break_even_tornado_counts_an_earlier_month_as_better() -> None:
    frame = pd.DataFrame({"key": ["a"], "kind": ["business"], "low": [20.0], "high": [30.0]})
    fig = tornado_figure(
        frame,
        low_column="low",
        high_column="high",
        base=24.0,
        labels=TORNADO,
        lever_names={},
        money=False,
        higher_is_better=False,
    )
    better, worse = fig.data
    assert list(better.x) == [-4.0] and list(better.text) == ["low"]
    assert list(worse.x) == [6.0] and list(worse.text) == ["high"]


def test_overlay_escapes_scenario_names() -> None:
    series = [
        ("<script>x</script>", pd.Series([1.0, 2.0], index=[1, 2])),
        ("B", pd.Series([3.0, 4.0], index=[1, 2])),
    ]
    fig = overlay_figure(series, OverlayLabels("t", "Month", "USD"))
    assert fig.data[0].name == "&lt;script&gt;x&lt;/script&gt;"
    assert fig.layout.template.layout.paper_bgcolor == "rgba(0,0,0,0)"


CNY = NumberStyle(currency="CNY", usd_to_cny=7.0)


def test_money_follows_the_display_currency() -> None:
    frame = project(base_template())
    labels = ProjectionLabels("t", "Month", "CNY", "Cash", "Rev", "Op")
    usd = projection_figure(frame, labels)
    with number_style(CNY):
        cny = projection_figure(frame, labels)
    for a, b in zip(usd.data, cny.data, strict=True):
        assert np.asarray(b.y) == pytest.approx(7.0 * np.asarray(a.y))
    assert list(usd.data[2].y) == pytest.approx(frame["cash_usd"].tolist())  # USD: unchanged
    assert all(text.startswith(("$", "-$")) for text in usd.layout.yaxis.ticktext)
    assert all(text.startswith(("¥", "-¥")) for text in cny.layout.yaxis.ticktext)
    assert np.asarray(cny.layout.yaxis.tickvals).max() >= 7.0 * frame["cash_usd"].max()


def test_fan_histogram_and_overlay_convert() -> None:
    s = base_template()
    result = simulate(s, paths=200, seed=3)
    fan = result.fan("cash_usd")
    fan_labels = FanLabels("t", "Month", "USD", "P10", "P50", "P90", "det")
    hist_labels = HistogramLabels("t", "NPV", "Paths", "P50")
    series = [("A", pd.Series([1.0, -2.0], index=[1, 2]))]
    with number_style(CNY):
        fig = fan_figure(fan, fan_labels, deterministic=project(s)["cash_usd"])
        hist = npv_histogram(np.array([-1e6, 2e6]), hist_labels, bins=2)
        overlay = overlay_figure(series, OverlayLabels("t", "Month", "CNY"))
    assert np.asarray(fig.data[2].y) == pytest.approx(7.0 * fan["p50"].to_numpy())
    assert all(text.startswith(("¥", "-¥")) for text in fig.layout.yaxis.ticktext)
    assert fig.data[2].customdata[0].startswith(("¥", "-¥"))
    assert list(hist.data[0].x) == pytest.approx([-1.75e6, 8.75e6])  # bins of ¥−7M … ¥14M
    assert hist.layout.xaxis.ticktext == ("-¥10M", "-¥5M", "¥0", "¥5M", "¥10M", "¥15M")
    assert list(hist.data[0].customdata) == ["-¥1.75M", "¥8.75M"]
    assert list(overlay.data[0].y) == [7.0, -14.0]


def test_tornado_converts_money_but_not_months() -> None:
    frame = tornado(base_template(), change=0.1)
    base = float(frame["npv_base_usd"].iloc[0])
    kwargs = {
        "low_column": "npv_low_usd",
        "high_column": "npv_high_usd",
        "labels": TORNADO,
        "lever_names": {},
    }
    with number_style(CNY):
        fig = tornado_figure(frame, base=base, **kwargs)
        months = tornado_figure(frame, base=base, money=False, **kwargs)
    assert fig.data[0].base == pytest.approx(7.0 * base)
    drawn = sorted(x + 7.0 * base for trace in fig.data for x in trace.x)
    expected = sorted(7.0 * frame[["npv_low_usd", "npv_high_usd"]].to_numpy().ravel())
    assert drawn == pytest.approx([v for v in expected if v != pytest.approx(7.0 * base)])
    assert all(text.startswith(("¥", "-¥")) for text in fig.layout.xaxis.ticktext)
    assert months.data[0].base == pytest.approx(base) and months.layout.xaxis.ticktext is None
