"""The Learn page's numbers: loss functions, gradient descent, forward/backward FLOPs."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.flops import TRAINING_FLOPS_MULTIPLIER, count_params, flops_per_sample, training_flops
from mlcore.lessons import (
    DEFAULT_BOUND,
    PROB_EPS,
    LessonError,
    QuadraticSurface,
    RosenbrockSurface,
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
from mlcore.specs import preset_spec

probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
targets = st.sampled_from([0, 1])
coordinate = st.floats(min_value=-3.0, max_value=3.0, allow_nan=False).filter(lambda v: abs(v) > 1e-3)
curvature = st.floats(min_value=0.1, max_value=50.0, allow_nan=False)


class LoopedQuadratic:
    """The quadratic bowl seen through the generic protocol, so descent steps one at a time."""

    def __init__(self, bowl: QuadraticSurface) -> None:
        self.bowl = bowl
        self.minimum = bowl.minimum
        self.extent = bowl.extent
        self.start = bowl.start

    def loss(self, theta: np.ndarray) -> np.ndarray:
        return self.bowl.loss(theta)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.bowl.gradient(theta)

    def curvatures(self) -> tuple[float, float]:
        return self.bowl.curvatures()


# --- loss functions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("y", "p", "expected"),
    [
        (1, 0.5, (0.25, -1.0, math.log(2), -2.0)),
        (0, 0.5, (0.25, 1.0, math.log(2), 2.0)),
        (1, 0.9, (0.01, -0.2, -math.log(0.9), -1 / 0.9)),
        (0, 0.1, (0.01, 0.2, -math.log(0.9), 1 / 0.9)),
        (1, 0.1, (0.81, -1.8, -math.log(0.1), -10.0)),
    ],
)
def test_loss_values(y: int, p: float, expected: tuple[float, float, float, float]) -> None:
    """(MSE, its slope, cross-entropy, its slope) at ``p``."""
    got = (
        float(mse(y, p)),
        float(mse_gradient(y, p)),
        float(cross_entropy(y, p)),
        float(cross_entropy_gradient(y, p)),
    )
    assert got == pytest.approx(expected)


def test_losses_are_finite_at_the_clip() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(cross_entropy(1, 0.0)) == pytest.approx(-math.log(PROB_EPS))
        assert float(cross_entropy(0, 1.0)) == pytest.approx(-math.log(PROB_EPS), rel=1e-6)
        assert np.isfinite(cross_entropy_gradient(1, 0.0))
        assert np.isfinite(cross_entropy_gradient(0, 1.0))


@pytest.mark.parametrize("bad", [-1, 2, 0.5])
def test_target_must_be_binary(bad: float) -> None:
    with pytest.raises(LessonError):
        mse(bad, 0.5)  # type: ignore[arg-type]


@given(y=targets, p=probabilities)
def test_cross_entropy_is_non_negative_and_minimal_at_the_target(y: int, p: float) -> None:
    ce = float(cross_entropy(y, p))
    assert ce >= 0.0
    assert ce >= float(cross_entropy(y, float(y))) - 1e-12
    assert float(mse(y, p)) >= float(mse(y, float(y)))


@given(y=targets, p=st.floats(min_value=0.01, max_value=0.99))
def test_analytic_slopes_match_finite_differences(y: int, p: float) -> None:
    h = 1e-6
    for loss, slope in ((mse, mse_gradient), (cross_entropy, cross_entropy_gradient)):
        numeric = (float(loss(y, p + h)) - float(loss(y, p - h))) / (2 * h)
        assert float(slope(y, p)) == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_cross_entropy_punishes_confident_mistakes_harder() -> None:
    curves = loss_curves(1)
    worst = 0  # the most confidently wrong prediction on the grid
    assert abs(curves.cross_entropy_gradient[worst]) > 50 * abs(curves.mse_gradient[worst])
    assert np.all(np.abs(curves.mse_gradient) <= 2.0)
    assert np.all(np.diff(curves.cross_entropy) < 0)  # for y = 1 the loss falls as p rises


# --- gradient descent: exact thresholds on the quadratic ----------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "rate", "expected"),
    [
        (1, 10, 0.01, "converges"),
        (1, 10, 0.1, "converges"),  # = 1/λmax: the steep coordinate lands on 0 in one step
        (1, 10, 0.1000001, "oscillates"),
        (1, 10, 0.15, "oscillates"),
        (1, 10, 0.2, "oscillates"),  # = 2/λmax: bounces forever with constant amplitude
        (1, 10, 0.2000001, "diverges"),
        (1, 10, 1.0, "diverges"),
        (4, 2, 0.25, "converges"),  # λmax is a, not b
        (4, 2, 0.4, "oscillates"),
        (4, 2, 0.6, "diverges"),
    ],
)
def test_classify_rate_table(a: float, b: float, rate: float, expected: str) -> None:
    assert classify_rate(QuadraticSurface(a=a, b=b), rate) == expected


def test_critical_rates_of_the_default_bowl() -> None:
    rates = critical_rates(QuadraticSurface())
    assert (rates.lambda_max, rates.monotone_below, rates.stable_below) == (10.0, 0.1, 0.2)


@pytest.mark.parametrize("rate", [0.0, -0.1, float("nan"), float("inf")])
def test_rate_must_be_positive_and_finite(rate: float) -> None:
    with pytest.raises(LessonError):
        classify_rate(QuadraticSurface(), rate)
    with pytest.raises(LessonError):
        gradient_descent(QuadraticSurface(), (1.0, 1.0), learning_rate=rate, steps=3)


@pytest.mark.parametrize(("a", "b"), [(0, 1), (1, -2), (float("inf"), 1)])
def test_quadratic_needs_positive_curvatures(a: float, b: float) -> None:
    with pytest.raises(LessonError):
        QuadraticSurface(a=a, b=b)


@settings(max_examples=60, deadline=None)
@given(a=curvature, b=curvature, x=coordinate, y=coordinate, fraction=st.floats(0.01, 1.0))
def test_below_one_over_lambda_max_losses_never_increase(
    a: float, b: float, x: float, y: float, fraction: float
) -> None:
    surface = QuadraticSurface(a=a, b=b)
    rate = fraction * critical_rates(surface).monotone_below
    path = gradient_descent(surface, (x, y), learning_rate=rate, steps=40)
    assert not path.diverged
    assert np.all(np.diff(path.losses) <= 1e-12 * path.losses[0])
    assert classify_rate(surface, rate) == "converges"
    assert classify_path(path) == "converges"
    # no coordinate ever changes sign below 1/λmax
    assert np.all(np.sign(path.thetas[:, 0]) * np.sign(x) >= 0)


@settings(max_examples=60, deadline=None)
@given(a=curvature, b=curvature, x=coordinate, y=coordinate, fraction=st.floats(1.05, 1.95))
def test_between_the_critical_rates_it_oscillates_and_settles(
    a: float, b: float, x: float, y: float, fraction: float
) -> None:
    surface = QuadraticSurface(a=a, b=b)
    rate = fraction * critical_rates(surface).monotone_below
    path = gradient_descent(surface, (x, y), learning_rate=rate, steps=40)
    assert classify_rate(surface, rate) == "oscillates"
    assert not path.diverged
    assert np.all(np.diff(path.losses) <= 1e-12 * path.losses[0])  # the loss still falls


@settings(max_examples=60, deadline=None)
@given(a=curvature, b=curvature, x=coordinate, y=coordinate, fraction=st.floats(1.001, 100.0))
def test_above_two_over_lambda_max_it_diverges_without_warnings(
    a: float, b: float, x: float, y: float, fraction: float
) -> None:
    surface = QuadraticSurface(a=a, b=b)
    rate = fraction * critical_rates(surface).stable_below
    assert classify_rate(surface, rate) == "diverges"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = gradient_descent(surface, (x, y), learning_rate=rate, steps=100_000)
    assert np.all(np.isfinite(path.thetas)) and np.all(np.isfinite(path.losses))
    assert path.diverged and path.steps_taken < 100_000
    assert np.abs(path.thetas[-1]).max() > DEFAULT_BOUND
    assert np.all(np.abs(path.thetas[:-1]) <= DEFAULT_BOUND)
    assert classify_path(path) == "diverges"


@pytest.mark.parametrize("rate", [0.003, 0.05, 0.1, 0.12, 0.19, 0.2, 0.25])
def test_closed_form_matches_stepping(rate: float) -> None:
    bowl = QuadraticSurface()
    fast = gradient_descent(bowl, (-2.5, 1.5), learning_rate=rate, steps=60)
    slow = gradient_descent(LoopedQuadratic(bowl), (-2.5, 1.5), learning_rate=rate, steps=60)
    assert fast.diverged == slow.diverged
    np.testing.assert_allclose(fast.thetas, slow.thetas, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fast.losses, slow.losses, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    ("rate", "expected"), [(0.05, "converges"), (0.1, "converges"), (0.15, "oscillates"), (0.2, "oscillates")]
)
def test_path_classification_agrees_with_the_theory(rate: float, expected: str) -> None:
    path = gradient_descent(QuadraticSurface(), (-2.5, 1.5), learning_rate=rate, steps=80)
    assert classify_path(path) == expected == classify_rate(QuadraticSurface(), rate)


def test_zero_steps_and_start_at_the_minimum() -> None:
    path = gradient_descent(QuadraticSurface(), (1.0, 2.0), learning_rate=0.1, steps=0)
    assert path.thetas.shape == (1, 2) and path.steps_taken == 0
    still = gradient_descent(QuadraticSurface(), (0.0, 0.0), learning_rate=0.5, steps=10)
    assert not still.diverged and classify_path(still) == "converges"
    assert float(still.losses.max()) == 0.0


def test_rosenbrock_converges_slowly_and_diverges_above_its_local_limit() -> None:
    valley = RosenbrockSurface()
    rates = critical_rates(valley)
    calm = gradient_descent(valley, valley.start, learning_rate=0.2 * rates.monotone_below, steps=200)
    assert classify_path(calm) == "converges"
    assert calm.losses[-1] < calm.losses[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wild = gradient_descent(valley, valley.start, learning_rate=1.5 * rates.stable_below, steps=500)
    assert wild.diverged and classify_path(wild) == "diverges"
    assert np.all(np.isfinite(wild.thetas)) and np.all(np.isfinite(wild.losses))


@given(x=coordinate, y=coordinate)
def test_rosenbrock_gradient_matches_finite_differences(x: float, y: float) -> None:
    valley = RosenbrockSurface()
    h = 1e-6
    point = np.array([x, y])
    numeric = [
        (float(valley.loss(point + h * e)) - float(valley.loss(point - h * e))) / (2 * h) for e in np.eye(2)
    ]
    np.testing.assert_allclose(valley.gradient(point), numeric, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("surface", [QuadraticSurface(), QuadraticSurface(a=3, b=0.5), RosenbrockSurface()])
def test_rate_choices_straddle_both_critical_rates(surface: QuadraticSurface | RosenbrockSurface) -> None:
    choices = rate_choices(surface)
    rates = critical_rates(surface)
    assert list(choices) == sorted(set(choices))
    assert choices[0] < rates.monotone_below < rates.stable_below < choices[-1]
    assert any(abs(c / rates.stable_below - 1) < 1e-2 for c in choices)


def test_surface_grid_shape_and_minimum() -> None:
    grid = surface_grid(RosenbrockSurface(), points=41)
    assert grid.loss.shape == (41, 41)
    assert float(grid.loss.min()) >= 0.0
    i, j = np.unravel_index(np.argmin(grid.loss), grid.loss.shape)
    assert (grid.theta1[j], grid.theta2[i]) == pytest.approx((1.0, 1.0), abs=0.11)


# --- forward and backward pass -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "input_shape", "n_classes"),
    [
        ("article-mlp", (28, 28), 10),
        ("article-mlp", (8, 8), 10),
        ("small-cnn", (28, 28), 10),
        ("custom", (4,), 3),
    ],
)
def test_pass_table_totals_match_flops(preset: str, input_shape: tuple[int, ...], n_classes: int) -> None:
    spec = preset_spec(preset)
    table = pass_table(spec, input_shape, n_classes)
    forward = flops_per_sample(spec, input_shape, n_classes)
    assert table.forward_flops == forward
    assert table.backward_flops == 2 * forward
    assert table.training_flops_per_sample == TRAINING_FLOPS_MULTIPLIER * forward
    assert table.params == count_params(spec, input_shape, n_classes)
    assert table.epoch_flops(3500) == training_flops(forward, 3500, 1)
    assert all(r.backward_flops == 2 * r.forward_flops for r in table.rows)
    assert all(r.activations == math.prod(r.output_shape) for r in table.rows)
    assert table.rows[-1].output_shape == (n_classes,)


def test_article_mlp_table() -> None:
    table = pass_table(preset_spec("article-mlp"), (28, 28), 10)
    assert [(r.name, r.output_shape, r.params, r.forward_flops) for r in table.rows] == [
        ("flatten", (784,), 0, 0),
        ("dense1", (64,), 50_240, 100_416),
        ("dense2", (64,), 4_160, 8_256),
        ("output", (10,), 650, 1_290),
    ]
    assert table.training_flops_per_sample == 3 * 109_962


@settings(max_examples=30, deadline=None)
@given(
    widths=st.lists(st.integers(1, 256), min_size=1, max_size=4),
    features=st.integers(1, 100),
    classes=st.integers(2, 20),
)
def test_training_is_three_forward_passes(widths: list[int], features: int, classes: int) -> None:
    spec = preset_spec("custom", hidden_units=tuple(widths))
    table = pass_table(spec, (features,), classes)
    assert table.training_flops_per_sample == 3 * flops_per_sample(spec, (features,), classes)


def test_epoch_flops_rejects_negative_samples() -> None:
    with pytest.raises(LessonError):
        pass_table(preset_spec("article-mlp"), (28, 28), 10).epoch_flops(-1)
