"""AppTest fixtures: an app with its own MOATLAB_HOME and no real worker, plus a replaying
worker that serves the queue with a recorded run (real EpochReports captured from a real
training of the article MLP on digits), so UI tests run in seconds without TensorFlow."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mlcore.specs import EpochReport, RunRecord
from store import Store

RECORDED = Path(__file__).parent / "data" / "recorded_run.json"
APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture
def app_env(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MOATLAB_START_WORKER", "0")
    # Each test gets fresh cached resources for its own MOATLAB_HOME.
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    return home


def make_app(
    page: str | None = None, *, prepare: Callable[[AppTest], None] | None = None, **params: str
) -> AppTest:
    """The app run once (then switched to ``page``) with ``params`` as query parameters;
    ``prepare`` sets up the AppTest (secrets, user) before the first run."""
    at = AppTest.from_file(str(APP), default_timeout=30)
    if prepare is not None:
        prepare(at)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
    return at


def recorded() -> tuple[list[EpochReport], RunRecord]:
    data = json.loads(RECORDED.read_text())
    return [EpochReport.from_dict(r) for r in data["reports"]], RunRecord.from_dict(data["record"])


class ReplayWorker:
    """Claims the next queued job and replays the recorded reports step by step."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reports, self.final = recorded()
        self.job: dict | None = None
        self.step = 0

    def claim(self) -> dict:
        deadline = time.time() + 10
        while self.job is None and time.time() < deadline:
            self.job = self.store.claim_job("replay:0")
            if self.job is None:
                time.sleep(0.05)
        assert self.job is not None, "no job was queued"
        return self.job

    def advance(self, n: int = 1) -> bool:
        """Publish the next ``n`` reports; False once all are out."""
        assert self.job is not None
        queued = RunRecord.from_json(self.store.get_run(self.job["run_id"])["record"])
        history = []
        for r in self.reports[: self.step]:
            if r.finished_epoch:
                history.append(r.finished_epoch)
        for _ in range(n):
            if self.step >= len(self.reports):
                return False
            report = self.reports[self.step]
            self.step += 1
            stop = self.store.heartbeat(self.job["id"], progress=json.dumps(report.to_dict()))
            if report.finished_epoch:
                history.append(report.finished_epoch)
                rec = queued.replace(status="running", history=tuple(history), epochs_completed=len(history))
                self.store.save_progress(self.job["id"], self.job["run_id"], rec.to_json())
            if stop:
                self.finish("stopped", history)
                return False
        return True

    def finish(self, status: str = "completed", history: list | None = None) -> RunRecord:
        assert self.job is not None
        queued = RunRecord.from_json(self.store.get_run(self.job["run_id"])["record"])
        final = self.final.replace(
            id=queued.id,
            name=queued.name,
            created_at=queued.created_at,
            request=queued.request,
            status=status,
        )
        if history is not None:
            final = final.replace(history=tuple(history), epochs_completed=len(history))
        self.store.finish_job(self.job["id"], self.job["run_id"], status=status, record=final.to_json())
        return final


@pytest.fixture
def replay(app_env: Path) -> Iterator[ReplayWorker]:
    yield ReplayWorker(Store())


def seed_runs(store: Store, n: int = 3) -> list[RunRecord]:
    """Insert ``n`` finished runs (variants of the recorded one) and return them."""
    from mlcore.runs import run_row

    _, final = recorded()
    out = []
    for i in range(n):
        spec = final.request.spec
        req = dataclasses.replace(
            final.request,
            spec=dataclasses.replace(
                spec, learning_rate=spec.learning_rate * (i + 1), batch_size=32 * (i + 1)
            ),
        )
        rec = final.replace(
            id=f"run-{i}",
            name=f"Run {i}",
            created_at=f"2026-11-2{i}T10:00:00Z",
            request=req,
            test_accuracy=0.8 + i * 0.05,
        )
        store.insert_run(run_row(rec))
        out.append(rec)
    return out
