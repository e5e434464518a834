"""What a budget and a deadline buy: the largest compute-optimal pre-training run on the catalog.

Conventions
-----------
- **Inverse budgeting** (:func:`largest_within`): for every option (:func:`bizmodel.compute.option_rates`),
  cost and days grow linearly with FLOPs and the memory need grows with the compute-optimal N
  (:mod:`bizmodel.scaling_law`), so each option's largest affordable FLOPs is the smallest of three
  closed forms (budget, deadline, memory); the best option wins. The answer is limited by the
  ``budget``, the ``deadline``, ``memory`` or the ``node_cap`` (the deadline binds on an option
  already at the node cap). A Mixture-of-Experts budget sizes the active parameters by the law and
  holds ``active ÷ active_share`` in memory.
- The hardware FLOPs include the attention term of a shape inferred from the active parameters
  (:func:`attention_ratio`); memory is 16 B per total parameter (:mod:`bizmodel.training_work`).

Money is US dollars, times are named by unit, fractions are 0–1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bizmodel.compute import (
    OPTION_COLUMNS,
    SECONDS_PER_HOUR,
    Assumptions,
    option_rates,
    price_options,
)
from bizmodel.scaling_law import EPOCH_2024, ScalingLaw, allocate, flops_for_params, loss
from bizmodel.shapes import ASPECT_RATIO, DEFAULT_TRAIN_SEQUENCE
from bizmodel.training_work import (
    BYTES_PER_PARAM_MIXED_ADAM,
    ComputeError,
    TrainingWork,
    require_positive,
)

PER_ACCELERATOR_COLUMNS = (
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
)
"""The columns of :attr:`BudgetAnswer.per_accelerator`."""
DEFAULT_ASSUMPTIONS = Assumptions()
"""The settings :func:`largest_within` prices under unless given others."""
FIXED_POINT_STEPS = 40
"""Iterations of the fixed point that splits hardware FLOPs into ``6·A·D`` and attention."""


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
    assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
    *,
    law: ScalingLaw = EPOCH_2024,
    tokens_per_param: float | None = None,
    active_share: float = 1.0,
    sequence: float = DEFAULT_TRAIN_SEQUENCE,
    statuses: tuple[str, ...] = ("current",),
) -> BudgetAnswer:
    """The compute-optimal pre-training run with the most FLOPs that fits a budget and a deadline.

    Each option's largest FLOPs is the least of its budget, deadline and memory limits (see the module
    conventions); ``C = 6·A·D`` is found from the hardware FLOPs (attention included) by a fixed point.
    The answer is the option with the largest C (ties: cheaper).

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
    >>> inst = pd.DataFrame({"provider": ["p"], "region": ["r"], "instance_type": ["8xH100"], "accelerator":
    ...     ["H100"], "count": [8], "on_demand_usd_per_hour": [23.92], "spot_usd_per_hour": [float("nan")],
    ...     "status": ["current"], "as_of": [""], "source": [""]})
    >>> acc = pd.DataFrame({"accelerator": ["H100"], "bf16_tflops": [989.0], "memory_gib": [80.0],
    ...     "tdp_watts": [700.0]})
    >>> answer = largest_within(12_345.0, 60.0, inst, acc, Assumptions(max_nodes=1))
    >>> f"{answer.flops:.2e}", answer.limited_by
    ('5.88e+21', 'budget')
    """
    _check_budget(budget_usd, deadline_days, active_share, sequence, tokens_per_param)
    opts = option_rates(instances, accelerators, assumptions, statuses)
    if opts.empty:
        raise ComputeError("the catalog has no priced accelerator option with a bf16 peak and memory")
    sized = _sized_options(
        opts,
        budget_usd=budget_usd,
        deadline_days=deadline_days,
        assumptions=assumptions,
        law=law,
        tokens_per_param=tokens_per_param,
        active_share=active_share,
        sequence=sequence,
    )
    ranked = sized.sort_values(["max_flops", "cost_usd"], ascending=[False, True], kind="stable")
    return _answer(ranked, law=law, sequence=sequence, assumptions=assumptions)


def _sized_options(
    opts: pd.DataFrame,
    *,
    budget_usd: float,
    deadline_days: float,
    assumptions: Assumptions,
    law: ScalingLaw,
    tokens_per_param: float | None,
    active_share: float,
    sequence: float,
) -> pd.DataFrame:
    """Option rates with each option's largest run: ``max_flops``, ``limited_by``, ``dense_flops``,
    ``active_params``, ``tokens``, ``params``, ``cost_usd`` and ``days``."""
    seconds_per_flop = 1.0 / opts["effective_flops_per_second"]
    limits = _flops_limits(
        opts,
        seconds_per_flop,
        budget_usd=budget_usd,
        deadline_days=deadline_days,
        hours_per_day=assumptions.hours_per_day,
        max_active=opts["total_memory_bytes"] / BYTES_PER_PARAM_MIXED_ADAM * active_share,
        law=law,
        tokens_per_param=tokens_per_param,
        sequence=sequence,
    )
    opts["max_flops"] = limits.min(axis=1)
    limited = limits.idxmin(axis=1)
    opts["limited_by"] = limited.where(~((limited == "deadline") & opts["at_node_cap"]), "node_cap")
    dense = _dense_flops(opts["max_flops"].to_numpy(), law, tokens_per_param, sequence)
    opts["dense_flops"] = dense
    opts["active_params"], opts["tokens"] = allocate(law, dense, tokens_per_param)
    opts["params"] = opts["active_params"] / active_share
    opts["cost_usd"] = opts["usd_per_hour"] * opts["max_flops"] * seconds_per_flop / SECONDS_PER_HOUR
    opts["days"] = opts["max_flops"] * seconds_per_flop / SECONDS_PER_HOUR / assumptions.hours_per_day
    return opts


def _answer(
    ranked: pd.DataFrame, *, law: ScalingLaw, sequence: float, assumptions: Assumptions
) -> BudgetAnswer:
    """The answer of the first of the options ranked largest run first."""
    best = ranked.iloc[0]
    work = _best_work(best, sequence)
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
        option=_priced_option(ranked.loc[[best.name]], work, assumptions),
        per_accelerator=ranked.drop_duplicates("accelerator")
        .loc[:, list(PER_ACCELERATOR_COLUMNS)]
        .reset_index(drop=True),
        law=law,
        work=work,
    )


def _check_budget(
    budget_usd: float,
    deadline_days: float,
    active_share: float,
    sequence: float,
    tokens_per_param: float | None,
) -> None:
    """Raise :class:`ComputeError` unless the inputs of :func:`largest_within` can be used."""
    require_positive(budget_usd=budget_usd, deadline_days=deadline_days, active_share=active_share)
    if active_share > 1.0:
        raise ComputeError(f"active_share must be in (0, 1], got {active_share!r}")
    if not (math.isfinite(sequence) and sequence >= 0):
        raise ComputeError(f"sequence must be a number of tokens ≥ 0, got {sequence!r}")
    if tokens_per_param is not None:
        require_positive(tokens_per_param=tokens_per_param)


def _flops_limits(
    opts: pd.DataFrame,
    seconds_per_flop: pd.Series,
    *,
    budget_usd: float,
    deadline_days: float,
    hours_per_day: float,
    max_active: pd.Series,
    law: ScalingLaw,
    tokens_per_param: float | None,
    sequence: float,
) -> pd.DataFrame:
    """Each option's largest hardware FLOPs under the ``budget``, the ``deadline`` and ``memory``.

    ``max_active`` is the most active parameters each option's memory holds; the memory limit is the
    FLOPs at which the law's N reaches it, attention included.
    """
    flops_budget = budget_usd / (opts["usd_per_hour"] * seconds_per_flop / SECONDS_PER_HOUR)
    flops_deadline = deadline_days * hours_per_day * SECONDS_PER_HOUR / seconds_per_flop
    dense_memory = flops_for_params(law, max_active.to_numpy(), tokens_per_param)
    flops_memory = pd.Series(
        dense_memory * (1.0 + np.asarray(attention_ratio(max_active.to_numpy(), sequence))), index=opts.index
    )
    return pd.DataFrame({"budget": flops_budget, "deadline": flops_deadline, "memory": flops_memory})


def _dense_flops(
    flops: np.ndarray, law: ScalingLaw, tokens_per_param: float | None, sequence: float
) -> np.ndarray:
    """``C = 6·A·D`` of hardware FLOPs ``flops``: the fixed point ``C = flops / (1 + r(N_opt(C)))``.

    A contraction: the attention ratio ``r`` falls slowly with N.
    """
    dense = flops
    for _ in range(FIXED_POINT_STEPS):
        active, _tokens = allocate(law, dense, tokens_per_param)
        dense = flops / (1.0 + np.asarray(attention_ratio(active, sequence)))
    return dense


def _best_work(best: pd.Series, sequence: float) -> TrainingWork:
    """The chosen option's run as pre-training work (its shape inferred when attention counts)."""
    return TrainingWork(
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


def _priced_option(option_rows: pd.DataFrame, work: TrainingWork, assumptions: Assumptions) -> pd.Series:
    """The chosen option priced for ``work``, in the columns of :data:`bizmodel.compute.OPTION_COLUMNS`."""
    option = price_options(option_rows, work, assumptions)
    return option.assign(cost_rank=pd.NA, days_rank=pd.NA, pareto=pd.NA).loc[:, list(OPTION_COLUMNS)].iloc[0]
