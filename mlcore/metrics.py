"""Classification metrics from integer labels, computed by :mod:`sklearn.metrics`.

Conventions are scikit-learn's, since it computes them: ``confusion[i, j]`` counts samples of
true class ``i`` predicted as ``j``; macro averages weigh every class equally, weighted averages
weigh each class by its support; a class with no predicted samples has precision 0
(``zero_division=0``), likewise recall and F1. All scores are fractions 0–1.

What this module adds to scikit-learn: classes are always ``0…n_classes−1`` (absent classes
included, scoring 0), labels outside that range are refused instead of widening the matrix,
empty inputs score 0 rather than raising, results are plain Python numbers in frozen
dataclasses (they go into JSON), and binary scores from four counts name why a score is
undefined (:func:`binary_metrics`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm


@dataclass(frozen=True)
class ClassificationScores:
    """Accuracy, per-class and macro precision / recall / F1, and the confusion matrix."""

    accuracy: float
    precision_macro: float
    recall_macro: float
    f1_macro: float
    precision: tuple[float, ...]
    recall: tuple[float, ...]
    f1: tuple[float, ...]
    support: tuple[int, ...]
    confusion: tuple[tuple[int, ...], ...]


def _labels(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Both label arrays as int64, refused unless they have one length and lie in ``0…n_classes−1``."""
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError("y_true and y_pred must have the same length")
    for labels in (y_true, y_pred):
        # scikit-learn would drop labels outside ``labels=`` silently: refuse them instead.
        if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(f"labels must be in 0…{n_classes - 1}")
    return y_true, y_pred


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (true, predicted) pairs, shape (n_classes, n_classes), int64 (all 0 without samples).

    >>> confusion_matrix(np.array([0, 1, 1]), np.array([0, 0, 1]), 2).tolist()
    [[1, 0], [1, 1]]
    """
    y_true, y_pred = _labels(y_true, y_pred, n_classes)
    if not y_true.size:
        return np.zeros((n_classes, n_classes), dtype=np.int64)
    with warnings.catch_warnings():
        # "A single label was found": the labels are passed, so the shape is right already.
        warnings.simplefilter("ignore", UserWarning)
        matrix = skm.confusion_matrix(y_true, y_pred, labels=np.arange(n_classes))
    return matrix.astype(np.int64, copy=False)


def scores(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> ClassificationScores:
    """Accuracy and per-class and macro precision / recall / F1 from labels (0 without samples).

    >>> s = scores(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 2)
    >>> round(s.accuracy, 2), round(s.precision_macro, 3), round(s.recall_macro, 2)
    (0.75, 0.833, 0.75)
    """
    cm = confusion_matrix(y_true, y_pred, n_classes)
    y_true, y_pred = _labels(y_true, y_pred, n_classes)
    if y_true.size:
        precision, recall, f1, _ = skm.precision_recall_fscore_support(
            y_true, y_pred, labels=np.arange(n_classes), average=None, zero_division=0
        )
        accuracy = float(skm.accuracy_score(y_true, y_pred))
    else:
        precision = recall = f1 = np.zeros(n_classes)
        accuracy = 0.0
    return ClassificationScores(
        accuracy=accuracy,
        precision_macro=float(np.mean(precision)),
        recall_macro=float(np.mean(recall)),
        f1_macro=float(np.mean(f1)),
        precision=tuple(float(v) for v in precision),
        recall=tuple(float(v) for v in recall),
        f1=tuple(float(v) for v in f1),
        support=tuple(int(v) for v in cm.sum(axis=1)),
        confusion=tuple(tuple(int(v) for v in row) for row in cm),
    )


class MetricsError(ValueError):
    """Inputs to a metric are invalid; the message says what to change."""


#: Why a binary score is undefined, by reason code: the zero denominator, in words.
UNDEFINED_REASONS: dict[str, str] = {
    "no_samples": "no samples: TP + TN + FP + FN = 0",
    "no_positive_predictions": "no positive predictions: TP + FP = 0",
    "no_actual_positives": "no actual positives: TP + FN = 0",
    "no_actual_negatives": "no actual negatives: TN + FP = 0",
    "no_positives_at_all": "no positive predictions and no actual positives: 2·TP + FP + FN = 0",
}


@dataclass(frozen=True)
class BinaryMetrics:
    """Scores of a binary classifier from its four counts.

    A score is ``None`` when its denominator is zero; :attr:`undefined` then maps the score's
    name to a reason code of :data:`UNDEFINED_REASONS` (see :meth:`reason`). F1 is the harmonic
    mean of precision and recall written on counts, ``2·TP / (2·TP + FP + FN)``, so it is 0
    (not undefined) when one of precision and recall is undefined and the other is 0.
    """

    tp: int
    fp: int
    tn: int
    fn: int
    accuracy: float | None
    precision: float | None
    recall: float | None
    specificity: float | None
    f1: float | None
    undefined: tuple[tuple[str, str], ...] = ()

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    def reason(self, name: str) -> str | None:
        """The reason code why score ``name`` is undefined, or None when it is defined."""
        return dict(self.undefined).get(name)


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise MetricsError(f"{name} must be a whole number of samples (0, 1, 2, …), got {value!r}")
    if value < 0:
        raise MetricsError(f"{name} must be 0 or more, got {value}")
    return int(value)


def binary_metrics(tp: int, fp: int, tn: int, fn: int) -> BinaryMetrics:
    """Accuracy, precision, recall, specificity and F1 from true/false positives/negatives.

    Parameters
    ----------
    tp, fp, tn, fn
        Counts of true positives, false positives, true negatives and false negatives.

    Returns
    -------
    BinaryMetrics
        Each score a fraction 0–1, or ``None`` with a reason when its denominator is zero.

    Raises
    ------
    MetricsError
        When a count is negative or not a whole number.

    >>> m = binary_metrics(tp=40, fp=10, tn=35, fn=5)
    >>> round(m.accuracy, 3), round(m.precision, 3), round(m.recall, 3), round(m.f1, 3)
    (0.833, 0.8, 0.889, 0.842)
    >>> m = binary_metrics(tp=0, fp=0, tn=7, fn=3)
    >>> m.precision is None, m.reason("precision"), m.f1
    (True, 'no_positive_predictions', 0.0)
    """
    tp, fp, tn, fn = (_count(n, v) for n, v in (("TP", tp), ("FP", fp), ("TN", tn), ("FN", fn)))
    undefined: list[tuple[str, str]] = []

    def ratio(name: str, num: int, den: int, reason: str) -> float | None:
        if den == 0:
            undefined.append((name, reason))
            return None
        return num / den

    return BinaryMetrics(
        tp=tp,
        fp=fp,
        tn=tn,
        fn=fn,
        accuracy=ratio("accuracy", tp + tn, tp + tn + fp + fn, "no_samples"),
        precision=ratio("precision", tp, tp + fp, "no_positive_predictions"),
        recall=ratio("recall", tp, tp + fn, "no_actual_positives"),
        specificity=ratio("specificity", tn, tn + fp, "no_actual_negatives"),
        f1=ratio("f1", 2 * tp, 2 * tp + fp + fn, "no_positives_at_all"),
        undefined=tuple(undefined),
    )


@dataclass(frozen=True)
class Averages:
    """Precision, recall and F1 averaged over classes (fractions 0–1)."""

    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class ClassReport:
    """Per-class precision / recall / F1 / support with macro and support-weighted averages.

    Per-class conventions are those of :func:`scores` (a class without predicted or without
    true samples scores 0). ``macro`` weighs every class equally; ``weighted`` weighs each
    class by its support (number of true samples), as scikit-learn's ``average="weighted"``.
    """

    class_names: tuple[str, ...]
    accuracy: float
    precision: tuple[float, ...]
    recall: tuple[float, ...]
    f1: tuple[float, ...]
    support: tuple[int, ...]
    macro: Averages
    weighted: Averages
    confusion: tuple[tuple[int, ...], ...]

    @property
    def n_samples(self) -> int:
        return sum(self.support)

    @property
    def n_errors(self) -> int:
        return self.n_samples - sum(self.confusion[i][i] for i in range(len(self.class_names)))


def _weighted(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> Averages:
    """scikit-learn's support-weighted averages (``average="weighted"``); 0 without samples."""
    y_true, y_pred = _labels(y_true, y_pred, n_classes)
    if not y_true.size:
        return Averages(0.0, 0.0, 0.0)
    precision, recall, f1, _ = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=np.arange(n_classes), average="weighted", zero_division=0
    )
    return Averages(float(precision), float(recall), float(f1))


def class_report(y_true: np.ndarray, y_pred: np.ndarray, class_names: tuple[str, ...]) -> ClassReport:
    """Per-class scores and their macro and weighted averages, from integer labels.

    >>> r = class_report(np.array([0, 0, 0, 1]), np.array([0, 0, 1, 1]), ("cat", "dog"))
    >>> r.f1, r.support
    ((0.8, 0.6666666666666666), (3, 1))
    >>> round(r.macro.f1, 3), round(r.weighted.f1, 3)
    (0.733, 0.767)
    """
    s = scores(y_true, y_pred, len(class_names))
    return ClassReport(
        class_names=tuple(class_names),
        accuracy=s.accuracy,
        precision=s.precision,
        recall=s.recall,
        f1=s.f1,
        support=s.support,
        macro=Averages(s.precision_macro, s.recall_macro, s.f1_macro),
        weighted=_weighted(y_true, y_pred, len(class_names)),
        confusion=s.confusion,
    )


def _binary_inputs(y_true_binary: np.ndarray, y_score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true_binary)
    s = np.asarray(y_score, dtype=np.float64)
    if y.ndim != 1 or s.shape != y.shape:
        raise MetricsError("labels and scores must be 1-D arrays of the same length")
    if not np.isin(y, (0, 1)).all():
        raise MetricsError("labels must be 0 (negative) or 1 (positive); for one class use y_true == class")
    if not np.isfinite(s).all():
        raise MetricsError("scores must be finite numbers")
    if not y.any():
        raise MetricsError("precision-recall needs at least one positive sample")
    return y.astype(bool), s


def precision_recall_curve(
    y_true_binary: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision and recall at every distinct score used as threshold (score ≥ threshold
    counts as positive), as scikit-learn's ``precision_recall_curve``.

    Returns ``(precision, recall, thresholds)``: thresholds ascending; precision and recall
    have one more entry, the end point (precision 1, recall 0) with no threshold, so recall
    falls from first to last. One-vs-rest for class ``k``: ``y_true == k`` and ``probs[:, k]``.

    Raises :class:`MetricsError` when there is no positive sample (recall is then undefined).

    >>> p, r, th = precision_recall_curve(np.array([0, 1, 1, 0, 1]), np.array([.1, .4, .4, .8, .9]))
    >>> p.round(2).tolist(), r.round(2).tolist(), th.tolist()
    ([0.6, 0.75, 0.5, 1.0, 1.0], [1.0, 1.0, 0.33, 0.33, 0.0], [0.1, 0.4, 0.8, 0.9])
    """
    y, s = _binary_inputs(y_true_binary, scores)
    precision, recall, thresholds = skm.precision_recall_curve(y, s)
    return precision.astype(np.float64), recall.astype(np.float64), thresholds.astype(np.float64)


def average_precision(y_true_binary: np.ndarray, scores: np.ndarray) -> float:
    """Area under the step-wise precision-recall curve: ``Σ (R_n − R_{n−1}) · P_n`` over
    thresholds, scikit-learn's ``average_precision_score`` (no interpolation).

    >>> round(average_precision(np.array([0, 1, 1, 0, 1]), np.array([.1, .4, .4, .8, .9])), 4)
    0.8333
    """
    y, s = _binary_inputs(y_true_binary, scores)
    return float(skm.average_precision_score(y, s))
