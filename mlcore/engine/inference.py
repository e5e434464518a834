"""Serve a trained run: load its model safely, predict, and measure inference speed.

Three paths are measured side by side on each device, per batch size:

* ``compiled``: Keras' compiled predict step called directly (``model.predict_on_batch``), the
  way a serving loop should call a model: one traced function, no per-call set-up.
* ``predict``: ``model.predict`` called once per request, a common mistake in serving code: it
  builds a data pipeline and a progress loop on every call (tens of milliseconds on a CPU).
* ``int8``: the model converted to a full-integer TFLite flatbuffer (TensorFlow only, CPU),
  run by LiteRT's interpreter (``ai-edge-litert``; TensorFlow's own interpreter when LiteRT is
  not installed).

Latency of a call is wall time around one batch, the result copied back to the host. Each
(device, path, batch) cell is warmed up with 2 calls, then timed for at least
``min_calls`` calls and ``min_seconds``; percentiles are over those calls.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np

from mlcore.engine.devices import Device
from mlcore.engine.progress import ProgressFn, report_progress, utc_now_iso
from mlcore.errors import SpecError
from mlcore.tasks import BenchParams, InferenceProfile, InferenceRow, Prediction

#: Upper bounds on one cell, so a slow path never holds the worker for long.
MAX_CALLS = 5000
MAX_CELL_SECONDS = 6.0
INT8_CALIBRATION_SAMPLES = 200


class Stopped(Exception):
    """The user asked the task to stop."""


def load_model(path: Path) -> keras.Model:
    """Load a run's ``.keras`` file with Keras' safe mode (no arbitrary code, nothing unpickled).

    Raises :class:`~mlcore.errors.SpecError` with what to do when the file is missing or unreadable.
    """
    if not path.is_file():
        raise SpecError("this run's model file is missing (deleted or moved); train the run again")
    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except (OSError, ValueError, TypeError) as exc:
        raise SpecError(
            f"this run's model file cannot be loaded ({type(exc).__name__}); train the run again"
        ) from exc


def float_model_bytes(model: keras.Model) -> int:
    """Bytes of every weight of the model (trainable or not) as it is held in memory."""
    return int(sum(int(np.prod(w.shape)) * np.dtype(w.dtype).itemsize for w in model.weights))


def predict_top(model: keras.Model, x: np.ndarray, *, top_k: int = 3) -> list[Prediction]:
    """Top-``k`` classes and probabilities per input (compiled path)."""
    probs = np.asarray(keras.ops.convert_to_numpy(model.predict_on_batch(x)), dtype=np.float64)
    k = min(top_k, probs.shape[1])
    out = []
    for row in probs:
        order = np.argsort(-row, kind="stable")[:k]
        out.append(Prediction(tuple(int(i) for i in order), tuple(float(row[i]) for i in order)))
    return out


def percentiles_ms(seconds: Sequence[float]) -> tuple[float, float, float, float]:
    """(p50, p95, p99, mean) in milliseconds of per-call times in seconds (linear interpolation).

    >>> [round(v, 3) for v in percentiles_ms([0.001] * 10 + [0.011])]
    [1.0, 6.0, 10.0, 1.909]
    """
    a = np.asarray(seconds, dtype=np.float64) * 1000.0
    p50, p95, p99 = (float(np.percentile(a, q)) for q in (50, 95, 99))
    return p50, p95, p99, float(a.mean())


def time_calls(
    call: Callable[[], object],
    *,
    min_calls: int,
    min_seconds: float,
    stop_event: threading.Event | None = None,
) -> list[float]:
    """Seconds per call: 2 warm-up calls, then at least ``min_calls`` calls and ``min_seconds``
    (at most ``MAX_CALLS`` calls or ``MAX_CELL_SECONDS``, whichever comes first after the minimum)."""
    for _ in range(2):
        call()
    times: list[float] = []
    t_start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
        spent = time.perf_counter() - t_start
        if stop_event is not None and stop_event.is_set():
            raise Stopped
        if len(times) >= min_calls and spent >= min_seconds:
            break
        if len(times) >= MAX_CALLS or (len(times) >= 3 and spent >= MAX_CELL_SECONDS):
            break
    return times


def _batch(x: np.ndarray, size: int) -> np.ndarray:
    reps = -(-size // len(x))
    return np.ascontiguousarray(np.concatenate([x] * reps)[:size] if reps > 1 else x[:size])


def _accuracy(predict: Callable[[np.ndarray], object], x: np.ndarray, y: np.ndarray) -> float:
    preds = [
        np.asarray(keras.ops.convert_to_numpy(predict(x[i : i + 1024]))).argmax(axis=1)
        for i in range(0, len(x), 1024)
    ]
    return float((np.concatenate(preds) == y).mean()) if preds else float("nan")


# --------------------------------------------------------------------------- int8 (TensorFlow only)


def tflite_available() -> bool:
    """Whether the active backend can convert to TFLite (the TensorFlow backend only)."""
    return keras.backend.backend() == "tensorflow"


def convert_int8(model: keras.Model, calibration: np.ndarray) -> bytes:
    """Full-integer TFLite flatbuffer of ``model`` (weights and activations int8; float in and out).

    TensorFlow only. ``calibration`` are raw training inputs that set the activation ranges.
    The converter's console chatter is swallowed (the command line's JSON stays clean).
    """
    import tensorflow as tf

    def representative() -> object:
        for i in range(len(calibration)):
            yield [calibration[i : i + 1].astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        # "Statistics for quantized inputs were expected": inputs stay float32 on purpose.
        warnings.simplefilter("ignore", UserWarning)
        return bytes(converter.convert())


class TFLiteRunner:
    """Runs a TFLite flatbuffer at any batch size (LiteRT's interpreter, else TensorFlow's)."""

    def __init__(self, flatbuffer: bytes) -> None:
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:  # LiteRT not installed: TensorFlow's interpreter gives the same results
            import tensorflow as tf

            Interpreter = tf.lite.Interpreter
        self._it = Interpreter(model_content=flatbuffer)
        self._in = self._it.get_input_details()[0]["index"]
        self._out = self._it.get_output_details()[0]["index"]
        self._batch = -1

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if len(x) != self._batch:
            self._it.resize_tensor_input(self._in, [len(x), *x.shape[1:]])
            self._it.allocate_tensors()
            self._batch = len(x)
        self._it.set_tensor(self._in, np.ascontiguousarray(x, dtype=np.float32))
        self._it.invoke()
        return self._it.get_tensor(self._out)


# --------------------------------------------------------------------------- the benchmark


def _caller(model: keras.Model, int8: TFLiteRunner | None, path: str, xb: np.ndarray) -> Callable[[], object]:
    """One timed call of ``path`` on the batch ``xb`` (its result brought back to the host)."""
    if path == "int8":
        assert int8 is not None
        return lambda: int8(xb)
    if path == "predict":
        return lambda: model.predict(xb, batch_size=len(xb), verbose=0)
    return lambda: keras.ops.convert_to_numpy(model.predict_on_batch(xb))


def benchmark(
    model: keras.Model,
    x_test: np.ndarray,
    y_test: np.ndarray,
    *,
    devices: Sequence[Device],
    params: BenchParams,
    calibration: np.ndarray | None = None,
    load_on: Callable[[Device], keras.Model] | None = None,
    on_progress: ProgressFn | None = None,
    stop_event: threading.Event | None = None,
) -> InferenceProfile:
    """Measure every (device, path, batch size) cell and the test accuracy of each model.

    ``model`` serves the first device (the CPU); for every other device ``load_on(device)`` is
    called inside that device's scope, so each device times its own copy of the weights (no
    host–device transfers in the CPU rows). Without ``load_on`` the same model serves all.
    ``calibration`` (raw training inputs) enables the int8 path on the TensorFlow backend; a
    conversion that fails is noted, not fatal. Raises :class:`Stopped` when ``stop_event`` is set.
    """
    t0 = time.perf_counter()
    notes: list[str] = []
    x_test = np.asarray(x_test, dtype=np.float32)
    float_bytes = float_model_bytes(model)
    int8, int8_bytes = _int8_runner_tf_only(model, calibration, notes) if params.include_int8 else (None, 0)
    cells = _cells(devices, params, with_int8=int8 is not None)
    cpu = next((d for d in devices if d.kind == "cpu"), devices[0])
    models: dict[str, keras.Model] = {devices[0].name: model}
    rows: list[InferenceRow] = []
    for i, (device, path, batch) in enumerate(cells):
        if stop_event is not None and stop_event.is_set():
            raise Stopped
        where = device or cpu
        report_progress(on_progress, t0, i, len(cells) + 1, f"{path} · batch {batch} · {where.description}")
        if where.name not in models:
            with keras.device(where.name):
                models[where.name] = load_on(where) if load_on is not None else model
        call = _caller(models[where.name], int8, path, _batch(x_test, batch))
        with keras.device(where.name):
            times = time_calls(
                call, min_calls=params.min_calls, min_seconds=params.min_seconds, stop_event=stop_event
            )
        size = int8_bytes if path == "int8" else float_bytes
        rows.append(_row(where, path, batch, times, model_bytes=size))
    message = "accuracy of the float and int8 models on the test split"
    report_progress(on_progress, t0, len(cells), len(cells) + 1, message)
    with keras.device(cpu.name):
        float_acc = _accuracy(
            lambda xb: keras.ops.convert_to_numpy(model.predict_on_batch(xb)), x_test, y_test
        )
    int8_acc = _accuracy(int8, x_test, y_test) if int8 is not None else None
    rows = [r.__class__(**{**r.to_dict(), "accuracy": int8_acc if r.quantized else float_acc}) for r in rows]
    return InferenceProfile(
        measured_at=utc_now_iso(),
        rows=tuple(rows),
        backend=keras.backend.backend(),
        notes=tuple(notes),
        float_accuracy=float_acc,
        int8_accuracy=int8_acc,
    )


def _int8_runner_tf_only(
    model: keras.Model, calibration: np.ndarray | None, notes: list[str]
) -> tuple[TFLiteRunner | None, int]:
    """TensorFlow only: the int8 model's runner and its flatbuffer's size in bytes, calibrated on
    the first :data:`INT8_CALIBRATION_SAMPLES` of ``calibration``; ``(None, 0)`` with a line in
    ``notes`` saying why when the backend is not TensorFlow, there are no inputs to calibrate
    with, or the conversion fails."""
    if not tflite_available():
        notes.append(
            "int8 skipped: TFLite conversion needs the TensorFlow backend "
            f"(this is {keras.backend.backend()})"
        )
        return None, 0
    if calibration is None or not len(calibration):
        notes.append("int8 skipped: no training inputs to calibrate the quantisation")
        return None, 0
    try:
        flat = convert_int8(model, calibration[:INT8_CALIBRATION_SAMPLES])
        return TFLiteRunner(flat), len(flat)
    except Exception as exc:  # the converter raises many types; float rows still count
        notes.append(f"int8 skipped: the TFLite conversion failed ({type(exc).__name__}: {exc})"[:300])
        return None, 0


def _cells(
    devices: Sequence[Device], params: BenchParams, *, with_int8: bool
) -> list[tuple[Device | None, str, int]]:
    """The (device, path, batch size in samples) cells in the order they are timed: every float
    path on every device, then the int8 path (device None: it runs on the CPU)."""
    paths = ["compiled"] + (["predict"] if params.include_predict else [])
    cells: list[tuple[Device | None, str, int]] = [
        (d, p, b) for d in devices for p in paths for b in params.batch_sizes
    ]
    if with_int8:
        cells += [(None, "int8", b) for b in params.batch_sizes]
    return cells


def _row(where: Device, path: str, batch: int, times: Sequence[float], *, model_bytes: int) -> InferenceRow:
    """The row of one cell from its per-call seconds: latency percentiles (ms), throughput
    (samples per second at the mean latency), calls and the model's size in bytes; its accuracy
    is filled in once every cell has run."""
    p50, p95, p99, mean = percentiles_ms(times)
    return InferenceRow(
        device=where.description,
        device_kind=where.kind,
        path=path,
        batch_size=batch,
        p50_ms=p50,
        p95_ms=p95,
        p99_ms=p99,
        mean_ms=mean,
        samples_per_second=batch / (mean / 1000.0),
        calls=len(times),
        model_bytes=model_bytes,
        quantized=path == "int8",
    )
