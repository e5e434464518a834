"""The kind-specific work of each job, which :func:`mlcore.worker._run_job` runs inside its
shared skeleton: a training (:class:`Training`), or a task on a finished run (:func:`run_task`,
see :mod:`mlcore.tasks`): evaluate, bench, sweep, repeat and predict. Each task function in
:data:`TASKS` takes the worker's engine, the finished run, the parsed parameters and the job's
monitor, and returns ``(result, run_fields)``: the result JSON stored with the job and the
fields of the run's record to set with it (None: leave the record)."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlcore.job_monitor import JobMonitor
from mlcore.specs import EpochReport, RunRecord, SpecError, StageReport, TrainRequest
from mlcore.tasks import TaskProgress
from mlcore.worker_engine import Engine
from store import QUICK_KINDS, JobStatus, Store

if TYPE_CHECKING:
    from mlcore.datasets import Dataset

log = logging.getLogger("moatlab.worker")


class Training:
    """The work of a ``train`` job (see :func:`mlcore.worker.execute_job`): read its run and
    request, load the data, probe the device's peak, train. ``base`` is the newest record known
    before training (what a failed record is built from when no epoch was saved)."""

    def __init__(
        self,
        store: Store,
        engine: Engine,
        job: Mapping[str, Any],
        *,
        t0: float,
        data: Dataset | None,
        callbacks: Sequence[Any],
        served_by: dict[str, str],
    ) -> None:
        self.store, self.engine, self.job = store, engine, job
        self.t0, self.data, self.callbacks, self.served_by = t0, data, callbacks, served_by
        run_id = job["run_id"]
        self.base = RunRecord(
            id=run_id, name=run_id, created_at="", status=JobStatus.RUNNING, request=TrainRequest()
        )
        self._first_progress: float | None = None

    def _stage(self, monitor: JobMonitor, name: str) -> None:
        """What the job does before its first batch: logged and shown on the page."""
        elapsed = time.perf_counter() - self.t0
        log.info("job %s: %s at %.2f s", self.job["id"], name.replace("_", " "), elapsed)
        monitor.publish_stage(StageReport(name, elapsed))

    def _progress(self, monitor: JobMonitor, report: EpochReport) -> None:
        if self._first_progress is None:  # the log's account of the start: stages, then this
            self._first_progress = time.perf_counter() - self.t0
            log.info("job %s: first progress at %.2f s", self.job["id"], self._first_progress)
        monitor.publish(report)

    def _save(self, monitor: JobMonitor, record: RunRecord) -> None:
        monitor.save_record(record.replace(name=self.base.name, versions=record.versions | self.served_by))

    def run(self, monitor: JobMonitor) -> RunRecord:
        from mlcore.engine.train import TrainContext, train
        from mlcore.runs import get_run

        run_id, engine = self.job["run_id"], self.engine
        self.base = get_run(self.store, run_id) or self.base
        request = TrainRequest.from_dict(json.loads(self.job["request"]))
        self.base = self.base.replace(request=request)
        data = self.data
        if data is None:
            self._stage(monitor, "loading_data")
            data = engine.dataset(request)
        if not engine.has_peak(force_cpu=request.force_cpu, mixed_precision=request.mixed_precision):
            self._stage(monitor, "measuring_peak")
        device, peak = engine.device_and_peak(
            force_cpu=request.force_cpu, mixed_precision=request.mixed_precision
        )
        record = train(
            request,
            data,
            TrainContext(run_id, self.base.created_at, engine.home, device, peak),
            on_report=lambda r: self._progress(monitor, r),
            on_epoch=lambda r: self._save(monitor, r),
            on_start=lambda r: self._save(monitor, r),
            on_stage=lambda name: self._stage(monitor, name),
            stop_event=monitor.stop_event,
            callbacks=self.callbacks,
        )
        return record.replace(name=self.base.name, wall_seconds=time.perf_counter() - self.t0)


@dataclass(frozen=True)
class TaskOutcome:
    """How a task's work ended: its status, result JSON, run fields to store, and error."""

    status: JobStatus
    result: dict[str, Any] | None = None
    fields: dict[str, Any] | None = None
    error: str | None = None


def run_task(store: Store, engine: Engine, job: Mapping[str, Any], monitor: JobMonitor) -> TaskOutcome:
    """The work of a job that is not a training run: its kind's function from :data:`TASKS`
    on the finished run; a quick-lane job holds the engine's session lock while it runs."""
    from mlcore.engine.inference import Stopped
    from mlcore.runs import get_run
    from mlcore.tasks import parse_params

    kind = job["kind"]
    run = get_run(store, job["run_id"])
    if run is None:
        raise SpecError("the run was deleted before this job started")
    params = parse_params(kind, json.loads(job["request"] or "{}"))
    try:
        with engine.session_lock if kind in QUICK_KINDS else contextlib.nullcontext():
            result, fields = TASKS[kind](engine, run, params, monitor)
    except Stopped:
        return TaskOutcome(JobStatus.STOPPED, error="stopped before any result was measured")
    if kind == "sweep" and result is not None and not result.get("complete", True):
        return TaskOutcome(JobStatus.STOPPED, result, fields)
    return TaskOutcome(JobStatus.COMPLETED, result, fields)


def _task_evaluate(engine: Engine, run: RunRecord, params: Any, monitor: JobMonitor) -> tuple[dict, None]:
    from mlcore.artifacts import artifact_name
    from mlcore.datasets import request_split
    from mlcore.engine.train import predict_proba
    from mlcore.evaluation import build_evaluation, evaluation_path, save_evaluation

    t0 = time.perf_counter()
    monitor.publish(TaskProgress(0, 2, "loading the model and the data", 0.0))
    model = engine.load_model(run)
    data = engine.dataset(run.request)
    _check_same_data(run, data)
    split = request_split(data.y, run.request)
    monitor.publish(TaskProgress(1, 2, "predicting the test split", time.perf_counter() - t0))
    probs = predict_proba(model, data.x[split.test])
    path = evaluation_path(engine.home, run.id)
    save_evaluation(
        path,
        build_evaluation(
            run.id,
            data.class_names,
            data.y[split.test],
            probs,
            data.x[split.test],
            pixel_max=data.pixel_max,
            feature_names=data.feature_names,
        ),
    )
    monitor.publish(TaskProgress(2, 2, "done", time.perf_counter() - t0))
    return {"evaluation": artifact_name(path)}, None


def _check_same_data(run: RunRecord, data: Dataset) -> None:
    if run.dataset_fingerprint and data.fingerprint != run.dataset_fingerprint:
        raise SpecError(
            f"the data of {run.dataset} changed since this run trained (fingerprint "
            f"{data.fingerprint} ≠ {run.dataset_fingerprint}); its test split would differ"
        )


def _task_bench(engine: Engine, run: RunRecord, params: Any, monitor: JobMonitor) -> tuple[dict, dict]:
    import keras

    from mlcore.datasets import request_split
    from mlcore.engine.inference import benchmark

    monitor.publish(TaskProgress(0, 1, "loading the model and the data", 0.0))
    devices = engine.devices()
    with keras.device(devices[0].name):  # the CPU's own copy: CPU rows never include transfers
        model = engine.load_model(run)
    data = engine.dataset(run.request)
    _check_same_data(run, data)
    split = request_split(data.y, run.request)
    profile = benchmark(
        model,
        data.x[split.test],
        data.y[split.test],
        devices=devices,
        load_on=lambda _device: engine.load_model(run),
        params=params,
        calibration=data.x[split.train],
        on_progress=monitor.publish,
        stop_event=monitor.stop_event,
    )
    value = profile.to_dict()
    return value, {"inference": value}


def _experiment(
    engine: Engine, run: RunRecord, params: Any, monitor: JobMonitor, run_fn: Callable[..., Any]
) -> Any:
    """Re-train the run's spec on its own data through ``run_fn`` (a sweep or a repeat)."""
    data = engine.dataset(run.request)
    _check_same_data(run, data)
    return run_fn(
        run.request,
        data,
        params,
        device=engine.train_device(force_cpu=run.request.force_cpu),
        on_progress=monitor.publish,
        stop_event=monitor.stop_event,
        runner=engine.fan_out,
    )


def _task_sweep(engine: Engine, run: RunRecord, params: Any, monitor: JobMonitor) -> tuple[dict, dict | None]:
    from mlcore.engine.experiments import sweep

    curve = _experiment(engine, run, params, monitor, sweep)
    value = curve.to_dict()
    previous = run.learning_curve
    if not curve.complete and previous is not None and previous.complete:
        return value, None  # a stopped re-run keeps the complete curve; its points stay in the job
    return value, {"learning_curve": value}


def _task_repeat(engine: Engine, run: RunRecord, params: Any, monitor: JobMonitor) -> tuple[dict, dict]:
    from mlcore.engine.experiments import repeat

    value = _experiment(engine, run, params, monitor, repeat).to_dict()
    return value, {"repeat": value}


def _task_predict(engine: Engine, run: RunRecord, params: Any, monitor: JobMonitor) -> tuple[dict, None]:
    import numpy as np

    from mlcore.engine.inference import predict_top

    size = int(np.prod(run.input_shape)) if run.input_shape else 0
    if not size or any(len(row) != size for row in params.inputs):
        raise SpecError(f"this model takes {size} values per input (shape {run.input_shape})")
    x = np.asarray(params.inputs, dtype=np.float32).reshape((-1, *run.input_shape))
    model = engine.load_model(run, cached=True)
    t0 = time.perf_counter()
    predictions = predict_top(model, x, top_k=params.top_k)
    if not all(np.isfinite(p.probabilities).all() for p in predictions):
        raise SpecError(
            "the model gave no valid probabilities for this input: its values are far outside the "
            "training data's range; enter values like the training data's"
        )
    return {
        "predictions": [p.to_dict() for p in predictions],
        "class_names": list(run.class_names),
        "latency_ms": (time.perf_counter() - t0) * 1000.0,
    }, None


TASKS: dict[str, Callable[[Engine, RunRecord, Any, JobMonitor], tuple[Any, Any]]] = {
    "evaluate": _task_evaluate,
    "bench": _task_bench,
    "sweep": _task_sweep,
    "repeat": _task_repeat,
    "predict": _task_predict,
}
