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

Every job, whatever its kind, goes through one skeleton (:func:`_run_job`): its monitor starts
(heartbeat, progress, stop requests; :mod:`mlcore.job_monitor`), the kind's work runs
(:class:`JobWork`: a training, or a task from :mod:`mlcore.worker_tasks`), a failure becomes a
one-line reason, and the outcome is written with :func:`retry`. The engine a worker loads is
:mod:`mlcore.worker_engine`.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from mlcore.job_monitor import FOREGROUND_BEAT_SECONDS, HEARTBEAT_SECONDS, JobMonitor, pid_alive
from mlcore.specs import EpochReport, RunRecord, SpecError, TrainRequest
from mlcore.tasks import TaskProgress
from mlcore.worker_engine import Engine, release_engine_memory
from mlcore.worker_tasks import TASKS, TaskOutcome, Training, run_task
from store import QUICK_KINDS, RUN_GONE, TRAIN_KIND, JobRow, JobStatus, Store, StoreError

if TYPE_CHECKING:
    from mlcore.datasets import Dataset

__all__ = [
    "FOREGROUND_BEAT_SECONDS",
    "HEARTBEAT_SECONDS",
    "Engine",
    "JobWork",
    "execute",
    "execute_job",
    "execute_task",
    "main",
    "pid_alive",
    "recover_interrupted",
    "retry",
    "run_foreground",
    "run_task_foreground",
    "worker_id",
]

log = logging.getLogger("moatlab.worker")

POLL_SECONDS = 0.3
STALE_AFTER_SECONDS = 60.0
FINISH_RETRIES = 60  # attempts at a job's final write: the only copy of its results
FINISH_WAIT_SECONDS = 2.0  # between two of those attempts
SWEEP_SECONDS = 10.0
_INTERRUPTED_REASON = (
    "the process running this job stopped (server restart or crash); "
    "history up to the last finished epoch is kept"
)
#: The names tests and older callers use for the pieces that moved out of this module.
_Monitor = JobMonitor
_TASKS = TASKS
_release_engine_memory = release_engine_memory


def worker_id(pid: int | None = None, *, slot: str = "") -> str:
    """``<hostname>:<pid>``: identifies the process holding a job.

    ``slot`` names one job among several that the process holds (the Ray executor claims each
    job under ``<hostname>:<pid>/<slot>``, so one failed Ray task fails only its own job).
    """
    base = f"{socket.gethostname()}:{pid or os.getpid()}"
    return f"{base}/{slot}" if slot else base


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
            closed += store.fail_running(
                status=JobStatus.INTERRUPTED, reason=_INTERRUPTED_REASON, worker_id=wid
            )
    closed += store.fail_running(
        status=JobStatus.INTERRUPTED,
        reason=_INTERRUPTED_REASON,
        stale_before=time.time() - STALE_AFTER_SECONDS,
    )
    closed += _recover_foreground_runs(store)
    return closed


def _recover_foreground_runs(store: Store) -> list[str]:
    from mlcore.runs import get_run, now_iso

    stale_before = time.time() - STALE_AFTER_SECONDS
    closed = []
    for row in store.list_runs():
        if row["status"] != JobStatus.RUNNING or float(row["updated_at"]) >= stale_before:
            continue
        if store.job_for_run(row["id"]) is not None:
            continue  # a queued job: the jobs table decides (above)
        run = get_run(store, row["id"])
        if run is None:
            continue
        final = run.replace(status=JobStatus.INTERRUPTED, error=_INTERRUPTED_REASON, finished_at=now_iso())
        store.update_run(run.id, status=JobStatus.INTERRUPTED, record=final.to_json())
        closed.append(run.id)
    return closed


def one_line_error(exc: BaseException, *, limit: int = 300) -> str:
    """``<Type>: <first line of the message>``, at most ``limit`` characters of message."""
    text = str(exc).strip()
    first = text.splitlines()[0][:limit] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


T = TypeVar("T")


def retry(fn: Callable[[], T], *, attempts: int, wait_seconds: float, log_what: str) -> T:
    """``fn()``, called again after ``wait_seconds`` while it raises :class:`~store.StoreError`
    (the database briefly unavailable), at most ``attempts`` times in all; the last error
    propagates. ``log_what`` names what is being written in the warning each retry logs."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except StoreError as exc:
            if attempt == attempts:
                raise
            log.warning("%s failed (%s); retrying", log_what, exc)
            time.sleep(wait_seconds)
    raise ValueError(f"retry needs at least one attempt, not {attempts}")


def _retry_finish(fn: Callable[[], T], log_what: str) -> T:
    """:func:`retry` with the policy of a job's final write (the only copy of its results)."""
    return retry(fn, attempts=FINISH_RETRIES, wait_seconds=FINISH_WAIT_SECONDS, log_what=log_what)


@dataclass(frozen=True)
class JobWork(Generic[T]):
    """The kind-specific part of a job, for :func:`_run_job`.

    ``run(monitor)`` does the work and returns its value, publishing progress through the
    monitor and stopping when ``monitor.stop_event`` is set. ``out_of_memory`` says what to
    change when memory runs out; ``explain(exc)`` words the kind's own errors (None: the
    shared rules decide); ``release_engine`` clears Keras' state afterwards (not for the quick
    lane, which must not clear state a long job is using).
    """

    run: Callable[[JobMonitor], T]
    out_of_memory: str
    explain: Callable[[Exception], str | None] = lambda _exc: None
    release_engine: bool = True


def _run_job(
    store: Store,
    engine: Engine,
    job: Mapping[str, Any],
    work: JobWork[T],
    *,
    in_store: bool = True,
    stop_event: threading.Event | None = None,
    on_report: Callable[[Any], None] | None = None,
    parent_pid: int = 0,
) -> tuple[T | None, str | None, JobMonitor]:
    """The skeleton every job goes through once claimed: start its monitor (heartbeat, progress,
    stop requests), run ``work``, turn a failure into a one-line reason, stop the monitor (it
    saves the last progress) and release the engine. Returns ``(value, error, monitor)``: the
    work's value (None when it failed) and the reason it failed; the caller writes the outcome.
    """
    from mlcore.errors import DatasetError

    monitor = JobMonitor(
        store,
        job["id"],
        run_id=job["run_id"],
        in_store=in_store,
        stop_event=stop_event,
        on_report=on_report,
        parent_pid=parent_pid,
    )
    monitor.start()
    value: T | None = None
    error: str | None = None
    try:
        try:
            value = work.run(monitor)
        except (DatasetError, SpecError) as exc:
            error = str(exc)
        except MemoryError:
            error = f"out of memory: {work.out_of_memory}"
        except StoreError as exc:
            error = f"the run store failed during the job: {exc}"
        except Exception as exc:  # anything else from Keras/TF ends this job, not the worker
            error = work.explain(exc)
            if error is None:
                log.error("job %s (%s) failed:\n%s", job["id"], job["kind"], traceback.format_exc())
                error = one_line_error(exc)
    finally:
        monitor.close()  # first: saves the last finished epoch before a failed record is built
        if work.release_engine:
            with engine.session_lock:
                release_engine_memory()
    return value, error, monitor


def _explain_train_error(exc: Exception) -> str | None:
    """A training's own errors: a full disk or an unwritable artifact folder, said plainly."""
    from mlcore.artifacts import ArtifactError

    if isinstance(exc, ArtifactError):
        return str(exc)
    if isinstance(exc, OSError):
        return f"could not write the model file ({exc.strerror or exc}); check free disk space"
    return None


def execute_job(
    store: Store,
    engine: Engine,
    job: Mapping[str, Any],
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
    t0 = time.perf_counter()
    served_by = {"executor": executor} | ({executor: executor_version} if executor_version else {})
    train = Training(store, engine, job, t0=t0, data=data, callbacks=callbacks, served_by=served_by)
    record, error, monitor = _run_job(
        store,
        engine,
        job,
        JobWork(train.run, "choose a smaller model, batch size or dataset", _explain_train_error),
        in_store=in_store,
        stop_event=stop_event,
        on_report=on_report,
        parent_pid=parent_pid,
    )
    if record is None:
        record = _failed(store, monitor.last_record or train.base, error or "unknown error", t0)
    if monitor.orphaned:
        record = record.replace(status=JobStatus.INTERRUPTED, error=_INTERRUPTED_REASON)
    record = record.replace(versions=record.versions | served_by)
    _finish(store, job["id"], record)
    return record


def execute_task(
    store: Store,
    engine: Engine,
    job: Mapping[str, Any],
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
    work = JobWork(
        lambda monitor: run_task(store, engine, job, monitor),
        "choose smaller batch sizes or fewer samples",
        release_engine=job["kind"] not in QUICK_KINDS,  # the quick lane must not clear a long job's state
    )
    outcome, error, monitor = _run_job(
        store,
        engine,
        job,
        work,
        in_store=in_store,
        stop_event=stop_event,
        on_report=on_progress,
        parent_pid=parent_pid,
    )
    outcome = outcome or TaskOutcome(JobStatus.FAILED, error=error)
    status, error = outcome.status, outcome.error
    if monitor.orphaned and status != JobStatus.COMPLETED:
        status, error = JobStatus.INTERRUPTED, _INTERRUPTED_REASON
    status, error = _finish_task(
        store,
        job["id"],
        job["run_id"],
        status=status,
        result=outcome.result,
        error=error,
        fields=outcome.fields,
    )
    return status, outcome.result, error


def execute(
    store: Store,
    engine: Engine,
    job: Mapping[str, Any],
    *,
    parent_pid: int = 0,
    executor: str = "local",
    executor_version: str | None = None,
) -> str:
    """Run one claimed job of any kind to its end (:func:`execute_job` for a training,
    :func:`execute_task` otherwise); returns the status it ended with."""
    if job["kind"] == TRAIN_KIND:
        record = execute_job(
            store, engine, job, parent_pid=parent_pid, executor=executor, executor_version=executor_version
        )
        return record.status
    return execute_task(store, engine, job, parent_pid=parent_pid)[0]


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
        status, text, fields = JobStatus.FAILED, None, None
        error = "the job produced non-finite numbers (NaN or infinity); nothing was stored"
    stored = _retry_finish(
        lambda: store.finish_task(
            job_id, status=status, result=text, error=error, run_id=run_id, run_fields=fields
        ),
        f"closing job {job_id}",
    )
    if not stored:
        log.error("job %s: run %s was deleted while it ran; its result was not stored", job_id, run_id)
        return JobStatus.FAILED, RUN_GONE
    return status, error


def _finish(store: Store, job_id: str, record: RunRecord) -> None:
    """Write the final record, retrying while the database is briefly unavailable."""
    _retry_finish(
        lambda: store.finish_job(
            job_id, record.id, status=record.status, record=record.to_json(), error=record.error
        ),
        f"writing the final record of run {record.id}",
    )


def _failed(store: Store, latest: RunRecord, error: str, t0: float) -> RunRecord:
    """The failed record: the latest record known (with its saved epochs), the error, the time."""
    from mlcore.runs import get_run, now_iso

    if not latest.history:
        try:  # a record saved by an earlier process (none in memory) keeps its epochs too
            latest = get_run(store, latest.id) or latest
        except StoreError:
            pass
    return latest.replace(
        status=JobStatus.FAILED,
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
    :data:`store.RUN_GONE`. A prediction stores nothing and needs no row.
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
            if row is not None and row["status"] == JobStatus.RUNNING:
                store.finish_task(
                    job["id"], status=JobStatus.INTERRUPTED, error="the command line was interrupted"
                )
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

    record = queued_record(request).replace(status=JobStatus.RUNNING, started_at=now_iso())
    store.insert_run(run_row(record))
    job = {
        "id": "fg-" + secrets.token_hex(6),
        "run_id": record.id,
        "kind": TRAIN_KIND,
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
            status=JobStatus.STOPPED,
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


def _start(db_url: str, home: str, started_at: float | None, t_main: float) -> tuple[Store, str, Engine]:
    """Open the store, recover jobs of dead processes and load the engine (TensorFlow); logs how
    long each took. Returns ``(store, worker id, engine)``; exit code 3 when any of it fails."""
    try:
        store = Store(db_url)
        wid = worker_id()
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
    return store, wid, engine


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
    store, wid, engine = _start(db_url, home, started_at, t_main)
    if ready is not None:
        ready.set()
    threading.Thread(
        target=_serve_quick_lane, args=(store, engine, wid, parent_pid), name="quick-lane", daemon=True
    ).start()
    _serve_long_lane(store, engine, wid, parent_pid)


def _serve_long_lane(store: Store, engine: Engine, wid: str, parent_pid: int) -> None:
    """Claim and run long jobs (one per machine) until the parent is gone; while none is queued,
    sweep for dead processes' jobs every ``SWEEP_SECONDS`` and warm up one step per look."""
    machine = f"{socket.gethostname()}:"
    last_sweep = time.monotonic()
    warm_up = engine.warm_up_steps()
    while True:
        if parent_pid and (not pid_alive(parent_pid) or os.getppid() != parent_pid):
            log.info("parent %s is gone; worker exits", parent_pid)
            return
        if time.monotonic() - last_sweep >= SWEEP_SECONDS:
            last_sweep = time.monotonic()
            try:
                recover_interrupted(store)
            except StoreError as exc:
                log.warning("store unavailable: %s", exc)
                continue
        job = _claim(store, wid, within=machine)  # one long job per machine
        if job is not None:
            _serve(store, engine, job, parent_pid)
        elif warm_up:
            _warm_up_step(*warm_up.pop(0))
        else:
            time.sleep(POLL_SECONDS)


def _claim(store: Store, wid: str, **lane: Any) -> JobRow | None:
    """:meth:`store.Store.claim_job` for ``wid`` in a lane; None (logged) when the store is
    unavailable, so the loop looks again."""
    try:
        return store.claim_job(wid, **lane)
    except StoreError as exc:
        log.warning("store unavailable: %s", exc)
        return None


def _serve(store: Store, engine: Engine, job: JobRow, parent_pid: int) -> None:
    """Run one claimed job in a lane; whatever happens, the lane lives on and a task whose
    handling crashed is closed ``failed`` (a training's record is closed by :func:`execute_job`)."""
    log.info("job %s (%s, run %s) starts", job["id"], job["kind"], job["run_id"])
    try:
        execute(store, engine, job, parent_pid=parent_pid)
    except StoreError as exc:
        log.error("job %s: its outcome could not be written: %s", job["id"], exc)
    except Exception as exc:  # never leave a job "running" behind a live worker
        log.error("job %s crashed:\n%s", job["id"], traceback.format_exc())
        if job["kind"] != TRAIN_KIND:
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


def _close_crashed(store: Store, job: Mapping[str, Any], exc: BaseException) -> None:
    """Mark a task whose handling itself crashed ``failed``, so it never stays ``running``."""
    try:
        store.finish_task(job["id"], status=JobStatus.FAILED, error=f"internal error: {one_line_error(exc)}")
    except StoreError as err:
        log.error("job %s could not be marked failed: %s", job["id"], err)


#: Quick jobs (a drawn digit) one worker serves at once beside its long job.
QUICK_PARALLEL = 2


def _serve_quick_lane(store: Store, engine: Engine, wid: str, parent_pid: int) -> None:
    """Serve quick jobs (``predict``) beside the long job, so a prediction never waits for training."""
    while True:
        job = _claim(store, wid, quick=True, max_running=QUICK_PARALLEL)
        if job is None:
            time.sleep(0.1)
            continue
        _serve(store, engine, job, parent_pid)
