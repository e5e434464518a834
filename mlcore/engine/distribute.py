"""TensorFlow only: one training run data-parallel over several devices with
``tf.distribute.MirroredStrategy``, and the logical CPU devices that let the path run (and be
tested) on a machine without GPUs.

Every function that touches ``tf.distribute`` or ``tf.config`` says so in its name
(``*_tf_only``) and imports TensorFlow itself; under another Keras backend
:func:`mirrored_strategy_tf_only` refuses with a :class:`~mlcore.errors.SpecError` instead of
crashing. The rest of this module is plain Python.

Conventions
-----------
* The request's ``batch_size`` is the *global* batch (what Keras does under a strategy): each
  step takes ``batch_size`` samples and gives ``batch_size / replicas`` to every replica, so it
  must be a multiple of the replica count.
* Peak FLOP/s for MFU: the worker probes one device. Mirrored over ``N`` GPUs the peak is
  ``N ×`` that probe (identical GPUs assumed, as ``MirroredStrategy`` needs). Logical CPU
  devices share the physical cores the probe already used, so the CPU peak stays one probe.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from mlcore.errors import SpecError
from mlcore.specs import Distribution

log = logging.getLogger("moatlab.distribute")

#: Environment variable read at worker / command-line start: split the CPU into N logical devices.
CPU_DEVICES_ENV = "MOATLAB_CPU_DEVICES"
MAX_CPU_DEVICES = 16
STRATEGY_NAME = "MirroredStrategy"


def cpu_devices_requested(environ: Mapping[str, str] | None = None) -> int:
    """The logical CPU device count ``MOATLAB_CPU_DEVICES`` asks for (1 when unset or invalid).

    >>> cpu_devices_requested({"MOATLAB_CPU_DEVICES": "2"})
    2
    >>> cpu_devices_requested({})
    1
    """
    raw = (os.environ if environ is None else environ).get(CPU_DEVICES_ENV, "").strip()
    if not raw:
        return 1
    try:
        n = int(raw)
    except ValueError:
        log.warning("%s=%r is not a whole number; using 1 CPU device", CPU_DEVICES_ENV, raw)
        return 1
    if not 1 <= n <= MAX_CPU_DEVICES:
        log.warning("%s=%d is outside 1..%d; using 1 CPU device", CPU_DEVICES_ENV, n, MAX_CPU_DEVICES)
        return 1
    return n


def split_cpu_devices_tf_only(n: int | None = None) -> int:
    """TensorFlow only: split the physical CPU into ``n`` logical devices; returns the count.

    ``n`` defaults to ``MOATLAB_CPU_DEVICES``. Must run before TensorFlow initialises its
    runtime (before any tensor or model exists), so the worker and the command line call it at
    start. Does nothing (returns 1) for ``n <= 1`` or when ``KERAS_BACKEND`` is not
    ``tensorflow``; TensorFlow is imported only when a split is asked for. Too late a call
    logs a warning and keeps the devices TensorFlow already has.
    """
    n = cpu_devices_requested() if n is None else n
    if n <= 1 or os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return 1
    import tensorflow as tf

    cpus = tf.config.list_physical_devices("CPU")
    if not cpus:
        return 1
    try:
        tf.config.set_logical_device_configuration(
            cpus[0], [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
        )
    except RuntimeError as exc:  # the runtime is already initialised
        have = len(tf.config.list_logical_devices("CPU"))
        log.warning("cannot split the CPU into %d devices (%s); keeping %d", n, exc, have)
        return have
    return n


def check_global_batch(batch_size: int, replicas: int) -> None:
    """Raise :class:`SpecError` unless the global batch splits evenly over the replicas.

    >>> check_global_batch(32, 2)
    >>> try:
    ...     check_global_batch(33, 2)
    ... except SpecError as exc:
    ...     print(str(exc).split(": ")[-1])
    try 32 or 34
    """
    if replicas < 1:
        raise SpecError("a distribution strategy needs at least one device")
    if batch_size % replicas:
        lower = max(replicas, batch_size // replicas * replicas)
        upper = (batch_size // replicas + 1) * replicas
        raise SpecError(
            f"mirrored over {replicas} devices, the batch size (the global batch, split evenly "
            f"across them) must be a multiple of {replicas}: try {lower} or {upper}"
        )


def distributed_peak(
    peak_flops: float | None, method: str | None, *, device_kind: str, replicas: int
) -> tuple[float | None, str | None]:
    """The peak FLOP/s MFU is measured against when ``replicas`` devices train one run.

    GPUs: ``replicas ×`` the one-device probe (identical GPUs assumed). Logical CPU devices
    share the cores the probe already saturated: the peak stays the probe's. ``method`` says
    which was done.

    >>> distributed_peak(100.0, "probe", device_kind="gpu", replicas=4)
    (400.0, 'probe; × 4 GPUs (identical devices assumed) for MirroredStrategy')
    >>> distributed_peak(100.0, "probe", device_kind="cpu", replicas=2)[0]
    100.0
    """
    if peak_flops is None or replicas <= 1:
        return peak_flops, method
    base = method or "measured peak"
    if device_kind == "gpu":
        return (
            peak_flops * replicas,
            f"{base}; × {replicas} GPUs (identical devices assumed) for {STRATEGY_NAME}",
        )
    return (
        peak_flops,
        f"{base}; not multiplied: the {replicas} logical CPU devices of {STRATEGY_NAME} "
        "share these physical cores",
    )


def mirrored_strategy_tf_only(device_kind: str, batch_size: int) -> tuple[Any, Distribution]:
    """TensorFlow only: a ``tf.distribute.MirroredStrategy`` over every visible device of
    ``device_kind`` (``gpu``: the GPUs; ``cpu``: the logical CPU devices, see
    :func:`split_cpu_devices_tf_only`), and the :class:`Distribution` to record.

    One device still gives a strategy (nothing is split; the record's note says so). Raises
    :class:`SpecError` under another Keras backend, or when ``batch_size`` (the global batch)
    does not split evenly over the replicas.
    """
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise SpecError(
            f"distribute across devices (MirroredStrategy) needs the TensorFlow backend, and this "
            f"worker runs Keras on {backend}: train without it, or start the worker with "
            "KERAS_BACKEND=tensorflow"
        )
    import tensorflow as tf

    kind = "GPU" if device_kind == "gpu" else "CPU"
    count = max(1, len(tf.config.list_logical_devices(kind)))
    names = tuple(f"/{kind.lower()}:{i}" for i in range(count))
    check_global_batch(batch_size, count)
    strategy = tf.distribute.MirroredStrategy(devices=list(names))
    note = ""
    if count == 1:
        note = f"one {kind} device visible: the strategy ran but split nothing " + (
            "(several GPUs are needed for a speed-up)"
            if kind == "GPU"
            else f"(start the worker with {CPU_DEVICES_ENV}=2 to prove the multi-device path)"
        )
    elif kind == "CPU":
        note = f"{count} logical CPU devices on the same cores: proves the path, no speed-up"
    record = Distribution(
        strategy=type(strategy).__name__,
        replicas=int(strategy.num_replicas_in_sync),
        devices=names,
        global_batch_size=batch_size,
        per_replica_batch_size=batch_size // count,
        note=note,
    )
    return strategy, record
