"""The training worker: a long-lived process that owns TensorFlow and serves the job queue.

Started by :class:`mlcore.jobs.JobManager` with multiprocessing ``spawn``. It imports the
engine (and so TensorFlow) once, measures the device's peak FLOP/s once, then loops: claim the
oldest queued job from the store, train it while a monitor thread beats the job's heart,
publishes live progress and watches for a stop request, and write the final record.

The worker exits when its parent process is gone, so a killed web server never leaves an
orphan training. A job whose process dies mid-run keeps the history saved at each epoch and is
marked ``interrupted`` by the next process that starts (or ``failed`` by the supervising
:class:`~mlcore.jobs.JobManager` when it sees its worker die).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from mlcore.specs import EpochReport, RunRecord, TrainRequest
from store import Store, StoreError

log = logging.getLogger("moatlab.worker")

POLL_SECONDS = 0.3
HEARTBEAT_SECONDS = 0.3
STALE_AFTER_SECONDS = 60.0


def worker_id(pid: int | None = None) -> str:
    """``<hostname>:<pid>``: identifies the process holding a job."""
    return f"{socket.gethostname()}:{pid or os.getpid()}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_interrupted(store: Store) -> list[str]:
    """Mark ``interrupted`` every running job whose process is gone.

    A job is orphaned when its worker ran on this host and that pid is dead, or when its
    heartbeat is older than ``STALE_AFTER_SECONDS`` (a worker on another host).
    """
    host = socket.gethostname()
    closed: list[str] = []
    reason = "the process running this job stopped (server restart or crash); history up to the last finished epoch is kept"
    for wid in store.running_worker_ids():
        name, _, pid = wid.rpartition(":")
        if name == host and pid.isdigit() and not pid_alive(int(pid)):
            closed += store.fail_running(status="interrupted", reason=reason, worker_id=wid)
    closed += store.fail_running(
        status="interrupted", reason=reason, stale_before=time.time() - STALE_AFTER_SECONDS
    )
    return closed


class _Monitor:
    """Background thread for one job: heartbeat + latest progress, stop flag, and cadence."""

    def __init__(self, store: Store, job_id: str) -> None:
        self.store = store
        self.job_id = job_id
        self.stop_event = threading.Event()
        self._latest: EpochReport | None = None
        self._sent: EpochReport | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="job-monitor", daemon=True)

    def publish(self, report: EpochReport) -> None:
        with self._lock:
            self._latest = report

    def start(self) -> None:
        self._thread.start()

    def _beat(self) -> None:
        with self._lock:
            report = self._latest
        progress = None
        if report is not None and report is not self._sent:
            progress = json.dumps(report.to_dict(), allow_nan=False)
            self._sent = report
        try:
            if self.store.heartbeat(self.job_id, progress=progress):
                self.stop_event.set()
        except StoreError as exc:
            log.warning("heartbeat failed: %s", exc)

    def _run(self) -> None:
        while not self._done.wait(HEARTBEAT_SECONDS):
            self._beat()

    def close(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)
        self._beat()


class Engine:
    """The loaded engine of one worker: device choice and peak probes, measured once."""

    def __init__(self, home: Path) -> None:
        # Imported here: this is the moment the worker process takes on TensorFlow.
        from mlcore.engine import devices

        self.home = home
        self._devices = devices
        self._peaks: dict[str, Any] = {}

    def device_and_peak(self, *, force_cpu: bool) -> tuple[Any, Any]:
        device = self._devices.choose_device(force_cpu=force_cpu)
        if device.name not in self._peaks:
            try:
                self._peaks[device.name] = self._devices.probe_peak(device)
            except Exception as exc:  # a failed probe leaves MFU unknown, not the run failed
                log.warning("peak probe failed on %s: %s", device.name, exc)
                self._peaks[device.name] = None
        return device, self._peaks[device.name]


def execute_job(store: Store, engine: Engine, job: dict[str, Any]) -> RunRecord:
    """Train one claimed job to its end and write the final record (any outcome)."""
    from mlcore.datasets import DatasetError, load
    from mlcore.engine.train import TrainContext, train
    from mlcore.runs import get_run

    job_id, run_id = job["id"], job["run_id"]
    queued = get_run(store, run_id)
    t0 = time.perf_counter()
    monitor = _Monitor(store, job_id)
    monitor.start()
    record: RunRecord
    try:
        request = TrainRequest.from_dict(json.loads(job["request"]))
        base = queued or RunRecord(id=run_id, name=run_id, created_at="", status="running", request=request)
        try:
            data = load(request.dataset, csv_path=request.csv_path, label_column=request.label_column)
            device, peak = engine.device_and_peak(force_cpu=request.force_cpu)
            ctx = TrainContext(run_id, base.created_at, engine.home, device, peak)
            record = train(
                request,
                data,
                ctx,
                on_report=monitor.publish,
                on_epoch=lambda r: store.save_progress(job_id, run_id, r.replace(name=base.name).to_json()),
                stop_event=monitor.stop_event,
            )
            record = record.replace(name=base.name, wall_seconds=time.perf_counter() - t0)
            error = None
        except (DatasetError, ValueError) as exc:
            error = str(exc)
            record = _failed(store, base, error, t0)
        except MemoryError:
            error = "out of memory: choose a smaller model, batch size or dataset"
            record = _failed(store, base, error, t0)
        except OSError as exc:
            error = f"could not write the model file ({exc.strerror or exc}); check free disk space"
            record = _failed(store, base, error, t0)
        except Exception as exc:  # anything else from Keras/TF ends this job, not the worker
            log.error("job %s failed:\n%s", job_id, traceback.format_exc())
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
            record = _failed(store, base, error, t0)
    finally:
        monitor.close()
    store.finish_job(job_id, run_id, status=record.status, record=record.to_json(), error=record.error)
    return record


def _failed(store: Store, base: RunRecord, error: str, t0: float) -> RunRecord:
    from mlcore.runs import get_run, now_iso

    saved = get_run(store, base.id) or base  # keep any per-epoch history already saved
    return saved.replace(
        status="failed",
        error=error,
        finished_at=now_iso(),
        wall_seconds=time.perf_counter() - t0,
    )


def _configure_process() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def main(db_url: str, home: str, parent_pid: int, *, log_path: str | None = None) -> None:
    """Worker process entry point: serve jobs until the parent process is gone."""
    _configure_process()
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        logging.basicConfig(
            filename=log_path, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
        )
    store = Store(db_url)
    wid = worker_id()
    recover_interrupted(store)
    engine = Engine(Path(home))
    log.info("worker %s ready", wid)
    while True:
        if (parent_pid and not pid_alive(parent_pid)) or (parent_pid and os.getppid() != parent_pid):
            log.info("parent %s is gone; worker exits", parent_pid)
            return
        try:
            job = store.claim_job(wid)
        except StoreError as exc:
            log.warning("claim failed: %s", exc)
            job = None
        if job is None:
            time.sleep(POLL_SECONDS)
            continue
        log.info("job %s (run %s) starts", job["id"], job["run_id"])
        execute_job(store, engine, job)
