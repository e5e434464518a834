"""Train one model on one dataset and measure everything about it.

``train(request, data, ...) -> RunRecord`` is the only entry point. It says what it does before
the first batch through ``on_stage`` (``building_model``, then ``first_batch``: see
:data:`mlcore.specs.TRAIN_STAGES`), reports live progress through ``on_report`` (called from
Keras' callback thread at most every ``report_every_seconds`` and at each epoch end) and stops at
the next batch once ``stop_event`` is set; the record it returns is then ``stopped`` with the
history so far, evaluated on the test split as it is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from mlcore import flops as flops_mod
from mlcore import metrics
from mlcore.artifacts import artifact_name, model_path_for, write_atomically
from mlcore.datasets import Dataset, request_split
from mlcore.engine.devices import Device, PeakProbe
from mlcore.engine.distribute import distributed_peak, mirrored_strategy_tf_only
from mlcore.engine.fitting import build_for_data, early_stopping, mixed_policy, precision_policy
from mlcore.engine.model import trainable_params
from mlcore.engine.progress import utc_now_iso
from mlcore.evaluation import Evaluation, build_evaluation, evaluation_path, save_evaluation
from mlcore.hardware import EnergyMeter, MemorySampler
from mlcore.specs import EpochRecord, EpochReport, ModelSpec, RunRecord, TrainRequest
from store.schema import JobStatus

ReportFn = Callable[[EpochReport], None]


class ProgressCallback(keras.callbacks.Callback):
    """Hands frozen :class:`EpochReport` objects to ``on_report`` and honours ``stop_event``.

    Batch-level reports are throttled to one per ``every_seconds``; every epoch end reports.
    Marked ``async_safe`` so Keras can dispatch batch hooks off the training thread.
    """

    async_safe = True

    def __init__(
        self,
        on_report: ReportFn | None,
        stop_event: threading.Event | None,
        *,
        n_train: int,
        batch_size: int,
        every_seconds: float = 0.25,
    ) -> None:
        super().__init__()
        self._on_report = on_report
        self._stop_event = stop_event
        self._n_train = n_train
        self._batch_size = batch_size
        self._every = every_seconds
        self._lock = threading.Lock()
        self.history: list[EpochRecord] = []
        self.samples_seen = 0
        self.stopped_by_user = False

    # -- state -------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        self._epochs = int(self.params.get("epochs") or 1)
        self._steps = int(self.params.get("steps") or 1)
        self._t0 = time.perf_counter()
        self._last_report = 0.0
        self._epoch = 0
        self._epoch_t0 = self._t0
        self._epoch_batches = 0
        self.history = []
        self.samples_seen = 0
        self.stopped_by_user = False

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        with self._lock:
            self._epoch = epoch + 1
            self._epoch_t0 = time.perf_counter()
            self._epoch_batches = 0

    def _check_stop(self) -> None:
        if self._stop_event is not None and self._stop_event.is_set():
            self.stopped_by_user = True
            # ``self._model``, not ``self.model``: under JAX the property syncs all weights back.
            self._model.stop_training = True

    def _report(self, batch: int, logs: dict | None, finished: EpochRecord | None) -> None:
        now = time.perf_counter()
        elapsed = now - self._t0
        done = (self._epoch - 1) * self._steps + batch
        total = self._epochs * self._steps
        sps = self.samples_seen / elapsed if elapsed > 0 else 0.0
        eta = elapsed / done * (total - done) if done > 0 else None
        logs = logs or {}
        epoch_seconds = finished.seconds if finished is not None else now - self._epoch_t0
        report = EpochReport(
            epoch=self._epoch,
            epochs=self._epochs,
            batch=batch,
            batches=self._steps,
            loss=_maybe_float(logs.get("loss")),
            accuracy=_maybe_float(logs.get("accuracy")),
            samples_per_second=sps,
            elapsed_seconds=elapsed,
            eta_seconds=eta,
            finished_epoch=finished,
            epoch_seconds=epoch_seconds,
        )
        self._last_report = now
        if self._on_report is not None:
            self._on_report(report)

    # -- hooks -------------------------------------------------------------
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        # Keras may run these hooks out of order on its callback thread pool (``async_safe``):
        # counters only move forward.
        with self._lock:
            self._epoch_batches = max(self._epoch_batches, batch + 1)
            self.samples_seen = max(
                self.samples_seen,
                (self._epoch - 1) * self._n_train + min(self._n_train, (batch + 1) * self._batch_size),
            )
            if time.perf_counter() - self._last_report >= self._every:
                self._report(self._epoch_batches, logs, None)
            self._check_stop()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        with self._lock:
            seconds = time.perf_counter() - self._epoch_t0
            lr = None
            try:
                lr = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
            except (AttributeError, TypeError, ValueError):
                lr = None
            record = EpochRecord(
                epoch=epoch + 1,
                loss=_maybe_float(logs.get("loss")),
                accuracy=_maybe_float(logs.get("accuracy")),
                val_loss=_maybe_float(logs.get("val_loss")),
                val_accuracy=_maybe_float(logs.get("val_accuracy")),
                seconds=seconds,
                learning_rate=lr,
            )
            # A user stop mid-epoch ends the epoch early: record it only when it ran to the end.
            if self._epoch_batches >= self._steps:
                self.history.append(record)
                self.samples_seen = (epoch + 1) * self._n_train
                self._report(self._steps, logs, record)
            self._check_stop()


def predict_proba(model: keras.Model, x: np.ndarray, *, batch_size: int = 1024) -> np.ndarray:
    """Class probabilities (float64) through direct model calls, batch by batch.

    Unlike ``model.predict`` this traces no new ``tf.function`` per model, so a worker that
    trains many models does not trip TensorFlow's retracing warning.
    """
    parts = [
        keras.ops.convert_to_numpy(model(x[i : i + batch_size], training=False))
        for i in range(0, len(x), batch_size)
    ]
    return np.concatenate(parts).astype(np.float64) if parts else np.zeros((0, 0))


def _maybe_float(v: object) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


@dataclass(frozen=True)
class TrainContext:
    """Where the run lives and what the worker measured about its device.

    The model is saved as ``<artifact folder>/<run_id>.keras`` (``MOATLAB_ARTIFACT_DIR``, else
    ``home/models``); the record keeps the portable name ``models/<run_id>.keras``, so a moved
    home or a shared artifact folder keeps working (see :mod:`mlcore.artifacts`).
    """

    run_id: str
    created_at: str
    home: Path
    device: Device
    peak: PeakProbe | None


def _write_model(model: keras.Model, path: Path) -> None:
    """Keras' own save of ``model`` to ``path`` (a ``.keras`` zip); nothing else."""
    model.save(path)


def _save_atomically(model: keras.Model, path: Path) -> None:
    """Save ``model`` to ``path`` through a temporary file, fsync and rename
    (:func:`mlcore.artifacts.write_atomically`): a failed save leaves no partial ``.keras``
    file and raises :class:`~mlcore.artifacts.ArtifactError` saying what to do."""
    write_atomically(path, lambda tmp: _write_model(model, tmp), what="model", then="train again")


def _save_artifacts(model: keras.Model, ctx: TrainContext, evaluation: Evaluation) -> str:
    """Save the model and its test-set evaluation in the artifact folder; return the model's
    portable name (``models/<run_id>.keras``). When the evaluation cannot be written the model
    file just saved is removed too, so a failed run leaves no file behind."""
    path = model_path_for(ctx.home, ctx.run_id)
    _save_atomically(model, path)
    try:
        save_evaluation(evaluation_path(ctx.home, ctx.run_id), evaluation, then="train again")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return artifact_name(path)


def train(
    request: TrainRequest,
    data: Dataset,
    ctx: TrainContext,
    *,
    on_report: ReportFn | None = None,
    on_epoch: Callable[[RunRecord], None] | None = None,
    on_start: Callable[[RunRecord], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
    stop_event: threading.Event | None = None,
    report_every_seconds: float = 0.25,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> RunRecord:
    """Train ``request.spec`` on ``data`` and return the measured :class:`RunRecord`.

    ``on_epoch`` receives the record so far (status ``running``, history up to this epoch)
    after every epoch, so the caller can persist it and a killed process loses at most one
    epoch. ``on_start`` receives it once before the model is built (no history yet, but the
    device, its peak FLOP/s and the model's FLOPs per sample, so a watcher can show utilisation
    and cost from the first batch). ``on_stage`` receives ``building_model`` and then
    ``first_batch`` (the training step is traced and compiled during the first batch).
    ``callbacks`` are extra Keras callbacks, called after the progress callback. Exceptions from
    Keras propagate; the caller records them as a failed run.
    """
    energy = EnergyMeter()
    memory = MemorySampler()
    energy.start()
    memory.start()
    try:
        return _train_measured(
            request,
            data,
            ctx,
            energy=energy,
            memory=memory,
            on_report=on_report,
            on_epoch=on_epoch,
            on_start=on_start,
            on_stage=on_stage,
            stop_event=stop_event,
            report_every_seconds=report_every_seconds,
            callbacks=callbacks,
        )
    finally:
        memory.stop()  # idempotent; on an error it ends the sampling thread


def _train_measured(
    request: TrainRequest,
    data: Dataset,
    ctx: TrainContext,
    *,
    energy: EnergyMeter,
    memory: MemorySampler,
    on_report: ReportFn | None,
    on_epoch: Callable[[RunRecord], None] | None,
    on_start: Callable[[RunRecord], None] | None,
    on_stage: Callable[[str], None] | None,
    stop_event: threading.Event | None,
    report_every_seconds: float,
    callbacks: Sequence[keras.callbacks.Callback],
) -> RunRecord:
    """The body of :func:`train` once the energy meter and memory sampler run: plan the run,
    announce it, fit, score and save; ``energy`` and ``memory`` are stopped into the record."""
    wall_t0 = time.perf_counter()
    started_at = utc_now_iso()
    arrays = _split_arrays(data, request)
    policy = mixed_policy(ctx.device, request.mixed_precision)
    base, strategy = _start_record(request, data, ctx, arrays, policy=policy, started_at=started_at)
    if on_start is not None:
        on_start(base)  # what the run is measured against, before its first epoch
    progress = ProgressCallback(
        _epoch_forwarder(base, on_report, on_epoch),
        stop_event,
        n_train=base.n_train,
        batch_size=request.spec.batch_size,
        every_seconds=report_every_seconds,
    )
    fitted = _fit(
        request,
        data,
        ctx,
        arrays,
        policy=policy,
        strategy=strategy,
        callbacks=[*_run_callbacks(request.spec, progress), *callbacks],
        on_stage=on_stage,
    )
    model_name = _save_artifacts(fitted.model, ctx, _evaluation(fitted, data, arrays, ctx))
    return _finished_record(
        base,
        fitted,
        progress,
        y_test=arrays.y_test,
        n_classes=data.n_classes,
        model_name=model_name,
        energy=energy,
        memory=memory,
        wall_t0=wall_t0,
    )


def _evaluation(fitted: _Fitted, data: Dataset, arrays: _SplitArrays, ctx: TrainContext) -> Evaluation:
    """The test-set evaluation saved beside the model (per-class figures, hardest examples)."""
    return build_evaluation(
        ctx.run_id,
        data.class_names,
        arrays.y_test,
        fitted.probs,
        arrays.x_test,
        pixel_max=data.pixel_max,
        feature_names=data.feature_names,
    )


def _finished_record(
    base: RunRecord,
    fitted: _Fitted,
    progress: ProgressCallback,
    *,
    y_test: np.ndarray,
    n_classes: int,
    model_name: str,
    energy: EnergyMeter,
    memory: MemorySampler,
    wall_t0: float,
) -> RunRecord:
    """``base`` completed (or ``stopped`` by the user) with what was measured: the history,
    training seconds and samples per second, achieved FLOP/s and MFU, peak memory (bytes) and
    energy (kWh; ``energy`` and ``memory`` are stopped here), wall seconds since ``wall_t0`` (a
    ``time.perf_counter()`` reading) and the test scores."""
    scores = metrics.scores(y_test, fitted.probs.argmax(axis=1), n_classes)
    test_loss = _test_loss(fitted.probs, y_test)
    sps = progress.samples_seen / fitted.train_seconds if fitted.train_seconds > 0 else None
    used = (
        flops_mod.utilisation(base.flops_per_sample, sps, base.peak_flops_per_second)
        if sps is not None
        else None
    )
    est = energy.stop()
    return base.replace(
        status=JobStatus.STOPPED if progress.stopped_by_user else JobStatus.COMPLETED,
        finished_at=utc_now_iso(),
        params=fitted.params,
        epochs_completed=len(progress.history),
        history=tuple(progress.history),
        train_seconds=fitted.train_seconds,
        wall_seconds=time.perf_counter() - wall_t0,
        samples_per_second=sps,
        achieved_flops_per_second=used.achieved_flops_per_second if used is not None else None,
        mfu=used.mfu if used is not None else None,
        peak_memory_bytes=memory.stop(),
        energy_kwh=est.kwh,
        energy_method=est.method,
        test_loss=test_loss if np.isfinite(test_loss) else None,
        test_accuracy=scores.accuracy,
        test_precision_macro=scores.precision_macro,
        test_recall_macro=scores.recall_macro,
        test_f1_macro=scores.f1_macro,
        confusion_matrix=scores.confusion,
        model_path=model_name,
    )


@dataclass(frozen=True)
class _SplitArrays:
    """The request's split of ``data``: raw inputs ``x_*`` as stored and integer labels ``y_*``
    of the training, validation and test rows."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def _split_arrays(data: Dataset, request: TrainRequest) -> _SplitArrays:
    """The rows of the request's split (its fractions and split seed) of ``data``."""
    split = request_split(data.y, request)
    return _SplitArrays(
        x_train=data.x[split.train],
        y_train=data.y[split.train],
        x_val=data.x[split.val],
        y_val=data.y[split.val],
        x_test=data.x[split.test],
        y_test=data.y[split.test],
    )


def _start_record(
    request: TrainRequest,
    data: Dataset,
    ctx: TrainContext,
    arrays: _SplitArrays,
    *,
    policy: str | None,
    started_at: str,
) -> tuple[RunRecord, Any]:
    """The ``running`` record before the first epoch, and the ``tf.distribute`` strategy the run
    trains under (None: one device).

    The record carries what the run is measured against: the model's forward FLOPs per sample,
    the device and its peak FLOP/s (times the replicas on GPUs when mirrored), the split sizes.
    A ``mirrored`` request is TensorFlow only and refused under another backend.
    """
    spec = request.spec
    forward_flops = flops_mod.flops_per_sample(spec, data.input_shape, data.n_classes)
    strategy, distribution = None, None
    if request.distribute == "mirrored":  # TensorFlow only; refused under another backend
        strategy, distribution = mirrored_strategy_tf_only(ctx.device.kind, spec.batch_size)
    peak_flops, peak_method = distributed_peak(
        ctx.peak.flops_per_second if ctx.peak else None,
        ctx.peak.method if ctx.peak else None,
        device_kind=ctx.device.kind,
        replicas=distribution.replicas if distribution else 1,
    )
    base = RunRecord(
        id=ctx.run_id,
        name=request.name or ctx.run_id,
        created_at=ctx.created_at,
        status=JobStatus.RUNNING,
        request=request,
        started_at=started_at,
        dataset=data.name if data.name != "csv" else f"csv:{request.csv_name or 'upload'}",
        dataset_fingerprint=data.fingerprint,
        split_seed=request.split_seed,
        class_names=data.class_names,
        feature_names=data.feature_names,
        input_shape=data.input_shape,
        pixel_max=data.pixel_max,
        n_train=len(arrays.y_train),
        n_val=len(arrays.y_val),
        n_test=len(arrays.y_test),
        flops_per_sample=forward_flops,
        peak_flops_per_second=peak_flops,
        peak_flops_method=peak_method,
        device=ctx.device.description,
        device_kind=ctx.device.kind,
        mixed_precision=policy is not None,
        distribution=distribution,
        versions={"keras": keras.__version__, "backend": keras.backend.backend()},
    )
    return base, strategy


def _epoch_forwarder(
    base: RunRecord, on_report: ReportFn | None, on_epoch: Callable[[RunRecord], None] | None
) -> ReportFn:
    """The progress callback's report function: every report goes to ``on_report``; at each
    finished epoch ``on_epoch`` gets ``base`` with the history so far."""
    history: list[EpochRecord] = []

    def forward(report: EpochReport) -> None:
        if on_report is not None:
            on_report(report)
        if report.finished_epoch is not None and on_epoch is not None:
            history.append(report.finished_epoch)
            on_epoch(base.replace(history=tuple(history), epochs_completed=len(history)))

    return forward


def _run_callbacks(spec: ModelSpec, progress: ProgressCallback) -> list[keras.callbacks.Callback]:
    """The run's own Keras callbacks: ``progress`` first, then early stopping on the validation
    loss when ``spec.early_stopping_patience`` (epochs) is set."""
    run_callbacks: list[keras.callbacks.Callback] = [progress]
    if spec.early_stopping_patience > 0:
        run_callbacks.append(early_stopping(spec.early_stopping_patience))
    return run_callbacks


@dataclass(frozen=True)
class _Fitted:
    """A fitted model, its trainable parameter count, the wall seconds ``model.fit`` took and
    the test split's class probabilities (float64, one row per test sample)."""

    model: keras.Model
    params: int
    train_seconds: float
    probs: np.ndarray


def _fit(
    request: TrainRequest,
    data: Dataset,
    ctx: TrainContext,
    arrays: _SplitArrays,
    *,
    policy: str | None,
    strategy: Any,
    callbacks: Sequence[keras.callbacks.Callback],
    on_stage: Callable[[str], None] | None,
) -> _Fitted:
    """Build, fit and predict the test split under ``policy`` (a dtype policy name, or None).

    Under a ``tf.distribute`` strategy the model is built, compiled and fitted in its scope (the
    variables are mirrored on every replica); otherwise on the one chosen device.
    """
    spec = request.spec
    steps = int(np.ceil(len(arrays.y_train) / spec.batch_size))
    placement = strategy.scope() if strategy is not None else keras.device(ctx.device.name)
    with precision_policy(policy), placement:
        if on_stage is not None:
            on_stage("building_model")
        model = build_for_data(spec, data, x_train=arrays.x_train, steps_per_epoch=steps)
        params = trainable_params(model)
        if on_stage is not None:
            on_stage("first_batch")
        fit_t0 = time.perf_counter()
        model.fit(
            arrays.x_train,
            arrays.y_train,
            batch_size=spec.batch_size,
            epochs=spec.epochs,
            validation_data=(arrays.x_val, arrays.y_val),
            shuffle=True,
            callbacks=list(callbacks),
            verbose=0,
        )
        train_seconds = time.perf_counter() - fit_t0
        probs = predict_proba(model, arrays.x_test)
    return _Fitted(model=model, params=params, train_seconds=train_seconds, probs=probs)


def _test_loss(probs: np.ndarray, y_test: np.ndarray) -> float:
    """Mean cross-entropy (nats per sample) of ``probs`` on the true labels, each probability
    clipped to at least 1e-12; NaN for an empty test split."""
    eps = 1e-12
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(y_test)), y_test], eps, 1.0))))
