"""Value of data: a run's learning curve, its power-law fit, and what more labels are worth.

The economics live in :mod:`bizmodel.data_value` (pure); this module reads the run, asks for the
assumptions (value per accuracy point, label cost, horizon, samples to buy), and shows the
headline, the metrics with their provenance, the two charts and the fit's parameters. A run
without a usable curve gets the reason and the sweep that measures one; no curve is invented.

The figures come from :func:`present.report_data.data_value_section`, the computation the report and
the workbook use; the inputs that priced them are recorded in the session
(:func:`present.explored.record_data_value`), so the report prices the same purchase, and they fill the
widgets again when the user comes back to the page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from bizmodel.data_value import (
    MAX_N_FACTOR,
    CurveFit,
    CurvePointIn,
    DataEconomics,
    DataValueError,
    OptimalSize,
    Purchase,
    current_size,
    marginal_value_curve,
)
from mlcore.specs import RunRecord
from present import format as fmt
from present.explain import words
from present.explored import DataValueInputs, record_data_value, recorded_data_value
from present.figures import TEMPLATE_NAME, chart_config, money_axis
from present.narrative import curve_rule, fit_quality, purchase_sentence
from present.report_data import data_value_section
from present.summary import short_id
from present.theme import PALETTE
from safetext import for_chart, for_markdown
from ui.components.learning_curve import load_fit
from ui.components.scenario_compute import scenario_value_choice
from ui.components.sweep import sweep_section
from ui.components.widgets import Provenance, badge
from ui.session.i18n import current_language, t

#: Sizes on the charts' fitted curves.
GRID_POINTS = 160


def _assumption(column: Any, name: str, value: float, *, step: float, style: str | None, key: str) -> Any:
    """A number input labelled ``data_value.in.<name>`` with its help text, printed with ``style``."""
    return column.number_input(
        t(f"data_value.in.{name}"),
        value=value,
        step=step,
        format=style,
        help=t(f"data_value.in.{name}_help"),
        key=key,
    )


def read_inputs() -> DataValueInputs:
    """The four assumptions as widgets with keys (no bounds: :func:`input_problems` explains).

    They start from the inputs this session last priced (the page's defaults the first time)."""
    default = DataValueInputs()
    last = recorded_data_value(st.session_state) or default
    typed = last if last.value_from is None else default
    from_scenario = scenario_value_choice(key="data_value_value_from")
    c1, c2, c3, c4 = st.columns(4)
    if from_scenario is None:
        value = _assumption(
            c1,
            "value",
            typed.value_usd_per_point_per_year,
            step=1000.0,
            style="%.0f",
            key="data_value_value_per_point",
        )
    else:
        value, source_name = from_scenario
        c1.number_input(
            t("data_value.in.value"),
            value=float(value),
            format="%.0f",
            help=t("data_value.in.value_from_help", name=for_markdown(source_name)),
            key=f"data_value_value_scn_{source_name}_{value:.6g}",
            disabled=True,
        )
    cost = _assumption(
        c2, "cost", last.label_cost_usd_per_sample, step=0.01, style="%.3f", key="data_value_label_cost"
    )
    years = _assumption(c3, "horizon", last.horizon_years, step=0.5, style="%.1f", key="data_value_horizon")
    samples = _assumption(
        c4, "samples", last.extra_samples, step=10_000, style=None, key="data_value_samples"
    )
    source = from_scenario[1] if from_scenario is not None else None
    return DataValueInputs(
        value_usd_per_point_per_year=float(value),
        label_cost_usd_per_sample=float(cost),
        horizon_years=float(years),
        extra_samples=int(samples),
        value_from=source,
    )


def input_problems(inputs: DataValueInputs) -> list[str]:
    """What to change in absurd inputs (translated), empty when they can be priced."""
    problems = []
    if not math.isfinite(inputs.value_usd_per_point_per_year) or inputs.value_usd_per_point_per_year <= 0:
        problems.append(t("data_value.bad.value"))
    if not math.isfinite(inputs.label_cost_usd_per_sample) or inputs.label_cost_usd_per_sample < 0:
        problems.append(t("data_value.bad.cost_negative"))
    elif inputs.label_cost_usd_per_sample == 0:
        problems.append(t("data_value.bad.cost_zero"))
    if not math.isfinite(inputs.horizon_years) or inputs.horizon_years <= 0:
        problems.append(t("data_value.bad.horizon"))
    if inputs.extra_samples <= 0:
        problems.append(t("data_value.bad.samples"))
    return problems


def _grid(fit: CurveFit, *sizes: int) -> np.ndarray:
    low = max(1.0, fit.n_min / 1.5)
    high = max(float(fit.n_max), *(float(s) for s in sizes)) * 3.0
    return np.unique(np.concatenate([np.geomspace(low, high, GRID_POINTS), [float(fit.n_max)]]))


def _vline(fig: go.Figure, x: float, y: tuple[float, float], *, name: str, colour: str, dash: str) -> None:
    """A vertical marker as a trace (shapes and annotations disagree on log axes)."""
    fig.add_trace(
        go.Scatter(
            x=[x, x],
            y=list(y),
            mode="lines",
            name=name,
            line={"color": colour, "dash": dash, "width": 1.5},
            hovertemplate=f"{for_chart(name)}<extra></extra>",
        )
    )


def _optimum_name(key: str, optimum: OptimalSize) -> str:
    name = t(key, n=fmt.fmt_int(optimum.n_train))
    return name if optimum.buy else f"{name} · {t('data_value.do_not_buy')}"


def curve_figure(
    fit: CurveFit,
    points: Sequence[CurvePointIn],
    table: pd.DataFrame,
    *,
    bought_n: int,
    optimum: OptimalSize,
) -> go.Figure:
    """Measured points (± std), the fitted curve and its interval band; extrapolation dashed."""
    n = table["n_train"].to_numpy(dtype=float)
    acc, low, high = (100 * table[c].to_numpy() for c in ("accuracy", "accuracy_low", "accuracy_high"))
    level = f"{100 * fit.interval_level:.0f}"
    fig = go.Figure()
    if np.all(np.isfinite(low)) and np.all(np.isfinite(high)):
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([n, n[::-1]]),
                y=np.concatenate([high, low[::-1]]),
                fill="toself",
                fillcolor="rgba(37,99,235,0.15)",
                line={"width": 0},
                name=t("data_value.c1.band", level=level),
                hoverinfo="skip",
            )
        )
    inside = n <= fit.n_max
    for mask, name, dash in (
        (inside, t("data_value.c1.fit"), "solid"),
        (n >= fit.n_max, t("data_value.c1.extrapolated"), "dash"),
    ):
        fig.add_trace(
            go.Scatter(
                x=n[mask],
                y=acc[mask],
                mode="lines",
                name=name,
                line={"color": PALETTE[0], "dash": dash},
                hovertemplate="%{x:,.0f} · %{y:.2f} %<extra>" + for_chart(name) + "</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[p.n_train for p in points],
            y=[100 * p.accuracy_mean for p in points],
            error_y={"type": "data", "array": [100 * p.accuracy_std for p in points], "thickness": 1.2},
            mode="markers",
            marker={"color": PALETTE[1], "size": 9},
            name=t("data_value.c1.measured"),
            hovertemplate="%{x:,} · %{y:.2f} %<extra></extra>",
        )
    )
    ys = np.concatenate([low[np.isfinite(low)], acc, [100 * p.accuracy_mean for p in points]])
    span = (float(ys.min()), float(max(ys.max(), np.nanmax(high) if np.isfinite(high).any() else 0)))
    _vline(
        fig,
        bought_n,
        span,
        name=t("data_value.c1.bought", n=fmt.fmt_int(bought_n)),
        colour=PALETTE[2],
        dash="dot",
    )
    _vline(
        fig,
        optimum.n_train,
        span,
        name=_optimum_name("data_value.c1.optimum", optimum),
        colour=PALETTE[3],
        dash="dashdot",
    )
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=t("data_value.c1.title"),
        xaxis={"title": t("data_value.c1.x"), "type": "log"},
        yaxis={"title": t("data_value.c1.y")},
        height=440,
    )
    return fig


def marginal_figure(
    fit: CurveFit, table: pd.DataFrame, *, label_cost_usd_per_sample: float, optimum: OptimalSize
) -> go.Figure:
    """Value of one more sample against its label cost (USD, drawn in the display currency); they
    cross at the optimum."""
    money = money_axis()
    n = table["n_train"].to_numpy(dtype=float)
    marginal = money.values(table["marginal_value_usd_per_sample"])
    cost = float(money.values(label_cost_usd_per_sample))
    fig = go.Figure()
    for mask, name, dash in (
        (n <= fit.n_max, t("data_value.c2.marginal"), "solid"),
        (n >= fit.n_max, t("data_value.c2.marginal_extrapolated"), "dash"),
    ):
        fig.add_trace(
            go.Scatter(
                x=n[mask],
                y=marginal[mask],
                mode="lines",
                name=name,
                line={"color": PALETTE[0], "dash": dash},
                hovertemplate="%{x:,.0f} · " + money.hover("y") + "<extra>" + for_chart(name) + "</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[n.min(), n.max()],
            y=[cost] * 2,
            mode="lines",
            name=t("data_value.c2.cost"),
            line={"color": PALETTE[1]},
            hovertemplate=money.hover("y") + "<extra></extra>",
        )
    )
    name = _optimum_name("data_value.c2.optimum", optimum)
    fig.add_trace(
        go.Scatter(
            x=[optimum.n_train],
            y=[cost],
            mode="markers",
            marker={"color": PALETTE[3], "size": 12, "symbol": "diamond"},
            name=name,
            hovertemplate=for_chart(name) + "<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=t("data_value.c2.title"),
        xaxis={"title": t("data_value.c2.x"), "type": "log"},
        yaxis={
            "title": t("data_value.c2.y_money", **fmt.currency_words()),
            "type": "log",
            **money.log_ticks(),
        },
        height=420,
    )
    return fig


def _metric(label: str, value: str, *provs: Provenance, help: str | None = None) -> None:
    st.metric(label, value, help=help)
    for prov in provs:
        badge(prov)


def _points(value: float) -> str:
    return t("data_value.points", value=f"{value:+.2f}")


def _headline(purchase: Purchase, econ: DataEconomics) -> None:
    sentence = purchase_sentence(purchase, econ, current_language())
    if purchase.net_value_usd > 0:
        verdict = t(
            "data_value.verdict_pays",
            months=f"{purchase.payback_months:.1f}",
            net=fmt.fmt_usd(purchase.net_value_usd),
            years=fmt.fmt_years(econ.horizon_years),
        )
    else:
        verdict = t(
            "data_value.verdict_loses",
            net=fmt.fmt_usd(purchase.net_value_usd),
            years=fmt.fmt_years(econ.horizon_years),
        )
    with st.container(border=True):
        st.markdown(f"#### {for_markdown(sentence)}")
        st.markdown(for_markdown(verdict))


@dataclass(frozen=True)
class _Badges:
    """The provenance badges of the metrics: the run's fit, and the assumptions that price it."""

    measured: Provenance
    value: Provenance
    cost: Provenance
    both: Provenance


def _badges(run: RunRecord, value_source: str | None) -> _Badges:
    value_prov = Provenance(
        "assumed",
        t("data_value.prov.value_from", name=value_source) if value_source else t("data_value.prov.value"),
    )
    return _Badges(
        measured=Provenance("measured", t("data_value.prov.fit", run=short_id(run.id))),
        value=value_prov,
        cost=Provenance("assumed", t("data_value.prov.cost")),
        both=Provenance("assumed", t("data_value.prov.both")),
    )


def _purchase_row(purchase: Purchase, badges: _Badges) -> None:
    """Accuracy gain (with its interval), value a year, labelling cost and net value."""
    level = f"{100 * purchase.interval_level:.0f}"
    row = st.columns(4)
    with row[0]:
        _metric(
            t("data_value.m.gain"),
            _points(purchase.gain_points),
            badges.measured,
            help=t("data_value.help.gain", level=level),
        )
        st.caption(
            t(
                "data_value.m.interval",
                level=level,
                low=f"{purchase.gain_points_low:+.2f}",
                high=f"{purchase.gain_points_high:+.2f}",
            )
        )
    with row[1]:
        _metric(
            t("data_value.m.value"), fmt.fmt_usd(purchase.value_usd_per_year), badges.measured, badges.value
        )
    with row[2]:
        _metric(t("data_value.m.cost"), fmt.fmt_usd(purchase.labelling_cost_usd), badges.cost)
    with row[3]:
        _metric(
            t("data_value.m.net", years=fmt.fmt_years(purchase.horizon_years)),
            fmt.fmt_usd(purchase.net_value_usd),
            badges.measured,
            badges.both,
            help=t("data_value.help.net"),
        )


def _optimum_metric(optimum: OptimalSize, cap: int, badges: _Badges) -> None:
    """The size worth buying up to (or do not buy), and why it stops there."""
    value = fmt.fmt_int(optimum.n_train) if optimum.buy else t("data_value.do_not_buy")
    _metric(t("data_value.m.optimum"), value, badges.measured, badges.both, help=t("data_value.help.optimum"))
    if not optimum.buy:
        st.caption(t("data_value.optimum_current"))
    elif optimum.bound == "max_n":
        st.caption(t("data_value.optimum_cap", cap=fmt.fmt_int(cap), factor=MAX_N_FACTOR))
    else:
        st.caption(
            t(
                "data_value.optimum_interior",
                extra=fmt.fmt_int(optimum.extra_samples),
                net=fmt.fmt_usd(optimum.net_value_usd),
                gain=f"{optimum.gain_points:+.2f}",
            )
        )


def _return_row(fit: CurveFit, purchase: Purchase, optimum: OptimalSize, cap: int, badges: _Badges) -> None:
    """Return on investment, payback, the optimum size and the accuracy before and after."""
    row = st.columns(4)
    with row[0]:
        _metric(
            t("data_value.m.roi"),
            fmt.fmt_pct(purchase.roi, decimals=0),
            badges.measured,
            badges.both,
            help=t("data_value.help.roi"),
        )
    with row[1]:
        payback = (
            t("data_value.never")
            if not math.isfinite(purchase.payback_months)
            else t("data_value.months", value=f"{purchase.payback_months:.1f}")
        )
        _metric(
            t("data_value.m.payback"),
            payback,
            badges.measured,
            badges.both,
            help=t("data_value.help.payback"),
        )
    with row[2]:
        _optimum_metric(optimum, cap, badges)
    with row[3]:
        _metric(
            t("data_value.m.after"),
            " → ".join(
                fmt.fmt_pct(a, decimals=2) for a in (purchase.accuracy_before, purchase.accuracy_after)
            ),
            badges.measured,
            help=t("data_value.help.after", ceiling=fmt.fmt_pct(fit.max_accuracy, decimals=2)),
        )


def _metrics(
    run: RunRecord,
    fit: CurveFit,
    purchase: Purchase,
    optimum: OptimalSize,
    cap: int,
    *,
    value_source: str | None = None,
) -> None:
    badges = _badges(run, value_source)
    _purchase_row(purchase, badges)
    _return_row(fit, purchase, optimum, cap, badges)


def _fit_details(fit: CurveFit) -> None:
    with st.expander(t("data_value.fit.title")):
        st.latex(
            r"\mathrm{error}(n) = a \cdot n^{-b} + c \qquad \mathrm{accuracy}(n) = 1 - \mathrm{error}(n)"
        )
        st.caption(t("data_value.fit.lead"))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("data_value.fit.col.param"): name,
                        t("data_value.fit.col.value"): f"{value:.4g}",
                        t("data_value.fit.col.std"): f"± {std:.2g}",
                        t("data_value.fit.col.meaning"): t(f"data_value.fit.{name}"),
                    }
                    for name, value, std in (
                        ("a", fit.a, fit.a_std),
                        ("b", fit.b, fit.b_std),
                        ("c", fit.c, fit.c_std),
                    )
                ]
            ),
            hide_index=True,
        )
        st.markdown(for_markdown(fit_quality(fit, current_language())))
        for note in fit.notes:
            st.warning(for_markdown(words(note, current_language())), icon=":material/info:")


def _measure_instead(run: RunRecord, message: str, icon: str, *, warn: bool) -> None:
    """Say why there is no usable curve, and offer the sweep that measures one."""
    if warn:
        st.warning(message, icon=icon)
    else:
        st.info(message, icon=icon)
    st.subheader(t("data_value.sweep_title"))
    sweep_section(run)


def _curve_captions(run: RunRecord, points: Sequence[CurvePointIn], fit: CurveFit, current: int) -> None:
    """The training size and the measured range, and how the curve was measured (partial, legacy)."""
    st.caption(
        t(
            "data_value.current",
            n=fmt.fmt_int(current),
            points=len(points),
            n_min=fmt.fmt_int(fit.n_min),
            n_max=fmt.fmt_int(fit.n_max),
        )
    )
    if run.learning_curve is not None:
        if not run.learning_curve.complete:
            st.warning(t("sweep.partial"))
        rule = curve_rule(run.learning_curve, current_language())
        if run.learning_curve.legacy:
            st.warning(rule, icon=":material/history:")
        else:
            st.caption(rule)


def _charts(
    fit: CurveFit,
    points: Sequence[CurvePointIn],
    table: pd.DataFrame,
    *,
    purchase: Purchase,
    optimum: OptimalSize,
    econ: DataEconomics,
) -> None:
    """The extrapolation note, the fitted curve and the marginal value of one more sample."""
    if purchase.extrapolated:
        st.caption(
            t(
                "data_value.extrapolated_note",
                n=fmt.fmt_int(purchase.n_after),
                factor=fmt.fmt_number(purchase.n_after / fit.n_max),
                n_max=fmt.fmt_int(fit.n_max),
            )
        )
    st.plotly_chart(
        curve_figure(fit, points, table, bought_n=purchase.n_after, optimum=optimum),
        key="data_value_curve",
        config=chart_config("learning-curve-fit"),
    )
    st.plotly_chart(
        marginal_figure(
            fit, table, label_cost_usd_per_sample=econ.label_cost_usd_per_sample, optimum=optimum
        ),
        key="data_value_marginal",
        config=chart_config("marginal-value-of-data"),
    )


def render(run: RunRecord) -> None:
    """The whole page body for ``run``."""
    if run.learning_curve is None or not run.learning_curve.points:
        _measure_instead(run, t("data_value.no_curve"), ":material/show_chart:", warn=False)
        return
    try:
        points, fit = load_fit(run)
    except DataValueError as exc:
        reason = for_markdown(words(exc, current_language()))
        _measure_instead(run, t("data_value.no_fit", reason=reason), ":material/show_chart:", warn=True)
        return

    current = current_size(fit, run.n_train)
    _curve_captions(run, points, fit, current)
    st.subheader(t("data_value.inputs"))
    inputs = read_inputs()
    problems = input_problems(inputs)
    if problems:
        for problem in problems:
            st.error(problem, icon=":material/error:")
        return
    try:
        section = data_value_section(points, fit, run.n_train, inputs)
        purchase, optimum, econ = section.purchase, section.optimal, section.economics
        table = marginal_value_curve(fit, econ, _grid(fit, purchase.n_after, optimum.n_train))
    except DataValueError as exc:
        st.error(
            t("data_value.cannot_price", reason=for_markdown(words(exc, current_language()))),
            icon=":material/error:",
        )
        return
    record_data_value(st.session_state, inputs)

    _headline(purchase, econ)
    _metrics(run, fit, purchase, optimum, current * MAX_N_FACTOR, value_source=inputs.value_from)
    st.caption(t("data_value.in_report"))
    _charts(fit, points, table, purchase=purchase, optimum=optimum, econ=econ)
    _fit_details(fit)
    with st.expander(t("data_value.sweep_again")):
        sweep_section(run)
