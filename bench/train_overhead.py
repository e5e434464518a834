"""Overhead of training through the app against a bare ``model.fit(verbose=0)``.

Target (issue 2, Performance): training through the app — the worker's code path with
per-batch progress, a heartbeat thread writing to the store and the record saved after every
epoch — costs at most 10 % more wall time per epoch than a bare ``model.fit(verbose=0)`` of the
same model on the same data.

Both sides run in this process, one after the other, interleaved ABBA so that drift (thermal,
other load) hits both equally:

* **bare**: the model :func:`mlcore.engine.model.build_model` builds for the spec, on the same
  split, ``model.fit(x, y, batch_size, epochs, validation_data, shuffle=True, verbose=0)``.
* **app**: a job submitted to a real SQLite store (a temporary ``MOATLAB_HOME``), claimed like
  the worker claims it, and trained by :func:`mlcore.worker.execute_job`: the heartbeat
  thread (``_Monitor``), the per-batch ``ProgressCallback``, ``save_progress`` per epoch, the
  final record and the saved model.

An epoch's wall time is measured the same way on both sides, by a callback that only stamps
the start of each epoch and the end of training: epoch *k* lasts from its start to the start of
epoch *k+1*, so everything the app does at an epoch's end (reporting, writing the store) is
inside it. The first epoch of every fit (graph tracing) is left out. Figures: the median
seconds per epoch of each side and their ratio, and — the verdict — the median over
repetitions of the ratio of two fits run back to back (a burst of other load on a shared
machine moves a pooled median by several per cent; the paired ratio far less).

Run: ``.venv/bin/python bench/train_overhead.py`` (about 2 minutes on 2 cores);
``--help`` for options.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MOATLAB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras

from mlcore import worker
from mlcore.datasets import Dataset, load, request_split
from mlcore.engine.model import build_model
from mlcore.runs import queued_record, run_row
from mlcore.specs import TrainRequest, preset_spec
from store import Store

LIMIT = 1.10


class EpochTimer(keras.callbacks.Callback):
    """Stamps epoch starts and the end of training (no batch hooks: adds no per-batch work)."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.stamps: list[float] = []
        self.cpu_stamps: list[float] = []

    def _stamp(self) -> None:
        self.stamps.append(time.perf_counter())
        self.cpu_stamps.append(time.process_time())

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._stamp()

    def on_train_end(self, logs: dict | None = None) -> None:
        self._stamp()

    def epoch_seconds(self) -> list[float]:
        return [b - a for a, b in itertools.pairwise(self.stamps)]

    def epoch_cpu_seconds(self) -> list[float]:
        """CPU seconds of this whole process (every thread) per epoch."""
        return [b - a for a, b in itertools.pairwise(self.cpu_stamps)]


@dataclass
class Side:
    name: str
    epochs: list[float] = field(default_factory=list)  # every epoch after the first, all reps
    cpu: list[float] = field(default_factory=list)  # process CPU seconds of the same epochs
    rep_medians: list[float] = field(default_factory=list)  # median epoch of each rep
    totals: list[float] = field(default_factory=list)  # whole fit / whole job, per rep

    @property
    def median(self) -> float:
        return statistics.median(self.epochs)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def add(self, timer: EpochTimer, total: float) -> None:
        seconds = timer.epoch_seconds()[1:]
        self.epochs += seconds
        self.cpu += timer.epoch_cpu_seconds()[1:]
        self.rep_medians.append(statistics.median(seconds))
        self.totals.append(total)


def run_bare(request: TrainRequest, data: Dataset, device_name: str) -> tuple[EpochTimer, float]:
    spec = request.spec
    split = request_split(data.y, request)
    x_tr, y_tr = data.x[split.train], data.y[split.train]
    x_va, y_va = data.x[split.val], data.y[split.val]
    timer = EpochTimer()
    t0 = time.perf_counter()
    with keras.device(device_name):
        model = build_model(
            spec,
            input_shape=data.input_shape,
            n_classes=data.n_classes,
            pixel_max=data.pixel_max,
            steps_per_epoch=-(-len(y_tr) // spec.batch_size),
        )
        model.fit(
            x_tr,
            y_tr,
            batch_size=spec.batch_size,
            epochs=spec.epochs,
            validation_data=(x_va, y_va),
            shuffle=True,
            callbacks=[timer],
            verbose=0,
        )
    total = time.perf_counter() - t0
    keras.backend.clear_session(free_memory=True)  # what the worker does after every job
    return timer, total


def run_app(
    store: Store, engine: worker.Engine, request: TrainRequest, data: Dataset
) -> tuple[EpochTimer, float]:
    record = queued_record(request)
    store.submit(
        run_row(record),
        {
            "id": secrets.token_hex(8),
            "run_id": record.id,
            "kind": "train",
            "request": json.dumps(request.to_dict()),
        },
    )
    job = store.claim_job(worker.worker_id())
    assert job is not None and job["run_id"] == record.id
    timer = EpochTimer()
    done = worker.execute_job(store, engine, job, data=data, callbacks=[timer])
    if done.status != "completed":
        raise SystemExit(f"the app-side run ended {done.status}: {done.error}")
    return timer, float(done.wall_seconds or 0.0)


def measure(batch_size: int, *, dataset: str, epochs: int, reps: int, home: Path) -> tuple[Side, Side]:
    data = load(dataset)
    request = TrainRequest(
        spec=preset_spec("article-mlp", batch_size=batch_size, epochs=epochs), dataset=dataset
    )
    store = Store(f"sqlite:///{home / 'moatlab.db'}")
    engine = worker.Engine(home)
    device, _ = engine.device_and_peak(force_cpu=request.force_cpu)
    bare, app = Side("bare model.fit(verbose=0)"), Side("app (worker path + store)")
    for rep in range(reps):
        order = (bare, app) if rep % 2 == 0 else (app, bare)  # ABBA
        for side in order:
            if side is bare:
                timer, total = run_bare(request, data, device.name)
            else:
                timer, total = run_app(store, engine, request, data)
            side.add(timer, total)
            print(
                f"  batch {batch_size:>4} rep {rep + 1}/{reps} {side.name:<27} "
                f"epochs (s): {' '.join(f'{s:.3f}' for s in timer.epoch_seconds())}",
                flush=True,
            )
    return bare, app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="mnist-5k")
    parser.add_argument("--epochs", type=int, default=5, help="epochs per fit (the first is left out)")
    parser.add_argument("--reps", type=int, default=6, help="fits per side and batch size (ABBA order)")
    parser.add_argument("--batch-sizes", default="32,256")
    parser.add_argument("--json-out", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="moatlab-bench-") as tmp:
        home = Path(tmp)
        print(
            f"article-mlp on {args.dataset}, {args.epochs} epochs × {args.reps} reps per side, "
            f"keras {keras.__version__} ({keras.backend.backend()}), {os.cpu_count()} logical cores, "
            f"load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        for batch in batch_sizes:
            bare, app = measure(batch, dataset=args.dataset, epochs=args.epochs, reps=args.reps, home=home)
            results.append((batch, bare, app))

    print()
    header = (
        f"{'batch':>5}  {'bare s/epoch':>12}  {'app s/epoch':>11}  {'pooled':>6}  "
        f"{'paired':>6}  {'cpu ratio':>9}  {'n':>3}  verdict"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    rows = []
    for batch, bare, app in results:
        ratio = app.median / bare.median
        paired = statistics.median(a / b for a, b in zip(app.rep_medians, bare.rep_medians, strict=True))
        cpu_ratio = app.cpu_median / bare.cpu_median
        worst = max(worst, paired)
        verdict = "PASS" if paired <= LIMIT else "FAIL"
        print(
            f"{batch:>5}  {bare.median:>12.4f}  {app.median:>11.4f}  {ratio:>6.3f}  "
            f"{paired:>6.3f}  {cpu_ratio:>9.3f}  {len(app.epochs):>3}  {verdict}"
        )
        rows.append(
            {
                "batch_size": batch,
                "bare_median_epoch_seconds": bare.median,
                "app_median_epoch_seconds": app.median,
                "ratio": ratio,
                "paired_ratio": paired,
                "cpu_ratio": cpu_ratio,
                "bare_median_epoch_cpu_seconds": bare.cpu_median,
                "app_median_epoch_cpu_seconds": app.cpu_median,
                "epochs_measured_per_side": len(app.epochs),
                "bare_fit_seconds": bare.totals,
                "app_job_wall_seconds": app.totals,
            }
        )
    print(
        "s/epoch: median wall seconds per epoch over every rep (first epoch of each fit left out); "
        "pooled: their ratio app / bare; paired (the verdict): median over reps of the ratio of the "
        "two fits run back to back, which a burst of other load on the machine moves far less; "
        "cpu ratio: pooled ratio of this process's CPU seconds per epoch (all threads)"
    )
    print(f"load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print()
    print("whole job (app: data split, build, fit, test evaluation, model file, final record) vs bare fit:")
    for batch, bare, app in results:
        print(
            f"  batch {batch:>4}: app job {statistics.median(app.totals):.2f} s, "
            f"bare fit {statistics.median(bare.totals):.2f} s (medians)"
        )
    verdict = "PASS" if worst <= LIMIT else "FAIL"
    print(f"\n{verdict}: worst paired per-epoch ratio app/bare = {worst:.3f} (limit {LIMIT:.2f})")
    if args.json_out:
        args.json_out.write_text(json.dumps({"limit": LIMIT, "results": rows}, indent=2))
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
