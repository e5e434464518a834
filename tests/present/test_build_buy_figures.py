"""The Build vs buy figure builders: traces by name, log axes, the break-even and volume markers, escaping."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from bizmodel.buildbuy import ApiCosts, LlmWorkload, OwnModelCosts, cost_curves, llm_cost_curves
from present.build_buy_figures import CostChartLabels, llm_figure, own_vs_api_figure, volume_grid
from present.figures import TEMPLATE_NAME
from present.format import NumberStyle, number_style

LABELS = CostChartLabels(
    title="Monthly cost",
    volume="Requests per month",
    cost="$ per month",
    ours="Own model",
    api="The API",
    break_even="Break-even",
    marker="Your volume",
)


def _names(fig) -> list[str]:
    return [trace.name for trace in fig.data]


def _own_curves() -> pd.DataFrame:
    return cost_curves(OwnModelCosts(100.0, 0.5), ApiCosts(1.5), [1e3, 1e4, 1e5, 1e6])


def test_own_vs_api_has_both_lines_on_log_axes() -> None:
    fig = own_vs_api_figure(_own_curves(), LABELS)
    assert _names(fig) == ["Own model", "The API"]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.title.text == "Requests per month"
    assert fig.layout.yaxis.title.text == "$ per month"
    assert list(fig.data[0].y) == [100.5, 105.0, 150.0, 600.0]


def test_break_even_and_volume_markers() -> None:
    fig = own_vs_api_figure(
        _own_curves(), LABELS, break_even=(100_000.0, 150.0), marker=(500_000.0, 350.0, 750.0)
    )
    assert _names(fig) == ["Own model", "The API", "Your volume", "Break-even"]
    marker, be = fig.data[2], fig.data[3]
    assert list(marker.x) == [500_000.0, 500_000.0] and list(marker.y) == [350.0, 750.0]
    assert list(be.x) == [100_000.0] and list(be.y) == [150.0]
    assert be.mode == "markers"


def test_a_zero_cost_keeps_a_linear_cost_axis() -> None:
    curves = cost_curves(OwnModelCosts(100.0, 0.5), ApiCosts(0.0), [1e3, 1e6])
    fig = own_vs_api_figure(curves, LABELS)
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.yaxis.type == "linear"


def test_llm_figure_steps_the_self_hosted_side() -> None:
    option = pd.Series({"requests_per_second": 5.0, "usd_per_hour": 2.0, "fits_in_memory": True})
    api = pd.Series({"input_usd_per_1m_tokens": 1.0, "output_usd_per_1m_tokens": 4.0})
    work = LlmWorkload(7e9, 1000, 100, utilisation=1.0)
    curves = llm_cost_curves(option, api, work, volume_grid(1e3, 1e8, 50))
    labels = CostChartLabels("LLM", "Requests per month", "$ per month", "Self-hosted", "acme · m1", "BE")
    fig = llm_figure(curves, labels, break_even=(1_042_857.0, 1_460.0))
    assert _names(fig) == ["Self-hosted", "acme · m1", "BE"]
    assert fig.data[0].line.shape == "hv" and fig.data[1].line.shape == "linear"
    assert fig.layout.xaxis.type == "log"
    assert fig.layout.template is not None
    no_marker = llm_figure(curves, labels)
    assert _names(no_marker) == ["Self-hosted", "acme · m1"]


def test_user_text_is_escaped() -> None:
    labels = CostChartLabels("T <b>", "x", "y", "<script>x</script>", "a & b", "BE")
    fig = own_vs_api_figure(_own_curves(), labels)
    assert _names(fig) == ["&lt;script&gt;x&lt;/script&gt;", "a &amp; b"]
    assert fig.layout.title.text == "T &lt;b&gt;"


@pytest.mark.parametrize(
    ("extra", "expected_top", "included"),
    [((), 1e9, None), ((5e6,), 1e9, 5e6), ((2e9,), 6e9, 2e9), ((None, 0.0), 1e9, None)],
)
def test_volume_grid(extra: tuple, expected_top: float, included: float | None) -> None:
    grid = volume_grid(1e3, 1e9, 13, *extra)
    assert grid[0] == 1e3 and grid[-1] == pytest.approx(expected_top)
    assert bool((grid[1:] > grid[:-1]).all())
    if included is not None:
        assert included in grid


def test_template_name_is_the_house_template() -> None:
    import plotly.io as pio

    assert TEMPLATE_NAME in pio.templates
    fig = own_vs_api_figure(_own_curves(), LABELS)
    assert fig.layout.template == pio.templates[TEMPLATE_NAME]


def test_costs_follow_the_display_currency() -> None:
    kwargs = {"break_even": (100_000.0, 150.0), "marker": (500_000.0, 350.0, 750.0)}
    usd = own_vs_api_figure(_own_curves(), LABELS, **kwargs)
    with number_style(NumberStyle(currency="CNY", usd_to_cny=7.0)):
        cny = own_vs_api_figure(_own_curves(), LABELS, **kwargs)
    assert list(cny.data[0].y) == pytest.approx([7 * 100.5, 7 * 105.0, 7 * 150.0, 7 * 600.0])
    assert list(cny.data[2].y) == pytest.approx([7 * 350.0, 7 * 750.0])
    assert list(cny.data[3].y) == pytest.approx([7 * 150.0])
    assert list(cny.data[0].x) == list(usd.data[0].x)  # volumes are not money
    assert {trace.hovertemplate for trace in cny.data} == {"¥%{y:,.3~r}"}
    assert {trace.hovertemplate for trace in usd.data} == {"$%{y:,.3~r}"}
    # log axes: powers of ten, money in the display currency, volumes as counts (never "10m")
    assert all(re.fullmatch(r"\$[0-9.]+k?", text) for text in usd.layout.yaxis.ticktext)
    assert all(re.fullmatch(r"¥[0-9.]+k?", text) for text in cny.layout.yaxis.ticktext)
    assert np.asarray(cny.layout.yaxis.tickvals).max() >= 7 * 600.0
    assert all(not text.endswith(("m", "µ")) for text in usd.layout.xaxis.ticktext)
    assert list(usd.data[0].y) == [100.5, 105.0, 150.0, 600.0]
