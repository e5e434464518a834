"""The job queue on SQLite and PostgreSQL: claims, lanes, stops, heartbeats, progress, atomic
outcomes, crashed workers, and jobs on a finished run (results patch the record, never the
run's status)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context

import pytest

from store import JobRow, JobStatus, Store
from tests.support.claimer import claim_all
from tests.support.store import FakeClock, failing_statement, record_of, run_row, submit

# --------------------------------------------------------------------------- queue


def test_queue_positions_follow_submission_order(store: Store) -> None:
    for i in range(4):
        submit(store, f"j{i}")
    assert [store.queue_position(f"j{i}") for i in range(4)] == [1, 2, 3, 4]
    assert [j["id"] for j in store.active_jobs()] == ["j0", "j1", "j2", "j3"]
    store.claim_job("w1")
    assert store.queue_position("j0") is None  # running, not queued
    assert [store.queue_position(f"j{i}") for i in (1, 2, 3)] == [1, 2, 3]
    assert store.request_stop("j2") == "stopped"
    assert [store.queue_position(f"j{i}") for i in (1, 2, 3)] == [1, None, 2]
    assert store.queue_position("nope") is None


def test_claim_takes_the_oldest_job_once(store: Store, clock: FakeClock) -> None:
    # Submitted first but with the larger id: time decides, not the id.
    submit(store, "b-older")
    clock.advance(0.01)
    submit(store, "a-newer")
    job = store.claim_job("worker-1")
    assert job is not None
    assert job["id"] == "b-older" and job["status"] == "running" and job["worker_id"] == "worker-1"
    assert job["request"] == '{"x": 1}' and job["heartbeat_at"] == job["claimed_at"]
    stored = store.get_job("b-older")
    assert stored is not None and stored["status"] == "running" and stored["worker_id"] == "worker-1"
    run = store.get_run("r-b-older")
    assert run is not None and run["status"] == "running"
    assert record_of(store, "r-b-older")["status"] == "running"
    assert record_of(store, "r-b-older")["started_at"].endswith("Z")

    assert store.claim_job("worker-2") is None, "max_running=1 and one job runs"
    second = store.claim_job("worker-2", max_running=2)
    assert second is not None and second["id"] == "a-newer"
    assert store.claim_job("worker-3", max_running=5) is None, "queue empty"
    assert sorted(store.running_worker_ids()) == ["worker-1", "worker-2"]


def test_one_long_job_per_machine_replicas_elsewhere_train_at_once(store: Store, clock: FakeClock) -> None:
    for name in ("j1", "j2", "j3", "j4"):
        submit(store, name)
        clock.advance(0.01)
    first = store.claim_job("host-a:10", within="host-a:")
    assert first is not None and first["id"] == "j1"
    assert store.claim_job("host-a:11", within="host-a:") is None, "host-a already trains one"
    second = store.claim_job("host-b:20", within="host-b:")
    assert second is not None and second["id"] == "j2", "another machine trains at the same time"
    # A prefix is matched literally: "host_:" must not match "hostX:" through LIKE's wildcard.
    assert store.claim_job("hostX:1", within="hostX:") is not None
    fourth = store.claim_job("host_:1", within="host_:")
    assert fourth is not None and fourth["id"] == "j4"
    assert store.claim_job("host-c:1", within="host-c:") is None, "queue empty"


def test_a_released_claim_goes_back_to_its_place_in_the_queue(store: Store, clock: FakeClock) -> None:
    submit(store, "first")
    clock.advance(0.01)
    submit(store, "second")
    job = store.claim_job("host:1/ray-1")
    assert job is not None and job["id"] == "first"
    assert store.release_claim("first", "host:9/other") is False, "only the claim's own worker"
    assert store.release_claim("first", "host:1/ray-1") is True
    released = store.get_job("first")
    assert released is not None and released["status"] == "queued" and released["worker_id"] is None
    assert record_of(store, "r-first")["status"] == "queued"
    assert store.queue_position("first") == 1, "it keeps its place ahead of later jobs"
    again = store.claim_job("host:1/ray-2")
    assert again is not None and again["id"] == "first"
    assert store.release_claim("first", "host:1/ray-1") is False, "a stale claim releases nothing"


def test_claim_on_an_empty_queue(store: Store) -> None:
    assert store.claim_job("w") is None
    assert store.active_jobs() == []


N_THREADS = 4
JOBS_PER_WORKER = 20


def test_concurrent_claims_from_threads_take_each_job_once(store_url: str) -> None:
    setup = Store(store_url)
    ids = [f"j{i:03d}" for i in range(N_THREADS * JOBS_PER_WORKER)]
    for job_id in ids:
        submit(setup, job_id)
    barrier = threading.Barrier(N_THREADS)

    def worker(n: int) -> list[str]:
        own = Store(store_url)  # its own engine and connections, like another process
        claimed = []
        barrier.wait()
        try:
            while (job := own.claim_job(f"thread-{n}", max_running=10_000)) is not None:
                claimed.append(job["id"])
        finally:
            own.dispose()
        return claimed

    with ThreadPoolExecutor(N_THREADS) as pool:
        results = list(pool.map(worker, range(N_THREADS)))
    claimed = [j for r in results for j in r]
    assert sorted(claimed) == ids, "every job claimed exactly once"
    for n, result in enumerate(results):
        for job_id in result:
            job = setup.get_job(job_id)
            assert job is not None and job["worker_id"] == f"thread-{n}"
    setup.dispose()


def test_concurrent_claims_from_processes_take_each_job_once(store_url: str) -> None:
    setup = Store(store_url)
    ids = [f"p{i:03d}" for i in range(3 * JOBS_PER_WORKER)]
    for job_id in ids:
        submit(setup, job_id)
    setup.dispose()
    start_at = time.time() + 2.0  # every process is connected by then, so they contend
    with ProcessPoolExecutor(3, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(claim_all, store_url, f"proc-{n}", start_at) for n in range(3)]
        results = [f.result(timeout=120) for f in futures]
    assert sorted(j for r in results for j in r) == ids


# --------------------------------------------------------------------------- stop, heartbeat, progress


def test_stop_a_queued_job_at_once(store: Store) -> None:
    submit(store, "j1")
    assert store.request_stop("j1") == "stopped"
    job = store.get_job("j1")
    assert job is not None and job["status"] == "stopped" and job["stop_requested"] and job["finished_at"]
    run = store.get_run("r-j1")
    assert run is not None and run["status"] == "stopped"
    assert record_of(store, "r-j1")["status"] == "stopped" and record_of(store, "r-j1")["finished_at"]
    assert store.claim_job("w") is None, "a stopped job is never claimed"
    assert store.request_stop("j1") == "stopped"  # asking again changes nothing
    assert store.request_stop("unknown") is None


def test_stop_a_running_job_through_its_heartbeat(store: Store) -> None:
    submit(store, "j1")
    store.claim_job("w")
    assert store.heartbeat("j1") is False
    assert store.request_stop("j1") == "running"
    job = store.get_job("j1")
    assert job is not None and job["status"] == "running" and job["stop_requested"]
    assert store.heartbeat("j1", progress='{"epoch": 2}') is True
    job = store.get_job("j1")
    assert job is not None and job["progress"] == '{"epoch": 2}'


def test_stop_a_finished_job_changes_nothing(store: Store) -> None:
    submit(store, "j1")
    store.claim_job("w")
    store.finish_job("j1", "r-j1", status="completed", record=json.dumps({"status": "completed"}))
    assert store.request_stop("j1") == "completed"
    job = store.get_job("j1")
    assert job is not None and not job["stop_requested"]


def test_save_progress_and_finish(store: Store, clock: FakeClock) -> None:
    submit(store, "j1")
    claimed = store.claim_job("w")
    assert claimed is not None
    clock.advance(0.01)
    store.save_progress("j1", "r-j1", json.dumps({"status": "running", "history": [{"epoch": 1}]}))
    job = store.get_job("j1")
    assert job is not None and job["heartbeat_at"] > claimed["heartbeat_at"]
    assert record_of(store, "r-j1")["history"] == [{"epoch": 1}]
    store.finish_job("j1", "r-j1", status="failed", record=json.dumps({"status": "failed"}), error="boom")
    job = store.get_job("j1")
    assert job is not None and (job["status"], job["error"]) == ("failed", "boom") and job["finished_at"]
    run = store.get_run("r-j1")
    assert run is not None and run["status"] == "failed"
    assert store.active_jobs() == []


def test_finish_job_is_atomic(store: Store) -> None:
    submit(store, "j1")
    store.claim_job("w")
    before = store.get_run("r-j1")
    with failing_statement(store, "UPDATE jobs"), pytest.raises(RuntimeError, match="injected"):
        store.finish_job("j1", "r-j1", status="completed", record=json.dumps({"status": "completed"}))
    after = store.get_run("r-j1")
    assert after is not None and before is not None
    assert (after["status"], after["record"]) == (before["status"], before["record"]), "run write rolled back"
    job = store.get_job("j1")
    assert job is not None and job["status"] == "running"


def test_save_progress_is_atomic(store: Store) -> None:
    submit(store, "j1")
    store.claim_job("w")
    before = record_of(store, "r-j1")
    with failing_statement(store, "UPDATE jobs"), pytest.raises(RuntimeError):
        store.save_progress("j1", "r-j1", json.dumps({"history": [1, 2, 3]}))
    assert record_of(store, "r-j1") == before


def test_submit_is_atomic(store: Store) -> None:
    with failing_statement(store, "INSERT INTO jobs"), pytest.raises(RuntimeError):
        submit(store, "j1")
    assert store.get_run("r-j1") is None and store.get_job("j1") is None
    assert store.list_runs() == []


# --------------------------------------------------------------------------- crashed workers


def test_fail_running_by_worker(store: Store) -> None:
    for job_id in ("j1", "j2", "j3"):
        submit(store, job_id)
    store.claim_job("dead", max_running=5)
    store.claim_job("alive", max_running=5)
    assert store.fail_running(status="failed", reason="worker crashed (exit -9)", worker_id="dead") == ["j1"]
    job = store.get_job("j1")
    assert job is not None and (job["status"], job["error"]) == ("failed", "worker crashed (exit -9)")
    run = store.get_run("r-j1")
    assert run is not None and run["status"] == "failed"
    record = record_of(store, "r-j1")
    assert record["error"] == "worker crashed (exit -9)" and record["finished_at"]
    assert record["history"] == [], "the saved record is patched, not replaced"
    job2 = store.get_job("j2")
    assert job2 is not None and job2["status"] == "running"
    job3 = store.get_job("j3")
    assert job3 is not None and job3["status"] == "queued", "queued jobs are not touched"
    assert store.fail_running(status="failed", reason="x", worker_id="nobody") == []
    assert store.fail_running(status="failed", reason="x") == [], "no filter closes nothing"


def test_fail_running_by_stale_heartbeat(store: Store) -> None:
    submit(store, "j1")
    store.claim_job("w")
    store.heartbeat("j1")
    assert store.fail_running(status="interrupted", reason="r", stale_before=time.time() - 60) == []
    assert store.fail_running(status="interrupted", reason="lost", stale_before=time.time() + 1) == ["j1"]
    run = store.get_run("r-j1")
    assert run is not None and run["status"] == "interrupted"
    assert store.running_worker_ids() == []


def test_job_for_run_is_the_latest(store: Store, clock: FakeClock) -> None:
    submit(store, "j1", run_id="r")
    store.request_stop("j1")
    clock.advance(0.01)
    store.submit(run_row("r2"), {"id": "j2", "run_id": "r", "kind": "train", "request": "{}"})
    job = store.job_for_run("r")
    assert job is not None and job["id"] == "j2"


# --------------------------------------------------------------------------- jobs on a finished run


def finished_run(store: Store, job_id: str = "t0") -> str:
    rid = submit(store, job_id)
    store.claim_job("w")
    store.finish_job(job_id, rid, status="completed", record=json.dumps({"status": "completed", "name": "x"}))
    return rid


def task(store: Store, job_id: str, run_id: str, kind: str) -> None:
    store.submit_job({"id": job_id, "run_id": run_id, "kind": kind, "request": "{}"})


def test_quick_jobs_have_their_own_lane(store: Store, clock: FakeClock) -> None:
    rid = finished_run(store)
    submit(store, "train-1")
    clock.advance()
    task(store, "bench-1", rid, "bench")
    task(store, "predict-1", rid, "predict")
    task(store, "predict-2", rid, "predict")
    assert store.queue_position("bench-1") == 2, "behind the queued training run"
    assert store.queue_position("predict-1") == 1 and store.queue_position("predict-2") == 2
    long = store.claim_job("w")
    assert long is not None and long["id"] == "train-1"
    assert store.claim_job("w") is None, "one long job at a time"
    quick = store.claim_job("w", quick=True, max_running=2)
    assert quick is not None and quick["id"] == "predict-1", "a prediction does not wait for training"
    assert store.claim_job("w", quick=True, max_running=2)["id"] == "predict-2"
    assert store.claim_job("w", quick=True, max_running=2) is None
    assert [j["id"] for j in store.active_jobs()] == ["train-1", "bench-1"]
    assert len(store.active_jobs(include_quick=True)) == 4


def test_a_task_patches_the_record_and_never_the_status(store: Store) -> None:
    rid = finished_run(store)
    task(store, "b", rid, "bench")
    claimed = store.claim_job("w")
    assert claimed["kind"] == "bench" and store.get_run(rid)["status"] == "completed"
    store.finish_task(
        "b", status="completed", result='{"rows": []}', run_id=rid, run_fields={"inference": {"rows": []}}
    )
    assert record_of(store, rid)["inference"] == {"rows": []} and record_of(store, rid)["name"] == "x"
    assert store.get_job("b")["result"] == '{"rows": []}'
    assert store.job_for_run(rid, kind="bench")["status"] == "completed"
    assert store.job_for_run(rid)["id"] == "t0", "the run's training job by default"


def test_failing_or_stopping_a_task_leaves_the_run_alone(store: Store) -> None:
    rid = finished_run(store)
    task(store, "s1", rid, "sweep")
    task(store, "s2", rid, "sweep")
    store.claim_job("dead-worker")
    assert store.fail_running(status="failed", reason="worker died", worker_id="dead-worker") == ["s1"]
    assert store.request_stop("s2") == "stopped"
    row = store.get_run(rid)
    assert row["status"] == "completed" and json.loads(row["record"])["status"] == "completed"
    assert store.get_job("s1")["error"] == "worker died"


def test_a_run_with_an_active_task_cannot_be_deleted(store: Store) -> None:
    rid = finished_run(store)
    task(store, "b", rid, "bench")
    assert store.delete_run(rid) is False
    store.claim_job("w")
    store.finish_task("b", status="completed")
    assert store.delete_run(rid) is True
    assert store.get_job("b") is None


def test_patch_of_a_missing_run_is_refused(store: Store) -> None:
    assert store.patch_run_record("nope", inference={}) is False


# --------------------------------------------------------------------------- typed rows and the clock


def test_jobs_are_typed_rows_with_plain_words_in_the_database(store: Store, clock: FakeClock) -> None:
    submit(store, "j1")
    job = store.claim_job("w")
    assert isinstance(job, JobRow) and job.status is JobStatus.RUNNING and job["status"] == "running"
    assert dict(job)["id"] == "j1" and job.get("nope") is None and job.owner == "local"
    assert job.claimed_at == job.heartbeat_at == clock.now, "every time comes from the store's clock"
    with pytest.raises(KeyError):
        job["nope"]
    with store._engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT status FROM jobs UNION ALL SELECT status FROM runs").all()
    assert raw == [("running",), ("running",)] and all(type(r[0]) is str for r in raw)
    clock.advance(5.0)
    store.heartbeat("j1")
    beaten = store.get_job("j1")
    assert beaten is not None and beaten.heartbeat_at == pytest.approx(job.claimed_at + 5.0)
