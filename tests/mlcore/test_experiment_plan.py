"""The sweep's plan (client side, no TensorFlow): how long every fraction may train.

The old rule trained every fraction for the run's epochs, so a fraction f got f of the run's
optimizer steps. The plan now lets every fraction train to convergence: an epoch of any fraction
is about one epoch of the whole split in optimizer steps, so each may take at least the run's
steps, and early stopping on the validation split ends it.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlcore.datasets import load, request_split
from mlcore.errors import SpecError
from mlcore.experiment_plan import repeat_plan, sweep_plan
from mlcore.specs import TrainRequest, preset_spec
from mlcore.tasks import (
    CURVE_MAX_EPOCHS,
    CURVE_MIN_DELTA,
    CURVE_PATIENCE_EPOCHS,
    FitBudget,
    RepeatParams,
    SweepParams,
    curve_budget,
)

REQUEST = TrainRequest(spec=preset_spec("article-mlp", epochs=5), dataset="digits")
PARAMS = SweepParams(fractions=(0.1, 0.25, 0.5, 1.0), seeds=2)


def test_every_fraction_may_train_at_least_the_runs_steps_and_epochs_are_as_long_as_the_runs() -> None:
    data = load("digits")
    n_full = len(request_split(data.y, REQUEST).train)
    batch = REQUEST.spec.batch_size
    run_steps_per_epoch = math.ceil(n_full / batch)
    run_steps = REQUEST.spec.epochs * run_steps_per_epoch
    tasks = sweep_plan(REQUEST, data, PARAMS)
    assert len(tasks) == 8
    by_fraction = {}
    for task in tasks:
        n = len(task.train_idx)
        budget = task.budget
        assert budget.min_delta == CURVE_MIN_DELTA
        # Patience and cap are passes of the whole split: the same steps for every fraction.
        steps = budget.steps_per_epoch(n, batch)
        assert budget.max_steps(n, batch) == pytest.approx(CURVE_MAX_EPOCHS * run_steps_per_epoch, rel=0.03)
        assert budget.patience * steps == pytest.approx(CURVE_PATIENCE_EPOCHS * run_steps_per_epoch, rel=0.1)
        # One epoch of any fraction is about one epoch of the whole split (within a repeat).
        assert abs(budget.steps_per_epoch(n, batch) - run_steps_per_epoch) <= math.ceil(n / batch) / 2 + 1
        assert budget.max_steps(n, batch) >= run_steps
        by_fraction[round(n / n_full, 1)] = budget.repeats
    # The 10 % subset repeats ten times per epoch; the whole split once.
    assert by_fraction[0.1] == 10 and by_fraction[1.0] == 1


def test_the_old_rule_starved_small_fractions_the_new_plan_does_not() -> None:
    data = load("digits")
    batch = REQUEST.spec.batch_size
    small = sweep_plan(REQUEST, data, PARAMS)[0]
    n = len(small.train_idx)
    old = FitBudget(epochs=REQUEST.spec.epochs)  # every fraction for the run's epochs
    full_steps = REQUEST.spec.epochs * math.ceil(len(request_split(data.y, REQUEST).train) / batch)
    assert old.max_steps(n, batch) <= 0.11 * full_steps
    assert small.budget.max_steps(n, batch) >= full_steps


def test_a_sweep_cap_and_a_long_run_set_the_most_epochs() -> None:
    data = load("digits")
    capped = sweep_plan(REQUEST, data, SweepParams(fractions=(0.5, 1.0), seeds=2, max_epochs=3))
    assert {t.budget.epochs for t in capped} == {3}  # 0.5 repeats twice: one pass per epoch
    long_run = TrainRequest(
        spec=preset_spec("article-mlp", epochs=200, early_stopping_patience=9), dataset="digits"
    )
    tasks = sweep_plan(long_run, data, SweepParams(fractions=(0.5, 1.0), seeds=2))
    assert {(t.budget.epochs, t.budget.patience) for t in tasks} == {(200, 9)}


def test_a_repeat_trains_by_the_runs_own_recipe() -> None:
    data = load("digits")
    spec = preset_spec("article-mlp", epochs=7, early_stopping_patience=2)
    tasks = repeat_plan(TrainRequest(spec=spec, dataset="digits"), data, RepeatParams(seeds=3))
    assert [t.seed for t in tasks] == [spec.seed, spec.seed + 1, spec.seed + 2]
    assert {t.budget for t in tasks} == {FitBudget(epochs=7, repeats=1, patience=2)}
    assert all(len(t.train_idx) == len(tasks[0].train_idx) for t in tasks)


@given(n_full=st.integers(1, 100_000), share=st.floats(0.0, 1.0), batch=st.integers(1, 8192))
def test_any_subset_may_train_the_cap_in_passes_of_the_full_split(
    n_full: int, share: float, batch: int
) -> None:
    n_subset = max(1, min(n_full, round(share * n_full)))
    budget = curve_budget(epochs=10, patience=0, n_full=n_full, n_subset=n_subset)
    per_epoch = budget.repeats * n_subset  # samples of one epoch
    assert 2 / 3 * n_full <= per_epoch <= 4 / 3 * n_full
    # At the cap every subset has seen CURVE_MAX_EPOCHS passes of the full split, within half an epoch.
    assert abs(budget.epochs * per_epoch - CURVE_MAX_EPOCHS * n_full) <= per_epoch / 2
    assert abs(budget.patience * per_epoch - CURVE_PATIENCE_EPOCHS * n_full) <= per_epoch / 2
    assert budget.max_steps(n_subset, batch) >= 10 * math.ceil(n_full / batch), "at least the run's steps"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"fractions": [0.5, 1], "max_epochs": 0}, "1 to 500"),
        ({"fractions": [0.5, 1], "max_epochs": 501}, "1 to 500"),
        ({"fractions": [0.5, 1], "max_epochs": True}, "1 to 500"),
    ],
)
def test_a_bad_cap_is_refused(params: dict, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        SweepParams.from_dict(params)


def test_a_budget_needs_positive_sizes() -> None:
    with pytest.raises(SpecError):
        FitBudget(epochs=0)
    with pytest.raises(SpecError):
        curve_budget(epochs=5, patience=0, n_full=100, n_subset=0)
