"""From a measured run to production: what production trains and serves, and one price for each.

A run trained from the browser is a **measured proxy**: a small model on a sample of the data,
timed on a known machine. A business case needs what *production* costs: the model the product
ships, retrained on the data the business will own. This module states that bridge once, so every
page, the report, the workbook and the command line price production the same way.

Three figures, one definition each
----------------------------------
* **This run's cost** (``run_cost_usd`` of :class:`~bizmodel.binding.RunInputs`): the run's billed
  wall time × the on-demand price of the closest catalog instance (:mod:`bizmodel.run_cost`).
* **One production retraining** (:func:`production_retraining`): the production model trained on
  the production data, one job. Priced two ways and the cheaper kept:

  - ``measured_scaled``: the run's measured training time × ``data_factor`` × ``model_factor`` (the
    training FLOPs grow with the samples and with the FLOPs per sample, and the measured throughput
    is assumed to hold), plus the run's own start-up time (wall − training) and
    :data:`JOB_OVERHEAD_SECONDS` for the job (provisioning, loading the data, evaluating), on the
    same catalog instance as the run's cost.
  - ``gpu_estimate``: only for a production model of at least :data:`GPU_ESTIMATE_MIN_PARAMS`
    parameters, the cheapest feasible catalog option of :func:`bizmodel.compute.training_options`
    for the scaled work (:meth:`bizmodel.training_work.TrainingWork.scaled_run`) at the assumed MFU
    (:class:`bizmodel.compute.Assumptions`, 40 % by default), plus the same job overhead at that
    option's hourly price. Below that size no published MFU supports the estimate: a model of a few
    million parameters cannot keep an accelerator's matrix units busy (kernel launches and memory
    traffic dominate), so a GPU "at 40 % MFU" would be a fiction of fractions of a cent.

* **$ per 1,000 predictions** (:func:`bizmodel.binding.run_inputs`): the run's measured inference
  profile re-planned for the production model at the scenario's peak volume. The production model
  has ``model_factor`` × the run's FLOPs per prediction, taken as compute-bound: each measured
  option's throughput ÷ ``model_factor`` and its latency × ``model_factor``
  (:func:`scale_serving_rows`). For a small model whose latency is mostly fixed overhead this
  overstates the cost: a conservative figure.

What production trains
----------------------
:func:`production_scale` reads the scenario's ``production_data_factor`` and
``production_model_factor`` (× the run's training samples and parameters). 0 means derived:

* data: the run's training samples plus :data:`MONTHS_OF_DATA` months of the data the scenario
  buys (``data_samples_per_month``), ÷ the run's samples (at least 1);
* model: the same factor as the data. Compute-optimal scaling keeps the samples per parameter
  constant (Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models": parameters and
  tokens grow in equal proportion with compute), so a model trained on k× the data is k× the size.

Money is USD, times in seconds or hours as named, factors are plain multipliers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from bizmodel.basis import TechnicalBasis
from bizmodel.catalog import Catalog
from bizmodel.compute import Assumptions, cheapest, training_options
from bizmodel.reasons import Reason, why
from bizmodel.run_cost import RunCostError, accelerator_for_device, instance_for_device
from bizmodel.scenario import Scenario
from bizmodel.training_work import ComputeError, TrainingWork

__all__ = [
    "GPU_ESTIMATE_MIN_PARAMS",
    "JOB_OVERHEAD_SECONDS",
    "MONTHS_OF_DATA",
    "ProductionRetraining",
    "ProductionScale",
    "factor_text",
    "production_retraining",
    "production_scale",
    "run_instance",
    "scale_serving_rows",
    "usd_text",
]

#: Seconds every retraining job pays beyond its training loop: provisioning the machine, pulling
#: the image, staging the data and evaluating the model (an assumption: ten minutes).
JOB_OVERHEAD_SECONDS = 600.0

#: The smallest production model (parameters) priced on catalog accelerators at an assumed MFU.
GPU_ESTIMATE_MIN_PARAMS = 1e8

#: Months of bought data a derived production data set holds beyond the run's samples.
MONTHS_OF_DATA = 12

Method = Literal["measured_scaled", "gpu_estimate"]

#: How a compute option's pricing reads in a sentence.
PRICING_REASONS = {"on_demand": "pricing_on_demand", "spot": "pricing_spot"}


@dataclass(frozen=True)
class ProductionScale:
    """What production trains, relative to the measured run.

    ``data_factor`` × the run's ``run_samples`` training samples, ``model_factor`` × its
    ``run_params`` parameters; ``*_derived`` says whether the factor was derived from the scenario
    (its field is 0) or typed.
    """

    data_factor: float
    model_factor: float
    data_derived: bool
    model_derived: bool
    run_samples: int
    run_params: int

    @property
    def production_samples(self) -> float:
        """Training samples of one production retraining."""
        return self.run_samples * self.data_factor

    @property
    def production_params(self) -> float:
        """Parameters of the production model."""
        return self.run_params * self.model_factor

    @property
    def flops_factor(self) -> float:
        """Training FLOPs of production ÷ the run's: ``data_factor × model_factor``."""
        return self.data_factor * self.model_factor

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (factors, flags, run and production sizes)."""
        return {
            "data_factor": self.data_factor,
            "model_factor": self.model_factor,
            "data_derived": self.data_derived,
            "model_derived": self.model_derived,
            "run_samples": self.run_samples,
            "run_params": self.run_params,
            "production_samples": self.production_samples,
            "production_params": self.production_params,
        }


def production_scale(scenario: Scenario, run_samples: int, run_params: int) -> ProductionScale:
    """The production data and model factors of ``scenario`` for a run of that size (module docstring).

    Parameters
    ----------
    scenario : Scenario
        Its ``production_data_factor``, ``production_model_factor`` (0 = derived) and
        ``data_samples_per_month``.
    run_samples, run_params : int
        The run's training samples and parameters (≥ 1).

    Returns
    -------
    ProductionScale

    Examples
    --------
    >>> from bizmodel.scenario import base_template
    >>> s = production_scale(base_template(), 3_500, 55_050)   # buys 5,000 samples a month
    >>> round(s.data_factor, 2), round(s.model_factor, 2), s.data_derived
    (18.14, 18.14, True)
    >>> typed = base_template().with_values(production_data_factor=100.0, production_model_factor=4.0)
    >>> production_scale(typed, 3_500, 55_050).production_params
    220200.0
    """
    samples, params = max(1, int(run_samples)), max(1, int(run_params))
    typed_data = float(scenario.production_data_factor)
    typed_model = float(scenario.production_model_factor)
    if typed_data > 0:
        data = typed_data
    else:
        data = max(1.0, (samples + MONTHS_OF_DATA * float(scenario.data_samples_per_month)) / samples)
    model = typed_model if typed_model > 0 else data
    return ProductionScale(data, model, typed_data <= 0, typed_model <= 0, samples, params)


@dataclass(frozen=True)
class ProductionRetraining:
    """One production retraining, priced (module docstring).

    Attributes
    ----------
    cost_usd : float or None
        The cheaper of the methods tried; None when neither could be priced.
    hours : float or None
        Wall hours of that job, overhead included.
    method : str
        ``measured_scaled`` or ``gpu_estimate`` (``""`` when unpriced).
    instance : str
        The instance it runs on (provider, region, type; with ``nodes`` > 1 that many of them).
    nodes : int
        Instances used.
    usd_per_hour : float or None
        On-demand USD per hour of the nodes together.
    as_of : str
        The price's catalog date (``""`` when unknown).
    work : TrainingWork
        The production training work (FLOPs, parameters, samples processed).
    measured_usd, gpu_usd : float or None
        Each method's cost when it was tried and priced.
    detail : Reason
        How the figure was formed, or why there is none (the UI words it).
    """

    cost_usd: float | None
    hours: float | None
    method: str
    instance: str
    nodes: int
    usd_per_hour: float | None
    as_of: str
    work: TrainingWork
    measured_usd: float | None
    gpu_usd: float | None
    detail: Reason

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the figures and the work's FLOPs, parameters and samples."""
        return {
            "cost_usd": self.cost_usd,
            "hours": self.hours,
            "method": self.method,
            "instance": self.instance,
            "nodes": self.nodes,
            "usd_per_hour": self.usd_per_hour,
            "as_of": self.as_of,
            "flops": self.work.flops,
            "params": self.work.params,
            "samples_processed": self.work.tokens,
            "measured_usd": self.measured_usd,
            "gpu_usd": self.gpu_usd,
            "detail": self.detail.to_dict(),
        }


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _label(row: pd.Series) -> str:
    parts = [_text(row.get(k)) for k in ("provider", "region", "instance_type")]
    return " ".join(p for p in parts if p)


def _named(label: str) -> Reason | str:
    """An instance's name in a reason: its label, or "a custom instance" for a row without names."""
    return label or Reason("a_custom_instance")


def _dated(as_of: str) -> Reason | str:
    return as_of or Reason("undated")


def _duration(hours: float) -> Reason:
    """A job's wall time in minutes, hours or days."""
    if hours < 1:
        return Reason("duration_min", value=hours * 60)
    return Reason("duration_h", value=hours) if hours < 48 else Reason("duration_days", value=hours / 24)


def run_instance(basis: TechnicalBasis, catalog: Catalog) -> tuple[pd.Series | None, Reason | None]:
    """The catalog instance the run's own hardware is priced on, or None with the reason (about
    run ``<id>``): :func:`bizmodel.run_cost.instance_for_device`, the rule the Train page's live
    epoch cost follows too (a CPU run: the closest current CPU-only instance of its family with at
    least its cores; a GPU run: the cheapest current instance carrying its accelerator).
    """
    run_id = basis.run_id
    try:
        instance = instance_for_device(
            catalog.instances,
            list(catalog.accelerator_keys),
            device=basis.device,
            device_kind=basis.device_kind,
        )
    except RunCostError as exc:
        if basis.device_kind == "cpu":
            return None, Reason("retrain_no_cpu", run_id=run_id)
        if accelerator_for_device(basis.device, list(catalog.accelerator_keys)) is None:
            return None, Reason("retrain_no_accelerator", run_id=run_id, device=str(basis.device))
        return None, Reason("run_any", run_id=run_id, text_msg=why(exc))
    return instance, None


def usd_text(value: float) -> str:
    """US dollars in a sentence, never in scientific notation: ``$12,346``, ``$3.60``, ``$0.08534``,
    ``$0.0000014`` (two significant digits below a hundredth of a cent).

    >>> [usd_text(v) for v in (12345.6, 3.6, 0.0853427, 1.363e-06, 0.0)]
    ['$12,346', '$3.60', '$0.08534', '$0.0000014', '$0']
    """
    if not math.isfinite(value):
        return f"${value}"
    size = abs(value)
    if size == 0:
        return "$0"
    if size >= 1000:
        return f"${value:,.0f}"
    if size >= 1:
        return f"${value:,.2f}"
    if size >= 1e-4:
        return f"${value:.4g}"
    decimals = 1 - math.floor(math.log10(size))
    return f"${value:.{decimals}f}"


def factor_text(value: float) -> str:
    """A multiplier in a sentence, never in scientific notation: ``18.14``, ``329.2``, ``12,346``.

    >>> [factor_text(v) for v in (18.142857, 329.18, 12345.6, 1e9)]
    ['18.14', '329.2', '12,346', '1,000,000,000']
    """
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 1e-4 or size == 0 or not math.isfinite(value):
        return f"{value:.4g}"
    return f"{value:.{1 - math.floor(math.log10(size))}f}"


def production_retraining(
    basis: TechnicalBasis,
    catalog: Catalog,
    scale: ProductionScale,
    *,
    assumptions: Assumptions | None = None,
) -> ProductionRetraining:
    """Price one production retraining of ``scale`` (module docstring).

    Parameters
    ----------
    basis : TechnicalBasis
        The measured run.
    catalog : Catalog
        Prices (instances and accelerators).
    scale : ProductionScale
        From :func:`production_scale`.
    assumptions : Assumptions or None
        MFU and the other settings of the GPU estimate; :class:`bizmodel.compute.Assumptions`'
        defaults when None.

    Returns
    -------
    ProductionRetraining
        ``cost_usd`` None (with the reason in ``detail``) when nothing could be priced.

    Examples
    --------
    >>> from bizmodel.catalog import load_bundled
    >>> rec = {"id": "r1", "status": "completed", "params": 55_050, "flops_per_sample": 109_962,
    ...        "n_train": 3_500, "epochs_completed": 10, "train_seconds": 3.7, "wall_seconds": 4.5,
    ...        "device": "CPU (Intel Xeon, 2 logical cores)", "device_kind": "cpu", "test_accuracy": 0.92}
    >>> basis = TechnicalBasis.from_record(rec)
    >>> scale = ProductionScale(10.0, 10.0, False, False, 3_500, 55_050)
    >>> job = production_retraining(basis, load_bundled(), scale)
    >>> job.method, round(job.hours * 3600)   # 3.7 s × 100 + 0.8 s start-up + 600 s job overhead
    ('measured_scaled', 971)
    """
    assumptions = assumptions or Assumptions()
    work = TrainingWork.scaled_run(
        basis.flops_per_sample,
        basis.n_train,
        max(1, basis.epochs_completed),
        params=basis.params,
        data_factor=scale.data_factor,
        model_factor=scale.model_factor,
    )
    sizes = _sizes(scale)
    notes: list[Reason] = []
    measured = _measured_scaled(basis, catalog, scale, sizes, notes)
    gpu: _Priced | None = None
    if scale.production_params >= GPU_ESTIMATE_MIN_PARAMS:
        gpu = _gpu_estimate(work, catalog, assumptions, sizes, notes)
    else:
        notes.append(
            Reason(
                "retrain_small_model",
                params_count=float(scale.production_params),
                threshold=int(GPU_ESTIMATE_MIN_PARAMS),
            )
        )
    return _cheaper(work, measured, gpu, notes)


def _sizes(scale: ProductionScale) -> Reason:
    """What production trains relative to the run, for the pricing reasons.

    >>> _sizes(ProductionScale(10.0, 2.0, False, False, 3_500, 55_050))
    Reason('production_sizes', data=10.0, samples=3500, model=2.0, params=55050)
    """
    return Reason(
        "production_sizes",
        data=float(scale.data_factor),
        samples=int(scale.run_samples),
        model=float(scale.model_factor),
        params=int(scale.run_params),
    )


def _cheaper(
    work: TrainingWork, measured: _Priced | None, gpu: _Priced | None, notes: list[Reason]
) -> ProductionRetraining:
    """The cheaper of the ways ``measured`` and ``gpu`` priced the job (by USD, then hours), its
    detail naming the other way's cost and ``notes``; unpriced, with ``notes`` as the reason, when
    neither did. Adds the other way's cost at the front of ``notes``."""
    priced = [p for p in (measured, gpu) if p is not None]
    if not priced:
        reason = Reason("clauses", parts=tuple(notes)) if notes else Reason("nothing_to_price")
        return ProductionRetraining(None, None, "", "", 0, None, "", work, None, None, reason)
    best = min(priced, key=lambda p: (p.usd, p.hours))
    for other in priced:
        if other is not best:
            notes.insert(0, Reason("retrain_other_way", how=other.how, cost_usd=other.usd))
    detail = Reason(
        "clauses", parts=(Reason("production_retraining", how=best.how, cost_usd=best.usd), *notes)
    )
    return ProductionRetraining(
        cost_usd=best.usd,
        hours=best.hours,
        method=best.method,
        instance=best.instance,
        nodes=best.nodes,
        usd_per_hour=best.usd_per_hour,
        as_of=best.as_of,
        work=work,
        measured_usd=measured.usd if measured is not None else None,
        gpu_usd=gpu.usd if gpu is not None else None,
        detail=detail,
    )


@dataclass(frozen=True)
class _Priced:
    """One way of pricing the job: USD, wall hours, where and how."""

    usd: float
    hours: float
    method: Method
    instance: str
    nodes: int
    usd_per_hour: float
    as_of: str
    how: Reason


def _measured_scaled(
    basis: TechnicalBasis, catalog: Catalog, scale: ProductionScale, sizes: Reason, notes: list[Reason]
) -> _Priced | None:
    instance, refused = run_instance(basis, catalog)
    if instance is None:
        notes.append(refused or Reason("nothing_to_price"))
        return None
    price = float(pd.to_numeric(instance.get("on_demand_usd_per_hour"), errors="coerce"))
    if not (math.isfinite(price) and price > 0):
        notes.append(Reason("instance_unpriced", run_id=basis.run_id))
        return None
    startup = max(0.0, basis.billed_seconds - basis.train_seconds)
    hours = (basis.train_seconds * scale.flops_factor + startup + JOB_OVERHEAD_SECONDS) / 3600.0
    as_of = _text(instance.get("as_of"))
    label = _label(instance)
    how = Reason(
        "retrain_measured_scaled",
        seconds=float(basis.train_seconds),
        factor=float(scale.flops_factor),
        sizes=sizes,
        startup=float(startup),
        overhead=float(JOB_OVERHEAD_SECONDS),
        duration=_duration(hours),
        instance=_named(label),
        hourly_usd=price,
        as_of=_dated(as_of),
    )
    return _Priced(hours * price, hours, "measured_scaled", label, 1, price, as_of, how)


def _gpu_estimate(
    work: TrainingWork, catalog: Catalog, assumptions: Assumptions, sizes: Reason, notes: list[Reason]
) -> _Priced | None:
    try:
        best = cheapest(training_options(work, catalog.instances, catalog.accelerators, assumptions))
    except ComputeError as exc:
        notes.append(Reason("no_accelerator_estimate", error=why(exc)))
        return None
    if best is None:
        notes.append(Reason("no_accelerator_holds"))
        return None
    train_hours = float(best["train_seconds"]) / 3600.0
    burn = float(best["cost_usd"]) / train_hours
    hours = train_hours + JOB_OVERHEAD_SECONDS / 3600.0
    nodes = int(best["nodes"])
    label = _label(best)
    as_of = _text(best.get("as_of"))
    pricing = str(best["pricing"])
    how = Reason(
        "retrain_gpu_estimate",
        work_flop=float(work.flops),
        sizes=sizes,
        mfu_fraction=float(assumptions.mfu),
        nodes=nodes,
        instance=_named(label),
        pricing=Reason(PRICING_REASONS[pricing]) if pricing in PRICING_REASONS else pricing,
        overhead=float(JOB_OVERHEAD_SECONDS),
        duration=_duration(hours),
        hourly_usd=burn,
        as_of=_dated(as_of),
    )
    return _Priced(burn * hours, hours, "gpu_estimate", label, nodes, burn, as_of, how)


def scale_serving_rows(options: pd.DataFrame, model_factor: float) -> pd.DataFrame:
    """Measured serving options re-stated for a model ``model_factor`` × the run's size.

    Compute-bound: ``samples_per_second`` ÷ the factor, ``p50_ms``/``p95_ms`` × the factor, and
    ``usd_per_1000`` × the factor (its price per hour is unchanged). A factor of 1 returns the rows
    unchanged.

    >>> rows = pd.DataFrame({"samples_per_second": [1000.0], "p50_ms": [1.0], "p95_ms": [2.0],
    ...     "usd_per_1000": [0.01], "usd_per_hour": [0.1]})
    >>> scale_serving_rows(rows, 4.0).iloc[0].to_dict()
    {'samples_per_second': 250.0, 'p50_ms': 4.0, 'p95_ms': 8.0, 'usd_per_1000': 0.04, 'usd_per_hour': 0.1}
    """
    if model_factor == 1.0:
        return options
    out = options.copy()
    factor = float(model_factor)
    out["samples_per_second"] = pd.to_numeric(out["samples_per_second"], errors="coerce") / factor
    for column in ("p50_ms", "p95_ms", "usd_per_1000"):
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce") * factor
    return out.replace([np.inf, -np.inf], np.nan)
