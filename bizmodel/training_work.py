"""The work of one training run: its FLOPs and the memory its trained state needs.

:class:`TrainingWork` is what every training price starts from (:func:`bizmodel.compute.training_options`
prices it on the catalog; :func:`bizmodel.compute_budget.largest_within` asks the inverse question).

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

Sizes are counts (parameters, tokens), FLOPs are operations, memory is bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from bizmodel.shapes import DEFAULT_TRAIN_SEQUENCE, ModelShape, ShapeError, infer_shape, shape_for

BYTES_PER_PARAM_MIXED_ADAM = 16.0
"""bf16 weights (2) + bf16 gradients (2) + fp32 master weights (4) + fp32 Adam moments (8)."""
BYTES_PER_FROZEN_PARAM_BF16 = 2.0
DEFAULT_ADAPTER_FRACTION = 0.01

Method = Literal["pretrain", "finetune_full", "finetune_adapter", "scaled_run"]


class ComputeError(ValueError):
    """Inputs to the training-cost model are invalid (non-positive sizes, bad fractions, bad tables)."""


def require_positive(**values: float) -> None:
    """Raise :class:`ComputeError` naming the first value that is not a positive finite number.

    >>> require_positive(params=7e9, tokens=0)
    Traceback (most recent call last):
    ...
    bizmodel.training_work.ComputeError: tokens must be a positive finite number, got 0
    """
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
        require_positive(
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
        return cls._transformer(
            "pretrain",
            model,
            params=params,
            tokens=tokens,
            active_params=active,
            sequence=sequence,
            flops_per_active_param_token=6.0,
            bytes_per_param=BYTES_PER_PARAM_MIXED_ADAM,
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
        if method == "full":
            kind, flops_per_token, bytes_per_param = "finetune_full", 6.0, BYTES_PER_PARAM_MIXED_ADAM
        elif method != "adapter":
            raise ComputeError(f"fine-tuning method must be 'full' or 'adapter', got {method!r}")
        elif not 0.0 < adapter_fraction <= 1.0:
            raise ComputeError(f"adapter_fraction must be in (0, 1], got {adapter_fraction!r}")
        else:
            adapter_bytes = BYTES_PER_PARAM_MIXED_ADAM * adapter_fraction
            kind, flops_per_token, bytes_per_param = (
                "finetune_adapter",
                4.0,
                BYTES_PER_FROZEN_PARAM_BF16 + adapter_bytes,
            )
        return cls._transformer(
            kind,
            model,
            params=params,
            tokens=tokens,
            active_params=active,
            sequence=sequence,
            flops_per_active_param_token=flops_per_token,
            bytes_per_param=bytes_per_param,
        )

    @classmethod
    def _transformer(
        cls,
        method: Literal["pretrain", "finetune_full", "finetune_adapter"],
        model: ModelShape,
        *,
        params: float,
        tokens: float,
        active_params: float,
        sequence: float,
        flops_per_active_param_token: float,
        bytes_per_param: float,
    ) -> TrainingWork:
        """A transformer run of checked sizes: ``k·A·D`` plus the attention term, ``bytes × N`` of memory."""
        attention = model.train_attention_flops_per_token(sequence) * tokens
        return cls(
            flops_per_active_param_token * active_params * tokens + attention,
            float(params),
            float(tokens),
            method,
            bytes_per_param * params,
            active_params=active_params,
            attention_flops=attention,
            sequence=float(sequence),
            shape_key=model.key,
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
        require_positive(
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
    require_positive(params=params, tokens=tokens)
    active = float(params) if active_params is None else active_params
    require_positive(active_params=active)
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
