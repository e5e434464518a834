"""Moatlab's command line: train in the foreground, list saved runs, and work on a saved run.

    python -m mlcore train --dataset mnist-5k --preset article-mlp --epochs 3 --json
    python -m mlcore train --csv churn.csv --label churned --hidden 128,64 --epochs 20
    python -m mlcore runs --json
    python -m mlcore bench-inference --run ID --json
    python -m mlcore sweep --run ID --fractions 0.1,0.25,0.5,1 --seeds 2 --json
    python -m mlcore predict --run ID --image digit.png

(``bench-inference``, ``sweep`` and ``predict`` are described in :mod:`cli.training_jobs`.)

This is the public scripting contract. ``train`` trains in this process (it imports the
engine and so TensorFlow, unlike the web app), through the same code path as the app's worker,
saves the run in the store (``store.Store()``: the SQLite file under ``MOATLAB_HOME``, or
``DATABASE_URL``) and prints the run's record: as JSON with ``--json`` (every field of
``RunRecord.to_dict()``), else a short summary. Ctrl-C stops the run at the next batch: it is
saved as ``stopped`` with the epochs done so far (a second Ctrl-C skips the test evaluation).

Exit status: 0 the run completed; 1 it failed (the record says why) or the store is not
usable; 2 bad arguments or bad data (one line on stderr, nothing saved); 130 stopped by Ctrl-C.
Everything is checked — options, the dataset, the CSV — before TensorFlow is imported, so a
mistake is reported within a second or two. Numbers that are NaN, infinite, beyond float range or
subnormal (``1e-320``) are refused while the arguments are read (:mod:`safetext.cli_numbers`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from cli import training_jobs
from cli._args import fail, finite_number, one_line_parser
from cli._table import fixed_width_table
from mlcore import flops
from mlcore.csv_data import MAX_CSV_BYTES, UPLOAD_LIMIT_MB, megabytes, validate_csv
from mlcore.datasets import BUILTIN, Dataset, load, request_split
from mlcore.errors import DatasetError
from mlcore.runs import list_runs, model_file, save_upload, upload_display_name
from mlcore.specs import (
    ACTIVATIONS,
    ARCHITECTURES,
    DISTRIBUTE_MODES,
    OPTIMIZERS,
    PRESETS,
    SCHEDULES,
    EpochReport,
    RunRecord,
    SpecError,
    TrainRequest,
    check_run_name,
    preset_spec,
)
from store import Store, StoreError, default_home

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_STOPPED = 130
PROG = "python -m mlcore"

# Options that change the network itself: a preset with any of them changed is "custom".
_STRUCTURE_FIELDS = ("architecture", "hidden_units", "conv_filters", "activation", "dropout", "l2")


class UsageError(Exception):
    """Bad arguments or bad data: reported in one line, exit status 2."""


_Parser = one_line_parser(PROG)


def _fail(reason: str, status: int = EXIT_USAGE) -> NoReturn:
    """``python -m mlcore: error: <reason>`` on stderr, then exit ``status``."""
    fail(PROG, reason, status)


def _int_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected whole numbers separated by commas, got {text!r}"
        ) from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one number, e.g. 128,64")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Train models and list runs (Moatlab's command line).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    t = sub.add_parser(
        "train",
        help="train a model in the foreground and save the run",
        description=(
            "Train a model in this process and save the run. Options left out keep the preset's "
            "value; changing the network (--architecture, --hidden, --filters, --activation, "
            "--dropout, --l2) makes the run 'custom'."
        ),
        epilog="Exit status: 0 completed, 1 failed, 2 bad arguments or data, 130 stopped (Ctrl-C).",
    )
    data = t.add_argument_group("data")
    data.add_argument("--dataset", choices=[*BUILTIN, "csv"], help="built-in dataset (default mnist-5k)")
    data.add_argument("--csv", metavar="PATH", type=Path, help="your own CSV file (numeric features)")
    data.add_argument("--label", metavar="COL", help="the CSV's label column (required with --csv)")
    data.add_argument("--split-seed", type=int, help="seed of the train/validation/test split (default 0)")
    data.add_argument(
        "--val-fraction", type=finite_number, help="validation share of all samples (default 0.1)"
    )
    data.add_argument("--test-fraction", type=finite_number, help="test share of all samples (default 0.2)")

    model = t.add_argument_group("model")
    model.add_argument("--preset", choices=PRESETS, default="article-mlp", help="default article-mlp")
    model.add_argument("--architecture", choices=ARCHITECTURES)
    model.add_argument("--hidden", type=_int_list, metavar="UNITS", help="Dense widths, e.g. 128,64")
    model.add_argument("--filters", type=_int_list, metavar="FILTERS", help="CNN filters, e.g. 16,32")
    model.add_argument("--activation", choices=ACTIVATIONS)
    model.add_argument("--dropout", type=finite_number, help="dropout fraction after each Dense layer")
    model.add_argument("--l2", type=finite_number, help="L2 kernel regularisation factor")

    fit = t.add_argument_group("training")
    fit.add_argument("--optimizer", choices=OPTIMIZERS)
    fit.add_argument("--lr", type=finite_number, help="learning rate")
    fit.add_argument("--momentum", type=finite_number, help="SGD momentum")
    fit.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule")
    fit.add_argument("--batch-size", type=int, help="the global batch (split across devices when mirrored)")
    fit.add_argument("--epochs", type=int)
    fit.add_argument("--patience", type=int, help="early-stopping patience in epochs (0 = off)")
    fit.add_argument("--seed", type=int, help="weights and dropout seed")

    run = t.add_argument_group("run")
    run.add_argument("--name", default="", help="run name (default '<model> on <dataset>')")
    run.add_argument("--force-cpu", action="store_true", help="train on the CPU even when a GPU is visible")
    run.add_argument(
        "--no-mixed-precision",
        action="store_true",
        help="keep float32 on a GPU (mixed precision is the default)",
    )
    run.add_argument(
        "--distribute",
        choices=DISTRIBUTE_MODES,
        default="none",
        help=(
            "mirrored: one run data-parallel across the visible GPUs with tf.distribute "
            "(TensorFlow backend only); without a GPU, across MOATLAB_CPU_DEVICES=N logical CPU "
            "devices, which proves the path but is not faster (default none)"
        ),
    )
    run.add_argument("--json", action="store_true", help="print the run record as JSON")

    r = sub.add_parser("runs", help="list the saved runs", description="List the saved runs, newest first.")
    r.add_argument("--json", action="store_true", help="print a JSON array of run records")
    training_jobs.add_parsers(sub)
    return parser


# --------------------------------------------------------------------------- train


def request_from_args(args: argparse.Namespace, *, csv_path: str | None = None) -> TrainRequest:
    """The :class:`TrainRequest` the options describe (no data is read). Raises ``SpecError``.

    With ``--csv``, ``csv_path`` is where the data is kept (the copy under ``uploads``).
    """
    overrides: dict[str, Any] = {
        "architecture": args.architecture,
        "hidden_units": args.hidden,
        "conv_filters": args.filters,
        "activation": args.activation,
        "dropout": args.dropout,
        "l2": args.l2,
        "optimizer": args.optimizer,
        "learning_rate": args.lr,
        "momentum": args.momentum,
        "lr_schedule": args.schedule,
        "batch_size": args.batch_size,
        "epochs": args.epochs,
        "early_stopping_patience": args.patience,
        "seed": args.seed,
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if args.filters is not None and args.architecture is None:
        overrides["architecture"] = "cnn"
    base = preset_spec(args.preset)
    if args.preset != "custom" and any(
        k in overrides and overrides[k] != getattr(base, k) for k in _STRUCTURE_FIELDS
    ):
        overrides["preset"] = "custom"
    spec = dataclasses.replace(base, **overrides) if overrides else base

    fractions: dict[str, Any] = {
        "val_fraction": args.val_fraction,
        "test_fraction": args.test_fraction,
        "split_seed": args.split_seed,
    }
    csv: dict[str, Any] = {}
    if args.csv is not None:
        csv = {
            "csv_path": csv_path or str(args.csv),
            "csv_name": upload_display_name(args.csv.name),
            "label_column": args.label,
        }
    return TrainRequest(
        spec=spec,
        dataset="csv" if args.csv is not None else args.dataset or "mnist-5k",
        name=check_run_name(args.name),
        force_cpu=args.force_cpu,
        mixed_precision=not args.no_mixed_precision,
        distribute=getattr(args, "distribute", "none"),
        **{k: v for k, v in fractions.items() if v is not None},
        **csv,
    )


def _read_csv(path: Path, label: str) -> tuple[bytes, Dataset]:
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise UsageError(
                f"{path} is {megabytes(size)}; the limit is {UPLOAD_LIMIT_MB} MB: use a sample of the rows"
            )
        raw = path.read_bytes()
    except IsADirectoryError:
        raise UsageError(f"cannot read {path}: it is a directory") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return raw, validate_csv(raw, label_column=label).to_dataset()
    except DatasetError as exc:
        raise UsageError(f"{path.name}: {exc}") from None


def prepare(args: argparse.Namespace, home: Path) -> tuple[TrainRequest, Dataset]:
    """Check the options and the data (no TensorFlow); copy a CSV into ``home/uploads``.

    Raises :class:`UsageError` with a one-line reason.
    """
    if args.csv is not None and args.dataset not in (None, "csv"):
        raise UsageError(f"--csv and --dataset {args.dataset} exclude each other: pick one")
    if args.csv is None and args.dataset == "csv":
        raise UsageError("--dataset csv needs --csv PATH and --label COL")
    if args.csv is not None and not args.label:
        raise UsageError("--csv needs --label COL, the column that holds the classes")
    if args.label and args.csv is None:
        raise UsageError("--label only applies to --csv data")
    try:
        request = request_from_args(args)  # every option checked before any data is read
    except SpecError as exc:
        raise UsageError(str(exc)) from None
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if request.distribute == "mirrored" and backend != "tensorflow":
        raise UsageError(
            f"--distribute mirrored needs the TensorFlow backend (tf.distribute); KERAS_BACKEND is "
            f"{backend}: unset it or drop --distribute"
        )
    try:
        if args.csv is not None:
            raw, data = _read_csv(args.csv, args.label)
            request = request_from_args(args, csv_path=str(save_upload(home, raw, args.csv.name)))
        else:
            data = load(request.dataset)
        _check_fits(request, data)
    except (DatasetError, SpecError) as exc:
        raise UsageError(str(exc)) from None
    return request, data


def _check_fits(request: TrainRequest, data: Dataset) -> None:
    """Refuse a model that cannot be built on this data (before TensorFlow is imported)."""
    flops.check_fits(request.spec, data.input_shape, data.n_classes, kind=data.kind)
    # The split the run will make (raises DatasetError when a class is too small for it).
    request_split(data.y, request)


def _progress_printer(stream: Any) -> Callable[[EpochReport], None]:
    def show(report: EpochReport) -> None:
        done = report.finished_epoch
        if done is None:
            return
        parts = [f"epoch {done.epoch}/{report.epochs}"]
        for label, value in (
            ("loss", done.loss),
            ("acc", done.accuracy),
            ("val_loss", done.val_loss),
            ("val_acc", done.val_accuracy),
        ):
            if value is not None:
                parts.append(f"{label} {value:.4f}")
        parts.append(f"{done.seconds:.1f} s (elapsed {report.elapsed_seconds:.0f} s)")
        print("  ".join(parts), file=stream, flush=True)

    return show


class _StopOnSignal:
    """While active: the first Ctrl-C (or SIGTERM) sets ``event``; a second Ctrl-C interrupts."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, _frame: Any) -> None:
        if self.event.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.event.set()
        print(
            f"\n{PROG}: stopping after the current batch (Ctrl-C again to skip the test evaluation)",
            file=sys.stderr,
            flush=True,
        )

    def __enter__(self) -> _StopOnSignal:
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def cmd_train(args: argparse.Namespace) -> int:
    home = default_home()
    try:
        request, data = prepare(args, home)
    except UsageError as exc:
        _fail(str(exc))
    store = _open_store()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    from mlcore.engine.distribute import split_cpu_devices_tf_only

    split_cpu_devices_tf_only()  # MOATLAB_CPU_DEVICES=N, before TensorFlow initialises
    from mlcore.worker import Engine, run_foreground  # imports TensorFlow

    stop = threading.Event()
    with _StopOnSignal(stop):
        try:
            engine = Engine(home)
            record = run_foreground(
                store,
                request,
                home,
                data=data,
                stop_event=stop,
                on_report=None if args.json else _progress_printer(sys.stderr),
                engine=engine,
            )
        except KeyboardInterrupt:  # Ctrl-C before the run was saved (loading TensorFlow)
            print(f"{PROG}: interrupted before training started; nothing was saved", file=sys.stderr)
            return EXIT_STOPPED
        except StoreError as exc:
            _fail(str(exc), EXIT_FAILED)
    if args.json:
        print(record.to_json(indent=2))
    else:
        print(summary(record, home))
    if record.status == "failed":
        print(f"{PROG}: the run failed: {record.error}", file=sys.stderr)
        return EXIT_FAILED
    if record.status == "stopped":
        return EXIT_STOPPED
    return 0


def _open_store() -> Store:
    try:
        return Store().scoped(None)  # the command line acts as the local user
    except StoreError as exc:
        _fail(str(exc), EXIT_FAILED)


def _pct(v: float | None) -> str:
    """A fraction as a percentage; small ones keep two significant digits (MFU 0.031 %)."""
    if v is None:
        return "–"
    return f"{100 * v:.2g} %" if 0 < v < 0.01 else f"{100 * v:.1f} %"


def _num(v: float | None, fmt: str = ",.0f") -> str:
    return "–" if v is None else format(v, fmt)


def _flops(v: float | None) -> str:
    if v is None:
        return "–"
    for unit, scale in (("TFLOP/s", 1e12), ("GFLOP/s", 1e9), ("MFLOP/s", 1e6)):
        if v >= scale:
            return f"{v / scale:.1f} {unit}"
    return f"{v:.0f} FLOP/s"


def summary(run: RunRecord, home: Path) -> str:
    """A few lines for people: status, data, model, test scores, speed, where the model is."""
    lines = [
        f"run {run.id}  {run.name!r}  {run.status}" + (f": {run.error}" if run.error else ""),
        f"  data     {run.dataset}: {_num(run.n_train)} train / {_num(run.n_val)} val / "
        f"{_num(run.n_test)} test, {len(run.class_names)} classes",
        f"  model    {run.model}: {_num(run.params)} parameters, "
        f"{_num(run.flops_per_sample)} FLOPs per sample (forward)",
        f"  epochs   {run.epochs_completed} of {run.request.spec.epochs}",
        f"  test     accuracy {_pct(run.test_accuracy)}, precision {_pct(run.test_precision_macro)}, "
        f"recall {_pct(run.test_recall_macro)}, F1 {_pct(run.test_f1_macro)} (macro)",
        f"  speed    {_num(run.samples_per_second)} samples/s, {_flops(run.achieved_flops_per_second)} "
        f"of {_flops(run.peak_flops_per_second)} peak (MFU {_pct(run.mfu)})",
        f"  time     {_num(run.wall_seconds, '.1f')} s wall, {_num(run.train_seconds, '.1f')} s training, "
        f"on {run.device or '–'}",
    ]
    if run.distribution is not None:
        d = run.distribution
        lines.append(
            f"  devices  {d.strategy}: {d.replicas} replica{'s' if d.replicas != 1 else ''} "
            f"({', '.join(d.devices)}), global batch {d.global_batch_size} = "
            f"{d.per_replica_batch_size} per replica" + (f"; {d.note}" if d.note else "")
        )
    if run.model_path:
        lines.append(f"  saved    {model_file(home, run) or run.model_path}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- runs


def cmd_runs(args: argparse.Namespace) -> int:
    store = _open_store()
    try:
        runs = list_runs(store)
    except StoreError as exc:
        _fail(str(exc), EXIT_FAILED)
    if args.json:
        print(json.dumps([r.to_dict() for r in runs], indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    if not runs:
        print("no runs yet: train one with  python -m mlcore train --dataset digits --epochs 3")
        return 0
    print(runs_table(runs))
    return 0


def runs_table(runs: Sequence[RunRecord]) -> str:
    """A fixed-width table of runs, newest first."""
    header = ("id", "created", "status", "dataset", "model", "epochs", "test acc", "wall s", "name")
    rows = [
        (
            r.id,
            r.created_at.replace("T", " ").rstrip("Z"),
            r.status,
            r.dataset,
            r.model,
            str(r.epochs_completed),
            _pct(r.test_accuracy),
            _num(r.wall_seconds, ".1f"),
            r.name,
        )
        for r in runs
    ]
    return fixed_width_table(header, rows, right={5, 6, 7})


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            return cmd_train(args)
        if args.command == "runs":
            return cmd_runs(args)
        return training_jobs.run_command(args, fail=_fail, stop_on_signal=_StopOnSignal)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; nothing was saved", file=sys.stderr)
        return EXIT_STOPPED


if __name__ == "__main__":
    sys.exit(main())
