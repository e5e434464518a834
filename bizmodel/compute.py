"""Training cost on the catalog: a run's FLOPs → days, GPU-hours, dollars, energy and CO₂ per option.

The work to be priced is a :class:`bizmodel.training_work.TrainingWork` (its FLOPs and memory
conventions are there); compute-optimal sizing is :mod:`bizmodel.scaling_law`; what a budget and a
deadline buy is :mod:`bizmodel.compute_budget`.

Conventions
-----------
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
- Each option carries the ``as_of`` date and ``source`` of its price row.

Money is US dollars, times are named by unit, fractions are 0–1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bizmodel.catalog import CLUSTER_INTERCONNECTS
from bizmodel.training_work import ComputeError, TrainingWork

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


def _catalog_rows(
    instances: pd.DataFrame, accelerators: pd.DataFrame, statuses: tuple[str, ...]
) -> pd.DataFrame:
    """Instance rows of the given statuses joined with their accelerator's peak, memory and TDP.

    Numbers are coerced (unreadable ones become NaN); rows without a positive bf16 peak or memory are
    left out; ``count`` becomes ``accelerators_per_node`` and ``cluster_interconnect`` lower case.
    """
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
    return rows.rename(columns={"count": "accelerators_per_node"})


def option_rates(
    instances: pd.DataFrame,
    accelerators: pd.DataFrame,
    assumptions: Assumptions,
    statuses: tuple[str, ...],
) -> pd.DataFrame:
    """Every (instance × node count × pricing) with its rates, independent of the work to be done.

    Among the columns: ``nodes``, ``count``, ``pricing``, ``usd_per_hour`` (the whole option, after the
    discount), ``effective_flops_per_second`` (the cluster's sustained FLOP/s, spot interruptions
    counted as lost time) and ``total_memory_bytes``. Raises :class:`ComputeError` if a table lacks a
    required column.

    >>> inst = pd.DataFrame({"provider": ["p"], "region": ["r"], "instance_type": ["1xH100"],
    ...     "accelerator": ["H100"], "count": [1], "on_demand_usd_per_hour": [2.0],
    ...     "spot_usd_per_hour": [1.0], "status": ["current"], "as_of": [""], "source": [""]})
    >>> acc = pd.DataFrame({"accelerator": ["H100"], "bf16_tflops": [1000.0], "memory_gib": [80.0],
    ...     "tdp_watts": [700.0]})
    >>> option_rates(inst, acc, Assumptions(), ("current",))[["pricing", "usd_per_hour"]].values.tolist()
    [['on_demand', 2.0], ['spot', 1.0]]
    """
    rows = _catalog_rows(instances, accelerators, statuses)
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


def price_options(opts: pd.DataFrame, work: TrainingWork, assumptions: Assumptions) -> pd.DataFrame:
    """Option rates (:func:`option_rates`) with the columns that depend on ``work`` added.

    ``train_seconds``, ``days``, ``gpu_hours`` and ``cost_usd`` of running ``work.flops`` at the
    option's sustained FLOP/s; ``min_gpus`` and ``feasible`` from ``work.memory_bytes``; ``energy_kwh``,
    ``energy_usd`` and ``co2_kg`` at the accelerators' TDP (see the module conventions).

    Examples
    --------
    >>> rates = pd.DataFrame({"effective_flops_per_second": [1e15], "count": [8], "usd_per_hour": [10.0],
    ...     "accelerator_memory_gib": [80.0], "tdp_watts": [700.0]})
    >>> row = price_options(rates, TrainingWork.pretrain(1e9, 1.8e9, sequence=0), Assumptions()).iloc[0]
    >>> float(row.train_seconds), float(row.cost_usd), int(row.min_gpus)
    (10800.0, 30.0, 1)
    """
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
    opts = price_options(option_rates(instances, accelerators, assumptions, statuses), work, assumptions)
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
    >>> float(fastest(pd.DataFrame({"cost_usd": [5.0, 3.0], "days": [1.0, 2.0], "feasible": True})).days)
    1.0
    """
    return _best(options, ["days", "cost_usd"])
