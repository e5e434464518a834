"""The trainings of an experiment, planned before any runs (client side, no TensorFlow).

A learning-curve sweep trains the run's spec on every fraction × seed; a seed repeat trains it on
the whole training split with every seed. Each training is a :class:`FitTask`: which samples,
which weight seed, and its :class:`~mlcore.tasks.FitBudget` (how long it may train). The engine
(:mod:`mlcore.engine.experiments`) runs the plan one training after another in the worker, or
the Ray executor fans it out (:mod:`mlcore.ray_executor`); both train every task by its budget.

Sweep trainings follow :data:`~mlcore.tasks.CURVE_RULE` (see :func:`~mlcore.tasks.curve_budget`):
each fraction trains to convergence on the run's validation split, so a small fraction is not
starved of optimizer steps. A repeat trains by the run's own recipe (its epochs, its early
stopping), so its spread is the run's.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from mlcore.datasets import Dataset, request_split, subsample_stratified
from mlcore.specs import TrainRequest
from mlcore.tasks import FitBudget, RepeatParams, SweepParams, curve_budget, run_budget


@dataclasses.dataclass(frozen=True)
class FitTask:
    """One training of an experiment: the training indices (into the dataset, distinct), the
    weight seed, what it is in words (the progress message) and how long it may train."""

    train_idx: np.ndarray
    seed: int
    message: str
    budget: FitBudget


def sweep_plan(request: TrainRequest, data: Dataset, params: SweepParams) -> list[FitTask]:
    """The sweep's trainings, smallest fraction first, seeds within a fraction: seed ``k`` trains
    with ``spec.seed + k`` on the stratified subset drawn with seed ``k``, to convergence
    (:func:`~mlcore.tasks.curve_budget`)."""
    spec = request.spec
    train_idx = request_split(data.y, request).train
    tasks = []
    for fraction in params.fractions:
        for k in range(params.seeds):
            subset = subsample_stratified(data.y, train_idx, fraction, seed=k)
            budget = curve_budget(
                epochs=spec.epochs,
                patience=spec.early_stopping_patience,
                n_full=len(train_idx),
                n_subset=len(subset),
                max_epochs=params.max_epochs,
            )
            message = f"{fraction:.0%} of the data ({len(subset):,} samples), seed {k + 1}"
            tasks.append(FitTask(subset, spec.seed + k, message, budget))
    return tasks


def repeat_plan(request: TrainRequest, data: Dataset, params: RepeatParams) -> list[FitTask]:
    """The repeat's trainings: the whole training split with seeds ``spec.seed + k``, each by the
    run's own recipe (:func:`~mlcore.tasks.run_budget`)."""
    spec = request.spec
    train_idx = request_split(data.y, request).train
    budget = run_budget(epochs=spec.epochs, patience=spec.early_stopping_patience)
    return [
        FitTask(train_idx, spec.seed + k, f"seed {k + 1} of {params.seeds}", budget)
        for k in range(params.seeds)
    ]
