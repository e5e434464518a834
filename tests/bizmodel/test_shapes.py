"""Transformer shapes: the bundled table, inferred shapes, attention FLOPs and KV-cache bytes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel.shapes import ModelShape, ShapeError, bundled_shapes, infer_shape, shape_for


def test_bundled_table_is_consistent():
    shapes = bundled_shapes()
    keys = [s.key for s in shapes]
    assert len(keys) == len(set(keys)) >= 10
    for shape in shapes:
        assert shape.source and not shape.inferred
        assert shape.active_params <= shape.total_params
        if shape.kv_heads:  # multi-head or grouped-query attention: keys and values per KV head
            assert shape.kv_values_per_layer == 2 * shape.kv_heads * shape.head_dim
            assert shape.heads % shape.kv_heads == 0
    assert {s.key for s in shapes if s.is_moe} >= {"mixtral-8x7b", "deepseek-v3", "gpt-oss-120b"}


@pytest.mark.parametrize(
    ("key", "kv_bytes_bf16"),
    [
        ("llama-2-7b", 2 * 32 * 32 * 128 * 2),  # 512 KiB: full multi-head attention
        ("llama-2-70b", 2 * 80 * 8 * 128 * 2),  # 320 KiB: 8 KV heads
        ("llama-3.1-405b", 2 * 126 * 8 * 128 * 2),
        ("deepseek-v3", 61 * (512 + 64) * 2),  # MLA: latent 512 + rotary key 64 per layer
    ],
)
def test_kv_cache_bytes_per_token(key, kv_bytes_bf16):
    shape = shape_for(key)
    assert shape.kv_bytes_per_token(2) == kv_bytes_bf16
    assert shape.kv_bytes_per_token(1) == kv_bytes_bf16 / 2


def test_inferred_shape_reproduces_the_published_dense_proportions():
    # Width ≈ 128 × depth and 12·d² per layer: the inferred 7B, 13B and 405B land near Llama's.
    for key, tolerance in (("llama-2-7b", 1), ("llama-2-13b", 1), ("llama-3.1-405b", 4)):
        published = shape_for(key)
        inferred = infer_shape(published.total_params)
        assert abs(inferred.layers - published.layers) <= tolerance
        assert inferred.inferred and inferred.key == "inferred"


def test_unknown_key_lists_the_known_ones():
    with pytest.raises(ShapeError, match="llama-2-70b"):
        shape_for("gpt-17")


@pytest.mark.parametrize(("total", "active"), [(0, None), (-1, None), (math.nan, None), (1e9, 2e9), (1e9, 0)])
def test_bad_sizes_are_refused(total, active):
    with pytest.raises(ShapeError):
        infer_shape(total, active)


def test_resized_table_shape_keeps_its_layers():
    resized = shape_for("llama-2-70b").with_params(80e9, 80e9)
    assert (resized.layers, resized.total_params, resized.key) == (80, 80e9, "llama-2-70b")
    with pytest.raises(ShapeError):
        ModelShape(**{**resized.__dict__, "active_params": 90e9})


@given(st.floats(1e6, 1e13), st.floats(0.01, 1.0))
@settings(max_examples=80, deadline=None)
def test_inferred_shapes_are_valid_and_grow_with_size(total, share):
    shape = infer_shape(total, total * share)
    bigger = infer_shape(total * 8, total * 8 * share)
    assert shape.layers >= 1 and shape.kv_bytes_per_token(2) > 0
    assert bigger.layers >= shape.layers
    assert shape.train_attention_flops_per_token(4096) == pytest.approx(
        3 * shape.forward_attention_flops_per_token(4096)
    )
