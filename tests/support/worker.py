"""Waiting on the training worker (a real process that imports TensorFlow)."""

from __future__ import annotations

import time
from collections.abc import Callable

from mlcore.jobs import JobManager, JobView
from mlcore.runs import get_run
from mlcore.specs import TrainRequest, preset_spec

START_SECONDS = 90.0  # a fresh worker imports TensorFlow and probes the peak (seconds, or more under load)


def wait_for(check: Callable[[], object], *, timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def digits_request(epochs: int, **spec_changes: object) -> TrainRequest:
    return TrainRequest(spec=preset_spec("article-mlp", epochs=epochs, **spec_changes), dataset="digits")


def wait_finished(manager: JobManager, job_id: str, timeout: float = START_SECONDS) -> JobView:
    def done() -> JobView | None:
        view = manager.view(job_id)
        return view if view is not None and view.finished else None

    return wait_for(done, timeout=timeout, what=f"job {job_id} to finish")  # type: ignore[return-value]


def saved_epochs(manager: JobManager, run_id: str) -> int:
    run = get_run(manager.store, run_id)
    return len(run.history) if run else 0
