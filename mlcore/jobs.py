"""The job interface the web process uses: submit, progress, stop, result.

Jobs live in the store's ``jobs`` table, so queued work survives a restart and several app
processes can share the queue. :class:`JobManager` is the local implementation: it keeps one
training worker process (multiprocessing ``spawn``; see :mod:`mlcore.worker`) alive, and a
supervisor thread that marks the running job ``failed`` when the worker dies and starts a new
worker for the next job.

Nothing here imports TensorFlow.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing as mp
import os
import secrets
import signal
import sys
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import settings
from mlcore import worker as worker_mod
from mlcore.runs import get_run, queued_record, run_row
from mlcore.specs import FINAL_STATUSES, EpochReport, RunRecord, SpecError, StageReport, TrainRequest
from mlcore.tasks import TASK_KINDS, TaskProgress, parse_params
from store import Store, StoreError
from store.schema import JobStatus


def describe_exit(code: int | None) -> str:
    """How a process ended, for people: ``signal 9 (SIGKILL)`` or ``exit code 1``.

    >>> describe_exit(-9)
    'signal 9 (SIGKILL)'
    >>> describe_exit(1)
    'exit code 1'
    """
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            return f"signal {-code}"
        return f"signal {-code} ({name})"
    return f"exit code {code}"


#: A worker that dies within this many seconds of its start counts as failing to start.
QUICK_DEATH_SECONDS = 20.0
#: The supervisor sweeps jobs of dead processes every this many seconds.
SWEEP_TICKS = 10
#: Finished prediction jobs are deleted after this many seconds.
PREDICTION_KEEP_SECONDS = 3600.0


@contextlib.contextmanager
def _plain_main_module() -> Iterator[None]:
    """Hide the web app's script from multiprocessing while a worker starts.

    ``spawn`` re-imports the parent's ``__main__`` in the child; under ``streamlit run`` that is
    ``app.py``, which would run the whole app (and its imports) inside the worker. The worker
    needs nothing from ``__main__``, so a blank module stands in while the child is prepared.
    """
    original = sys.modules.get("__main__")
    blank = types.ModuleType("__main__")
    sys.modules["__main__"] = blank
    try:
        yield
    finally:
        if sys.modules.get("__main__") is blank and original is not None:
            sys.modules["__main__"] = original


@dataclass(frozen=True)
class JobView:
    """What a page shows about one job: status, queue position, live progress, the run.

    A training job (``kind`` ``train``) reports ``stage`` (a :class:`StageReport`: what it does
    before its first batch) and then ``progress`` (an :class:`EpochReport`); any other job reports
    ``task`` (a :class:`TaskProgress`) and ends with ``result`` (its JSON).
    """

    job_id: str
    run_id: str
    status: str
    queue_position: int | None
    progress: EpochReport | None
    run: RunRecord | None
    error: str | None
    stop_requested: bool
    kind: str = "train"
    task: TaskProgress | None = None
    result: dict[str, Any] | None = None
    stage: StageReport | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES


class JobManager:
    """Local job executor: one worker process trains one job at a time from the store's queue.

    ``start_worker=False`` makes a client that only submits and watches (another process, or
    a test, serves the queue). :func:`make_job_manager` picks this one or the Ray executor.
    """

    #: What serves the queue (see :data:`EXECUTORS`).
    executor: str = "local"

    def __init__(self, store: Store, home: Path, *, start_worker: bool = True) -> None:
        self.store = store
        self.home = home
        self._ctx = mp.get_context("spawn")
        self._proc: mp.process.BaseProcess | None = None
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._supervisor: threading.Thread | None = None
        self.last_worker_exit: str | None = None
        #: Set (a sentence) when the worker keeps dying at start-up; pages show it.
        self.worker_problem: str | None = None
        self._quick_deaths = 0
        self._not_before = 0.0
        self._started_at = 0.0
        self._ready: Any = None  # the running worker's "engine loaded" event
        worker_mod.recover_interrupted(store)
        if start_worker:
            self.ensure_worker()
            self._supervisor = threading.Thread(
                target=self._supervise, name="moatlab-supervisor", daemon=True
            )
            self._supervisor.start()

    # ------------------------------------------------------------------ worker
    def ensure_worker(self) -> None:
        """Start the worker process unless one is alive (or a restart is being backed off)."""
        with self._lock:
            if self._closed.is_set():
                return
            if self._proc is not None and self._proc.is_alive():
                return
            if time.monotonic() < self._not_before:
                return
            ready = self._ctx.Event()
            proc = self._ctx.Process(
                target=worker_mod.main,
                args=(self.store.url, str(self.home), os.getpid()),
                kwargs={
                    "log_path": str(self.home / "logs" / "worker.log"),
                    "ready": ready,
                    "started_at": time.time(),
                },
                name="moatlab-worker",
                daemon=True,
            )
            with _plain_main_module():
                proc.start()
            self._proc, self._ready = proc, ready
            self._started_at = time.monotonic()

    @property
    def worker_starting(self) -> bool:
        """Whether this manager's worker process is alive but still loading its engine
        (TensorFlow: seconds): a queued job then waits for it, not for other jobs."""
        proc, ready = self._proc, self._ready
        return proc is not None and ready is not None and proc.is_alive() and not ready.is_set()

    @property
    def worker_pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.is_alive() else None

    def _supervise(self) -> None:
        ticks = 0
        while not self._closed.wait(1.0):
            self.check_worker()
            ticks += 1
            if ticks % SWEEP_TICKS == 0:
                try:
                    worker_mod.recover_interrupted(self.store)
                except StoreError:
                    pass  # the database is down: the next sweep tries again

    def check_worker(self) -> None:
        """If the worker died: fail its running job with the reason, then start a new one
        (after a back-off when it keeps dying at start-up)."""
        with self._lock:
            proc = self._proc
        if self._closed.is_set():
            return
        if proc is None:
            self.ensure_worker()
            return
        if proc.is_alive():
            return
        how = describe_exit(proc.exitcode)
        reason = (
            f"the training worker stopped unexpectedly ({how}); the history up to the last "
            "finished epoch is kept. A new worker serves the next job."
        )
        try:
            self.store.fail_running(
                status=JobStatus.FAILED, reason=reason, worker_id=worker_mod.worker_id(proc.pid)
            )
        except StoreError:
            return  # the database is down: try again on the next tick
        self.last_worker_exit = how
        if time.monotonic() - self._started_at < QUICK_DEATH_SECONDS:
            self._quick_deaths += 1
        else:
            self._quick_deaths = 0
            self.worker_problem = None
        if self._quick_deaths >= 3:
            self.worker_problem = (
                f"the training worker cannot start ({how}, {self._quick_deaths} times in a row); "
                f"the reason is in {self.home / 'logs' / 'worker.log'}"
            )
        # Back off 1, 2, 4 … 60 s between quick deaths, so a broken set-up does not spin.
        delay = min(60.0, 2.0 ** (self._quick_deaths - 1)) if self._quick_deaths else 0.0
        with self._lock:
            if self._proc is proc:
                self._proc = None
            self._not_before = time.monotonic() + delay
        self.ensure_worker()

    def close(self, *, timeout: float = 5.0) -> None:
        """Stop supervising and terminate the worker (a running job ends ``interrupted``)."""
        self._closed.set()
        with self._lock:
            proc = self._proc
            self._proc = None
        if proc is not None and proc.is_alive():
            proc.terminate()
            proc.join(timeout)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout)
        if proc is not None:
            self.store.fail_running(
                status=JobStatus.INTERRUPTED,
                reason=(
                    "the app was shut down while this job ran; history up to the last finished epoch is kept"
                ),
                worker_id=worker_mod.worker_id(proc.pid),
            )

    # ------------------------------------------------------------------ jobs
    def submit(self, request: TrainRequest, *, owner: str | None = None) -> JobView:
        """Queue a training run owned by ``owner`` (None: the manager store's owner, the local
        user for an unscoped store); returns its view (status ``queued``)."""
        record = queued_record(request)
        job_id = secrets.token_hex(8)
        (self.store if owner is None else self.store.scoped(owner)).submit(
            run_row(record),
            {"id": job_id, "run_id": record.id, "kind": "train", "request": json.dumps(request.to_dict())},
        )
        if self._supervisor is not None:
            self.ensure_worker()
        return self.view(job_id)  # type: ignore[return-value]

    def submit_task(self, run_id: str, kind: str, params: dict[str, Any] | None = None) -> JobView:
        """Queue a job on a finished run (see :mod:`mlcore.tasks`); returns its view.

        Raises :class:`~mlcore.specs.SpecError` for an unknown kind, bad parameters or a run
        that does not exist. ``predict`` jobs go to the quick lane; the others wait their turn
        behind training runs.
        """
        if kind not in TASK_KINDS:
            raise SpecError(f"unknown task {kind!r}; choose one of {', '.join(TASK_KINDS)}")
        parsed = parse_params(kind, params)
        if self.store.get_run(run_id) is None:
            raise SpecError(f"run {run_id} does not exist")
        job_id = secrets.token_hex(8)
        request = json.dumps(parsed.to_dict() if parsed is not None else {}, allow_nan=False)
        self.store.submit_job({"id": job_id, "run_id": run_id, "kind": kind, "request": request})
        if kind == "predict":  # every drawn digit is a job: forget answers older than an hour
            self.store.prune_jobs("predict", finished_before=time.time() - PREDICTION_KEEP_SECONDS)
        if self._supervisor is not None:
            self.ensure_worker()
        return self.view(job_id)  # type: ignore[return-value]

    def latest_task(self, run_id: str, kind: str) -> JobView | None:
        """The newest job of ``kind`` on the run (running, queued or finished), or None."""
        job = self.store.job_for_run(run_id, kind=kind)
        return self.view(job["id"]) if job else None

    def view(self, job_id: str) -> JobView | None:
        """The job's current state, or None for an unknown id."""
        job = self.store.get_job(job_id)
        if job is None:
            return None
        kind = job.get("kind") or "train"
        progress: EpochReport | None = None
        stage: StageReport | None = None
        task: TaskProgress | None = None
        result: dict[str, Any] | None = None
        try:
            if job.get("progress"):
                raw = json.loads(job["progress"])
                if kind == "train" and "stage" in raw:
                    stage = StageReport.from_dict(raw)
                elif kind == "train":
                    progress = EpochReport.from_dict(raw)
                else:
                    task = TaskProgress.from_dict(raw)
            if job.get("result"):
                loaded = json.loads(job["result"])
                result = loaded if isinstance(loaded, dict) else None
        except (ValueError, TypeError, KeyError):
            pass  # a garbled progress or result row shows as none, never as a crash
        return JobView(
            job_id=job_id,
            run_id=job["run_id"],
            status=job["status"],
            queue_position=self.store.queue_position(job_id) if job["status"] == JobStatus.QUEUED else None,
            progress=progress,
            run=get_run(self.store, job["run_id"]),
            error=job.get("error"),
            stop_requested=bool(job.get("stop_requested")),
            kind=kind,
            task=task,
            result=result,
            stage=stage,
        )

    def view_for_run(self, run_id: str) -> JobView | None:
        job = self.store.job_for_run(run_id)
        return self.view(job["id"]) if job else None

    def stop(self, job_id: str) -> str | None:
        """Ask the job to stop (queued: at once; running: at its next batch)."""
        return self.store.request_stop(job_id)

    def active(self) -> list[JobView]:
        """Queued and running jobs, oldest first."""
        return [v for j in self.store.active_jobs() if (v := self.view(j["id"])) is not None]


#: The job executors ``MOATLAB_EXECUTOR`` chooses from; the first is the default.
EXECUTORS: tuple[str, ...] = ("local", "ray")
EXECUTOR_VAR = "MOATLAB_EXECUTOR"


class ExecutorError(ValueError):
    """The job executor cannot be set up; the message says what to change."""


def executor_name() -> str:
    """The executor ``MOATLAB_EXECUTOR`` selects (``local`` when unset or empty).

    Raises :class:`ExecutorError` for any other value, naming the choices.
    """
    try:
        return str(settings.read(EXECUTOR_VAR))
    except settings.SettingError:
        raise ExecutorError(
            f"{EXECUTOR_VAR}={os.environ.get(EXECUTOR_VAR)!r} is not a job executor; "
            f"choose one of: {', '.join(EXECUTORS)}"
        ) from None


def make_job_manager(store: Store, home: Path, *, start_worker: bool = True) -> JobManager:
    """The job manager ``MOATLAB_EXECUTOR`` selects: ``local`` (default: a worker process on this
    machine) or ``ray`` (Ray tasks; see :mod:`mlcore.ray_executor`). ``ray`` is imported only
    for the Ray executor. Raises :class:`ExecutorError` for an unknown executor, a missing
    ``ray`` package or a bad Ray setting.
    """
    name = executor_name()
    if name == "local":
        return JobManager(store, home, start_worker=start_worker)
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        raise ExecutorError(
            f"{EXECUTOR_VAR}=ray needs the ray package: pip install -r requirements-ray.txt "
            f"(or unset {EXECUTOR_VAR} to train locally)"
        )
    from mlcore.ray_executor import RayConfigError, RayJobManager

    try:
        return RayJobManager(store, home, start_worker=start_worker)
    except RayConfigError as exc:
        raise ExecutorError(str(exc)) from None
