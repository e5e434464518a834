"""Serving economics: $ per 1,000 predictions, capacity plans and the cheapest hardware that meets a p95.

Conventions
-----------
* **One prediction = one sample** (one row of input, one class out). One request is one
  prediction. Money is USD; prices are on-demand $/hour of a whole catalog instance.
* **Utilisation** (0–1) is the fraction of time a server is busy doing inference. An
  instance that can do ``samples_per_second`` at full load does ``samples_per_second ×
  utilisation`` on average, so ``usd_per_1000 = usd_per_hour ÷ (samples_per_second × 3600 ×
  utilisation) × 1000`` (:func:`usd_per_1000`). In a capacity plan the same fraction is the
  highest busy share allowed at **peak** load (headroom so that queues stay short).
* **Measured** options are the cells of the run's inference profile (device, path, batch size):
  throughput and p50/p95 latency as measured. A CPU cell is priced on the CPU instance the
  caller chooses (by default the catalog match for the run's machine and CPU family,
  :func:`bizmodel.run_cost.closest_instance`), assuming that instance runs the model as fast as
  the measured machine. A
  GPU cell is priced on the cheapest current instance carrying that GPU.
* **Estimated** options cover catalog accelerators nobody measured: the arithmetic rate
  = peak FLOP/s (dense bf16 for the float model, int8 for the quantised one) × an assumed
  **efficiency** ÷ ``flops_per_sample`` (the forward FLOPs of one sample); latency of a batch of
  ``b`` = ``b`` ÷ that rate + an assumed fixed per-call overhead; throughput per accelerator
  = ``b`` ÷ that latency (one call serves one batch, so the overhead bounds it). These rows are
  labelled ``assumed``. The efficiency default is low (5 %) on purpose: a model of a few
  kFLOP to MFLOP per sample cannot keep an accelerator's matrix units busy — kernel launches,
  host-to-device copies and memory traffic dominate (the measured MFU of such a run on a CPU is
  well under 1 %). Edit it when you have a measurement.
* An instance with several accelerators runs one model replica per accelerator: its
  throughput is ``count`` × the per-accelerator throughput; latency is per replica.
* ``p50_ms``/``p95_ms`` are milliseconds per **call** of one batch. What a **request** sees
  (``p95_request_ms`` in :func:`capacity_plan`) adds the time its batch takes to fill: a batch of
  ``b`` waits for ``b − 1`` more requests, which arrive at the **average** rate each instance
  receives, ``average_rps ÷ instances``, so ``fill_ms = (b − 1) ÷ (average_rps ÷ instances) ×
  1000`` (conservative: the first request of a batch waits the whole fill; at peak the batch
  fills faster). ``p95_request_ms = fill_ms + p95_ms``, and that is what is compared with the
  p95 target: a batch that cannot fill within the target does not meet it, however fast its
  call is. No batching timeout is modelled (a server that sends part-filled batches after a
  deadline is a different, unmeasured option), nor is queueing delay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from bizmodel.basis import TechnicalBasis
from bizmodel.reasons import Reason
from bizmodel.run_cost import RunCostError, accelerator_for_device, closest_instance, run_cpu_instance
from measurements import InferenceRow

#: Columns of :func:`serving_options`.
OPTION_COLUMNS: tuple[str, ...] = (
    "option",
    "provenance",
    "device",
    "accelerator",
    "instance",
    "count",
    "path",
    "batch_size",
    "quantized",
    "accuracy",
    "samples_per_second",
    "p50_ms",
    "p95_ms",
    "usd_per_hour",
    "usd_per_1000",
    "source",
    "as_of",
)


class ServingError(ValueError):
    """Serving inputs are out of range (non-positive requests, a utilisation outside (0, 1], …)."""


@dataclass(frozen=True, kw_only=True)
class ServingAssumptions:
    """The assumed (not measured) inputs of the serving economics.

    Attributes
    ----------
    utilisation : float
        Fraction of time a server is busy, in (0, 1]; 0.5 by default.
    efficiency : float
        Fraction of an unmeasured accelerator's peak FLOP/s this model achieves, in (0, 1];
        0.05 by default (low on purpose: small models cannot fill an accelerator).
    hours_per_month : float
        Billed hours in a month; 730 (= 8,760 / 12).
    peak_to_average : float
        Peak request rate ÷ average rate, ≥ 1; capacity is sized on the peak. 2.0 by default.
    cpu_usd_per_hour : float or None
        A $/hour to use for the measured CPU instead of the CPU instance's catalog price.
    estimate_batch_size : int
        The batch size an estimated accelerator is assumed to serve at; 32.
    overhead_ms : float
        Fixed per-call overhead (launch, copies) added to an estimated latency; 1 ms.
    include_int8_estimates : bool
        Whether to estimate int8 options for accelerators with an int8 peak.

    >>> ServingAssumptions(utilisation=0.8).hours_per_month
    730.0
    """

    utilisation: float = 0.5
    efficiency: float = 0.05
    hours_per_month: float = 730.0
    peak_to_average: float = 2.0
    cpu_usd_per_hour: float | None = None
    estimate_batch_size: int = 32
    overhead_ms: float = 1.0
    include_int8_estimates: bool = True

    def __post_init__(self) -> None:
        checks = [
            (0.0 < self.utilisation <= 1.0, "utilisation must be in (0, 1]"),
            (0.0 < self.efficiency <= 1.0, "efficiency must be in (0, 1]"),
            (0.0 < self.hours_per_month <= 744.0, "hours per month must be in (0, 744]"),
            (self.peak_to_average >= 1.0, "peak-to-average ratio must be ≥ 1"),
            (
                self.cpu_usd_per_hour is None or self.cpu_usd_per_hour > 0,
                "the CPU price must be positive",
            ),
            (self.estimate_batch_size >= 1, "the estimate batch size must be ≥ 1"),
            (self.overhead_ms >= 0.0, "the per-call overhead must be ≥ 0 ms"),
        ]
        for ok, message in checks:
            if not ok:
                raise ServingError(message)


def usd_per_1000(
    samples_per_second: float | npt.ArrayLike,
    usd_per_hour: float | npt.ArrayLike,
    utilisation: float,
) -> float | np.ndarray:
    """Dollars per 1,000 predictions: ``usd_per_hour ÷ (samples_per_second × 3600 × utilisation) × 1000``.

    Parameters
    ----------
    samples_per_second : float or array
        Predictions per second the instance sustains at full load (> 0).
    usd_per_hour : float or array
        The instance's price (≥ 0).
    utilisation : float
        Fraction of time the instance is busy, in (0, 1].

    Returns
    -------
    float or ndarray
        USD per 1,000 predictions (an array when an input is).

    Raises
    ------
    ServingError
        If a throughput is not positive, a price is negative or utilisation is outside (0, 1].

    >>> round(usd_per_1000(1000.0, 3.60, 1.0), 9)
    0.001
    >>> round(usd_per_1000(1000.0, 3.60, 0.5), 9)
    0.002
    """
    sps = np.asarray(samples_per_second, dtype=float)
    price = np.asarray(usd_per_hour, dtype=float)
    if not 0.0 < utilisation <= 1.0:
        raise ServingError("utilisation must be in (0, 1]")
    if np.any(~(sps > 0)):
        raise ServingError("samples per second must be positive")
    if np.any(price < 0):
        raise ServingError("price per hour must be ≥ 0")
    out = price / (sps * 3600.0 * utilisation) * 1000.0
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------------------------- options


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _instance_label(row: pd.Series) -> str:
    return " ".join(t for t in (_text(row.get("provider")), _text(row.get("instance_type"))) if t)


def _count(row: pd.Series) -> int:
    count = pd.to_numeric(row.get("count"), errors="coerce")
    return max(1, int(count)) if pd.notna(count) else 1


def _price(row: pd.Series) -> float:
    return float(pd.to_numeric(row.get("on_demand_usd_per_hour"), errors="coerce"))


#: The inference paths an option's name words (another path is written as it is).
_PATHS: dict[str, Reason] = {
    "compiled": Reason("path_compiled"),
    "predict": Reason("path_predict"),
    "int8": Reason("path_int8"),
}


def _path(path: str) -> Reason | str:
    return _PATHS.get(path, path)


def _catalog_price(label: str, as_of: str) -> Reason:
    """Where an instance's price comes from: the catalog, as of its date (``unknown`` without one)."""
    return Reason("price_catalog", instance=label, as_of=as_of or Reason("unknown"))


def _profile(basis: TechnicalBasis) -> Reason:
    """The measured side of a source: the run's inference profile, dated when it is."""
    if basis.inference_measured_at:
        return Reason("profile_dated", run_id=basis.run_id, measured_at=basis.inference_measured_at)
    return Reason("profile", run_id=basis.run_id)


def _measured_price(
    m: InferenceRow, instance: pd.Series | None, assumptions: ServingAssumptions
) -> tuple[int, float, str, str, tuple[Reason, ...]]:
    """A measured row's replicas, $/hour, instance label, catalog date and price clauses."""
    if m.device_kind == "cpu":
        if assumptions.cpu_usd_per_hour is not None:
            return 1, assumptions.cpu_usd_per_hour, "CPU", "", (Reason("price_assumed"),)
        if instance is None:
            return 1, math.nan, "CPU", "", (Reason("no_cpu_chosen"),)
        label, as_of = _instance_label(instance), _text(instance.get("as_of"))
        return 1, _price(instance), label, as_of, (_catalog_price(label, as_of),)
    if instance is None:
        return 1, math.nan, m.device, "", (Reason("gpu_not_in_catalog"), Reason("not_priced"))
    count, label, as_of = _count(instance), _instance_label(instance), _text(instance.get("as_of"))
    clauses = (_catalog_price(label, as_of), Reason("replicas", count=count))
    return count, _price(instance), label, as_of, clauses


def _measured_row(
    m: InferenceRow,
    basis: TechnicalBasis,
    instance: pd.Series | None,
    accelerator: str | None,
    assumptions: ServingAssumptions,
) -> dict[str, object]:
    count, price, label, as_of, price_clauses = _measured_price(m, instance, assumptions)
    sps = m.samples_per_second * count
    return {
        "option": Reason("serving_option", instance=label, path=_path(m.path), batch=m.batch_size),
        "provenance": "measured",
        "device": m.device,
        "accelerator": accelerator or "",
        "instance": label,
        "count": count,
        "path": m.path,
        "batch_size": m.batch_size,
        "quantized": m.quantized,
        "accuracy": m.accuracy if m.accuracy is not None else math.nan,
        "samples_per_second": sps,
        "p50_ms": m.p50_ms,
        "p95_ms": m.p95_ms,
        "usd_per_hour": price,
        "usd_per_1000": usd_per_1000(sps, price, assumptions.utilisation) if np.isfinite(price) else math.nan,
        "source": Reason("clauses", parts=(_profile(basis), *price_clauses)),
        "as_of": as_of,
    }


def _variants(
    basis: TechnicalBasis, acc: pd.Series, assumptions: ServingAssumptions
) -> list[tuple[str, Reason, float, bool, float | None]]:
    """What an accelerator is estimated at: (path, precision, peak tera-ops/s, quantised, accuracy)."""
    variants: list[tuple[str, Reason, float, bool, float | None]] = []
    bf16 = float(pd.to_numeric(acc.get("bf16_tflops"), errors="coerce"))
    fp32 = float(pd.to_numeric(acc.get("fp32_tflops"), errors="coerce"))
    if np.isfinite(bf16) and bf16 > 0:
        accuracy = basis.float_accuracy or basis.test_accuracy
        variants.append(("compiled", Reason("precision_bf16"), bf16, False, accuracy))
    elif np.isfinite(fp32) and fp32 > 0:
        variants.append(("compiled", Reason("precision_fp32"), fp32, False, basis.test_accuracy))
    int8 = float(pd.to_numeric(acc.get("int8_tops"), errors="coerce"))
    if assumptions.include_int8_estimates and np.isfinite(int8) and int8 > 0:
        variants.append(("int8", Reason("precision_int8"), int8, True, basis.int8_accuracy))
    return variants


def _estimated_rows(
    basis: TechnicalBasis,
    acc: pd.Series,
    instance: pd.Series,
    assumptions: ServingAssumptions,
) -> list[dict[str, object]]:
    key = str(acc["accelerator"])
    count = _count(instance)
    price = _price(instance)
    label = _instance_label(instance)
    as_of = _text(instance.get("as_of"))
    spec_as_of = _text(acc.get("as_of"))
    rows = []
    b = assumptions.estimate_batch_size
    for path, precision, tera, quantized, accuracy in _variants(basis, acc, assumptions):
        compute_bound = tera * 1e12 * assumptions.efficiency / basis.flops_per_sample
        latency_ms = b / compute_bound * 1000.0 + assumptions.overhead_ms
        # One call serves one batch: the per-call overhead bounds throughput as much as the
        # arithmetic does (a tiny model is overhead-bound on any accelerator).
        per_accel = b / (latency_ms / 1000.0)
        sps = per_accel * count
        peak = Reason(
            "estimate_peak",
            efficiency_fraction=float(assumptions.efficiency),
            accelerator=key,
            precision=precision,
            tflops=float(tera),
            spec_as_of=spec_as_of or Reason("unknown"),
            flops=int(basis.flops_per_sample),
        )
        overhead = Reason("estimate_overhead", overhead_ms=float(assumptions.overhead_ms))
        rows.append(
            {
                "option": Reason(
                    "serving_option_estimate", instance=label, accelerator=key, path=_path(path), batch=b
                ),
                "provenance": "assumed",
                "device": key,
                "accelerator": key,
                "instance": label,
                "count": count,
                "path": path,
                "batch_size": b,
                "quantized": quantized,
                "accuracy": accuracy if accuracy is not None else math.nan,
                "samples_per_second": sps,
                "p50_ms": latency_ms,
                "p95_ms": latency_ms,
                "usd_per_hour": price,
                "usd_per_1000": usd_per_1000(sps, price, assumptions.utilisation),
                "source": Reason("clauses", parts=(peak, overhead, _catalog_price(label, as_of))),
                "as_of": as_of,
            }
        )
    return rows


def serving_options(
    basis: TechnicalBasis,
    instances_df: pd.DataFrame,
    accelerators_df: pd.DataFrame,
    assumptions: ServingAssumptions,
    *,
    cpu_instance: pd.Series | None,
    gpu_instance: pd.Series | None = None,
) -> pd.DataFrame:
    """Every way to serve the run's model, with its throughput, p95 latency and $ per 1,000 predictions.

    Measured rows come from the run's inference profile (one per device × path × batch size,
    float and int8 alike); assumed rows estimate each catalog accelerator that has a current
    instance and was not measured (see the module docstring for how).

    Parameters
    ----------
    basis : TechnicalBasis
        The run; its inference profile gives the measured rows (none if it has no profile).
    instances_df, accelerators_df : DataFrame
        The catalog's tables (agreed columns).
    assumptions : ServingAssumptions
        Utilisation, efficiency, batch size and overhead of the estimates.
    cpu_instance : Series or None
        The catalog instance that prices measured CPU rows (None: unpriced unless
        ``assumptions.cpu_usd_per_hour`` is set).
    gpu_instance : Series or None
        The instance that prices measured GPU rows; by default the cheapest current instance
        carrying the catalog accelerator named in the measured device.

    Returns
    -------
    DataFrame
        Columns :data:`OPTION_COLUMNS`; unpriced rows have NaN ``usd_per_hour``/``usd_per_1000``.
        Sorted by ``usd_per_1000`` (unpriced last).

    >>> rec = {"id": "r1", "status": "completed", "params": 1, "flops_per_sample": 20_000,
    ...        "n_train": 1000, "epochs_completed": 1, "train_seconds": 1.0, "device_kind": "cpu",
    ...        "test_accuracy": 0.9, "inference": {"rows": [{"device": "CPU", "device_kind": "cpu",
    ...        "path": "compiled", "batch_size": 32, "p50_ms": 0.8, "p95_ms": 1.0, "p99_ms": 1.2,
    ...        "mean_ms": 0.8, "samples_per_second": 1000, "quantized": False}]}}
    >>> inst = pd.DataFrame({"provider": ["aws", "gcp"], "instance_type": ["c.large", "g2"],
    ...     "accelerator": [None, "L4"], "count": [0, 1], "vcpus": [2, 4],
    ...     "on_demand_usd_per_hour": [3.6, 0.72], "status": ["current"] * 2,
    ...     "as_of": ["2025-12-01"] * 2})
    >>> acc = pd.DataFrame({"accelerator": ["L4"], "fp32_tflops": [30.3], "bf16_tflops": [121.0],
    ...     "int8_tops": [float("nan")], "as_of": ["2025-01-01"]})
    >>> opts = serving_options(TechnicalBasis.from_record(rec), inst, acc,
    ...     ServingAssumptions(utilisation=1.0), cpu_instance=inst.iloc[0])
    >>> opts[["provenance", "instance", "path", "p95_ms"]].round(3).values.tolist()
    [['assumed', 'gcp g2', 'compiled', 1.0], ['measured', 'aws c.large', 'compiled', 1.0]]
    >>> round(float(opts.loc[1, "usd_per_1000"]), 9)
    0.001
    """
    measured, measured_accelerators = _measured_rows(
        basis,
        instances_df,
        accelerators_df,
        assumptions,
        cpu_instance=cpu_instance,
        gpu_instance=gpu_instance,
    )
    estimated = _unmeasured_rows(basis, instances_df, accelerators_df, assumptions, measured_accelerators)
    frame = pd.DataFrame([*measured, *estimated], columns=list(OPTION_COLUMNS))
    return frame.sort_values("usd_per_1000", kind="stable", na_position="last").reset_index(drop=True)


def _gpu_instance(instances_df: pd.DataFrame, key: str | None) -> pd.Series | None:
    """The cheapest current instance carrying accelerator ``key``; None when none does."""
    if key is None:
        return None
    try:
        return closest_instance(instances_df, vcpus=None, accelerator=key)
    except RunCostError:
        return None


def _measured_rows(
    basis: TechnicalBasis,
    instances_df: pd.DataFrame,
    accelerators_df: pd.DataFrame,
    assumptions: ServingAssumptions,
    *,
    cpu_instance: pd.Series | None,
    gpu_instance: pd.Series | None,
) -> tuple[list[dict[str, object]], set[str]]:
    """One row per cell of the run's inference profile, and the catalog accelerators it measured."""
    keys = accelerators_df["accelerator"].astype(str).tolist() if "accelerator" in accelerators_df else []
    rows: list[dict[str, object]] = []
    measured: set[str] = set()
    for m in basis.inference:
        if m.device_kind == "cpu":
            rows.append(_measured_row(m, basis, cpu_instance, None, assumptions))
            continue
        key = accelerator_for_device(m.device, keys)
        instance = gpu_instance if gpu_instance is not None else _gpu_instance(instances_df, key)
        if key is not None:
            measured.add(key)
        rows.append(_measured_row(m, basis, instance, key, assumptions))
    return rows, measured


def _unmeasured_rows(
    basis: TechnicalBasis,
    instances_df: pd.DataFrame,
    accelerators_df: pd.DataFrame,
    assumptions: ServingAssumptions,
    measured: set[str],
) -> list[dict[str, object]]:
    """Estimated rows for each catalog accelerator not measured that a current instance carries."""
    rows: list[dict[str, object]] = []
    for _, acc in accelerators_df.iterrows():
        key = str(acc["accelerator"])
        if key in measured or key.upper().startswith("CPU"):
            continue
        instance = _gpu_instance(instances_df, key)
        if instance is not None:  # else no current instance to price it on
            rows.extend(_estimated_rows(basis, acc, instance, assumptions))
    return rows


# ---------------------------------------------------------------------- capacity


def run_serving_options(
    basis: TechnicalBasis,
    instances_df: pd.DataFrame,
    accelerators_df: pd.DataFrame,
    assumptions: ServingAssumptions,
) -> pd.DataFrame:
    """:func:`serving_options` with the run's measured CPU rows priced on the catalog CPU instance
    closest to the one it ran on (:func:`bizmodel.run_cost.run_cpu_instance`; unpriced when none).

    Raises
    ------
    ServingError, RunCostError
        As :func:`serving_options`.
    """
    cpu = run_cpu_instance(basis, instances_df)
    return serving_options(basis, instances_df, accelerators_df, assumptions, cpu_instance=cpu)


def capacity_plan(
    options_df: pd.DataFrame,
    *,
    requests_per_month: float,
    p95_target_ms: float,
    assumptions: ServingAssumptions,
) -> pd.DataFrame:
    """Instances, monthly cost and request latency of each option for a monthly volume and a p95 target.

    The average rate is ``requests_per_month ÷ (hours_per_month × 3600)`` predictions/s; the
    plan is sized on the **peak** rate = average × ``peak_to_average``:
    ``instances = ceil(peak rate ÷ (samples_per_second × utilisation))`` (at least 1), and
    ``monthly_usd = instances × usd_per_hour × hours_per_month``. ``usd_per_1000_at_load`` is
    that monthly cost per 1,000 requests actually served. The latency a request sees is
    ``p95_request_ms = fill_ms + p95_ms`` with ``fill_ms = (batch_size − 1) ÷ (average rate ÷
    instances) × 1000``, the time its batch takes to fill (see the module docstring); an option
    meets the target when ``p95_request_ms ≤ p95_target_ms``.

    Parameters
    ----------
    options_df : DataFrame
        From :func:`serving_options` (needs ``samples_per_second``, ``batch_size``, ``p95_ms``,
        ``usd_per_hour``).
    requests_per_month : float
        Predictions per month (> 0); one request = one prediction.
    p95_target_ms : float
        The p95 latency target in milliseconds (> 0), per request.
    assumptions : ServingAssumptions
        Utilisation, peak-to-average ratio, hours per month.

    Returns
    -------
    DataFrame
        ``options_df`` plus ``average_rps``, ``peak_rps``, ``instances``, ``monthly_usd``,
        ``usd_per_1000_at_load``, ``fill_ms``, ``p95_request_ms``, ``meets_p95_target``; options
        meeting the target first, then by monthly cost (unpriced last), then by request latency.

    Raises
    ------
    ServingError
        If the request volume or the target is not positive, a throughput is not positive or a
        batch size is below 1.

    >>> opts = pd.DataFrame({"option": ["a", "b"], "samples_per_second": [100.0, 1000.0],
    ...     "batch_size": [1, 8], "p95_ms": [5.0, 30.0], "usd_per_hour": [1.0, 4.0]})
    >>> plan = capacity_plan(opts, requests_per_month=730 * 3600 * 100, p95_target_ms=50,
    ...     assumptions=ServingAssumptions(utilisation=0.5, peak_to_average=2.0))
    >>> plan[["option", "instances", "monthly_usd", "p95_request_ms", "meets_p95_target"]].to_dict("records")
    [{'option': 'a', 'instances': 4, 'monthly_usd': 2920.0, 'p95_request_ms': 5.0, 'meets_p95_target': True}, {'option': 'b', 'instances': 1, 'monthly_usd': 2920.0, 'p95_request_ms': 100.0, 'meets_p95_target': False}]
    """  # noqa: E501
    sps, batch = _checked_plan_inputs(options_df, requests_per_month, p95_target_ms)
    average = requests_per_month / (assumptions.hours_per_month * 3600.0)
    peak = average * assumptions.peak_to_average
    instances = np.maximum(1, np.ceil(peak / (sps * assumptions.utilisation) - 1e-9)).astype(int)
    monthly = instances * options_df["usd_per_hour"].to_numpy(dtype=float) * assumptions.hours_per_month
    fill_ms = (batch - 1.0) / (average / instances) * 1000.0
    request_ms = fill_ms + options_df["p95_ms"].to_numpy(dtype=float)
    plan = options_df.assign(
        average_rps=average,
        peak_rps=peak,
        instances=instances,
        monthly_usd=monthly,
        usd_per_1000_at_load=monthly / (requests_per_month / 1000.0),
        fill_ms=fill_ms,
        p95_request_ms=request_ms,
        meets_p95_target=request_ms <= p95_target_ms,
    )
    return _plan_order(plan)


def _checked_plan_inputs(
    options_df: pd.DataFrame, requests_per_month: float, p95_target_ms: float
) -> tuple[np.ndarray, np.ndarray]:
    """The options' throughputs and batch sizes, once the volume, target and both are valid."""
    if not (requests_per_month > 0 and math.isfinite(requests_per_month)):
        raise ServingError("requests per month must be a positive number")
    if not (p95_target_ms > 0 and math.isfinite(p95_target_ms)):
        raise ServingError("the p95 latency target must be positive (milliseconds)")
    sps = options_df["samples_per_second"].to_numpy(dtype=float)
    if np.any(~(sps > 0)):
        raise ServingError("every option needs a positive throughput")
    batch = options_df["batch_size"].to_numpy(dtype=float)
    if np.any(~(batch >= 1)):
        raise ServingError("every option needs a batch size of at least 1")
    return sps, batch


def _plan_order(plan: pd.DataFrame) -> pd.DataFrame:
    """Options meeting the target first, then by monthly cost (unpriced last), then request latency."""
    request_ms = plan["p95_request_ms"].to_numpy(dtype=float)
    monthly = plan["monthly_usd"].to_numpy(dtype=float)
    order = np.lexsort(
        (
            np.where(np.isfinite(request_ms), request_ms, np.inf),
            np.where(np.isfinite(monthly), monthly, np.inf),
            ~plan["meets_p95_target"].to_numpy(dtype=bool),
        )
    )
    return plan.iloc[order].reset_index(drop=True)


def best_serving(plan_df: pd.DataFrame) -> pd.Series | None:
    """The cheapest priced option of a capacity plan that meets the p95 target, or None.

    Cheapest by ``monthly_usd``; ties (e.g. several options that each need one instance) go to
    the lower request latency ``p95_request_ms`` (``p95_ms`` when the plan has no such column),
    then the lower ``usd_per_1000`` — not to the biggest batch, whose headroom the volume does
    not use.

    >>> plan = pd.DataFrame({"option": ["a", "b", "c", "d"], "meets_p95_target": [True, True, True, False],
    ...     "monthly_usd": [20.0, 10.0, 10.0, 1.0], "usd_per_1000": [0.1, 0.01, 0.1, 0.01],
    ...     "p95_request_ms": [1.0, 40.0, 2.0, 3.0]})
    >>> best_serving(plan)["option"]
    'c'
    """
    ok = plan_df[plan_df["meets_p95_target"].astype(bool) & np.isfinite(plan_df["monthly_usd"].astype(float))]
    if ok.empty:
        return None
    latency = "p95_request_ms" if "p95_request_ms" in ok.columns else "p95_ms"
    return ok.sort_values(["monthly_usd", latency, "usd_per_1000"], kind="stable").iloc[0]


def float_vs_int8(options_df: pd.DataFrame) -> pd.DataFrame:
    """Float against int8 for each measured device and batch size: $ per 1,000 and accuracy.

    The float side is the cheaper of the ``compiled`` and ``predict`` paths. Only pairs where
    both were measured appear (empty when the profile has no int8 rows).

    >>> opts = pd.DataFrame({"provenance": ["measured"] * 3, "device": ["CPU"] * 3,
    ...     "path": ["compiled", "predict", "int8"], "batch_size": [32] * 3,
    ...     "quantized": [False, False, True], "usd_per_1000": [0.002, 0.05, 0.001],
    ...     "accuracy": [0.95, 0.95, 0.94]})
    >>> float_vs_int8(opts)[["float_usd_per_1000", "int8_usd_per_1000", "accuracy_change"]].round(3).values.tolist()
    [[0.002, 0.001, -0.01]]
    """  # noqa: E501
    measured = options_df[options_df["provenance"] == "measured"]
    keys = ["device", "batch_size"]
    floats = (
        measured[~measured["quantized"].astype(bool)]
        .sort_values("usd_per_1000", kind="stable")
        .groupby(keys, as_index=False)
        .first()[[*keys, "usd_per_1000", "accuracy"]]
    )
    ints = measured[measured["quantized"].astype(bool)].groupby(keys, as_index=False).first()
    pairs = floats.merge(ints[[*keys, "usd_per_1000", "accuracy"]], on=keys, suffixes=("_float", "_int8"))
    return pd.DataFrame(
        {
            "device": pairs["device"],
            "batch_size": pairs["batch_size"],
            "float_usd_per_1000": pairs["usd_per_1000_float"],
            "int8_usd_per_1000": pairs["usd_per_1000_int8"],
            "float_accuracy": pairs["accuracy_float"],
            "int8_accuracy": pairs["accuracy_int8"],
            "accuracy_change": pairs["accuracy_int8"] - pairs["accuracy_float"],
        }
    )
