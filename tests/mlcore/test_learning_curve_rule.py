"""A learning curve measures data, not training time: a sweep's small fractions train to
convergence, so the 10 % point on ``digits`` lands near what a converged model reaches there."""

from __future__ import annotations

import dataclasses

import pytest

from mlcore.datasets import load
from mlcore.specs import TrainRequest, preset_spec
from mlcore.tasks import SweepParams

pytest.importorskip("keras")

from mlcore.engine.devices import choose_device
from mlcore.engine.experiments import sweep

pytestmark = pytest.mark.slow


def test_the_ten_percent_point_lands_near_a_converged_model() -> None:
    """After a short (5-epoch) run on digits, the sweep's 10 % point scores at least 0.80 and
    within 3 points of models trained to convergence on the same subsets with the same seeds (up
    to 100 epochs, early stopping with patience 10 instead of 5, best weights restored). Every
    fraction trained for the run's 5 epochs scored about 0.47 there against about 0.90."""
    data = load("digits")
    device = choose_device(force_cpu=True)
    spec = preset_spec("article-mlp", epochs=5)
    request = TrainRequest(spec=spec, dataset="digits")
    curve = sweep(request, data, SweepParams(fractions=(0.05, 0.1), seeds=2), device=device)
    point = curve.points[1]
    assert point.fraction == 0.1 and point.seeds == 2
    assert point.accuracy_mean >= 0.80, f"the 10 % point scores {point.accuracy_mean:.3f}"
    patient = TrainRequest(spec=dataclasses.replace(spec, early_stopping_patience=10), dataset="digits")
    reference = sweep(
        patient, data, SweepParams(fractions=(0.05, 0.1), seeds=2, max_epochs=100), device=device
    ).points[1]
    assert reference.capped == 0 and reference.n_train == point.n_train
    assert point.accuracy_mean >= reference.accuracy_mean - 0.03, (point, reference)
