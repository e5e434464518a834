"""Experiments are planned, run by a runner, then gathered: the local in-order runner and any other
runner (the Ray fan-out) share the plan, the per-training code and the gathering."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pytest

from mlcore.datasets import Dataset, load, request_split, subsample_stratified
from mlcore.specs import TrainRequest, preset_spec
from mlcore.tasks import CURVE_RULE, RepeatParams, SweepParams, curve_budget

pytest.importorskip("keras")

from mlcore.engine.devices import choose_device
from mlcore.engine.experiments import (
    FitScore,
    FitTask,
    InOrder,
    gather_curve,
    repeat,
    sweep,
    sweep_plan,
)
from mlcore.engine.inference import Stopped

REQUEST = TrainRequest(spec=preset_spec("article-mlp", epochs=1), dataset="digits")
#: Two epochs at most per training keep these structural tests quick; the rule's own cap is
#: exercised by the slow test below.
PARAMS = SweepParams(fractions=(0.5, 1.0), seeds=2, max_epochs=2)


def _score(accuracy: float, n_train: int = 100, *, steps: int = 10, capped: bool = False) -> FitScore:
    return FitScore(
        accuracy=accuracy,
        train_seconds=1.0,
        samples_per_second=100.0,
        n_train=n_train,
        steps=steps,
        epochs_run=2.0,
        capped=capped,
    )


def test_the_plan_is_every_fraction_times_every_seed_smallest_first() -> None:
    data = load("digits")
    tasks = sweep_plan(REQUEST, data, PARAMS)
    train_idx = request_split(data.y, REQUEST).train
    assert [t.seed for t in tasks] == [REQUEST.spec.seed + k for k in (0, 1, 0, 1)]
    for task, (fraction, k) in zip(tasks, [(0.5, 0), (0.5, 1), (1.0, 0), (1.0, 1)], strict=True):
        np.testing.assert_array_equal(
            task.train_idx, subsample_stratified(data.y, train_idx, fraction, seed=k)
        )
        assert f"{fraction:.0%} of the data" in task.message and f"seed {k + 1}" in task.message
        assert task.budget == curve_budget(
            epochs=1, patience=0, n_full=len(train_idx), n_subset=len(task.train_idx), max_epochs=2
        )


def test_gathering_keeps_every_fully_measured_fraction() -> None:
    full = gather_curve(
        REQUEST,
        PARAMS,
        [_score(0.6, 50, steps=30), _score(0.8, 50, steps=41, capped=True), _score(0.9), _score(0.9)],
    )
    assert full.complete and [p.n_train for p in full.points] == [50, 100]
    assert full.points[0].accuracy_mean == pytest.approx(0.7) and full.points[0].accuracies == (0.6, 0.8)
    assert full.epochs == 1
    # How the points were trained: the rule, its patience and cap, steps and capped seeds per point.
    assert (full.rule, full.patience, full.max_epochs) == (CURVE_RULE, 5, 2) and not full.legacy
    assert [(p.steps, p.capped) for p in full.points] == [(36, 1), (10, 0)] and full.capped == 1
    first_only = gather_curve(REQUEST, PARAMS, [_score(0.6), _score(0.8), _score(0.9), None])
    assert not first_only.complete and [p.fraction for p in first_only.points] == [0.5]
    # Ray may finish a larger fraction before a smaller one: a stop keeps what is complete.
    second_only = gather_curve(REQUEST, PARAMS, [None, _score(0.8), _score(0.9), _score(0.95)])
    assert not second_only.complete and [p.fraction for p in second_only.points] == [1.0]
    with pytest.raises(Stopped):
        gather_curve(REQUEST, PARAMS, [_score(0.6), None, None, _score(0.9)])


class _Reversed:
    """Another runner: the same trainings, run last first, answered in plan order."""

    def __init__(self) -> None:
        self.seen: list[FitTask] = []
        self.inner = InOrder(choose_device(force_cpu=True))

    def __call__(
        self,
        request: TrainRequest,
        data: Dataset,
        tasks: Sequence[FitTask],
        *,
        report: object,
        stop_event: threading.Event | None,
    ) -> list[FitScore | None]:
        self.seen = list(tasks)
        back = self.inner(request, data, tasks[::-1], report=lambda _s, _m: None, stop_event=stop_event)
        return back[::-1]


@pytest.mark.slow  # trains a sweep and a repeat twice: about 25 s
def test_a_sweep_and_a_repeat_through_another_runner_match_the_local_ones_in_structure() -> None:
    data = load("digits")
    device = choose_device(force_cpu=True)
    runner = _Reversed()
    local = sweep(REQUEST, data, PARAMS, device=device)
    other = sweep(REQUEST, data, PARAMS, device=device, runner=runner)
    assert len(runner.seen) == 4
    assert [(p.fraction, p.n_train, p.seeds) for p in other.points] == [
        (p.fraction, p.n_train, p.seeds) for p in local.points
    ]
    assert other.complete and local.complete
    rep = repeat(REQUEST, data, RepeatParams(seeds=2), device=device, runner=runner)
    assert rep.seeds == (REQUEST.spec.seed, REQUEST.spec.seed + 1) and len(rep.accuracies) == 2


def test_a_stop_before_any_training_raises_stopped_in_order() -> None:
    data = load("digits")
    stop = threading.Event()
    stop.set()
    with pytest.raises(Stopped):
        sweep(REQUEST, data, PARAMS, device=choose_device(force_cpu=True), stop_event=stop)
    with pytest.raises(Stopped):
        repeat(REQUEST, data, RepeatParams(seeds=2), device=choose_device(force_cpu=True), stop_event=stop)
