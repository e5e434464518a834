"""Plotly figure builders (pure: data in, figure out) and the one Moatlab template.

Every chart uses the ``moatlab`` template: one font, one colour sequence, titles and axis
units, a transparent background that reads in light and dark themes. Builders take
translated labels from the caller, so they stay free of Streamlit. Money arrives in USD and is
drawn in the display currency of the current :class:`present.format.NumberStyle` (:func:`money_axis`),
read when the figure is built.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from mlcore.specs import EpochRecord, EpochReport, RunRecord
from present import format as fmt
from present.theme import PALETTE
from safetext import for_chart

TEMPLATE_NAME = "moatlab"


def _register_template() -> None:
    if TEMPLATE_NAME in pio.templates:
        return
    axis = {
        "showgrid": True,
        "gridcolor": "rgba(128,128,128,0.18)",
        "zeroline": False,
        "linecolor": "rgba(128,128,128,0.5)",
        "ticks": "outside",
        "tickcolor": "rgba(128,128,128,0.5)",
        "title": {"standoff": 8},
    }
    pio.templates[TEMPLATE_NAME] = go.layout.Template(
        layout={
            "font": {"family": "Inter, 'Source Sans Pro', 'Noto Sans SC', sans-serif", "size": 13},
            "colorway": list(PALETTE),
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
            "title": {"x": 0.0, "xanchor": "left", "font": {"size": 15}},
            "margin": {"l": 56, "r": 16, "t": 56, "b": 96},
            "hovermode": "x unified",
            "hoverlabel": {"namelength": -1},
            "legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
            "xaxis": axis,
            "yaxis": axis,
        }
    )


_register_template()


#: About how many steps a linear money axis is cut into.
AXIS_TICKS = 6


@dataclass(frozen=True)
class MoneyAxis:
    """Money on a chart in the display currency: values given in USD are multiplied by ``factor``
    and written with ``symbol``, by the money rule of :mod:`present.format`.

    Draw every money series through :meth:`values` (it keeps the span drawn), then lay the axis
    out with :attr:`ticks` (or :meth:`log_ticks` on a log axis): round tick values labelled like
    the text (``-$1M``, ``¥250万``, ``¥1.5亿``; never ``$10m`` for one cent or ``¥30M`` beside
    ``¥3,000万``). :meth:`labels` gives each point's hover text by the same rule.

    >>> axis = MoneyAxis("¥", 7.0)
    >>> axis.values([0.0, 400_000.0]).tolist(), axis.hover("y")
    ([0.0, 2800000.0], '¥%{y:,.3~r}')
    >>> axis.ticks["ticktext"]
    ['¥0', '¥500k', '¥1M', '¥1.5M', '¥2M', '¥2.5M', '¥3M']
    """

    symbol: str
    factor: float
    #: The smallest and largest value drawn so far (display currency), kept by :meth:`values`.
    span: list[float] = field(default_factory=list, compare=False, repr=False)

    def values(self, usd: Any) -> np.ndarray:
        """``usd`` (a number, sequence or Series of USD) in the display currency, as an array;
        the axis remembers the span so that :attr:`ticks` covers it."""
        drawn = np.asarray(usd, dtype=np.float64) * self.factor
        finite = drawn[np.isfinite(drawn)]
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            if self.span:
                low, high = min(low, self.span[0]), max(high, self.span[1])
            self.span[:] = [low, high]
        return drawn

    def labels(self, usd: Any) -> list[str]:
        """Each amount of ``usd`` (USD) as the text writes it in the display currency: a chart's
        hover text (``customdata`` shown by ``%{customdata}``)."""
        from present.format import number_style

        with number_style(self._style()):
            return [fmt.fmt_usd(float(v)) for v in np.asarray(usd, dtype=np.float64).ravel()]

    def hover(self, field: str = "y") -> str:
        """A hover-template number of ``field`` with the currency symbol: three significant
        digits, grouped, never an exponent (``¥12,300``, ``$0.0512``)."""
        return f"{self.symbol}%{{{field}:,.3~r}}"

    @property
    def ticks(self) -> dict[str, Any]:
        """Axis properties: round tick values over the span drawn so far, labelled like the text
        (:func:`present.format.money_ticks`). Before anything is drawn: the symbol as a tick prefix."""
        if not self.span:
            return {"tickprefix": self.symbol, "tickformat": ",~r"}
        return self._array(*fmt.money_ticks(self.span[0], self.span[1], count=AXIS_TICKS))

    def log_ticks(self) -> dict[str, Any]:
        """Axis properties of a log axis: powers of ten over the positive span drawn so far."""
        if not self.span or self.span[1] <= 0:
            return self.ticks
        low = self.span[0] if self.span[0] > 0 else self.span[1] / 1e3
        return self._array(*fmt.money_ticks(low, self.span[1], log=True))

    def _array(self, values: list[float], _labels: list[str]) -> dict[str, Any]:
        from present.format import number_style

        with number_style(self._style()):
            texts = [fmt.fmt_money_tick(v, values) for v in values]
        return {"tickmode": "array", "tickvals": values, "ticktext": texts}

    def _style(self) -> fmt.NumberStyle:
        """The current style, with this axis's currency (an axis built for CNY stays in CNY)."""
        style = fmt.current_style()
        currency = next((c for c, s in fmt.CURRENCY_SYMBOLS.items() if s == self.symbol), style.currency)
        rate = self.factor if currency == "CNY" else style.usd_to_cny
        return fmt.NumberStyle(language=style.language, currency=currency, usd_to_cny=rate)


def money_axis() -> MoneyAxis:
    """The :class:`MoneyAxis` of the current number style (USD unless a style says otherwise)."""
    symbol, factor = fmt.money_tickformat()
    return MoneyAxis(symbol, factor)


def count_log_ticks(values: Any) -> dict[str, Any]:
    """Axis properties of a log axis of counts (requests, samples): powers of ten over the
    positive ``values``, written as the text writes counts (``100``, ``10k``, ``1M``; ``1万`` in
    Chinese), never ``10m`` for a hundredth.

    >>> count_log_ticks([0.02, 3e5])["ticktext"]
    ['0.01', '0.1', '1', '10', '100', '1k', '10k', '100k', '1M']
    """
    array = np.asarray(values, dtype=np.float64)
    positive = array[np.isfinite(array) & (array > 0)]
    if not positive.size:
        return {}
    ticks = fmt.log_ticks(float(positive.min()), float(positive.max()))
    labels = [fmt.fmt_number(v) if v >= 1 else f"{v:.12g}" for v in ticks]
    return {"tickmode": "array", "tickvals": ticks, "ticktext": labels}


#: Image formats the modebar's camera can save (chosen in the sidebar, kept in the URL as ``img``).
IMAGE_FORMATS = ("png", "svg")
_IMAGE_FORMAT: ContextVar[str | None] = ContextVar("moatlab_image_format", default=None)


def set_image_format(image_format: str) -> None:
    """Make the modebar save ``png`` or ``svg`` for the rest of this script run (unknown: png)."""
    _IMAGE_FORMAT.set(image_format if image_format in IMAGE_FORMATS else "png")


def chart_config(filename: str) -> dict[str, Any]:
    """The ``config`` of ``st.plotly_chart``: the modebar's camera saves ``filename`` as PNG at
    twice the size on screen (sharp in a slide) or as SVG (see :func:`set_image_format`), and no
    plotly logo.

    >>> chart_config("cash-by-month")["toImageButtonOptions"]
    {'format': 'png', 'filename': 'cash-by-month', 'scale': 2}
    """
    image_format = _IMAGE_FORMAT.get() or "png"
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": image_format, "filename": filename, "scale": 2},
    }


@dataclass(frozen=True)
class CurveLabels:
    """Translated texts of the learning-curve chart."""

    title: str
    epoch: str
    loss: str
    accuracy: str
    train: str
    validation: str
    current: str


def _series(history: Sequence[EpochRecord], attr: str) -> tuple[list[float], list[float | None]]:
    xs = [float(h.epoch) for h in history]
    ys = [getattr(h, attr) for h in history]
    return xs, ys


def learning_curves(
    history: Sequence[EpochRecord], labels: CurveLabels, *, live: EpochReport | None = None
) -> go.Figure:
    """Loss (left) and accuracy (right) per epoch, train solid and validation dashed.

    ``live`` adds the running average of the epoch in progress at its fractional position
    (e.g. 3.4 = 40 % into epoch 4), so long epochs still move.
    """
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=(labels.loss, labels.accuracy))
    for col, metric in ((1, "loss"), (2, "accuracy")):
        for attr, name, dash, colour in (
            (metric, labels.train, "solid", PALETTE[0]),
            (f"val_{metric}", labels.validation, "dash", PALETTE[1]),
        ):
            xs, ys = _series(history, attr)
            if live is not None and live.finished_epoch is None and attr == metric:
                value = live.loss if metric == "loss" else live.accuracy
                if value is not None and live.batches:
                    xs = [*xs, live.epoch - 1 + live.batch / live.batches]
                    ys = [*ys, value]
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    name=name,
                    mode="lines+markers",
                    line={"dash": dash, "color": colour},
                    legendgroup=name,
                    showlegend=col == 1,
                    hovertemplate="%{y:.4f}",
                ),
                row=1,
                col=col,
            )
    fig.update_layout(template=TEMPLATE_NAME, title=labels.title, height=380)
    fig.update_xaxes(title_text=labels.epoch, rangemode="tozero")
    fig.update_yaxes(title_text=labels.loss, row=1, col=1, rangemode="tozero")
    fig.update_yaxes(title_text=labels.accuracy, row=1, col=2, range=[0, 1.02], tickformat=".0%")
    return fig


def compare_curves(
    runs: Sequence[RunRecord],
    *,
    metric: str,
    title: str,
    epoch_label: str,
    y_label: str,
    train_label: str,
    val_label: str,
) -> go.Figure:
    """One colour per run: train (solid) and validation (dashed) ``metric`` per epoch."""
    fig = go.Figure()
    for i, run in enumerate(runs):
        colour = PALETTE[i % len(PALETTE)]
        for attr, dash, suffix in ((metric, "solid", train_label), (f"val_{metric}", "dash", val_label)):
            xs, ys = _series(run.history, attr)
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines+markers",
                    name=f"{for_chart(run.name)} ({run.id[-6:]}) · {suffix}",
                    line={"color": colour, "dash": dash},
                    hovertemplate="%{y:.4f}",
                )
            )
    fig.update_layout(template=TEMPLATE_NAME, title=title, height=420)
    fig.update_xaxes(title_text=epoch_label)
    fig.update_yaxes(title_text=y_label)
    if metric == "accuracy":
        fig.update_yaxes(tickformat=".0%")
    return fig


def hyperparameter_parallel(
    runs: Sequence[RunRecord], *, title: str, dimension_labels: dict[str, str]
) -> go.Figure:
    """Parallel coordinates: each run a line across its hyper-parameters, coloured by test
    accuracy. ``dimension_labels`` maps ``learning_rate``, ``batch_size``, ``epochs``,
    ``params``, ``dropout``, ``layers`` and ``test_accuracy`` to translated axis titles."""

    def col(key: str) -> list[float]:
        values: list[float] = []
        for run in runs:
            spec = run.request.spec
            v: float | None = {
                "learning_rate": math.log10(spec.learning_rate),
                "batch_size": math.log2(spec.batch_size),
                "epochs": float(run.epochs_completed),
                "params": math.log10(run.params) if run.params else None,
                "dropout": spec.dropout,
                "layers": float(len(spec.hidden_units) + len(spec.conv_filters)),
                "test_accuracy": run.test_accuracy,
            }[key]
            values.append(float("nan") if v is None else float(v))
        return values

    dims = []
    for key, label in dimension_labels.items():
        values = col(key)
        dim: dict = {"label": label, "values": values}
        if key in ("learning_rate", "params"):
            finite = [v for v in values if not math.isnan(v)]
            if finite:
                ticks = sorted({round(v) for v in finite})
                dim["tickvals"] = ticks
                dim["ticktext"] = [f"1e{t}" for t in ticks]
        if key == "batch_size":
            ticks = sorted({round(v) for v in values if not math.isnan(v)})
            dim["tickvals"] = ticks
            dim["ticktext"] = [str(2**t) for t in ticks]
        dims.append(dim)
    acc = col("test_accuracy")
    fig = go.Figure(
        go.Parcoords(
            line={
                "color": [0 if math.isnan(a) else a for a in acc],
                "colorscale": "Viridis",
                "showscale": True,
                "cmin": min([a for a in acc if not math.isnan(a)], default=0),
                "cmax": max([a for a in acc if not math.isnan(a)], default=1),
            },
            dimensions=dims,
        )
    )
    fig.update_layout(template=TEMPLATE_NAME, title=title, height=380, margin={"l": 70, "r": 40, "t": 70})
    return fig
