"""The worker's shared pieces without TensorFlow: the retry helper and the job skeleton every
kind of job goes through (monitor, reasons for failures, engine release)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlcore import worker
from mlcore.specs import SpecError
from store import JobStatus, Store, StoreError


def test_retry_retries_store_errors_then_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(worker.time, "sleep", waits.append)
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise StoreError("busy")
        return "written"

    assert worker.retry(flaky, attempts=5, wait_seconds=2.0, log_what="x") == "written"
    assert len(calls) == 3 and waits == [2.0, 2.0]
    with pytest.raises(StoreError, match="down"):
        worker.retry(
            lambda: (_ for _ in ()).throw(StoreError("down")), attempts=2, wait_seconds=0, log_what="x"
        )
    with pytest.raises(KeyError):  # only the database's errors are retried
        worker.retry(lambda: {}["k"], attempts=5, wait_seconds=0, log_what="x")


class _FakeEngine:
    def __init__(self) -> None:
        self.session_lock = threading.Lock()


@pytest.fixture
def claimed(tmp_path: Path) -> Iterator[tuple[Store, dict]]:
    store = Store(f"sqlite:///{tmp_path / 'moatlab.db'}")
    run = {"id": "r1", "name": "r", "created_at": "", "status": "queued", "dataset": "d", "model": "m"}
    store.submit(
        {**run, "record": json.dumps({"id": "r1"})},
        {"id": "j1", "run_id": "r1", "kind": "bench", "request": "{}"},
    )
    job = store.claim_job("test:1")
    assert job is not None
    yield store, job
    store.dispose()


@pytest.mark.parametrize(
    ("raised", "reason"),
    [
        (SpecError("change the spec"), "change the spec"),
        (MemoryError(), "out of memory: use less"),
        (StoreError("gone"), "the run store failed during the job: gone"),
        (RuntimeError("boom\nmore"), "RuntimeError: boom"),
        (OSError("own words"), "explained: own words"),
    ],
)
def test_the_skeleton_turns_a_failure_into_one_line(
    claimed: tuple[Store, dict], raised: BaseException, reason: str
) -> None:
    store, job = claimed

    def run(_monitor: object) -> None:
        raise raised

    def explain(exc: Exception) -> str | None:
        return f"explained: {exc}" if isinstance(exc, OSError) else None

    work = worker.JobWork(run, "use less", explain, release_engine=False)
    value, error, monitor = worker._run_job(store, _FakeEngine(), job, work)
    assert value is None and error == reason and not monitor.orphaned


def test_the_skeleton_returns_the_work_and_sees_a_stop(claimed: tuple[Store, dict]) -> None:
    store, job = claimed
    assert store.request_stop(job["id"]) == JobStatus.RUNNING

    def run(monitor: worker.JobMonitor) -> str:
        assert monitor.stop_event.wait(5), "the monitor's heartbeat brings the stop request"
        return "done"

    value, error, _monitor = worker._run_job(store, _FakeEngine(), job, worker.JobWork(run, "x"))
    assert (value, error) == ("done", None)
