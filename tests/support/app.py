"""AppTest helpers: the app run on a page, the recorded run (real EpochReports captured from a real
training of the article MLP on digits), a worker that replays it, seeded runs, and readers of
widgets that several page tests share."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from mlcore.specs import EpochReport, RunRecord, StageReport
from mlcore.tasks import CurvePoint, InferenceProfile, InferenceRow, LearningCurve
from present import page_registry
from store import Store
from tests.support import ROOT

RECORDED = ROOT / "tests" / "app" / "data" / "recorded_run.json"


APP = ROOT / "app.py"


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


PAGES = tuple(page.file for page in page_registry.PAGES)  # every page's script, in navigation order


def no_errors(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    texts = " ".join(m.value for m in at.markdown) + " ".join(e.value for e in at.error)
    assert "Traceback" not in texts
    assert "[" + "m." not in texts  # no untranslated catalog key shown


def metric(at, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, [m.label for m in at.metric]
    return values[0]


def field(at, name: str):
    found = [w for w in at.number_input if w.key and w.key.endswith(f"_{name}")]
    assert found, name
    return found[0]


def apply_button(at):
    return next(b for b in at.button if b.key and b.key.endswith("_apply"))


N_TRAIN = 1259  # the recorded run's training split


def curve(fractions: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 1.0)) -> LearningCurve:
    """Points on error = 2·n^(−0.5) + 0.05, with a little seed-to-seed spread."""
    points = []
    for i, f in enumerate(fractions):
        n = round(N_TRAIN * f)
        acc = 1 - (2.0 * n**-0.5 + 0.05) + (0.002 if i % 2 else -0.002)
        points.append(CurvePoint(f, n, acc, 0.01, 0.5 + f, 2, (acc - 0.007, acc + 0.007)))
    return LearningCurve("2026-11-29T10:00:00Z", tuple(points), epochs=10)


def with_curve(lc: LearningCurve) -> None:
    store = Store()
    seed_runs(store, 1)
    store.patch_run_record("run-0", learning_curve=lc.to_dict())


def profile() -> InferenceProfile:
    rows = []
    shapes = (("compiled", 0.7, 0.002), ("predict", 95.0, 0.01), ("int8", 0.01, 0.0004))
    for path, base_ms, per_sample_ms in shapes:
        for batch in (1, 32, 1024):
            p50 = base_ms + per_sample_ms * batch
            rows.append(
                InferenceRow(
                    device="CPU (test)",
                    device_kind="cpu",
                    path=path,
                    batch_size=batch,
                    p50_ms=p50,
                    p95_ms=p50 * 1.5,
                    p99_ms=p50 * 2,
                    mean_ms=p50 * 1.1,
                    samples_per_second=batch / (p50 * 1.1 / 1000),
                    calls=20,
                    model_bytes=4000 if path == "int8" else 16000,
                    quantized=path == "int8",
                    accuracy=0.90 if path == "int8" else 0.91,
                )
            )
    return InferenceProfile("2026-11-29T10:00:00Z", tuple(rows), "tensorflow", (), 0.91, 0.90)
