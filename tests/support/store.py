"""Shared helpers of the store tests: rows to insert, a queued job, a run's record, a failing
statement, and a clock the tests move by hand (no sleeping to order rows)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from store import Store


class FakeClock:
    """A clock for ``Store(url, clock=...)``: Unix epoch seconds that move only by :meth:`advance`
    (starting at the real time, so "older than an hour ago" means what it says)."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 0.01) -> float:
        """Move the clock forward by ``seconds``; returns the new time."""
        self.now += seconds
        return self.now


def run_row(run_id: str, *, status: str = "queued", name: str | None = None, created_at: str = "") -> dict:
    record = {"id": run_id, "name": name or f"run {run_id}", "status": status, "history": []}
    return {
        "id": run_id,
        "name": record["name"],
        "created_at": created_at or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "status": status,
        "dataset": "digits",
        "model": "article-mlp",
        "record": json.dumps(record),
    }


def submit(store: Store, job_id: str, *, run_id: str | None = None) -> str:
    """Queue a run ``r-<job_id>`` and its job; returns the run id."""
    rid = run_id or f"r-{job_id}"
    store.submit(run_row(rid), {"id": job_id, "run_id": rid, "kind": "train", "request": '{"x": 1}'})
    return rid


def record_of(store: Store, run_id: str) -> dict[str, Any]:
    row = store.get_run(run_id)
    assert row is not None
    return json.loads(row["record"])


@contextmanager
def failing_statement(store: Store, prefix: str) -> Iterator[None]:
    """Make the next SQL statement starting with ``prefix`` fail inside its transaction."""

    def fail(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(prefix.upper()):
            raise RuntimeError(f"injected failure: {prefix}")

    sa.event.listen(store._engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        sa.event.remove(store._engine, "before_cursor_execute", fail)
