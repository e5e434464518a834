"""Analytic parameter and FLOP counts of the models Moatlab builds, layer by layer.

Conventions (forward pass of one sample):

* Dense ``in → out``: ``2·in·out`` FLOPs for the multiply-adds plus ``out`` for the bias.
* Conv2D (3×3, stride 1, ``same`` padding) ``cin → cout`` on an ``H×W`` map:
  ``2·kh·kw·cin·cout·H·W`` plus ``cout·H·W`` for the bias.
* Activations, rescaling/normalisation, dropout and pooling are not counted: they are well
  under 1 % of these models' FLOPs, and TensorFlow's profiler agrees with these counts within
  0.1 % on a frozen graph.
* Training costs ``3 ×`` the forward FLOPs per sample (forward + backward).

These counts drive the measured FLOP/s and MFU of a run, and later the cost of scaling it.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlcore.specs import ModelSpec, SpecError

TRAINING_FLOPS_MULTIPLIER = 3
KERNEL = 3


@dataclass(frozen=True)
class LayerInfo:
    """One layer: name, output shape (without batch), trainable parameters, forward FLOPs."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    flops: int


def dense(units_in: int, units_out: int) -> tuple[int, int]:
    """(params, forward FLOPs) of a Dense layer with bias.

    >>> dense(784, 128)
    (100480, 200832)
    """
    return units_in * units_out + units_out, 2 * units_in * units_out + units_out


def conv2d(height: int, width: int, c_in: int, c_out: int, *, kernel: int = KERNEL) -> tuple[int, int]:
    """(params, forward FLOPs) of a stride-1 ``same``-padded Conv2D with bias.

    >>> conv2d(28, 28, 1, 16)
    (160, 238336)
    """
    params = kernel * kernel * c_in * c_out + c_out
    flops = (2 * kernel * kernel * c_in * c_out + c_out) * height * width
    return params, flops


def layer_table(spec: ModelSpec, input_shape: tuple[int, ...], n_classes: int) -> list[LayerInfo]:
    """The layers :func:`mlcore.engine.model.build_model` creates, with counts.

    ``input_shape`` excludes the batch: ``(28, 28)`` for MNIST, ``(d,)`` for a table.
    """
    layers: list[LayerInfo] = []
    if spec.architecture == "cnn":
        if len(input_shape) != 2:
            raise ValueError("a CNN needs image data (height × width)")
        h, w = input_shape
        c = 1
        for i, filters in enumerate(spec.conv_filters, start=1):
            p, f = conv2d(h, w, c, filters)
            layers.append(LayerInfo(f"conv{i}", "Conv2D 3×3", (h, w, filters), p, f))
            h, w, c = h // 2, w // 2, filters
            layers.append(LayerInfo(f"pool{i}", "MaxPool 2×2", (h, w, c), 0, 0))
        units = h * w * c
    else:
        units = 1
        for s in input_shape:
            units *= s
    layers.append(LayerInfo("flatten", "Flatten", (units,), 0, 0))
    for i, width in enumerate(spec.hidden_units, start=1):
        p, f = dense(units, width)
        layers.append(LayerInfo(f"dense{i}", f"Dense {spec.activation}", (width,), p, f))
        units = width
    p, f = dense(units, n_classes)
    layers.append(LayerInfo("output", "Dense softmax", (n_classes,), p, f))
    return layers


def count_params(spec: ModelSpec, input_shape: tuple[int, ...], n_classes: int) -> int:
    """Trainable parameters.

    >>> from mlcore.specs import preset_spec
    >>> count_params(preset_spec("article-mlp"), (28, 28), 10)
    55050
    """
    return sum(layer.params for layer in layer_table(spec, input_shape, n_classes))


def flops_per_sample(spec: ModelSpec, input_shape: tuple[int, ...], n_classes: int) -> int:
    """Forward FLOPs of one sample.

    >>> from mlcore.specs import preset_spec
    >>> flops_per_sample(preset_spec("article-mlp"), (28, 28), 10)
    109962
    """
    return sum(layer.flops for layer in layer_table(spec, input_shape, n_classes))


def training_flops(flops_forward: int, samples: int, epochs: int) -> float:
    """Total training FLOPs: ``3 × forward × samples × epochs``."""
    return float(TRAINING_FLOPS_MULTIPLIER * flops_forward * samples * epochs)


@dataclass(frozen=True)
class Utilisation:
    """Training throughput in FLOP/s and as a share of the device's peak.

    ``achieved_flops_per_second`` = 3 × forward FLOPs per sample × samples per second;
    ``mfu`` (model FLOP utilisation, a fraction 0–1 in practice) = achieved ÷
    ``peak_flops_per_second``, None when the peak is unknown.
    """

    achieved_flops_per_second: float
    mfu: float | None


def utilisation(
    flops_per_sample: float, samples_per_second: float, peak_flops_per_second: float | None
) -> Utilisation:
    """The utilisation of a training that processes ``samples_per_second`` samples of a model of
    ``flops_per_sample`` forward FLOPs on a device of ``peak_flops_per_second`` (its measured
    peak, None: unknown). The finished run's MFU and the live figure on the Train page both come
    from here, so they agree.

    >>> u = utilisation(100_000, 20_000, 2e11)
    >>> u.achieved_flops_per_second, u.mfu
    (6000000000.0, 0.03)
    >>> utilisation(100_000, 20_000, None).mfu is None
    True
    """
    achieved = float(TRAINING_FLOPS_MULTIPLIER * flops_per_sample * samples_per_second)
    mfu = achieved / peak_flops_per_second if peak_flops_per_second else None
    return Utilisation(achieved, mfu)


def check_fits(spec: ModelSpec, input_shape: tuple[int, ...], n_classes: int, *, kind: str) -> None:
    """Refuse a model that cannot be built on this data, with what to change.

    ``kind`` is ``"image"`` or ``"table"``. Raises :class:`~mlcore.specs.SpecError`.

    >>> from mlcore.specs import preset_spec
    >>> check_fits(preset_spec("small-cnn"), (28, 28), 10, kind="image")
    >>> check_fits(preset_spec("small-cnn"), (4,), 3, kind="table")
    Traceback (most recent call last):
    ...
    mlcore.errors.SpecError: a CNN needs image data; use an MLP for a table
    """
    if spec.architecture == "cnn" and kind != "image":
        raise SpecError("a CNN needs image data; use an MLP for a table")
    try:
        layers = layer_table(spec, input_shape, n_classes)
    except ValueError as exc:
        raise SpecError(str(exc)) from None
    if any(0 in layer.output_shape for layer in layers):
        raise SpecError(
            f"{len(spec.conv_filters)} convolution + pooling layers shrink the "
            f"{'×'.join(map(str, input_shape))} images to nothing: use fewer convolution layers"
        )
