"""Inference paths side by side on one model: compiled call vs ``model.predict``, int8 vs float.

    python bench/inference.py [--rounds 5] [--calls 200] [--epochs 3]

Trains the article MLP on the bundled MNIST-5k (a few seconds), then alternates the paths in
``--rounds`` rounds (so machine noise hits all of them alike) and prints, per round and as the
median over rounds:

* single-sample latency of the compiled predict step (``predict_on_batch``) against
  ``model.predict`` per call — target: the compiled path at least 20× faster;
* int8 TFLite against the float compiled path: throughput at batch 1 and 256, and model size
  (float weights in memory vs the int8 flatbuffer);
* the test accuracy of both models (int8 should stay within 2 points).

Exit status 1 when the 20× target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np

from mlcore.datasets import load, request_split
from mlcore.engine import inference
from mlcore.engine.model import build_model
from mlcore.specs import TrainRequest, preset_spec

TARGET_SPEEDUP = 20.0


def median_seconds(call: Callable[[], object], calls: int) -> float:
    """Median wall seconds of ``calls`` calls after 3 warm-up calls."""
    for _ in range(3):
        call()
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200, help="timed calls per path and round")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()

    data = load("mnist-5k")
    request = TrainRequest(spec=preset_spec("article-mlp", epochs=args.epochs), dataset="mnist-5k")
    split = request_split(data.y, request)
    x_tr, y_tr = data.x[split.train], data.y[split.train]
    x_te, y_te = data.x[split.test], data.y[split.test]
    model = build_model(request.spec, input_shape=data.input_shape, n_classes=10, pixel_max=data.pixel_max)
    model.fit(x_tr, y_tr, epochs=args.epochs, batch_size=32, verbose=0)
    flat = inference.convert_int8(model, x_tr[:200])
    int8 = inference.TFLiteRunner(flat)
    one, batch = x_te[:1], x_te[:256]
    paths: dict[str, Callable[[], object]] = {
        "compiled b1": lambda: keras.ops.convert_to_numpy(model.predict_on_batch(one)),
        "predict b1": lambda: model.predict(one, batch_size=1, verbose=0),
        "int8 b1": lambda: int8(one),
        "compiled b256": lambda: keras.ops.convert_to_numpy(model.predict_on_batch(batch)),
        "int8 b256": lambda: int8(batch),
    }
    print(f"keras {keras.__version__} ({keras.backend.backend()}), {args.rounds} rounds × {args.calls} calls")
    print(f"{'round':>5} " + " ".join(f"{k:>14}" for k in paths) + "   (median ms per call)")
    results: dict[str, list[float]] = {k: [] for k in paths}
    for r in range(1, args.rounds + 1):
        for name, call in paths.items():
            n = max(20, args.calls // 10) if name.startswith("predict") else args.calls
            results[name].append(median_seconds(call, n) * 1000)
        print(f"{r:>5} " + " ".join(f"{results[k][-1]:>14.4f}" for k in paths))

    med = {k: statistics.median(v) for k, v in results.items()}
    speedup = med["predict b1"] / med["compiled b1"]
    float_bytes = inference.float_model_bytes(model)
    acc_float = float((np.asarray(model.predict_on_batch(x_te)).argmax(1) == y_te).mean())
    acc_int8 = float((int8(x_te).argmax(1) == y_te).mean())
    ok = speedup >= TARGET_SPEEDUP
    print()
    print(
        f"compiled vs model.predict, 1 sample: {speedup:,.1f}× faster "
        f"(target ≥ {TARGET_SPEEDUP:.0f}×: {'PASS' if ok else 'FAIL'})"
    )
    print(f"int8 vs float throughput, batch 1:   {med['compiled b1'] / med['int8 b1']:.2f}×")
    print(f"int8 vs float throughput, batch 256: {med['compiled b256'] / med['int8 b256']:.2f}×")
    print(
        f"model size, float weights / int8 file: {float_bytes:,} / {len(flat):,} bytes = "
        f"{float_bytes / len(flat):.2f}× smaller"
    )
    print(
        f"test accuracy float {acc_float:.4f}, int8 {acc_int8:.4f} ({(acc_int8 - acc_float) * 100:+.2f} pts)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
