"""Binary metrics from counts, the per-class report, and precision-recall curves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from mlcore.metrics import (
    UNDEFINED_REASONS,
    MetricsError,
    average_precision,
    binary_metrics,
    class_report,
    precision_recall_curve,
)

SCORES = ("accuracy", "precision", "recall", "specificity", "f1")


def test_article_example_gives_the_correct_values() -> None:
    """The seed article's counts (TP 40, TN 35, FP 10, FN 5); it printed 0.84 and recall 0.8."""
    m = binary_metrics(tp=40, fp=10, tn=35, fn=5)
    assert m.accuracy == pytest.approx(0.8333, abs=1e-4)
    assert m.accuracy == pytest.approx(75 / 90)
    assert m.precision == pytest.approx(0.8)
    assert m.recall == pytest.approx(0.8889, abs=1e-4)
    assert m.recall == pytest.approx(40 / 45)
    assert m.specificity == pytest.approx(35 / 45)
    assert m.f1 == pytest.approx(0.8421, abs=1e-4)
    assert m.undefined == () and m.total == 90


@pytest.mark.parametrize(
    ("counts", "undefined"),
    [
        pytest.param((0, 0, 0, 0), set(SCORES), id="nothing counted"),
        pytest.param((0, 0, 7, 3), {"precision"}, id="no positive predictions"),
        pytest.param((0, 4, 6, 0), {"recall"}, id="no actual positives"),
        pytest.param((5, 0, 0, 2), {"specificity"}, id="no actual negatives"),
        pytest.param((0, 0, 9, 0), {"precision", "recall", "f1"}, id="only true negatives"),
        pytest.param((3, 0, 0, 0), {"specificity"}, id="only true positives"),
    ],
)
def test_zero_denominators_are_undefined_with_a_reason(
    counts: tuple[int, int, int, int], undefined: set[str]
) -> None:
    m = binary_metrics(*counts)
    for name in SCORES:
        value = getattr(m, name)
        if name in undefined:
            assert value is None, name
            assert m.reason(name) in UNDEFINED_REASONS
        else:
            assert value is not None, name
            assert m.reason(name) is None
    assert {name for name, _ in m.undefined} == undefined


@pytest.mark.parametrize(
    ("name", "counts", "reason"),
    [
        ("accuracy", (0, 0, 0, 0), "no_samples"),
        ("precision", (0, 0, 1, 1), "no_positive_predictions"),
        ("recall", (0, 1, 1, 0), "no_actual_positives"),
        ("specificity", (1, 0, 0, 1), "no_actual_negatives"),
        ("f1", (0, 0, 1, 0), "no_positives_at_all"),
    ],
)
def test_each_reason_names_its_zero_denominator(
    name: str, counts: tuple[int, int, int, int], reason: str
) -> None:
    assert binary_metrics(*counts).reason(name) == reason
    assert "= 0" in UNDEFINED_REASONS[reason]


def test_f1_is_zero_when_recall_is_zero_even_without_positive_predictions() -> None:
    m = binary_metrics(tp=0, fp=0, tn=7, fn=3)
    assert m.recall == 0.0 and m.precision is None and m.f1 == 0.0


@pytest.mark.parametrize(
    ("counts", "match"),
    [
        pytest.param((-1, 0, 0, 0), "TP must be 0 or more", id="negative TP"),
        pytest.param((0, 0, 0, -5), "FN must be 0 or more", id="negative FN"),
        pytest.param((1, 2.5, 0, 0), "FP must be a whole number", id="fraction"),
        pytest.param((1, 2, 3.0, 0), "TN must be a whole number", id="float"),
        pytest.param((True, 0, 0, 0), "TP must be a whole number", id="bool"),
        pytest.param(("4", 0, 0, 0), "TP must be a whole number", id="text"),
    ],
)
def test_bad_counts_are_refused(counts: tuple, match: str) -> None:
    with pytest.raises(MetricsError, match=match):
        binary_metrics(*counts)


def test_metrics_error_is_a_value_error_and_numpy_integers_count() -> None:
    assert issubclass(MetricsError, ValueError)
    m = binary_metrics(np.int64(4), np.int32(1), np.uint8(3), np.int16(2))
    assert m.accuracy == pytest.approx(0.7) and type(m.tp) is int


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_scores_are_fractions_or_undefined(tp: int, fp: int, tn: int, fn: int) -> None:
    m = binary_metrics(tp, fp, tn, fn)
    for name in SCORES:
        value = getattr(m, name)
        assert (value is None) == (m.reason(name) is not None)
        if value is not None:
            assert 0.0 <= value <= 1.0
    if m.precision and m.recall:
        assert m.f1 == pytest.approx(2 * m.precision * m.recall / (m.precision + m.recall))


@st.composite
def label_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    n_classes = draw(st.integers(1, 8))
    n = draw(st.integers(1, 120))
    labels = st.lists(st.integers(0, n_classes - 1), min_size=n, max_size=n)
    return np.array(draw(labels)), np.array(draw(labels)), n_classes


@settings(max_examples=100, deadline=None)
@given(label_pairs())
def test_weighted_average_is_the_support_weighted_mean(pair: tuple[np.ndarray, np.ndarray, int]) -> None:
    y_true, y_pred, k = pair
    r = class_report(y_true, y_pred, tuple(str(i) for i in range(k)))
    support = np.array(r.support)
    for attr in ("precision", "recall", "f1"):
        per_class = np.array(getattr(r, attr))
        assert getattr(r.weighted, attr) == pytest.approx((per_class * support).sum() / support.sum())
        assert getattr(r.macro, attr) == pytest.approx(per_class.mean())
        expected = skm.precision_recall_fscore_support(
            y_true, y_pred, labels=list(range(k)), average="weighted", zero_division=0
        )[("precision", "recall", "f1").index(attr)]
        assert getattr(r.weighted, attr) == pytest.approx(expected)
    assert r.n_samples == len(y_true)
    assert r.n_errors == int((y_true != y_pred).sum())


def test_class_report_without_samples_averages_to_zero() -> None:
    r = class_report(np.array([], dtype=int), np.array([], dtype=int), ("a", "b"))
    assert r.weighted == r.macro
    assert r.weighted.f1 == 0.0 and r.n_samples == 0


@pytest.mark.parametrize("seed", range(12))
def test_pr_curve_and_ap_agree_with_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 400))
    y = rng.integers(0, 2, n)
    y[rng.integers(0, n)] = 1
    # Rounded scores make ties, the case where thresholds must group equal scores.
    s = rng.random(n).round(int(rng.integers(1, 4)))
    p, r, th = precision_recall_curve(y, s)
    sp, sr, sth = skm.precision_recall_curve(y, s)
    np.testing.assert_allclose(p, sp)
    np.testing.assert_allclose(r, sr)
    np.testing.assert_allclose(th, sth)
    assert average_precision(y, s) == pytest.approx(skm.average_precision_score(y, s))


def test_one_vs_rest_on_class_probabilities() -> None:
    rng = np.random.default_rng(7)
    probs = rng.dirichlet(np.ones(4), size=300)
    y = rng.integers(0, 4, 300)
    for k in range(4):
        assert average_precision(y == k, probs[:, k]) == pytest.approx(
            skm.average_precision_score(y == k, probs[:, k])
        )


def test_perfect_ranking_has_average_precision_one() -> None:
    assert average_precision(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])) == 1.0


@pytest.mark.parametrize(
    ("y", "s", "match"),
    [
        pytest.param([0, 0, 0], [0.1, 0.2, 0.3], "at least one positive", id="no positives"),
        pytest.param([0, 1], [0.1], "same length", id="lengths differ"),
        pytest.param([0, 2], [0.1, 0.2], "0 \\(negative\\) or 1", id="not binary"),
        pytest.param([0, 1], [0.1, float("nan")], "finite", id="nan score"),
    ],
)
def test_bad_pr_inputs_are_refused(y: list[int], s: list[float], match: str) -> None:
    with pytest.raises(MetricsError, match=match):
        precision_recall_curve(np.array(y), np.array(s))
