"""Classification metrics against scikit-learn's, on generated label arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from mlcore.metrics import confusion_matrix, scores


@st.composite
def label_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    """(y_true, y_pred, n_classes): 1…200 samples over 1…12 classes, some classes possibly absent."""
    n_classes = draw(st.integers(1, 12))
    n = draw(st.integers(1, 200))
    labels = st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n)
    return np.array(draw(labels)), np.array(draw(labels)), n_classes


@pytest.mark.filterwarnings("ignore:A single label was found:UserWarning")
@settings(max_examples=100, deadline=None)
@given(label_pairs())
def test_scores_match_scikit_learn(pair: tuple[np.ndarray, np.ndarray, int]) -> None:
    y_true, y_pred, k = pair
    classes = list(range(k))
    s = scores(y_true, y_pred, k)

    np.testing.assert_array_equal(np.array(s.confusion), skm.confusion_matrix(y_true, y_pred, labels=classes))
    assert s.accuracy == pytest.approx(skm.accuracy_score(y_true, y_pred))
    p, r, f, support = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=classes, average=None, zero_division=0
    )
    np.testing.assert_allclose(s.precision, p)
    np.testing.assert_allclose(s.recall, r)
    np.testing.assert_allclose(s.f1, f)
    assert list(s.support) == support.tolist()
    pm, rm, fm, _ = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=classes, average="macro", zero_division=0
    )
    assert s.precision_macro == pytest.approx(pm)
    assert s.recall_macro == pytest.approx(rm)
    assert s.f1_macro == pytest.approx(fm)
    assert all(0.0 <= v <= 1.0 for v in (s.accuracy, s.precision_macro, s.recall_macro, s.f1_macro))


@settings(max_examples=50, deadline=None)
@given(label_pairs())
def test_perfect_predictions(pair: tuple[np.ndarray, np.ndarray, int]) -> None:
    y_true, _, k = pair
    s = scores(y_true, y_true, k)
    assert s.accuracy == 1.0
    present = np.bincount(y_true, minlength=k) > 0
    # Present classes score 1; absent ones 0 (zero_division=0), so the macro is the present share.
    assert s.recall_macro == pytest.approx(present.mean())
    assert np.array(s.confusion).trace() == len(y_true)


def test_rows_are_true_classes_columns_predicted() -> None:
    cm = confusion_matrix(np.array([0, 0, 0, 2]), np.array([1, 1, 0, 2]), 3)
    assert cm.tolist() == [[1, 2, 0], [0, 0, 0], [0, 0, 1]]
    assert cm.dtype == np.int64


def test_scores_are_plain_python_for_json() -> None:
    s = scores(np.array([0, 1, 1]), np.array([0, 1, 0]), 2)
    for value in (s.accuracy, s.precision_macro, *s.precision, *s.f1):
        assert type(value) is float
    assert all(type(v) is int for row in s.confusion for v in row)
    assert all(type(v) is int for v in s.support)


def test_no_samples_gives_zero_not_nan() -> None:
    s = scores(np.array([], dtype=int), np.array([], dtype=int), 3)
    assert s.accuracy == 0.0 and s.f1_macro == 0.0
    assert s.confusion == ((0, 0, 0),) * 3


@pytest.mark.parametrize(
    ("y_true", "y_pred", "match"),
    [
        pytest.param([0, 1], [0], "same length", id="lengths differ"),
        pytest.param([0, 1], [0, 2], "0…1", id="prediction out of range"),
        pytest.param([0, 2], [0, 1], "0…1", id="true label out of range"),
        pytest.param([0, -1], [0, 1], "0…1", id="negative label"),
    ],
)
def test_bad_labels_are_refused(y_true: list[int], y_pred: list[int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        confusion_matrix(np.array(y_true), np.array(y_pred), 2)
