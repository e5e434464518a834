"""Which device to train on, and this device's measured peak FLOP/s (a matmul probe).

Backend-agnostic through ``keras.ops`` and ``keras.device``; the GPU listing asks the active
backend (TensorFlow, JAX or PyTorch).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np

from mlcore.hardware import cpu_description


@dataclass(frozen=True)
class Device:
    """A device Keras can place work on: ``name`` for ``keras.device`` (``cpu:0``, ``gpu:0``),
    ``kind`` (``cpu`` / ``gpu``) and a human description."""

    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class PeakProbe:
    """Measured peak of a device: FLOP/s of the best of several square matmuls."""

    device: Device
    flops_per_second: float
    method: str


def gpu_names() -> list[str]:
    """Names of the GPUs the active Keras backend sees (empty on a CPU-only machine)."""
    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            out = []
            for gpu in tf.config.list_physical_devices("GPU"):
                details = tf.config.experimental.get_device_details(gpu)
                out.append(str(details.get("device_name", gpu.name)))
            return out
        if backend == "jax":
            import jax

            return [str(d.device_kind) for d in jax.devices() if d.platform == "gpu"]
        if backend == "torch":
            import torch

            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception:  # a broken driver must not stop CPU training
        return []
    return []


def choose_device(*, force_cpu: bool) -> Device:
    """The first GPU unless ``force_cpu`` or none is visible; else the CPU."""
    gpus = [] if force_cpu else gpu_names()
    if gpus:
        return Device("gpu:0", "gpu", gpus[0])
    return Device("cpu:0", "cpu", f"CPU ({cpu_description()})")


def compute_dtype(device: Device, *, mixed_precision: bool) -> str:
    """The dtype matrix products run in: 16-bit on a GPU with mixed precision, else float32.

    Matches the policy :func:`mlcore.engine.train.train` sets (``mixed_bfloat16`` under JAX,
    ``mixed_float16`` otherwise), so MFU is measured against the peak of the same precision.
    """
    if not mixed_precision or device.kind != "gpu":
        return "float32"
    return "bfloat16" if keras.backend.backend() == "jax" else "float16"


def probe_peak(
    device: Device, *, size: int | None = None, repeats: int = 6, dtype: str = "float32"
) -> PeakProbe:
    """Measure the device's matmul FLOP/s: best of ``repeats`` ``size×size`` products.

    One product costs ``2·size³`` FLOPs. The first call (compilation, warm-up) is not timed.
    """
    n = size or (2048 if device.kind == "cpu" else 8192)
    rng = np.random.default_rng(0)
    with keras.device(device.name):
        a = keras.ops.convert_to_tensor(rng.standard_normal((n, n)).astype("float32"), dtype=dtype)
        b = keras.ops.convert_to_tensor(rng.standard_normal((n, n)).astype("float32"), dtype=dtype)
        keras.ops.convert_to_numpy(keras.ops.sum(keras.ops.matmul(a, b)))
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            c = keras.ops.matmul(a, b)
            keras.ops.convert_to_numpy(c[0, 0])  # wait for the device
            best = min(best, time.perf_counter() - t0)
    flops = 2.0 * n**3 / best
    method = (
        f"{dtype} matmul {n}×{n} on {device.description} through keras.ops "
        f"({keras.backend.backend()}), best of {repeats}"
    )
    return PeakProbe(device, flops, method)
