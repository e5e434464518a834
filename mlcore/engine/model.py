"""Build a Keras model from a :class:`~mlcore.specs.ModelSpec`.

Scaling lives inside the model: image data is rescaled by ``1 / pixel_max`` and tables are
standardised by a ``Normalization`` layer fitted on the training split, so a saved model
predicts from raw inputs exactly as they are stored.
"""

from __future__ import annotations

import keras
import numpy as np

from mlcore.specs import ModelSpec


def _optimizer(spec: ModelSpec, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    lr: float | keras.optimizers.schedules.LearningRateSchedule = spec.learning_rate
    total_steps = max(1, steps_per_epoch * spec.epochs)
    if spec.lr_schedule == "cosine":
        lr = keras.optimizers.schedules.CosineDecay(spec.learning_rate, decay_steps=total_steps)
    elif spec.lr_schedule == "step":
        # Halve the rate three times over the run (at 1/4, 2/4 and 3/4 of the steps).
        bounds = [max(1, total_steps * k // 4) for k in (1, 2, 3)]
        bounds = sorted(set(bounds))
        values = [spec.learning_rate * 0.5**i for i in range(len(bounds) + 1)]
        lr = keras.optimizers.schedules.PiecewiseConstantDecay(bounds, values)
    if spec.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=spec.momentum)
    if spec.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr)
    return keras.optimizers.Adam(learning_rate=lr)


def build_model(
    spec: ModelSpec,
    *,
    input_shape: tuple[int, ...],
    n_classes: int,
    pixel_max: float | None,
    x_train: np.ndarray | None = None,
    steps_per_epoch: int = 1,
) -> keras.Model:
    """Compile the model ``spec`` describes (sparse categorical cross-entropy, accuracy).

    ``pixel_max`` rescales image inputs; when it is None the inputs are a table and
    ``x_train`` (raw training features) fits the normalisation layer.
    """
    keras.utils.set_random_seed(spec.seed)
    reg = keras.regularizers.L2(spec.l2) if spec.l2 > 0 else None
    inputs = keras.Input(shape=input_shape, name="features")
    if pixel_max is not None:
        x = keras.layers.Rescaling(1.0 / pixel_max, name="rescale")(inputs)
    else:
        norm = keras.layers.Normalization(axis=-1, name="standardise")
        if x_train is not None:
            norm.adapt(x_train)
        x = norm(inputs)
    if spec.architecture == "cnn":
        x = keras.layers.Reshape((*input_shape, 1), name="channels")(x)
        for i, filters in enumerate(spec.conv_filters, start=1):
            x = keras.layers.Conv2D(
                filters,
                3,
                padding="same",
                activation=spec.activation,
                kernel_regularizer=reg,
                name=f"conv{i}",
            )(x)
            x = keras.layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    for i, units in enumerate(spec.hidden_units, start=1):
        x = keras.layers.Dense(units, activation=spec.activation, kernel_regularizer=reg, name=f"dense{i}")(x)
        if spec.dropout > 0:
            x = keras.layers.Dropout(spec.dropout, seed=spec.seed + i, name=f"dropout{i}")(x)
    # The output stays float32 under mixed precision, for a numerically stable softmax.
    outputs = keras.layers.Dense(n_classes, activation="softmax", dtype="float32", name="output")(x)
    model = keras.Model(inputs, outputs, name=spec.preset.replace("-", "_"))
    model.compile(
        optimizer=_optimizer(spec, steps_per_epoch),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def trainable_params(model: keras.Model) -> int:
    """Number of trainable weights (what the FLOP counts are about)."""
    return int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
