"""Where a model errs, as data and figures: confusion shares, precision-recall curves, the
misclassified samples, the per-class table. No Streamlit: the Evaluate page and tests use it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mlcore.evaluation import Evaluation
from mlcore.metrics import ClassReport, average_precision
from mlcore.metrics import class_report as compute_class_report
from mlcore.metrics import precision_recall_curve as compute_pr_curve
from present import format as fmt
from present.figures import TEMPLATE_NAME
from present.theme import PALETTE
from safetext import for_chart

#: The side of a gallery image of a misclassified sample, in CSS pixels.
IMAGE_PX = 140


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
