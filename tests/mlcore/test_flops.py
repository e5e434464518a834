"""FLOP and parameter counts: against hand counts, and the parameters against Keras itself."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.flops import conv2d, count_params, dense, flops_per_sample, layer_table, training_flops
from mlcore.specs import ModelSpec, preset_spec

MLP_784_128_10 = ModelSpec(preset="custom", hidden_units=(128,))


@pytest.mark.parametrize(
    ("spec", "input_shape", "params", "flops"),
    [
        # 784·128·2 + 128  +  128·10·2 + 10
        pytest.param(MLP_784_128_10, (28, 28), 101_770, 203_402, id="784-128-10"),
        # 784·64·2 + 64  +  64·64·2 + 64  +  64·10·2 + 10
        pytest.param(preset_spec("article-mlp"), (28, 28), 55_050, 109_962, id="article-mlp"),
        pytest.param(preset_spec("article-mlp"), (8, 8), 8_970, 17_802, id="article-mlp 8x8"),
        # conv 1→16 at 28×28: (2·9·16 + 16)·784 = 238,336; conv 16→32 at 14×14: (2·9·16·32 + 32)·196
        # = 1,812,608; dense 7·7·32 → 64: 200,768; dense 64 → 10: 1,290
        pytest.param(preset_spec("small-cnn"), (28, 28), 105_866, 2_253_002, id="small-cnn 28x28"),
        # conv at 8×8: 304·64 = 19,456; conv at 4×4: 9,248·16 = 147,968; dense 2·2·32 → 64: 16,448
        pytest.param(preset_spec("small-cnn"), (8, 8), 13_706, 185_162, id="small-cnn 8x8"),
        # a table with 5 features: 5→64→64→3: (5·64·2 + 64) + 8,256 + (64·3·2 + 3)
        pytest.param(preset_spec("article-mlp"), (5,), 4_739, 9_347, id="table d=5"),
    ],
)
def test_hand_counts(spec: ModelSpec, input_shape: tuple[int, ...], params: int, flops: int) -> None:
    n_classes = 3 if input_shape == (5,) else 10
    assert count_params(spec, input_shape, n_classes) == params
    assert flops_per_sample(spec, input_shape, n_classes) == flops


def test_layer_helpers() -> None:
    assert dense(784, 128) == (100_480, 200_832)
    assert dense(1, 1) == (2, 3)
    assert conv2d(28, 28, 1, 16) == (160, 238_336)
    assert conv2d(14, 14, 16, 32) == (4_640, 1_812_608)
    assert conv2d(4, 4, 2, 3, kernel=1) == (9, (2 * 2 * 3 + 3) * 16)


def test_training_is_three_forward_passes() -> None:
    assert training_flops(109_962, 3_500, 10) == 3 * 109_962 * 3_500 * 10
    assert isinstance(training_flops(1, 1, 1), float)


def test_cnn_layer_table_shapes() -> None:
    table = layer_table(preset_spec("small-cnn"), (28, 28), 10)
    assert [(layer.name, layer.output_shape) for layer in table] == [
        ("conv1", (28, 28, 16)),
        ("pool1", (14, 14, 16)),
        ("conv2", (14, 14, 32)),
        ("pool2", (7, 7, 32)),
        ("flatten", (1568,)),
        ("dense1", (64,)),
        ("output", (10,)),
    ]


def test_cnn_needs_images() -> None:
    with pytest.raises(ValueError, match="image"):
        layer_table(preset_spec("small-cnn"), (20,), 3)


@settings(max_examples=100, deadline=None)
@given(
    features=st.integers(1, 2000),
    hidden=st.lists(st.integers(1, 512), min_size=1, max_size=8),
    n_classes=st.integers(2, 100),
)
def test_mlp_flops_are_twice_the_weights(features: int, hidden: list[int], n_classes: int) -> None:
    """For Dense layers, FLOPs = 2·weights + biases = 2·params − biases."""
    spec = ModelSpec(preset="custom", hidden_units=tuple(hidden))
    params = count_params(spec, (features,), n_classes)
    biases = sum(hidden) + n_classes
    assert flops_per_sample(spec, (features,), n_classes) == 2 * params - biases
    widths = [features, *hidden, n_classes]
    assert params == sum(a * b + b for a, b in itertools.pairwise(widths))


# --------------------------------------------------------------------------- against Keras


@pytest.mark.parametrize(
    ("spec", "input_shape", "n_classes", "pixel_max"),
    [
        pytest.param(preset_spec("article-mlp"), (28, 28), 10, 255.0, id="article-mlp"),
        pytest.param(preset_spec("small-cnn"), (28, 28), 10, 255.0, id="small-cnn 28x28"),
        pytest.param(preset_spec("small-cnn"), (8, 8), 10, 16.0, id="small-cnn 8x8"),
        pytest.param(
            ModelSpec(preset="custom", architecture="cnn", conv_filters=(4, 8, 8), hidden_units=()),
            (13, 11),
            4,
            255.0,
            id="custom cnn odd sizes, no head",
        ),
        pytest.param(
            ModelSpec(preset="custom", hidden_units=(32, 16, 8), dropout=0.2, l2=1e-4),
            (7,),
            3,
            None,
            id="table mlp d=7",
        ),
    ],
)
def test_params_match_keras(
    spec: ModelSpec, input_shape: tuple[int, ...], n_classes: int, pixel_max: float | None
) -> None:
    from mlcore.engine.model import build_model, trainable_params

    x_train = np.random.default_rng(0).normal(size=(16, *input_shape)).astype(np.float32)
    model = build_model(
        spec,
        input_shape=input_shape,
        n_classes=n_classes,
        pixel_max=pixel_max,
        x_train=None if pixel_max else x_train,
    )
    assert trainable_params(model) == count_params(spec, input_shape, n_classes)
    # Layer by layer: same names, output shapes and parameter counts as Keras builds.
    for info in layer_table(spec, input_shape, n_classes):
        layer = model.get_layer(info.name)
        assert tuple(layer.output.shape[1:]) == info.output_shape, info.name
        assert layer.count_params() == info.params, info.name
