"""Classification metrics from integer labels (numpy only).

Conventions follow scikit-learn: ``confusion[i, j]`` counts samples of true class ``i``
predicted as ``j``; macro averages weigh every class equally; a class with no predicted
samples has precision 0 (scikit-learn's ``zero_division=0``), likewise recall and F1.
All scores are fractions 0–1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts of (true, predicted) pairs, shape (n_classes, n_classes), int64.

    >>> confusion_matrix(np.array([0, 1, 1]), np.array([0, 0, 1]), 2).tolist()
    [[1, 0], [1, 1]]
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    if y_true.shape != y_pred.shape:
        raise ValueError("y_true and y_pred must have the same length")
    for labels in (y_true, y_pred):
        # Out-of-range labels would land silently in another cell of the flattened matrix.
        if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
            raise ValueError(f"labels must be in 0…{n_classes - 1}")
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros_like(num, dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def scores(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> ClassificationScores:
    """Accuracy and macro precision / recall / F1 from labels.

    >>> s = scores(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 2)
    >>> round(s.accuracy, 2), round(s.precision_macro, 3), round(s.recall_macro, 2)
    (0.75, 0.833, 0.75)
    """
    cm = confusion_matrix(y_true, y_pred, n_classes)
    tp = np.diag(cm).astype(np.float64)
    predicted = cm.sum(axis=0).astype(np.float64)
    actual = cm.sum(axis=1).astype(np.float64)
    precision = _safe_divide(tp, predicted)
    recall = _safe_divide(tp, actual)
    f1 = _safe_divide(2 * precision * recall, precision + recall)
    total = cm.sum()
    return ClassificationScores(
        accuracy=float(tp.sum() / total) if total else 0.0,
        precision_macro=float(precision.mean()),
        recall_macro=float(recall.mean()),
        f1_macro=float(f1.mean()),
        precision=tuple(float(v) for v in precision),
        recall=tuple(float(v) for v in recall),
        f1=tuple(float(v) for v in f1),
        support=tuple(int(v) for v in actual),
        confusion=tuple(tuple(int(v) for v in row) for row in cm),
    )
