"""Try the model: draw a digit (or pick a test image, or type a table row) and see its top-3
classes. The input is preprocessed here (numpy and Pillow); the prediction runs in the
worker's quick lane, so it answers even while a training run holds the worker."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from mlcore.evaluation import Evaluation, EvaluationError, evaluation_path
from mlcore.jobs import JobView
from mlcore.preprocess import PreprocessError, to_model_input
from mlcore.runs import feature_labels, image_scale, is_image_run
from mlcore.specs import RunRecord, SpecError
from mlcore.tasks import Prediction
from present.figures import TEMPLATE_NAME, chart_config
from safetext import for_chart, for_markdown, for_plain
from store.schema import JobStatus
from ui.components.analysis import load_analysis
from ui.components.job_watch import watch_job
from ui.session.i18n import t
from ui.session.state import OwnerJobs, get_jobs, home, store_guard

CANVAS_PIXELS = 280
POLL_SECONDS = 0.3
_REMEMBERED = 32  # predictions kept per session (same input, same answer, no new job)


def _waiting(view: JobView, jobs: OwnerJobs) -> None:
    """What a prediction shows while the worker answers (the worker's problem, if it has one)."""
    del view
    if jobs.worker_problem:
        st.error(t("live.worker_problem", problem=for_markdown(jobs.worker_problem)), icon=":material/error:")
    st.caption(t("try.waiting"))


def prediction_figure(prediction: Prediction, class_names: Sequence[str], *, title: str) -> go.Figure:
    """Horizontal bars of the top classes' probabilities (percent), best on top; class names (from
    a user's CSV) shown as text (:func:`safetext.for_chart`)."""
    names = [for_chart(class_names[c] if c < len(class_names) else c) for c in prediction.classes]
    fig = go.Figure(
        go.Bar(
            x=[100 * p for p in prediction.probabilities][::-1],
            y=names[::-1],
            orientation="h",
            text=[f"{100 * p:.1f} %" for p in prediction.probabilities][::-1],
            textposition="auto",
            hovertemplate="%{y}: %{x:.1f} %<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=title,
        xaxis={"title": "%", "range": [0, 100]},
        yaxis={"type": "category"},
        height=260,
        margin={"b": 48},
    )
    return fig


def _evaluation(run: RunRecord) -> Evaluation | None:
    """The run's evaluation, read once per file version (shared with the Evaluate page's cache)."""
    try:
        return load_analysis(evaluation_path(home(), run.id)).evaluation
    except EvaluationError:
        return None


def render(run: RunRecord) -> None:
    """The Try-it section for ``run`` (image or table)."""
    if is_image_run(run):
        _image(run)
    else:
        _table(run)


def _image(run: RunRecord) -> None:
    ev = _evaluation(run)
    modes = ["draw", "pick"] if ev is not None else ["draw"]
    mode = st.segmented_control(
        t("try.mode"), modes, default="draw", format_func=lambda m: t(f"try.mode.{m}"), key="try_mode"
    )
    shape = (int(run.input_shape[0]), int(run.input_shape[1]))
    scale = image_scale(run)
    left, right = st.columns([1, 1])
    x: np.ndarray | None = None
    with left:
        if mode == "pick" and ev is not None:
            x = _pick(ev, run)
        else:
            x = _draw(shape, scale)
    with right:
        if x is None:
            st.info(t("try.draw_hint"), icon=":material/draw:")
            return
        st.caption(t("try.model_input", h=shape[0], w=shape[1]))
        pixels = np.clip(x / scale * 255.0, 0, 255).astype(np.uint8)
        st.image(np.kron(pixels, np.ones((140 // shape[0], 140 // shape[1]), dtype=np.uint8)), width=140)
        predict_panel(run, x.reshape(-1))


def _draw(shape: tuple[int, int], scale: float) -> np.ndarray | None:
    from streamlit_drawable_canvas import st_canvas  # a browser component: loaded with this section

    st.caption(t("try.draw"))
    result = st_canvas(
        stroke_width=18,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=CANVAS_PIXELS,
        width=CANVAS_PIXELS,
        drawing_mode="freedraw",
        return_image_data=True,
        key="digit_canvas",
    )
    try:
        image = result.image_data
    except RuntimeError:
        image = None
    if image is None:
        return None
    try:
        return to_model_input(np.asarray(image), input_shape=shape, pixel_max=scale)
    except PreprocessError:
        return None  # an empty canvas: the hint says what to do


def _pick(ev: Evaluation, run: RunRecord) -> np.ndarray:
    first = [int(p) for p in ev.kept if p < 60] or [int(p) for p in ev.kept]
    position = st.selectbox(
        t("try.pick"),
        first,
        format_func=lambda p: for_plain(
            t("try.pick_option", n=p + 1, label=ev.class_names[int(ev.y_true[p])])
        ),
        key="try_pick",
    )
    x = ev.features_of(int(position))
    assert x is not None
    return x


def _table(run: RunRecord) -> None:
    names = feature_labels(run)
    ev = _evaluation(run)
    start = ev.x_kept[0] if ev is not None and len(ev.x_kept) else np.zeros(len(names))
    st.caption(t("try.table_hint"))
    with st.form("try_table"):
        cols = st.columns(min(4, max(1, len(names))))
        values = [
            cols[i % len(cols)].number_input(
                for_markdown(name), value=float(start[i]), format="%g", key=f"feat_{i}"
            )
            for i, name in enumerate(names)
        ]
        submitted = st.form_submit_button(t("try.predict"), icon=":material/play_arrow:")
    if submitted or st.session_state.get("try_table_values") is not None:
        if submitted:
            st.session_state["try_table_values"] = values
        predict_panel(run, np.asarray(st.session_state["try_table_values"], dtype=np.float32))


def predict_panel(run: RunRecord, x: np.ndarray) -> None:
    """Ask the worker for the top-3 classes of ``x`` (raw, flat) and show them when they arrive.

    The same input on the same run is asked once per session.
    """
    digest = hashlib.sha256(run.id.encode() + np.asarray(x, dtype=np.float32).tobytes()).hexdigest()[:24]
    asked: dict[str, str] = st.session_state.setdefault("predict_jobs", {})
    job_id = asked.get(digest)
    if job_id is None:
        try:
            with store_guard():
                job_id = (
                    get_jobs().submit_task(run.id, "predict", {"inputs": [x.tolist()], "top_k": 3}).job_id
                )
        except SpecError as exc:
            st.error(t("task.refused", reason=for_markdown(str(exc))))
            return
        asked[digest] = job_id
        while len(asked) > _REMEMBERED:
            asked.pop(next(iter(asked)))
    with store_guard():
        view = get_jobs().view(job_id)
    if view is None:
        asked.pop(digest, None)
        return
    if not view.finished:
        watch_job(job_id, _waiting, every_seconds=POLL_SECONDS)
        return
    if view.status != JobStatus.COMPLETED or not view.result:
        st.error(t("try.failed", error=for_markdown(view.error or view.status)), icon=":material/error:")
        asked.pop(digest, None)
        return
    prediction = Prediction.from_dict(view.result["predictions"][0])
    names = [str(n) for n in view.result.get("class_names") or run.class_names]
    best = names[prediction.classes[0]] if prediction.classes else "?"
    st.markdown(t("try.answer", label=for_markdown(best), p=f"{100 * prediction.probabilities[0]:.1f}"))
    st.plotly_chart(
        prediction_figure(prediction, names, title=t("try.chart")),
        key=f"prediction_{digest}",
        config=chart_config("prediction"),
    )
    latency = view.result.get("latency_ms")
    if latency is not None:
        st.caption(t("try.latency", ms=f"{latency:.2f}"))
