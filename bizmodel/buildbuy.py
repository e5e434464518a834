"""Build or buy, like against like: your model against a per-call API, a self-hosted LLM against paid APIs.

Two comparisons, each on one monthly volume axis:

(a) **The run's own model vs a per-call API** (:class:`OwnModelCosts`, :class:`ApiCosts`,
    :func:`cost_curves`, :func:`break_even`). Both cost a fixed amount a month plus a price per 1,000
    requests, so the curves are straight lines and cross at most once.
(b) **A self-hosted open LLM vs paid LLM APIs** (:class:`LlmWorkload`, :func:`self_hosted_options`,
    :func:`llm_cost_curves`, :func:`llm_break_even`). The self-hosted side rents whole instances (a
    step function of volume); the API side charges per token.

Conventions
-----------
* Currency is USD; units are in the names (``_usd_month``, ``_usd_per_1000``, ``_per_1m_tokens``,
  ``_tokens_per_second``, ``_usd_per_hour``). Fractions (``mfu``, ``utilisation``, …) are 0–1.
* A month has :data:`HOURS_PER_MONTH` = 730 billed hours (8,760 / 12). One request is one prediction
  (a) or one LLM call with ``input_tokens_per_request`` in and ``output_tokens_per_request`` out (b).
* **Serving (b), an assumed model, not a measurement**: :mod:`bizmodel.llm_serving` — continuous
  batching with chunked prefill on one replica per instance; prefill compute-bound, decode reading
  the weights and every sequence's KV cache per step; the batch set by what fits in memory after the
  weights, by the time-per-output-token target, or by where compute saturates. Dense and
  Mixture-of-Experts models: FLOPs from the active parameters, memory from the total; the layers and
  KV cache from a bundled model shape or one inferred from the parameters (:mod:`bizmodel.shapes`).
  Validated against MLPerf Inference results (:mod:`bizmodel.validation`).
* **Price per token**: an instance busy ``utilisation`` of the time costs ``usd_per_hour / 3600 /
  utilisation`` per second of capacity; input tokens at the prefill rate, output tokens the rest of a
  request's time (:func:`bizmodel.llm_serving.priced`). A request costs ``in × input price + out ×
  output price`` (/1e6).
* **Self-hosted monthly cost** at ``V`` requests a month: ``instances = max(1, ceil(V / (requests/s ×
  3600 × 730 × utilisation)))`` (at least one always-on instance) × ``usd_per_hour × 730``, plus
  ``fine_tune_usd / amortise_months``. **API monthly cost** = ``V × (in × input price + out × output
  price) / 1e6``.
* Self-hosted options are on-demand prices of ``current`` catalog rows (:mod:`bizmodel.catalog`), so
  their provenance is **assumed** (the serving model) on **catalog** prices with the row's as-of date.
  API prices come from :func:`load_api_prices` (bundled ``bizmodel/data/llm_api_prices.csv``, each row
  with its source and as-of date) or an upload through :func:`read_api_prices`.
* Ties go to the API (nothing to build or run).
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, fields
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from bizmodel.catalog import Catalog
from bizmodel.compute import Assumptions, cheapest, training_options
from bizmodel.llm_serving import DEFAULT_TPOT_MS, ServingError, ServingWorkload, plan_replica, priced
from bizmodel.scenario import Scenario
from bizmodel.shapes import ModelShape, ShapeError, infer_shape, shape_for
from bizmodel.training_work import ComputeError, TrainingWork
from safetext import shown
from tablecheck import Column, CsvWords, Table

__all__ = [
    "API_PRICE_COLUMNS",
    "HOURS_PER_MONTH",
    "MAX_BREAK_EVEN_VOLUME",
    "MAX_PRICE_UPLOAD_BYTES",
    "MAX_PRICE_UPLOAD_ROWS",
    "SELF_HOSTED_COLUMNS",
    "ApiCosts",
    "BreakEven",
    "BuildBuyError",
    "LlmWorkload",
    "OwnModelCosts",
    "SelfHostedOption",
    "break_even",
    "break_even_volume",
    "cheapest_fine_tune",
    "cost_curves",
    "fine_tune_cost_usd",
    "llm_break_even",
    "llm_break_even_volume",
    "llm_cost_curves",
    "load_api_prices",
    "read_api_prices",
    "self_hosted_option",
    "self_hosted_options",
]

HOURS_PER_MONTH = 730.0
#: A break-even volume above this many requests a month is reported as none (with the reason).
MAX_BREAK_EVEN_VOLUME = 1e15
"""Billed hours in a month (8,760 / 12)."""
GIB_BYTES = 2.0**30
MAX_PRICE_UPLOAD_BYTES = 1024 * 1024
MAX_PRICE_UPLOAD_ROWS = 5_000
_DATA_DIR = Path(__file__).parent / "data"
Side = Literal["own", "api", "self_hosted"]


class BuildBuyError(ValueError):
    """Build-or-buy inputs are invalid, or a price table is broken (the message names line and column)."""


_PRICE_HINT = "enter the USD price per 1 million tokens, e.g. 0.6 (0 for free)"
_API_PRICES = Table(
    columns=(
        Column("provider", hint="enter the provider"),
        Column("model", hint="enter the model"),
        Column("input_usd_per_1m_tokens", "number", minimum=0, expect="a number ≥ 0", hint=_PRICE_HINT),
        Column("output_usd_per_1m_tokens", "number", minimum=0, expect="a number ≥ 0", hint=_PRICE_HINT),
        Column("source", free_text=True, hint="say where the price comes from"),
        Column(
            "as_of",
            "date",
            hint="write the date the price was last known to hold, as YYYY-MM-DD (e.g. 2026-07-30)",
        ),
        Column("notes", required=False, free_text=True),
    ),
    key=("provider", "model"),
    duplicate=lambda record, at, first: (
        f"{at}, column 'model': {shown(str(record['model']))} of {shown(str(record['provider']))} is "
        f"already priced on {first}; keep one row per provider and model."
    ),
    error=BuildBuyError,
    max_bytes=MAX_PRICE_UPLOAD_BYTES,
    max_rows=MAX_PRICE_UPLOAD_ROWS,
    words=CsvWords(
        too_big="{what} is {decimal_mb:.1f} MB, over the {limit_kib} KiB limit: keep the models you compare.",
        not_utf8="save it as CSV UTF-8",
        empty="upload a CSV with a header row and at least one price",
        header_at="{what}, line 1",
        too_many_rows="{what} has more than {limit:,} rows: keep the models you compare.",
        ragged="quote values that contain commas",
        long_value="shorten it",
        no_rows="{what} has a header but no prices: add at least one row.",
    ),
)
API_PRICE_COLUMNS: tuple[str, ...] = _API_PRICES.names


def _check(name: str, value: float, *, positive: bool = False) -> float:
    """``value`` as a float when it is a finite number ≥ 0 (> 0 if ``positive``), else BuildBuyError."""
    ok_type = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    number = float(value) if ok_type else math.nan
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        bound = "> 0" if positive else "≥ 0"
        raise BuildBuyError(f"{name} must be a finite number {bound}, got {value!r}")
    return number


def _volumes(volumes: npt.ArrayLike) -> np.ndarray:
    array = np.atleast_1d(np.asarray(volumes, dtype=float))
    if array.ndim != 1 or not np.all(np.isfinite(array)) or np.any(array < 0):
        raise BuildBuyError("volumes must be a 1-D list of finite request counts ≥ 0 per month")
    return array


# ---------------------------------------------------------------------- (a) own model vs per-call API


@dataclass(frozen=True)
class OwnModelCosts:
    """Your own model's monthly cost: a fixed part and serving per 1,000 predictions.

    Attributes
    ----------
    fixed_usd_month : float
        Costs that do not grow with volume, e.g. retraining amortised (``retrain_cost_usd ÷
        retrain_every_months``) plus any operations or people cost you type.
    serving_usd_per_1000 : float
        Serving cost per 1,000 predictions (e.g. the run's measured figure).

    Examples
    --------
    >>> OwnModelCosts(fixed_usd_month=500.0, serving_usd_per_1000=0.02).serving_usd_per_1000
    0.02
    """

    fixed_usd_month: float
    serving_usd_per_1000: float

    def __post_init__(self) -> None:
        _check("fixed_usd_month", self.fixed_usd_month)
        _check("serving_usd_per_1000", self.serving_usd_per_1000)

    @classmethod
    def from_scenario(cls, scenario: Scenario, *, ops_usd_month: float = 0.0) -> OwnModelCosts:
        """The scenario's retraining amortised per month plus ``ops_usd_month``, and its serving cost.

        Parameters
        ----------
        scenario : Scenario
            Supplies ``retrain_cost_usd`` / ``retrain_every_months`` (0 = never: nothing amortised)
            and ``serving_usd_per_1000_predictions``.
        ops_usd_month : float
            Other fixed monthly cost of running your own model (people, monitoring), ≥ 0.

        Returns
        -------
        OwnModelCosts

        Raises
        ------
        BuildBuyError
            If ``ops_usd_month`` is negative or not finite.

        Examples
        --------
        >>> from bizmodel.scenario import base_template
        >>> c = OwnModelCosts.from_scenario(base_template(), ops_usd_month=100.0)
        >>> round(c.fixed_usd_month, 2), c.serving_usd_per_1000
        (166.67, 0.02)
        """
        ops = _check("ops_usd_month", ops_usd_month)
        every = scenario.retrain_every_months
        retrain = scenario.retrain_cost_usd / every if every else 0.0
        return cls(
            fixed_usd_month=retrain + ops, serving_usd_per_1000=scenario.serving_usd_per_1000_predictions
        )


@dataclass(frozen=True)
class ApiCosts:
    """A per-call API: a price per 1,000 calls and an optional fixed monthly fee (a plan, a minimum).

    Examples
    --------
    >>> ApiCosts(usd_per_1000_calls=1.5).fixed_usd_month
    0.0
    """

    usd_per_1000_calls: float
    fixed_usd_month: float = 0.0

    def __post_init__(self) -> None:
        _check("usd_per_1000_calls", self.usd_per_1000_calls)
        _check("fixed_usd_month", self.fixed_usd_month)


@dataclass(frozen=True)
class BreakEven:
    """Where two cost curves cross, or why they never do.

    Attributes
    ----------
    volume_per_month : float or None
        Requests per month at which both cost the same; None when they never cross at a volume ≥ 0.
    cheaper_below, cheaper_above : str or None
        ``"own"``, ``"self_hosted"`` or ``"api"``: which side is cheaper below / above that volume
        (when there is no crossing, ``cheaper_above`` names the side cheaper at every volume, if any).
    reason : str or None
        Why there is no break-even volume; None when there is one.
    """

    volume_per_month: float | None
    cheaper_below: str | None
    cheaper_above: str | None
    reason: str | None


def cost_curves(own: OwnModelCosts, api: ApiCosts, volumes: npt.ArrayLike) -> pd.DataFrame:
    """Monthly cost of your own model and of the API at each volume.

    ``own_usd_month = fixed + serving_usd_per_1000 × volume / 1000`` and ``api_usd_month = fixed +
    usd_per_1000_calls × volume / 1000``.

    Parameters
    ----------
    own : OwnModelCosts
        Your model's costs.
    api : ApiCosts
        The API's costs.
    volumes : array-like
        Requests per month (≥ 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``volume_per_month``, ``own_usd_month``, ``api_usd_month``, ``cheaper`` (``"own"``
        or ``"api"``; ties go to the API), one row per volume in the given order.

    Raises
    ------
    BuildBuyError
        If a volume is negative or not finite.

    Examples
    --------
    >>> curves = cost_curves(OwnModelCosts(100.0, 0.5), ApiCosts(1.5), [0, 50_000, 200_000])
    >>> curves["cheaper"].tolist(), curves["own_usd_month"].tolist(), curves["api_usd_month"].tolist()
    (['api', 'api', 'own'], [100.0, 125.0, 200.0], [0.0, 75.0, 300.0])
    """
    v = _volumes(volumes)
    own_usd = own.fixed_usd_month + own.serving_usd_per_1000 * v / 1000.0
    api_usd = api.fixed_usd_month + api.usd_per_1000_calls * v / 1000.0
    return pd.DataFrame(
        {
            "volume_per_month": v,
            "own_usd_month": own_usd,
            "api_usd_month": api_usd,
            "cheaper": np.where(own_usd < api_usd, "own", "api"),
        }
    )


def _linear_break_even(
    names: tuple[str, str], fixed: tuple[float, float], per_unit: tuple[float, float]
) -> BreakEven:
    """Crossing of ``fixed[i] + per_unit[i] × v`` for v ≥ 0 (names[0] is "ours", names[1] the API)."""
    (ours, theirs), (f_ours, f_theirs), (u_ours, u_theirs) = names, fixed, per_unit
    if u_ours == u_theirs:
        if f_ours == f_theirs:
            return BreakEven(None, None, None, "both cost the same at every volume")
        cheaper = ours if f_ours < f_theirs else theirs
        return BreakEven(
            None,
            None,
            cheaper,
            f"{cheaper} is cheaper at every volume (same cost per request, lower fixed cost)",
        )
    volume = (f_ours - f_theirs) / (u_theirs - u_ours)
    low_slope = ours if u_ours < u_theirs else theirs
    if volume < 0:
        return BreakEven(
            None,
            None,
            low_slope,
            f"{low_slope} is cheaper at every volume (lower fixed cost and cost per request)",
        )
    if volume == 0:
        return BreakEven(
            None,
            None,
            low_slope,
            f"{low_slope} is cheaper at every volume above 0 (same fixed cost, lower cost per request)",
        )
    high_slope = theirs if low_slope == ours else ours
    if not math.isfinite(volume) or volume > MAX_BREAK_EVEN_VOLUME:
        return BreakEven(
            None,
            None,
            high_slope,
            f"the costs per request differ so little that the lines cross only beyond "
            f"{MAX_BREAK_EVEN_VOLUME:.0e} requests a month: {high_slope} is cheaper at any real volume",
        )
    return BreakEven(volume, high_slope, low_slope, None)


def break_even(own: OwnModelCosts, api: ApiCosts) -> BreakEven:
    """The volume at which your own model and the API cost the same, with which is cheaper on each side.

    ``volume = (own fixed − api fixed) × 1000 / (api per 1,000 − own per 1,000)`` when that is > 0.

    Parameters
    ----------
    own : OwnModelCosts
        Your model's costs.
    api : ApiCosts
        The API's costs.

    Returns
    -------
    BreakEven
        ``volume_per_month`` None (with ``reason``) when one side is cheaper at every volume or both
        cost the same everywhere.

    Examples
    --------
    >>> be = break_even(OwnModelCosts(100.0, 0.5), ApiCosts(1.5))
    >>> be.volume_per_month, be.cheaper_below, be.cheaper_above
    (100000.0, 'api', 'own')
    >>> break_even(OwnModelCosts(100.0, 2.0), ApiCosts(1.5)).reason
    'api is cheaper at every volume (lower fixed cost and cost per request)'
    """
    return _linear_break_even(
        ("own", "api"),
        (own.fixed_usd_month, api.fixed_usd_month),
        (own.serving_usd_per_1000 / 1000.0, api.usd_per_1000_calls / 1000.0),
    )


def break_even_volume(own: OwnModelCosts, api: ApiCosts) -> float | None:
    """Requests per month at which both cost the same; None when they never do (see :func:`break_even`).

    Parameters
    ----------
    own : OwnModelCosts
        Your model's costs.
    api : ApiCosts
        The API's costs.

    Returns
    -------
    float or None

    Examples
    --------
    >>> break_even_volume(OwnModelCosts(100.0, 0.5), ApiCosts(1.5))
    100000.0
    >>> break_even_volume(OwnModelCosts(0.0, 0.5), ApiCosts(1.5)) is None
    True
    """
    return break_even(own, api).volume_per_month


# ---------------------------------------------------------------------- (b) self-hosted LLM vs APIs


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
        _check("params", self.params, positive=True)
        tokens_in = _check("input_tokens_per_request", self.input_tokens_per_request)
        tokens_out = _check("output_tokens_per_request", self.output_tokens_per_request)
        if tokens_in + tokens_out == 0:
            raise BuildBuyError("a request needs some input or output tokens")
        if self.bytes_per_param not in (1, 2):
            raise BuildBuyError(
                f"bytes_per_param must be 2 (bf16) or 1 (8-bit), got {self.bytes_per_param!r}"
            )
        if self.active_params is not None:
            active = _check("active_params", self.active_params, positive=True)
            if active > self.params * (1 + 1e-9):
                raise BuildBuyError(
                    f"active parameters ({active:.4g}) cannot exceed total parameters ({self.params:.4g})"
                )
        for name in ("mfu", "bandwidth_efficiency", "utilisation"):
            value = _check(name, getattr(self, name), positive=True)
            if value > 1:
                raise BuildBuyError(f"{name} must be in (0, 1], got {value!r}")
        if self.tpot_target_ms is not None:
            _check("tpot_target_ms", self.tpot_target_ms, positive=True)
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
    rate = _check("requests_per_second", float(row["requests_per_second"]), positive=True)
    price = _check("usd_per_hour", float(row["usd_per_hour"]), positive=True)
    fine_tune = _check("fine_tune_usd", fine_tune_usd)
    if not (isinstance(amortise_months, int | np.integer) and amortise_months >= 1):
        raise BuildBuyError(f"amortise_months must be a whole number ≥ 1, got {amortise_months!r}")
    price_in = _check("input_usd_per_1m_tokens", float(api_row["input_usd_per_1m_tokens"]))
    price_out = _check("output_usd_per_1m_tokens", float(api_row["output_usd_per_1m_tokens"]))
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
    v = _volumes(volumes_requests_per_month)
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
        return BreakEven(
            None, None, "api", "the API costs nothing at these prices: self-hosting is never cheaper"
        )
    margin = a * capacity - instance_month
    if margin <= 0:
        return BreakEven(
            None,
            None,
            "api",
            f"a fully used instance serves {capacity:,.0f} requests a month for ${instance_month:,.0f}, "
            f"which the API serves for ${a * capacity:,.0f}: self-hosting is never cheaper at "
            f"{workload.utilisation:.0%} utilisation",
        )
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


# ---------------------------------------------------------------------- LLM API price list


@functools.cache
def _bundled_price_bytes() -> bytes:
    return (_DATA_DIR / "llm_api_prices.csv").read_bytes()


def load_api_prices(path: Path | None = None) -> pd.DataFrame:
    """The LLM API price list: the bundled one (``bizmodel/data/llm_api_prices.csv``) or a file.

    Parameters
    ----------
    path : pathlib.Path or None
        A CSV with the columns of :data:`API_PRICE_COLUMNS`; the bundled list when None.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_api_prices`.

    Raises
    ------
    BuildBuyError
        If the file is invalid (naming line and column) or cannot be read.

    Examples
    --------
    >>> prices = load_api_prices()
    >>> list(prices.columns) == list(API_PRICE_COLUMNS), bool(prices["as_of"].str.len().eq(10).all())
    (True, True)
    """
    if path is None:
        return read_api_prices(_bundled_price_bytes(), name="llm_api_prices.csv")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BuildBuyError(f"cannot read the price list {str(path)!r}: {exc.strerror}") from exc
    return read_api_prices(data, name=Path(path).name)


def read_api_prices(data: bytes, *, name: str = "upload", today: date | None = None) -> pd.DataFrame:
    """Parse and validate an LLM API price list (UTF-8 CSV bytes, e.g. an upload).

    The header must have exactly the columns of :data:`API_PRICE_COLUMNS` (any order). Every row
    needs a provider, a model, prices ≥ 0 per 1M input and output tokens, a source and an ISO
    ``as_of`` date not in the future; ``notes`` may be empty. A (provider, model) pair appears once.

    Parameters
    ----------
    data : bytes
        The file's bytes (at most :data:`MAX_PRICE_UPLOAD_BYTES`, :data:`MAX_PRICE_UPLOAD_ROWS` rows).
    name : str
        The file name for messages.
    today : datetime.date or None
        The date ``as_of`` may not be after; ``date.today()`` when None.

    Returns
    -------
    pandas.DataFrame
        Columns in :data:`API_PRICE_COLUMNS` order; prices ``float64``, the rest ``str``.

    Raises
    ------
    BuildBuyError
        Naming the file, the line, the column and what to change.

    Examples
    --------
    >>> header = b"provider,model,input_usd_per_1m_tokens,output_usd_per_1m_tokens,source,as_of,notes\\n"
    >>> read_api_prices(header + b"acme,m1,0.5,1.5,quote,2026-01-31,\\n")["output_usd_per_1m_tokens"].tolist()
    [1.5]
    >>> read_api_prices(header + b"acme,m1,cheap,1.5,quote,2026-01-31,\\n", name="mine.csv")
    Traceback (most recent call last):
    ...
    bizmodel.buildbuy.BuildBuyError: price list 'mine.csv', line 2, column 'input_usd_per_1m_tokens': 'cheap' is not a number ≥ 0; enter the USD price per 1 million tokens, e.g. 0.6 (0 for free).
    """  # noqa: E501
    rows = _API_PRICES.read_csv(data, what=f"price list {shown(name)}")
    return _API_PRICES.check_rows(rows, today=today)
