"""Runs in the store, on SQLite and PostgreSQL: list, update, rename, delete, reopen."""

from __future__ import annotations

import json

from store import Store
from tests.support.store import record_of, run_row, submit


def test_runs_list_newest_first_and_update(store: Store) -> None:
    store.insert_run(run_row("old", status="completed", created_at="2024-01-01T00:00:00Z"))
    store.insert_run(run_row("new", status="completed", created_at="2025-06-01T00:00:00Z"))
    store.insert_run(run_row("mid", status="failed", created_at="2024-06-01T00:00:00Z"))
    assert [r["id"] for r in store.list_runs()] == ["new", "mid", "old"]
    store.update_run("mid", status="stopped", record='{"status": "stopped"}')
    row = store.get_run("mid")
    assert row is not None and (row["status"], row["record"]) == ("stopped", '{"status": "stopped"}')
    assert store.get_run("missing") is None


def test_rename(store: Store) -> None:
    store.insert_run(run_row("r1", status="completed"))
    assert store.rename_run("r1", "better name ✓") is True
    row = store.get_run("r1")
    assert row is not None and row["name"] == "better name ✓"
    assert record_of(store, "r1")["name"] == "better name ✓"
    assert store.rename_run("missing", "x") is False


def test_delete_is_refused_while_queued_or_running(store: Store) -> None:
    submit(store, "j1")
    assert store.delete_run("r-j1") is False, "queued"
    store.claim_job("w")
    assert store.delete_run("r-j1") is False, "running"
    store.finish_job("j1", "r-j1", status="completed", record=json.dumps({"status": "completed"}))
    assert store.job_for_run("r-j1") is not None
    assert store.delete_run("r-j1") is True
    assert store.get_run("r-j1") is None and store.get_job("j1") is None and store.job_for_run("r-j1") is None
    assert store.delete_run("r-j1") is False, "already gone"


def test_reopening_keeps_the_data(store_url: str) -> None:
    first = Store(store_url)
    submit(first, "j1")
    first.dispose()
    second = Store(store_url)
    assert second.queue_position("j1") == 1
    second.dispose()
