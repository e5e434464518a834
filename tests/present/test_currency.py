"""Money in charts and tables follows the display currency: USD values × the rate, the style's
symbol in ticks, hovers and headers; the default (USD) draws exactly what it drew before."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from bizmodel.catalog import load_bundled
from bizmodel.compute import Assumptions, training_options
from bizmodel.projection import COLUMNS, project
from bizmodel.scenario import base_template
from bizmodel.training_work import TrainingWork
from present import format as fmt
from present.compute_figures import ParetoLabels, pareto_figure
from present.figures import MoneyAxis, chart_config, money_axis
from present.format import NumberStyle, number_style
from present.i18n import catalog
from ui.views.compute import options_frame
from ui.views.data_value import marginal_figure
from ui.views.scenarios import projection_table
from ui.views.serving import cost_figure, int8_table

CNY = NumberStyle(currency="CNY", usd_to_cny=7.0)
LOCALES = Path(__file__).resolve().parents[2] / "present" / "locales"


@pytest.fixture(scope="module")
def options() -> pd.DataFrame:
    cat = load_bundled()
    return training_options(TrainingWork.pretrain(7e9, 140e9), cat.instances, cat.accelerators, Assumptions())


def test_money_axis_of_the_current_style() -> None:
    assert money_axis() == MoneyAxis("$", 1.0)
    with number_style(CNY):
        assert money_axis() == MoneyAxis("¥", 7.0)
        assert money_axis().labels([20_000.0]) == ["¥140k"]
    with number_style(NumberStyle(language="zh", currency="CNY", usd_to_cny=7.0)):
        axis = money_axis()
        axis.values([-100_000.0, 400_000.0])
        assert axis.labels([20_000.0]) == ["¥14万"]
        assert axis.ticks["ticktext"] == ["-¥100万", "¥0", "¥100万", "¥200万", "¥300万"]
        assert fmt.currency_words() == {"currency": "CNY", "symbol": "¥"}
        assert fmt.money_printf(3) == "¥%.3f"


def test_chart_config_exports_a_named_png_at_twice_the_size() -> None:
    config = chart_config("cash-by-month")
    assert config["displaylogo"] is False
    assert config["toImageButtonOptions"] == {"format": "png", "filename": "cash-by-month", "scale": 2}


def test_pareto_costs_and_hover(options: pd.DataFrame) -> None:
    labels = ParetoLabels("t", "days", "cost", "frontier", "cheapest", "fastest")
    usd = pareto_figure(options, labels)
    with number_style(CNY):
        cny = pareto_figure(options, labels)
    for a, b in zip(usd.data, cny.data, strict=True):
        assert np.asarray(b.y) == pytest.approx(7.0 * np.asarray(a.y))
        assert list(b.x) == list(a.x)  # days are not money
    # hover: each option's duration and cost as the text writes them, never an exponent
    assert usd.data[0].customdata[0][5].startswith("$") and cny.data[0].customdata[0][5].startswith("¥")
    assert usd.data[0].customdata[0][4].endswith(("days", "h", "min", "s"))
    assert "%{customdata[5]}" in usd.data[0].hovertemplate
    # the log cost axis: powers of ten in the display currency
    assert all(text.startswith("$") for text in usd.layout.yaxis.ticktext)
    assert all(text.startswith("¥") for text in cny.layout.yaxis.ticktext)
    assert cny.layout.yaxis.tickvals == usd.layout.yaxis.tickvals or cny.layout.yaxis.tickvals


def test_options_table_converts_cost_columns(options: pd.DataFrame) -> None:
    marks = pd.Series("", index=options.index)
    usd = options_frame(options, marks)
    with number_style(CNY):
        cny = options_frame(options, marks)
    assert "Cost (USD)" in usd.columns and "$/GPU-hour" in usd.columns
    assert cny["Cost (CNY)"].to_numpy() == pytest.approx((7.0 * usd["Cost (USD)"]).to_numpy(), rel=1e-3)
    assert cny["¥/GPU-hour"].iloc[0] == pytest.approx(7.0 * usd["$/GPU-hour"].iloc[0], rel=1e-3)
    assert (cny["GPU-hours"] == usd["GPU-hours"]).all()  # not money


def test_serving_chart_and_int8_table() -> None:
    plan = pd.DataFrame(
        {
            "meets_p95_target": [True, True],
            "provenance": ["measured", "assumed"],
            "option": ["a", "b"],
            "monthly_usd": [100.0, 250.0],
            "instances": [1, 2],
            "p95_request_ms": [3.0, 4.0],
        }
    )
    with number_style(CNY):
        fig = cost_figure(plan, title="t", x_title="CNY per month")
        table = int8_table(
            pd.DataFrame({"device": ["CPU"], "float_usd_per_1000": [0.002], "int8_usd_per_1000": [0.001]})
        )
    assert list(fig.data[0].x) == pytest.approx([1750.0, 700.0])  # reversed: cheapest at the top
    assert "¥%{x:,.3~r}" in fig.data[0].hovertemplate
    assert fig.layout.xaxis.ticktext == ("¥500", "¥1k", "¥2k")
    assert table.iloc[0].tolist()[1:] == pytest.approx([0.014, 0.007])
    assert list(table.columns) == ["Device", "float: ¥ per 1,000", "int8: ¥ per 1,000"]
    assert "$%{x:,.3~r}" in cost_figure(plan, title="t", x_title="x").data[0].hovertemplate


def test_projection_table_converts_money_columns_only() -> None:
    frame = project(base_template())
    usd = projection_table(frame)
    with number_style(CNY):
        cny = projection_table(frame)
    assert list(usd.columns)[3:5] == ["Revenue ($)", "ARR ($)"]
    assert cny["Revenue (¥)"].to_numpy() == pytest.approx(7.0 * frame["revenue_usd"].to_numpy())
    assert cny["Cash (¥)"].to_numpy() == pytest.approx(7.0 * frame["cash_usd"].to_numpy())
    assert (cny["Active customers"] == frame["active_customers"]).all()
    assert usd["Cash ($)"].tolist() == frame["cash_usd"].tolist()


def test_marginal_value_chart() -> None:
    table = pd.DataFrame(
        {"n_train": [100.0, 1000.0, 10000.0], "marginal_value_usd_per_sample": [1.0, 0.1, 0.01]}
    )
    fit = SimpleNamespace(n_max=1000)
    optimum = SimpleNamespace(n_train=1000, buy=True)
    with number_style(CNY):
        fig = marginal_figure(fit, table, label_cost_usd_per_sample=0.05, optimum=optimum)
    assert list(fig.data[0].y) == pytest.approx([7.0, 0.7])
    assert list(fig.data[2].y) == pytest.approx([0.35, 0.35])
    assert fig.data[2].hovertemplate.startswith("¥")
    assert fig.layout.yaxis.title.text == "CNY per sample (log scale)"


@pytest.mark.parametrize(
    "key",
    [f"scenario.col.money.{c}" for c in COLUMNS if c.endswith("_usd")]
    + ["scenario.m.retrain_cost_usd", "scenario.m.serving_usd_per_1000_predictions"],
)
def test_every_money_header_names_the_currency(key: str) -> None:
    assert "{symbol}" in catalog("en")[key]


def test_chinese_texts_of_the_currency_keys_keep_their_placeholders() -> None:
    english = catalog("en")
    path = LOCALES / "zh.json"
    chinese = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for key, text in chinese.items():
        if key.endswith("_money") or ".money." in key or key.startswith("scenario.m."):
            for name in ("currency", "symbol"):
                assert (f"{{{name}}}" in text) == (f"{{{name}}}" in english.get(key, "")), key
