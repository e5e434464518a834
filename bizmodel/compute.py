"""Training cost at scale: FLOPs → days, GPU-hours, dollars, energy and CO₂ for every catalog option.

Conventions
-----------
- **FLOPs** count a multiply-add as 2 and follow the model-FLOPs convention large runs report MFU in
  (PaLM, Chowdhery et al. 2022, appendix B). Pre-training and full fine-tuning cost ``6·A·D`` for the
  dense part (forward 2·A·D, backward 4·A·D; ``A`` the **active** parameters a token passes through,
  ``D`` the tokens) plus the attention term ``12·L·width·T·D`` of the model's shape at training
  sequence length ``T`` (:mod:`bizmodel.shapes`; 4,096 by default). Adapter (LoRA-style) fine-tuning
  costs about ``4·A·D`` plus the attention term: the frozen weights still run forward and pass
  gradients back to the activations, but no weight gradients are formed for them. Scaling a measured
  run costs ``3 × flops_per_sample × samples × epochs × data_factor × model_factor``
  (``flops_per_sample`` is the forward pass; backward ≈ 2×; an MLP has no attention term).
- **Dense and Mixture-of-Experts**: ``params`` is the total parameter count (memory), ``active_params``
  the parameters per token (FLOPs); they are equal for a dense model. A model of 671B total and 37B
  active parameters costs the FLOPs of 37B and the memory of 671B.
- **Model shape**: a bundled model's published shape, or one inferred from the active parameters
  (:func:`bizmodel.shapes.infer_shape`); the work says which (``shape_key``, ``shape_inferred``).
- **Memory feasibility** counts weights + gradients + optimizer state of the **total** parameters:
  :data:`BYTES_PER_PARAM_MIXED_ADAM` = 16 bytes per trained parameter for mixed-precision Adam (bf16
  weights 2 and gradients 2, fp32 master weights 4, two fp32 moments 8). Adapter fine-tuning holds the
  frozen weights in bf16 (2 B/param) plus 16 B per trainable adapter parameter (by default 1 % of the
  model). Activations and framework overhead are left out, so the minimum accelerator count is a lower
  bound (fully sharded: ZeRO-3 / FSDP, or expert and tensor parallelism for a Mixture-of-Experts).
- **MFU** (model FLOPs utilisation) is the fraction of the catalog accelerator's **dense bf16 peak**
  that the run sustains **at the cluster size it runs on** (default 0.40): published large runs report
  0.35–0.47 on thousands of accelerators (Llama 2 70B on A100: 0.47 by the FLOPs above; Llama 3.1 405B
  on 16k H100: 0.38; see :mod:`bizmodel.validation`), so their communication cost is already inside
  the figure. It is an assumption about the target device; the MFU measured by a local run is relative
  to this machine's CPU peak and is never applied to a different device.
- **Scale loss**: none by default. ``scaling_efficiency`` (the throughput kept per doubling of nodes,
  1.0 = none) is for an MFU measured on one node and expected to fall beyond it; cluster throughput is
  then ``count × peak × MFU × efficiency^log2(nodes)``.
- **fp16-only accelerators**: T4 and V100 have no bf16 support; the catalog's ``bf16_tflops`` holds their
  fp16 tensor-core figure. They are kept (mixed-precision fp16 training with loss scaling runs at that
  peak), and their options carry ``precision_note = "fp16 (no bf16)"``. An accelerator is flagged when its
  key is in :data:`FP16_ONLY_ACCELERATORS` or its catalog ``notes`` say "no bf16"; otherwise the note is
  empty.
- **count vs nodes**: an option is ``nodes`` identical instances; ``count`` is the *total* number of
  accelerators (accelerators per instance × nodes). ``gpu_hours = count × hours_per_day × days``.
- **Multi-node rule**: only instances whose catalog row names a ``cluster_interconnect`` (InfiniBand,
  EFA, RoCE or GPUDirect-TCPX: the node-to-node fabric that training clusters are sold with) are spread
  over several nodes (1, 2, 4, … up to ``max_nodes``, the **node cap**). Every other instance — PCIe
  boxes, on-demand instances on ordinary networking — is priced as one node. An option that uses the
  cap is marked ``at_node_cap``: more nodes would finish sooner.
- **Price**: ``cost_usd = nodes × instance $/hour × wall hours × (1 − discount)``; the discount (credits,
  committed use) applies to every pricing. **Spot** runs take ``spot_overhead`` more wall time (lost work
  and restarts after interruptions); that time is paid for too.
- **Energy and CO₂ are assumed, not measured**: ``energy_kwh = count × TDP × PUE × wall hours / 1000``
  (accelerators at their TDP, times a data-centre PUE of 1.2 by default); ``co2_kg = energy_kwh × grid
  g/kWh / 1000`` with an assumed grid of 400 g CO₂/kWh (a round mid-range figure, not a specific grid).
  ``energy_usd`` is informational: cloud prices already include power, so it is never added to
  ``cost_usd``.
- **Compute-optimal advice** uses the Chinchilla parametric loss ``L(N, D) = E + A/N^α + B/D^β`` with the
  Epoch AI refit (Besiroglu et al. 2024), which gives ≈ 20 tokens per parameter; the law is stated in
  ``C = 6·N·D`` (its own convention, attention excluded). The rounded constants published by Hoffmann et
  al. 2022 are kept for comparison; they give 50–98 tokens per parameter.

- **Inverse budgeting** (:func:`largest_within`): for every option, cost and days grow linearly with
  FLOPs and the memory need grows with the compute-optimal N, so each option's largest affordable
  FLOPs is the smallest of three closed forms (budget, deadline, memory); the best option wins. The
  answer is limited by the ``budget``, the ``deadline``, ``memory`` or the ``node_cap`` (the deadline
  binds on an option already at the node cap). A Mixture-of-Experts budget sizes the active parameters
  by the law and holds ``active ÷ active_share`` in memory.
- Each option carries the ``as_of`` date and ``source`` of its price row.

Money is US dollars, times are named by unit, fractions are 0–1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from bizmodel.catalog import CLUSTER_INTERCONNECTS
from bizmodel.shapes import (
    ASPECT_RATIO,
    DEFAULT_TRAIN_SEQUENCE,
    ModelShape,
    ShapeError,
    infer_shape,
    shape_for,
)

BYTES_PER_PARAM_MIXED_ADAM = 16.0
"""bf16 weights (2) + bf16 gradients (2) + fp32 master weights (4) + fp32 Adam moments (8)."""
BYTES_PER_FROZEN_PARAM_BF16 = 2.0
DEFAULT_ADAPTER_FRACTION = 0.01
DEFAULT_GRID_G_CO2_PER_KWH = 400.0
"""Assumed grid intensity: a round mid-range figure, not a specific grid; the user should set theirs."""
GIB_BYTES = 2.0**30
SECONDS_PER_HOUR = 3600.0
FP16_ONLY_ACCELERATORS = frozenset({"T4", "V100", "V100-16GB", "V100-32GB"})
"""Accelerators without bf16 support whose catalog ``bf16_tflops`` is really the fp16 tensor figure."""
FP16_ONLY_NOTE = "fp16 (no bf16)"
_NO_BF16_PATTERN = r"no\s+bf16"

INSTANCE_COLUMNS = (
    "provider",
    "region",
    "instance_type",
    "accelerator",
    "count",
    "on_demand_usd_per_hour",
    "spot_usd_per_hour",
    "status",
    "as_of",
    "source",
)
OPTIONAL_INSTANCE_COLUMNS = ("cluster_interconnect",)
"""Instance columns used when present (a table without them prices every instance as one node)."""
ACCELERATOR_COLUMNS = ("accelerator", "bf16_tflops", "memory_gib", "tdp_watts")

OPTION_COLUMNS = (
    "provider",
    "region",
    "instance_type",
    "accelerator",
    "accelerators_per_node",
    "nodes",
    "count",
    "pricing",
    "usd_per_hour",
    "usd_per_gpu_hour",
    "min_gpus",
    "feasible",
    "train_seconds",
    "days",
    "gpu_hours",
    "cost_usd",
    "scaling_efficiency",
    "cluster_interconnect",
    "at_node_cap",
    "precision_note",
    "energy_kwh",
    "energy_usd",
    "co2_kg",
    "cost_rank",
    "days_rank",
    "pareto",
    "as_of",
    "source",
    "status",
)

Method = Literal["pretrain", "finetune_full", "finetune_adapter", "scaled_run"]


class ComputeError(ValueError):
    """Inputs to the training-cost model are invalid (non-positive sizes, bad fractions, bad tables)."""


def _require_positive(**values: float) -> None:
    for name, value in values.items():
        if not (
            isinstance(value, int | float | np.floating | np.integer) and math.isfinite(value) and value > 0
        ):
            raise ComputeError(f"{name} must be a positive finite number, got {value!r}")


@dataclass(frozen=True)
class TrainingWork:
    """The work of one training run: its FLOPs and the memory its trained state needs.

    Build it with :meth:`pretrain`, :meth:`finetune` or :meth:`scaled_run` rather than directly.

    Attributes
    ----------
    flops : float
        Total training FLOPs (multiply-add = 2), attention included.
    params : float
        Total model parameters N held in memory (for a scaled run: the scaled model).
    tokens : float
        Training tokens D processed (for a scaled run: samples processed, all epochs included).
    method : str
        ``pretrain``, ``finetune_full``, ``finetune_adapter`` or ``scaled_run``.
    memory_bytes : float
        Accelerator memory for weights + gradients + optimizer state, summed over all accelerators.
    active_params : float
        Parameters per token (FLOPs); equal to ``params`` for a dense model.
    attention_flops : float
        The attention part of ``flops`` (0 for a scaled run).
    sequence : float
        Training sequence length T of the attention term (0 for a scaled run).
    shape_key : str
        The bundled model shape used, ``inferred`` for one inferred from the parameters, ``""`` when the
        work has no attention term.

    Examples
    --------
    >>> work = TrainingWork.pretrain(7e9, 140e9)
    >>> f"{work.flops:.3g} FLOPs, {work.memory_bytes / 1e9:.0f} GB, {work.shape_key}"
    '6.84e+21 FLOPs, 112 GB, inferred'
    >>> moe = TrainingWork.pretrain(671e9, 14.8e12, active_params=37e9, shape="deepseek-v3")
    >>> f"{moe.flops:.3g} FLOPs, {moe.memory_bytes / 1e12:.1f} TB"
    '4.19e+24 FLOPs, 10.7 TB'
    """

    flops: float
    params: float
    tokens: float
    method: Method
    memory_bytes: float
    active_params: float = math.nan
    attention_flops: float = 0.0
    sequence: float = 0.0
    shape_key: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.active_params, float) and math.isnan(self.active_params):
            object.__setattr__(self, "active_params", float(self.params))
        _require_positive(
            flops=self.flops,
            params=self.params,
            tokens=self.tokens,
            memory_bytes=self.memory_bytes,
            active_params=self.active_params,
        )
        _require_active_within(self.params, self.active_params)

    @property
    def dense_flops(self) -> float:
        """The FLOPs without the attention term: the ``C = 6·N·D`` a scaling law is stated in."""
        return self.flops - self.attention_flops

    @property
    def is_moe(self) -> bool:
        """True for a Mixture-of-Experts model (fewer active than total parameters)."""
        return self.active_params < self.params * (1 - 1e-9)

    @classmethod
    def pretrain(
        cls,
        params: float,
        tokens: float,
        *,
        active_params: float | None = None,
        shape: ModelShape | str | None = None,
        sequence: float = DEFAULT_TRAIN_SEQUENCE,
    ) -> TrainingWork:
        """Pre-training from scratch: FLOPs = 6·A·D + attention, memory 16 B per total parameter.

        Parameters
        ----------
        params : float
            Total parameters N (memory).
        tokens : float
            Training tokens D.
        active_params : float, optional
            Parameters per token A (FLOPs) of a Mixture-of-Experts model; default ``params`` (dense).
        shape : ModelShape or str, optional
            The model's shape or a bundled shape's key (its parameters are replaced by ``params`` and
            ``active_params``); default: a shape inferred from the active parameters
            (:func:`bizmodel.shapes.infer_shape`).
        sequence : float
            Training sequence length T of the attention term (tokens, ≥ 0; 0 leaves attention out).

        Returns
        -------
        TrainingWork

        Raises
        ------
        ComputeError
            If N, D or A is not positive, A > N, the sequence is negative or the shape key unknown.

        Examples
        --------
        >>> TrainingWork.pretrain(1e9, 20e9, sequence=0).flops
        1.2e+20
        """
        active, model = _sized(params, tokens, active_params, shape, sequence)
        attention = model.train_attention_flops_per_token(sequence) * tokens
        return cls(
            6.0 * active * tokens + attention,
            float(params),
            float(tokens),
            "pretrain",
            BYTES_PER_PARAM_MIXED_ADAM * params,
            active_params=active,
            attention_flops=attention,
            sequence=float(sequence),
            shape_key=model.key,
        )

    @classmethod
    def finetune(
        cls,
        params: float,
        tokens: float,
        *,
        method: Literal["full", "adapter"] = "full",
        adapter_fraction: float = DEFAULT_ADAPTER_FRACTION,
        active_params: float | None = None,
        shape: ModelShape | str | None = None,
        sequence: float = DEFAULT_TRAIN_SEQUENCE,
    ) -> TrainingWork:
        """Fine-tuning an existing model: full (6·A·D, 16 B/param) or adapter/LoRA-style (≈ 4·A·D).

        Parameters
        ----------
        params : float
            Total parameters N of the base model.
        tokens : float
            Fine-tuning tokens D.
        method : {"full", "adapter"}
            ``full`` trains every weight; ``adapter`` freezes the base (2 B/param in bf16) and trains
            ``adapter_fraction × N`` adapter parameters at 16 B each.
        adapter_fraction : float
            Trainable adapter parameters as a fraction of N (0 < f ≤ 1); default 0.01, an assumption.
        active_params, shape, sequence
            As for :meth:`pretrain`.

        Returns
        -------
        TrainingWork

        Raises
        ------
        ComputeError
            On a non-positive N or D, an unknown method or a fraction outside (0, 1].

        Examples
        --------
        >>> TrainingWork.finetune(7e9, 1e9, method="adapter", sequence=0).flops
        2.8e+19
        """
        active, model = _sized(params, tokens, active_params, shape, sequence)
        attention = model.train_attention_flops_per_token(sequence) * tokens
        extra = {
            "active_params": active,
            "attention_flops": attention,
            "sequence": float(sequence),
            "shape_key": model.key,
        }
        if method == "full":
            return cls(
                6.0 * active * tokens + attention,
                float(params),
                float(tokens),
                "finetune_full",
                BYTES_PER_PARAM_MIXED_ADAM * params,
                **extra,
            )
        if method != "adapter":
            raise ComputeError(f"fine-tuning method must be 'full' or 'adapter', got {method!r}")
        if not 0.0 < adapter_fraction <= 1.0:
            raise ComputeError(f"adapter_fraction must be in (0, 1], got {adapter_fraction!r}")
        memory = (BYTES_PER_FROZEN_PARAM_BF16 + BYTES_PER_PARAM_MIXED_ADAM * adapter_fraction) * params
        return cls(
            4.0 * active * tokens + attention,
            float(params),
            float(tokens),
            "finetune_adapter",
            memory,
            **extra,
        )

    @classmethod
    def scaled_run(
        cls,
        flops_per_sample: float,
        samples: float,
        epochs: float,
        *,
        params: float,
        data_factor: float = 1.0,
        model_factor: float = 1.0,
    ) -> TrainingWork:
        """A measured run scaled by ×``data_factor`` data and ×``model_factor`` model.

        FLOPs = 3 × ``flops_per_sample`` × samples × epochs × data_factor × model_factor (forward plus a
        backward pass of about twice the forward). Memory is 16 B per scaled parameter. No attention
        term (the measured run's forward FLOPs already count every layer it has).

        Parameters
        ----------
        flops_per_sample : float
            Forward-pass FLOPs per sample of the measured model.
        samples : float
            Training samples of the measured run.
        epochs : float
            Epochs of the measured run.
        params : float
            Parameters of the measured model.
        data_factor, model_factor : float
            Multipliers on the data and on the model size (and so on FLOPs per sample).

        Returns
        -------
        TrainingWork
            ``tokens`` holds the samples processed (samples × epochs × data_factor).

        Raises
        ------
        ComputeError
            If any input is not positive.

        Examples
        --------
        >>> w = TrainingWork.scaled_run(2e6, 60_000, 5, params=1e6, data_factor=10, model_factor=2)
        >>> w.flops, w.params
        (36000000000000.0, 2000000.0)
        """
        _require_positive(
            flops_per_sample=flops_per_sample,
            samples=samples,
            epochs=epochs,
            params=params,
            data_factor=data_factor,
            model_factor=model_factor,
        )
        flops = 3.0 * flops_per_sample * samples * epochs * data_factor * model_factor
        scaled_params = float(params) * model_factor
        processed = float(samples) * epochs * data_factor
        return cls(flops, scaled_params, processed, "scaled_run", BYTES_PER_PARAM_MIXED_ADAM * scaled_params)


def _require_active_within(params: float, active: float) -> None:
    if active > params * (1 + 1e-9):
        raise ComputeError(
            f"active parameters ({active:.4g}) cannot exceed total parameters ({params:.4g}); "
            "for a dense model leave active parameters out or set them equal"
        )


def _sized(
    params: float,
    tokens: float,
    active_params: float | None,
    shape: ModelShape | str | None,
    sequence: float,
) -> tuple[float, ModelShape]:
    """Checked (active parameters, shape) of a transformer run."""
    _require_positive(params=params, tokens=tokens)
    active = float(params) if active_params is None else active_params
    _require_positive(active_params=active)
    _require_active_within(params, active)
    if not (isinstance(sequence, int | float) and math.isfinite(sequence) and sequence >= 0):
        raise ComputeError(f"sequence must be a number of tokens ≥ 0, got {sequence!r}")
    try:
        if shape is None:
            model = infer_shape(params, active)
        else:
            base = shape_for(shape) if isinstance(shape, str) else shape
            model = base.with_params(params, active)
    except ShapeError as exc:
        raise ComputeError(str(exc)) from exc
    return float(active), model


@dataclass(frozen=True, kw_only=True)
class Assumptions:
    """Assumed (user-editable) settings for pricing a training run on catalog hardware.

    Attributes
    ----------
    mfu : float
        Fraction of the accelerator's dense bf16 peak sustained (0 < mfu ≤ 1); default 0.40.
    discount : float
        Fraction off every price (credits, committed use), 0 ≤ discount < 1.
    spot_overhead : float
        Extra wall time on spot for interruptions and restarts (0.10 = 10 % longer).
    usd_per_kwh : float
        Electricity price, for the informational ``energy_usd`` column.
    grid_g_co2_per_kwh : float
        Grid carbon intensity; default 400 g/kWh is an assumed round figure, not a named grid.
    pue : float
        Data-centre power usage effectiveness on top of accelerator TDP (≥ 1; 1.2 assumed).
    max_nodes : int
        The node cap: the largest node count tried for instances with a cluster interconnect; counts
        are powers of two up to it (and it itself). Every other instance is one node. Default 64.
    hours_per_day : float
        Hours per day the cluster trains (24 = around the clock).
    scaling_efficiency : float
        Throughput kept per doubling of nodes (0.5 < e ≤ 1), on top of the MFU. Default 1.0 (no loss):
        the MFU is what runs sustain at the size they run on. Set it below 1 only for an MFU measured
        on one node.

    Examples
    --------
    >>> Assumptions(mfu=0.35).spot_overhead
    0.1
    """

    mfu: float = 0.40
    discount: float = 0.0
    spot_overhead: float = 0.10
    usd_per_kwh: float = 0.12
    grid_g_co2_per_kwh: float = DEFAULT_GRID_G_CO2_PER_KWH
    pue: float = 1.2
    max_nodes: int = 64
    hours_per_day: float = 24.0
    scaling_efficiency: float = 1.0

    def __post_init__(self) -> None:
        checks = {
            "mfu must be in (0, 1]": 0.0 < self.mfu <= 1.0,
            "discount must be in [0, 1)": 0.0 <= self.discount < 1.0,
            "spot_overhead must be ≥ 0": self.spot_overhead >= 0.0,
            "usd_per_kwh must be ≥ 0": self.usd_per_kwh >= 0.0,
            "grid_g_co2_per_kwh must be ≥ 0": self.grid_g_co2_per_kwh >= 0.0,
            "pue must be ≥ 1": self.pue >= 1.0,
            "max_nodes must be an integer ≥ 1": isinstance(self.max_nodes, int | np.integer)
            and self.max_nodes >= 1,
            "hours_per_day must be in (0, 24]": 0.0 < self.hours_per_day <= 24.0,
            "scaling_efficiency must be in (0.5, 1]": 0.5 < self.scaling_efficiency <= 1.0,
        }
        failed = [message for message, ok in checks.items() if not ok]
        if failed:
            raise ComputeError("; ".join(failed))


def node_counts(max_nodes: int) -> np.ndarray:
    """Node counts tried: powers of two up to ``max_nodes``, plus ``max_nodes`` itself.

    Examples
    --------
    >>> node_counts(12).tolist()
    [1, 2, 4, 8, 12]
    """
    powers = [2**k for k in range(int(math.log2(max_nodes)) + 1)]
    return np.array(sorted({*powers, int(max_nodes)}), dtype=np.int64)


def precision_notes(accelerators: pd.DataFrame) -> pd.Series:
    """``"fp16 (no bf16)"`` for accelerators whose ``bf16_tflops`` is really an fp16 figure, else ``""``.

    An accelerator is flagged when its key is in :data:`FP16_ONLY_ACCELERATORS` or its ``notes`` column
    (optional) says "no bf16".

    Parameters
    ----------
    accelerators : pandas.DataFrame
        Column ``accelerator``; ``notes`` is used when present.

    Returns
    -------
    pandas.Series of str
        Aligned with ``accelerators.index``.

    Examples
    --------
    >>> acc = pd.DataFrame({"accelerator": ["T4", "H100-SXM", "X1"], "notes": ["", "", "no bf16 support"]})
    >>> precision_notes(acc).tolist()
    ['fp16 (no bf16)', '', 'fp16 (no bf16)']
    """
    flagged = accelerators["accelerator"].astype(str).isin(FP16_ONLY_ACCELERATORS)
    if "notes" in accelerators.columns:
        notes = accelerators["notes"].astype(object).where(accelerators["notes"].notna(), "").astype(str)
        flagged |= notes.str.contains(_NO_BF16_PATTERN, case=False, regex=True)
    return pd.Series(np.where(flagged, FP16_ONLY_NOTE, ""), index=accelerators.index, dtype=object)


def _check_columns(df: pd.DataFrame, required: tuple[str, ...], table: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ComputeError(f"{table} table lacks column(s): {', '.join(missing)}")


def _option_rates(
    instances: pd.DataFrame,
    accelerators: pd.DataFrame,
    assumptions: Assumptions,
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    """Every (instance × node count × pricing) with its rates, independent of the work to be done."""
    _check_columns(instances, INSTANCE_COLUMNS, "instances")
    _check_columns(accelerators, ACCELERATOR_COLUMNS, "accelerators")
    columns = list(INSTANCE_COLUMNS) + [c for c in OPTIONAL_INSTANCE_COLUMNS if c in instances.columns]
    inst = instances.loc[
        instances["status"].isin(statuses) & (pd.to_numeric(instances["count"], errors="coerce") > 0),
        columns,
    ].copy()
    if "cluster_interconnect" not in inst.columns:
        inst["cluster_interconnect"] = ""
    fabric = inst["cluster_interconnect"].astype(object).where(inst["cluster_interconnect"].notna(), "")
    inst["cluster_interconnect"] = fabric.astype(str).str.strip().str.lower()
    acc = accelerators.loc[:, list(ACCELERATOR_COLUMNS)].rename(
        columns={"memory_gib": "accelerator_memory_gib"}
    )
    acc["precision_note"] = precision_notes(accelerators)
    rows = inst.merge(acc, on="accelerator", how="inner", validate="many_to_one")
    for column in (
        "count",
        "on_demand_usd_per_hour",
        "spot_usd_per_hour",
        "bf16_tflops",
        "accelerator_memory_gib",
    ):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
    rows["tdp_watts"] = pd.to_numeric(rows["tdp_watts"], errors="coerce")
    rows = rows[(rows["bf16_tflops"] > 0) & (rows["accelerator_memory_gib"] > 0)]
    rows = rows.rename(columns={"count": "accelerators_per_node"})

    priced = pd.concat(
        [
            rows.assign(pricing="on_demand", instance_usd_per_hour=rows["on_demand_usd_per_hour"]),
            rows.assign(pricing="spot", instance_usd_per_hour=rows["spot_usd_per_hour"]),
        ],
        ignore_index=True,
    )
    priced = priced[priced["instance_usd_per_hour"] > 0]
    nodes = pd.DataFrame({"nodes": node_counts(assumptions.max_nodes)})
    opts = priced.merge(nodes, how="cross")
    # Only instances sold with a cluster interconnect are spread over several nodes.
    multi_node = opts["cluster_interconnect"].isin(CLUSTER_INTERCONNECTS)
    opts = opts[(opts["nodes"] == 1) | multi_node].copy()
    opts["at_node_cap"] = opts["cluster_interconnect"].isin(CLUSTER_INTERCONNECTS) & (
        opts["nodes"] == int(assumptions.max_nodes)
    )

    opts["count"] = (opts["accelerators_per_node"] * opts["nodes"]).astype(np.int64)
    opts["scaling_efficiency"] = assumptions.scaling_efficiency ** np.log2(opts["nodes"].astype(float))
    slowdown = np.where(opts["pricing"] == "spot", 1.0 + assumptions.spot_overhead, 1.0)
    # Effective FLOP/s of the whole cluster: scaling losses across nodes, spot interruptions as lost time.
    opts["effective_flops_per_second"] = (
        opts["count"] * opts["bf16_tflops"] * 1e12 * assumptions.mfu * opts["scaling_efficiency"] / slowdown
    )
    opts["usd_per_hour"] = opts["nodes"] * opts["instance_usd_per_hour"] * (1.0 - assumptions.discount)
    opts["usd_per_gpu_hour"] = opts["usd_per_hour"] / opts["count"]
    opts["total_memory_bytes"] = opts["count"] * opts["accelerator_memory_gib"] * GIB_BYTES
    return opts.reset_index(drop=True)


def _price(opts: pd.DataFrame, work: TrainingWork, assumptions: Assumptions) -> pd.DataFrame:
    """Add the work-dependent columns (time, money, memory feasibility, energy) to option rates."""
    opts = opts.copy()
    wall_seconds = work.flops / opts["effective_flops_per_second"]
    wall_hours = wall_seconds / SECONDS_PER_HOUR
    opts["train_seconds"] = wall_seconds
    opts["days"] = wall_hours / assumptions.hours_per_day
    opts["gpu_hours"] = opts["count"] * wall_hours
    opts["cost_usd"] = opts["usd_per_hour"] * wall_hours
    # The tolerance keeps an exact fit (memory = count × accelerator memory) feasible despite rounding.
    gpus_needed = work.memory_bytes / (opts["accelerator_memory_gib"] * GIB_BYTES)
    opts["min_gpus"] = np.ceil(gpus_needed * (1.0 - 1e-9)).astype(np.int64)
    opts["feasible"] = opts["count"] >= opts["min_gpus"]
    opts["energy_kwh"] = opts["count"] * opts["tdp_watts"] * assumptions.pue * wall_hours / 1000.0
    opts["energy_usd"] = opts["energy_kwh"] * assumptions.usd_per_kwh
    opts["co2_kg"] = opts["energy_kwh"] * assumptions.grid_g_co2_per_kwh / 1000.0
    return opts


def _rank_feasible(values: pd.Series, feasible: pd.Series) -> pd.Series:
    ranks = values.where(feasible).rank(method="min")
    return ranks.astype("Int64")


def _tie_key(values: pd.Series) -> pd.Series:
    """Values rounded to 12 significant digits, so that float noise does not break exact ties.

    Under linear scaling (``scaling_efficiency = 1``) every node count of one instance costs the same;
    products computed in a different order differ in the last bits, which must not decide the Pareto
    front or a tie-break.
    """
    x = values.astype(float).to_numpy()
    scale = 10.0 ** np.floor(np.log10(np.abs(np.where((x == 0) | ~np.isfinite(x), 1.0, x))))
    return pd.Series(np.round(x / scale, 11) * scale, index=values.index)


def pareto_front(options: pd.DataFrame) -> pd.Series:
    """Feasible options that no other feasible option beats on both cost and days.

    An option is dominated when another feasible one costs no more and takes no longer, and is strictly
    better on at least one of the two.

    Parameters
    ----------
    options : pandas.DataFrame
        Columns ``cost_usd``, ``days`` and ``feasible``.

    Returns
    -------
    pandas.Series of bool
        Aligned with ``options.index``; True on the frontier.

    Examples
    --------
    >>> df = pd.DataFrame({"cost_usd": [1, 2, 3, 2], "days": [9, 5, 1, 6], "feasible": True})
    >>> pareto_front(df).tolist()
    [True, True, True, False]
    """
    on_front = pd.Series(False, index=options.index)
    feasible = options.loc[options["feasible"].astype(bool), ["cost_usd", "days"]]
    feasible = feasible.assign(cost_usd=_tie_key(feasible["cost_usd"]), days=_tie_key(feasible["days"]))
    if feasible.empty:
        return on_front
    by_cost = feasible.groupby("cost_usd")["days"].min().sort_index()
    # Fastest among strictly cheaper options, for each distinct cost.
    best_cheaper = by_cost.astype(float).cummin().shift(1, fill_value=np.inf)
    same_cost_best = feasible["cost_usd"].map(by_cost)
    cheaper_best = feasible["cost_usd"].map(best_cheaper)
    keep = (feasible["days"] <= same_cost_best) & (feasible["days"] < cheaper_best)
    on_front.loc[keep.index] = keep.to_numpy()
    return on_front


def training_options(
    work: TrainingWork,
    instances: pd.DataFrame,
    accelerators: pd.DataFrame,
    assumptions: Assumptions = Assumptions(),
    *,
    statuses: tuple[str, ...] = ("current",),
) -> pd.DataFrame:
    """Price ``work`` on every catalog option: instance type × node count × on-demand/spot.

    Instances with a cluster interconnect are tried on every node count of :func:`node_counts`, the
    others on one node only (see the module conventions). Instances without accelerators, without a
    dense bf16 peak or memory for their accelerator, or whose ``status`` is not in ``statuses`` are
    skipped; spot appears only where the catalog has a spot price.

    Parameters
    ----------
    work : TrainingWork
        FLOPs and memory of the run.
    instances, accelerators : pandas.DataFrame
        The catalog tables (columns as agreed for ``bizmodel.catalog``).
    assumptions : Assumptions
        MFU, scaling efficiency, discount, spot overhead, energy and CO₂ settings, node counts.
    statuses : tuple of str
        Catalog row statuses to use; ``("current",)`` leaves superseded and suspect rows out.

    Returns
    -------
    pandas.DataFrame
        One row per option with the columns in :data:`OPTION_COLUMNS`, feasible options first, then by
        ``cost_usd`` and ``days``. ``cost_rank`` and ``days_rank`` rank feasible options (1 = best; missing
        when infeasible); ``pareto`` marks the cost–days frontier. ``scaling_efficiency`` is the factor
        applied to the option's throughput (``efficiency^log2(nodes)``, 1 on one node);
        ``cluster_interconnect`` the row's fabric (``""``: single node only); ``at_node_cap`` marks an
        option at the node cap; ``precision_note`` is ``"fp16 (no bf16)"`` for fp16-only accelerators,
        else empty.

    Raises
    ------
    ComputeError
        If a table lacks a required column.

    Examples
    --------
    >>> inst = pd.DataFrame({"provider": ["lambda"], "region": ["us"], "instance_type": ["8xH100"],
    ...     "accelerator": ["H100-SXM"], "count": [8.0], "on_demand_usd_per_hour": [23.92],
    ...     "spot_usd_per_hour": [float("nan")], "status": ["current"], "as_of": ["2025-06-30"],
    ...     "source": ["list price"]})
    >>> acc = pd.DataFrame({"accelerator": ["H100-SXM"], "bf16_tflops": [989.0], "memory_gib": [80.0],
    ...     "tdp_watts": [700.0]})
    >>> work = TrainingWork.pretrain(7e9, 140e9, sequence=0)  # 6·N·D only: the reference's example
    >>> opts = training_options(work, inst, acc, Assumptions(max_nodes=1))
    >>> row = opts.iloc[0]
    >>> round(row.gpu_hours), round(row.cost_usd), round(float(row.days), 1), bool(row.feasible)
    (4129, 12345, 21.5, True)
    """
    opts = _price(_option_rates(instances, accelerators, assumptions, statuses), work, assumptions)
    opts["cost_rank"] = _rank_feasible(_tie_key(opts["cost_usd"]), opts["feasible"])
    opts["days_rank"] = _rank_feasible(_tie_key(opts["days"]), opts["feasible"])
    opts["pareto"] = pareto_front(opts)
    keys = pd.DataFrame(
        {"infeasible": ~opts["feasible"], "cost": _tie_key(opts["cost_usd"]), "days": _tie_key(opts["days"])}
    )
    order = keys.sort_values(["infeasible", "cost", "days"], kind="stable").index
    return opts.loc[order, list(OPTION_COLUMNS)].reset_index(drop=True)


def one_per_instance(options: pd.DataFrame) -> pd.DataFrame:
    """The first option of each instance and pricing, in the table's order.

    Node counts of one instance are variants of one choice: without a scale loss they cost the same and
    the largest finishes first. A ranked table keeps the best variant of each (the first in its order;
    :func:`training_options` puts the faster first among equal costs).

    Examples
    --------
    >>> df = pd.DataFrame({"provider": ["a", "a", "b"], "region": "r", "instance_type": ["x", "x", "y"],
    ...     "pricing": "spot", "status": "current", "nodes": [8, 1, 1]})
    >>> one_per_instance(df)["nodes"].tolist()
    [8, 1]
    """
    keys = ["provider", "region", "instance_type", "pricing", "status"]
    return options.drop_duplicates(keys, keep="first")


def _best(options: pd.DataFrame, by: list[str]) -> pd.Series | None:
    feasible = options[options["feasible"].astype(bool)]
    if feasible.empty:
        return None
    keys = pd.DataFrame({column: _tie_key(feasible[column]) for column in by})
    order = keys.sort_values(by, kind="stable").index
    return feasible.loc[order[0]]


def cheapest(options: pd.DataFrame) -> pd.Series | None:
    """The cheapest feasible option (ties: the faster one), or None when nothing is feasible.

    Examples
    --------
    >>> df = pd.DataFrame({"cost_usd": [5.0, 3.0, 1.0], "days": [1.0, 2.0, 0.5],
    ...     "feasible": [True, True, False]})
    >>> float(cheapest(df).cost_usd)
    3.0
    """
    return _best(options, ["cost_usd", "days"])


def fastest(options: pd.DataFrame) -> pd.Series | None:
    """The fastest feasible option (ties: the cheaper one), or None when nothing is feasible.

    Examples
    --------
    >>> df = pd.DataFrame({"cost_usd": [5.0, 3.0, 1.0], "days": [1.0, 2.0, 0.5],
    ...     "feasible": [True, True, False]})
    >>> float(fastest(df).days)
    1.0
    """
    return _best(options, ["days", "cost_usd"])


# --- Compute-optimal scaling (Chinchilla) -------------------------------------------------------------


@dataclass(frozen=True)
class ScalingLaw:
    """Parametric loss ``L(N, D) = E + A/N^alpha + B/D^beta`` (N parameters, D tokens).

    Examples
    --------
    >>> EPOCH_2024.alpha
    0.3478
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    name: str
    source: str = field(compare=False)


EPOCH_2024 = ScalingLaw(
    E=1.8172,
    A=482.01,
    B=2085.43,
    alpha=0.3478,
    beta=0.3658,
    name="Epoch AI refit (2024)",
    source="Besiroglu et al. 2024, 'Chinchilla Scaling: A replication attempt', arXiv:2404.10102",
)
HOFFMANN_2022 = ScalingLaw(
    E=1.69,
    A=406.4,
    B=410.7,
    alpha=0.34,
    beta=0.28,
    name="Chinchilla, rounded published constants (2022)",
    source="Hoffmann et al. 2022, arXiv:2203.15556, Approach 3 (Appendix D.2); gives 50–98 tokens/param",
)


def loss(law: ScalingLaw, params: float | np.ndarray, tokens: float | np.ndarray) -> float | np.ndarray:
    """Predicted pre-training loss ``E + A/N^α + B/D^β`` (nats per token).

    Examples
    --------
    >>> round(float(loss(EPOCH_2024, 70e9, 1.4e12)), 3)
    1.974
    """
    n = np.asarray(params, dtype=float)
    d = np.asarray(tokens, dtype=float)
    if np.any(n <= 0) or np.any(d <= 0):
        raise ComputeError("params and tokens must be positive")
    result = law.E + law.A / n**law.alpha + law.B / d**law.beta
    return float(result) if np.ndim(result) == 0 else result


def _law_g(law: ScalingLaw) -> float:
    return (law.alpha * law.A / (law.beta * law.B)) ** (1.0 / (law.alpha + law.beta))


def compute_optimal(
    law: ScalingLaw, flops: float | np.ndarray
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Loss-minimising parameters and tokens for a FLOP budget C under C = 6·N·D.

    ``G = (αA/(βB))^(1/(α+β))``, ``N_opt = G·(C/6)^(β/(α+β))``, ``D_opt = C/(6·N_opt)``.

    Parameters
    ----------
    law : ScalingLaw
        Constants; use :data:`EPOCH_2024`.
    flops : float or array
        Training compute C.

    Returns
    -------
    (params, tokens)

    Raises
    ------
    ComputeError
        If C is not positive.

    Examples
    --------
    >>> n, d = compute_optimal(EPOCH_2024, 1e23)
    >>> round(d / n, 1)
    19.2
    """
    c = np.asarray(flops, dtype=float)
    if np.any(c <= 0):
        raise ComputeError("flops must be positive")
    n = _law_g(law) * (c / 6.0) ** (law.beta / (law.alpha + law.beta))
    d = c / (6.0 * n)
    if np.ndim(c) == 0:
        return float(n), float(d)
    return n, d


def _flops_for_params(law: ScalingLaw, params: np.ndarray, tokens_per_param: float | None) -> np.ndarray:
    """Inverse of the allocation rule: the FLOPs at which the chosen N equals ``params``."""
    if tokens_per_param is not None:
        return 6.0 * tokens_per_param * params**2
    a = law.beta / (law.alpha + law.beta)
    return 6.0 * (params / _law_g(law)) ** (1.0 / a)


def _allocate(
    law: ScalingLaw, flops: np.ndarray, tokens_per_param: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Split FLOPs into (N, D): by the law's compute-optimal rule, or at a fixed D/N ratio."""
    if tokens_per_param is None:
        n, d = compute_optimal(law, flops)
        return np.asarray(n), np.asarray(d)
    n = np.sqrt(flops / (6.0 * tokens_per_param))
    return n, tokens_per_param * n


# --- Inverse budgeting -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BudgetAnswer:
    """The largest model and data that fit a budget and a deadline on some catalog option.

    Attributes
    ----------
    params : float
        Total parameters of the chosen model (``active_params ÷ active_share``).
    active_params : float
        Parameters per token: the N the scaling law chose.
    tokens : float
        Training tokens D.
    flops : float
        Training FLOPs run on the hardware (``6·A·D`` plus the attention term).
    dense_flops : float
        ``C = 6·A·D``, the compute the law allocates.
    predicted_loss : float
        ``L(A, D)`` under ``law``.
    cost_usd, days : float
        Of the chosen option running ``flops``.
    limited_by : str
        ``budget``, ``deadline``, ``memory`` or ``node_cap`` (the deadline binds on an option already
        at the node cap: more nodes would buy a larger run).
    option : pandas.Series
        The chosen option (columns as in :func:`training_options`).
    per_accelerator : pandas.DataFrame
        The best option per accelerator, largest FLOPs first, with its ``max_flops``, ``params``,
        ``active_params``, ``tokens``, ``cost_usd``, ``days`` and ``limited_by``.
    law : ScalingLaw
        The scaling law used to split C into N and D.
    work : TrainingWork
        The chosen run as training work.
    """

    params: float
    active_params: float
    tokens: float
    flops: float
    dense_flops: float
    predicted_loss: float
    cost_usd: float
    days: float
    limited_by: str
    option: pd.Series
    per_accelerator: pd.DataFrame
    law: ScalingLaw
    work: TrainingWork


def attention_ratio(active_params: float | np.ndarray, sequence: float) -> float | np.ndarray:
    """Attention FLOPs ÷ ``6·A`` per trained token for a shape inferred from ``A`` (unrounded depth).

    With ``L = (A / (12·128²))^(1/3)`` and width ``128·L`` (:func:`bizmodel.shapes.infer_shape`),
    the ratio is ``12·L·128L·T / (6·A)``.

    Examples
    --------
    >>> round(float(attention_ratio(7e9, 4096)), 3)
    0.162
    """
    a = np.asarray(active_params, dtype=float)
    depth = (a / (12.0 * ASPECT_RATIO**2)) ** (1.0 / 3.0)
    ratio = 12.0 * depth * ASPECT_RATIO * depth * float(sequence) / (6.0 * a)
    return float(ratio) if np.ndim(ratio) == 0 else ratio


def largest_within(
    budget_usd: float,
    deadline_days: float,
    instances: pd.DataFrame,
    accelerators: pd.DataFrame,
    assumptions: Assumptions = Assumptions(),
    *,
    law: ScalingLaw = EPOCH_2024,
    tokens_per_param: float | None = None,
    active_share: float = 1.0,
    sequence: float = DEFAULT_TRAIN_SEQUENCE,
    statuses: tuple[str, ...] = ("current",),
) -> BudgetAnswer:
    """The compute-optimal pre-training run with the most FLOPs that fits a budget and a deadline.

    For each option, cost and days grow linearly with the FLOPs and the memory need (16 B per total
    parameter of ``N_opt(C) ÷ active_share``) grows with C, so each option's largest FLOPs is the
    minimum of three closed forms (budget, deadline, memory). The hardware FLOPs include the attention
    term of a shape inferred from the active parameters, so ``C = 6·A·D`` is found from them by a
    fixed point (the ratio changes slowly with A). The answer is the option with the largest such C
    (ties: cheaper).

    Parameters
    ----------
    budget_usd : float
        Money available.
    deadline_days : float
        Wall-clock days available.
    instances, accelerators : pandas.DataFrame
        The catalog tables.
    assumptions : Assumptions
        MFU, discount, spot overhead, the node cap.
    law : ScalingLaw
        How C is split into N and D (default the Epoch AI refit).
    tokens_per_param : float, optional
        Use a fixed D/N ratio instead of the law (e.g. 20, or more to over-train for cheaper inference).
    active_share : float
        Active ÷ total parameters, (0, 1]: 1 for a dense model, e.g. 37/671 for a DeepSeek-V3-like
        Mixture-of-Experts.
    sequence : float
        Training sequence length of the attention term (≥ 0; 0 leaves attention out).
    statuses : tuple of str
        Catalog row statuses to use.

    Returns
    -------
    BudgetAnswer

    Raises
    ------
    ComputeError
        If the budget, deadline or ratio is not positive, or the catalog has no usable option.

    Examples
    --------
    >>> inst = pd.DataFrame({"provider": ["lambda"], "region": ["us"], "instance_type": ["8xH100"],
    ...     "accelerator": ["H100-SXM"], "count": [8.0], "on_demand_usd_per_hour": [23.92],
    ...     "spot_usd_per_hour": [float("nan")], "status": ["current"], "as_of": ["2025-06-30"],
    ...     "source": ["list price"]})
    >>> acc = pd.DataFrame({"accelerator": ["H100-SXM"], "bf16_tflops": [989.0], "memory_gib": [80.0],
    ...     "tdp_watts": [700.0]})
    >>> answer = largest_within(12_345.0, 60.0, inst, acc, Assumptions(max_nodes=1))
    >>> f"{answer.flops:.2e}", answer.limited_by
    ('5.88e+21', 'budget')
    """
    _require_positive(budget_usd=budget_usd, deadline_days=deadline_days, active_share=active_share)
    if active_share > 1.0:
        raise ComputeError(f"active_share must be in (0, 1], got {active_share!r}")
    if not (math.isfinite(sequence) and sequence >= 0):
        raise ComputeError(f"sequence must be a number of tokens ≥ 0, got {sequence!r}")
    if tokens_per_param is not None:
        _require_positive(tokens_per_param=tokens_per_param)
    opts = _option_rates(instances, accelerators, assumptions, statuses)
    if opts.empty:
        raise ComputeError("the catalog has no priced accelerator option with a bf16 peak and memory")
    seconds_per_flop = 1.0 / opts["effective_flops_per_second"]
    flops_budget = budget_usd / (opts["usd_per_hour"] * seconds_per_flop / SECONDS_PER_HOUR)
    flops_deadline = deadline_days * assumptions.hours_per_day * SECONDS_PER_HOUR / seconds_per_flop
    max_active = opts["total_memory_bytes"] / BYTES_PER_PARAM_MIXED_ADAM * active_share
    dense_memory = _flops_for_params(law, max_active.to_numpy(), tokens_per_param)
    flops_memory = pd.Series(
        dense_memory * (1.0 + np.asarray(attention_ratio(max_active.to_numpy(), sequence))), index=opts.index
    )
    limits = pd.DataFrame({"budget": flops_budget, "deadline": flops_deadline, "memory": flops_memory})
    opts["max_flops"] = limits.min(axis=1)
    limited = limits.idxmin(axis=1)
    opts["limited_by"] = limited.where(~((limited == "deadline") & opts["at_node_cap"]), "node_cap")
    dense = opts["max_flops"].to_numpy()
    for _ in range(40):  # C6 = flops / (1 + r(N_opt(C6))): a contraction, r falls slowly with N
        active, _tokens = _allocate(law, dense, tokens_per_param)
        dense = opts["max_flops"].to_numpy() / (1.0 + np.asarray(attention_ratio(active, sequence)))
    opts["dense_flops"] = dense
    opts["active_params"], opts["tokens"] = _allocate(law, dense, tokens_per_param)
    opts["params"] = opts["active_params"] / active_share
    opts["cost_usd"] = opts["usd_per_hour"] * opts["max_flops"] * seconds_per_flop / SECONDS_PER_HOUR
    opts["days"] = opts["max_flops"] * seconds_per_flop / SECONDS_PER_HOUR / assumptions.hours_per_day
    ranked = opts.sort_values(["max_flops", "cost_usd"], ascending=[False, True], kind="stable")
    best = ranked.iloc[0]
    per_accelerator = ranked.drop_duplicates("accelerator").loc[
        :,
        [
            "accelerator",
            "provider",
            "region",
            "instance_type",
            "nodes",
            "count",
            "pricing",
            "max_flops",
            "params",
            "active_params",
            "tokens",
            "cost_usd",
            "days",
            "limited_by",
        ],
    ]
    work = TrainingWork(
        float(best["max_flops"]),
        float(best["params"]),
        float(best["tokens"]),
        "pretrain",
        BYTES_PER_PARAM_MIXED_ADAM * float(best["params"]),
        active_params=float(best["active_params"]),
        attention_flops=float(best["max_flops"] - best["dense_flops"]),
        sequence=float(sequence),
        shape_key="inferred" if sequence > 0 else "",
    )
    option = _price(opts.loc[[best.name]], work, assumptions)
    option = (
        option.assign(cost_rank=pd.NA, days_rank=pd.NA, pareto=pd.NA).loc[:, list(OPTION_COLUMNS)].iloc[0]
    )
    return BudgetAnswer(
        params=float(best["params"]),
        active_params=float(best["active_params"]),
        tokens=float(best["tokens"]),
        flops=float(best["max_flops"]),
        dense_flops=float(best["dense_flops"]),
        predicted_loss=float(loss(law, best["active_params"], best["tokens"])),
        cost_usd=float(best["cost_usd"]),
        days=float(best["days"]),
        limited_by=str(best["limited_by"]),
        option=option,
        per_accelerator=per_accelerator.reset_index(drop=True),
        law=law,
        work=work,
    )
