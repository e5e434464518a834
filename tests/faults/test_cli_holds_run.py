"""Issue 20, D11: a command-line sweep or benchmark holds its run like an app job does.

It had no ``jobs`` row, so the Runs page could delete the run while the command worked; the
command then exited 0 and its result was stored nowhere. Now the command line's task is a
``running`` job claimed by its own process from the start: deleting the run is refused while it
works, and should the run disappear anyway (a database edited by hand) the loss is reported and
the command exits 1.

The task itself is replaced by a stand-in (no TensorFlow): it does what the Runs page would do
in the middle of a real sweep, then returns a result like the real one.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import Any

import pytest

from cli import training_jobs as cli_tasks
from mlcore import worker
from mlcore.runs import get_run, queued_record, run_row
from mlcore.specs import TrainRequest
from store import Store
from store.db import RUN_GONE, runs_table

POINTS = [
    {"fraction": f, "n_train": int(1000 * f), "accuracy_mean": 0.8 + f / 10, "accuracy_std": 0.01,
     "train_seconds": 1.0, "seeds": 2, "accuracies": [0.8, 0.81]}
    for f in (0.5, 1.0)
]  # fmt: skip


class NoEngine:
    """Stands in for the worker's engine (the stand-in task needs none)."""

    def __init__(self, home: Path | None = None) -> None:
        self.home = home
        self.session_lock = threading.Lock()


def _finished_run(store: Store) -> str:
    record = queued_record(TrainRequest()).replace(status="completed", model_path="models/x.keras")
    store.insert_run(run_row(record))
    return record.id


def _stand_in(during: Any) -> Any:
    def sweep(engine: Any, run: Any, params: Any, monitor: Any) -> tuple[dict, dict]:
        during(run.id)
        curve = {"points": POINTS, "complete": True, "epochs": 1, "measured_at": "2026-12-01T00:00:00Z"}
        return {"points": POINTS, "complete": True}, {"learning_curve": curve}

    return sweep


def test_the_runs_page_cannot_delete_a_run_a_command_line_sweep_works_on(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store().scoped(None)
    run_id = _finished_run(store)
    seen: dict[str, Any] = {}

    def runs_page_deletes(rid: str) -> None:
        seen["deleted"] = store.delete_run(rid)  # what the Runs page's Delete calls
        seen["job"] = store.job_for_run(rid, kind="sweep")

    monkeypatch.setitem(worker._TASKS, "sweep", _stand_in(runs_page_deletes))
    status, result, error = worker.run_task_foreground(
        store, home, run_id, "sweep", {"fractions": [0.5, 1.0], "seeds": 2}, engine=NoEngine()
    )
    assert seen["deleted"] is False  # refused while the sweep works
    assert seen["job"] is not None and seen["job"]["status"] == "running"
    assert status == "completed" and error is None and result is not None
    run = get_run(store, run_id)
    assert run is not None and run.learning_curve is not None  # the result is stored with the run
    assert store.job_for_run(run_id, kind="sweep")["status"] == "completed"
    assert store.delete_run(run_id) is True  # and once it is done, the run can go


def _sweep_args(run_id: str) -> argparse.Namespace:
    return argparse.Namespace(
        command="sweep", run=run_id, fractions=(0.5, 1.0), seeds=2, max_epochs=None, json=True
    )


class _NoSignals:
    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __enter__(self) -> _NoSignals:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def test_a_result_that_could_not_be_stored_exits_1_saying_so(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store().scoped(None)
    run_id = _finished_run(store)

    def deleted_behind_the_stores_back(rid: str) -> None:
        with store._engine.begin() as conn:  # not through delete_run: a database edited by hand
            conn.execute(runs_table.delete().where(runs_table.c.id == rid))

    monkeypatch.setitem(worker._TASKS, "sweep", _stand_in(deleted_behind_the_stores_back))
    monkeypatch.setattr(worker, "Engine", NoEngine)

    def fail(reason: str, status: int = 2) -> None:
        raise SystemExit(status)

    status = cli_tasks.run_command(_sweep_args(run_id), fail=fail, stop_on_signal=_NoSignals)
    err = capsys.readouterr().err
    assert status == 1, err
    assert "deleted" in err and "could not be stored" in err
    job = Store().get_job(next(j for j in _jobs(store)))
    assert job["status"] == "failed" and job["error"] == RUN_GONE


def _jobs(store: Store) -> list[str]:
    from store.db import jobs_table

    with store._engine.begin() as conn:
        return [r[0] for r in conn.execute(jobs_table.select().with_only_columns(jobs_table.c.id))]


def test_a_killed_command_line_leaves_its_job_to_the_recovery_sweep(home: Path) -> None:
    """The job's worker id names this process like a worker's does: once the process is gone,
    the next recovery marks the job interrupted and the run is free again."""
    store = Store().scoped(None)
    run_id = _finished_run(store)
    store.start_job({"id": "fg-dead", "run_id": run_id, "kind": "sweep", "request": "{}"}, "unused")
    host = worker.worker_id().split(":")[0]
    with store._engine.begin() as conn:
        from store.db import jobs_table

        conn.execute(jobs_table.update().values(worker_id=f"{host}:999999999/cli"))  # no such pid
    assert store.delete_run(run_id) is False
    worker.recover_interrupted(Store())
    assert Store().get_job("fg-dead")["status"] == "interrupted"
    assert store.delete_run(run_id) is True
