"""Jobs on a finished run in the store: two lanes, results, run records patched, never the
run's status; and the additive migration from the first schema. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa

from store import Store
from store.db import SCHEMA_VERSION
from tests.support.store import record_of, submit


def finished_run(store: Store, job_id: str = "t0") -> str:
    rid = submit(store, job_id)
    store.claim_job("w")
    store.finish_job(job_id, rid, status="completed", record=json.dumps({"status": "completed", "name": "x"}))
    return rid


def task(store: Store, job_id: str, run_id: str, kind: str) -> None:
    store.submit_job({"id": job_id, "run_id": run_id, "kind": kind, "request": "{}"})


def test_quick_jobs_have_their_own_lane(store: Store) -> None:
    rid = finished_run(store)
    submit(store, "train-1")
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


def test_a_first_schema_database_is_migrated_in_place(tmp_path: Path) -> None:
    """A database written before jobs had results opens, keeps its rows and gains the column."""
    path = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE moatlab_meta (key VARCHAR(64) PRIMARY KEY, value VARCHAR(256) NOT NULL)"
        )
        conn.exec_driver_sql("INSERT INTO moatlab_meta VALUES ('schema_version', '1')")
        conn.exec_driver_sql(
            "CREATE TABLE jobs (id VARCHAR(32) PRIMARY KEY, run_id VARCHAR(32) NOT NULL,"
            " kind VARCHAR(32) NOT NULL,"
            " status VARCHAR(16) NOT NULL, request TEXT NOT NULL, created_at FLOAT NOT NULL,"
            " claimed_at FLOAT, finished_at FLOAT, heartbeat_at FLOAT, worker_id VARCHAR(120),"
            " stop_requested BOOLEAN NOT NULL,"
            " progress TEXT, error TEXT)"
        )
        conn.exec_driver_sql(
            "INSERT INTO jobs (id, run_id, kind, status, request, created_at, stop_requested)"
            f" VALUES ('old', 'r', 'train', 'completed', '{{}}', {time.time()}, 0)"
        )
    engine.dispose()
    store = Store(f"sqlite:///{path}")
    assert store.get_job("old")["result"] is None
    with sa.create_engine(f"sqlite:///{path}").connect() as conn:
        version = conn.exec_driver_sql("SELECT value FROM moatlab_meta WHERE key = 'schema_version'").scalar()
    assert version == str(SCHEMA_VERSION)
    Store(f"sqlite:///{path}")  # opening again is a no-op
