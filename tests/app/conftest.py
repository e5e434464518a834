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

from mlcore.specs import EpochReport, RunRecord, StageReport
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


def with_epoch_seconds(reports: list[EpochReport]) -> list[EpochReport]:
    """The reports with the epoch's wall time so far, as the worker now sends it; for reports
    recorded before it was kept, derived from their elapsed times (an epoch starts where the
    previous one closed; a closing report carries its epoch's recorded seconds)."""
    out, epoch_start = [], 0.0
    for report in reports:
        seconds = (
            report.finished_epoch.seconds if report.finished_epoch else report.elapsed_seconds - epoch_start
        )
        if report.epoch_seconds is None:
            out.append(dataclasses.replace(report, epoch_seconds=max(seconds, 0.0)))
        else:
            out.append(report)
        if report.finished_epoch is not None:
            epoch_start = report.elapsed_seconds
    return out


class ReplayWorker:
    """Claims the next queued job and replays the recorded reports step by step, as the worker
    does: the record with the device, its peak and the model's FLOPs saved at the start, what the
    job does before its first batch (:meth:`stage`), then the progress reports."""

    def __init__(self, store: Store) -> None:
        self.store = store
        reports, self.final = recorded()
        self.reports = with_epoch_seconds(reports)
        self.job: dict | None = None
        self.step = 0

    def claim(self) -> dict:
        deadline = time.time() + 10
        while self.job is None and time.time() < deadline:
            self.job = self.store.claim_job("replay:0")
            if self.job is None:
                time.sleep(0.05)
        assert self.job is not None, "no job was queued"
        queued = RunRecord.from_json(self.store.get_run(self.job["run_id"])["record"])
        started = queued.replace(
            status="running",
            device=self.final.device,
            device_kind=self.final.device_kind,
            flops_per_sample=self.final.flops_per_sample,
            peak_flops_per_second=self.final.peak_flops_per_second,
            peak_flops_method=self.final.peak_flops_method,
        )
        self.store.save_progress(self.job["id"], self.job["run_id"], started.to_json())
        return self.job

    def stage(self, name: str, elapsed_seconds: float = 0.5) -> None:
        """Say the job is at ``name`` (a :data:`mlcore.specs.TRAIN_STAGES` code)."""
        assert self.job is not None
        report = StageReport(name, elapsed_seconds)
        self.store.heartbeat(self.job["id"], progress=json.dumps(report.to_dict()))

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
