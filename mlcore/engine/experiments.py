"""Experiments on a finished run's spec: the learning-curve sweep and the seed repeat.

Both re-train the run's :class:`~mlcore.specs.ModelSpec` on the run's own split (same data,
fractions and split seed) and score on its test split, so their accuracies compare with the
run's. Seed ``k`` (0-based) trains with ``spec.seed + k`` and, in the sweep, draws its
training subset with seed ``k`` too: the spread covers both weight initialisation and which
samples were drawn. Seed 0 of a repeat reproduces the run's own initialisation.

How long each training runs is planned with it (:class:`~mlcore.tasks.FitBudget`). A sweep
trains every fraction to convergence (:data:`~mlcore.tasks.CURVE_RULE`): early stopping on the
run's validation split, best weights restored, with every epoch of a fraction about as many
optimizer steps as an epoch of the whole split (the subset repeated). Training each fraction for
the run's epochs instead, as sweeps did before, gave a fraction *f* only *f* of the run's steps:
on ``digits`` after a 5-epoch run the 10 % point scored 47 % where a converged model scores about
90 %, and the value of more data came out several times too high. A repeat trains by the run's
own recipe. A decaying learning-rate schedule spans the run's epochs in both, as in the run.

Each experiment is planned first (:mod:`mlcore.experiment_plan`: a list of :class:`FitTask`),
then a :class:`FitRunner` runs the trainings: one after another in the worker (:class:`InOrder`),
or fanned out as Ray tasks (:mod:`mlcore.ray_executor`); both go through :func:`fit_and_score`
with the task's budget, and the scores are gathered into the same result.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

import keras
import numpy as np

from mlcore.datasets import Dataset, request_split
from mlcore.engine.devices import Device
from mlcore.engine.fitting import build_for_data, early_stopping, mixed_policy, precision_policy
from mlcore.engine.inference import Stopped
from mlcore.engine.progress import ProgressFn, report_progress, utc_now_iso
from mlcore.engine.train import predict_proba
from mlcore.experiment_plan import FitTask, repeat_plan, sweep_plan
from mlcore.specs import TrainRequest
from mlcore.tasks import (
    CURVE_RULE,
    CurvePoint,
    FitBudget,
    LearningCurve,
    RepeatParams,
    RepeatResult,
    SweepParams,
    curve_limits,
    run_budget,
    sample_std,
)

__all__ = [
    "FitRunner",
    "FitScore",
    "FitTask",
    "InOrder",
    "fit_and_score",
    "gather_curve",
    "repeat",
    "repeat_plan",
    "sweep",
    "sweep_plan",
]


class _StopOnEvent(keras.callbacks.Callback):
    def __init__(self, stop_event: threading.Event | None) -> None:
        super().__init__()
        self._event = stop_event
        self.stopped = False

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._event is not None and self._event.is_set():
            self.stopped = True
            self._model.stop_training = True


@dataclasses.dataclass(frozen=True)
class FitScore:
    """One training of the experiment: test accuracy (fraction), fit seconds, training samples
    per second, distinct training samples, and how long it trained: optimizer ``steps``, passes
    over its own samples (``epochs_run``) and whether it reached its epoch cap before the
    validation loss stopped improving (``capped``; always False without early stopping)."""

    accuracy: float
    train_seconds: float
    samples_per_second: float
    n_train: int
    steps: int = 0
    epochs_run: float = 0.0
    capped: bool = False


def fit_and_score(
    request: TrainRequest,
    data: Dataset,
    train_idx: np.ndarray,
    *,
    seed: int,
    device: Device,
    budget: FitBudget | None = None,
    stop_event: threading.Event | None = None,
) -> FitScore:
    """Train ``request.spec`` (with ``seed``) on ``train_idx`` by ``budget`` and score on the
    request's test split.

    ``budget`` (default: the run's own recipe, :func:`~mlcore.tasks.run_budget`) sets the most
    epochs, how many times ``train_idx`` repeats within an epoch, and early stopping on the
    validation split's loss (best weights restored). The learning-rate schedule spans the spec's
    epochs, as in the run. Raises :class:`~mlcore.engine.inference.Stopped` when ``stop_event``
    is set meanwhile.
    """
    spec = dataclasses.replace(request.spec, seed=seed)
    if budget is None:
        budget = run_budget(epochs=spec.epochs, patience=spec.early_stopping_patience)
    split = request_split(data.y, request)
    fit_idx = np.tile(train_idx, budget.repeats)  # the copies are shuffled together every epoch
    steps = budget.steps_per_epoch(len(train_idx), spec.batch_size)
    stopper = _StopOnEvent(stop_event)
    early = early_stopping(budget.patience, min_delta=budget.min_delta) if budget.patience > 0 else None
    with precision_policy(mixed_policy(device, request.mixed_precision)), keras.device(device.name):
        model = build_for_data(spec, data, x_train=data.x[train_idx], steps_per_epoch=steps)
        t0 = time.perf_counter()
        history = model.fit(
            data.x[fit_idx],
            data.y[fit_idx],
            batch_size=spec.batch_size,
            epochs=budget.epochs,
            validation_data=(data.x[split.val], data.y[split.val]) if early is not None else None,
            shuffle=True,
            callbacks=[stopper] if early is None else [stopper, early],
            verbose=0,
        )
        seconds = time.perf_counter() - t0
        if stopper.stopped:
            raise Stopped
        probs = predict_proba(model, data.x[split.test])
    return _fit_score(
        accuracy=float((probs.argmax(axis=1) == data.y[split.test]).mean()),
        seconds=seconds,
        epochs_run=len(history.history.get("loss", [])) or budget.epochs,
        budget=budget,
        n_train=len(train_idx),
        steps_per_epoch=steps,
        early=early,
    )


def _fit_score(
    *,
    accuracy: float,
    seconds: float,
    epochs_run: int,
    budget: FitBudget,
    n_train: int,
    steps_per_epoch: int,
    early: keras.callbacks.EarlyStopping | None,
) -> FitScore:
    """The :class:`FitScore` of a training that ran ``epochs_run`` epochs of ``steps_per_epoch``
    optimizer steps over ``n_train`` distinct samples repeated ``budget.repeats`` times, in
    ``seconds`` of ``model.fit``; capped when it reached ``budget.epochs`` without ``early``
    stopping it."""
    samples = n_train * budget.repeats * epochs_run
    return FitScore(
        accuracy=accuracy,
        train_seconds=seconds,
        samples_per_second=samples / seconds if seconds > 0 else 0.0,
        n_train=n_train,
        steps=epochs_run * steps_per_epoch,
        epochs_run=float(epochs_run * budget.repeats),
        capped=early is not None and early.stopped_epoch == 0 and epochs_run >= budget.epochs,
    )


#: ``report(done, message)``: how many trainings have finished, and what runs now.
ReportFn = Callable[[int, str], None]


class FitRunner(Protocol):
    """Runs an experiment's planned trainings and returns one :class:`FitScore` per task, in
    plan order; ``None`` where a stop came first. The local worker runs them one after another
    (:class:`InOrder`); the Ray executor fans them out as Ray tasks."""

    def __call__(
        self,
        request: TrainRequest,
        data: Dataset,
        tasks: Sequence[FitTask],
        *,
        report: ReportFn,
        stop_event: threading.Event | None,
    ) -> list[FitScore | None]: ...


@dataclasses.dataclass(frozen=True)
class InOrder:
    """Run the trainings one after another on ``device`` in this process, in plan order; a stop
    ends the run and leaves the rest ``None``."""

    device: Device

    def __call__(
        self,
        request: TrainRequest,
        data: Dataset,
        tasks: Sequence[FitTask],
        *,
        report: ReportFn,
        stop_event: threading.Event | None,
    ) -> list[FitScore | None]:
        scores: list[FitScore | None] = [None] * len(tasks)
        for i, task in enumerate(tasks):
            report(i, task.message)
            try:
                scores[i] = fit_and_score(
                    request,
                    data,
                    task.train_idx,
                    seed=task.seed,
                    device=self.device,
                    budget=task.budget,
                    stop_event=stop_event,
                )
            except Stopped:
                break
        return scores


def gather_curve(
    request: TrainRequest, params: SweepParams, scores: Sequence[FitScore | None]
) -> LearningCurve:
    """The learning curve from the sweep's scores (plan order of :func:`sweep_plan`).

    A fraction is a point when every one of its seeds finished; a stop keeps those
    (``complete=False``); with none finished it raises :class:`~mlcore.engine.inference.Stopped`.
    """
    points: list[CurvePoint] = []
    for i, fraction in enumerate(params.fractions):
        group = scores[i * params.seeds : (i + 1) * params.seeds]
        done = [s for s in group if s is not None]
        if len(done) < params.seeds:
            continue
        accs = tuple(s.accuracy for s in done)
        points.append(
            CurvePoint(
                fraction=fraction,
                n_train=done[0].n_train,
                accuracy_mean=float(np.mean(accs)),
                accuracy_std=sample_std(accs),
                train_seconds=float(np.mean([s.train_seconds for s in done])),
                seeds=len(done),
                accuracies=accs,
                steps=round(float(np.mean([s.steps for s in done]))),
                epochs_run=round(float(np.mean([s.epochs_run for s in done])), 2),
                capped=sum(s.capped for s in done),
            )
        )
    if not points:
        raise Stopped
    spec = request.spec
    max_epochs, patience = curve_limits(
        epochs=spec.epochs, patience=spec.early_stopping_patience, max_epochs=params.max_epochs
    )
    return LearningCurve(
        measured_at=utc_now_iso(),
        points=tuple(points),
        epochs=spec.epochs,
        complete=len(points) == len(params.fractions),
        rule=CURVE_RULE,
        patience=patience,
        max_epochs=max_epochs,
    )


def sweep(
    request: TrainRequest,
    data: Dataset,
    params: SweepParams,
    *,
    device: Device,
    on_progress: ProgressFn | None = None,
    stop_event: threading.Event | None = None,
    runner: FitRunner | None = None,
) -> LearningCurve:
    """Accuracy against training-set size: every fraction × every seed, smallest fraction first.

    ``runner`` runs the planned trainings (default: one after another on ``device``). A stop
    keeps the fractions finished so far (``complete=False``); with none finished it raises
    :class:`~mlcore.engine.inference.Stopped`.
    """
    t0 = time.perf_counter()
    tasks = sweep_plan(request, data, params)
    scores = _run(
        runner or InOrder(device), request, data, tasks, on_progress=on_progress, stop_event=stop_event, t0=t0
    )
    curve = gather_curve(request, params, scores)
    report_progress(on_progress, t0, sum(s is not None for s in scores), len(tasks), "done")
    return curve


def repeat(
    request: TrainRequest,
    data: Dataset,
    params: RepeatParams,
    *,
    device: Device,
    on_progress: ProgressFn | None = None,
    stop_event: threading.Event | None = None,
    runner: FitRunner | None = None,
) -> RepeatResult:
    """Re-train the full training split with ``params.seeds`` seeds (``runner`` as in
    :func:`sweep`); raises :class:`~mlcore.engine.inference.Stopped` on a stop (a spread needs
    every seed)."""
    t0 = time.perf_counter()
    tasks = repeat_plan(request, data, params)
    seeds = tuple(task.seed for task in tasks)
    results = _run(
        runner or InOrder(device), request, data, tasks, on_progress=on_progress, stop_event=stop_event, t0=t0
    )
    if any(r is None for r in results):
        raise Stopped
    done = [r for r in results if r is not None]
    report_progress(on_progress, t0, len(seeds), len(seeds), "done")
    return RepeatResult(
        measured_at=utc_now_iso(),
        seeds=seeds,
        accuracies=tuple(r.accuracy for r in done),
        samples_per_second=tuple(r.samples_per_second for r in done),
    )


def _run(
    runner: FitRunner,
    request: TrainRequest,
    data: Dataset,
    tasks: Sequence[FitTask],
    *,
    on_progress: ProgressFn | None,
    stop_event: threading.Event | None,
    t0: float,
) -> list[FitScore | None]:
    """Run ``tasks`` through ``runner``, reporting progress (seconds since ``t0``, a
    ``time.perf_counter()`` reading) to ``on_progress``; one score per task, in plan order."""

    def report(step: int, message: str) -> None:
        report_progress(on_progress, t0, step, len(tasks), message)

    scores = runner(request, data, tasks, report=report, stop_event=stop_event)
    if len(scores) != len(tasks):
        raise RuntimeError(f"the runner returned {len(scores)} scores for {len(tasks)} trainings")
    return scores
