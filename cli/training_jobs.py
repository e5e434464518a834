"""Command-line jobs on a saved run: inference benchmark, learning-curve sweep, prediction.

    python -m mlcore bench-inference --run ID --json
    python -m mlcore sweep --run ID --fractions 0.1,0.25,0.5,1 --seeds 2 [--max-epochs 60] --json
    python -m mlcore predict --run ID --image digit.png
    python -m mlcore predict --run ID --csv rows.csv --json

Each runs in this process through the worker's code path and stores its result with the run,
exactly as the app's jobs do (``bench-inference`` → the run's inference profile, ``sweep`` →
its learning curve). While a benchmark or a sweep works it holds its run like an app job: a
``running`` job claimed by this process, so the Runs page refuses to delete the run and a Stop
from the app stops it; should the run disappear anyway, the result is printed, the command says
it could not be stored and exits 1. Options, the run and the input files are checked before TensorFlow is
imported. JSON output:

* ``bench-inference``: a list of profile rows, each with ``device``, ``device_kind``, ``path``
  (``compiled``, ``predict``, ``int8``), ``batch_size``, ``p50_ms``, ``p95_ms``, ``p99_ms``,
  ``mean_ms``, ``samples_per_second``, ``model_bytes``, ``quantized``, ``accuracy``.
* ``sweep``: a list of points, each with ``fraction``, ``n_train``, ``accuracy_mean``,
  ``accuracy_std``, ``train_seconds``, ``seeds``, ``accuracies``, and how the point was trained:
  ``steps`` (optimizer steps per training, mean over seeds), ``epochs_run`` (passes over its own
  samples) and ``capped`` (seeds that reached ``--max-epochs`` before their validation loss
  stopped improving). Every fraction trains to convergence (``mlcore.tasks.CURVE_RULE``); the
  text output says so in its last line.
* ``predict``: a list, one object per input, with ``input`` (file name or CSV row number),
  ``class``, ``probability`` and ``top`` (the three best classes with probabilities).

Exit status: 0 done; 1 the job failed or the store is not usable; 2 bad arguments, an
unknown run or bad input; 130 stopped by Ctrl-C (a stopped sweep still saves and prints the
fractions it finished).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from cli._args import finite_number
from mlcore.errors import SpecError
from mlcore.runs import feature_labels, get_run, image_scale, is_image_run
from mlcore.specs import RunRecord
from mlcore.tasks import (
    DEFAULT_BATCH_SIZES,
    MAX_PREDICT_INPUTS,
    LearningCurve,
    TaskProgress,
    curve_rule_line,
    parse_params,
)
from safetext.cli_numbers import parse_number
from store import Store, StoreError, default_home


def _float_list(text: str) -> tuple[float, ...]:
    """Comma-separated finite, normal numbers (NaN, infinities, subnormals refused, naming which)."""
    try:
        return tuple(parse_number(v.strip()) for v in text.split(",") if v.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas: {exc}") from None


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected integers separated by commas, got {text!r}") from None


def add_parsers(sub: Any) -> None:
    """Register ``bench-inference``, ``sweep`` and ``predict`` on the command line's subparsers."""
    b = sub.add_parser(
        "bench-inference",
        help="measure a run's inference latency and throughput (compiled, predict, int8)",
        description="Benchmark a saved run's model on every device, store the profile with the run.",
    )
    b.add_argument("--run", required=True, metavar="ID", help="run id (see: python -m mlcore runs)")
    b.add_argument(
        "--batch-sizes",
        type=_int_list,
        default=DEFAULT_BATCH_SIZES,
        metavar="SIZES",
        help="comma-separated (default 1,8,32,128,1024)",
    )
    b.add_argument("--no-predict", action="store_true", help="skip the model.predict path")
    b.add_argument("--no-int8", action="store_true", help="skip the int8 TFLite model")
    b.add_argument("--min-calls", type=int, default=20, help="timed calls per cell (default 20)")
    b.add_argument(
        "--min-seconds", type=finite_number, default=0.4, help="timed seconds per cell (default 0.4)"
    )
    b.add_argument("--json", action="store_true", help="print the profile rows as JSON")

    s = sub.add_parser(
        "sweep",
        help="learning curve: accuracy against training-set size, several seeds",
        description="Re-train a run's spec on fractions of its training split; store the curve with the run.",
    )
    s.add_argument("--run", required=True, metavar="ID")
    s.add_argument(
        "--fractions",
        type=_float_list,
        default=(0.1, 0.2, 0.4, 0.7, 1.0),
        metavar="F",
        help="comma-separated in (0, 1] (default 0.1,0.2,0.4,0.7,1)",
    )
    s.add_argument("--seeds", type=int, default=2, help="seeds per fraction, 2–10 (default 2)")
    s.add_argument(
        "--max-epochs",
        type=int,
        default=None,
        metavar="N",
        help=(
            "most epochs per training, 1–500 (default 60, or the run's epochs when more); every "
            "training stops earlier when its validation loss stops improving"
        ),
    )
    s.add_argument("--json", action="store_true", help="print the points as JSON")

    p = sub.add_parser(
        "predict",
        help="classify an image or CSV rows with a run's model",
        description="Predict classes with a saved run's model (nothing is stored).",
    )
    p.add_argument("--run", required=True, metavar="ID")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--image", type=Path, metavar="FILE", help="PNG or JPEG of a digit (image runs)")
    src.add_argument(
        "--csv", type=Path, metavar="FILE", help="rows with the run's feature columns (CSV runs)"
    )
    p.add_argument("--json", action="store_true", help="print the predictions as JSON")


# --------------------------------------------------------------------------- inputs


def load_run(store: Store, run_id: str) -> RunRecord:
    """A finished run with a saved model, or :class:`~mlcore.errors.SpecError` saying why not."""
    run = get_run(store, run_id)
    if run is None:
        raise SpecError(f"run {run_id!r} does not exist (list runs with: python -m mlcore runs)")
    if run.status not in ("completed", "stopped") or not run.model_path:
        raise SpecError(f"run {run_id} is {run.status} and has no saved model; pick a finished run")
    return run


def image_inputs(run: RunRecord, path: Path) -> list[list[float]]:
    """The image at ``path`` preprocessed for the run's model (one flat input)."""
    from mlcore.preprocess import PreprocessError, image_from_bytes, to_model_input

    if not is_image_run(run):
        raise SpecError(f"run {run.id} was trained on a table ({run.dataset}); use --csv")
    if not path.is_file():
        raise SpecError(f"{path} does not exist")
    pixel_max = image_scale(run)
    try:
        x = to_model_input(
            image_from_bytes(path.read_bytes()),
            input_shape=(run.input_shape[0], run.input_shape[1]),
            pixel_max=pixel_max,
        )
    except PreprocessError as exc:
        raise SpecError(f"{path.name}: {exc}") from exc
    return [x.reshape(-1).astype(float).tolist()]


def csv_inputs(run: RunRecord, path: Path) -> list[list[float]]:
    """Rows of a CSV with the run's feature columns (others, like the label, are ignored)."""
    import pandas as pd

    if is_image_run(run):
        raise SpecError(f"run {run.id} was trained on images ({run.dataset}); use --image")
    if not path.is_file():
        raise SpecError(f"{path} does not exist")
    if not run.feature_names:  # saved before feature names were kept: columns in training order
        return _positional_rows(path, len(feature_labels(run)))
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SpecError(f"{path.name} is not a readable CSV ({type(exc).__name__})") from exc
    missing = [c for c in run.feature_names if c not in frame.columns]
    if missing:
        raise SpecError(f"{path.name} lacks the run's feature column(s): {', '.join(missing[:5])}")
    if frame.empty or len(frame) > MAX_PREDICT_INPUTS:
        raise SpecError(f"{path.name} must have 1 to {MAX_PREDICT_INPUTS} data rows")
    rows = []
    for i, (_, row) in enumerate(frame[list(run.feature_names)].iterrows(), start=2):
        try:
            values = [float(v) for v in row]
        except ValueError:
            raise SpecError(f"{path.name} line {i}: every feature must be a number") from None
        if not all(np.isfinite(values)):
            raise SpecError(f"{path.name} line {i}: features must be finite")
        rows.append(values)
    return rows


def _positional_rows(path: Path, width: int) -> list[list[float]]:
    """Rows of a CSV whose first ``width`` columns are the features in training order."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise SpecError(f"{path.name} is not a readable CSV ({type(exc).__name__})") from exc
    if frame.shape[1] < width or frame.empty or len(frame) > MAX_PREDICT_INPUTS:
        raise SpecError(
            f"this run predates named features: give {path.name} its {width} feature columns first, "
            f"in training order, and 1 to {MAX_PREDICT_INPUTS} rows"
        )
    rows = []
    for i, (_, row) in enumerate(frame.iloc[:, :width].iterrows(), start=2):
        try:
            rows.append([float(v) for v in row])
        except ValueError:
            raise SpecError(f"{path.name} line {i}: every feature must be a number") from None
    return rows


# --------------------------------------------------------------------------- commands


def _progress_printer(stream: Any) -> Callable[[TaskProgress], None]:
    def show(p: TaskProgress) -> None:
        eta = f", about {p.eta_seconds:.0f} s left" if p.eta_seconds is not None else ""
        print(f"[{p.step}/{p.steps}] {p.message}{eta}", file=stream, flush=True)

    return show


def run_command(
    args: argparse.Namespace,
    *,
    fail: Callable[..., Any],
    stop_on_signal: Callable[[threading.Event], Any],
) -> int:
    """Run ``bench-inference``, ``sweep`` or ``predict``; ``fail(reason, status)`` exits."""
    try:
        store = Store().scoped(None)  # the command line acts as the local user
    except StoreError as exc:
        return fail(str(exc), 1)
    kind, params, label = _prepare(args, store, fail)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    from mlcore.worker import run_task_foreground  # imports TensorFlow

    stop = threading.Event()
    with stop_on_signal(stop):
        try:
            status, result, error = run_task_foreground(
                store,
                default_home(),
                args.run,
                kind,
                params,
                stop_event=stop,
                on_progress=None if args.json else _progress_printer(sys.stderr),
            )
        except KeyboardInterrupt:
            print(f"{args.command}: interrupted; nothing was saved", file=sys.stderr)
            return 130
        except StoreError as exc:
            return fail(str(exc), 1)
    if result is not None:
        _print(args, kind, result, label)
    if status == "failed":
        print(f"{args.command}: failed: {error}", file=sys.stderr)
        return 1
    if status in ("stopped", "interrupted"):
        print(f"{args.command}: {status}: {error or 'partial result saved'}", file=sys.stderr)
        return 130
    return 0


def _prepare(
    args: argparse.Namespace, store: Store, fail: Callable[..., Any]
) -> tuple[str, dict[str, Any], list[str]]:
    try:
        run = load_run(store, args.run)
        labels: list[str] = []
        if args.command == "bench-inference":
            kind = "bench"
            params: dict[str, Any] = {
                "batch_sizes": list(args.batch_sizes),
                "include_predict": not args.no_predict,
                "include_int8": not args.no_int8,
                "min_calls": args.min_calls,
                "min_seconds": args.min_seconds,
            }
        elif args.command == "sweep":
            kind, params = "sweep", {"fractions": list(args.fractions), "seeds": args.seeds}
            if args.max_epochs is not None:
                params["max_epochs"] = args.max_epochs
        else:
            kind = "predict"
            if args.image is not None:
                inputs, labels = image_inputs(run, args.image), [args.image.name]
            else:
                inputs = csv_inputs(run, args.csv)
                labels = [f"row {i}" for i in range(1, len(inputs) + 1)]
            params = {"inputs": inputs, "top_k": 3}
        parse_params(kind, params)
    except SpecError as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from exc
    except StoreError as exc:
        fail(str(exc), 1)
        raise AssertionError("unreachable") from exc
    return kind, params, labels


def _print(args: argparse.Namespace, kind: str, result: dict[str, Any], labels: list[str]) -> None:
    if kind == "bench":
        rows = result["rows"]
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        head = ("device", "path", "batch", "p50 ms", "p95 ms", "p99 ms", "samples/s")
        print("{:<8} {:<9} {:>5} {:>9} {:>9} {:>9} {:>12}".format(*head))
        for r in rows:
            print(
                f"{r['device_kind']:<8} {r['path']:<9} {r['batch_size']:>5} {r['p50_ms']:>9.3f} "
                f"{r['p95_ms']:>9.3f} {r['p99_ms']:>9.3f} {r['samples_per_second']:>12,.0f}"
            )
        for note in result.get("notes") or ():
            print(f"note: {note}")
        return
    if kind == "sweep":
        points = result["points"]
        if args.json:
            print(json.dumps(points, indent=2, ensure_ascii=False))
            return
        print(f"{'fraction':>8} {'n_train':>8} {'accuracy':>9} {'± std':>7} {'train s':>8} {'steps':>7}")
        for p in points:
            print(
                f"{p['fraction']:>8.2f} {p['n_train']:>8,} {100 * p['accuracy_mean']:>8.1f}% "
                f"{100 * p['accuracy_std']:>6.1f}% {p['train_seconds']:>8.2f} {p.get('steps') or 0:>7,}"
            )
        print(curve_rule_line(LearningCurve.from_dict(result)))
        return
    names = result.get("class_names") or []
    out = []
    for label, pred in zip(labels, result["predictions"], strict=True):
        top = [
            {"class": names[c] if c < len(names) else str(c), "probability": prob}
            for c, prob in zip(pred["classes"], pred["probabilities"], strict=True)
        ]
        out.append(
            {"input": label, "class": top[0]["class"], "probability": top[0]["probability"], "top": top}
        )
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    for item in out:
        rest = ", ".join(f"{t['class']} {100 * t['probability']:.1f} %" for t in item["top"][1:])
        print(f"{item['input']}: {item['class']} ({100 * item['probability']:.1f} %); next: {rest}")
