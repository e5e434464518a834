"""The job queue with a real spawned training worker, on real bundled data (digits).

One worker (one TensorFlow import) serves the module's tests in turn; each test waits for its
own jobs to end, so the queue is empty between tests.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlcore import worker
from mlcore.csv_data import validate_csv
from mlcore.errors import DatasetError
from mlcore.jobs import JobManager
from mlcore.runs import get_run, queued_record, run_row, save_upload
from mlcore.specs import TRAIN_STAGES, EpochRecord, StageReport, TrainRequest, preset_spec
from store import Store
from tests.support.worker import START_SECONDS, digits_request, saved_epochs, wait_finished, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def worker_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("worker-home")


@pytest.fixture(scope="module")
def manager(worker_home: Path) -> Iterator[JobManager]:
    store = Store(f"sqlite:///{worker_home / 'moatlab.db'}")
    jm = JobManager(store, worker_home)
    yield jm
    jm.close()


def test_a_short_job_trains_to_completion(manager: JobManager, worker_home: Path) -> None:
    view = manager.submit(digits_request(epochs=2))
    assert view.status == "queued" and view.run is not None and view.run.status == "queued"
    done = wait_finished(manager, view.job_id)
    assert done.status == "completed", done.error
    run = done.run
    assert run is not None and run.status == "completed"
    assert run.epochs_completed == 2 and len(run.history) == 2
    assert run.test_accuracy is not None and run.test_accuracy > 0.3
    assert run.peak_flops_per_second and run.peak_flops_method and 0 < run.mfu <= 1
    assert run.peak_memory_bytes and run.wall_seconds >= run.train_seconds
    assert (worker_home / run.model_path).is_file()
    assert done.progress is not None and done.progress.epoch == 2  # the last live report
    assert run.name == "article-mlp on digits"


def test_the_worker_says_when_its_engine_is_loaded(manager: JobManager, worker_home: Path) -> None:
    wait_for(lambda: not manager.worker_starting, timeout=START_SECONDS, what="the engine to load")
    assert manager.worker_pid is not None
    log = (worker_home / "logs" / "worker.log").read_text()
    assert "ready" in log and "engine with TensorFlow" in log


def test_a_job_says_what_it_does_before_its_first_batch(
    worker_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Data, then the peak (a new engine's first job only), the model, the first batch: in order,
    before any progress; the next job skips the peak it already measured."""
    seen: list[StageReport] = []
    publish_stage = worker._Monitor.publish_stage

    def spy(self: worker._Monitor, report: StageReport) -> None:
        seen.append(report)
        publish_stage(self, report)

    monkeypatch.setattr(worker._Monitor, "publish_stage", spy)
    store = Store(f"sqlite:///{worker_home / 'stages.db'}")
    client = JobManager(store, worker_home, start_worker=False)
    engine = worker.Engine(worker_home)
    stages_of_jobs = []
    for _ in range(2):
        client.submit(digits_request(epochs=1))
        record = worker.execute_job(store, engine, store.claim_job("test:0"))
        assert record.status == "completed", record.error
        times = [r.elapsed_seconds for r in seen]
        assert times == sorted(times) and times[0] >= 0
        stages_of_jobs.append([r.stage for r in seen])
        seen.clear()
    assert stages_of_jobs == [list(TRAIN_STAGES), ["loading_data", "building_model", "first_batch"]]


def test_the_page_reads_a_stage_from_the_job_row(home: Path) -> None:
    store = Store()
    client = JobManager(store, home, start_worker=False)
    view = client.submit(digits_request(epochs=1))
    assert not client.worker_starting, "a client without a worker never says it is starting one"
    store.claim_job("test:0")
    store.heartbeat(view.job_id, progress=json.dumps(StageReport("building_model", 0.4).to_dict()))
    seen = client.view(view.job_id)
    assert seen.stage == StageReport("building_model", 0.4) and seen.progress is None
    store.heartbeat(view.job_id, progress=json.dumps({"stage": "unheard-of", "elapsed_seconds": 1}))
    assert client.view(view.job_id).stage is None  # a garbled stage reads as none, never a crash


def test_an_idle_worker_warms_up_what_the_forms_default_run_needs(tmp_path: Path) -> None:
    engine = worker.Engine(tmp_path)
    default = TrainRequest()
    assert not engine.has_peak(force_cpu=default.force_cpu, mixed_precision=default.mixed_precision)
    for _name, step in engine.warm_up_steps():
        step()
    assert engine.has_peak(force_cpu=default.force_cpu, mixed_precision=default.mixed_precision)
    assert (tmp_path / "cache" / f"{default.dataset}.npz").is_file()
    assert engine.dataset(default) is engine.dataset(default)  # kept in memory for the first job


def test_two_jobs_run_one_at_a_time(manager: JobManager) -> None:
    first = manager.submit(digits_request(epochs=12))
    second = manager.submit(digits_request(epochs=1))
    wait_for(
        lambda: manager.view(first.job_id).status == "running",
        timeout=START_SECONDS,
        what="first job to start",
    )
    waiting = manager.view(second.job_id)
    assert waiting.status == "queued" and waiting.queue_position == 1
    assert manager.view(first.job_id).queue_position is None
    assert wait_finished(manager, first.job_id).status == "completed"
    assert wait_finished(manager, second.job_id).status == "completed"
    first_row, second_row = manager.store.get_job(first.job_id), manager.store.get_job(second.job_id)
    assert second_row["claimed_at"] >= first_row["finished_at"]


def test_stop_mid_run_keeps_the_history_so_far(manager: JobManager) -> None:
    view = manager.submit(digits_request(epochs=300))
    wait_for(lambda: saved_epochs(manager, view.run_id) >= 2, timeout=START_SECONDS, what="two epochs")
    assert manager.stop(view.job_id) == "running"
    done = wait_finished(manager, view.job_id, timeout=30)
    assert done.status == "stopped" and done.stop_requested
    run = done.run
    assert run is not None and run.status == "stopped" and run.error is None
    assert 2 <= run.epochs_completed < 300 and len(run.history) == run.epochs_completed
    assert run.test_accuracy is not None  # evaluated as it stood


def test_stopping_a_queued_job_never_runs_it(manager: JobManager) -> None:
    first = manager.submit(digits_request(epochs=8))
    second = manager.submit(digits_request(epochs=8))
    assert manager.stop(second.job_id) == "stopped"
    assert wait_finished(manager, first.job_id).status == "completed"
    stopped = manager.view(second.job_id)
    assert stopped.status == "stopped" and stopped.run.history == () and stopped.run.started_at is None


def test_killed_worker_fails_its_job_and_a_new_worker_serves_the_next(manager: JobManager) -> None:
    view = manager.submit(digits_request(epochs=300))
    wait_for(lambda: saved_epochs(manager, view.run_id) >= 1, timeout=START_SECONDS, what="one epoch")
    pid = manager.worker_pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    done = wait_finished(manager, view.job_id, timeout=30)
    assert done.status == "failed"
    assert "SIGKILL" in done.error and "signal 9" in done.error
    run = done.run
    assert run is not None and run.status == "failed" and run.error == done.error
    assert len(run.history) >= 1  # the epochs saved before the kill are kept
    assert manager.last_worker_exit is not None and "SIGKILL" in manager.last_worker_exit

    following = manager.submit(digits_request(epochs=1))
    assert wait_finished(manager, following.job_id).status == "completed"
    assert manager.worker_pid not in (None, pid)


def test_a_bad_csv_job_fails_with_the_validators_message(manager: JobManager, worker_home: Path) -> None:
    data = b"a,b,label\n" + b"1,2,x\n" * 30  # a single class
    with pytest.raises(DatasetError) as expected:
        validate_csv(data, label_column="label")
    path = save_upload(worker_home, data, "one-class.csv")
    request = TrainRequest(
        spec=preset_spec("article-mlp", epochs=1),
        dataset="csv",
        csv_path=str(path),
        csv_name="one-class.csv",
        label_column="label",
    )
    done = wait_finished(manager, manager.submit(request).job_id)
    assert done.status == "failed"
    assert done.error == str(expected.value)
    assert done.run.error == str(expected.value) and done.run.dataset == "csv:one-class.csv"


def _dead_pid() -> int:
    code = "import os; print(os.getpid())"
    proc = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    pid = int(proc.stdout)
    assert not worker.pid_alive(pid)
    return pid


def test_a_running_job_of_a_dead_process_is_marked_interrupted(home: Path) -> None:
    store = Store()
    client = JobManager(store, home, start_worker=False)
    view = client.submit(digits_request(epochs=10))
    fake_worker = f"{socket.gethostname()}:{_dead_pid()}"
    claimed = store.claim_job(fake_worker)
    assert claimed is not None and claimed["id"] == view.job_id
    record = get_run(store, view.run_id).replace(
        status="running", history=(EpochRecord(1, 0.9, 0.7, 0.8, 0.75, 0.2),), epochs_completed=1
    )
    store.save_progress(view.job_id, view.run_id, record.to_json())

    JobManager(store, home, start_worker=False)  # what a restarted app does first

    after = client.view(view.job_id)
    assert after.status == "interrupted" and "stopped" in after.error
    run = after.run
    assert run.status == "interrupted" and len(run.history) == 1 and run.finished_at


def test_a_stale_foreground_run_is_marked_interrupted(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store()
    record = queued_record(digits_request(epochs=3)).replace(status="running")
    store.insert_run(run_row(record))  # how the command line starts a run: no jobs row
    assert worker.recover_interrupted(store) == []  # touched just now: alive
    monkeypatch.setattr(worker, "STALE_AFTER_SECONDS", -1.0)
    assert worker.recover_interrupted(store) == [record.id]
    run = get_run(store, record.id)
    assert run.status == "interrupted" and run.error and json.loads(store.get_run(record.id)["record"])


def test_a_stale_job_of_a_vanished_host_is_swept_while_the_app_runs(manager: JobManager) -> None:
    """A job left running by a worker on another host (heartbeat stale) must not block the
    queue until a restart: this machine's worker serves the next job (another machine's job
    does not count against it) and its periodic sweep marks the orphan interrupted."""
    store = manager.store
    ghost = JobManager(store, manager.home, start_worker=False).submit(digits_request(epochs=1))
    wait_for(lambda: manager.view(ghost.job_id).status == "running", timeout=START_SECONDS, what="claim")
    # Pretend the job belongs to a replica that vanished an hour ago.
    from store.db import jobs_table

    manager.stop(ghost.job_id)
    wait_finished(manager, ghost.job_id)
    with store._engine.begin() as conn:  # white-box: forge the orphan
        conn.execute(
            jobs_table.update()
            .where(jobs_table.c.id == ghost.job_id)
            .values(status="running", worker_id="elsewhere:1", heartbeat_at=time.time() - 3600)
        )
    waiting = manager.submit(digits_request(epochs=1))
    done = wait_finished(manager, waiting.job_id, timeout=START_SECONDS)
    assert done.status == "completed"
    # The worker sweeps orphans every SWEEP_SECONDS between jobs.
    wait_for(
        lambda: manager.view(ghost.job_id).status == "interrupted",
        timeout=START_SECONDS,
        what="the orphan swept",
    )


def test_a_failed_job_keeps_every_finished_epoch(worker_home: Path) -> None:
    """An error after the last epoch (here: in a callback at the end of training) must not drop
    the epochs saved just before it."""
    import keras

    class Boom(keras.callbacks.Callback):
        def on_train_end(self, logs=None) -> None:
            raise RuntimeError("disk on fire")

    store = Store(f"sqlite:///{worker_home / 'failed-epochs.db'}")
    client = JobManager(store, worker_home, start_worker=False)
    view = client.submit(digits_request(epochs=3))
    job = store.claim_job("test:0")
    record = worker.execute_job(store, worker.Engine(worker_home), job, callbacks=[Boom()])
    assert record.status == "failed" and "disk on fire" in record.error
    assert len(record.history) == 3
    assert len(get_run(store, view.run_id).history) == 3


def test_a_worker_that_cannot_start_is_reported_not_respawned_in_a_loop(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "bogus")  # the worker's Keras import fails
    jm = JobManager(Store(), home)
    try:
        assert jm.worker_starting  # the process lives; its engine is not loaded (and never will be)
        view = jm.submit(digits_request(epochs=1))
        wait_for(lambda: jm.worker_problem, timeout=60, what="the worker problem to be reported")
        assert "cannot start" in jm.worker_problem and "exit code 3" in jm.worker_problem
        assert jm.view(view.job_id).status == "queued"  # kept for when the set-up is fixed
        assert "could not start" in (home / "logs" / "worker.log").read_text()
        pids = set()
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            if jm.worker_pid:
                pids.add(jm.worker_pid)
            time.sleep(0.05)
        assert len(pids) <= 1, "restarts are backed off"
    finally:
        jm.close()
