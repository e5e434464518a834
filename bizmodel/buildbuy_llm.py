"""Build or buy (b): a self-hosted open LLM against paid LLM APIs, on one monthly volume axis.

The self-hosted side rents whole catalog instances (a step function of volume), served by the
assumed model of :mod:`bizmodel.llm_serving`; the API side charges per token. USD throughout;
units are in the names; a month has :data:`HOURS_PER_MONTH` = 730 billed hours. The formulas and
conventions are in :mod:`bizmodel.buildbuy`; ties go to the API.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from bizmodel.buildbuy_own import BreakEven, BuildBuyError, checked_number, checked_volumes
from bizmodel.catalog import Catalog
from bizmodel.compute import Assumptions, cheapest, training_options
from bizmodel.llm_serving import DEFAULT_TPOT_MS, ServingError, ServingWorkload, plan_replica, priced
from bizmodel.reasons import Reason
from bizmodel.shapes import ModelShape, ShapeError, infer_shape, shape_for
from bizmodel.training_work import ComputeError, TrainingWork

__all__ = [
    "HOURS_PER_MONTH",
    "SELF_HOSTED_COLUMNS",
    "LlmWorkload",
    "SelfHostedOption",
    "cheapest_fine_tune",
    "fine_tune_cost_usd",
    "llm_break_even",
    "llm_break_even_volume",
    "llm_cost_curves",
    "self_hosted_option",
    "self_hosted_options",
]

HOURS_PER_MONTH = 730.0
"""Billed hours in a month (8,760 / 12)."""
GIB_BYTES = 2.0**30


@dataclass(frozen=True)
class LlmWorkload:
    """An open LLM served for requests of a given size, with the serving model's assumed efficiencies.

    Attributes
    ----------
    params : float
        Total parameters N of the model (> 0): what memory holds.
    input_tokens_per_request, output_tokens_per_request : float
        Tokens in (prompt) and out (generated) per request (≥ 0, not both 0).
    bytes_per_param : float
        Weight bytes per parameter: 2 for bf16/fp16, 1 for 8-bit (fp8/int8 at the 8-bit peak).
    mfu : float
        Fraction of peak FLOP/s sustained in compute-bound work, (0, 1]; 0.4.
    bandwidth_efficiency : float
        Fraction of the memory bandwidth sustained, (0, 1]; 0.6.
    utilisation : float
        Average load ÷ capacity, (0, 1]; 0.5.
    active_params : float or None
        Parameters per token of a Mixture-of-Experts model (FLOPs); None: ``params`` (dense).
    model : str or None
        A bundled model shape's key (:mod:`bizmodel.shapes`) for the layers and KV cache; None: a
        shape inferred from the parameters.
    tpot_target_ms : float or None
        Time per output token target (> 0), or None for none; 50 ms.

    Examples
    --------
    >>> work = LlmWorkload(params=7e9, input_tokens_per_request=500, output_tokens_per_request=200)
    >>> work.shape.key, work.tpot_target_ms
    ('inferred', 50.0)
    """

    params: float
    input_tokens_per_request: float
    output_tokens_per_request: float
    bytes_per_param: float = 2.0
    mfu: float = 0.4
    bandwidth_efficiency: float = 0.6
    utilisation: float = 0.5
    active_params: float | None = None
    model: str | None = None
    tpot_target_ms: float | None = DEFAULT_TPOT_MS

    def __post_init__(self) -> None:
        checked_number("params", self.params, positive=True)
        tokens_in = checked_number("input_tokens_per_request", self.input_tokens_per_request)
        tokens_out = checked_number("output_tokens_per_request", self.output_tokens_per_request)
        if tokens_in + tokens_out == 0:
            raise BuildBuyError("a request needs some input or output tokens")
        if self.bytes_per_param not in (1, 2):
            raise BuildBuyError(
                f"bytes_per_param must be 2 (bf16) or 1 (8-bit), got {self.bytes_per_param!r}"
            )
        if self.active_params is not None:
            active = checked_number("active_params", self.active_params, positive=True)
            if active > self.params * (1 + 1e-9):
                raise BuildBuyError(
                    f"active parameters ({active:.4g}) cannot exceed total parameters ({self.params:.4g})"
                )
        for name in ("mfu", "bandwidth_efficiency", "utilisation"):
            value = checked_number(name, getattr(self, name), positive=True)
            if value > 1:
                raise BuildBuyError(f"{name} must be in (0, 1], got {value!r}")
        if self.tpot_target_ms is not None:
            checked_number("tpot_target_ms", self.tpot_target_ms, positive=True)
        try:
            self.serving  # noqa: B018 - resolves the model key and checks the shape
        except (ShapeError, ServingError) as exc:
            raise BuildBuyError(str(exc)) from exc

    @property
    def active(self) -> float:
        """Parameters per token (``params`` for a dense model)."""
        return float(self.params if self.active_params is None else self.active_params)

    @property
    def shape(self) -> ModelShape:
        """The model's shape: the bundled one named by ``model`` re-sized to these parameters, or inferred."""
        if self.model is None:
            return infer_shape(self.params, self.active)
        return shape_for(self.model).with_params(self.params, self.active)

    @property
    def serving(self) -> ServingWorkload:
        """The workload of the serving model (:mod:`bizmodel.llm_serving`)."""
        return ServingWorkload(
            self.shape,
            self.input_tokens_per_request,
            self.output_tokens_per_request,
            weight_bytes=self.bytes_per_param,
            mfu=self.mfu,
            bandwidth_efficiency=self.bandwidth_efficiency,
            tpot_target_ms=self.tpot_target_ms,
        )

    @property
    def memory_needed_bytes(self) -> float:
        """Accelerator memory for the weights and one sequence's KV cache, at the usable share."""
        serving = self.serving
        kv = (
            self.input_tokens_per_request + self.output_tokens_per_request / 2.0
        ) * self.shape.kv_bytes_per_token(serving.kv_value_bytes)
        return (self.params * self.bytes_per_param + kv) / serving.memory_utilisation


@dataclass(frozen=True)
class SelfHostedOption:
    """One catalog instance serving an :class:`LlmWorkload`, priced per 1M tokens (assumed model).

    ``instance`` is ``"provider instance_type"``; ``count`` the accelerators in it (one replica spans
    them); ``usd_per_hour`` its on-demand price as of ``as_of`` (``source`` says where from). Rates are
    per second of the whole instance at full load (:class:`bizmodel.llm_serving.ServingPlan`):
    ``prefill_tokens_per_second`` is the pure prefill rate, ``input_tokens_per_second`` /
    ``output_tokens_per_second`` / ``requests_per_second`` the steady state at ``batch`` sequences,
    chosen for ``batch_reason``; ``tpot_ms`` is the time per output token. Prices per 1M tokens include
    ``utilisation``; ``usd_per_request`` is the price of one request. ``memory_needed_gib`` /
    ``memory_available_gib`` explain ``fits_in_memory``; ``peak_tflops`` is the peak the compute ran at
    (``precision``).
    """

    accelerator: str
    instance: str
    count: int
    usd_per_hour: float
    as_of: str
    source: str
    prefill_tokens_per_second: float
    input_tokens_per_second: float
    output_tokens_per_second: float
    requests_per_second: float
    usd_per_1m_input_tokens: float
    usd_per_1m_output_tokens: float
    fits_in_memory: bool
    batch: int = 0
    batch_reason: str = ""
    tpot_ms: float = math.nan
    precision: str = ""
    peak_tflops: float = math.nan
    provenance: str = "assumed"
    provider: str = ""
    region: str = ""
    instance_type: str = ""
    usd_per_request: float = math.nan
    memory_needed_gib: float = math.nan
    memory_available_gib: float = math.nan


#: Columns of :func:`self_hosted_options` (the fields of :class:`SelfHostedOption`).
SELF_HOSTED_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(SelfHostedOption))


def _spec(row: pd.Series, column: str) -> float:
    value = float(pd.to_numeric(row.get(column), errors="coerce"))
    return value if math.isfinite(value) and value > 0 else math.nan


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def self_hosted_option(
    workload: LlmWorkload, instance_row: pd.Series, accelerator_row: pd.Series
) -> SelfHostedOption:
    """Price ``workload`` on one catalog instance (one replica spans all its accelerators).

    Parameters
    ----------
    workload : LlmWorkload
        The model, request size and assumed efficiencies.
    instance_row : pandas.Series
        A catalog instance row (``provider``, ``instance_type``, ``count``, ``on_demand_usd_per_hour``,
        ``as_of``, ``source``).
    accelerator_row : pandas.Series
        Its accelerator's catalog row (``bf16_tflops``, ``int8_tops``, ``bandwidth_gbps``, ``memory_gib``).

    Returns
    -------
    SelfHostedOption

    Raises
    ------
    BuildBuyError
        If the instance has no accelerators or price, or the accelerator lacks a spec.

    Examples
    --------
    >>> inst = pd.Series({"provider": "lambda", "instance_type": "gpu_1x_h100", "accelerator": "H100-SXM",
    ...     "count": 1, "on_demand_usd_per_hour": 3.6, "as_of": "2026-11-28", "source": "list"})
    >>> acc = pd.Series({"accelerator": "H100-SXM", "bf16_tflops": 989.0, "int8_tops": 1979.0,
    ...     "bandwidth_gbps": 3350.0, "memory_gib": 80.0})
    >>> opt = self_hosted_option(LlmWorkload(7e9, 500, 200, utilisation=1.0), inst, acc)
    >>> opt.fits_in_memory, opt.batch_reason, round(opt.usd_per_1m_output_tokens, 3)
    (True, 'compute', 0.036)
    """
    count = float(pd.to_numeric(instance_row.get("count"), errors="coerce"))
    price = float(pd.to_numeric(instance_row.get("on_demand_usd_per_hour"), errors="coerce"))
    label = " ".join(
        t for t in (_text(instance_row.get("provider")), _text(instance_row.get("instance_type"))) if t
    )
    if not (math.isfinite(count) and count >= 1):
        raise BuildBuyError(f"{label or 'the instance'} has no accelerators to serve an LLM on")
    if not (math.isfinite(price) and price > 0):
        raise BuildBuyError(f"{label or 'the instance'} has no positive on-demand $/hour")
    try:
        serving = workload.serving
        plan = plan_replica(serving, accelerator_row, int(count))
        prices = priced(plan, serving, price, workload.utilisation)
    except ServingError as exc:
        raise BuildBuyError(str(exc)) from exc
    return SelfHostedOption(
        accelerator=_text(accelerator_row.get("accelerator")),
        instance=label,
        count=int(count),
        usd_per_hour=price,
        as_of=_text(instance_row.get("as_of")),
        source=_text(instance_row.get("source")),
        prefill_tokens_per_second=plan.prefill_tokens_per_second,
        input_tokens_per_second=plan.input_tokens_per_second,
        output_tokens_per_second=plan.output_tokens_per_second,
        requests_per_second=plan.requests_per_second,
        usd_per_1m_input_tokens=prices.usd_per_1m_input_tokens,
        usd_per_1m_output_tokens=prices.usd_per_1m_output_tokens,
        fits_in_memory=plan.fits,
        batch=plan.batch,
        batch_reason=plan.batch_reason,
        tpot_ms=plan.tpot_ms,
        precision=plan.precision,
        peak_tflops=plan.peak_flops / 1e12 / count,
        provider=_text(instance_row.get("provider")),
        region=_text(instance_row.get("region")),
        instance_type=_text(instance_row.get("instance_type")),
        usd_per_request=prices.usd_per_request,
        memory_needed_gib=workload.memory_needed_bytes / GIB_BYTES,
        memory_available_gib=plan.memory_bytes / GIB_BYTES,
    )


def self_hosted_options(
    workload: LlmWorkload, catalog: Catalog, *, statuses: tuple[str, ...] = ("current",)
) -> pd.DataFrame:
    """Every catalog instance with accelerators that could serve ``workload``, priced per 1M tokens.

    Instances whose accelerator row lacks a positive bf16 peak, bandwidth or memory are left out.

    Parameters
    ----------
    workload : LlmWorkload
        The model, request size and assumed efficiencies.
    catalog : Catalog
        Instances (on-demand prices) and accelerator specs.
    statuses : tuple of str
        Instance statuses to use; only ``current`` by default.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SELF_HOSTED_COLUMNS`; options that fit in memory first, each group by
        ``usd_per_request`` (blended $ per request), then by price per hour.

    Examples
    --------
    >>> from bizmodel.catalog import load_bundled
    >>> opts = self_hosted_options(LlmWorkload(8e9, 1000, 300), load_bundled())
    >>> fitting = opts[opts["fits_in_memory"]]
    >>> bool(opts.iloc[0]["fits_in_memory"]), bool(fitting["usd_per_request"].is_monotonic_increasing)
    (True, True)
    """
    specs = catalog.accelerators.set_index("accelerator", drop=False)
    rows: list[dict[str, object]] = []
    for _, instance in catalog.instances.iterrows():
        key = _text(instance.get("accelerator"))
        if instance.get("status") not in statuses or not key or key not in specs.index:
            continue
        spec = specs.loc[key]
        if not all(math.isfinite(_spec(spec, c)) for c in ("bf16_tflops", "bandwidth_gbps", "memory_gib")):
            continue
        try:
            rows.append(asdict(self_hosted_option(workload, instance, spec)))
        except BuildBuyError:
            continue
    frame = pd.DataFrame(rows, columns=list(SELF_HOSTED_COLUMNS))
    if frame.empty:
        return frame
    frame["fits_in_memory"] = frame["fits_in_memory"].astype(bool)
    frame["count"] = frame["count"].astype(int)
    frame["batch"] = frame["batch"].astype(int)
    order = frame.assign(misfit=~frame["fits_in_memory"]).sort_values(
        ["misfit", "usd_per_request", "usd_per_hour"], kind="stable"
    )
    return order.loc[:, list(SELF_HOSTED_COLUMNS)].reset_index(drop=True)


def cheapest_fine_tune(
    params: float,
    tokens: float,
    catalog: Catalog,
    *,
    method: Literal["full", "adapter"] = "adapter",
    assumptions: Assumptions | None = None,
    active_params: float | None = None,
    model: str | None = None,
) -> pd.Series:
    """The cheapest feasible catalog option to fine-tune ``params`` on ``tokens`` (:mod:`bizmodel.compute`).

    Parameters
    ----------
    params : float
        Parameters N of the base model.
    tokens : float
        Fine-tuning tokens D.
    method : {"full", "adapter"}
        Full fine-tuning (6·N·D FLOPs, 16 B/param) or adapter/LoRA-style (≈ 4·N·D, frozen bf16 base).
    assumptions : Assumptions or None
        MFU, discount, node limits; :class:`bizmodel.compute.Assumptions` defaults when None.
    active_params : float or None
        Parameters per token of a Mixture-of-Experts base model (FLOPs); None: dense.
    model : str or None
        A bundled model shape's key for the attention term; None: inferred.

    Returns
    -------
    pandas.Series
        The option (columns of :data:`bizmodel.compute.OPTION_COLUMNS`, ``cost_usd`` among them).

    Raises
    ------
    BuildBuyError
        If the sizes are invalid or no catalog option can hold the work.

    Examples
    --------
    >>> from bizmodel.catalog import load_bundled
    >>> option = cheapest_fine_tune(8e9, 50e6, load_bundled())
    >>> bool(option["feasible"]), float(option["cost_usd"]) > 0
    (True, True)
    """
    try:
        work = TrainingWork.finetune(params, tokens, method=method, active_params=active_params, shape=model)
        options = training_options(
            work, catalog.instances, catalog.accelerators, assumptions or Assumptions()
        )
    except ComputeError as exc:
        raise BuildBuyError(str(exc)) from exc
    best = cheapest(options)
    if best is None:
        raise BuildBuyError(
            f"no catalog option has the memory to fine-tune {params:.3g} parameters ({method}); "
            "use the adapter method or a smaller model"
        )
    return best


def fine_tune_cost_usd(
    params: float,
    tokens: float,
    catalog: Catalog,
    *,
    method: Literal["full", "adapter"] = "adapter",
    assumptions: Assumptions | None = None,
    active_params: float | None = None,
    model: str | None = None,
) -> float:
    """USD of the cheapest feasible fine-tuning option (see :func:`cheapest_fine_tune`).

    Parameters
    ----------
    params : float
        Parameters N of the base model.
    tokens : float
        Fine-tuning tokens D.
    method : {"full", "adapter"}
        Full or adapter fine-tuning.
    assumptions : Assumptions or None
        :class:`bizmodel.compute.Assumptions`; its defaults when None.
    active_params, model
        As for :func:`cheapest_fine_tune`.

    Returns
    -------
    float
        ``cost_usd`` of the cheapest feasible option.

    Raises
    ------
    BuildBuyError
        If the sizes are invalid or nothing is feasible.

    Examples
    --------
    >>> from bizmodel.catalog import load_bundled
    >>> cat = load_bundled()
    >>> fine_tune_cost_usd(8e9, 50e6, cat) < fine_tune_cost_usd(8e9, 50e6, cat, method="full")
    True
    """
    return float(
        cheapest_fine_tune(
            params,
            tokens,
            catalog,
            method=method,
            assumptions=assumptions,
            active_params=active_params,
            model=model,
        )["cost_usd"]
    )


def _option_series(option: pd.Series | SelfHostedOption) -> pd.Series:
    return pd.Series(asdict(option)) if isinstance(option, SelfHostedOption) else option


def _llm_terms(
    option: pd.Series | SelfHostedOption,
    api_row: pd.Series,
    workload: LlmWorkload,
    fine_tune_usd: float,
    amortise_months: int,
) -> tuple[float, float, float, float]:
    """(requests one instance serves a month, its monthly cost, fixed $/month, API $/request)."""
    row = _option_series(option)
    if "fits_in_memory" in row and not bool(row["fits_in_memory"]):
        raise BuildBuyError(
            f"{row.get('instance', 'this option')} cannot hold the model; choose one that fits"
        )
    rate = checked_number("requests_per_second", float(row["requests_per_second"]), positive=True)
    price = checked_number("usd_per_hour", float(row["usd_per_hour"]), positive=True)
    fine_tune = checked_number("fine_tune_usd", fine_tune_usd)
    if not (isinstance(amortise_months, int | np.integer) and amortise_months >= 1):
        raise BuildBuyError(f"amortise_months must be a whole number ≥ 1, got {amortise_months!r}")
    price_in = checked_number("input_usd_per_1m_tokens", float(api_row["input_usd_per_1m_tokens"]))
    price_out = checked_number("output_usd_per_1m_tokens", float(api_row["output_usd_per_1m_tokens"]))
    tokens_in, tokens_out = workload.input_tokens_per_request, workload.output_tokens_per_request
    capacity = 3600.0 * HOURS_PER_MONTH * workload.utilisation * rate
    api_per_request = (tokens_in * price_in + tokens_out * price_out) / 1e6
    return capacity, price * HOURS_PER_MONTH, fine_tune / amortise_months, api_per_request


def llm_cost_curves(
    option_row: pd.Series | SelfHostedOption,
    api_row: pd.Series,
    workload: LlmWorkload,
    volumes_requests_per_month: npt.ArrayLike,
    *,
    fine_tune_usd: float = 0.0,
    amortise_months: int = 12,
) -> pd.DataFrame:
    """Monthly cost of self-hosting on one option against one API, at each request volume.

    See the module docstring: instances = ``max(1, ceil(V / (requests/s × 3600 × 730 ×
    utilisation)))``; self-hosted = instances × $/hour × 730 + fine-tuning ÷ months; API =
    ``V × (in × input price + out × output price) / 1e6``.

    Parameters
    ----------
    option_row : pandas.Series or SelfHostedOption
        A row of :func:`self_hosted_options` (needs ``requests_per_second`` and ``usd_per_hour``;
        refused when ``fits_in_memory`` is False).
    api_row : pandas.Series
        A row of :func:`load_api_prices` (``input_usd_per_1m_tokens``, ``output_usd_per_1m_tokens``).
    workload : LlmWorkload
        Tokens per request and utilisation (the same workload that priced ``option_row``).
    volumes_requests_per_month : array-like
        Requests per month (≥ 0).
    fine_tune_usd : float
        One-off fine-tuning cost (e.g. :func:`fine_tune_cost_usd`), spread over ``amortise_months``.
    amortise_months : int
        Months the fine-tuning cost is spread over (≥ 1).

    Returns
    -------
    pandas.DataFrame
        Columns ``volume_per_month``, ``self_hosted_usd_month``, ``api_usd_month``, ``instances``,
        ``cheaper`` (``"self_hosted"`` or ``"api"``; ties go to the API).

    Raises
    ------
    BuildBuyError
        On a negative volume, an option that does not fit, or invalid prices.

    Examples
    --------
    >>> option = pd.Series({"requests_per_second": 1 / 0.2, "usd_per_hour": 2.0, "fits_in_memory": True})
    >>> api = pd.Series({"input_usd_per_1m_tokens": 1.0, "output_usd_per_1m_tokens": 4.0})
    >>> work = LlmWorkload(7e9, 1000, 100, utilisation=1.0)
    >>> llm_cost_curves(option, api, work, [0, 10_000_000]).round(2).to_dict("list")
    {'volume_per_month': [0.0, 10000000.0], 'self_hosted_usd_month': [1460.0, 1460.0], 'api_usd_month': [0.0, 14000.0], 'instances': [1, 1], 'cheaper': ['api', 'self_hosted']}
    """  # noqa: E501
    v = checked_volumes(volumes_requests_per_month)
    capacity, instance_month, fixed, api_per_request = _llm_terms(
        option_row, api_row, workload, fine_tune_usd, amortise_months
    )
    instances = np.maximum(1, np.ceil(v / capacity - 1e-9)).astype(int)
    self_hosted = instances * instance_month + fixed
    api = v * api_per_request
    return pd.DataFrame(
        {
            "volume_per_month": v,
            "self_hosted_usd_month": self_hosted,
            "api_usd_month": api,
            "instances": instances,
            "cheaper": np.where(self_hosted < api, "self_hosted", "api"),
        }
    )


def llm_break_even(
    option_row: pd.Series | SelfHostedOption,
    api_row: pd.Series,
    workload: LlmWorkload,
    *,
    fine_tune_usd: float = 0.0,
    amortise_months: int = 12,
) -> BreakEven:
    """The smallest monthly volume at which self-hosting costs no more than the API, or why there is none.

    With ``V1`` requests one instance serves a month, ``C`` its monthly price, ``F`` the amortised
    fine-tuning and ``a`` the API's $ per request, ``k`` instances beat the API from ``(kC + F) / a``
    on, if that is within their capacity ``k × V1``; that holds for some ``k`` only when ``a × V1 >
    C`` (a fully used instance is cheaper than the API for the same requests), first at ``k =
    max(1, ceil(F / (a V1 − C)))``. Just after each further instance is added the API can briefly be
    cheaper again (the self-hosted cost steps up by ``C``); :func:`llm_cost_curves` shows where.

    Parameters
    ----------
    option_row : pandas.Series or SelfHostedOption
        A fitting row of :func:`self_hosted_options`.
    api_row : pandas.Series
        A row of :func:`load_api_prices`.
    workload : LlmWorkload
        Tokens per request and utilisation.
    fine_tune_usd : float
        One-off fine-tuning cost, spread over ``amortise_months``.
    amortise_months : int
        Months the fine-tuning cost is spread over (≥ 1).

    Returns
    -------
    BreakEven
        ``cheaper_below`` ``"api"``, ``cheaper_above`` ``"self_hosted"`` when there is a volume.

    Raises
    ------
    BuildBuyError
        As :func:`llm_cost_curves`.

    Examples
    --------
    >>> option = pd.Series({"requests_per_second": 1 / 0.2, "usd_per_hour": 2.0, "fits_in_memory": True})
    >>> api = pd.Series({"input_usd_per_1m_tokens": 1.0, "output_usd_per_1m_tokens": 4.0})
    >>> round(llm_break_even(option, api, LlmWorkload(7e9, 1000, 100, utilisation=1.0)).volume_per_month)
    1042857
    """
    capacity, instance_month, fixed, a = _llm_terms(
        option_row, api_row, workload, fine_tune_usd, amortise_months
    )
    if a == 0:
        return BreakEven(None, None, "api", Reason("api_free"))
    margin = a * capacity - instance_month
    if margin <= 0:
        never = Reason(
            "never_cheaper",
            capacity=round(capacity),
            instance_month_usd=float(instance_month),
            api_usd=float(a * capacity),
            utilisation_fraction=float(workload.utilisation),
        )
        return BreakEven(None, None, "api", never)
    k = max(1, math.ceil(fixed / margin - 1e-9))
    return BreakEven((k * instance_month + fixed) / a, "api", "self_hosted", None)


def llm_break_even_volume(
    option_row: pd.Series | SelfHostedOption,
    api_row: pd.Series,
    workload: LlmWorkload,
    *,
    fine_tune_usd: float = 0.0,
    amortise_months: int = 12,
) -> float | None:
    """Requests per month from which self-hosting first costs no more than the API (:func:`llm_break_even`).

    Parameters
    ----------
    option_row : pandas.Series or SelfHostedOption
        A fitting row of :func:`self_hosted_options`.
    api_row : pandas.Series
        A row of :func:`load_api_prices`.
    workload : LlmWorkload
        Tokens per request and utilisation.
    fine_tune_usd : float
        One-off fine-tuning cost.
    amortise_months : int
        Months it is spread over.

    Returns
    -------
    float or None
        None when self-hosting is never cheaper (the reason is in :func:`llm_break_even`).

    Raises
    ------
    BuildBuyError
        As :func:`llm_cost_curves`.

    Examples
    --------
    >>> option = pd.Series({"requests_per_second": 1 / 0.2, "usd_per_hour": 2.0, "fits_in_memory": True})
    >>> cheap = pd.Series({"input_usd_per_1m_tokens": 0.01, "output_usd_per_1m_tokens": 0.01})
    >>> llm_break_even_volume(option, cheap, LlmWorkload(7e9, 1000, 100)) is None
    True
    """
    return llm_break_even(
        option_row, api_row, workload, fine_tune_usd=fine_tune_usd, amortise_months=amortise_months
    ).volume_per_month
