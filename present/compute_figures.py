"""Compute cost's Pareto chart of days against dollars: the options on or near the frontier,
sampled evenly when there are too many to draw (:data:`MAX_CHART_POINTS`). No Streamlit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bizmodel.compute import (
    cheapest,
    fastest,
)
from present import format as fmt
from present.figures import TEMPLATE_NAME, money_axis
from safetext import for_chart


@dataclass(frozen=True)
class ParetoLabels:
    """Translated texts of the cost-versus-days chart."""

    title: str
    days: str
    cost: str
    frontier: str
    cheapest: str
    fastest: str
    #: Hover of an option: ``str.format`` fields instance, nodes, count, pricing, days, cost.
    hover_option: str = "{instance} × {nodes} nodes ({count} accelerators, {pricing})<br>{days} · {cost}"
    #: Hover of the cheapest / fastest marker: fields name, days (a duration with its unit), cost.
    hover_marker: str = "{name}: {days} · {cost}"


def pareto_figure(options: pd.DataFrame, labels: ParetoLabels) -> go.Figure:
    """Every feasible option as a point (days, cost), one colour per provider, the frontier as a line,
    the cheapest and the fastest ringed. Log–log axes; costs (USD) drawn in the display currency."""
    money = money_axis()
    feasible = options[options["feasible"]]
    fig = go.Figure()
    for provider, group in feasible.groupby("provider", sort=True):
        fig.add_trace(
            go.Scatter(
                x=group["days"],
                y=money.values(group["cost_usd"]),
                mode="markers",
                name=for_chart(provider),
                marker={"size": 7, "opacity": 0.6},
                customdata=_chart_cells(
                    group[["instance_type", "nodes", "count", "pricing"]].assign(
                        duration=_durations(group["days"]), cost=money.labels(group["cost_usd"])
                    )
                ),
                hovertemplate=labels.hover_option.format(
                    instance="%{customdata[0]}",
                    nodes="%{customdata[1]}",
                    count="%{customdata[2]}",
                    pricing="%{customdata[3]}",
                    days="%{customdata[4]}",
                    cost="%{customdata[5]}",
                )
                + "<extra>%{fullData.name}</extra>",
            )
        )
    front = feasible[feasible["pareto"]].sort_values("days")
    fig.add_trace(
        go.Scatter(
            x=front["days"],
            y=money.values(front["cost_usd"]),
            mode="lines",
            name=labels.frontier,
            line={"width": 2, "dash": "dot", "color": "rgba(128,128,128,0.9)"},
            hoverinfo="skip",
        )
    )
    for row, name, symbol in (
        (cheapest(options), labels.cheapest, "circle-open"),
        (fastest(options), labels.fastest, "diamond-open"),
    ):
        if row is not None:
            fig.add_trace(
                go.Scatter(
                    x=[row["days"]],
                    y=money.values([row["cost_usd"]]),
                    mode="markers",
                    name=name,
                    marker={"size": 18, "symbol": symbol, "line": {"width": 3}},
                    hovertemplate=labels.hover_marker.format(
                        name=name,
                        days=for_chart(_durations([row["days"]])[0]),
                        cost=for_chart(money.labels([row["cost_usd"]])[0]),
                    )
                    + "<extra></extra>",
                )
            )
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=labels.title,
        xaxis={"title": labels.days, "type": "log"},
        yaxis={"title": labels.cost, "type": "log", **money.log_ticks()},
    )
    return fig


def _durations(days: Iterable[float]) -> list[str]:
    """Each duration in days as the text writes a time (``853 ms``, ``3.4 days``)."""
    return [fmt.fmt_duration(float(d) * 86400) for d in days]


def _chart_cells(frame: pd.DataFrame) -> np.ndarray:
    """``frame`` as plotly ``customdata``: text cells through :func:`safetext.for_chart`, numbers kept."""
    return frame.map(lambda v: for_chart(v) if isinstance(v, str) else v).to_numpy()


#: The most options the cost-against-time chart draws (a browser stays responsive with a few
#: thousand points; a catalog of 20,000 instances gives about 100,000 options).
MAX_CHART_POINTS = 2_000


def chart_points(options: pd.DataFrame, *, limit: int = MAX_CHART_POINTS) -> pd.DataFrame:
    """The feasible options the chart draws: all of them up to ``limit``; beyond it the cheapest,
    the fastest, the frontier (one option per distinct point: options of the same hardware and
    price in other regions lie on each other) and an even sample of the others across the days
    axis, ``limit`` in all. Each drawn point is one of the options, unchanged."""
    feasible = options[options["feasible"].astype(bool)]
    if len(feasible) <= limit:
        return feasible
    ends = [row.name for row in (cheapest(options), fastest(options)) if row is not None]
    front = feasible[feasible["pareto"].astype(bool)].drop_duplicates(["days", "cost_usd"])
    front = _even(front.drop(index=ends, errors="ignore").sort_values("days", kind="stable"), limit // 2)
    chosen = feasible.loc[ends].index.union(front.index)
    rest = (
        feasible.drop(index=chosen).drop_duplicates(["days", "cost_usd"]).sort_values("days", kind="stable")
    )
    sample = _even(rest, limit - len(chosen))
    return feasible.loc[chosen.union(sample.index)]


def _even(frame: pd.DataFrame, count: int) -> pd.DataFrame:
    """At most ``count`` rows of ``frame`` spread evenly over its order (the first and last kept)."""
    if count <= 0:
        return frame.iloc[:0]
    if len(frame) <= count:
        return frame
    positions = np.unique(np.linspace(0, len(frame) - 1, count).round().astype(int))
    return frame.iloc[positions]
