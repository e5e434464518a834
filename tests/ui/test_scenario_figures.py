"""The scenario figures: traces and axes from small frames, the largest tornado swing on top,
user text escaped, empty or constant inputs drawn without error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bizmodel.montecarlo import simulate
from bizmodel.projection import project
from bizmodel.scenario import AccuracyLink, base_template
from bizmodel.sensitivity import tornado
from ui.format import NumberStyle, number_style
from ui.scenario_figures import (
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
    assert fig.layout.yaxis.tickformat == "$~s"
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
    top = fig.data[0].y[-1]  # plotly draws the last category at the top
    assert top.startswith(f"&lt;b&gt;{frame['key'].iloc[0]}")
    assert fig.layout.xaxis.tickformat == "$~s"
    low, high = (np.asarray(tr.x, dtype=float) for tr in fig.data)
    base = float(frame["npv_base_usd"].iloc[0])
    assert low[-1] + base == pytest.approx(float(frame["npv_low_usd"].iloc[0]))
    assert high[-1] + base == pytest.approx(float(frame["npv_high_usd"].iloc[0]))


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
    assert usd.layout.yaxis.tickformat == "$~s" and usd.layout.yaxis.tickprefix is None
    assert cny.layout.yaxis.tickprefix == "¥" and cny.layout.yaxis.tickformat == "~s"


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
    assert fig.layout.yaxis.tickprefix == "¥"
    assert list(hist.data[0].x) == pytest.approx([-1.75e6, 8.75e6])  # bins of ¥−7M … ¥14M
    assert hist.layout.xaxis.tickprefix == "¥" and hist.layout.xaxis.tickformat == "~s"
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
    low = np.asarray(fig.data[0].x, dtype=float)
    assert fig.data[0].base == pytest.approx(7.0 * base)
    assert low[-1] + 7.0 * base == pytest.approx(7.0 * float(frame["npv_low_usd"].iloc[0]))
    assert fig.layout.xaxis.tickprefix == "¥"
    assert months.data[0].base == pytest.approx(base) and months.layout.xaxis.tickprefix is None
