"""The training worker: a long-lived process that owns TensorFlow and serves the job queue.

Started by :class:`mlcore.jobs.JobManager` with multiprocessing ``spawn``. It imports the
engine (and so TensorFlow) once and says it is ready, then loops: claim the oldest queued job
from the store, train it while a monitor thread beats the job's heart, publishes live progress
(first what it does before the first batch: :class:`~mlcore.specs.StageReport`), saves the record
after each epoch and watches for a stop request, and write the final record. While no job is
queued it warms up once (:meth:`Engine.warm_up_steps`: the default device's peak FLOP/s, the
default dataset), one step between two looks at the queue, so the first job does not wait for
them. The command line trains in its own process through the same :func:`execute_job` (see
:func:`run_foreground`).

The worker exits when its parent process is gone, so a killed web server never leaves an
orphan training. A job whose process dies mid-run keeps the history saved at each epoch and is
marked ``interrupted`` by the next process that starts (or ``failed`` by the supervising
:class:`~mlcore.jobs.JobManager` when it sees its worker die).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlcore.specs import EpochReport, RunRecord, SpecError, StageReport, TrainRequest
from mlcore.tasks import TaskProgress
from store import QUICK_KINDS, Store, StoreError
from store.db import RUN_GONE

if TYPE_CHECKING:  # the engine imports Keras: never at import time of this module
    from mlcore.datasets import Dataset
    from mlcore.engine.experiments import FitRunner

log = logging.getLogger("moatlab.worker")

POLL_SECONDS = 0.3
HEARTBEAT_SECONDS = 0.3
STALE_AFTER_SECONDS = 60.0
FOREGROUND_BEAT_SECONDS = 5.0
FINISH_RETRIES = 60  # × 2 s: the final record is the only copy of the results
SWEEP_SECONDS = 10.0
_INTERRUPTED_REASON = (
    "the process running this job stopped (server restart or crash); "
    "history up to the last finished epoch is kept"
)


def worker_id(pid: int | None = None, *, slot: str = "") -> str:
    """``<hostname>:<pid>``: identifies the process holding a job.

    ``slot`` names one job among several that the process holds (the Ray executor claims each
    job under ``<hostname>:<pid>/<slot>``, so one failed Ray task fails only its own job).
    """
    base = f"{socket.gethostname()}:{pid or os.getpid()}"
    return f"{base}/{slot}" if slot else base


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted(store: Store) -> list[str]:
    """Mark ``interrupted`` every running job whose process is gone; returns job and run ids.

    A job is orphaned when its worker ran on this host and that pid is dead, or when its
    heartbeat is older than ``STALE_AFTER_SECONDS`` (a worker on another host). A foreground
    run of the command line has no job row; it is orphaned when its ``runs`` row has not been
    touched for ``STALE_AFTER_SECONDS`` (a live command line touches it every
    ``FOREGROUND_BEAT_SECONDS``).
    """
    host = socket.gethostname()
    closed: list[str] = []
    for wid in store.running_worker_ids():
        name, _, pid = wid.split("/", 1)[0].rpartition(":")
        if name == host and pid.isdigit() and not pid_alive(int(pid)):
            closed += store.fail_running(status="interrupted", reason=_INTERRUPTED_REASON, worker_id=wid)
    closed += store.fail_running(
        status="interrupted", reason=_INTERRUPTED_REASON, stale_before=time.time() - STALE_AFTER_SECONDS
    )
    closed += _recover_foreground_runs(store)
    return closed


def _recover_foreground_runs(store: Store) -> list[str]:
    from mlcore.runs import get_run, now_iso

    stale_before = time.time() - STALE_AFTER_SECONDS
    closed = []
    for row in store.list_runs():
        if row["status"] != "running" or float(row["updated_at"]) >= stale_before:
            continue
        if store.job_for_run(row["id"]) is not None:
            continue  # a queued job: the jobs table decides (above)
        run = get_run(store, row["id"])
        if run is None:
            continue
        final = run.replace(status="interrupted", error=_INTERRUPTED_REASON, finished_at=now_iso())
        store.update_run(run.id, status="interrupted", record=final.to_json())
        closed.append(run.id)
    return closed


class _Monitor:
    """Background thread for one job: heartbeat + latest progress, saved epochs, stop flag.

    The training thread only hands objects over (:meth:`publish`, :meth:`save_record`); this
    thread serialises them and talks to the database, so a slow database never stalls training.
    A queued job (``in_store=True``) beats its ``jobs`` row every ``HEARTBEAT_SECONDS``, which
    publishes the latest progress and picks up a stop request from the web. A foreground run
    (the command line, no ``jobs`` row) instead touches its ``runs`` row at least every
    ``FOREGROUND_BEAT_SECONDS``, so a killed command line is recognised as stale and marked
    ``interrupted`` by :func:`recover_interrupted`.
    """

    def __init__(
        self,
        store: Store,
        job_id: str,
        *,
        run_id: str | None = None,
        in_store: bool = True,
        stop_event: threading.Event | None = None,
        on_report: Callable[[Any], None] | None = None,
        parent_pid: int = 0,
    ) -> None:
        self.store = store
        self.job_id = job_id
        self.parent_pid = parent_pid
        self.orphaned = False
        self.run_id = run_id
        self.in_store = in_store
        self.stop_event = stop_event or threading.Event()
        self._on_report = on_report
        self._latest: EpochReport | TaskProgress | StageReport | None = None
        self._sent: EpochReport | TaskProgress | StageReport | None = None
        self._pending: RunRecord | None = None
        self.last_record: RunRecord | None = None
        self._last_touch = time.monotonic()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="job-monitor", daemon=True)

    def publish(self, report: EpochReport | TaskProgress) -> None:
        """Keep the latest report (called from the training thread; never blocks on I/O)."""
        with self._lock:
            self._latest = report
        if self._on_report is not None:
            self._on_report(report)

    def publish_stage(self, report: StageReport) -> None:
        """Keep what the job does before its first progress report, for the next beat (the
        command line's ``on_report`` only takes progress, so it is not told)."""
        with self._lock:
            self._latest = report

    def save_record(self, record: RunRecord) -> None:
        """Queue the record so far (after an epoch) for the next beat; the newest one wins."""
        with self._lock:
            self._pending = record
            self.last_record = record

    def start(self) -> None:
        self._thread.start()

    def _beat(self) -> None:
        if self.parent_pid and not self.orphaned and not pid_alive(self.parent_pid):
            # The app that started this worker is gone: stop at the next batch, end interrupted.
            self.orphaned = True
            self.stop_event.set()
        self._flush_record()
        if not self.in_store:
            self._touch_run()
            return
        with self._lock:
            report = self._latest
        progress = None
        if report is not None and report is not self._sent:
            progress = json.dumps(report.to_dict(), allow_nan=False)
        try:
            if self.store.heartbeat(self.job_id, progress=progress):
                self.stop_event.set()
            self._sent = report if progress is not None else self._sent
        except StoreError as exc:
            log.warning("heartbeat failed: %s", exc)

    def _flush_record(self) -> None:
        with self._lock:
            record, self._pending = self._pending, None
        if record is None:
            return
        try:
            self.store.save_progress(self.job_id, record.id, record.to_json())
            self._last_touch = time.monotonic()
        except StoreError as exc:
            log.warning("saving progress of run %s failed: %s", record.id, exc)
            with self._lock:
                self._pending = self._pending or record  # retry on the next beat

    def _touch_run(self) -> None:
        now = time.monotonic()
        if self.run_id is None or now - self._last_touch < FOREGROUND_BEAT_SECONDS:
            return
        try:
            self.store.update_run(self.run_id)  # bumps updated_at only
            self._last_touch = now
        except StoreError as exc:
            log.warning("run heartbeat failed: %s", exc)

    def _run(self) -> None:
        while not self._done.wait(HEARTBEAT_SECONDS):
            self._beat()

    def close(self) -> None:
        """Stop the thread after a last beat (saves a pending record and the last progress)."""
        self._done.set()
        self._thread.join(timeout=60)  # a beat waits at most for the database's busy timeout
        if self._thread.is_alive():
            log.warning("the monitor of job %s is stuck on the database", self.job_id)
            return
        self._beat()


class Engine:
    """The loaded engine of one worker: device choice and peak probes, measured once; the
    latest built-in dataset; the models the quick lane predicts with (a few, newest kept)."""

    MODEL_CACHE = 4

    def __init__(self, home: Path, *, fan_out: FitRunner | None = None) -> None:
        # Imported here: this is the moment the worker process takes on TensorFlow.
        from mlcore.engine import devices

        self.home = home
        #: How a sweep or a repeat runs its trainings: None = one after another in this process;
        #: the Ray executor sets a runner that fans them out as Ray tasks.
        self.fan_out = fan_out
        self._devices = devices
        self._peaks: dict[str, Any] = {}
        self._datasets: dict[str, Dataset] = {}
        self._models: dict[tuple[str, float], Any] = {}
        self._models_lock = threading.Lock()
        #: Held by quick-lane predictions and while Keras' global state is cleared between long
        #: jobs, so a prediction never runs while the session is being reset.
        self.session_lock = threading.Lock()

    def model_path(self, run: RunRecord) -> Path:
        """The run's model file; only a file directly under ``home/models`` is accepted."""
        from mlcore.runs import model_file

        if not run.model_path:
            raise SpecError("this run has no saved model (it did not finish); train it again")
        path = model_file(self.home, run)
        if path is None:
            raise SpecError("this run's model path is not a Moatlab model file")
        return path

    def load_model(self, run: RunRecord, *, cached: bool = False) -> Any:
        """The run's model, loaded in Keras' safe mode; ``cached`` shares one copy (quick lane)."""
        from mlcore.engine.inference import load_model

        path = self.model_path(run)
        if not cached:
            return load_model(path)
        key = (str(path), path.stat().st_mtime if path.exists() else 0.0)
        with self._models_lock:
            model = self._models.pop(key, None)
            if model is None:
                model = load_model(path)
            self._models[key] = model  # most recently used last
            while len(self._models) > self.MODEL_CACHE:
                self._models.pop(next(iter(self._models)))
            return model

    def devices(self) -> list[Any]:
        """Every device to measure: the CPU, then the first GPU when one is visible."""
        cpu = self._devices.choose_device(force_cpu=True)
        gpu = self._devices.choose_device(force_cpu=False)
        return [cpu] + ([gpu] if gpu.kind == "gpu" else [])

    def train_device(self, *, force_cpu: bool) -> Any:
        return self._devices.choose_device(force_cpu=force_cpu)

    def dataset(self, request: TrainRequest) -> Dataset:
        """Load the request's data; built-in datasets are loaded once per worker and reused
        (``mnist-5k`` takes about 1.5 s to parse, tens of ms from the parsed copy kept in
        ``home/cache``). Uploaded CSVs are read every time."""
        from mlcore.datasets import load

        if request.dataset == "csv":
            return load("csv", csv_path=request.csv_path, label_column=request.label_column)
        return self.builtin_dataset(request.dataset)

    def builtin_dataset(self, name: str) -> Dataset:
        """A built-in dataset, kept in memory (the latest one only) and parsed once per home."""
        from mlcore.datasets import load

        if name not in self._datasets:
            self._datasets = {name: load(name, cache_dir=self.home / "cache")}  # keep only the latest
        return self._datasets[name]

    def has_peak(self, *, force_cpu: bool, mixed_precision: bool) -> bool:
        """Whether the peak a request would be measured against has been probed already."""
        device = self._devices.choose_device(force_cpu=force_cpu)
        dtype = self._devices.compute_dtype(device, mixed_precision=mixed_precision)
        return f"{device.name}/{dtype}" in self._peaks

    def warm_up_steps(self) -> list[tuple[str, Callable[[], object]]]:
        """What a new worker does while no job waits, one step at a time, so that the first job
        of the Train form's defaults starts training at once: probe the default device's peak
        (GPU when present, mixed precision as the form proposes) and read the default dataset
        (``TrainRequest().dataset``). Each step is what that job would otherwise do first."""
        default = TrainRequest()
        return [
            (
                "peak FLOP/s",
                lambda: self.device_and_peak(
                    force_cpu=default.force_cpu, mixed_precision=default.mixed_precision
                ),
            ),
            (f"dataset {default.dataset}", lambda: self.builtin_dataset(default.dataset)),
        ]

    def device_and_peak(self, *, force_cpu: bool, mixed_precision: bool) -> tuple[Any, Any]:
        """The device a request trains on and its peak, probed once per (device, compute dtype):
        a mixed-precision GPU run is measured against the 16-bit peak it actually computes in."""
        device = self._devices.choose_device(force_cpu=force_cpu)
        dtype = self._devices.compute_dtype(device, mixed_precision=mixed_precision)
        key = f"{device.name}/{dtype}"
        if key not in self._peaks:
            try:
                self._peaks[key] = self._devices.probe_peak(device, dtype=dtype)
            except Exception as exc:  # a failed probe leaves MFU unknown, not the run failed
                log.warning("peak probe failed on %s (%s): %s", device.name, dtype, exc)
                self._peaks[key] = None
        return device, self._peaks[key]


def execute_job(
    store: Store,
    engine: Engine,
    job: dict[str, Any],
    *,
    data: Dataset | None = None,
    stop_event: threading.Event | None = None,
    on_report: Callable[[EpochReport], None] | None = None,
    in_store: bool = True,
    callbacks: Sequence[Any] = (),
    parent_pid: int = 0,
    executor: str = "local",
    executor_version: str | None = None,
) -> RunRecord:
    """Train one claimed job to its end and write the final record (any outcome).

    ``job`` is a ``jobs`` row (``id``, ``run_id``, ``request`` JSON). The command line passes
    ``in_store=False`` for a job that has no row (see :func:`run_foreground`), the data it has
    already validated, its own ``stop_event`` (Ctrl-C) and ``on_report`` (progress lines).
    ``callbacks`` are extra Keras callbacks (the benchmarks time epochs with one). When
    ``parent_pid`` (the app) dies mid-job, training stops at the next batch and the run ends
    ``interrupted``. ``executor`` (``local`` or ``ray``, with ``executor_version``) is written
    into the record's ``versions`` (its environment), so a run says what served it; records
    without it were served locally. A :class:`~store.StoreError` while writing the final record
    propagates after retries; the worker's loop catches it.
    """
    from mlcore.artifacts import ArtifactError
    from mlcore.datasets import DatasetError
    from mlcore.engine.train import TrainContext, train
    from mlcore.runs import get_run

    job_id, run_id = job["id"], job["run_id"]
    t0 = time.perf_counter()
    served_by = {"executor": executor} | ({executor: executor_version} if executor_version else {})

    def stage(name: str) -> None:  # what the job does before its first batch: shown on the page
        elapsed = time.perf_counter() - t0
        log.info("job %s: %s at %.2f s", job_id, name.replace("_", " "), elapsed)
        monitor.publish_stage(StageReport(name, elapsed))

    reported: list[float] = []

    def progress(report: EpochReport) -> None:
        if not reported:  # the log's account of the start: stages above, then the first progress
            reported.append(time.perf_counter() - t0)
            log.info("job %s: first progress at %.2f s", job_id, reported[0])
        monitor.publish(report)

    monitor = _Monitor(
        store,
        job_id,
        run_id=run_id,
        in_store=in_store,
        stop_event=stop_event,
        on_report=on_report,
        parent_pid=parent_pid,
    )
    monitor.start()
    base = RunRecord(id=run_id, name=run_id, created_at="", status="running", request=TrainRequest())
    record: RunRecord | None = None
    error: str | None = None
    try:
        try:
            base = get_run(store, run_id) or base
            request = TrainRequest.from_dict(json.loads(job["request"]))
            base = base.replace(request=request)
            if data is None:
                stage("loading_data")
                data = engine.dataset(request)
            if not engine.has_peak(force_cpu=request.force_cpu, mixed_precision=request.mixed_precision):
                stage("measuring_peak")
            device, peak = engine.device_and_peak(
                force_cpu=request.force_cpu, mixed_precision=request.mixed_precision
            )
            ctx = TrainContext(run_id, base.created_at, engine.home, device, peak)
            record = train(
                request,
                data,
                ctx,
                on_report=progress,
                on_epoch=lambda r: monitor.save_record(
                    r.replace(name=base.name, versions=r.versions | served_by)
                ),
                on_start=lambda r: monitor.save_record(
                    r.replace(name=base.name, versions=r.versions | served_by)
                ),
                on_stage=stage,
                stop_event=monitor.stop_event,
                callbacks=callbacks,
            )
            record = record.replace(name=base.name, wall_seconds=time.perf_counter() - t0)
        except (DatasetError, SpecError) as exc:
            error = str(exc)
        except MemoryError:
            error = "out of memory: choose a smaller model, batch size or dataset"
        except StoreError as exc:
            error = f"the run store failed during the job: {exc}"
        except ArtifactError as exc:  # a full disk or an unwritable artifact folder, said plainly
            error = str(exc)
        except OSError as exc:
            error = f"could not write the model file ({exc.strerror or exc}); check free disk space"
        except Exception as exc:  # anything else from Keras/TF ends this job, not the worker
            log.error("job %s failed:\n%s", job_id, traceback.format_exc())
            error = one_line_error(exc)
    finally:
        monitor.close()  # first: saves the last finished epoch before a failed record is built
        with engine.session_lock:
            _release_engine_memory()
    if record is None:
        record = _failed(store, monitor.last_record or base, error or "unknown error", t0)
    if monitor.orphaned:
        record = record.replace(status="interrupted", error=_INTERRUPTED_REASON)
    record = record.replace(versions=record.versions | served_by)
    _finish(store, job_id, record)
    return record


def execute_task(
    store: Store,
    engine: Engine,
    job: dict[str, Any],
    *,
    stop_event: threading.Event | None = None,
    on_progress: Callable[[TaskProgress], None] | None = None,
    in_store: bool = True,
    parent_pid: int = 0,
) -> tuple[str, dict[str, Any] | None, str | None]:
    """Run one claimed job that is not a training run (see :mod:`mlcore.tasks`) and close it.

    Returns ``(status, result, error)``: ``completed`` with the result, ``stopped`` (a sweep
    stopped after some fractions still returns and stores them), or ``failed`` with a
    one-line reason. The result is stored in the job row and, for ``bench`` / ``sweep`` /
    ``repeat``, in the run's record (``inference`` / ``learning_curve`` / ``repeat``) in the same
    transaction. A :class:`~store.StoreError` while closing propagates after retries.
    """
    from mlcore.datasets import DatasetError
    from mlcore.engine.inference import Stopped
    from mlcore.runs import get_run
    from mlcore.tasks import parse_params

    job_id, run_id, kind = job["id"], job["run_id"], job["kind"]
    monitor = _Monitor(
        store,
        job_id,
        run_id=run_id,
        in_store=in_store,
        stop_event=stop_event,
        on_report=on_progress,
        parent_pid=parent_pid,
    )
    monitor.start()
    status, result, error, fields = "failed", None, None, None
    try:
        try:
            run = get_run(store, run_id)
            if run is None:
                raise SpecError("the run was deleted before this job started")
            params = parse_params(kind, json.loads(job["request"] or "{}"))
            if kind == "predict":
                with engine.session_lock:
                    result, fields = _TASKS[kind](engine, run, params, monitor)
            else:
                result, fields = _TASKS[kind](engine, run, params, monitor)
            status = "completed"
            if kind == "sweep" and result is not None and not result.get("complete", True):
                status = "stopped"
        except Stopped:
            status, error = "stopped", "stopped before any result was measured"
        except (DatasetError, SpecError) as exc:
            error = str(exc)
        except MemoryError:
            error = "out of memory: choose smaller batch sizes or fewer samples"
        except StoreError as exc:
            error = f"the run store failed during the job: {exc}"
        except Exception as exc:  # anything else from Keras/TF ends this job, not the worker
            log.error("job %s (%s) failed:\n%s", job_id, kind, traceback.format_exc())
            error = one_line_error(exc)
    finally:
        monitor.close()
        if kind != "predict":  # the quick lane must not clear state a long job is using
            with engine.session_lock:
                _release_engine_memory()
    if monitor.orphaned and status != "completed":
        status, error = "interrupted", _INTERRUPTED_REASON
    status, error = _finish_task(
        store, job_id, run_id, status=status, result=result, error=error, fields=fields
    )
    return status, result, error


def _task_evaluate(engine: Engine, run: RunRecord, params: Any, monitor: _Monitor) -> tuple[dict, None]:
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


def _task_bench(engine: Engine, run: RunRecord, params: Any, monitor: _Monitor) -> tuple[dict, dict]:
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
    engine: Engine, run: RunRecord, params: Any, monitor: _Monitor, run_fn: Callable[..., Any]
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


def _task_sweep(engine: Engine, run: RunRecord, params: Any, monitor: _Monitor) -> tuple[dict, dict | None]:
    from mlcore.engine.experiments import sweep

    curve = _experiment(engine, run, params, monitor, sweep)
    value = curve.to_dict()
    previous = run.learning_curve
    if not curve.complete and previous is not None and previous.complete:
        return value, None  # a stopped re-run keeps the complete curve; its points stay in the job
    return value, {"learning_curve": value}


def _task_repeat(engine: Engine, run: RunRecord, params: Any, monitor: _Monitor) -> tuple[dict, dict]:
    from mlcore.engine.experiments import repeat

    value = _experiment(engine, run, params, monitor, repeat).to_dict()
    return value, {"repeat": value}


def _task_predict(engine: Engine, run: RunRecord, params: Any, monitor: _Monitor) -> tuple[dict, None]:
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


_TASKS: dict[str, Callable[[Engine, RunRecord, Any, _Monitor], tuple[Any, Any]]] = {
    "evaluate": _task_evaluate,
    "bench": _task_bench,
    "sweep": _task_sweep,
    "repeat": _task_repeat,
    "predict": _task_predict,
}


def _finish_task(
    store: Store,
    job_id: str,
    run_id: str,
    *,
    status: str,
    result: dict[str, Any] | None,
    error: str | None,
    fields: dict[str, Any] | None,
) -> tuple[str, str | None]:
    """Close the job with its result (and the run's fields); returns the status and error it was
    closed with: ``failed`` when the result holds non-finite numbers or the run is gone."""
    try:
        text = json.dumps(result, allow_nan=False, ensure_ascii=False) if result is not None else None
        if fields is not None:
            json.dumps(fields, allow_nan=False)
    except (TypeError, ValueError):
        log.error("job %s: its result is not valid JSON (non-finite numbers)", job_id)
        status, text, fields = "failed", None, None
        error = "the job produced non-finite numbers (NaN or infinity); nothing was stored"
    for attempt in range(FINISH_RETRIES):
        try:
            stored = store.finish_task(
                job_id, status=status, result=text, error=error, run_id=run_id, run_fields=fields
            )
        except StoreError as exc:
            if attempt == FINISH_RETRIES - 1:
                raise
            log.warning("closing job %s failed (%s); retrying", job_id, exc)
            time.sleep(2.0)
            continue
        if not stored:
            log.error("job %s: run %s was deleted while it ran; its result was not stored", job_id, run_id)
            return "failed", RUN_GONE
        return status, error
    raise AssertionError("unreachable")  # the last attempt returns or raises


def one_line_error(exc: BaseException, *, limit: int = 300) -> str:
    """``<Type>: <first line of the message>``, at most ``limit`` characters of message."""
    text = str(exc).strip()
    first = text.splitlines()[0][:limit] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _finish(store: Store, job_id: str, record: RunRecord) -> None:
    """Write the final record, retrying while the database is briefly unavailable."""
    for attempt in range(FINISH_RETRIES):
        try:
            store.finish_job(
                job_id, record.id, status=record.status, record=record.to_json(), error=record.error
            )
            return
        except StoreError as exc:
            if attempt == FINISH_RETRIES - 1:
                raise
            log.warning("writing the final record of run %s failed (%s); retrying", record.id, exc)
            time.sleep(2.0)


def _release_engine_memory() -> None:
    """Drop Keras' global state between jobs: a long-lived worker builds a model per job."""
    import sys

    keras = sys.modules.get("keras")
    if keras is not None:
        keras.backend.clear_session(free_memory=True)


def _failed(store: Store, latest: RunRecord, error: str, t0: float) -> RunRecord:
    """The failed record: the latest record known (with its saved epochs), the error, the time."""
    from mlcore.runs import get_run, now_iso

    if not latest.history:
        try:  # a record saved by an earlier process (none in memory) keeps its epochs too
            latest = get_run(store, latest.id) or latest
        except StoreError:
            pass
    return latest.replace(
        status="failed",
        error=error,
        finished_at=now_iso(),
        wall_seconds=time.perf_counter() - t0,
    )


def run_task_foreground(
    store: Store,
    home: Path,
    run_id: str,
    kind: str,
    params: dict[str, Any] | None = None,
    *,
    stop_event: threading.Event | None = None,
    on_progress: Callable[[TaskProgress], None] | None = None,
    engine: Engine | None = None,
) -> tuple[str, dict[str, Any] | None, str | None]:
    """Run a task on a finished run in this process (the command line).

    Same code path as the worker (:func:`execute_task`): the result is stored with the run
    exactly as a queued job's would be. A task that stores a result (a benchmark, a sweep, a
    repeat, an evaluation) holds its run like an app job does: a ``jobs`` row, ``running`` and
    claimed by this process from the start (:meth:`store.Store.start_job`, worker id
    ``<host>:<pid>/cli``), beaten by the monitor, so the Runs page refuses to delete the run
    meanwhile, a stop requested from the app stops it, and a killed command line is marked
    ``interrupted`` by the next recovery sweep. (On this machine the app's worker waits for it
    like for any long job.) Should the run be gone all the same, the status is ``failed`` with
    :data:`store.db.RUN_GONE`. A prediction stores nothing and needs no row.
    Returns ``(status, result, error)``.
    """
    import secrets

    from mlcore.tasks import parse_params

    parsed = parse_params(kind, params)  # SpecError before anything runs
    job = {
        "id": "fg-" + secrets.token_hex(6),
        "run_id": run_id,
        "kind": kind,
        "request": json.dumps(parsed.to_dict() if parsed is not None else {}),
    }
    holds_run = kind not in QUICK_KINDS
    if holds_run:
        try:
            store.start_job(job, worker_id(slot="cli"))
        except LookupError:
            raise SpecError(f"run {run_id} does not exist (it was deleted)") from None
    try:
        return execute_task(
            store,
            engine or Engine(home),
            job,
            stop_event=stop_event,
            on_progress=on_progress,
            in_store=holds_run,
        )
    except BaseException:  # a second Ctrl-C, or the engine failing to load: release the run
        with contextlib.suppress(StoreError):
            row = store.get_job(job["id"]) if holds_run else None
            if row is not None and row["status"] == "running":
                store.finish_task(job["id"], status="interrupted", error="the command line was interrupted")
        raise


def run_foreground(
    store: Store,
    request: TrainRequest,
    home: Path,
    *,
    data: Dataset | None = None,
    stop_event: threading.Event | None = None,
    on_report: Callable[[EpochReport], None] | None = None,
    engine: Engine | None = None,
) -> RunRecord:
    """Train ``request`` in this process (the command line) through the worker's code path.

    The run is inserted directly as ``running`` with no ``jobs`` row, so no worker of a running
    app can claim it and it does not wait behind the app's queue; then :func:`execute_job` trains
    it exactly as a worker would (per-epoch progress saved, final record written in one
    transaction). Setting ``stop_event`` stops it at the next batch (``stopped``, record kept).
    A ``KeyboardInterrupt`` that escapes training (a second Ctrl-C) still leaves a ``stopped``
    run with the history saved so far; a killed process leaves a ``running`` row that
    :func:`recover_interrupted` marks ``interrupted`` once it is stale.
    """
    import secrets

    from mlcore.runs import get_run, now_iso, queued_record, run_row

    record = queued_record(request).replace(status="running", started_at=now_iso())
    store.insert_run(run_row(record))
    job = {
        "id": "fg-" + secrets.token_hex(6),
        "run_id": record.id,
        "kind": "train",
        "request": json.dumps(request.to_dict()),
    }
    engine = engine or Engine(home)
    try:
        return execute_job(
            store, engine, job, data=data, stop_event=stop_event, on_report=on_report, in_store=False
        )
    except KeyboardInterrupt:
        saved = get_run(store, record.id) or record
        final = saved.replace(
            status="stopped",
            finished_at=now_iso(),
            error="stopped by a second Ctrl-C before the test evaluation; the saved epochs are kept",
        )
        _finish(store, job["id"], final)
        return final


def _configure_process() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    from mlcore.engine.distribute import split_cpu_devices_tf_only

    split_cpu_devices_tf_only()  # MOATLAB_CPU_DEVICES=N, before TensorFlow initialises


def main(
    db_url: str,
    home: str,
    parent_pid: int,
    *,
    log_path: str | None = None,
    ready: Any = None,
    started_at: float | None = None,
) -> None:
    """Worker process entry point: serve jobs until the parent process is gone.

    ``ready`` (a multiprocessing ``Event``) is set once the engine is loaded and jobs are
    claimed; ``started_at`` (``time.time()`` when the parent started this process) lets the log
    say how long the start took. Set-up failures (TensorFlow cannot be imported, the store
    cannot be opened) are logged with their traceback and end the process with exit code 3,
    which the supervising :class:`~mlcore.jobs.JobManager` reports. Every ``SWEEP_SECONDS``
    while idle the worker marks jobs of dead processes ``interrupted``, so a stale job never
    blocks the queue; while idle it also runs its warm-up steps (:meth:`Engine.warm_up_steps`),
    one per look at the queue.
    """
    t_main = time.time()
    _configure_process()
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(
            filename=log_path, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
        )
    try:
        store = Store(db_url)
        wid = worker_id()
        machine = f"{socket.gethostname()}:"
        recover_interrupted(store)
        t_engine = time.time()
        engine = Engine(Path(home))
    except Exception:
        log.error("worker could not start:\n%s", traceback.format_exc())
        raise SystemExit(3) from None
    now = time.time()
    log.info(
        "worker %s ready %.2f s after it was started (process start %.2f s, store %.2f s, "
        "engine with TensorFlow %.2f s)",
        wid,
        now - (started_at or t_main),
        t_main - (started_at or t_main),
        t_engine - t_main,
        now - t_engine,
    )
    if ready is not None:
        ready.set()
    threading.Thread(
        target=_serve_quick_lane, args=(store, engine, wid, parent_pid), name="quick-lane", daemon=True
    ).start()
    last_sweep = time.monotonic()
    warm_up = engine.warm_up_steps()
    while True:
        if (parent_pid and not pid_alive(parent_pid)) or (parent_pid and os.getppid() != parent_pid):
            log.info("parent %s is gone; worker exits", parent_pid)
            return
        try:
            if time.monotonic() - last_sweep >= SWEEP_SECONDS:
                last_sweep = time.monotonic()
                recover_interrupted(store)
            job = store.claim_job(wid, within=machine)  # one long job per machine
        except StoreError as exc:
            log.warning("store unavailable: %s", exc)
            job = None
        if job is None:
            if warm_up:
                _warm_up_step(*warm_up.pop(0))
            else:
                time.sleep(POLL_SECONDS)
            continue
        log.info("job %s (%s, run %s) starts", job["id"], job["kind"], job["run_id"])
        try:
            if job["kind"] == "train":
                execute_job(store, engine, job, parent_pid=parent_pid)
            else:
                execute_task(store, engine, job, parent_pid=parent_pid)
        except StoreError as exc:
            log.error("job %s: its final record could not be written: %s", job["id"], exc)
        except Exception as exc:  # never leave a job "running" behind a live worker
            log.error("job %s crashed:\n%s", job["id"], traceback.format_exc())
            if job["kind"] != "train":
                _close_crashed(store, job, exc)


def _warm_up_step(name: str, step: Callable[[], object]) -> None:
    """Run one warm-up step; a failure only means the first job does that work itself."""
    t0 = time.perf_counter()
    try:
        step()
    except Exception as exc:
        log.warning("warm-up of %s failed (the first job will do it): %s", name, one_line_error(exc))
        return
    log.info("warmed up: %s in %.2f s", name, time.perf_counter() - t0)


def _close_crashed(store: Store, job: dict[str, Any], exc: BaseException) -> None:
    """Mark a task whose handling itself crashed ``failed``, so it never stays ``running``."""
    try:
        store.finish_task(job["id"], status="failed", error=f"internal error: {one_line_error(exc)}")
    except StoreError as err:
        log.error("job %s could not be marked failed: %s", job["id"], err)


#: Quick jobs (a drawn digit) one worker serves at once beside its long job.
QUICK_PARALLEL = 2


def _serve_quick_lane(store: Store, engine: Engine, wid: str, parent_pid: int) -> None:
    """Serve quick jobs (``predict``) beside the long job, so a prediction never waits for training."""
    while True:
        try:
            job = store.claim_job(wid, quick=True, max_running=QUICK_PARALLEL)
        except StoreError as exc:
            log.warning("store unavailable (quick lane): %s", exc)
            job = None
        if job is None:
            time.sleep(0.1)
            continue
        try:
            execute_task(store, engine, job, parent_pid=parent_pid)
        except StoreError as exc:
            log.error("quick job %s could not be closed: %s", job["id"], exc)
        except Exception as exc:  # the lane must survive anything a single prediction throws
            log.error("quick job %s crashed:\n%s", job["id"], traceback.format_exc())
            _close_crashed(store, job, exc)
