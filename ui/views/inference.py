"""The Inference page's content: the benchmark (start, progress, the stored profile as headline
numbers, charts and a table) and the model download. Figure builders are pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from mlcore.runs import model_file
from mlcore.specs import RunRecord
from mlcore.tasks import DEFAULT_BATCH_SIZES, InferenceProfile, InferenceRow
from present import format as fmt
from present.explain import words
from present.figures import TEMPLATE_NAME, chart_config
from present.summary import short_id
from safetext import for_plain
from ui.components.task_panel import task_panel
from ui.components.widgets import Provenance, metric
from ui.session.i18n import current_language, t
from ui.session.state import home


@dataclass(frozen=True)
class ProfileLabels:
    """Translated texts of the inference charts."""

    latency_title: str
    throughput_title: str
    batch: str
    latency: str
    throughput: str
    #: Names of the measured paths (``compiled``, ``predict``, ``int8``); unknown ones show as is.
    paths: Mapping[str, str] = field(default_factory=dict)
    #: Hover of the latency chart (fields p50, p95, p99) and of the throughput chart (field rate).
    latency_hover: str = "{p50} ms p50 · {p95} ms p95 · {p99} ms p99"
    throughput_hover: str = "{rate} samples/s"


def _series(profile: InferenceProfile) -> dict[tuple[str, str], list[InferenceRow]]:
    out: dict[tuple[str, str], list[InferenceRow]] = {}
    for r in profile.rows:
        out.setdefault((r.device_kind, r.path), []).append(r)
    return {k: sorted(v, key=lambda r: r.batch_size) for k, v in out.items()}


def series_name(device_kind: str, path: str, paths: Mapping[str, str] | None = None) -> str:
    """Legend name of one (device, path) series, e.g. ``CPU · compiled`` (the path's name from
    ``paths`` when given)."""
    return f"{device_kind.upper()} · {(paths or {}).get(path, path)}"


def _log_log(fig: go.Figure, title: str, x_title: str, y_title: str) -> go.Figure:
    """The Moatlab template, a title and two logarithmic axes with their titles."""
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=title,
        xaxis={"title": x_title, "type": "log"},
        yaxis={"title": y_title, "type": "log"},
    )
    return fig


def latency_figure(profile: InferenceProfile, labels: ProfileLabels) -> go.Figure:
    """p50 latency per call against batch size (log–log), whiskers up to p95 and p99 in hover."""
    fig = go.Figure()
    for (device, path), rows in _series(profile).items():
        fig.add_trace(
            go.Scatter(
                x=[r.batch_size for r in rows],
                y=[r.p50_ms for r in rows],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [r.p95_ms - r.p50_ms for r in rows],
                    "arrayminus": [0.0] * len(rows),
                    "thickness": 1,
                },
                customdata=[[r.p95_ms, r.p99_ms] for r in rows],
                mode="lines+markers",
                name=series_name(device, path, labels.paths),
                hovertemplate=labels.latency_hover.format(
                    p50="%{y:.3g}", p95="%{customdata[0]:.3g}", p99="%{customdata[1]:.3g}"
                ),
            )
        )
    return _log_log(fig, labels.latency_title, labels.batch, labels.latency)


def throughput_figure(profile: InferenceProfile, labels: ProfileLabels) -> go.Figure:
    """Samples per second against batch size (log–log), one line per (device, path)."""
    fig = go.Figure()
    for (device, path), rows in _series(profile).items():
        fig.add_trace(
            go.Scatter(
                x=[r.batch_size for r in rows],
                y=[r.samples_per_second for r in rows],
                mode="lines+markers",
                name=series_name(device, path, labels.paths),
                hovertemplate=labels.throughput_hover.format(rate="%{y:,.0f}"),
            )
        )
    return _log_log(fig, labels.throughput_title, labels.batch, labels.throughput)


def profile_frame(rows: Sequence[InferenceRow]) -> pd.DataFrame:
    """The profile as a table with units in the column names."""
    return pd.DataFrame(
        [
            {
                t("inference.col.device"): for_plain(words(r.device, current_language())),
                t("inference.col.path"): t(f"inference.path.{r.path}"),
                t("inference.col.batch"): r.batch_size,
                "p50 (ms)": round(r.p50_ms, 4),
                "p95 (ms)": round(r.p95_ms, 4),
                "p99 (ms)": round(r.p99_ms, 4),
                t("inference.col.throughput"): round(r.samples_per_second, 1),
                t("inference.col.calls"): r.calls,
                t("inference.col.size"): fmt.fmt_bytes(r.model_bytes),
                t("inference.col.accuracy"): fmt.fmt_pct(r.accuracy),
            }
            for r in rows
        ]
    )


def speedup(profile: InferenceProfile, *, batch_size: int = 1, device_kind: str = "cpu") -> float | None:
    """How many times faster the compiled path answers than ``model.predict`` (p50, same batch)."""
    fast = profile.row(path="compiled", batch_size=batch_size, device_kind=device_kind)
    slow = profile.row(path="predict", batch_size=batch_size, device_kind=device_kind)
    if fast is None or slow is None or fast.p50_ms <= 0:
        return None
    return slow.p50_ms / fast.p50_ms


def bench_section(run: RunRecord) -> None:
    """Benchmark settings, the job's progress, and the stored profile."""
    with st.expander(t("inference.settings"), expanded=run.inference is None):
        c1, c2, c3 = st.columns([3, 1, 1])
        sizes = c1.multiselect(
            t("inference.batch_sizes"),
            [1, 8, 32, 128, 256, 512, 1024],
            default=list(DEFAULT_BATCH_SIZES),
            key="bench_batches",
        )
        with_predict = c2.checkbox(t("inference.with_predict"), value=True, key="bench_predict")
        with_int8 = c3.checkbox(t("inference.with_int8"), value=True, key="bench_int8")
    if not sizes:
        st.warning(t("inference.no_batches"))
        return
    params = {"batch_sizes": sizes, "include_predict": with_predict, "include_int8": with_int8}
    label = t("inference.rerun") if run.inference else t("inference.start")
    task_panel(run, "bench", params=params, start_label=label, key="bench")
    if run.inference is None:
        st.info(t("inference.none_yet"), icon=":material/speed:")
        return
    render_profile(run, run.inference)


def _int8_metric(profile: InferenceProfile, prov: Provenance) -> None:
    """How much smaller the int8 model is and what it costs in accuracy (a dash when not measured)."""
    int8 = profile.best(path="int8")
    if int8 is None or profile.float_accuracy is None or profile.int8_accuracy is None:
        metric(t("inference.m.int8"), "–", prov, help=t("inference.help.int8_missing"))
        return
    float_row = profile.best(path="compiled")
    shrink = float_row.model_bytes / int8.model_bytes if float_row and int8.model_bytes else None
    metric(
        t("inference.m.int8"),
        t(
            "inference.m.int8_value",
            shrink=f"{shrink:.1f}" if shrink else "–",
            delta=f"{(profile.int8_accuracy - profile.float_accuracy) * 100:+.1f}",
        ),
        prov,
        help=t("inference.help.int8"),
    )


def _headline(profile: InferenceProfile, prov: Provenance, ratio: float | None) -> None:
    """Latency at batch 1, the compiled path's speed-up, the best throughput and int8, with badges."""
    one = profile.row(path="compiled", batch_size=1)
    best = profile.best()
    if one is None:
        st.caption(t("inference.no_batch_one"))
    cols = st.columns(4)
    with cols[0]:
        value = f"{one.p50_ms:.3g} / {one.p95_ms:.3g} ms" if one else "–"
        metric(
            t("inference.m.latency", device=(one.device_kind if one else "cpu").upper()),
            value,
            prov,
            help=t("inference.help.latency"),
        )
    with cols[1]:
        metric(
            t("inference.m.speedup"),
            f"{ratio:,.0f}×" if ratio else "–",
            prov,
            help=t("inference.help.speedup"),
        )
    with cols[2]:
        label = (
            t(
                "inference.m.best_where",
                path=best.path,
                batch=best.batch_size,
                device=best.device_kind.upper(),
            )
            if best
            else t("inference.m.best")
        )
        metric(label, f"{fmt.fmt_number(best.samples_per_second)}/s" if best else "–", prov)
    with cols[3]:
        _int8_metric(profile, prov)


def _profile_labels() -> ProfileLabels:
    """The inference charts' texts in the UI language."""
    return ProfileLabels(
        latency_title=t("inference.chart.latency"),
        throughput_title=t("inference.chart.throughput"),
        batch=t("inference.chart.batch"),
        latency=t("inference.chart.latency_axis"),
        throughput=t("inference.chart.throughput_axis"),
        paths={path: t(f"inference.path.{path}") for path in ("compiled", "predict", "int8")},
        latency_hover=t("inference.chart.latency_hover"),
        throughput_hover=t("inference.chart.throughput_hover"),
    )


def render_profile(run: RunRecord, profile: InferenceProfile) -> None:
    """Headline numbers with badges, the two charts, notes and the full table."""
    prov = Provenance("measured", f"{short_id(run.id)} · {profile.measured_at[:10]}")
    ratio = speedup(profile)
    _headline(profile, prov, ratio)
    labels = _profile_labels()
    c1, c2 = st.columns(2)
    c1.plotly_chart(
        latency_figure(profile, labels), key="latency_chart", config=chart_config("inference-latency")
    )
    c2.plotly_chart(
        throughput_figure(profile, labels),
        key="throughput_chart",
        config=chart_config("inference-throughput"),
    )
    if ratio:
        st.caption(t("inference.why_predict", ratio=f"{ratio:,.0f}"))
    if not any(r.device_kind == "gpu" for r in profile.rows):
        st.caption(t("inference.no_gpu"))
    for note in profile.notes:
        st.caption(note)
    with st.expander(t("inference.table")):
        st.dataframe(profile_frame(profile.rows), hide_index=True)


def download_model(run: RunRecord) -> None:
    """Download the run's trained ``.keras`` file (read only on click)."""
    path = model_file(home(), run)
    if path is None or not path.is_file():
        st.caption(t("inference.model_missing"))
        return
    st.download_button(
        t("inference.download_model", size=fmt.fmt_bytes(path.stat().st_size)),
        data=path.read_bytes,
        file_name=f"moatlab-{run.id}.keras",
        mime="application/octet-stream",
        on_click="ignore",
        key=f"download_model_{run.id}",
        icon=":material/download:",
    )
    st.caption(t("inference.download_note"))
