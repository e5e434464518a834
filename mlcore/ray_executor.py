"""The Ray executor: the same job queue, served by Ray tasks instead of the local worker process.

Chosen with ``MOATLAB_EXECUTOR=ray`` (see :func:`mlcore.jobs.make_job_manager`). Jobs still live
in the store's ``jobs`` table: queue positions, stop requests, live progress and the final record
stay where the pages read them. :class:`RayJobManager` runs a dispatcher thread in the app
process that claims queued jobs from the store (one transaction per claim, exactly as the local
worker does, so two app processes never claim the same job) and runs each as a Ray task. The task
imports the engine in a Ray worker process and calls the local worker's own
:func:`~mlcore.worker.execute` (the same job skeleton for every kind) with the store's URL, so
heartbeats, progress, stop requests and the final record go through the store unchanged.

Learning-curve sweeps and seed repeats fan out: every (fraction × seed) training is its own Ray
task (:class:`RayFanOut`), and the scores are gathered into the same ``LearningCurve`` /
``RepeatResult`` the local worker builds (same plan, same split and seeds, and every training
by its planned budget: a sweep's fractions to convergence, see :func:`mlcore.tasks.curve_budget`).

Where Ray runs: ``MOATLAB_RAY_ADDRESS`` or Ray's own ``RAY_ADDRESS`` names a cluster to join; when
neither is set the dispatcher starts a local Ray instance bound to the loopback interface, with no
dashboard, ``MOATLAB_RAY_CPUS`` CPUs (default: all of the machine's) and quiet logging. The code
travels with the job (Ray ``py_modules``: :data:`SHIPPED_PACKAGES`); the cluster's nodes need
the Python requirements installed, a database they can reach (``DATABASE_URL``, PostgreSQL) and
the artifact folder (``MOATLAB_ARTIFACT_DIR``, handed to the workers with the jobs) mounted.

The web process imports ``ray`` (never TensorFlow): the engine is imported only inside the Ray
tasks, in Ray's worker processes.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import settings
from mlcore import worker as worker_mod
from mlcore.jobs import JobManager
from mlcore.specs import TrainRequest
from store import QUICK_KINDS, Store, StoreError
from store.schema import JobStatus

if TYPE_CHECKING:  # the engine imports Keras: only inside Ray tasks
    from mlcore.datasets import Dataset
    from mlcore.engine.experiments import FitScore
    from mlcore.experiment_plan import FitTask

log = logging.getLogger("moatlab.ray")

#: Environment variables naming the Ray cluster to join, first one set wins.
ADDRESS_VARS: tuple[str, ...] = ("MOATLAB_RAY_ADDRESS", "RAY_ADDRESS")
CPUS_VAR = "MOATLAB_RAY_CPUS"
JOBS_VAR = "MOATLAB_RAY_JOBS"
#: The project's packages shipped to Ray's workers with every job (all that ``mlcore`` imports).
SHIPPED_PACKAGES: tuple[str, ...] = ("mlcore", "store", "safetext", "settings", "tablecheck", "measurements")
#: Settings the app process hands to every Ray worker (the artifact folder above all).
FORWARDED_VARS: tuple[str, ...] = (
    "MOATLAB_ARTIFACT_DIR",
    "MOATLAB_OFFLINE",
    "MOATLAB_CPU_DEVICES",
    "MOATLAB_CPU_TDP_W",
)
#: Ray's switch that makes a local instance advertise and bind the loopback address only; read
#: when ``ray`` is first imported, so it is set before that when no cluster address is given.
_LOOPBACK_VAR = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
#: How often (seconds) the dispatcher and a fan-out look at their Ray tasks and the store.
POLL_SECONDS = 0.3
#: Long jobs (training, sweeps, …) running at once on the cluster, across every app process
#: sharing the store (``MOATLAB_RAY_JOBS``; a sweep's fan-out runs inside one of them).
LONG_PARALLEL = 1
#: At most this many served jobs are remembered in :attr:`RayJobManager.served`.
SERVED_KEEP = 100
_SHUTDOWN_REASON = (
    "the app was shut down while this job ran on Ray; history up to the last finished epoch is kept"
)


class RayConfigError(ValueError):
    """A Ray setting in the environment cannot be used; the message names it and what to set."""


def ray_address() -> str | None:
    """The cluster address from ``MOATLAB_RAY_ADDRESS`` or ``RAY_ADDRESS``; None: start a local one."""
    for name in ADDRESS_VARS:
        value = settings.read(name)
        if value:
            return str(value)
    return None


def _count_setting(var: str, what: str) -> int | None:
    """A whole number ≥ 1 from the environment variable ``var`` (None when unset or empty);
    anything else is a :class:`RayConfigError` that says what to set."""
    try:
        return settings.read(var)
    except settings.SettingError:
        text = os.environ.get(var, "").strip()
        raise RayConfigError(f"{var}={text!r} is not a {what}; set a whole number ≥ 1 or unset it") from None


def ray_cpus() -> int | None:
    """CPUs of a local Ray instance from ``MOATLAB_RAY_CPUS`` (None: all of the machine's)."""
    return _count_setting(CPUS_VAR, "CPU count")


def ray_jobs() -> int:
    """Long jobs at once on the cluster from ``MOATLAB_RAY_JOBS`` (default :data:`LONG_PARALLEL`)."""
    value = _count_setting(JOBS_VAR, "job count")
    return LONG_PARALLEL if value is None else value


def connect(address: str | None = None, *, num_cpus: int | None = None) -> bool:
    """Connect this process to Ray: join ``address``, or start a local instance (loopback only, no
    dashboard, ``num_cpus`` CPUs, quiet logs). Returns True when this call connected (the caller
    then owns :func:`ray.shutdown`), False when the process was already connected.

    Start a local instance from a thread that lives as long as Ray is used: Ray's processes end
    with the thread that started them.
    """
    if address is None and "ray" not in sys.modules:
        os.environ.setdefault(_LOOPBACK_VAR, "0")
    import ray

    import mlcore
    import safetext
    import store

    if ray.is_initialized():
        return False
    runtime_env: dict[str, Any] = {"py_modules": [mlcore, store, safetext]}  # SHIPPED_PACKAGES
    # Where model files live and how the engine behaves travel with the jobs, so a cluster's
    # workers write into the same artifact folder as the app reads from.
    passed = {k: os.environ[k] for k in FORWARDED_VARS if os.environ.get(k)}
    if passed:
        runtime_env["env_vars"] = passed
    common: dict[str, Any] = {
        "logging_level": logging.WARNING,
        "log_to_driver": False,
        "runtime_env": runtime_env,
    }
    if address is None:
        ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, **common)
    else:
        ray.init(address=address, **common)
    return True


@functools.cache
def _remote_functions() -> tuple[Any, Any]:
    """The Ray remote functions (made on first use, so importing this module never imports ray).

    Jobs are never retried by Ray: a job is claimed once and a failure is reported, not re-run.
    """
    import ray

    job = ray.remote(num_cpus=1, max_retries=0)(_serve_job)
    point = ray.remote(num_cpus=1, max_retries=0)(_fit_point)
    return job, point


# --------------------------------------------------------------------------- inside Ray workers

_STORES: dict[str, Store] = {}
_ENGINES: dict[str, worker_mod.Engine] = {}


def _worker_store(db_url: str) -> Store:
    if db_url not in _STORES:
        _STORES[db_url] = Store(db_url)
    return _STORES[db_url]


def _worker_engine(home: str) -> worker_mod.Engine:
    """The engine of this Ray worker process (TensorFlow imported and the peak probed once per
    process, datasets and quick-lane models cached, like the local worker's)."""
    if home not in _ENGINES:
        worker_mod._configure_process()
        _ENGINES[home] = worker_mod.Engine(Path(home), fan_out=RayFanOut(home))
    return _ENGINES[home]


def _serve_job(db_url: str, home: str, job: dict[str, Any]) -> dict[str, Any]:
    """Ray task: run one claimed job through the local worker's code path; returns a summary.

    Progress, heartbeats, stop requests and the final record go through the store. An exception
    that escapes (the final record could not be written, an internal error) fails the task; the
    dispatcher then marks the job ``failed`` with the reason.
    """
    import ray

    store = _worker_store(db_url)
    engine = _worker_engine(home)
    fan_out = engine.fan_out
    if isinstance(fan_out, RayFanOut):
        fan_out.task_ids = []
    t0 = time.perf_counter()
    status_text = worker_mod.execute(store, engine, job, executor="ray", executor_version=ray.__version__)
    return {
        "job_id": job["id"],
        "status": status_text,
        "seconds": time.perf_counter() - t0,
        "node_id": ray.get_runtime_context().get_node_id(),
        "pid": os.getpid(),
        "fan_out": list(fan_out.task_ids) if isinstance(fan_out, RayFanOut) else [],
    }


def _fit_point(home: str, request: TrainRequest, data: Dataset, task: FitTask) -> FitScore:
    """Ray task: one planned training of a sweep or a repeat (its samples, seed and budget),
    through the engine's own ``fit_and_score``."""
    from mlcore.engine.experiments import fit_and_score

    engine = _worker_engine(home)
    try:
        device = engine.train_device(force_cpu=request.force_cpu)
        return fit_and_score(request, data, task.train_idx, seed=task.seed, device=device, budget=task.budget)
    finally:
        with engine.session_lock:
            worker_mod.release_engine_memory()


class RayFanOut:
    """Runs an experiment's trainings as one Ray task each (a
    :class:`~mlcore.engine.experiments.FitRunner`): the data goes to Ray's object store once,
    every (fraction × seed) point is a task, and the scores come back in plan order.

    A stop cancels the tasks not yet finished and keeps the finished ones (``None`` for the rest);
    a failed training fails the experiment with its own error (the other tasks are cancelled).
    ``task_ids`` lists the Ray task ids launched for the current job.
    """

    def __init__(self, home: str) -> None:
        self.home = home
        self.task_ids: list[str] = []

    def __call__(
        self,
        request: TrainRequest,
        data: Dataset,
        tasks: Sequence[FitTask],
        *,
        report: Callable[[int, str], None],
        stop_event: threading.Event | None,
    ) -> list[FitScore | None]:
        import ray

        _, point = _remote_functions()
        scores: list[FitScore | None] = [None] * len(tasks)
        if not tasks:
            return scores
        data_ref = ray.put(data)
        refs = [
            point.options(name=f"moatlab-fit-{i + 1}-of-{len(tasks)}").remote(
                self.home, request, data_ref, task
            )
            for i, task in enumerate(tasks)
        ]
        self.task_ids += [ref.task_id().hex() for ref in refs]
        where = {ref: i for i, ref in enumerate(refs)}
        pending = list(refs)
        report(0, f"{tasks[0].message} ({len(tasks)} Ray tasks)")
        try:
            while pending:
                if stop_event is not None and stop_event.is_set():
                    break
                ready, pending = ray.wait(pending, num_returns=1, timeout=POLL_SECONDS)
                for ref in ready:
                    scores[where[ref]] = _unwrap(ray, ref)
                if ready:
                    done = sum(s is not None for s in scores)
                    running = min(where[r] for r in pending) if pending else len(tasks) - 1
                    report(done, f"{tasks[running].message} ({len(tasks)} Ray tasks)")
        finally:
            for ref in pending:  # a stop or a failure: the rest is not needed
                ray.cancel(ref)
        return scores


def _unwrap(ray: Any, ref: Any) -> Any:
    """``ray.get`` that raises a failed task's own exception (a ``SpecError`` stays one)."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, Exception):
            raise cause from None
        raise


def describe_ray_error(exc: BaseException) -> str:
    """One line for people about a failed Ray task: the task's own error, or how it died
    (``WorkerCrashedError: The worker died unexpectedly …``, ``NodeDiedError: …``)."""
    import ray

    cause = getattr(exc, "cause", None)
    if isinstance(exc, ray.exceptions.RayTaskError) and isinstance(cause, BaseException):
        return worker_mod.one_line_error(cause)
    return worker_mod.one_line_error(exc)


# --------------------------------------------------------------------------- in the app process


@dataclass(frozen=True)
class _Claim:
    job: dict[str, Any]
    worker_id: str
    started: float

    @property
    def quick(self) -> bool:
        return self.job["kind"] in QUICK_KINDS


class SubmitRefused(RuntimeError):
    """Ray refused to start a task (the cluster is unreachable or failing): the claimed job went
    back to the queue, and the dispatcher backs off before claiming again."""


class RayJobManager(JobManager):
    """The job interface served by Ray: the same ``submit`` / ``view`` / ``stop`` / ``active``
    as :class:`~mlcore.jobs.JobManager`, with a dispatcher thread instead of a worker process.

    The dispatcher connects to Ray (``address``; None: a local instance of ``num_cpus`` CPUs),
    claims the oldest queued job when fewer than ``long_parallel`` long jobs run (store-wide),
    and quick jobs (``predict``) beside them; each job is claimed under its own worker id
    ``<host>:<pid>/ray-<n>``. A Ray task that fails (its worker died, its node was lost) marks its
    job ``failed`` with a one-line reason, the saved history kept, like the local supervisor.
    ``worker_problem`` says why Ray cannot be reached (it retries, backing off to a minute).
    ``start_worker=False`` makes a client that only submits and watches.
    """

    executor = "ray"

    def __init__(
        self,
        store: Store,
        home: Path,
        *,
        start_worker: bool = True,
        address: str | None = None,
        num_cpus: int | None = None,
        long_parallel: int | None = None,
    ) -> None:
        super().__init__(store, home, start_worker=False)
        self.address = address if address is not None else ray_address()
        self.num_cpus = num_cpus if num_cpus is not None else ray_cpus()
        self.long_parallel = long_parallel if long_parallel is not None else ray_jobs()
        #: Summaries returned by finished Ray tasks, by job id (status, seconds, node, pid, the
        #: fan-out's task ids), the newest :data:`SERVED_KEEP`.
        self.served: dict[str, dict[str, Any]] = {}
        self._inflight: dict[Any, _Claim] = {}
        self._to_fail: list[tuple[_Claim, str]] = []
        self._slots = itertools.count(1)
        self._wake = threading.Event()
        self._connected = threading.Event()
        self._owns_ray = False
        self._last_sweep = time.monotonic()
        self._last_beat = time.monotonic()
        if start_worker:
            self._supervisor = threading.Thread(
                target=self._dispatch, name="moatlab-ray-dispatcher", daemon=True
            )
            self._supervisor.start()

    # ------------------------------------------------------------------ the job interface
    def ensure_worker(self) -> None:
        """Wake the dispatcher (a job was just queued)."""
        self._wake.set()

    def check_worker(self) -> None:
        """Nothing to check here: the dispatcher reaps its Ray tasks itself."""

    @property
    def worker_pid(self) -> int | None:
        return None

    def wait_connected(self, timeout: float) -> bool:
        """Block until the dispatcher has connected to Ray (True) or ``timeout`` seconds pass."""
        return self._connected.wait(timeout)

    def close(self, *, timeout: float = 10.0) -> None:
        """Stop dispatching; running jobs are cancelled and end ``interrupted``; a local Ray
        instance this manager started is shut down."""
        self._closed.set()
        self._wake.set()
        thread = self._supervisor
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout)

    # ------------------------------------------------------------------ the dispatcher
    def _dispatch(self) -> None:
        backoff = 1.0
        while not self._closed.is_set():
            if not self._connected.is_set():
                try:
                    self._owns_ray = connect(self.address, num_cpus=self.num_cpus)
                except Exception as exc:  # an unreachable cluster is reported, then retried
                    where = f"the Ray cluster at {self.address}" if self.address else "a local Ray instance"
                    self.worker_problem = (
                        f"the Ray executor cannot reach {where} ({worker_mod.one_line_error(exc)}); "
                        f"check {' or '.join(ADDRESS_VARS)}"
                    )
                    log.warning("%s", self.worker_problem)
                    self._closed.wait(backoff)
                    backoff = min(60.0, backoff * 2)
                    continue
                self.worker_problem = None
                self._connected.set()
                log.info("Ray executor connected (%s)", self.address or "local instance")
            try:
                self._step()
            except StoreError as exc:
                log.warning("store unavailable: %s", exc)
                self._closed.wait(1.0)
            except Exception as exc:  # Ray itself failed (the cluster went away): say so, retry
                self.worker_problem = f"the Ray executor failed ({worker_mod.one_line_error(exc)})"
                log.error("Ray dispatcher:\n%s", traceback.format_exc())
                self._closed.wait(backoff)
                backoff = min(60.0, backoff * 2)
            else:
                backoff = 1.0
                self.worker_problem = None
        self._shutdown()

    def _step(self) -> None:
        import ray

        self._reap(ray, timeout=0)
        self._beat_inflight()
        self._launch()
        if time.monotonic() - self._last_sweep >= worker_mod.SWEEP_SECONDS:
            self._last_sweep = time.monotonic()
            worker_mod.recover_interrupted(self.store)
        if self._inflight:
            ray.wait(list(self._inflight), num_returns=1, timeout=POLL_SECONDS)
        else:
            self._wake.wait(POLL_SECONDS)
        self._wake.clear()

    def _beat_inflight(self) -> None:
        """Keep the heartbeat of every job this dispatcher holds fresh, also while its Ray task
        still waits for a CPU (before the task's own monitor beats), so no sweep on any replica
        takes a job that merely waits for the cluster for an orphan."""
        now = time.monotonic()
        if now - self._last_beat < worker_mod.FOREGROUND_BEAT_SECONDS:
            return
        self._last_beat = now
        for claim in list(self._inflight.values()):
            self.store.heartbeat(claim.job["id"])

    def _reap(self, ray: Any, *, timeout: float) -> None:
        """Collect finished Ray tasks; a failed one fails its job with the reason."""
        if self._inflight:
            refs = list(self._inflight)
            ready, _ = ray.wait(refs, num_returns=len(refs), timeout=timeout)
            for ref in ready:
                claim = self._inflight.pop(ref)
                try:
                    summary = ray.get(ref)
                except Exception as exc:
                    how = describe_ray_error(exc)
                    self.last_worker_exit = how
                    log.error("job %s: its Ray task failed: %s", claim.job["id"], how)
                    self._to_fail.append((claim, how))
                    continue
                self.served[claim.job["id"]] = summary
                while len(self.served) > SERVED_KEEP:
                    self.served.pop(next(iter(self.served)))
        retry, self._to_fail = self._to_fail, []
        for claim, how in retry:
            reason = (
                f"the Ray task running this job stopped unexpectedly ({how}); the history up to the "
                "last finished epoch is kept. The next job runs on a new Ray task."
            )
            try:  # only a job still ``running`` under this claim changes
                self.store.fail_running(status=JobStatus.FAILED, reason=reason, worker_id=claim.worker_id)
            except StoreError:
                self._to_fail.append((claim, how))  # the database is down: next tick

    def _launch(self) -> None:
        """Claim queued jobs (long lane, then quick lane) and start a Ray task for each."""
        long_running = sum(not c.quick for c in self._inflight.values())
        while long_running < self.long_parallel and not self._closed.is_set():
            if not self._claim_one(quick=False):
                break
            long_running += 1
        quick_running = sum(c.quick for c in self._inflight.values())
        while quick_running < worker_mod.QUICK_PARALLEL and not self._closed.is_set():
            if not self._claim_one(quick=True):
                break
            quick_running += 1

    def _claim_one(self, *, quick: bool) -> bool:
        wid = worker_mod.worker_id(slot=f"ray-{next(self._slots)}")
        limit = worker_mod.QUICK_PARALLEL if quick else self.long_parallel
        job = self.store.claim_job(wid, max_running=limit, quick=quick)
        if job is None:
            return False
        claim = _Claim(job, wid, time.monotonic())
        serve, _ = _remote_functions()
        try:
            # A prediction asks for no CPU, so it never waits behind training (the quick lane).
            ref = serve.options(name=f"moatlab-{job['kind']}-{job['id']}", num_cpus=0 if quick else 1).remote(
                self.store.url, str(self.home), job
            )
        except Exception as exc:  # Ray refused the task: the job goes back to the queue
            try:
                self.store.release_claim(job["id"], wid)
            except StoreError:
                self._to_fail.append((claim, describe_ray_error(exc)))  # cannot requeue: say why
            raise SubmitRefused(describe_ray_error(exc)) from exc
        self._inflight[ref] = claim
        log.info("job %s (%s) runs on Ray as %s", job["id"], job["kind"], wid)
        return True

    def _shutdown(self) -> None:
        """On close: cancel running Ray tasks, mark their jobs ``interrupted``, stop a local Ray."""
        import ray

        if not self._connected.is_set():
            return
        for ref, claim in list(self._inflight.items()):
            ray.cancel(ref, force=True)
            try:
                self.store.fail_running(
                    status=JobStatus.INTERRUPTED, reason=_SHUTDOWN_REASON, worker_id=claim.worker_id
                )
            except StoreError as exc:
                log.warning("job %s could not be marked interrupted: %s", claim.job["id"], exc)
        self._inflight.clear()
        if self._owns_ray:
            ray.shutdown()
