"""The inference benchmark, int8 quantisation and the learning-curve sweep, in-process on
real bundled data (MNIST-5k), plus the GPU paths (skipped with a reason without a GPU)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from mlcore.datasets import load, request_split
from mlcore.specs import TrainRequest, preset_spec
from mlcore.tasks import BenchParams, SweepParams

keras = pytest.importorskip("keras")

from mlcore.engine import inference  # noqa: E402
from mlcore.engine.devices import choose_device  # noqa: E402
from mlcore.engine.experiments import sweep  # noqa: E402
from mlcore.engine.model import build_model  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mnist() -> tuple:
    data = load("mnist-5k")
    request = TrainRequest(spec=preset_spec("article-mlp", epochs=4), dataset="mnist-5k")
    split = request_split(data.y, request)
    model = build_model(request.spec, input_shape=data.input_shape, n_classes=10, pixel_max=data.pixel_max)
    model.fit(data.x[split.train], data.y[split.train], epochs=4, batch_size=32, verbose=0)
    return data, request, split, model


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        ([0.002] * 4, (2.0, 2.0, 2.0, 2.0)),
        ([0.001, 0.002, 0.003], (2.0, 2.9, 2.98, 2.0)),
    ],
)
def test_percentiles_in_milliseconds(seconds: list[float], expected: tuple) -> None:
    assert inference.percentiles_ms(seconds) == pytest.approx(expected)


def test_time_calls_honours_minimums_and_stop() -> None:
    calls = []
    times = inference.time_calls(lambda: calls.append(1), min_calls=7, min_seconds=0.0)
    assert len(times) >= 7 and len(calls) == len(times) + 2  # two untimed warm-up calls
    stop = threading.Event()
    stop.set()
    with pytest.raises(inference.Stopped):
        inference.time_calls(lambda: None, min_calls=5, min_seconds=10.0, stop_event=stop)


def test_benchmark_on_cpu_is_sane_and_int8_stays_accurate(mnist: tuple) -> None:
    data, _, split, model = mnist
    params = BenchParams(batch_sizes=(1, 32, 1024), min_calls=5, min_seconds=0.05)
    seen = []
    profile = inference.benchmark(
        model,
        data.x[split.test],
        data.y[split.test],
        devices=[choose_device(force_cpu=True)],
        params=params,
        calibration=data.x[split.train],
        on_progress=seen.append,
    )
    compiled = [profile.row(path="compiled", batch_size=b) for b in (1, 32, 1024)]
    rates = [r.samples_per_second for r in compiled]
    assert rates[0] < rates[1] < rates[2], f"throughput must grow with the batch: {rates}"
    lat = [r.p50_ms for r in compiled]
    assert lat[0] <= lat[2], "a batch of 1024 cannot answer faster than a batch of 1"
    assert all(r.p50_ms <= r.p95_ms <= r.p99_ms for r in profile.rows)
    slow = profile.row(path="predict", batch_size=1)
    assert slow.p50_ms > 5 * compiled[0].p50_ms, "model.predict per call is far slower than the compiled step"
    # The quantised model: within 2 accuracy points of the float one, and several times smaller.
    assert abs(profile.int8_accuracy - profile.float_accuracy) <= 0.02
    assert profile.float_accuracy > 0.85
    int8 = profile.row(path="int8", batch_size=1)
    assert int8.quantized and int8.model_bytes * 2.5 < compiled[0].model_bytes
    assert seen and seen[-1].step == seen[-1].steps - 1 and seen[0].step == 0


def test_predict_top_returns_sorted_probabilities(mnist: tuple) -> None:
    data, _, split, model = mnist
    preds = inference.predict_top(model, data.x[split.test][:5], top_k=3)
    assert len(preds) == 5
    for p in preds:
        assert len(p.classes) == 3 and list(p.probabilities) == sorted(p.probabilities, reverse=True)
    truth = data.y[split.test][:5]
    assert sum(p.classes[0] == y for p, y in zip(preds, truth, strict=True)) >= 4


def test_sweep_accuracy_rises_with_data(mnist: tuple) -> None:
    data, request, split, _ = mnist
    curve = sweep(
        request,
        data,
        SweepParams(fractions=(0.05, 1.0), seeds=2, max_epochs=4),
        device=choose_device(force_cpu=True),
    )
    small, full = curve.points
    assert small.n_train < full.n_train == len(split.train)
    assert full.accuracy_mean > small.accuracy_mean + 0.05
    assert curve.complete and len(full.accuracies) == 2


def test_load_model_refuses_missing_and_corrupt_files(tmp_path: Path) -> None:
    from mlcore.errors import SpecError

    with pytest.raises(SpecError, match="missing"):
        inference.load_model(tmp_path / "none.keras")
    bad = tmp_path / "bad.keras"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SpecError, match="cannot be loaded"):
        inference.load_model(bad)


def _gpu_backend() -> str | None:
    """A backend that sees a GPU here: TensorFlow, else JAX (the GPU machine has no TensorFlow)."""
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return "tensorflow"
    if importlib.util.find_spec("jax") is not None:
        import jax

        if any(d.platform == "gpu" for d in jax.devices()):
            return "jax"
    return None


def test_gpu_inference_profile() -> None:
    backend = _gpu_backend()
    if backend is None:
        pytest.skip("no GPU visible to TensorFlow or JAX on this machine; the GPU path runs where one is")
    code = (
        "from mlcore.datasets import load\n"
        "from mlcore.specs import preset_spec\n"
        "from mlcore.engine.model import build_model\n"
        "from mlcore.engine.devices import choose_device\n"
        "from mlcore.engine import inference\n"
        "from mlcore.tasks import BenchParams\n"
        "d = load('digits')\n"
        "m = build_model(preset_spec('article-mlp'), input_shape=(8, 8), n_classes=10, pixel_max=16.0)\n"
        "m.fit(d.x[:1400], d.y[:1400], epochs=3, verbose=0)\n"
        "devs = [choose_device(force_cpu=True), choose_device(force_cpu=False)]\n"
        "assert devs[1].kind == 'gpu', devs\n"
        "p = inference.benchmark(m, d.x[1400:], d.y[1400:], devices=devs,\n"
        "    params=BenchParams(batch_sizes=(1, 1024), min_calls=5, min_seconds=0.05))\n"
        "gpu = [r for r in p.rows if r.device_kind == 'gpu']\n"
        "assert gpu and all(r.samples_per_second > 0 for r in gpu)\n"
        "print('ok', p.backend, len(gpu))\n"
    )
    env = {**os.environ, "KERAS_BACKEND": backend}
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env, timeout=600
    )
    assert out.returncode == 0 and "ok" in out.stdout, out.stdout + out.stderr[-2000:]


def test_int8_is_refused_under_other_backends_with_a_note() -> None:
    if importlib.util.find_spec("jax") is None:
        pytest.skip("JAX is not installed here; the int8 note under JAX is checked where it is")
    code = (
        "from mlcore.datasets import load\n"
        "from mlcore.specs import preset_spec\n"
        "from mlcore.engine.model import build_model\n"
        "from mlcore.engine.devices import choose_device\n"
        "from mlcore.engine import inference\n"
        "from mlcore.tasks import BenchParams\n"
        "d = load('digits')\n"
        "m = build_model(preset_spec('article-mlp'), input_shape=(8, 8), n_classes=10, pixel_max=16.0)\n"
        "p = inference.benchmark(m, d.x[:50], d.y[:50], devices=[choose_device(force_cpu=True)],\n"
        "    params=BenchParams(batch_sizes=(1,), min_calls=3, min_seconds=0.0), calibration=d.x[:10])\n"
        "assert p.int8_accuracy is None and any('TensorFlow backend' in n for n in p.notes), p.notes\n"
        "print('ok')\n"
    )
    env = {**os.environ, "KERAS_BACKEND": "jax"}
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0 and "ok" in out.stdout, out.stdout + out.stderr[-2000:]


def test_model_bytes_count_every_weight(mnist: tuple) -> None:
    *_, model = mnist
    assert inference.float_model_bytes(model) == sum(int(np.prod(w.shape)) * 4 for w in model.weights)
