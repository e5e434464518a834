"""Where a run errs: the Evaluate page's figures (pure) and its sections (Streamlit).

The analysis reads a run's test-set evaluation file (:mod:`mlcore.evaluation`): confusion
heatmap, per-class precision / recall / F1 / support with macro and weighted averages, the
misclassified test samples (most confident errors first) and one-vs-rest precision-recall
curves. The metrics calculator works from four typed counts and needs no run.

Figure builders take translated labels from the caller and never touch Streamlit.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mlcore.evaluation import Evaluation
from mlcore.metrics import BinaryMetrics, ClassReport, MetricsError, binary_metrics
from mlcore.specs import RunRecord
from present import format as fmt
from present.evaluation import (
    IMAGE_PX,
    Analysis,
    ConfusionLabels,
    PRLabels,
    class_frame,
    confusion_figure,
    misclassified,
    pr_figure,
    to_image,
)
from present.figures import chart_config
from present.summary import short_id
from present.tables import plain_table
from safetext import for_markdown
from ui.components.widgets import Provenance, metric
from ui.session.i18n import t

#: The seed article's worked example (section 4.4): the calculator opens on it.
ARTICLE_COUNTS: dict[str, int] = {"tp": 40, "fp": 10, "tn": 35, "fn": 5}
COUNT_NAMES: tuple[str, ...] = ("tp", "fp", "tn", "fn")
#: Misclassified samples shown at first, and the side of a gallery image in pixels.
GALLERY_DEFAULT = 24


# ---------------------------------------------------------------- pure: data and figures


# ---------------------------------------------------------------- Streamlit sections


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
