"""Where a run errs: the Evaluate page's figures (pure) and its sections (Streamlit).

The analysis reads a run's test-set evaluation file (:mod:`mlcore.evaluation`): confusion
heatmap, per-class precision / recall / F1 / support with macro and weighted averages, the
misclassified test samples (most confident errors first) and one-vs-rest precision-recall
curves. The metrics calculator works from four typed counts and needs no run.

Figure builders take translated labels from the caller and never touch Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from mlcore.evaluation import Evaluation, load_evaluation
from mlcore.metrics import BinaryMetrics, ClassReport, MetricsError, average_precision, binary_metrics
from mlcore.metrics import class_report as compute_class_report
from mlcore.metrics import precision_recall_curve as compute_pr_curve
from mlcore.specs import RunRecord
from safetext import for_chart, for_markdown
from ui import format as fmt
from ui.figures import TEMPLATE_NAME, chart_config
from ui.i18n import t
from ui.summary import short_id
from ui.tables import plain_table
from ui.theme import PALETTE
from ui.widgets import Provenance, metric

#: The seed article's worked example (section 4.4): the calculator opens on it.
ARTICLE_COUNTS: dict[str, int] = {"tp": 40, "fp": 10, "tn": 35, "fn": 5}
COUNT_NAMES: tuple[str, ...] = ("tp", "fp", "tn", "fn")
#: Misclassified samples shown at first, and the side of a gallery image in pixels.
GALLERY_DEFAULT = 24
IMAGE_PX = 140


# ---------------------------------------------------------------- pure: data and figures


@dataclass(frozen=True)
class ConfusionLabels:
    """Translated texts of the confusion heatmap; ``hover`` may use ``{true}``, ``{predicted}``,
    ``{count}`` and ``{share}`` (plotly placeholders are filled in by the builder)."""

    title: str
    true_class: str
    predicted_class: str
    share: str
    hover: str


@dataclass(frozen=True)
class PRLabels:
    """Translated texts of the precision-recall chart; ``legend`` uses ``{name}`` and ``{ap}``."""

    title: str
    recall: str
    precision: str
    legend: str


@dataclass(frozen=True, eq=False)
class PRCurve:
    """One class against the rest: the curve's points and its average precision."""

    class_name: str
    precision: np.ndarray
    recall: np.ndarray
    average_precision: float


@dataclass(frozen=True, eq=False)
class Analysis:
    """What the Evaluate page shows for one evaluation file."""

    evaluation: Evaluation
    report: ClassReport
    curves: tuple[PRCurve, ...]


def row_shares(confusion: np.ndarray) -> np.ndarray:
    """Each row divided by its sum (the share of a true class predicted as each class);
    a row without samples stays 0.

    >>> row_shares(np.array([[3, 1], [0, 0]])).tolist()
    [[0.75, 0.25], [0.0, 0.0]]
    """
    counts = np.asarray(confusion, dtype=np.float64)
    totals = counts.sum(axis=1, keepdims=True)
    out = np.zeros_like(counts)
    np.divide(counts, totals, out=out, where=totals > 0)
    return out


def pr_curves(y_true: np.ndarray, probs: np.ndarray, class_names: Sequence[str]) -> tuple[PRCurve, ...]:
    """One-vs-rest precision-recall curve of every class that has test samples.

    >>> curves = pr_curves(np.array([0, 1, 1]), np.array([[.9, .1], [.4, .6], [.2, .8]]), ("a", "b"))
    >>> [(c.class_name, c.average_precision) for c in curves]
    [('a', 1.0), ('b', 1.0)]
    """
    curves = []
    for k, name in enumerate(class_names):
        positives = np.asarray(y_true) == k
        if not positives.any():
            continue
        precision, recall, _ = compute_pr_curve(positives, probs[:, k])
        curves.append(PRCurve(name, precision, recall, average_precision(positives, probs[:, k])))
    return tuple(curves)


def analyse(ev: Evaluation) -> Analysis:
    """The report and curves of an evaluation."""
    return Analysis(
        evaluation=ev,
        report=compute_class_report(ev.y_true, ev.y_pred, ev.class_names),
        curves=pr_curves(ev.y_true, ev.probs, ev.class_names),
    )


def confusion_figure(
    confusion: Sequence[Sequence[int]], class_names: Sequence[str], labels: ConfusionLabels
) -> go.Figure:
    """Heatmap of counts (true classes down, predicted across), coloured by the share of each
    true class, so small classes read as clearly as large ones."""
    counts = np.asarray(confusion, dtype=np.int64)
    names = [for_chart(n) for n in class_names]
    hover = labels.hover.format(true="%{y}", predicted="%{x}", count="%{customdata}", share="%{z:.1%}")
    fig = go.Figure(
        go.Heatmap(
            z=row_shares(counts),
            x=names,
            y=names,
            customdata=counts,
            text=counts,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0.0,
            zmax=1.0,
            colorbar={"title": {"text": labels.share}, "tickformat": ".0%"},
            hovertemplate=hover + "<extra></extra>",
        )
    )
    side = max(360, 36 * len(names) + 160)
    fig.update_layout(template=TEMPLATE_NAME, title=labels.title, height=side, hovermode="closest")
    fig.update_xaxes(title_text=labels.predicted_class, type="category", side="bottom", showgrid=False)
    fig.update_yaxes(title_text=labels.true_class, type="category", autorange="reversed", showgrid=False)
    return fig


def pr_figure(curves: Sequence[PRCurve], labels: PRLabels) -> go.Figure:
    """Precision against recall per class (steps, as the curve is defined), AP in the legend."""
    fig = go.Figure()
    for i, curve in enumerate(curves):
        fig.add_trace(
            go.Scatter(
                x=curve.recall,
                y=curve.precision,
                mode="lines",
                line={
                    "shape": "hv",
                    "color": PALETTE[i % len(PALETTE)],
                    "dash": "solid" if i < len(PALETTE) else "dash",  # colours repeat past 8 classes
                },
                name=labels.legend.format(
                    name=for_chart(curve.class_name), ap=f"{curve.average_precision:.3f}"
                ),
                hovertemplate="%{x:.3f} → %{y:.3f}",
            )
        )
    fig.update_layout(template=TEMPLATE_NAME, title=labels.title, height=460, hovermode="closest")
    fig.update_xaxes(title_text=labels.recall, range=[0, 1.02], tickformat=".0%")
    fig.update_yaxes(title_text=labels.precision, range=[0, 1.02], tickformat=".0%")
    return fig


def misclassified(ev: Evaluation) -> np.ndarray:
    """Indices into ``ev.kept`` of the kept misclassified samples, most confident first.

    >>> from mlcore.evaluation import build_evaluation
    >>> ev = build_evaluation("r", ("a", "b"), np.array([0, 1, 1]),
    ...     np.array([[.6, .4], [.9, .1], [.3, .7]]), np.zeros((3, 1)), pixel_max=None, keep_first=3)
    >>> misclassified(ev).tolist()
    [1]
    """
    wrong = np.flatnonzero(ev.y_pred[ev.kept] != ev.y_true[ev.kept])
    return wrong[np.argsort(-ev.confidence[ev.kept[wrong]], kind="stable")]


def to_image(
    row: np.ndarray, shape: Sequence[int], pixel_max: float, *, px: int = IMAGE_PX
) -> np.ndarray | None:
    """A kept feature row as a uint8 picture (0–255), enlarged by whole pixels to about ``px``;
    None when the row does not fit ``shape`` as a grey or RGB image.

    >>> to_image(np.array([0.0, 8, 16, 4]), (2, 2), 16.0, px=4).tolist()
    [[0, 0, 128, 128], [0, 0, 128, 128], [255, 255, 64, 64], [255, 255, 64, 64]]
    """
    dims = tuple(int(s) for s in shape)
    if len(dims) == 3 and dims[2] == 1:
        dims = dims[:2]
    valid = len(dims) == 2 or (len(dims) == 3 and dims[2] == 3)
    if not valid or int(np.prod(dims)) != row.size or pixel_max <= 0:
        return None
    scaled = np.clip(np.asarray(row, dtype=np.float64).reshape(dims) / pixel_max * 255.0, 0, 255)
    image = np.rint(scaled).astype(np.uint8)
    factor = max(1, px // max(dims[0], dims[1]))
    return image.repeat(factor, axis=0).repeat(factor, axis=1)


def class_frame(report: ClassReport, *, macro_label: str, weighted_label: str) -> pd.DataFrame:
    """Per-class rows, then the macro and weighted averages; scores in percent (0–100).

    Columns: ``class``, ``precision``, ``recall``, ``f1``, ``support`` and ``confused_with``
    (the class a true class is most often mistaken for, with the count).

    >>> from mlcore.metrics import class_report
    >>> frame = class_frame(class_report(np.array([0, 0, 1]), np.array([0, 1, 1]), ("a", "b")),
    ...     macro_label="macro", weighted_label="weighted")
    >>> frame[["class", "f1", "support", "confused_with"]].round(1).values.tolist()
    [['a', 66.7, 2, 'b (1)'], ['b', 66.7, 1, '–'], ['macro', 66.7, 3, ''], ['weighted', 66.7, 3, '']]
    """
    cm = np.asarray(report.confusion, dtype=np.int64).reshape(len(report.class_names), -1)
    rows = []
    for i, name in enumerate(report.class_names):
        off = cm[i].copy()
        off[i] = 0
        j = int(off.argmax())
        confused = f"{report.class_names[j]} ({off[j]})" if off[j] > 0 else fmt.MISSING
        rows.append((name, report.precision[i], report.recall[i], report.f1[i], report.support[i], confused))
    for label, avg in ((macro_label, report.macro), (weighted_label, report.weighted)):
        rows.append((label, avg.precision, avg.recall, avg.f1, report.n_samples, ""))
    frame = pd.DataFrame(rows, columns=["class", "precision", "recall", "f1", "support", "confused_with"])
    for col in ("precision", "recall", "f1"):
        frame[col] = frame[col] * 100.0
    return frame


# ---------------------------------------------------------------- Streamlit sections


@st.cache_data(max_entries=8, show_spinner=False)
def _analysis_of(path: str, mtime_ns: int, size: int) -> Analysis:
    return analyse(load_evaluation(Path(path), run_id=_run_of(Path(path))))


def _run_of(path: Path) -> str:
    """The run id an evaluation file is named after (``<run id>.eval.npz``)."""
    return path.name.removesuffix(".eval.npz")


def load_analysis(path: Path) -> Analysis:
    """The analysis of the evaluation file at ``path``, cached while the file is unchanged.

    Raises :class:`mlcore.evaluation.EvaluationError` when the file is missing or damaged.
    """
    if not path.is_file():
        return analyse(load_evaluation(path, run_id=_run_of(path)))  # raises with the reason
    stat = path.stat()
    return _analysis_of(str(path), stat.st_mtime_ns, stat.st_size)


def render_headline(run: RunRecord, report: ClassReport) -> None:
    """Accuracy, macro and weighted F1 and the error count, measured on this run's test split."""
    prov = Provenance("measured", short_id(run.id))
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        metric(t("m.test_accuracy"), fmt.fmt_pct(report.accuracy), prov)
    with c2:
        metric(t("evaluate.f1_macro"), fmt.fmt_score(report.macro.f1), prov, help=t("evaluate.help.macro"))
    with c3:
        metric(
            t("evaluate.f1_weighted"),
            fmt.fmt_score(report.weighted.f1),
            prov,
            help=t("evaluate.help.weighted"),
        )
    with c4:
        metric(
            t("evaluate.errors"),
            t(
                "evaluate.errors_value",
                errors=fmt.fmt_int(report.n_errors),
                total=fmt.fmt_int(report.n_samples),
            ),
            prov,
        )


def render_class_table(report: ClassReport) -> None:
    """Per-class precision / recall / F1 / support with the two averages below."""
    frame = class_frame(
        report, macro_label=t("evaluate.macro_avg"), weighted_label=t("evaluate.weighted_avg")
    )
    pct = "%.1f %%"
    st.dataframe(
        plain_table(frame),
        hide_index=True,
        column_config={
            "class": st.column_config.TextColumn(t("evaluate.col.class")),
            "precision": st.column_config.NumberColumn(t("evaluate.col.precision"), format=pct),
            "recall": st.column_config.NumberColumn(t("evaluate.col.recall"), format=pct),
            "f1": st.column_config.NumberColumn(t("evaluate.col.f1"), format=pct),
            "support": st.column_config.NumberColumn(
                t("evaluate.col.support"), help=t("evaluate.help.support")
            ),
            "confused_with": st.column_config.TextColumn(t("evaluate.col.confused_with")),
        },
    )


def _gallery_count(n_errors: int) -> int:
    # Another run may have fewer errors than the count kept from the last one: clamp it.
    shown = st.session_state.get("gallery_count", GALLERY_DEFAULT)
    st.session_state["gallery_count"] = max(1, min(int(shown), n_errors))
    return int(
        st.number_input(
            t("evaluate.gallery_count"), min_value=1, max_value=n_errors, step=1, key="gallery_count"
        )
    )


def render_errors(run: RunRecord, ev: Evaluation, report: ClassReport) -> None:
    """The misclassified test samples: pictures for image data, feature rows for tables."""
    wrong = misclassified(ev)
    if not len(wrong):
        st.success(t("evaluate.no_errors"), icon=":material/check_circle:")
        return
    note = t("evaluate.errors_order")
    if len(wrong) < report.n_errors:
        note += " " + t(
            "evaluate.errors_kept", kept=fmt.fmt_int(len(wrong)), total=fmt.fmt_int(report.n_errors)
        )
    st.caption(note)
    n = _gallery_count(len(wrong))
    shown = wrong[:n]
    positions = ev.kept[shown]
    names = ev.class_names
    if ev.is_image:
        shape = run.input_shape or ev.x_kept.shape[1:]
        images = [to_image(ev.x_kept[i], shape, float(ev.pixel_max or 0)) for i in shown]
        if all(img is not None for img in images):
            captions = [
                t(
                    "evaluate.gallery_caption",
                    true=for_markdown(names[ev.y_true[p]]),
                    predicted=for_markdown(names[ev.y_pred[p]]),
                    confidence=fmt.fmt_pct(float(ev.confidence[p]), decimals=0).replace(" ", "\u00a0"),
                )
                for p in positions
            ]
            st.image(images, caption=captions, width=IMAGE_PX)
            return
        st.caption(t("evaluate.no_pictures"))
    features = ev.x_kept[shown].reshape(len(shown), -1)
    if len(ev.feature_names) == features.shape[1]:
        feature_names = list(ev.feature_names)
    else:
        feature_names = [f"x{j}" for j in range(features.shape[1])]
    meta = {
        "__sample": positions,
        "__true": [names[ev.y_true[p]] for p in positions],
        "__predicted": [names[ev.y_pred[p]] for p in positions],
        "__confidence": ev.confidence[positions] * 100.0,
    }
    frame = pd.concat([pd.DataFrame(meta), pd.DataFrame(features, columns=feature_names)], axis=1)
    st.dataframe(
        plain_table(frame),
        hide_index=True,
        column_config={
            "__sample": st.column_config.NumberColumn(
                t("evaluate.col.sample"), help=t("evaluate.help.sample")
            ),
            "__true": st.column_config.TextColumn(t("evaluate.col.true")),
            "__predicted": st.column_config.TextColumn(t("evaluate.col.predicted")),
            "__confidence": st.column_config.NumberColumn(t("evaluate.col.confidence"), format="%.0f %%"),
        },
    )


def render_analysis(run: RunRecord, analysis: Analysis) -> None:
    """Every section of the error analysis of one run."""
    ev, report = analysis.evaluation, analysis.report
    render_headline(run, report)
    left, right = st.columns([3, 2])
    with left:
        labels = ConfusionLabels(
            title=t("evaluate.confusion_title"),
            true_class=t("evaluate.true_class"),
            predicted_class=t("evaluate.predicted_class"),
            share=t("evaluate.share_of_true"),
            hover=t("evaluate.confusion_hover"),
        )
        st.plotly_chart(
            confusion_figure(report.confusion, ev.class_names, labels),
            key="confusion",
            config=chart_config(f"confusion-matrix-{run.id[-6:]}"),
        )
    with right:
        st.markdown(f"**{t('evaluate.per_class')}**")
        render_class_table(report)
    st.subheader(t("evaluate.errors_title"))
    render_errors(run, ev, report)
    st.subheader(t("evaluate.pr_title"))
    st.caption(t("evaluate.pr_lead"))
    pr_labels = PRLabels(
        title=t("evaluate.pr_chart"),
        recall=t("evaluate.col.recall"),
        precision=t("evaluate.col.precision"),
        legend=t("evaluate.pr_legend"),
    )
    st.plotly_chart(
        pr_figure(analysis.curves, pr_labels),
        key="pr_curves",
        config=chart_config(f"precision-recall-{run.id[-6:]}"),
    )


# ---------------------------------------------------------------- the metrics calculator

#: Per score: its definition in counts (P and R stand for precision and recall).
_FORMULAS: dict[str, str] = {
    "accuracy": r"\frac{\mathrm{TP} + \mathrm{TN}}{\mathrm{TP} + \mathrm{TN} + \mathrm{FP} + \mathrm{FN}}",
    "precision": r"\frac{\mathrm{TP}}{\mathrm{TP} + \mathrm{FP}}",
    "recall": r"\frac{\mathrm{TP}}{\mathrm{TP} + \mathrm{FN}}",
    "specificity": r"\frac{\mathrm{TN}}{\mathrm{TN} + \mathrm{FP}}",
    "f1": r"\frac{2 \cdot P \cdot R}{P + R} = "
    r"\frac{2\,\mathrm{TP}}{2\,\mathrm{TP} + \mathrm{FP} + \mathrm{FN}}",
}
_SYMBOLS: dict[str, str] = {
    "accuracy": r"\mathrm{Acc}",
    "precision": "P",
    "recall": "R",
    "specificity": r"\mathrm{Spec}",
    "f1": "F_1",
}


def filled_formula(name: str, m: BinaryMetrics) -> str:
    r"""LaTeX of score ``name``: symbols, the counts put in, the fraction and its value.

    >>> filled_formula("precision", binary_metrics(40, 10, 35, 5))
    'P = \\frac{\\mathrm{TP}}{\\mathrm{TP} + \\mathrm{FP}} = \\frac{40}{40 + 10} = \\frac{40}{50} = 0.800'
    >>> filled_formula("recall", binary_metrics(0, 3, 2, 0))
    'R = \\frac{\\mathrm{TP}}{\\mathrm{TP} + \\mathrm{FN}} = \\frac{0}{0 + 0} = \\frac{0}{0}'
    """
    tp, fp, tn, fn = m.tp, m.fp, m.tn, m.fn
    parts = {
        "accuracy": (f"{tp} + {tn}", f"{tp} + {tn} + {fp} + {fn}", tp + tn, tp + tn + fp + fn),
        "precision": (f"{tp}", f"{tp} + {fp}", tp, tp + fp),
        "recall": (f"{tp}", f"{tp} + {fn}", tp, tp + fn),
        "specificity": (f"{tn}", f"{tn} + {fp}", tn, tn + fp),
        "f1": (rf"2 \cdot {tp}", rf"2 \cdot {tp} + {fp} + {fn}", 2 * tp, 2 * tp + fp + fn),
    }
    num_text, den_text, num, den = parts[name]
    latex = (
        rf"{_SYMBOLS[name]} = {_FORMULAS[name]} = \frac{{{num_text}}}{{{den_text}}} = \frac{{{num}}}{{{den}}}"
    )
    value = getattr(m, name)
    return latex if value is None else f"{latex} = {value:.3f}"


def _reset_calculator() -> None:
    for name, value in ARTICLE_COUNTS.items():
        st.session_state[f"calc_{name}"] = value


@st.fragment
def render_calculator() -> None:
    """Four counts in, five scores out with their formulas; the seed article's example first."""
    for name, value in ARTICLE_COUNTS.items():
        st.session_state.setdefault(f"calc_{name}", value)
    st.markdown(t("evaluate.calc.lead"))
    cols = st.columns(4)
    counts: dict[str, int] = {}
    for col, name in zip(cols, COUNT_NAMES, strict=True):
        with col:
            counts[name] = st.number_input(
                t(f"evaluate.calc.{name}"),
                min_value=0,
                step=1,
                key=f"calc_{name}",
                help=t(f"evaluate.calc.{name}_help"),
            )
    st.button(
        t("evaluate.calc.reset"), key="calc_reset", on_click=_reset_calculator, icon=":material/restart_alt:"
    )
    try:
        m = binary_metrics(**counts)
    except MetricsError as exc:
        st.error(t("evaluate.calc.invalid", reason=for_markdown(str(exc))))
        return
    if counts == ARTICLE_COUNTS:
        st.info(
            t(
                "evaluate.calc.article_note",
                correct=m.tp + m.tn,
                total=m.total,
                accuracy=fmt.fmt_score(m.accuracy),
                positives=m.tp + m.fn,
                tp=m.tp,
                recall=fmt.fmt_score(m.recall),
                f1=fmt.fmt_score(m.f1),
                negatives=m.tn + m.fp,
            ),
            icon=":material/menu_book:",
        )
    for name in ("accuracy", "precision", "recall", "specificity", "f1"):
        value = getattr(m, name)
        left, right = st.columns([1, 3], vertical_alignment="center")
        with left:
            shown = fmt.fmt_score(value) if value is not None else t("evaluate.calc.undefined_value")
            st.metric(t(f"evaluate.calc.{name}"), shown)
        with right:
            st.latex(filled_formula(name, m))
            reason = m.reason(name)
            if reason is not None:
                st.caption(t("evaluate.calc.undefined", reason=t(f"evaluate.reason.{reason}")))
