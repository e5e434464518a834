"""Plotly figures of the revenue scenarios (pure: data and translated labels in, figure out).

Money arrives in USD and is drawn in the display currency of the current number style
(:func:`present.figures.money_axis`): round ticks labelled like the text (万 / 亿 in Chinese) and each
point's hover written by the same rule; months are 1…H on the x axis. Every figure uses the
``moatlab`` template (:mod:`present.figures`) and escapes user text (scenario names) before it reaches a
legend. A tornado's colours mean better or worse for its outcome (green raises NPV, red lowers it),
never the lever's direction.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bizmodel.accuracy_link import AccuracyLink
from present.figures import TEMPLATE_NAME, MoneyAxis, money_axis
from present.theme import PALETTE
from safetext import for_chart

#: Translucent band fill for the P10–P90 range of a fan chart.
_BAND = "rgba(37,99,235,0.18)"
_LOSS = "#dc2626"


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _monthly_money_layout(fig: go.Figure, title: str, month: str, money: str, axis: MoneyAxis) -> go.Figure:
    """The house layout of a money series over months: titles, money ticks as the text writes
    amounts (−$1.2M, ¥300万)."""
    fig.update_layout(template=TEMPLATE_NAME, title=title, xaxis_title=month, yaxis_title=money)
    fig.update_yaxes(**axis.ticks)
    return fig


def _hover(money: MoneyAxis, usd: object) -> dict[str, object]:
    """A money trace's hover: each point as the text writes it (``¥2,001万``), after the series name."""
    return {"customdata": money.labels(usd), "hovertemplate": "%{customdata}"}


@dataclass(frozen=True)
class ProjectionLabels:
    """Translated texts of the cash and revenue chart."""

    title: str
    month: str
    usd: str
    cash: str
    revenue: str
    operating: str


def projection_figure(frame: pd.DataFrame, labels: ProjectionLabels) -> go.Figure:
    """Month-end cash (line), monthly revenue (bars) and operating cash flow (line) over months.

    ``frame`` is :func:`bizmodel.projection.project`'s table (indexed by month, USD columns);
    ``labels.usd`` names the money axis (in the display currency).
    """
    money = money_axis()
    months = frame.index.to_numpy()
    fig = go.Figure()
    fig.add_bar(
        x=months,
        y=money.values(frame["revenue_usd"]),
        name=labels.revenue,
        marker_color=_rgba(PALETTE[2], 0.55),
        **_hover(money, frame["revenue_usd"]),
    )
    fig.add_scatter(
        x=months,
        y=money.values(frame["operating_cash_flow_usd"]),
        name=labels.operating,
        line={"color": PALETTE[1]},
        **_hover(money, frame["operating_cash_flow_usd"]),
    )
    fig.add_scatter(
        x=months,
        y=money.values(frame["cash_usd"]),
        name=labels.cash,
        line={"color": PALETTE[0], "width": 3},
        **_hover(money, frame["cash_usd"]),
    )
    fig.add_hline(y=0, line={"color": "rgba(128,128,128,0.6)", "width": 1})
    return _monthly_money_layout(fig, labels.title, labels.month, labels.usd, money)


@dataclass(frozen=True)
class LinkLabels:
    """Translated texts of the accuracy-link chart."""

    title: str
    accuracy: str
    factor: str
    churn: str
    minimum: str
    delightful: str
    current: str


def accuracy_link_figure(
    link: AccuracyLink,
    *,
    accuracy: float,
    monthly_churn: float,
    churn_extra: float,
    labels: LinkLabels,
) -> go.Figure:
    """The adoption factor (0–1) and the monthly churn it implies across accuracies (all in %).

    Vertical lines mark minimum-viable and delightful accuracy; a marker the model's accuracy.
    """
    low = max(0.0, link.minimum_viable_accuracy - 0.1)
    high = min(1.0, link.delightful_accuracy + 0.05)
    xs = np.linspace(low, high, 121)
    factor = np.asarray(link.factor(xs))
    churn = monthly_churn + churn_extra * (1.0 - factor)
    fig = go.Figure()
    fig.add_scatter(x=xs * 100, y=factor * 100, name=labels.factor, line={"color": PALETTE[0], "width": 3})
    fig.add_scatter(
        x=xs * 100, y=churn * 100, name=labels.churn, line={"color": _LOSS, "dash": "dash"}, yaxis="y2"
    )
    here = float(link.factor(accuracy))
    fig.add_scatter(
        x=[accuracy * 100],
        y=[here * 100],
        name=labels.current,
        mode="markers",
        marker={"size": 12, "color": PALETTE[2], "line": {"width": 2, "color": "white"}},
    )
    for x, text in (
        (link.minimum_viable_accuracy, labels.minimum),
        (link.delightful_accuracy, labels.delightful),
    ):
        fig.add_vline(x=x * 100, line={"color": "rgba(128,128,128,0.7)", "dash": "dot"})
        fig.add_annotation(x=x * 100, y=1.02, yref="paper", text=for_chart(text), showarrow=False)
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=labels.title,
        xaxis_title=labels.accuracy,
        xaxis_ticksuffix=" %",
        yaxis={"title": labels.factor, "ticksuffix": " %", "range": [-3, 103]},
        yaxis2={
            "title": labels.churn,
            "ticksuffix": " %",
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
        },
    )
    return fig


@dataclass(frozen=True)
class FanLabels:
    """Translated texts of a fan chart."""

    title: str
    month: str
    usd: str
    p10: str
    p50: str
    p90: str
    deterministic: str

    @classmethod
    def of_cash(cls, translate: Callable[..., str], money_title: str) -> FanLabels:
        """The cash fan's texts from ``translate(key, **values)``, the money axis titled ``money_title``."""
        return cls(
            title=translate("scenario.chart.fan"),
            month=translate("scenario.axis.month"),
            usd=money_title,
            p10="P10",
            p50="P50",
            p90="P90",
            deterministic=translate("scenario.series.deterministic"),
        )


def fan_figure(fan: pd.DataFrame, labels: FanLabels, *, deterministic: pd.Series | None = None) -> go.Figure:
    """P10–P90 band and P50 line of a money series over months (``fan`` has columns p10, p50, p90).

    ``deterministic`` (the projection at the most likely values) is drawn dashed for reference.
    Values are USD, drawn in the display currency.
    """
    money = money_axis()
    months = fan.index.to_numpy()
    fig = go.Figure()
    fig.add_scatter(
        x=months,
        y=money.values(fan["p90"]),
        name=labels.p90,
        line={"width": 0.5, "color": PALETTE[0]},
        **_hover(money, fan["p90"]),
    )
    fig.add_scatter(
        x=months,
        y=money.values(fan["p10"]),
        name=labels.p10,
        fill="tonexty",
        fillcolor=_BAND,
        line={"width": 0.5, "color": PALETTE[0]},
        **_hover(money, fan["p10"]),
    )
    fig.add_scatter(
        x=months,
        y=money.values(fan["p50"]),
        name=labels.p50,
        line={"width": 3, "color": PALETTE[0]},
        **_hover(money, fan["p50"]),
    )
    if deterministic is not None:
        fig.add_scatter(
            x=deterministic.index.to_numpy(),
            y=money.values(deterministic),
            name=labels.deterministic,
            line={"dash": "dash", "color": PALETTE[1]},
            **_hover(money, deterministic),
        )
    fig.add_hline(y=0, line={"color": _LOSS, "width": 1})
    return _monthly_money_layout(fig, labels.title, labels.month, labels.usd, money)


@dataclass(frozen=True)
class HistogramLabels:
    """Translated texts of the NPV histogram."""

    title: str
    npv: str
    paths: str
    median: str


def histogram_bars(values: np.ndarray, *, bins: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bars of a histogram of finite ``values`` (any finite magnitude): ``(centres, counts,
    widths)``, centres and widths in the values' unit.

    Up to ``bins`` equal bins span the values. A spread too small for distinct bin edges at the
    values' magnitude — every value the same, or values that differ only in their last bits —
    gives one bar holding every value, centred on them, 2 % of their magnitude wide (1 unit wide
    around 0). The values are binned after division by a power of two (exact), so a spread
    near float64's limit (−1e308 … 1e308) never overflows.

    >>> centres, counts, widths = histogram_bars(np.full(5, 9e15 + 2.0))
    >>> centres.tolist(), counts.tolist(), bool(widths[0] > 1e14)
    ([9000000000000002.0], [5], True)
    >>> histogram_bars(np.array([0.0, 1.0, 2.0, 3.0]), bins=3)[1].tolist()
    [1, 1, 2]
    """
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return np.empty(0), np.empty(0, dtype=np.int64), np.empty(0)
    lo, hi = float(finite.min()), float(finite.max())
    exponent = math.frexp(max(abs(lo), abs(hi)))[1]
    scaled = np.ldexp(finite, -exponent)  # within [-1, 1]: no overflow in differences
    edges = np.linspace(math.ldexp(lo, -exponent), math.ldexp(hi, -exponent), max(1, int(bins)) + 1)
    if hi > lo and bool(np.all(np.diff(edges) > 0)):
        counts, edges = np.histogram(scaled, bins=edges)
        centres = np.ldexp(edges[:-1] / 2 + edges[1:] / 2, exponent)
        return centres, counts, np.ldexp(np.diff(edges), exponent)
    centre = lo / 2 + hi / 2
    width = abs(centre) * 0.02 if centre != 0 else 1.0
    return np.array([centre]), np.array([finite.size]), np.array([width])


def npv_histogram(npv_usd: np.ndarray, labels: HistogramLabels, *, bins: int = 60) -> go.Figure:
    """Histogram of NPV over Monte Carlo paths (given in USD, drawn in the display currency);
    losses (< 0) in red, the median marked. A degenerate spread (all paths equal, or equal to
    float precision) draws one bar (:func:`histogram_bars`)."""
    money = money_axis()
    values = money.values(npv_usd)
    values = values[np.isfinite(values)]
    fig = go.Figure()
    if values.size:
        centres, counts, widths = histogram_bars(values, bins=bins)
        colours = [_rgba(_LOSS, 0.7) if c < 0 else _rgba(PALETTE[0], 0.7) for c in centres]
        fig.add_bar(
            x=centres,
            y=counts,
            width=widths,
            marker_color=colours,
            name=labels.paths,
            customdata=money.labels(centres / money.factor),
            hovertemplate="%{customdata} · %{y:,}<extra></extra>",
        )
        median = float(np.median(values))
        fig.add_vline(x=median, line={"color": PALETTE[1], "width": 2, "dash": "dash"})
        fig.add_annotation(x=median, y=1.02, yref="paper", text=for_chart(labels.median), showarrow=False)
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=labels.title,
        xaxis_title=labels.npv,
        yaxis_title=labels.paths,
        bargap=0.02,
        showlegend=False,
        hovermode="closest",
    )
    fig.update_xaxes(**money.ticks)
    return fig


@dataclass(frozen=True)
class TornadoLabels:
    """Translated texts of a tornado chart: the lever's moves (``low``, ``high``) label the bars,
    ``better`` and ``worse`` name the two colours (e.g. "raises NPV", "lowers NPV")."""

    title: str
    axis: str
    low: str
    high: str
    technical: str
    business: str
    better: str = "better"
    worse: str = "worse"


#: A tornado's two colours: an outcome better than the base, and a worse one.
BETTER_COLOUR = _rgba(PALETTE[2], 0.8)
WORSE_COLOUR = _rgba(_LOSS, 0.75)


def _kind(kind: str, labels: TornadoLabels) -> str:
    return labels.technical if kind == "technical" else labels.business


def tornado_figure(
    frame: pd.DataFrame,
    *,
    low_column: str,
    high_column: str,
    base: float,
    labels: TornadoLabels,
    lever_names: Mapping[str, str],
    money: bool = True,
    higher_is_better: bool = True,
) -> go.Figure:
    """Horizontal bars from the base value to each lever's low (−X %) and high (+X %) outcome,
    coloured by what the outcome means: green better than the base (a higher NPV; with
    ``higher_is_better=False`` an earlier month), red worse; each bar names its move. The two
    traces are ``labels.better`` then ``labels.worse``.

    ``frame`` is :func:`bizmodel.sensitivity.tornado`'s table (already ranked, largest swing first);
    the largest swing is drawn at the top. ``lever_names`` maps a lever key to its display name;
    technical levers are marked with their kind in the tick label. With ``money`` the columns and
    ``base`` are USD, drawn in the display currency.
    """
    axis = money_axis() if money else MoneyAxis("", 1.0)
    rows = frame.iloc[::-1]
    names = [
        f"{for_chart(lever_names.get(k, k))} · {_kind(kind, labels)}"
        for k, kind in zip(rows["key"], rows["kind"], strict=True)
    ]
    drawn_base = float(axis.values([base])[0])
    bars: dict[bool, dict[str, list]] = {
        flag: {"y": [], "x": [], "text": [], "hover": []} for flag in (True, False)
    }
    for column, move in ((low_column, labels.low), (high_column, labels.high)):
        raw = rows[column].to_numpy(dtype=float)
        for name, value, drawn in zip(names, raw, axis.values(raw), strict=True):
            delta = drawn - drawn_base
            if not math.isfinite(delta) or delta == 0:
                continue
            better = (delta > 0) == higher_is_better
            shown = axis.labels([value])[0] if money else f"{value:g}"
            bars[better]["y"].append(name)
            bars[better]["x"].append(delta)
            bars[better]["text"].append(for_chart(move))
            bars[better]["hover"].append(f"{name} · {for_chart(move)}: {for_chart(shown)}")
    fig = go.Figure()
    for better, name, colour in ((True, labels.better, BETTER_COLOUR), (False, labels.worse, WORSE_COLOUR)):
        fig.add_bar(
            y=bars[better]["y"],
            x=bars[better]["x"],
            base=drawn_base,
            orientation="h",
            name=for_chart(name),
            marker_color=colour,
            text=bars[better]["text"],
            textposition="inside",
            insidetextanchor="middle",
            customdata=bars[better]["hover"],
            hovertemplate="%{customdata}<extra></extra>",
        )
    fig.add_vline(x=drawn_base, line={"color": "rgba(128,128,128,0.8)", "width": 1})
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=labels.title,
        xaxis_title=labels.axis,
        barmode="overlay",
        hovermode="closest",
        height=max(320, 46 * len(names) + 140),
        margin={"l": 24},
    )
    if money:
        fig.update_xaxes(**axis.ticks)
    fig.update_yaxes(automargin=True, categoryorder="array", categoryarray=names)
    return fig


def tornado_figures(
    frame: pd.DataFrame,
    *,
    horizon: int,
    change_pct: float,
    translate: Callable[..., str],
    lever_names: Mapping[str, str],
) -> tuple[go.Figure, go.Figure]:
    """The two tornados of a sensitivity table: NPV (display currency) and break-even month (a
    lever that pushes break-even past the horizon is drawn at ``horizon + 1``).

    ``translate(key, **values)`` gives the texts (the page's ``t`` or the report's language);
    ``change_pct`` is the levers' ± move in percent.
    """
    change = f"{change_pct:g}"
    labels = TornadoLabels(
        title=translate("scenario.chart.tornado_npv", change=change),
        axis=translate("kpi.npv_usd"),
        low=translate("scenario.tornado.low", change=change),
        high=translate("scenario.tornado.high", change=change),
        technical=translate("scenario.tornado.technical"),
        business=translate("scenario.tornado.business"),
        better=translate("scenario.tornado.better_npv"),
        worse=translate("scenario.tornado.worse_npv"),
    )
    npv = tornado_figure(
        frame,
        low_column="npv_low_usd",
        high_column="npv_high_usd",
        base=float(frame["npv_base_usd"].iloc[0]),
        labels=labels,
        lever_names=lever_names,
    )
    be = frame.copy()
    for column in ("break_even_low", "break_even_high", "break_even_base"):
        be[column] = be[column].astype(float).fillna(horizon + 1)
    be["swing"] = (be["break_even_high"] - be["break_even_low"]).abs()
    be = be.sort_values("swing", ascending=False, kind="stable")
    be_labels = TornadoLabels(
        title=translate("scenario.chart.tornado_break_even", change=change),
        axis=translate("scenario.tornado.break_even_axis", beyond=horizon + 1),
        low=labels.low,
        high=labels.high,
        technical=labels.technical,
        business=labels.business,
        better=translate("scenario.tornado.better_break_even"),
        worse=translate("scenario.tornado.worse_break_even"),
    )
    break_even = tornado_figure(
        be,
        low_column="break_even_low",
        high_column="break_even_high",
        base=float(be["break_even_base"].iloc[0]),
        labels=be_labels,
        lever_names=lever_names,
        money=False,
        higher_is_better=False,
    )
    return npv, break_even


@dataclass(frozen=True)
class OverlayLabels:
    """Translated texts of a chart that overlays one series of several scenarios."""

    title: str
    month: str
    usd: str


def overlay_figure(series: Sequence[tuple[str, pd.Series]], labels: OverlayLabels) -> go.Figure:
    """One line per scenario (name, monthly USD series, drawn in the display currency) on shared
    axes; names are escaped."""
    money = money_axis()
    fig = go.Figure()
    for i, (name, values) in enumerate(series):
        fig.add_scatter(
            x=values.index.to_numpy(),
            y=money.values(values),
            name=for_chart(name),
            line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
            **_hover(money, values),
        )
    fig.add_hline(y=0, line={"color": "rgba(128,128,128,0.6)", "width": 1})
    return _monthly_money_layout(fig, labels.title, labels.month, labels.usd, money)
