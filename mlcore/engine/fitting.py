"""What a training run and the experiments' trainings share: the dtype policy, the model built
for a data set, and early stopping.

Backend-agnostic (Keras 3's own API only): the same helpers run under TensorFlow, JAX or torch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import keras
import numpy as np

from mlcore.datasets import Dataset
from mlcore.engine.devices import Device, compute_dtype
from mlcore.engine.model import build_model
from mlcore.specs import ModelSpec


def mixed_policy(device: Device, wanted: bool) -> str | None:
    """Keras' mixed-precision policy name for ``device`` (``"mixed_float16"``, or
    ``"mixed_bfloat16"`` under JAX), or None when it computes in float32 (not wanted, or not a
    GPU: see :func:`~mlcore.engine.devices.compute_dtype`)."""
    dtype = compute_dtype(device, mixed_precision=wanted)
    return None if dtype == "float32" else f"mixed_{dtype}"


@contextlib.contextmanager
def precision_policy(policy: str | None) -> Iterator[None]:
    """Keras' global dtype policy set to ``policy`` inside the block (None: left as it is); the
    previous policy is restored on leaving it, on an error too."""
    previous = keras.mixed_precision.global_policy().name
    try:
        if policy:
            keras.mixed_precision.set_global_policy(policy)
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def build_for_data(
    spec: ModelSpec, data: Dataset, *, x_train: np.ndarray, steps_per_epoch: int
) -> keras.Model:
    """The compiled model ``spec`` describes, shaped for ``data`` (input shape, classes).

    ``x_train`` (raw training inputs) fits the normalisation layer of a table; images are rescaled
    by ``data.pixel_max`` instead and ``x_train`` is not used. ``steps_per_epoch`` (optimizer steps)
    spans a decaying learning-rate schedule over the spec's epochs.
    """
    return build_model(
        spec,
        input_shape=data.input_shape,
        n_classes=data.n_classes,
        pixel_max=data.pixel_max,
        x_train=x_train if data.pixel_max is None else None,
        steps_per_epoch=steps_per_epoch,
    )


def early_stopping(patience: int, *, min_delta: float = 0.0) -> keras.callbacks.EarlyStopping:
    """Stop once the validation loss has not fallen by more than ``min_delta`` (loss units) for
    ``patience`` epochs; the weights of the best epoch are restored."""
    return keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, min_delta=min_delta, restore_best_weights=True
    )
