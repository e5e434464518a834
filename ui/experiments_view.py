"""Learning curve (sweep) and seed variance (repeat) of a run: settings, the job, the results.

Both re-train the run's spec in the worker; results are stored with the run (``learning_curve``,
``repeat``) and read later by the data-value and scenario pages. A sweep trains every fraction
until its validation loss stops improving (:data:`mlcore.tasks.CURVE_RULE`); the page says how a
stored curve was trained, and warns when it comes from the old rule (every fraction for the run's
epochs), whose small fractions read low."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from mlcore.specs import RunRecord
from mlcore.tasks import DEFAULT_FRACTIONS, LearningCurve, curve_limits
from ui import format as fmt
from ui.figures import TEMPLATE_NAME, chart_config
from ui.i18n import current_language, t
from ui.narrative import curve_rule
from ui.summary import short_id
from ui.task_view import task_panel
from ui.widgets import Provenance, metric

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


def repeat_section(run: RunRecord) -> None:
    """Repeat settings, the job, and the spread of accuracy and throughput over seeds."""
    st.caption(t("repeat.lead"))
    seeds = int(st.number_input(t("repeat.seeds"), min_value=2, max_value=20, value=3, key="repeat_seeds"))
    label = t("repeat.rerun") if run.repeat else t("repeat.start")
    task_panel(run, "repeat", params={"seeds": seeds}, start_label=label, key="repeat")
    rep = run.repeat
    if rep is None or not rep.accuracies:
        st.info(t("repeat.none_yet"), icon=":material/repeat:")
        return
    prov = Provenance("measured", f"{short_id(run.id)} · {rep.measured_at[:10]}")
    cols = st.columns(3)
    with cols[0]:
        metric(
            t("repeat.m.accuracy"),
            f"{fmt.fmt_pct(rep.accuracy_mean)} ± "
            + t("data_value.points", value=f"{100 * rep.accuracy_std:.2f}"),
            prov,
            help=t("repeat.help.std"),
        )
    with cols[1]:
        metric(
            t("repeat.m.throughput"),
            f"{fmt.fmt_number(rep.throughput_mean)} ± {fmt.fmt_number(rep.throughput_std)}",
            prov,
            help=t("repeat.help.std"),
        )
    with cols[2]:
        low, high = min(rep.accuracies), max(rep.accuracies)
        metric(t("repeat.m.range"), f"{fmt.fmt_pct(low)} – {fmt.fmt_pct(high)}", prov)
    st.dataframe(
        pd.DataFrame(
            {
                t("repeat.col.seed"): list(rep.seeds),
                t("repeat.col.accuracy"): [fmt.fmt_pct(a, decimals=2) for a in rep.accuracies],
                t("repeat.col.throughput"): [round(s, 1) for s in rep.samples_per_second],
            }
        ),
        hide_index=True,
    )


def render_experiments(run: RunRecord) -> None:
    """Both sections, one under the other."""
    st.subheader(t("sweep.title"))
    sweep_section(run)
    st.subheader(t("repeat.title"))
    repeat_section(run)
