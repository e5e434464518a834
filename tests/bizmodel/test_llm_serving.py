"""The LLM serving model: the batch and its reason, rates and prices, worked by hand on a toy model."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel.llm_serving import ServingError, ServingWorkload, plan_replica, priced
from bizmodel.shapes import ModelShape, shape_for

# A toy model: 1e9 parameters, 10 layers, 8 heads × 64 (width 512), 2 KV heads (256 values per layer).
TOY = ModelShape("toy", "toy", 1e9, 1e9, 10, 8, 64, 2, 256.0, 4096, "test")
# A toy accelerator: 100 TFLOP/s bf16, 200 TOPS 8-bit, 1,000 GB/s, 16 GiB.
CHIP = pd.Series(
    {
        "accelerator": "X",
        "bf16_tflops": 100.0,
        "int8_tops": 200.0,
        "bandwidth_gbps": 1000.0,
        "memory_gib": 16.0,
    }
)


def toy(**kwargs) -> ServingWorkload:
    base = {"mfu": 0.5, "bandwidth_efficiency": 0.5, "tpot_target_ms": 50.0}
    return ServingWorkload(TOY, 100, 100, **{**base, **kwargs})


# By hand, I = O = 100 (c̄ = 150), bf16: 5e13 FLOP/s and 5e11 B/s usable.
# prefill FLOPs/token = 2e9 + 4·10·512·50 = 2,001,024,000; decode = 2e9 + 4·10·512·150 = 2,003,072,000.
# alpha (s per sequence per step) = (2,003,072,000 + 2,001,024,000) / 5e13 = 8.008192e-5;
# beta (weights) = 2e9 / 5e11 = 4e-3; gamma (KV of one sequence: 150 × 10 × 256 × 2 B) = 768,000 / 5e11.
ALPHA, BETA, GAMMA = 4_004_096_000 / 5e13, 4e-3, 768_000 / 5e11


def test_compute_sets_the_batch_where_compute_meets_memory() -> None:
    plan = plan_replica(toy(), CHIP, 1)
    knee = BETA / (ALPHA - GAMMA)  # 50.93
    assert plan.knee_batch == pytest.approx(knee)
    assert (plan.batch, plan.batch_reason, plan.compute_bound) == (51, "compute", True)
    assert plan.step_seconds == pytest.approx(51 * ALPHA)
    assert plan.output_tokens_per_second == pytest.approx(51 / (51 * ALPHA))
    assert plan.input_tokens_per_second == pytest.approx(plan.output_tokens_per_second)  # I = O
    assert plan.requests_per_second == pytest.approx(plan.output_tokens_per_second / 100)
    assert plan.prefill_tokens_per_second == pytest.approx(5e13 / 2_001_024_000)
    # KV room: 16 GiB × 0.9 − 2e9 B of weights, 768,000 B per sequence.
    assert plan.max_batch_memory == math.floor((16 * 2**30 * 0.9 - 2e9) / 768_000) == 17_528
    assert plan.max_batch_latency == pytest.approx(min(0.05 / ALPHA, (0.05 - BETA) / GAMMA))


def test_a_tight_latency_target_sets_a_smaller_memory_bound_batch() -> None:
    plan = plan_replica(toy(tpot_target_ms=4.05), CHIP, 1)
    # min(4.05e-3 / alpha, (4.05e-3 − beta) / gamma) = min(50.57, 32.55) → 32
    assert (plan.batch, plan.batch_reason, plan.compute_bound) == (32, "latency", False)
    assert plan.tpot_ms == pytest.approx((BETA + 32 * GAMMA) * 1000)
    assert plan.tpot_ms <= 4.05


def test_an_unreachable_target_runs_one_sequence_and_says_so() -> None:
    plan = plan_replica(toy(tpot_target_ms=3.0), CHIP, 1)  # reading the weights alone takes 4 ms
    assert (plan.batch, plan.batch_reason) == (1, "latency_unreachable")
    assert plan.tpot_ms == pytest.approx((BETA + GAMMA) * 1000)


def test_long_contexts_fill_memory_first() -> None:
    work = ServingWorkload(TOY, 6000, 2000, mfu=0.5, bandwidth_efficiency=0.5, tpot_target_ms=None)
    small = CHIP.copy()
    small["memory_gib"] = 3.0
    plan = plan_replica(work, small, 1)
    kv = 7000 * 10 * 256 * 2  # c̄ = 6,000 + 1,000
    assert plan.kv_bytes_per_sequence == kv
    # 3 GiB × 0.9 − 2e9 B of weights holds 25 such sequences; compute would saturate only at 43.
    assert (
        (plan.batch, plan.batch_reason)
        == (math.floor((3 * 2**30 * 0.9 - 2e9) / kv), "memory")
        == (25, "memory")
    )
    assert plan.knee_batch == pytest.approx(42.2, abs=0.1)


def test_eight_bit_halves_weight_bytes_and_uses_the_eight_bit_peak() -> None:
    plan = plan_replica(toy(weight_bytes=1), CHIP, 1)
    assert plan.precision == "8-bit" and plan.peak_flops == 200e12
    assert plan.weights_bytes == 1e9 and plan.kv_bytes_per_sequence == 150 * 10 * 256 * 1
    no_eight_bit = plan_replica(toy(weight_bytes=1), CHIP.drop("int8_tops"), 1)
    assert no_eight_bit.peak_flops == 100e12  # falls back to the bf16 peak


def test_count_accelerators_add_up() -> None:
    one, eight = (
        plan_replica(toy(tpot_target_ms=None), CHIP, 1),
        plan_replica(toy(tpot_target_ms=None), CHIP, 8),
    )
    assert eight.peak_flops == 8 * one.peak_flops and eight.memory_bytes == 8 * one.memory_bytes
    assert eight.output_tokens_per_second == pytest.approx(8 * one.output_tokens_per_second, rel=0.02)


def test_a_model_that_does_not_fit_has_no_rates() -> None:
    plan = plan_replica(ServingWorkload(shape_for("llama-3.1-405b"), 100, 100), CHIP, 1)
    assert (plan.fits, plan.batch, plan.batch_reason, plan.output_tokens_per_second) == (
        False,
        0,
        "no_fit",
        0.0,
    )
    prices = priced(plan, ServingWorkload(shape_for("llama-3.1-405b"), 100, 100), 10.0, 0.5)
    assert math.isinf(prices.usd_per_request)


def test_prefill_only_requests() -> None:
    plan = plan_replica(ServingWorkload(TOY, 500, 0, mfu=0.5), CHIP, 1)
    assert plan.batch_reason == "prefill_only" and plan.output_tokens_per_second == 0
    assert plan.requests_per_second == pytest.approx(plan.prefill_tokens_per_second / 500)


def test_prices_split_a_request_into_input_and_output_time() -> None:
    work = toy()
    plan = plan_replica(work, CHIP, 1)
    prices = priced(plan, work, usd_per_hour=3.6, utilisation=0.5)  # $0.002 per second of capacity
    per_second = 3.6 / 3600 / 0.5
    assert prices.usd_per_1m_input_tokens == pytest.approx(per_second / plan.prefill_tokens_per_second * 1e6)
    assert prices.usd_per_request == pytest.approx(per_second / plan.requests_per_second)
    blended = (100 * prices.usd_per_1m_input_tokens + 100 * prices.usd_per_1m_output_tokens) / 1e6
    assert blended == pytest.approx(prices.usd_per_request)
    assert prices.usd_per_1m_output_tokens > 0


@pytest.mark.parametrize(
    "make",
    [
        lambda: ServingWorkload(TOY, 0, 0),
        lambda: ServingWorkload(TOY, -1, 10),
        lambda: ServingWorkload(TOY, 10, 10, weight_bytes=4),
        lambda: ServingWorkload(TOY, 10, 10, mfu=0),
        lambda: ServingWorkload(TOY, 10, 10, memory_utilisation=1.5),
        lambda: ServingWorkload(TOY, 10, 10, tpot_target_ms=0),
        lambda: ServingWorkload(TOY, 10, 10, tpot_target_ms=math.nan),
        lambda: plan_replica(ServingWorkload(TOY, 10, 10), CHIP, 0),
        lambda: plan_replica(ServingWorkload(TOY, 10, 10), CHIP.drop("bandwidth_gbps"), 1),
        lambda: priced(plan_replica(toy(), CHIP, 1), toy(), usd_per_hour=-1, utilisation=0.5),
    ],
)
def test_bad_inputs_are_refused(make) -> None:
    with pytest.raises(ServingError):
        make()


@given(
    i=st.floats(1, 20_000),
    o=st.floats(1, 4_000),
    target=st.one_of(st.none(), st.floats(1, 500)),
    count=st.sampled_from([1, 2, 8]),
    weight_bytes=st.sampled_from([1, 2]),
)
@settings(max_examples=150, deadline=None)
def test_plan_properties(i: float, o: float, target: float | None, count: int, weight_bytes: int) -> None:
    work = ServingWorkload(shape_for("llama-3.1-8b"), i, o, weight_bytes=weight_bytes, tpot_target_ms=target)
    plan = plan_replica(work, CHIP, count)
    if not plan.fits:
        return
    assert 1 <= plan.batch <= max(1, plan.max_batch_memory)
    if plan.batch_reason != "latency_unreachable" and target is not None:
        assert plan.tpot_ms <= target * (1 + 1e-9)
    # Rates are consistent: out / in = O / I; requests = out / O.
    assert plan.input_tokens_per_second == pytest.approx(plan.output_tokens_per_second * i / o)
    assert plan.requests_per_second == pytest.approx(plan.output_tokens_per_second / o)
    # No batch beats the compute bound.
    ceiling = plan.peak_flops * 0.4 / (2 * 8.03e9 * (1 + i / o))
    assert plan.output_tokens_per_second <= ceiling * (1 + 1e-9)
