"""The Build vs buy charts: monthly cost against volume, your side against an API's.

Pure builders (no Streamlit): data and translated labels in, a plotly figure out. Costs come in USD
and are drawn in the display currency (:func:`present.figures.money_axis`); volumes are requests per
month on a log axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from present.figures import TEMPLATE_NAME, MoneyAxis, count_log_ticks, money_axis
from present.theme import PALETTE
from safetext import for_chart


@dataclass(frozen=True)
class CostChartLabels:
    """Translated texts of a monthly-cost-against-volume chart."""

    title: str
    volume: str
    cost: str
    ours: str
    api: str
    break_even: str
    marker: str = ""


def volume_grid(low: float, high: float, points: int, *extra: float | None) -> np.ndarray:
    """Log-spaced volumes from ``low`` to ``high`` (widened to 3 × the largest ``extra``), with every
    positive ``extra`` volume included, sorted and unique.

    >>> volume_grid(1e3, 1e5, 3, 5e3, None).tolist()
    [1000.0, 5000.0, 10000.0, 100000.0]
    >>> float(volume_grid(1e3, 1e5, 3, 1e6).max())
    3000000.0
    """
    marks = [float(v) for v in extra if v is not None and math.isfinite(v) and v > 0]
    top = max([high, *(3.0 * v for v in marks)])
    return np.unique(np.concatenate([np.geomspace(low, top, points), marks]))


def _positive(values: Sequence[float] | np.ndarray) -> bool:
    """Whether every value is finite and above 0 (a log axis can show them all)."""
    array = np.asarray(values, dtype=float)
    return bool(array.size and np.all(np.isfinite(array)) and np.all(array > 0))


def _line(
    x: np.ndarray, ys: np.ndarray, name: str, colour: str, *, shape: str, money: MoneyAxis
) -> go.Scatter:
    """One side's monthly cost against volume (``shape`` ``hv``: a step per instance added)."""
    return go.Scatter(
        x=x,
        y=ys,
        mode="lines",
        name=for_chart(name),
        line={"color": colour, "width": 2.5, "shape": shape},
        hovertemplate=money.hover("y"),
    )


def _volume_marker(x: float, ys: np.ndarray, name: str, money: MoneyAxis) -> go.Scatter:
    """Your volume as a dotted segment between the two costs there."""
    return go.Scatter(
        x=[x, x],
        y=ys,
        mode="lines+markers",
        name=for_chart(name),
        line={"color": PALETTE[2], "dash": "dot"},
        marker={"size": 9, "symbol": "line-ew-open"},
        hovertemplate=money.hover("y"),
    )


def _break_even_point(x: float, usd: float, name: str, money: MoneyAxis) -> go.Scatter:
    """The break-even point as a diamond."""
    return go.Scatter(
        x=[x],
        y=money.values([usd]),
        mode="markers",
        name=for_chart(name),
        marker={"color": PALETTE[3], "size": 13, "symbol": "diamond"},
        hovertemplate=money.hover("y"),
    )


def _cost_layout(
    fig: go.Figure, volume: np.ndarray, labels: CostChartLabels, money: MoneyAxis, *, log_y: bool
) -> None:
    """Title, log volume axis, and a log cost axis when every cost is positive (else from zero)."""
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=for_chart(labels.title),
        xaxis={
            "title": for_chart(labels.volume),
            "type": "log",
            "hoverformat": ",.3~r",
            **count_log_ticks(volume),
        },
        yaxis={
            "title": for_chart(labels.cost),
            "type": "log" if log_y else "linear",
            **(money.log_ticks() if log_y else money.ticks),
        },
        height=440,
    )
    if not log_y:
        fig.update_yaxes(rangemode="tozero")


def _cost_figure(
    curves: pd.DataFrame,
    ours_column: str,
    labels: CostChartLabels,
    *,
    step: bool,
    break_even: tuple[float, float] | None,
    marker: tuple[float, float, float] | None,
) -> go.Figure:
    money = money_axis()
    volume = curves["volume_per_month"].to_numpy(dtype=float)
    ours = money.values(curves[ours_column])
    api = money.values(curves["api_usd_month"])
    fig = go.Figure()
    fig.add_trace(_line(volume, ours, labels.ours, PALETTE[0], shape="hv" if step else "linear", money=money))
    fig.add_trace(_line(volume, api, labels.api, PALETTE[1], shape="linear", money=money))
    plotted = [ours, api]
    if marker is not None:
        x, ours_usd, api_usd = marker
        ys = money.values([ours_usd, api_usd])
        fig.add_trace(_volume_marker(x, ys, labels.marker, money))
        plotted.append(ys)
    if break_even is not None:
        fig.add_trace(_break_even_point(*break_even, labels.break_even, money))
    _cost_layout(fig, volume, labels, money, log_y=_positive(np.concatenate(plotted)))
    return fig


def own_vs_api_figure(
    curves: pd.DataFrame,
    labels: CostChartLabels,
    *,
    break_even: tuple[float, float] | None = None,
    marker: tuple[float, float, float] | None = None,
) -> go.Figure:
    """Monthly cost of your own model and of the API against volume (log x; log y when every cost is
    positive), the break-even point as a diamond and, when given, your volume as a segment between
    the two costs there. Costs are given in USD and drawn in the display currency.

    Parameters
    ----------
    curves : pandas.DataFrame
        From :func:`bizmodel.buildbuy.cost_curves` (``volume_per_month``, ``own_usd_month``,
        ``api_usd_month``).
    labels : CostChartLabels
        Translated texts (escaped here: they may hold names typed by users).
    break_even : tuple of float or None
        (volume per month, $ per month) where the curves cross.
    marker : tuple of float or None
        (volume per month, own $ per month, API $ per month) at the scenario's volume.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    return _cost_figure(curves, "own_usd_month", labels, step=False, break_even=break_even, marker=marker)


def llm_figure(
    curves: pd.DataFrame, labels: CostChartLabels, *, break_even: tuple[float, float] | None = None
) -> go.Figure:
    """Monthly cost of self-hosting (a step per instance added) against the API's line (log x), given
    in USD and drawn in the display currency.

    Parameters
    ----------
    curves : pandas.DataFrame
        From :func:`bizmodel.buildbuy.llm_cost_curves` (``volume_per_month``,
        ``self_hosted_usd_month``, ``api_usd_month``).
    labels : CostChartLabels
        Translated texts (escaped here: instance and model names may come from uploads).
    break_even : tuple of float or None
        (volume per month, $ per month) from which self-hosting first costs no more.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    return _cost_figure(
        curves, "self_hosted_usd_month", labels, step=True, break_even=break_even, marker=None
    )
