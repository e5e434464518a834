"""The Learn page's parts: the article's sections 3–4 made interactive.

Figure builders (pure: data and translated labels in, plotly figure out) come first, then one
render function per section: loss functions, gradient descent, forward/backward pass. The
numbers come from :mod:`mlcore.lessons`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from mlcore.datasets import BUILTIN, stratified_split
from mlcore.lessons import (
    Behaviour,
    DescentPath,
    LossCurves,
    PassTable,
    QuadraticSurface,
    RosenbrockSurface,
    Surface,
    SurfaceGrid,
    classify_path,
    classify_rate,
    critical_rates,
    cross_entropy,
    cross_entropy_gradient,
    gradient_descent,
    loss_curves,
    mse,
    mse_gradient,
    pass_table,
    rate_choices,
    surface_grid,
)
from mlcore.runs import finished_runs
from mlcore.specs import ModelSpec, TrainRequest, preset_spec
from present import format as fmt
from present.figures import TEMPLATE_NAME, chart_config
from present.page_registry import page_file
from present.theme import PALETTE
from safetext import for_markdown
from ui.components.run_picker import pick_run
from ui.session.i18n import t
from ui.session.state import store_guard, store_or_error

#: The surfaces the gradient-descent section offers, by widget value.
SURFACES: dict[str, QuadraticSurface | RosenbrockSurface] = {
    "bowl": QuadraticSurface(),
    "valley": RosenbrockSurface(),
}
#: Steps the descent takes by default: the valley is slow, so it gets more.
DEFAULT_STEPS = {"bowl": 40, "valley": 200}
PROBABILITIES = (0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
FALLBACK_DATASET = "mnist-5k"

# Formulas are notation, the same in every language.
TEX_MSE = r"\mathrm{MSE}(p) = (y - p)^2, \qquad \frac{\partial\,\mathrm{MSE}}{\partial p} = -2\,(y - p)"
TEX_CE = (
    r"\mathrm{CE}(p) = -\left[\,y \log p + (1 - y)\log(1 - p)\,\right], \qquad "
    r"\frac{\partial\,\mathrm{CE}}{\partial p} = \frac{p - y}{p\,(1 - p)}"
)
TEX_UPDATE = (
    r"\Delta\theta = -\alpha\,\nabla_{\theta} J(\theta), \qquad \theta \leftarrow \theta + \Delta\theta"
)
TEX_BOWL = r"J(\theta) = \tfrac{1}{2}\left(a\,\theta_1^2 + b\,\theta_2^2\right)"
TEX_VALLEY = r"J(\theta) = (1 - \theta_1)^2 + s\,(\theta_2 - \theta_1^2)^2"
TEX_FACTOR = r"\theta_i \leftarrow (1 - \alpha\lambda_i)\,\theta_i"
TEX_FORWARD = r"a^{(l)} = f\!\left(W^{(l)} a^{(l-1)} + b^{(l)}\right)"
TEX_BACKWARD = (
    r"\delta^{(l-1)} = \left(W^{(l)}\right)^{\!\top} \delta^{(l)} \odot f'\!\left(z^{(l-1)}\right), \qquad "
    r"\frac{\partial J}{\partial W^{(l)}} = \delta^{(l)} \left(a^{(l-1)}\right)^{\!\top}"
)


# --- figure builders (pure) ---------------------------------------------------------------


def surface_tex(surface: QuadraticSurface | RosenbrockSurface) -> str:
    """The surface's formula with its parameters filled in.

    >>> "b = 10" in surface_tex(QuadraticSurface(a=1, b=10))
    True
    """
    if isinstance(surface, QuadraticSurface):
        return TEX_BOWL + rf", \quad a = {surface.a:g},\ b = {surface.b:g}"
    return TEX_VALLEY + rf", \quad s = {surface.steepness:g}"


@dataclass(frozen=True)
class LossLabels:
    """Translated texts of the loss-function chart."""

    title: str
    probability: str
    loss: str
    slope: str
    mse: str
    cross_entropy: str


def loss_figure(curves: LossCurves, labels: LossLabels, *, marked_p: float | None = None) -> go.Figure:
    """Both losses (left) and their slopes dL/dp (right) against the predicted probability,
    with the values at ``marked_p`` marked."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(labels.loss, labels.slope))
    series = (
        (labels.mse, curves.mse, curves.mse_gradient, mse, mse_gradient, PALETTE[0]),
        (
            labels.cross_entropy,
            curves.cross_entropy,
            curves.cross_entropy_gradient,
            cross_entropy,
            cross_entropy_gradient,
            PALETTE[1],
        ),
    )
    for name, values, slopes, loss_fn, slope_fn, colour in series:
        for col, ys in ((1, values), (2, slopes)):
            fig.add_trace(
                go.Scatter(
                    x=curves.p,
                    y=ys,
                    name=name,
                    mode="lines",
                    line={"color": colour},
                    legendgroup=name,
                    showlegend=col == 1,
                    hovertemplate="%{y:.3f}",
                ),
                row=1,
                col=col,
            )
        if marked_p is not None:
            for col, fn in ((1, loss_fn), (2, slope_fn)):
                fig.add_trace(
                    go.Scatter(
                        x=[marked_p],
                        y=[float(fn(curves.target, marked_p))],
                        mode="markers",
                        marker={"color": colour, "size": 10},
                        legendgroup=name,
                        showlegend=False,
                        hovertemplate="%{y:.3f}",
                    ),
                    row=1,
                    col=col,
                )
    all_slopes = np.concatenate([curves.mse_gradient, curves.cross_entropy_gradient])
    low, high = max(float(all_slopes.min()), -10.0), min(float(all_slopes.max()), 10.0)
    fig.update_layout(template=TEMPLATE_NAME, title=labels.title, height=380)
    fig.update_xaxes(title_text=labels.probability, range=[0, 1])
    fig.update_yaxes(title_text=labels.loss, range=[0, 5], row=1, col=1)
    fig.update_yaxes(title_text=labels.slope, range=[low - 0.5, high + 0.5], row=1, col=2)
    return fig


@dataclass(frozen=True)
class DescentLabels:
    """Translated texts of the two gradient-descent charts."""

    contour_title: str
    theta1: str
    theta2: str
    log_loss: str
    path: str
    start: str
    minimum: str
    steps_title: str
    step: str
    loss: str


def descent_contour_figure(
    grid: SurfaceGrid, path: DescentPath, minimum: tuple[float, float], labels: DescentLabels
) -> go.Figure:
    """Contours of ``log10(1 + J)`` with the descent path on top; the view stays on the grid's
    extent, so a diverging path visibly leaves it."""
    fig = go.Figure()
    fig.add_trace(
        go.Contour(
            x=grid.theta1,
            y=grid.theta2,
            z=np.log10(1.0 + grid.loss),
            colorscale="Blues",
            reversescale=True,
            ncontours=24,
            contours={"coloring": "heatmap", "showlines": True},
            line={"width": 0.5},
            colorbar={"title": {"text": labels.log_loss, "side": "right"}},
            hovertemplate=f"{labels.theta1} %{{x:.2f}}<br>{labels.theta2} %{{y:.2f}}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=path.thetas[:, 0],
            y=path.thetas[:, 1],
            mode="lines+markers",
            name=labels.path,
            line={"color": PALETTE[1], "width": 2},
            marker={"size": 5},
            customdata=np.column_stack([np.arange(len(path.losses)), path.losses]),
            hovertemplate=(
                f"{labels.step} %{{customdata[0]}}<br>{labels.theta1} %{{x:.3g}}<br>"
                f"{labels.theta2} %{{y:.3g}}<br>{labels.loss} %{{customdata[1]:.3g}}<extra></extra>"
            ),
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[path.thetas[0, 0]],
            y=[path.thetas[0, 1]],
            mode="markers",
            name=labels.start,
            marker={"color": PALETTE[3], "size": 12, "symbol": "circle-open", "line": {"width": 3}},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[minimum[0]],
            y=[minimum[1]],
            mode="markers",
            name=labels.minimum,
            marker={"color": PALETTE[2], "size": 14, "symbol": "star"},
            hoverinfo="skip",
        )
    )
    fig.update_layout(template=TEMPLATE_NAME, title=labels.contour_title, height=460, hovermode="closest")
    fig.update_xaxes(title_text=labels.theta1, range=[grid.theta1[0], grid.theta1[-1]], showgrid=False)
    fig.update_yaxes(
        title_text=labels.theta2,
        range=[grid.theta2[0], grid.theta2[-1]],
        scaleanchor="x",
        scaleratio=1,
        showgrid=False,
    )
    return fig


def use_log_scale(losses: np.ndarray) -> bool:
    """A log axis when every loss is positive and they span more than two decades.

    >>> use_log_scale(np.array([10.0, 0.01])), use_log_scale(np.array([1.0, 0.0]))
    (True, False)
    """
    if len(losses) == 0 or float(losses.min()) <= 0.0:
        return False
    return float(losses.max() / losses.min()) > 100.0


def loss_by_step_figure(path: DescentPath, labels: DescentLabels) -> go.Figure:
    """The loss J after each step (log axis when it spans decades)."""
    steps = np.arange(len(path.losses))
    fig = go.Figure(
        go.Scatter(
            x=steps,
            y=path.losses,
            mode="lines+markers",
            name=labels.loss,
            line={"color": PALETTE[0]},
            marker={"size": 4},
            hovertemplate="%{y:.4g}",
        )
    )
    fig.update_layout(template=TEMPLATE_NAME, title=labels.steps_title, height=460, showlegend=False)
    fig.update_xaxes(title_text=labels.step, rangemode="tozero")
    fig.update_yaxes(title_text=labels.loss, type="log" if use_log_scale(path.losses) else "linear")
    return fig


@dataclass(frozen=True)
class PassLabels:
    """Translated texts of the forward/backward table and chart."""

    title: str
    layer: str
    kind: str
    output_shape: str
    activations: str
    params: str
    forward: str
    backward: str
    flops_axis: str


def shape_text(shape: tuple[int, ...]) -> str:
    """An output shape without the batch: ``28×28×16``.

    >>> shape_text((28, 28, 16)), shape_text((64,))
    ('28×28×16', '64')
    """
    return "×".join(str(s) for s in shape)


def pass_frame(table: PassTable, labels: PassLabels) -> pd.DataFrame:
    """One row per layer, input to output, with translated column names."""
    return pd.DataFrame(
        {
            labels.layer: [r.name for r in table.rows],
            labels.kind: [r.kind for r in table.rows],
            labels.output_shape: [shape_text(r.output_shape) for r in table.rows],
            labels.activations: [r.activations for r in table.rows],
            labels.params: [r.params for r in table.rows],
            labels.forward: [r.forward_flops for r in table.rows],
            labels.backward: [r.backward_flops for r in table.rows],
        }
    )


def pass_flops_figure(table: PassTable, labels: PassLabels) -> go.Figure:
    """Forward and backward FLOPs per layer that computes anything, as grouped bars."""
    rows = [r for r in table.rows if r.forward_flops > 0]
    names = [r.name for r in rows]
    fig = go.Figure()
    for name, values, colour in (
        (labels.forward, [r.forward_flops for r in rows], PALETTE[0]),
        (labels.backward, [r.backward_flops for r in rows], PALETTE[1]),
    ):
        fig.add_trace(go.Bar(x=names, y=values, name=name, marker_color=colour, hovertemplate="%{y:,}"))
    fig.update_layout(template=TEMPLATE_NAME, title=labels.title, height=360, barmode="group")
    fig.update_xaxes(title_text=labels.layer)
    fig.update_yaxes(title_text=labels.flops_axis)
    return fig


# --- section 1: loss functions -------------------------------------------------------------


def render_loss_functions() -> None:
    """MSE and cross-entropy of one binary example as functions of the predicted probability."""
    st.markdown(t("learn.loss.intro"))
    st.latex(TEX_MSE)
    st.latex(TEX_CE)
    c1, c2 = st.columns(2)
    target = c1.radio(
        t("learn.loss.target"),
        (1, 0),
        format_func=lambda y: t("learn.loss.target_1") if y == 1 else t("learn.loss.target_0"),
        key="learn_target",
        horizontal=True,
    )
    p = c2.select_slider(
        t("learn.loss.p"), PROBABILITIES, value=0.1, format_func=lambda v: f"{v:g}", key="learn_p"
    )
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("learn.loss.mse_at"), f"{float(mse(target, p)):.3f}")
    m2.metric(t("learn.loss.mse_slope_at"), f"{float(mse_gradient(target, p)):.2f}")
    m3.metric(t("learn.loss.ce_at"), f"{float(cross_entropy(target, p)):.3f}")
    m4.metric(t("learn.loss.ce_slope_at"), f"{float(cross_entropy_gradient(target, p)):.2f}")
    labels = LossLabels(
        title=t("learn.loss.chart", target=target),
        probability=t("learn.loss.axis_p"),
        loss=t("learn.loss.axis_loss"),
        slope=t("learn.loss.axis_slope"),
        mse=t("learn.loss.mse"),
        cross_entropy=t("learn.loss.ce"),
    )
    st.plotly_chart(
        loss_figure(loss_curves(target), labels, marked_p=p),
        key="learn_loss_chart",
        config=chart_config("loss-functions"),
    )
    st.markdown(t("learn.loss.takeaway"))
    st.caption(t("learn.loss.clip"))


# --- section 2: gradient descent -----------------------------------------------------------


@st.cache_data(max_entries=4, show_spinner=False)
def _grid(surface_key: str) -> SurfaceGrid:
    return surface_grid(SURFACES[surface_key])


def _behaviour_name(behaviour: Behaviour) -> str:
    return {
        "converges": t("learn.behaviour.converges"),
        "oscillates": t("learn.behaviour.oscillates"),
        "diverges": t("learn.behaviour.diverges"),
    }[behaviour]


def _default_rate(choices: tuple[float, ...], unit: float) -> float:
    """The choice closest to half of ``1/λmax`` (a calm, converging start)."""
    return min(choices, key=lambda r: abs(np.log(r / (0.5 * unit))))


def _descent_inputs(key: str, surface: Surface) -> tuple[float, int, tuple[float, float]]:
    """Learning rate, steps and start point, one widget set per surface."""
    rates = critical_rates(surface)
    choices = rate_choices(surface)
    c1, c2 = st.columns([3, 1])
    rate = c1.select_slider(
        t("learn.gd.rate"),
        choices,
        value=_default_rate(choices, rates.monotone_below),
        format_func=lambda v: f"{v:g}",
        key=f"learn_lr_{key}",
        help=t("learn.gd.rate_help"),
    )
    steps = c2.number_input(
        t("learn.gd.steps"), 1, 500, DEFAULT_STEPS[key], step=10, key=f"learn_steps_{key}"
    )
    (x0, x1), (y0, y1) = surface.extent
    s1, s2 = st.columns(2)
    theta1 = s1.slider(
        t("learn.gd.start1"), float(x0), float(x1), float(surface.start[0]), 0.1, key=f"learn_theta1_{key}"
    )
    theta2 = s2.slider(
        t("learn.gd.start2"), float(y0), float(y1), float(surface.start[1]), 0.1, key=f"learn_theta2_{key}"
    )
    return float(rate), int(steps), (float(theta1), float(theta2))


def _behaviour_message(behaviour: Behaviour, text: str) -> None:
    if behaviour == "converges":
        st.success(text, icon=":material/check_circle:")
    elif behaviour == "oscillates":
        st.warning(text, icon=":material/swap_vert:")
    else:
        st.error(text, icon=":material/trending_up:")


def render_gradient_descent() -> None:
    """Gradient descent on a 2-D surface, with a learning-rate slider and the critical rates."""
    st.markdown(t("learn.gd.intro"))
    st.latex(TEX_UPDATE)
    key = st.radio(
        t("learn.gd.surface"),
        tuple(SURFACES),
        format_func=lambda k: t("learn.gd.surface_bowl") if k == "bowl" else t("learn.gd.surface_valley"),
        key="learn_surface",
        horizontal=True,
    )
    surface = SURFACES[key]
    st.latex(surface_tex(surface))
    rate, steps, start = _descent_inputs(key, surface)
    path = gradient_descent(surface, start, learning_rate=rate, steps=steps)
    rates = critical_rates(surface)
    values = {
        "rate": f"{rate:g}",
        "monotone": f"{rates.monotone_below:.3g}",
        "stable": f"{rates.stable_below:.3g}",
        "lam": f"{rates.lambda_max:.4g}",
        "steps": path.steps_taken,
    }
    seen = classify_path(path)
    if isinstance(surface, QuadraticSurface):
        behaviour = classify_rate(surface, rate)
        texts = {
            "converges": t("learn.gd.converges", **values),
            "oscillates": t("learn.gd.oscillates", **values),
            "diverges": t("learn.gd.diverges", **values),
        }
        _behaviour_message(behaviour, texts[behaviour])
        if rate == rates.stable_below:
            st.caption(t("learn.gd.at_boundary", **values))
        if seen != behaviour:
            st.caption(t("learn.gd.path_differs", seen=_behaviour_name(seen)))
        st.caption(t("learn.gd.rates_bowl", **values))
        st.latex(TEX_FACTOR)
    else:
        texts = {
            "converges": t("learn.gd.path_converges", **values),
            "oscillates": t("learn.gd.path_oscillates", **values),
            "diverges": t("learn.gd.path_diverges", **values),
        }
        _behaviour_message(seen, texts[seen])
        st.caption(t("learn.gd.rates_valley", **values))
    m1, m2, m3 = st.columns(3)
    m1.metric(t("learn.gd.steps_taken"), fmt.fmt_int(path.steps_taken))
    m2.metric(t("learn.gd.final_loss"), f"{float(path.losses[-1]):.3g}")
    distance = float(np.linalg.norm(path.thetas[-1] - np.asarray(surface.minimum)))
    m3.metric(t("learn.gd.distance"), f"{distance:.3g}")
    labels = DescentLabels(
        contour_title=t("learn.gd.contour_title"),
        theta1=t("learn.gd.theta1"),
        theta2=t("learn.gd.theta2"),
        log_loss=t("learn.gd.log_loss"),
        path=t("learn.gd.path"),
        start=t("learn.gd.start"),
        minimum=t("learn.gd.minimum"),
        steps_title=t("learn.gd.steps_title"),
        step=t("learn.gd.step"),
        loss=t("learn.gd.loss"),
    )
    c1, c2 = st.columns([3, 2])
    c1.plotly_chart(
        descent_contour_figure(_grid(key), path, surface.minimum, labels),
        key="learn_contour",
        config=chart_config("gradient-descent-path"),
    )
    c2.plotly_chart(
        loss_by_step_figure(path, labels), key="learn_loss_steps", config=chart_config("loss-by-step")
    )
    st.markdown(t("learn.gd.takeaway"))


# --- section 3: forward and backward pass --------------------------------------------------


def _article_n_train() -> int:
    """Training samples of MNIST-5k under the default split (500 images per class)."""
    info = BUILTIN[FALLBACK_DATASET]
    labels = np.repeat(np.arange(info.n_classes), info.n_samples // info.n_classes)
    request = TrainRequest()
    split = stratified_split(
        labels, val_fraction=request.val_fraction, test_fraction=request.test_fraction, seed=0
    )
    return len(split.train)


@dataclass(frozen=True)
class NetworkSource:
    """The network the forward/backward section explains, and a sentence saying whose it is.

    ``n_train`` is the number of training samples (0 when unknown).
    """

    spec: ModelSpec
    input_shape: tuple[int, ...]
    n_classes: int
    n_train: int
    note: str


def _network_source() -> NetworkSource:
    """The chosen finished run's network, else the article MLP on MNIST-5k (and say so)."""
    store = store_or_error()
    runs = []
    if store is not None:
        with store_guard():
            runs = finished_runs(store)
    run = pick_run(key="learn_run") if runs else None
    if run is not None and run.input_shape and run.class_names:
        note = t("learn.net.from_run", name=for_markdown(run.name), dataset=for_markdown(run.dataset))
        return NetworkSource(
            run.request.spec, tuple(run.input_shape), len(run.class_names), run.n_train or 0, note
        )
    info = BUILTIN[FALLBACK_DATASET]
    st.info(t("learn.net.no_run"), icon=":material/info:")
    st.page_link(page_file("train"), label=t("overview.go_train"), icon=":material/arrow_forward:")
    return NetworkSource(
        preset_spec("article-mlp"),
        info.input_shape,
        info.n_classes,
        _article_n_train(),
        t("learn.net.article"),
    )


def render_network() -> None:
    """Forward and backward pass on the run's own network: shapes, parameters, FLOPs per layer."""
    st.markdown(t("learn.net.intro"))
    source = _network_source()
    st.markdown(source.note)
    table = pass_table(source.spec, source.input_shape, source.n_classes)
    st.latex(TEX_FORWARD)
    st.markdown(t("learn.net.forward", input=shape_text(source.input_shape), classes=source.n_classes))
    st.latex(TEX_BACKWARD)
    st.markdown(t("learn.net.backward"))
    labels = PassLabels(
        title=t("learn.net.chart"),
        layer=t("learn.net.col_layer"),
        kind=t("learn.net.col_kind"),
        output_shape=t("learn.net.col_shape"),
        activations=t("learn.net.col_values"),
        params=t("learn.net.col_params"),
        forward=t("learn.net.col_forward"),
        backward=t("learn.net.col_backward"),
        flops_axis=t("learn.net.flops_axis"),
    )
    cc = st.column_config
    st.dataframe(
        pass_frame(table, labels),
        hide_index=True,
        width="stretch",
        key="learn_pass_table",
        column_config={
            labels.activations: cc.NumberColumn(labels.activations, format="localized"),
            labels.params: cc.NumberColumn(labels.params, format="localized"),
            labels.forward: cc.NumberColumn(labels.forward, format="localized"),
            labels.backward: cc.NumberColumn(labels.backward, format="localized"),
        },
    )
    st.caption(t("learn.net.table_note"))
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric(t("learn.net.params"), fmt.fmt_int(table.params))
    m2.metric(t("learn.net.forward_total"), fmt.fmt_flops(table.forward_flops))
    m3.metric(t("learn.net.backward_total"), fmt.fmt_flops(table.backward_flops))
    m4.metric(t("learn.net.training_total"), fmt.fmt_flops(table.training_flops_per_sample))
    epoch = table.epoch_flops(source.n_train) if source.n_train else None
    m5.metric(
        t("learn.net.epoch_total"),
        fmt.fmt_flops(epoch),
        help=t("learn.net.epoch_help", n=f"{source.n_train:,}"),
    )
    st.plotly_chart(
        pass_flops_figure(table, labels), key="learn_pass_chart", config=chart_config("flops-per-pass")
    )
    st.markdown(t("learn.net.takeaway"))
