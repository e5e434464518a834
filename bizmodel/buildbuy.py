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

Where each part lives
---------------------
* :mod:`bizmodel.buildbuy_own`: (a), with :class:`BuildBuyError` and :class:`BreakEven` that both share.
* :mod:`bizmodel.buildbuy_llm`: (b), the self-hosted options, fine-tuning and the LLM break-even.
* :mod:`bizmodel.buildbuy_prices`: the LLM API price list.

This module gathers their public names, so ``from bizmodel.buildbuy import …`` reaches all of them.
"""

from __future__ import annotations

from bizmodel.buildbuy_llm import (
    HOURS_PER_MONTH,
    SELF_HOSTED_COLUMNS,
    LlmWorkload,
    SelfHostedOption,
    cheapest_fine_tune,
    fine_tune_cost_usd,
    llm_break_even,
    llm_break_even_volume,
    llm_cost_curves,
    self_hosted_option,
    self_hosted_options,
)
from bizmodel.buildbuy_own import (
    MAX_BREAK_EVEN_VOLUME,
    ApiCosts,
    BreakEven,
    BuildBuyError,
    OwnModelCosts,
    break_even,
    break_even_volume,
    cost_curves,
)
from bizmodel.buildbuy_prices import (
    API_PRICE_COLUMNS,
    MAX_PRICE_UPLOAD_BYTES,
    MAX_PRICE_UPLOAD_ROWS,
    load_api_prices,
    read_api_prices,
)

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
