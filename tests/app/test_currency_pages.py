"""With ``?cur=CNY&fx=7`` the money pages draw charts, tables and metric labels in yuan; every chart
exports a named PNG at twice its size."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.app import make_app, no_errors

CNY = {"cur": "CNY", "fx": "7"}


def charts(at) -> dict[str, tuple[dict, dict]]:
    """(spec, config) of each plotly chart by its title."""
    out = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        out[spec["layout"]["title"]["text"]] = (spec, json.loads(chart.proto.config))
    return out


def test_compute_page_in_yuan(app_env: Path) -> None:
    at = make_app("app_pages/compute.py", **CNY)
    no_errors(at)
    assert {m.label: m.value for m in at.metric}["Cheapest feasible"].startswith("¥")
    table = next(d.value for d in at.dataframe if "Mark" in d.value.columns)
    assert "Cost (CNY)" in table.columns and "¥/GPU-hour" in table.columns
    spec, config = next(v for title, v in charts(at).items() if "Cost against time" in title)
    assert spec["layout"]["yaxis"]["title"]["text"] == "cost, CNY (log scale)"
    assert all(tick.startswith("¥") for tick in spec["layout"]["yaxis"]["ticktext"])  # round ticks
    assert str(spec["data"][0]["customdata"][0][-1]).startswith("¥")  # the hover's cost
    assert config["toImageButtonOptions"]["scale"] == 2 and config["displaylogo"] is False


def test_scenarios_page_in_yuan(app_env: Path) -> None:
    at = make_app("app_pages/scenarios.py", **CNY)
    no_errors(at)
    by_title = charts(at)
    spec, config = by_title["Revenue, operating cash flow and cash by month"]
    ticks = spec["layout"]["yaxis"]["ticktext"]
    assert all("¥" in tick and "$" not in tick for tick in ticks) and "¥0" in ticks
    assert spec["layout"]["yaxis"]["title"]["text"] == "CNY"
    assert all(text.lstrip("-").startswith("¥") for text in spec["data"][0]["customdata"])
    assert config["toImageButtonOptions"]["filename"] == "revenue-and-cash-by-month"
    assert any("Revenue (¥)" in d.value.columns for d in at.dataframe)
    assert any(m.label == "One production retraining" and m.value.startswith("¥") for m in at.metric)


def test_build_buy_page_in_yuan(app_env: Path) -> None:
    at = make_app("app_pages/build_buy.py", **CNY)
    no_errors(at)
    serving = [m.value for m in at.metric if m.label == "Your serving (¥ per 1,000)"]
    assert serving and serving[0].startswith("¥")
    spec, _ = next(v for v in charts(at).values() if v[0]["layout"]["yaxis"].get("ticktext"))
    assert all(tick.startswith("¥") for tick in spec["layout"]["yaxis"]["ticktext"])
    assert spec["layout"]["yaxis"]["title"]["text"] == "Cost (¥ per month)"
    assert spec["data"][0]["hovertemplate"].startswith("¥%{y:")


def test_usd_is_the_default(app_env: Path) -> None:
    at = make_app("app_pages/scenarios.py")
    no_errors(at)
    spec, _ = charts(at)["Revenue, operating cash flow and cash by month"]
    assert all("$" in tick and "¥" not in tick for tick in spec["layout"]["yaxis"]["ticktext"])
    assert spec["layout"]["yaxis"]["title"]["text"] == "USD"
