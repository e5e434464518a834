"""The learning-curve sweep: choose fractions and seeds, queue the job, show its curve. Data value and
Experiments both offer it."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from mlcore.specs import RunRecord
from mlcore.tasks import DEFAULT_FRACTIONS, LearningCurve, curve_limits
from present import format as fmt
from present.figures import TEMPLATE_NAME, chart_config
from present.narrative import curve_rule
from present.summary import short_id
from ui.components.task_panel import task_panel
from ui.components.widgets import Provenance, metric
from ui.session.i18n import current_language, t

FRACTION_CHOICES = (0.05, 0.1, 0.2, 0.25, 0.4, 0.5, 0.7, 1.0)


def curve_figure(
    curve: LearningCurve,
    *,
    title: str,
    x_title: str,
    y_title: str,
    hover: str = "{n} samples ({fraction} %) · {accuracy} % ± {std} · {seeds} seeds · {seconds} s",
) -> go.Figure:
    """Mean test accuracy (percent) against training samples (log axis), error bars ± 1 std.

    ``hover`` is the point's hover text with ``str.format`` fields n, fraction, accuracy, std,
    seeds and seconds (translated by the caller)."""
    pts = curve.points
    fig = go.Figure(
        go.Scatter(
            x=[p.n_train for p in pts],
            y=[100 * p.accuracy_mean for p in pts],
            error_y={"type": "data", "array": [100 * p.accuracy_std for p in pts], "thickness": 1.2},
            customdata=[[p.seeds, p.train_seconds, 100 * p.fraction, 100 * p.accuracy_std] for p in pts],
            mode="lines+markers",
            hovertemplate=hover.format(
                n="%{x:,}",
                fraction="%{customdata[2]:.0f}",
                accuracy="%{y:.1f}",
                std="%{customdata[3]:.1f}",
                seeds="%{customdata[0]}",
                seconds="%{customdata[1]:.2f}",
            )
            + "<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=title,
        xaxis={"title": x_title, "type": "log"},
        yaxis={"title": y_title},
        showlegend=False,
    )
    return fig


def estimate_seconds(run: RunRecord, fractions: list[float], seeds: int) -> float | None:
    """Longest wall time of a sweep (seconds): every training running to the epoch cap, each epoch
    as long as one of the run's (a fraction's epoch repeats its subset to about the run's steps).
    Trainings usually stop sooner, when their validation loss stops improving."""
    if not run.train_seconds or run.epochs_completed < 1:
        return None
    spec = run.request.spec
    cap, _ = curve_limits(epochs=spec.epochs, patience=spec.early_stopping_patience)
    return run.train_seconds / run.epochs_completed * cap * len(fractions) * seeds


def sweep_section(run: RunRecord) -> None:
    """Sweep settings, the job, and the stored learning curve."""
    st.caption(t("sweep.lead"))
    c1, c2 = st.columns([3, 1])
    fractions = c1.multiselect(
        t("sweep.fractions"),
        FRACTION_CHOICES,
        default=list(DEFAULT_FRACTIONS),
        format_func=lambda f: f"{f:.0%}",
        key="sweep_fractions",
    )
    seeds = int(c2.number_input(t("sweep.seeds"), min_value=2, max_value=10, value=2, key="sweep_seeds"))
    if len(fractions) < 2:
        st.warning(t("sweep.too_few"))
    else:
        eta = estimate_seconds(run, sorted(fractions), seeds)
        if eta is not None:
            st.caption(t("sweep.estimate", n=len(fractions) * seeds, eta=fmt.fmt_duration(eta)))
        label = t("sweep.rerun") if run.learning_curve else t("sweep.start")
        task_panel(
            run,
            "sweep",
            params={"fractions": sorted(fractions), "seeds": seeds},
            start_label=label,
            key="sweep",
        )
    curve = run.learning_curve
    if curve is None or not curve.points:
        st.info(t("sweep.none_yet"), icon=":material/show_chart:")
        return
    if not curve.complete:
        st.warning(t("sweep.partial"))
    rule = curve_rule(curve, current_language())
    if curve.legacy:
        st.warning(rule, icon=":material/history:")
    st.plotly_chart(
        curve_figure(
            curve,
            title=t("sweep.chart"),
            x_title=t("sweep.x"),
            y_title=t("sweep.y"),
            hover=t("sweep.chart.hover"),
        ),
        key="sweep_chart",
        config=chart_config("learning-curve-sweep"),
    )
    if not curve.legacy:
        st.caption(rule)
    first, last = curve.points[0], curve.points[-1]
    prov = Provenance("measured", f"{short_id(run.id)} · {curve.measured_at[:10]}")
    cols = st.columns(3)
    with cols[0]:
        metric(t("sweep.m.smallest", n=fmt.fmt_int(first.n_train)), fmt.fmt_pct(first.accuracy_mean), prov)
    with cols[1]:
        metric(t("sweep.m.largest", n=fmt.fmt_int(last.n_train)), fmt.fmt_pct(last.accuracy_mean), prov)
    with cols[2]:
        gain = (last.accuracy_mean - first.accuracy_mean) * 100
        metric(
            t("sweep.m.gain"), t("data_value.points", value=f"{gain:+.1f}"), prov, help=t("sweep.help.gain")
        )
    frame = pd.DataFrame(
        [
            {
                t("sweep.col.fraction"): fmt.fmt_pct(p.fraction, decimals=0),
                t("sweep.col.n"): p.n_train,
                t("sweep.col.mean"): fmt.fmt_pct(p.accuracy_mean),
                t("sweep.col.std"): t("data_value.points", value=f"{100 * p.accuracy_std:.2f}"),
                t("sweep.col.seeds"): p.seeds,
                t("sweep.col.seconds"): round(p.train_seconds, 2),
                t("sweep.col.steps"): p.steps,
            }
            for p in curve.points
        ]
    )
    st.dataframe(frame, hide_index=True)
