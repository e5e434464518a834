"""How close are the estimates? Moatlab's training and serving models against published runs.

Two bundled, dated tables hold figures that organisations published for real runs, each with its
source and how it was read: ``bizmodel/data/published_training.csv`` (training GPU-hours, training
FLOPs and a compute-optimal model size) and ``bizmodel/data/published_inference.csv`` (MLPerf
Inference results). For each row Moatlab estimates the same figure with the defaults a user gets —
the same code the Compute cost and Build vs buy pages run — and the table shows the ratio.

Conventions
-----------
* **ratio = estimate ÷ published**: above 1 Moatlab is more expensive (more GPU-hours) or, for
  throughput, faster than the published run.
* **Training GPU-hours**: ``TrainingWork.pretrain`` of the row's total and active parameters, tokens
  and shape (attention at the row's training sequence length; an inferred shape where the layers
  were not published) on the row's accelerator, at the default MFU of
  :class:`bizmodel.compute.Assumptions` (0.40 of the dense bf16 peak) with no scale loss:
  ``FLOPs ÷ (peak × MFU) ÷ 3600``. H800 rows use the H100 SXM's peak (the same compute).
* **Training FLOPs** (``flops_6nd``): the authors' own ``6·N·D`` count, compared with Moatlab's
  dense FLOPs (``TrainingWork.dense_flops``) — a check of the parameter and token accounting.
* **Compute-optimal size** (``params``): the model the paper trained as compute-optimal, against
  ``N_opt`` of the law Moatlab uses (:data:`bizmodel.scaling_law.EPOCH_2024`) at the same compute.
* **Serving throughput**: :func:`bizmodel.llm_serving.plan_replica` with 8-bit weights and KV cache
  on the system's accelerators, no latency bound (MLPerf Offline), default efficiencies.
* **The band** (:data:`BAND`): every ratio must lie within a factor of 2.2 of 1. Published runs reach
  0.20–0.50 of peak in the model-FLOPs convention (Llama 3 8B — a small model on a large cluster —
  to LLaMA 65B), so at the default 0.40 a correct FLOP count lands at 0.5–1.25 of the published
  hours; token counts published as lower bounds or approximations and MLPerf's unpublished mean
  input length add 10–30 %. Outside a factor of 2.2 the model, not the run, is wrong. The median
  ``|log ratio|`` must stay within ``log 1.25`` (:data:`MEDIAN_BAND`).

Everything here is computed; nothing is stored converted.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from bizmodel.catalog import Catalog, load_bundled
from bizmodel.compute import Assumptions
from bizmodel.llm_serving import ServingWorkload, plan_replica
from bizmodel.scaling_law import EPOCH_2024, compute_optimal
from bizmodel.shapes import ModelShape, infer_shape, shape_for
from bizmodel.training_work import TrainingWork

__all__ = [
    "BAND",
    "MEDIAN_BAND",
    "VALIDATION_COLUMNS",
    "ValidationSummary",
    "published_inference",
    "published_training",
    "summarise",
    "validation_table",
]

_DATA = Path(__file__).parent / "data"
BAND = (1 / 2.2, 2.2)
"""Every ratio lies within a factor of 2.2 of 1 (see the module conventions)."""
MEDIAN_BAND = math.log(1.25)
"""The median |log ratio| stays within log 1.25."""
VALIDATION_COLUMNS = (
    "name",
    "kind",
    "organisation",
    "year",
    "architecture",
    "hardware",
    "unit",
    "published",
    "estimate",
    "ratio",
    "log_ratio",
    "within_band",
    "scope",
    "scope_zh",
    "source",
)


@functools.cache
def _read(name: str) -> pd.DataFrame:
    text = (_DATA / name).read_text(encoding="utf-8")
    return pd.DataFrame(list(csv.DictReader(io.StringIO(text)))).fillna("")


def published_training() -> pd.DataFrame:
    """The bundled published training figures (text cells as read; see ``published_training.csv``)."""
    return _read("published_training.csv").copy()


def published_inference() -> pd.DataFrame:
    """The bundled published serving figures (MLPerf Inference; see ``published_inference.csv``)."""
    return _read("published_inference.csv").copy()


def _shape(row: pd.Series, total: float, active: float) -> ModelShape:
    if not row["layers"]:
        return infer_shape(total, active)
    heads = int(row["heads"])
    return ModelShape(
        key=str(row["name"]),
        name=str(row["name"]),
        total_params=total,
        active_params=active,
        layers=int(row["layers"]),
        heads=heads,
        head_dim=int(row["head_dim"]),
        kv_heads=heads,
        kv_values_per_layer=2.0 * heads * int(row["head_dim"]),
        context=int(float(row["sequence"])),
        source=str(row["source"]),
    )


def _training_estimate(row: pd.Series, peaks: pd.Series, mfu: float) -> float:
    total, active, tokens = float(row["total_params"]), float(row["active_params"]), float(row["tokens"])
    if row["unit"] == "params":
        n_opt, _d = compute_optimal(EPOCH_2024, float(row["compute_flops"]))
        return float(n_opt)
    work = TrainingWork.pretrain(
        total,
        tokens,
        active_params=active,
        shape=_shape(row, total, active),
        sequence=float(row["sequence"]),
    )
    if row["unit"] == "flops_6nd":
        return work.dense_flops
    peak = float(peaks[str(row["accelerator"])]) * 1e12
    return work.flops / (peak * mfu) / 3600.0


def _inference_estimate(row: pd.Series, accelerators: pd.DataFrame) -> float:
    workload = ServingWorkload(
        shape_for(str(row["model"])),
        float(row["input_tokens"]),
        float(row["output_tokens"]),
        weight_bytes=float(row["weight_bytes"]),
        tpot_target_ms=None,
    )
    plan = plan_replica(workload, accelerators.loc[str(row["accelerator"])], int(row["count"]))
    return plan.output_tokens_per_second


def validation_table(
    catalog: Catalog | None = None, *, assumptions: Assumptions | None = None
) -> pd.DataFrame:
    """Every published figure beside Moatlab's estimate of it.

    Parameters
    ----------
    catalog : Catalog, optional
        Where the accelerators' peaks, bandwidth and memory come from; the bundled catalog by default.
        An accelerator the catalog lacks is taken from the bundled specs.
    assumptions : Assumptions, optional
        The training assumptions (its MFU); the defaults by default.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`VALIDATION_COLUMNS`, training rows first then serving rows, in file order.
        ``kind`` is ``training`` or ``serving``; ``unit`` is ``gpu_hours``, ``flops_6nd``, ``params``
        or ``output_tokens_per_second``; ``scope`` says what the published figure covers (and, for
        serving, what was assumed), ``scope_zh`` the same in Chinese.

    Examples
    --------
    >>> table = validation_table()
    >>> bool(table["within_band"].all()), sorted(set(table["kind"]))
    (True, ['serving', 'training'])
    """
    bundled = load_bundled().accelerators
    given = bundled if catalog is None else catalog.accelerators
    accelerators = pd.concat([given, bundled[~bundled["accelerator"].isin(given["accelerator"])]])
    accelerators = accelerators.set_index("accelerator", drop=False)
    peaks = pd.to_numeric(accelerators["bf16_tflops"], errors="coerce")
    mfu = (assumptions or Assumptions()).mfu
    rows: list[dict[str, object]] = []
    for _, row in published_training().iterrows():
        rows.append(_row(row, "training", _training_estimate(row, peaks, mfu)))
    for _, row in published_inference().iterrows():
        rows.append(
            _row(
                row,
                "serving",
                _inference_estimate(row, accelerators),
                scope=(str(row["assumption"]), str(row["assumption_zh"])),
            )
        )
    table = pd.DataFrame(rows, columns=list(VALIDATION_COLUMNS))
    table["within_band"] = table["ratio"].between(*BAND)
    return table


def _row(
    row: pd.Series, kind: str, estimate: float, *, scope: tuple[str, str] | None = None
) -> dict[str, object]:
    published = float(row["published"])
    ratio = estimate / published
    return {
        "name": str(row["name"]),
        "kind": kind,
        "organisation": str(row["organisation"]),
        "year": int(row["year"]),
        "architecture": str(row.get("architecture", "") or "dense"),
        "hardware": str(row["hardware"]),
        "unit": str(row["unit"]),
        "published": published,
        "estimate": float(estimate),
        "ratio": ratio,
        "log_ratio": math.log(ratio),
        "within_band": False,
        "scope": scope[0] if scope is not None else str(row["scope"]),
        "scope_zh": scope[1] if scope is not None else str(row["scope_zh"]),
        "source": str(row["source"]),
    }


@dataclass(frozen=True)
class ValidationSummary:
    """How close the estimates are: per kind and over all rows.

    ``median_ratio`` and ``median_abs_log`` describe the typical row; ``worst`` names the row with the
    largest ``|log ratio|`` and ``worst_ratio`` is its ratio. ``rows`` counts the rows, ``within_band``
    those inside :data:`BAND`.
    """

    kind: str
    rows: int
    within_band: int
    median_ratio: float
    median_abs_log: float
    worst: str
    worst_ratio: float


def summarise(table: pd.DataFrame) -> list[ValidationSummary]:
    """One :class:`ValidationSummary` per kind (training, serving) and one for ``all`` rows.

    Examples
    --------
    >>> [s.kind for s in summarise(validation_table())]
    ['training', 'serving', 'all']
    """
    out = []
    for kind in ("training", "serving", "all"):
        part = table if kind == "all" else table[table["kind"] == kind]
        if part.empty:
            continue
        magnitude = part["log_ratio"].abs()
        worst = part.loc[magnitude.idxmax()]
        out.append(
            ValidationSummary(
                kind=kind,
                rows=len(part),
                within_band=int(part["within_band"].sum()),
                median_ratio=float(np.exp(part["log_ratio"].median())),
                median_abs_log=float(magnitude.median()),
                worst=str(worst["name"]),
                worst_ratio=float(worst["ratio"]),
            )
        )
    return out
