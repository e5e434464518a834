"""Serving an LLM on rented accelerators: continuous batching under memory, compute and latency.

An inference model, not a measurement. It answers what a replica of a model on ``count``
accelerators sustains — tokens per second in and out, the batch it runs at and why — from the
model's shape (:mod:`bizmodel.shapes`) and the accelerators' catalog figures.

Conventions
-----------
* **One replica** spans the ``count`` accelerators of an instance (tensor parallel): their peak
  FLOP/s, memory bandwidth and memory add up. Parameters are the total ``N`` (memory) and the active
  ``A`` (FLOPs) of :class:`~bizmodel.shapes.ModelShape`.
* **Precision**: ``weight_bytes`` per parameter 2 (bf16/fp16) or 1 (8-bit: fp8 or int8). With 8-bit
  weights the matrix products run at the accelerator's 8-bit peak (``int8_tops``, the fp8/int8
  tensor-core figure) where the catalog has one, else at its bf16 peak. The KV cache holds
  ``kv_bytes`` per value (default: 2 for bf16 weights, 1 for 8-bit).
* **Continuous batching with chunked prefill** (as vLLM and TensorRT-LLM serve): ``B`` sequences are
  in flight; every step emits one token for each of them and prefills the prompts of the sequences
  that replace finished ones, on average ``B·I/O`` prompt tokens per step for ``I`` input and ``O``
  output tokens per request. A step costs the larger of
  - **compute**: ``B·(2A + 4·L·width·c̄) + B·(I/O)·(2A + 4·L·width·I/2)`` FLOPs at
    ``count × peak × mfu`` (forward pass: 2 FLOPs per active parameter per token, plus attention
    over the context, :meth:`~bizmodel.shapes.ModelShape.forward_attention_flops_per_token`), and
  - **memory**: every step reads the weights once and each sequence's KV cache,
    ``N·weight_bytes + B·c̄·kv_bytes_per_token`` bytes at ``count × bandwidth ×
    bandwidth_efficiency``,
  where ``c̄ = I + O/2`` is a sequence's average context while it decodes.
* **The batch** is the largest of three bounds' smallest: **memory** (KV caches of ``B`` sequences of
  ``c̄`` tokens fit in ``memory_utilisation`` × memory after the weights — a paged KV cache holds
  each sequence's tokens so far; 0.9 is vLLM's default share), **latency** (a step, i.e. the time
  per output token, within ``tpot_target_ms``), and **compute** (past the batch at which compute time
  equals memory time, a larger batch adds latency, not throughput). ``batch_reason`` names the bound
  that set it.
* **Rates**: output tokens/s ``= B / step``, input tokens/s ``= B·(I/O) / step``, requests/s ``= B /
  (O · step)``. A request with no output tokens is prefill only: the replica runs at its compute
  rate.
* **Price per token** (:func:`priced`): an instance busy ``utilisation`` of the time costs
  ``usd_per_hour / 3600 / utilisation`` per second of capacity. Input tokens are charged at the pure
  prefill rate (compute-bound); output tokens carry the rest of a request's time, so
  ``I × input price + O × output price`` is exactly the request's share of the instance.

Validated against MLPerf Inference results in :mod:`bizmodel.validation`. Times are seconds unless
named ``_ms``; money is USD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from bizmodel.shapes import ModelShape

__all__ = [
    "DEFAULT_TPOT_MS",
    "MEMORY_UTILISATION",
    "ServingError",
    "ServingPlan",
    "ServingWorkload",
    "TokenPrices",
    "plan_replica",
    "priced",
]

MEMORY_UTILISATION = 0.9
"""Share of accelerator memory for weights and KV cache (vLLM's default ``gpu_memory_utilization``)."""
DEFAULT_TPOT_MS = 50.0
"""Default time per output token target: 20 tokens/s per user, faster than people read."""
BatchReason = Literal["memory", "latency", "compute", "latency_unreachable", "prefill_only", "no_fit"]


class ServingError(ValueError):
    """Serving inputs that cannot be used (non-positive sizes, fractions outside (0, 1], bad specs)."""


def _fraction(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and 0 < value <= 1):
        raise ServingError(f"{name} must be in (0, 1], got {value!r}")


@dataclass(frozen=True)
class ServingWorkload:
    """A model served for requests of a given size, with the assumed efficiencies.

    Attributes
    ----------
    shape : ModelShape
        Total and active parameters, layers, attention width and KV-cache values per token.
    input_tokens, output_tokens : float
        Mean prompt and generated tokens per request (≥ 0, not both 0).
    weight_bytes : float
        Bytes per parameter: 2 (bf16/fp16) or 1 (8-bit).
    kv_bytes : float or None
        Bytes per KV-cache value; None: 2 for 2-byte weights, 1 for 8-bit.
    mfu : float
        Fraction of peak FLOP/s sustained in compute-bound work, (0, 1]; 0.4.
    bandwidth_efficiency : float
        Fraction of memory bandwidth sustained, (0, 1]; 0.6.
    memory_utilisation : float
        Share of memory for weights and KV cache, (0, 1]; 0.9.
    tpot_target_ms : float or None
        Time per output token target (> 0), or None for no latency bound; 50 ms.

    Examples
    --------
    >>> from bizmodel.shapes import shape_for
    >>> ServingWorkload(shape_for("llama-2-70b"), 300, 300, weight_bytes=1).kv_value_bytes
    1.0
    """

    shape: ModelShape
    input_tokens: float
    output_tokens: float
    weight_bytes: float = 2.0
    kv_bytes: float | None = None
    mfu: float = 0.4
    bandwidth_efficiency: float = 0.6
    memory_utilisation: float = MEMORY_UTILISATION
    tpot_target_ms: float | None = DEFAULT_TPOT_MS

    def __post_init__(self) -> None:
        for name in ("input_tokens", "output_tokens"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ServingError(f"{name} must be a number ≥ 0, got {value!r}")
        if self.input_tokens + self.output_tokens == 0:
            raise ServingError("a request needs some input or output tokens")
        if self.weight_bytes not in (1, 1.0, 2, 2.0):
            raise ServingError(f"weight_bytes must be 2 (bf16) or 1 (8-bit), got {self.weight_bytes!r}")
        if self.kv_bytes is not None and self.kv_bytes not in (1, 1.0, 2, 2.0):
            raise ServingError(f"kv_bytes must be 2 or 1, got {self.kv_bytes!r}")
        for name in ("mfu", "bandwidth_efficiency", "memory_utilisation"):
            _fraction(name, getattr(self, name))
        target = self.tpot_target_ms
        if target is not None and not (
            isinstance(target, int | float) and math.isfinite(target) and target > 0
        ):
            raise ServingError(f"tpot_target_ms must be a positive number of milliseconds, got {target!r}")

    @property
    def kv_value_bytes(self) -> float:
        """Bytes per KV-cache value actually used."""
        return float(self.kv_bytes if self.kv_bytes is not None else min(2.0, self.weight_bytes))

    @property
    def precision(self) -> str:
        """``bf16`` or ``8-bit``."""
        return "bf16" if self.weight_bytes == 2 else "8-bit"


@dataclass(frozen=True)
class ServingPlan:
    """What one replica sustains (see the module conventions).

    Rates are per second of the whole replica at full load; ``step_seconds`` is the time per output
    token a user sees. ``batch_reason`` is ``memory``, ``latency``, ``compute``,
    ``latency_unreachable`` (even one sequence misses the target: batch 1), ``prefill_only`` (no
    output tokens) or ``no_fit`` (the weights do not fit: every rate is 0).
    """

    fits: bool
    batch: int
    batch_reason: BatchReason
    step_seconds: float
    output_tokens_per_second: float
    input_tokens_per_second: float
    requests_per_second: float
    prefill_tokens_per_second: float
    compute_bound: bool
    peak_flops: float
    precision: str
    weights_bytes: float
    kv_bytes_per_sequence: float
    memory_bytes: float
    max_batch_memory: int
    max_batch_latency: float
    knee_batch: float

    @property
    def tpot_ms(self) -> float:
        """Time per output token, milliseconds."""
        return self.step_seconds * 1000.0


def _spec(row: pd.Series, column: str) -> float:
    value = float(pd.to_numeric(row.get(column), errors="coerce"))
    return value if math.isfinite(value) and value > 0 else math.nan


def plan_replica(workload: ServingWorkload, accelerator: pd.Series, count: int) -> ServingPlan:
    """The batch and the rates of one replica on ``count`` accelerators (see the module conventions).

    Parameters
    ----------
    workload : ServingWorkload
        The model, the request size, precision and efficiencies.
    accelerator : pandas.Series
        A catalog accelerator row: ``bf16_tflops``, ``int8_tops`` (optional), ``bandwidth_gbps``,
        ``memory_gib``.
    count : int
        Accelerators the replica spans (≥ 1).

    Returns
    -------
    ServingPlan

    Raises
    ------
    ServingError
        If ``count`` < 1 or the row lacks a positive bf16 peak, bandwidth or memory.

    Examples
    --------
    >>> from bizmodel.shapes import shape_for
    >>> h100 = pd.Series({"accelerator": "H100-SXM", "bf16_tflops": 989.0, "int8_tops": 1979.0,
    ...     "bandwidth_gbps": 3350.0, "memory_gib": 80.0})
    >>> plan = plan_replica(ServingWorkload(shape_for("llama-2-70b"), 294, 294, weight_bytes=1,
    ...     tpot_target_ms=None), h100, 8)
    >>> plan.batch_reason, plan.compute_bound, round(plan.output_tokens_per_second, -2)
    ('compute', True, 22800.0)
    """
    replica = _replica(accelerator, count, workload)
    shape = workload.shape
    weights = shape.total_params * workload.weight_bytes
    i, o = float(workload.input_tokens), float(workload.output_tokens)
    prefill_flops = 2.0 * shape.active_params + shape.forward_attention_flops_per_token(i / 2.0)
    prefill_rate = replica.flops_per_second / prefill_flops
    free = replica.memory_bytes * workload.memory_utilisation - weights
    context = i + o / 2.0
    kv_per_sequence = context * shape.kv_bytes_per_token(workload.kv_value_bytes)
    common = {
        "peak_flops": replica.peak_flops,
        "precision": workload.precision,
        "weights_bytes": weights,
        "memory_bytes": replica.memory_bytes,
        "prefill_tokens_per_second": prefill_rate,
        "kv_bytes_per_sequence": kv_per_sequence,
    }
    # The weights, or the weights and one sequence's KV cache, do not fit; or no output tokens.
    if free < kv_per_sequence or o == 0:
        return _unbatched(common, fits=free >= kv_per_sequence, input_tokens=i, prefill_rate=prefill_rate)
    decode_flops = 2.0 * shape.active_params + shape.forward_attention_flops_per_token(context)
    step = _StepCost(
        alpha=(decode_flops + (i / o) * prefill_flops) / replica.flops_per_second,
        beta=weights / replica.bytes_per_second,
        gamma=kv_per_sequence / replica.bytes_per_second,
    )
    b_memory = math.floor(free / kv_per_sequence)
    b_latency = step.latency_batch(workload.tpot_target_ms)
    batch, reason = _batch(b_memory, b_latency, step.knee_batch)
    seconds = step.seconds(batch)
    return ServingPlan(
        fits=True,
        batch=batch,
        batch_reason=reason,
        step_seconds=seconds,
        output_tokens_per_second=batch / seconds,
        input_tokens_per_second=batch * (i / o) / seconds,
        requests_per_second=batch / (o * seconds),
        compute_bound=step.alpha * batch >= step.beta + step.gamma * batch,
        max_batch_memory=int(b_memory),
        max_batch_latency=float(b_latency),
        knee_batch=float(step.knee_batch),
        **common,
    )


@dataclass(frozen=True)
class _Replica:
    """What ``count`` accelerators of one catalog row sustain together (FLOP/s, bytes/s, bytes)."""

    flops_per_second: float
    bytes_per_second: float
    memory_bytes: float
    peak_flops: float


def _replica(accelerator: pd.Series, count: int, workload: ServingWorkload) -> _Replica:
    """The checked catalog figures of ``count`` accelerators at the workload's precision and efficiencies."""
    if not (isinstance(count, int | float) and count >= 1 and float(count).is_integer()):
        raise ServingError(f"count must be a whole number ≥ 1, got {count!r}")
    name = accelerator.get("accelerator", "this accelerator")
    bf16 = _spec(accelerator, "bf16_tflops")
    bandwidth = _spec(accelerator, "bandwidth_gbps")
    memory_gib = _spec(accelerator, "memory_gib")
    if not all(math.isfinite(v) for v in (bf16, bandwidth, memory_gib)):
        raise ServingError(
            f"{name} needs a positive bf16_tflops, bandwidth_gbps and memory_gib to serve an LLM"
        )
    eight_bit = _spec(accelerator, "int8_tops")
    peak_tflops = eight_bit if workload.weight_bytes == 1 and math.isfinite(eight_bit) else bf16
    n = float(count)
    return _Replica(
        flops_per_second=n * peak_tflops * 1e12 * workload.mfu,
        bytes_per_second=n * bandwidth * 1e9 * workload.bandwidth_efficiency,
        memory_bytes=n * memory_gib * 2.0**30,
        peak_flops=n * peak_tflops * 1e12,
    )


def _unbatched(
    common: dict[str, Any], *, fits: bool, input_tokens: float, prefill_rate: float
) -> ServingPlan:
    """No decode batch: nothing fits (every rate 0), or requests without output tokens (prefill only)."""
    return ServingPlan(
        fits=fits,
        batch=1 if fits else 0,
        batch_reason="prefill_only" if fits else "no_fit",
        step_seconds=math.nan if fits else math.inf,
        output_tokens_per_second=0.0,
        input_tokens_per_second=prefill_rate if fits else 0.0,
        requests_per_second=prefill_rate / input_tokens if fits else 0.0,
        compute_bound=fits,
        max_batch_memory=0,
        max_batch_latency=math.inf if fits else 0.0,
        knee_batch=math.nan,
        **common,
    )


@dataclass(frozen=True)
class _StepCost:
    """Seconds per decode step of a batch ``B``: ``max(alpha·B, beta + gamma·B)``.

    ``alpha`` is the compute per sequence (its decode token and its share of prefill), ``beta`` reading
    the weights once, ``gamma`` reading one sequence's KV cache.
    """

    alpha: float
    beta: float
    gamma: float

    def seconds(self, batch: int) -> float:
        """The step time of ``batch`` sequences."""
        return max(self.alpha * batch, self.beta + self.gamma * batch)

    @property
    def knee_batch(self) -> float:
        """The batch at which compute time equals memory time (infinite when memory always binds)."""
        return self.beta / (self.alpha - self.gamma) if self.alpha > self.gamma else math.inf

    def latency_batch(self, tpot_target_ms: float | None) -> float:
        """The largest batch whose step meets the target (infinite without one, 0 when even one misses)."""
        if tpot_target_ms is None:
            return math.inf
        target = tpot_target_ms / 1000.0
        if target < self.beta + self.gamma:
            return 0.0
        return min(target / self.alpha, (target - self.beta) / self.gamma)


def _batch(b_memory: float, b_latency: float, knee: float) -> tuple[int, BatchReason]:
    """The smallest of the memory, latency and compute bounds (ties in that order: compute, memory,
    latency), or batch 1 when even one sequence misses the latency target."""
    knee_whole = math.ceil(knee) if math.isfinite(knee) else math.inf
    bounds: dict[BatchReason, float] = {"memory": b_memory, "latency": b_latency, "compute": knee_whole}
    reason: BatchReason = min(bounds, key=lambda k: (bounds[k], ("compute", "memory", "latency").index(k)))
    if bounds[reason] < 1:
        return 1, "latency_unreachable"
    return math.floor(bounds[reason]), reason


@dataclass(frozen=True)
class TokenPrices:
    """USD per 1M input and output tokens and per request on an instance at a given utilisation."""

    usd_per_1m_input_tokens: float
    usd_per_1m_output_tokens: float
    usd_per_request: float


def priced(
    plan: ServingPlan, workload: ServingWorkload, usd_per_hour: float, utilisation: float
) -> TokenPrices:
    """Prices per token on an instance that costs ``usd_per_hour`` and is busy ``utilisation`` of the time.

    Input tokens at the pure prefill rate; output tokens carry the rest of a request's time, so the
    request's price is its share of the instance (see the module conventions). A plan that does not
    fit costs infinity.

    Examples
    --------
    >>> from bizmodel.shapes import shape_for
    >>> h100 = pd.Series({"bf16_tflops": 989.0, "int8_tops": 1979.0, "bandwidth_gbps": 3350.0,
    ...     "memory_gib": 80.0})
    >>> w = ServingWorkload(shape_for("llama-3.1-8b"), 1000, 300)
    >>> p = priced(plan_replica(w, h100, 1), w, usd_per_hour=3.0, utilisation=1.0)
    >>> per_request = (1000 * p.usd_per_1m_input_tokens + 300 * p.usd_per_1m_output_tokens) / 1e6
    >>> abs(per_request - p.usd_per_request) < 1e-12
    True
    """
    _fraction("utilisation", utilisation)
    if not (math.isfinite(usd_per_hour) and usd_per_hour > 0):
        raise ServingError(f"usd_per_hour must be a positive number, got {usd_per_hour!r}")
    if not plan.fits:
        return TokenPrices(math.inf, math.inf, math.inf)
    usd_per_second = usd_per_hour / 3600.0 / utilisation
    i, o = float(workload.input_tokens), float(workload.output_tokens)
    per_input = usd_per_second / plan.prefill_tokens_per_second
    if o == 0:
        return TokenPrices(per_input * 1e6, 0.0, per_input * i)
    request_seconds = 1.0 / plan.requests_per_second
    # A step spends at least its decode compute beyond the prompts' prefill: this stays positive.
    output_seconds = request_seconds - i / plan.prefill_tokens_per_second
    per_output = usd_per_second * output_seconds / o
    return TokenPrices(per_input * 1e6, per_output * 1e6, usd_per_second * request_seconds)
