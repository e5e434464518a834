"""Moatlab's economics on the command line: training cost, serving cost, the value of data and
revenue scenarios.

    python -m bizmodel cost --params 7e9 --tokens 140e9 --json
    python -m bizmodel cost --run ID --data-factor 10 --model-factor 4
    python -m bizmodel cost --params 671e9 --active-params 37e9 --tokens 14.8e12 --model deepseek-v3
    python -m bizmodel llm --params 70e9 --model llama-2-70b --accelerator H100-SXM --count 8 --json
    python -m bizmodel optimal --flops 1e23 --json
    python -m bizmodel validate --json
    python -m bizmodel serving --run ID --requests-per-month 5e6 --p95-ms 50 --json
    python -m bizmodel data-value --run ID --label-cost-usd 0.05 --value-per-point-usd 20000 --buy 50000
    python -m bizmodel template --kind base --json > scenario.json
    python -m bizmodel project scenario.json --run ID --paths 10000 --seed 1 --json
    python -m bizmodel report scenario.json --run ID -o report.html --xlsx report.xlsx --currency CNY

This is the one module of :mod:`bizmodel` that opens the store (``store.Store()``: the SQLite
file under ``MOATLAB_HOME``, or ``DATABASE_URL``); it reads a run's record JSON and hands it to the
pure models (:class:`bizmodel.basis.TechnicalBasis`, :func:`bizmodel.data_value.points_from_record`).
``report`` alone also reaches into the shell's other side: it imports :mod:`present.report_data`,
:mod:`present.report` and :mod:`present.workbook` (pure, no Streamlit) when it runs, to write the same
report the app downloads.
Prices come from the bundled catalog, or from your own CSV files (``--catalog-instances FILE``
and optionally ``--catalog-accelerators FILE``, validated like an upload in the app).

Commands
--------
``cost``
    Every catalog option (instance type × node count × on-demand/spot) for a training run:
    pre-training or fine-tuning ``--params N`` parameters on ``--tokens D`` tokens
    (``--method pretrain|finetune-full|finetune-adapter``), or — with ``--run ID`` and no
    ``--params``/``--tokens`` — the saved run scaled by ``--data-factor K`` and
    ``--model-factor M`` (both default 1). With ``--run`` *and* ``--params``/``--tokens`` the
    work is N and D and the run is only named in the output. ``--active-params A`` prices a
    Mixture-of-Experts model (FLOPs from A, memory from N); ``--model KEY`` takes a bundled model
    shape for the attention term at ``--sequence T`` (default 4096; 0 leaves it out), otherwise the
    shape is inferred from A. Assumptions: ``--mfu`` (fraction of the dense bf16 peak at cluster
    scale, default 0.4), ``--discount``, ``--spot-overhead``, ``--max-nodes`` (the node cap for
    instances with a cluster interconnect, default 64), ``--scaling-efficiency`` (a loss per
    doubling of nodes, default 1: none). See :mod:`bizmodel.compute` for the conventions.
``llm``
    One replica of an open LLM (``--params``, ``--active-params``, ``--model``) on ``--count`` ×
    ``--accelerator``: the batch continuous batching reaches under memory, compute and the
    ``--tpot-ms`` target (``--no-latency-target`` for none), tokens per second in and out, and $
    per 1M tokens on the cheapest current catalog instance with that many of that accelerator, at
    ``--utilisation``. ``--bytes 1`` serves 8-bit weights at the 8-bit peak. See
    :mod:`bizmodel.llm_serving`.
``optimal``
    The compute-optimal parameters and tokens for ``--flops C`` under C = 6·N·D
    (``--law epoch`` by default, or ``hoffmann``), with the predicted loss.
``validate``
    Every bundled published training run and MLPerf result beside Moatlab's estimate of it, the
    ratio, and the summary per kind (:mod:`bizmodel.validation`).
``serving``
    The run's inference profile (measured with ``python -m mlcore bench-inference``) priced on
    catalog hardware, with estimates for accelerators nobody measured, and a capacity plan for
    ``--requests-per-month`` at a ``--p95-ms`` latency target. Measured CPU rows are priced on the
    catalog CPU instance closest to the run's core count. See :mod:`bizmodel.serving`.
``data-value``
    The run's learning curve (``python -m mlcore sweep``) fitted as ``error(n) = a·n^(−b) + c``,
    the training-set size that maximises net value for ``--label-cost-usd`` per sample and
    ``--value-per-point-usd`` per accuracy point per year over ``--horizon-years``, searched up
    to ``--max-n`` (default 100 × the current training set), and with ``--buy N`` what buying
    N more labels is worth. See :mod:`bizmodel.data_value`.
``template``
    A complete, valid revenue scenario (``--kind base|bull|bear``) as JSON: the file format
    ``project`` reads (:meth:`bizmodel.scenario.Scenario.to_dict`).
``project``
    The monthly projection of ``SCENARIO.json`` and its KPIs (:mod:`bizmodel.projection`). With
    ``--run ID`` the run drives the scenario as on every page (:func:`bizmodel.binding.inputs_for`):
    its test accuracy, one production retraining (the production model of the scenario's
    ``production_data_factor`` / ``production_model_factor``, derived from its data plan when 0,
    priced from the run's measured throughput; :mod:`bizmodel.production`) and the production
    model's serving cost per 1,000 predictions replace the typed values. Serving is planned for
    the scenario's peak monthly requests to 3 significant digits
    (:func:`bizmodel.binding.serving_volume`): the cheapest measured float-model option whose p95
    per request (batch fill included) meets 100 ms, priced on the whole instances that peak needs.
    ``--spread`` adds the run's seed spread as ranges; without it the scenario's ``use_run_spread``
    decides. ``--paths N`` adds a Monte Carlo of N paths from ``--seed S``
    (:mod:`bizmodel.montecarlo`); the same seed gives byte-identical output.
``report``
    The whole business case of ``SCENARIO.json`` (driven by ``--run ID`` when given), as the app
    shares it: ``-o FILE`` writes the self-contained HTML report (opens offline, charts live),
    ``--xlsx FILE`` the Excel workbook; at least one of them. ``--lang en|zh`` chooses the
    language, ``--currency USD|CNY`` the display currency and ``--rate R`` the CNY per USD
    (with ``--currency CNY``; the economics stay in USD). ``--paths N`` / ``--seed S`` set the Monte
    Carlo (default 10,000 paths, seed 0), ``--name TEXT`` the scenario's name (default: the file's
    name). Each file is written to a temporary file beside it and renamed, so a failure never
    leaves half a file; one line per written file is printed. A file replaced keeps its permission
    bits; a symbolic link is kept and the file it points to is written. A target that exists but
    is not a regular file (a folder, device, FIFO or socket) or that you may not write is refused.

JSON output (``--json``; one document on stdout; NaN and infinite numbers are ``null``)
------------------------------------------------------------------------------------------
* ``cost``: ``{"catalog": {name, version, as_of (newest price), oldest_as_of, age_days (of the
  oldest current price), stale, stale_providers}, "run_id": str|null,
  "work": {flops, dense_flops, attention_flops, params, active_params, moe, tokens, sequence, shape,
  method, memory_bytes, memory_bytes_per_param, scaled_from}, "assumptions": {...},
  "cheapest": option|null, "fastest": option|null, "options_total": int, "feasible_options":
  int, "options": [option, ...]}``. ``options`` holds the first ``--top`` (default 20; 0 = all)
  of the ranked list: feasible options first, by ``cost_usd`` then ``days``. Each option has the
  columns of :data:`bizmodel.compute.OPTION_COLUMNS` (``provider``, ``region``,
  ``instance_type``, ``accelerator``, ``accelerators_per_node``, ``nodes``, ``count`` = total
  accelerators, ``pricing`` = ``on_demand`` or ``spot``, ``usd_per_hour``, ``gpu_hours``,
  ``cost_usd``, ``days``, ``feasible``, ``min_gpus``, energy and CO₂, ranks, ``pareto``,
  ``as_of``, ``source``, …). ``method`` is ``pretrain``, ``finetune-full``,
  ``finetune-adapter`` or ``scaled-run``.
* ``llm``: ``{"catalog": {...}, "instance_type", "provider", "region", "usd_per_hour", "as_of",
  "accelerator", "count", "model": {params, active_params, shape, inferred, layers,
  kv_bytes_per_token}, "fits", "memory_needed_gib", "memory_available_gib", "precision",
  "peak_tflops_per_accelerator", "batch", "batch_reason" (compute | memory | latency |
  latency_unreachable | prefill_only | no_fit), "tpot_ms", "output_tokens_per_second",
  "input_tokens_per_second", "prefill_tokens_per_second", "requests_per_second", "utilisation",
  "usd_per_1m_input_tokens", "usd_per_1m_output_tokens", "usd_per_1000_requests"}``.
* ``optimal``: ``{"flops", "params", "tokens", "tokens_per_param", "loss", "law": {name, E, A, B,
  alpha, beta, source}}``.
* ``validate``: ``{"band": {low, high, median_abs_log_max}, "rows": [{name, kind, organisation,
  year, architecture, hardware, unit, published, estimate, ratio, log_ratio, within_band, scope,
  scope_zh, source}, ...], "summary": [{kind, rows, within_band, median_ratio, median_abs_log,
  worst, worst_ratio}, ...]}``.
* ``serving``: ``{"catalog": {...}, "run_id": str, "target": {requests_per_month,
  p95_target_ms}, "assumptions": {...}, "cpu_instance": row|null, "best": row|null,
  "plan": [row, ...]}``; rows have the columns of :data:`bizmodel.serving.OPTION_COLUMNS` plus
  the capacity plan's (``instances``, ``monthly_usd``, ``usd_per_1000_at_load``,
  ``meets_p95_target``, …), options meeting the target first, then by monthly cost.
* ``data-value``: ``{"run_id": str, "economics": {...}, "curve_rule": {rule, patience,
  max_epochs, run_epochs, trainings, capped}, "points": [...], "fit": {a, b, c,
  a_std, b_std, c_std, rmse_points, noise_scale, n_points, n_sizes, n_min, n_max,
  interval_level, n_bootstrap_ok, max_accuracy, notes}, "optimal": {n_train, extra_samples,
  accuracy, gain_points, value_usd_per_year, labelling_cost_usd, net_value_usd, bound,
  extrapolated, buy}, "purchase": {... , summary}|null, "curve": [row, ...]}``; ``purchase`` is
  null without ``--buy``; ``curve`` rows (columns of
  :func:`bizmodel.data_value.marginal_value_curve`) lie on a log grid from the smallest measured
  size to ``--max-n``, plus the current, optimal and purchased sizes.

* ``template``: the scenario (``horizon_months``, ``market_size``, …, ``accuracy_link``,
  ``funding_rounds``, ``ranges``).
* ``project``: ``{"scenario": {...} (as projected, after --run), "run": {run_id, run_name,
  model_accuracy, retrain_cost_usd (one production retraining), retrain_detail,
  serving_usd_per_1000_predictions (production), serving_detail, accuracy_range, serving_range,
  accuracy_detail, range_detail, serving_p95_ms (per request), run_cost_usd (this run),
  run_cost_detail, scale: {data_factor, model_factor, data_derived, model_derived, run_samples,
  run_params, production_samples, production_params}, retraining: {cost_usd, hours, method,
  instance, nodes, usd_per_hour, as_of, flops, params, samples_processed, measured_usd, gpu_usd,
  detail}, requests_per_month}|null, "kpis": {npv_usd, irr_annual, irr_reason, break_even_month,
  payback_month, runway_months, min_cash_usd, ltv_usd, cac_usd, ltv_to_cac, cac_payback_months,
  gross_margin, burn_multiple, ending_arr_usd, terminal_method, terminal_value_usd,
  npv_with_terminal_usd, terminal_at_horizon_usd, terminal_basis_usd, reasons: {kpi: why it is
  null}}, "monthly": [{month, new_customers, churned_customers, active_customers, revenue_usd,
  arr_usd, serving_cost_usd, review_cost_usd, data_cost_usd, retraining_cost_usd,
  hosting_cost_usd, support_cost_usd, payment_cost_usd, gross_margin_usd, acquisition_usd,
  team_usd, other_opex_usd, operating_cash_flow_usd, funding_usd, cash_usd},
  ...], "monte_carlo": {paths, seed, probability_out_of_cash, probability_break_even, npv_usd:
  {p10, p50, p90, mean}, ..., monthly: [{month, cash_usd_p10, ...}], median_gap: {point_npv_usd,
  median_npv_usd, gap_usd, drivers: [{field, distribution, low, high, point_value, median_value,
  npv_effect_usd}], interaction_usd, median_interval_usd, spread_usd, threshold_usd, verdict,
  material} (why the P50 differs from the plan's NPV, :mod:`bizmodel.median_gap`)}|null}``.
  Months are 1-based; fractions 0–1; USD.

Without ``--json`` each command prints a short table for people, with the catalog's date and a
warning when its newest price is more than 180 days old.

Numbers are checked while the arguments are read, before the store or the catalog is opened: NaN,
infinities, values beyond float range (``1e400``) and subnormal values (``1e-320``) are refused,
whole numbers stop at 2**53, and a product of typed values that would overflow a float is named
(``6 × params × tokens``, ``label cost × samples``, the instances a request volume needs) rather
than reported as ``inf`` later.

Exit status: 0 done; 1 the store is not usable (or an unexpected internal error, reported in one
line); 2 bad arguments (including an unwritable output path), a bad catalog file, an unknown or
unusable run, a run without the
measurement the command needs, a learning curve that cannot be fitted (one line on stderr:
``python -m bizmodel: error: <reason>``), or an invalid scenario file (every invalid field
listed below that line, one per line).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import stat
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from bizmodel.basis import BasisError, TechnicalBasis
from bizmodel.binding import BindingError, RunInputs, bind, inputs_for
from bizmodel.buildbuy import BuildBuyError, LlmWorkload, self_hosted_option
from bizmodel.catalog import (
    MAX_UPLOAD_BYTES,
    Catalog,
    CatalogError,
    age_days,
    is_stale,
    load_bundled,
    stale_providers,
)
from bizmodel.catalog import read_catalog as read_catalog_csv
from bizmodel.compute import Assumptions, cheapest, fastest, one_per_instance, training_options
from bizmodel.data_value import (
    MAX_N_FACTOR,
    DataEconomics,
    DataValueError,
    buy_data,
    current_size,
    fit_learning_curve,
    marginal_value_curve,
    optimal_dataset_size,
    points_from_record,
)
from bizmodel.llm_serving import DEFAULT_TPOT_MS
from bizmodel.median_gap import median_gap
from bizmodel.montecarlo import MAX_PATHS, MonteCarloError, simulate
from bizmodel.production import factor_text, usd_text
from bizmodel.projection import Kpis, kpis, project
from bizmodel.reasons import Reason
from bizmodel.run_cost import RunCostError, run_cpu_instance
from bizmodel.scaling_law import EPOCH_2024, HOFFMANN_2022, compute_optimal, loss
from bizmodel.scenario import TEMPLATES, Scenario
from bizmodel.scenario_bounds import ScenarioError
from bizmodel.serving import ServingAssumptions, ServingError, best_serving, capacity_plan, serving_options
from bizmodel.shapes import DEFAULT_TRAIN_SEQUENCE
from bizmodel.training_work import ComputeError, TrainingWork
from bizmodel.validation import BAND, MEDIAN_BAND, summarise, validation_table
from mlcore.tasks import LearningCurve, curve_rule_line
from present.explain import words
from safetext.cli_numbers import parse_number, product
from store import Store, StoreError

PROG = "python -m bizmodel"
EXIT_FAILED = 1
EXIT_USAGE = 2
STALE_AFTER_DAYS = 180
DEFAULT_TOP = 20
CURVE_GRID_POINTS = 25
METHODS = ("pretrain", "finetune-full", "finetune-adapter")
REPORT_LANGUAGES = ("en", "zh")
REPORT_CURRENCIES = ("USD", "CNY")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``<prog>: error: <reason>``) instead of usage + error."""

    def error(self, message: str) -> NoReturn:
        _fail(f"{message} (see {self.prog} --help)")


def _why(exc: BaseException) -> str:
    """What went wrong, in English: the error's reason in words, or its message.

    >>> from bizmodel.reasons import ReasonedError
    >>> _why(ReasonedError(Reason("no_irr"))), _why(ValueError("bad"))
    ('no IRR', 'bad')
    """
    found = getattr(exc, "reason", None)
    return words(found, "en") if isinstance(found, Reason) else str(exc)


def _fail(reason: str, status: int = EXIT_USAGE) -> NoReturn:
    print(f"{PROG}: error: {reason}", file=sys.stderr)
    raise SystemExit(status)


# --------------------------------------------------------------------------- argument types


def _number(text: str) -> float:
    """A finite, normal number (NaN, infinities, ``1e400`` and subnormals such as 1e-320 are refused)."""
    try:
        return parse_number(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> float:
    value = _number(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _non_negative(text: str) -> float:
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number ≥ 0, got {text!r}")
    return value


def _fraction(text: str) -> float:
    """A fraction in (0, 1]: 0.4 means 40 %."""
    value = _number(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1] such as 0.4, got {text!r}")
    return value


def _discount(text: str) -> float:
    value = _number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1) such as 0.2, got {text!r}")
    return value


#: The largest whole number an option takes unless it says otherwise: every integer up to it is
#: exact in a float, and it fits the machine integers numpy and pandas compute with.
MAX_WHOLE = 2**53


def _whole(text: str, *, minimum: int, maximum: int = MAX_WHOLE) -> int:
    value = _number(text)
    if not value.is_integer() or not minimum <= value <= maximum:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from {minimum} to {maximum:,}, got {text!r}"
        )
    return int(value)


def _count_from_0(text: str) -> int:
    return _whole(text, minimum=0)


def _count_from_1(text: str) -> int:
    return _whole(text, minimum=1)


def _paths(text: str) -> int:
    """Monte Carlo paths, 1 to :data:`bizmodel.montecarlo.MAX_PATHS`."""
    return _whole(text, minimum=1, maximum=MAX_PATHS)


MAX_MODEL_PARAMS = 1e15
"""The largest parameter count ``llm`` takes (a thousand times today's largest models)."""
MAX_REQUEST_TOKENS = 1e9
"""The most tokens one request may carry in or out."""
MAX_SEQUENCE = 10_000_000
"""The longest training sequence ``cost`` takes (tokens)."""


def _model_params(text: str) -> float:
    value = _number(text)
    if not 0 < value <= MAX_MODEL_PARAMS:
        raise argparse.ArgumentTypeError(
            f"expected a parameter count above 0 and at most {MAX_MODEL_PARAMS:.0e}, got {text!r}"
        )
    return value


def _request_tokens(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= MAX_REQUEST_TOKENS:
        raise argparse.ArgumentTypeError(
            f"expected tokens per request from 0 to {MAX_REQUEST_TOKENS:,.0f}, got {text!r}"
        )
    return value


def _sequence(text: str) -> float:
    value = _number(text)
    if not 0 <= value <= MAX_SEQUENCE:
        raise argparse.ArgumentTypeError(
            f"expected a sequence length from 0 to {MAX_SEQUENCE:,} tokens, got {text!r}"
        )
    return value


def _scaling_efficiency(text: str) -> float:
    """Throughput kept per doubling of nodes, in (0.5, 1]."""
    value = _number(text)
    if not 0.5 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0.5, 1] such as 0.95, got {text!r}")
    return value


def _cny_rate(text: str) -> float:
    """CNY per USD within the app's bounds (:data:`present.format.USD_TO_CNY_BOUNDS`)."""
    from present.format import USD_TO_CNY_BOUNDS

    value = _number(text)
    low, high = USD_TO_CNY_BOUNDS
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected CNY per USD from {low:g} to {high:g}, got {text!r}")
    return value


# --------------------------------------------------------------------------- parser


def _add_catalog_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("catalog (default: the bundled one)")
    g.add_argument(
        "--catalog-instances", type=Path, metavar="FILE", help="your instances CSV (the catalog's columns)"
    )
    g.add_argument(
        "--catalog-accelerators",
        type=Path,
        metavar="FILE",
        help="your accelerators CSV (needs --catalog-instances; default: the bundled specs)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Training cost, serving cost, the value of data and revenue scenarios (Moatlab's economics)."
        ),
        epilog="Exit status: 0 done, 1 store unusable, 2 bad arguments, catalog, run, curve or scenario.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    c = sub.add_parser(
        "cost",
        help="rank catalog options for a training run by cost and time",
        description=(
            "Price a training run on every catalog option. Give --params and --tokens, or --run ID "
            "alone to scale a saved run by --data-factor and --model-factor."
        ),
    )
    c.add_argument("--run", metavar="ID", help="a saved run (see: python -m mlcore runs)")
    c.add_argument("--params", type=_positive, metavar="N", help="total model parameters, e.g. 7e9")
    c.add_argument("--tokens", type=_positive, metavar="D", help="training tokens, e.g. 140e9")
    c.add_argument(
        "--active-params",
        type=_positive,
        metavar="A",
        help="parameters per token of a Mixture-of-Experts model (FLOPs); default --params (dense)",
    )
    c.add_argument(
        "--model",
        metavar="KEY",
        help="a bundled model shape for the attention term (e.g. llama-2-70b; default: inferred from A)",
    )
    c.add_argument(
        "--sequence",
        type=_sequence,
        default=DEFAULT_TRAIN_SEQUENCE,
        metavar="T",
        help=f"training sequence length for the attention term (default {DEFAULT_TRAIN_SEQUENCE}; 0: none)",
    )
    c.add_argument("--method", choices=METHODS, help="default pretrain (FLOPs 6·A·D; adapter ≈ 4·A·D)")
    c.add_argument("--data-factor", type=_positive, metavar="K", help="scaled run: × data (default 1)")
    c.add_argument("--model-factor", type=_positive, metavar="M", help="scaled run: × model (default 1)")
    c.add_argument("--mfu", type=_fraction, default=0.4, help="fraction of dense bf16 peak (default 0.4)")
    c.add_argument("--discount", type=_discount, default=0.0, help="fraction off every price (default 0)")
    c.add_argument(
        "--spot-overhead", type=_non_negative, default=0.1, help="extra wall time on spot (default 0.1)"
    )
    c.add_argument(
        "--max-nodes",
        type=_count_from_1,
        default=64,
        help="the node cap for instances with a cluster interconnect (default 64)",
    )
    c.add_argument(
        "--scaling-efficiency",
        type=_scaling_efficiency,
        default=1.0,
        help="throughput kept per doubling of nodes, in (0.5, 1] (default 1: the MFU is at cluster scale)",
    )
    c.add_argument(
        "--top", type=_count_from_0, default=DEFAULT_TOP, help="options to show (default 20; 0 = all)"
    )
    _add_catalog_options(c)
    c.add_argument("--json", action="store_true", help="print JSON")

    s = sub.add_parser(
        "serving",
        help="price a run's inference and plan capacity for a request volume and p95 target",
        description="Serving options and a capacity plan from the run's measured inference profile.",
    )
    s.add_argument("--run", required=True, metavar="ID", help="a run with an inference profile")
    s.add_argument("--requests-per-month", type=_positive, required=True, metavar="R", help="predictions")
    s.add_argument("--p95-ms", type=_positive, required=True, metavar="L", help="p95 latency target, ms")
    s.add_argument("--utilisation", type=_fraction, default=0.5, help="busy share at peak (default 0.5)")
    s.add_argument(
        "--efficiency", type=_fraction, default=0.05, help="share of peak for estimates (default 0.05)"
    )
    _add_catalog_options(s)
    s.add_argument("--json", action="store_true", help="print JSON")

    lm = sub.add_parser(
        "llm",
        help="serve an open LLM on catalog accelerators: the batch, tokens/s and $ per 1M tokens",
        description=(
            "One replica of an LLM of --params N (--active-params A for a Mixture-of-Experts) on "
            "--count K × --accelerator KEY: continuous batching under memory, compute and a time per "
            "output token target (bizmodel.llm_serving), priced on the cheapest current catalog "
            "instance with that many of that accelerator."
        ),
    )
    lm.add_argument(
        "--params", type=_positive, required=True, metavar="N", help="total parameters, e.g. 70e9"
    )
    lm.add_argument("--active-params", type=_positive, metavar="A", help="parameters per token (MoE)")
    lm.add_argument(
        "--model", metavar="KEY", help="a bundled model shape (layers, KV heads), e.g. llama-2-70b"
    )
    lm.add_argument(
        "--accelerator", required=True, metavar="KEY", help="a catalog accelerator, e.g. H100-SXM"
    )
    lm.add_argument(
        "--count", type=_count_from_1, required=True, metavar="K", help="accelerators per replica"
    )
    lm.add_argument("--input-tokens", type=_request_tokens, default=1000.0, metavar="I", help="default 1000")
    lm.add_argument("--output-tokens", type=_request_tokens, default=300.0, metavar="O", help="default 300")
    lm.add_argument(
        "--bytes", type=int, choices=(2, 1), default=2, help="bytes per weight: 2 bf16 (default), 1 8-bit"
    )
    lm.add_argument(
        "--tpot-ms",
        type=_positive,
        default=DEFAULT_TPOT_MS,
        metavar="MS",
        help=f"time per output token target (default {DEFAULT_TPOT_MS:g})",
    )
    lm.add_argument("--no-latency-target", action="store_true", help="no time per output token bound")
    lm.add_argument("--mfu", type=_fraction, default=0.4, help="fraction of peak in compute (default 0.4)")
    lm.add_argument(
        "--bandwidth-efficiency", type=_fraction, default=0.6, help="fraction of bandwidth (default 0.6)"
    )
    lm.add_argument("--utilisation", type=_fraction, default=0.5, help="average load (default 0.5)")
    _add_catalog_options(lm)
    lm.add_argument("--json", action="store_true", help="print JSON")

    op = sub.add_parser(
        "optimal",
        help="the compute-optimal parameters and tokens for a FLOP budget (Chinchilla law)",
        description="N and D that minimise L(N, D) = E + A/N^α + B/D^β under C = 6·N·D.",
    )
    op.add_argument("--flops", type=_positive, required=True, metavar="C", help="training FLOPs, e.g. 1e23")
    op.add_argument(
        "--law",
        choices=("epoch", "hoffmann"),
        default="epoch",
        help="epoch: the Epoch AI refit (default); hoffmann: the rounded published constants",
    )
    op.add_argument("--json", action="store_true", help="print JSON")

    va = sub.add_parser(
        "validate",
        help="Moatlab's estimates beside published training runs and MLPerf results",
        description="Every bundled published figure with Moatlab's estimate of it and the ratio.",
    )
    va.add_argument("--json", action="store_true", help="print JSON")

    d = sub.add_parser(
        "data-value",
        help="fit a run's learning curve and price more labels against their value",
        description="Value of data from the run's learning curve (python -m mlcore sweep).",
    )
    d.add_argument("--run", required=True, metavar="ID", help="a run with a learning curve")
    d.add_argument(
        "--label-cost-usd", type=_non_negative, required=True, metavar="C", help="USD per labelled sample"
    )
    d.add_argument(
        "--value-per-point-usd",
        type=_non_negative,
        required=True,
        metavar="V",
        help="USD per accuracy point per year",
    )
    d.add_argument("--horizon-years", type=_positive, default=1.0, help="years of value (default 1)")
    d.add_argument("--buy", type=_count_from_0, metavar="N", help="price buying N more labels")
    d.add_argument(
        "--max-n", type=_count_from_1, metavar="N", help="largest training set (default 100 × current)"
    )
    d.add_argument("--json", action="store_true", help="print JSON")

    tp = sub.add_parser(
        "template",
        help="print a complete revenue scenario (base, bull or bear) as JSON",
        description="A complete, valid scenario to start from: edit it and pass it to `project`.",
    )
    tp.add_argument("--kind", choices=tuple(TEMPLATES), default="base", help="which template (default base)")
    tp.add_argument("--json", action="store_true", help="print JSON (the only format; accepted for symmetry)")

    pj = sub.add_parser(
        "project",
        help="project a scenario month by month: KPIs, the monthly table and (with --paths) Monte Carlo",
        description=(
            "Project SCENARIO.json (see `template`). With --run ID the run's measured accuracy, "
            "training cost and serving cost replace the scenario's typed technical inputs."
        ),
    )
    pj.add_argument("scenario", type=Path, metavar="SCENARIO.json", help="a scenario file")
    pj.add_argument("--run", metavar="ID", help="a saved run that drives the technical inputs")
    pj.add_argument(
        "--spread",
        action="store_true",
        help=(
            "with --run: use the run's seed spread as Monte Carlo ranges for accuracy and serving cost "
            "(default: the scenario's use_run_spread)"
        ),
    )
    pj.add_argument("--paths", type=_paths, metavar="N", help="Monte Carlo paths (e.g. 10000; default: none)")
    pj.add_argument("--seed", type=_count_from_0, default=0, metavar="S", help="Monte Carlo seed (default 0)")
    _add_catalog_options(pj)
    pj.add_argument("--json", action="store_true", help="print JSON")

    rp = sub.add_parser(
        "report",
        help="write a scenario's business case as a self-contained HTML report and/or an Excel workbook",
        description=(
            "The business case of SCENARIO.json (driven by --run ID) as the app shares it: an HTML "
            "report that opens offline (-o) and/or an Excel workbook (--xlsx)."
        ),
    )
    rp.add_argument("scenario", type=Path, metavar="SCENARIO.json", help="a scenario file")
    rp.add_argument("--run", metavar="ID", help="a saved run that drives the technical inputs")
    rp.add_argument("-o", "--output", type=Path, metavar="FILE", help="the HTML report to write")
    rp.add_argument("--xlsx", type=Path, metavar="FILE", help="the Excel workbook to write")
    rp.add_argument(
        "--name", metavar="TEXT", help="the scenario's name in the report (default: the file name)"
    )
    rp.add_argument("--lang", choices=REPORT_LANGUAGES, default="en", help="language (default en)")
    rp.add_argument(
        "--currency", choices=REPORT_CURRENCIES, default="USD", help="display currency (default USD)"
    )
    rp.add_argument(
        "--rate",
        type=_cny_rate,
        metavar="R",
        help="CNY per USD, with --currency CNY (default: the app's default rate)",
    )
    rp.add_argument(
        "--paths",
        type=_paths,
        default=10_000,
        metavar="N",
        help=f"Monte Carlo paths, 1–{MAX_PATHS:,} (default 10,000)",
    )
    rp.add_argument("--seed", type=_count_from_0, default=0, metavar="S", help="Monte Carlo seed (default 0)")
    _add_catalog_options(rp)
    return parser


# --------------------------------------------------------------------------- JSON helpers


def to_jsonable(value: Any) -> Any:
    """``value`` with numpy/pandas scalars as Python ones, NaN/NA/infinity as None, dates as ISO text,
    a :class:`~bizmodel.reasons.Reason` as its English words.

    >>> to_jsonable({"a": np.float64("nan"), "b": [np.int64(3), pd.NA], "c": date(2026, 1, 2)})
    {'a': None, 'b': [3, None], 'c': '2026-01-02'}
    """
    if value is None or isinstance(value, str):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, Reason):
        return words(value, "en")
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [to_jsonable(v) for v in value]
    return str(value)


def _kpis_json(k: Kpis) -> dict[str, Any]:
    """The KPIs as ``--json`` prints them: each reason in English words, as before reason codes."""
    return {
        **k.to_dict(),
        "irr_reason": None if k.irr_reason is None else words(k.irr_reason, "en"),
        "reasons": {name: words(reason, "en") for name, reason in k.all_reasons().items()},
    }


def _inputs_json(inputs: RunInputs) -> dict[str, Any]:
    """The run's inputs as ``--json`` prints them: each detail in English words, as before reason codes."""
    out = inputs.to_dict()
    for f in dataclasses.fields(inputs):
        value = getattr(inputs, f.name)
        if isinstance(value, Reason):
            out[f.name] = words(value, "en")
    if inputs.retraining is not None:
        out["retraining"]["detail"] = words(inputs.retraining.detail, "en")
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [to_jsonable(dict(zip(frame.columns, row, strict=True))) for row in frame.itertuples(index=False)]


def _dump(document: dict[str, Any]) -> None:
    print(json.dumps(to_jsonable(document), indent=2, ensure_ascii=False, allow_nan=False))


# --------------------------------------------------------------------------- inputs


def _read_upload(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            _fail(f"{path} is {size / 1e6:.1f} MB, over the {MAX_UPLOAD_BYTES // 2**20} MiB catalog limit")
        return path.read_bytes()
    except IsADirectoryError:
        _fail(f"cannot read {path}: it is a directory")
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")


def load_catalog(args: argparse.Namespace) -> Catalog:
    """The bundled catalog, or the uploaded CSV files validated by :func:`bizmodel.catalog.read_catalog`."""
    if args.catalog_instances is None:
        if args.catalog_accelerators is not None:
            _fail("--catalog-accelerators needs --catalog-instances (the prices) too")
        try:
            return load_bundled()
        except CatalogError as exc:
            _fail(f"the bundled catalog is broken ({exc}); reinstall Moatlab", EXIT_FAILED)
    instances = _read_upload(args.catalog_instances)
    accelerators = None if args.catalog_accelerators is None else _read_upload(args.catalog_accelerators)
    try:
        return read_catalog_csv(instances, accelerators, name=args.catalog_instances.name)
    except CatalogError as exc:
        _fail(_why(exc))


def _catalog_json(catalog: Catalog, today: date) -> dict[str, Any]:
    return {
        "name": catalog.name,
        "version": catalog.version,
        "as_of": catalog.as_of.isoformat(),
        "oldest_as_of": catalog.oldest_as_of.isoformat(),
        "age_days": age_days(catalog, today),
        "stale": is_stale(catalog, today, max_age_days=STALE_AFTER_DAYS),
        "stale_providers": list(stale_providers(catalog, today, max_age_days=STALE_AFTER_DAYS)),
    }


def _catalog_lines(catalog: Catalog, today: date) -> list[str]:
    lines = [
        f"catalog {catalog.name} (version {catalog.version}): current prices as of "
        f"{catalog.oldest_as_of.isoformat()} … {catalog.as_of.isoformat()}"
    ]
    stale = stale_providers(catalog, today, max_age_days=STALE_AFTER_DAYS)
    if stale:
        dates = catalog.provider_oldest_dates()
        named = ", ".join(f"{p} ({dates[p].isoformat()})" for p in stale)
        lines.append(
            f"warning: prices older than {STALE_AFTER_DAYS} days for {named}: they may have changed; "
            "give current ones with --catalog-instances FILE"
        )
    return lines


def load_record(run_id: str) -> dict[str, Any]:
    """The stored record of run ``run_id`` as a dict (its status as the store has it)."""
    try:
        store = Store().scoped(None)  # the command line acts as the local user
        row = store.get_run(run_id)
    except StoreError as exc:
        _fail(_why(exc), EXIT_FAILED)
    except OSError as exc:  # e.g. MOATLAB_HOME cannot be created
        _fail(f"the store is not usable: {exc}", EXIT_FAILED)
    if row is None:
        _fail(f"run {run_id!r} does not exist (list runs with: python -m mlcore runs)")
    try:
        record = json.loads(row["record"])
    except (TypeError, ValueError):
        record = None
    if not isinstance(record, dict):
        _fail(f"run {run_id}'s record is unreadable; train the run again")
    record["status"] = row.get("status") or record.get("status")
    record.setdefault("id", run_id)
    return record


def load_basis(run_id: str) -> TechnicalBasis:
    try:
        return TechnicalBasis.from_record(load_record(run_id))
    except BasisError as exc:
        _fail(_why(exc))


# --------------------------------------------------------------------------- text helpers


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: set[int]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)])


def _amount(v: float) -> str:
    """A readable magnitude: whole numbers from 100, two decimals from 0.01, else 2 significant digits."""
    if v == 0 or abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:,.2f}" if abs(v) >= 0.01 else f"{v:.2g}"


def _usd(value: Any) -> str:
    v = to_jsonable(value)
    if v is None:
        return "–"
    return f"-${_amount(-v)}" if v < 0 else f"${_amount(v)}"


def _signed_usd(value: Any) -> str:
    """``_usd`` with a ``+`` on a positive amount."""
    text = _usd(value)
    return f"+{text}" if text.startswith("$") and text != "$0" else text


def _num(value: Any, fmt: str | None = None) -> str:
    v = to_jsonable(value)
    if v is None:
        return "–"
    return _amount(v) if fmt is None else format(v, fmt)


# --------------------------------------------------------------------------- cost


def _cost_work(args: argparse.Namespace) -> tuple[TrainingWork, str, dict[str, Any] | None]:
    """The work to price, the method's CLI name and, for a scaled run, what it was scaled from."""
    given = [name for name in ("params", "tokens") if getattr(args, name) is not None]
    factors = args.data_factor is not None or args.model_factor is not None
    if args.run is not None and not given:
        if args.method is not None:
            _fail("--method applies to --params/--tokens; a scaled run is priced as the run's own training")
        if args.active_params is not None or args.model is not None:
            _fail("--active-params and --model apply to --params/--tokens, not to a scaled run")
        basis = load_basis(args.run)
        data_factor = args.data_factor if args.data_factor is not None else 1.0
        model_factor = args.model_factor if args.model_factor is not None else 1.0
        flops = (basis.flops_per_sample, basis.n_train, max(1, basis.epochs_completed))
        _fits(
            ("3 × FLOPs per sample × samples × epochs × data factor × model factor (training FLOPs)",
             3.0, *flops, data_factor, model_factor),
            ("16 bytes × params × model factor (training memory)", 16.0, basis.params, model_factor),
        )  # fmt: skip
        work = TrainingWork.scaled_run(
            basis.flops_per_sample,
            basis.n_train,
            basis.epochs_completed,
            params=basis.params,
            data_factor=data_factor,
            model_factor=model_factor,
        )
        scaled_from = {
            "run_id": basis.run_id,
            "flops_per_sample": basis.flops_per_sample,
            "n_train": basis.n_train,
            "epochs_completed": basis.epochs_completed,
            "params": basis.params,
            "data_factor": data_factor,
            "model_factor": model_factor,
        }
        return work, "scaled-run", scaled_from
    if len(given) < 2:
        missing = " and ".join(f"--{n}" for n in ("params", "tokens") if n not in given)
        _fail(f"give {missing} (or --run ID alone to scale a saved run)")
    if factors:
        _fail("--data-factor and --model-factor scale a saved run: use them with --run ID alone")
    if args.run is not None:
        load_basis(args.run)  # named in the output: it must exist and be usable
    method = args.method or "pretrain"
    _fits(
        (f"{4 if method == 'finetune-adapter' else 6} × params × tokens (training FLOPs)",
         4.0 if method == "finetune-adapter" else 6.0, args.params, args.tokens),
        ("16 bytes × params (training memory)", 16.0, args.params),
    )  # fmt: skip
    if args.active_params is not None and args.active_params > args.params:
        _fail(
            f"--active-params {args.active_params:g} cannot exceed --params {args.params:g} (total "
            "parameters); for a dense model leave --active-params out"
        )
    shape = {"active_params": args.active_params, "shape": args.model, "sequence": args.sequence}
    if method == "pretrain":
        work = TrainingWork.pretrain(args.params, args.tokens, **shape)
    else:
        work = TrainingWork.finetune(
            args.params, args.tokens, method=method.removeprefix("finetune-"), **shape
        )
    return work, method, None


def _fits(*products: tuple[Any, ...]) -> None:
    """Exit 2 naming the first product (its name, then its factors) that overflows a float."""
    for name, *factors in products:
        try:
            product(name, *(float(f) for f in factors))
        except OverflowError as exc:
            _fail(_why(exc))


def cmd_cost(args: argparse.Namespace) -> int:
    catalog = load_catalog(args)
    try:
        assumptions = Assumptions(
            mfu=args.mfu,
            discount=args.discount,
            spot_overhead=args.spot_overhead,
            max_nodes=args.max_nodes,
            scaling_efficiency=args.scaling_efficiency,
        )
        work, method, scaled_from = _cost_work(args)
        options = training_options(work, catalog.instances, catalog.accelerators, assumptions)
    except ComputeError as exc:
        _fail(_why(exc))
    best_cost, best_time = cheapest(options), fastest(options)
    shown = options if args.top == 0 else options.head(args.top)
    distinct = one_per_instance(options)
    listed_rows = distinct if args.top == 0 else distinct.head(args.top)
    today = date.today()
    feasible = int(options["feasible"].astype(bool).sum())
    if args.json:
        _dump(
            {
                "catalog": _catalog_json(catalog, today),
                "run_id": args.run,
                "work": {
                    "flops": work.flops,
                    "dense_flops": work.dense_flops,
                    "attention_flops": work.attention_flops,
                    "params": work.params,
                    "active_params": work.active_params,
                    "moe": work.is_moe,
                    "tokens": work.tokens,
                    "sequence": work.sequence,
                    "shape": work.shape_key or None,
                    "method": method,
                    "memory_bytes": work.memory_bytes,
                    "memory_bytes_per_param": work.memory_bytes / work.params,
                    "scaled_from": scaled_from,
                },
                "assumptions": dataclasses.asdict(assumptions),
                "cheapest": best_cost,
                "fastest": best_time,
                "options_total": len(options),
                "feasible_options": feasible,
                "options": _records(shown),
            }
        )
        return 0
    if scaled_from:
        what = (
            f"run {args.run} scaled ×{scaled_from['data_factor']:g} data, "
            f"×{scaled_from['model_factor']:g} model"
        )
    elif work.is_moe:
        what = (
            f"{work.params:.3g} parameters ({work.active_params:.3g} active) × {work.tokens:.3g} tokens "
            f"({method})"
        )
    else:
        what = f"{work.params:.3g} parameters × {work.tokens:.3g} tokens ({method})"
    per_param = work.memory_bytes / work.params
    print(
        f"{what}: {work.flops:.3g} FLOPs; weights, gradients and optimizer state need "
        f"{work.memory_bytes / 1e9:,.3g} GB ({per_param:.3g} bytes per parameter; MFU {args.mfu:g} assumed)"
    )
    if work.attention_flops > 0:
        source = "inferred shape" if work.shape_key == "inferred" else work.shape_key
        print(
            f"attention at sequence {work.sequence:,.0f} ({source}): {work.attention_flops:.3g} FLOPs "
            f"({work.attention_flops / work.flops:.0%} of the total)"
        )
    for line in _catalog_lines(catalog, today):
        print(line)
    for label, row in (("cheapest", best_cost), ("fastest ", best_time)):
        if row is not None:
            print(
                f"{label}: {row['provider']} {row['instance_type']} × {int(row['nodes'])} "
                f"({int(row['count'])} {row['accelerator']}, {row['pricing']}): {_usd(row['cost_usd'])} "
                f"in {_num(row['days'])} days"
            )
    if best_time is not None and bool(best_time.get("at_node_cap", False)):
        print(
            f"the fastest option uses the node cap ({args.max_nodes} nodes): "
            "raise --max-nodes for a faster run"
        )
    if best_cost is None:
        print("no option has the memory for this work: raise --max-nodes or use fine-tuning with adapters")
    header = (
        "#",
        "provider",
        "instance",
        "accelerator",
        "count",
        "pricing",
        "days",
        "GPU-hours",
        "cost",
        "fits",
    )
    rows = [
        (
            str(i),
            str(r["provider"]),
            str(r["instance_type"]),
            str(r["accelerator"]),
            str(int(r["count"])),
            str(r["pricing"]),
            _num(r["days"]),
            _num(r["gpu_hours"]),
            _usd(r["cost_usd"]),
            "yes" if r["feasible"] else "no",
        )
        for i, (_, r) in enumerate(listed_rows.iterrows(), start=1)
    ]
    print(_table(header, rows, right={0, 4, 6, 7, 8}))
    print(
        f"({len(listed_rows)} of {len(distinct)} instances and pricings, each at its best node count; "
        f"{len(options)} options, {feasible} with enough memory; --top 0 shows all, --json every option)"
    )
    return 0


# --------------------------------------------------------------------------- serving


def _check_instances(
    options: pd.DataFrame, requests_per_month: float, assumptions: ServingAssumptions
) -> None:
    """Exit 2 when the slowest option would need more instances than a whole number can count:
    instances = peak requests/s ÷ (samples/s × utilisation)."""
    if options.empty:
        return
    seconds = assumptions.hours_per_month * 3600.0
    peak = requests_per_month / seconds * assumptions.peak_to_average
    needed = peak / (float(options["samples_per_second"].min()) * assumptions.utilisation)
    if not needed <= MAX_WHOLE:
        _fail(
            f"--requests-per-month {requests_per_month:g} needs {needed:.3g} instances of the slowest option "
            f"(peak requests/s ÷ (samples/s × utilisation)), more than {MAX_WHOLE:,}; give a smaller volume"
        )


def cmd_serving(args: argparse.Namespace) -> int:
    catalog = load_catalog(args)
    try:
        assumptions = ServingAssumptions(utilisation=args.utilisation, efficiency=args.efficiency)
    except ServingError as exc:
        _fail(_why(exc))
    basis = load_basis(args.run)
    if not basis.has_inference:
        _fail(
            f"run {args.run} has no inference profile: measure it with  "
            f"python -m mlcore bench-inference --run {args.run}"
        )
    cpu = run_cpu_instance(basis, catalog.instances)  # None: measured CPU rows stay unpriced
    try:
        options = serving_options(
            basis, catalog.instances, catalog.accelerators, assumptions, cpu_instance=cpu
        )
        _check_instances(options, args.requests_per_month, assumptions)
        plan = capacity_plan(
            options,
            requests_per_month=args.requests_per_month,
            p95_target_ms=args.p95_ms,
            assumptions=assumptions,
        )
    except (ServingError, RunCostError) as exc:
        _fail(_why(exc))
    best = best_serving(plan)
    today = date.today()
    cpu_json = None
    if cpu is not None:
        keys = ("provider", "region", "instance_type", "vcpus", "on_demand_usd_per_hour", "as_of", "source")
        cpu_json = {k: cpu.get(k) for k in keys}
    if args.json:
        _dump(
            {
                "catalog": _catalog_json(catalog, today),
                "run_id": basis.run_id,
                "target": {"requests_per_month": args.requests_per_month, "p95_target_ms": args.p95_ms},
                "assumptions": dataclasses.asdict(assumptions),
                "cpu_instance": cpu_json,
                "best": best,
                "plan": _records(plan),
            }
        )
        return 0
    print(
        f"run {basis.run_id}: {args.requests_per_month:,.0f} requests a month at p95 ≤ {args.p95_ms:g} ms "
        f"(utilisation {args.utilisation:.0%} at peak, estimates at {args.efficiency:.0%} of peak)"
    )
    for line in _catalog_lines(catalog, today):
        print(line)
    if best is None:
        print(f"no priced option meets the p95 target of {args.p95_ms:g} ms: relax it or measure on a GPU")
    else:
        print(
            f"best: {best['option']} ({best['provenance']}): {int(best['instances'])} instance(s), "
            f"{_usd(best['monthly_usd'])} a month, {_usd(best['usd_per_1000_at_load'])} per 1,000 requests, "
            f"p95 per request {_num(best['p95_request_ms'], ',.2f')} ms (batch fill included)"
        )
    header = ("option", "source", "p95 ms", "samples/s", "instances", "per month", "per 1,000", "meets")
    rows = [
        (
            str(r["option"]),
            str(r["provenance"]),
            _num(r["p95_request_ms"], ",.2f"),
            _num(r["samples_per_second"], ",.0f"),
            str(int(r["instances"])),
            _usd(r["monthly_usd"]),
            _usd(r["usd_per_1000_at_load"]),
            "yes" if r["meets_p95_target"] else "no",
        )
        for _, r in plan.head(10).iterrows()
    ]
    print(_table(header, rows, right={2, 3, 4, 5, 6}))
    print(f"({len(rows)} of {len(plan)} options; --json for all)")
    return 0


# --------------------------------------------------------------------------- data value


def _int_or_none(value: object) -> int | None:
    try:
        return int(value) if value is not None else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _curve_grid(n_min: int, max_n: int, extra: Sequence[int]) -> np.ndarray:
    grid = np.round(np.geomspace(max(n_min, 1), max(max_n, n_min, 1), CURVE_GRID_POINTS))
    return np.unique(np.concatenate([grid, np.asarray(extra, dtype=float)])).astype(np.int64)


def _curve_rule(record: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """How the run's stored learning curve was trained: JSON fields and one line (a curve stored
    without a rule was trained by the old one, every fraction for the run's epochs)."""
    raw = record.get("learning_curve")
    curve = LearningCurve.from_dict(raw if isinstance(raw, dict) else {})
    fields = {
        "rule": curve.rule,
        "patience": curve.patience,
        "max_epochs": curve.max_epochs,
        "run_epochs": curve.epochs,
        "trainings": curve.trainings,
        "capped": curve.capped,
    }
    return fields, curve_rule_line(curve)


def cmd_data_value(args: argparse.Namespace) -> int:
    record = load_record(args.run)
    try:
        points = points_from_record(record)
        fit = fit_learning_curve(points)
        current = current_size(fit, _int_or_none(record.get("n_train")))
        econ = DataEconomics(
            value_usd_per_point_per_year=args.value_per_point_usd,
            label_cost_usd_per_sample=args.label_cost_usd,
            horizon_years=args.horizon_years,
            current_n=current,
        )
        max_n = args.max_n if args.max_n is not None else MAX_N_FACTOR * current
        _fits(
            ("100 points × horizon years × value per point (the most more data can be worth)",
             100.0, args.horizon_years, args.value_per_point_usd),
            ("label cost × samples (the largest purchase priced)",
             args.label_cost_usd, max(max_n, current + (args.buy or 0))),
        )  # fmt: skip
        optimal = optimal_dataset_size(fit, econ, max_n=max_n)
        purchase = buy_data(fit, econ, args.buy) if args.buy is not None else None
        extra = [current, optimal.n_train] + ([purchase.n_after] if purchase else [])
        curve = marginal_value_curve(fit, econ, _curve_grid(fit.n_min, max_n, extra))
    except DataValueError as exc:
        _fail(_why(exc))
    rule_fields, rule_line = _curve_rule(record)
    fit_json = {f.name: getattr(fit, f.name) for f in dataclasses.fields(fit) if f.name != "boot_params"}
    fit_json["max_accuracy"] = fit.max_accuracy
    optimal_json = {**dataclasses.asdict(optimal), "buy": optimal.buy}
    purchase_json = (
        None if purchase is None else {**dataclasses.asdict(purchase), "summary": purchase.summary()}
    )
    if args.json:
        _dump(
            {
                "run_id": str(record.get("id")),
                "economics": {**dataclasses.asdict(econ), "current_n": current, "max_n": max_n},
                "curve_rule": rule_fields,
                "points": [dataclasses.asdict(p) for p in points],
                "fit": fit_json,
                "optimal": optimal_json,
                "purchase": purchase_json,
                "curve": _records(curve),
            }
        )
        return 0
    print(
        f"run {record.get('id')}: error(n) = {fit.a:.4g}·n^(−{fit.b:.3g}) + {fit.c:.3g} fitted to "
        f"{fit.n_points} points ({fit.n_min:,}–{fit.n_max:,} samples), RMSE {fit.rmse_points:.2f} points; "
        f"accuracy can reach {100 * fit.max_accuracy:.1f} % at most"
    )
    print(f"learning curve {rule_line}")
    print(
        f"now: {current:,} samples; value ${args.value_per_point_usd:,.0f} per point a year for "
        f"{args.horizon_years:g} year(s); labels ${args.label_cost_usd:,.4g} each"
    )
    if optimal.buy:
        print(
            f"optimal: buy {optimal.extra_samples:,} more → {optimal.n_train:,} samples, accuracy "
            f"{100 * optimal.accuracy:.2f} % (+{optimal.gain_points:.2f} points), net value "
            f"{_usd(optimal.net_value_usd)} ({optimal.bound}"
            f"{', extrapolated' if optimal.extrapolated else ''})"
        )
    else:
        print("optimal: buy nothing: the next label is worth less than it costs")
    if purchase is not None:
        print(
            f"purchase: {purchase.summary()}; costs {_usd(purchase.labelling_cost_usd)}, net value "
            f"{_usd(purchase.net_value_usd)} over {purchase.horizon_years:g} year(s)"
        )
    header = ("n_train", "accuracy", "gain (points)", "interval", "net value", "value of +1 sample")
    rows = [
        (
            f"{int(r['n_train']):,}" + ("*" if r["extrapolated"] else ""),
            f"{100 * r['accuracy']:.2f} %",
            _num(r["gain_points"], "+.2f"),
            f"{_num(r['gain_points_low'], '.2f')}–{_num(r['gain_points_high'], '.2f')}",
            _usd(r["net_value_usd"]),
            _usd(r["marginal_value_usd_per_sample"]),
        )
        for _, r in curve.iterrows()
    ]
    print(_table(header, rows, right={0, 1, 2, 3, 4, 5}))
    print(f"* beyond the largest measured size; intervals are {100 * fit.interval_level:.0f} %")
    for note in fit.notes:
        print(f"note: {words(note, 'en')}")
    return 0


# --------------------------------------------------------------------------- main


# --------------------------------------------------------------------------- scenarios

MAX_SCENARIO_BYTES = 1_000_000


def cmd_template(args: argparse.Namespace) -> int:
    print(json.dumps(TEMPLATES[args.kind]().to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
    return 0


def read_scenario(path: Path) -> Scenario:
    """The scenario in ``path``; exits 2 naming every invalid field (or the JSON error's place)."""
    try:
        size = path.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            _fail(
                f"{path} is {size / 1e6:.1f} MB; a scenario file is at most {MAX_SCENARIO_BYTES / 1e6:g} MB"
            )
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is allowed, as in the app
    except IsADirectoryError:
        _fail(f"cannot read {path}: it is a directory")
    except UnicodeDecodeError:
        _fail(f"{path} is not UTF-8 text; save the scenario as UTF-8 JSON")
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror or exc}")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        _fail(f"{path} is not valid JSON: {exc}")
    except RecursionError:
        _fail(f"{path} is nested too deeply (lists or objects inside each other); it is not a scenario")
    try:
        return Scenario.from_dict(data)
    except ScenarioError as exc:
        problems = "\n".join(f"  - {p}" for p in exc.problems)
        _fail(f"{path} is not a valid scenario ({len(exc.problems)} problem(s)):\n{problems}")


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows; write a finite number")


def cmd_project(args: argparse.Namespace) -> int:
    scenario = read_scenario(args.scenario)
    inputs = None
    if args.run:
        catalog = load_catalog(args)
        basis = load_basis(args.run)
        try:
            inputs = inputs_for(scenario, basis, catalog)
            scenario = bind(scenario, inputs, with_ranges=True if args.spread else None)
        except (BindingError, ScenarioError) as exc:
            _fail(f"run {args.run} cannot drive this scenario: {_why(exc)}")
    elif args.spread:
        _fail("--spread needs --run ID (the run whose seed spread gives the ranges)")
    frame = project(scenario)
    k = kpis(frame, scenario)
    result = None
    if args.paths:
        try:
            simulated = simulate(scenario, paths=args.paths, seed=args.seed)
            result = {**simulated.summary(), "median_gap": median_gap(scenario, simulated.npv_usd).to_dict()}
        except MonteCarloError as exc:
            _fail(_why(exc))
    if args.json:
        monthly = [{"month": int(m), **row} for m, row in zip(frame.index, _records(frame), strict=True)]
        _dump(
            {
                "scenario": scenario.to_dict(),
                "run": _inputs_json(inputs) if inputs is not None else None,
                "kpis": _kpis_json(k),
                "monthly": monthly,
                "monte_carlo": result,
            }
        )
        return 0
    _print_projection(scenario, frame, k, inputs, result)
    return 0


def _month_text(value: int | None) -> str:
    return f"month {value}" if value is not None else "not within the horizon"


def _print_projection(
    scenario: Scenario, frame: pd.DataFrame, k: Kpis, inputs: RunInputs | None, mc: dict[str, Any] | None
) -> None:
    if inputs is not None:
        print(f"driven by run {inputs.run_id} ({inputs.run_name}): accuracy {scenario.model_accuracy:.2%}")
        if inputs.scale is not None:
            scale = inputs.scale
            print(
                f"  production: a {scale.production_params:,.0f}-parameter model "
                f"({factor_text(scale.model_factor)}× the run's) on {scale.production_samples:,.0f} samples "
                f"({factor_text(scale.data_factor)}× the run's)"
                + (" — derived from the data plan" if scale.data_derived or scale.model_derived else "")
            )
        run_cost = usd_text(inputs.run_cost_usd) if inputs.run_cost_usd is not None else "–"
        retrain = usd_text(scenario.retrain_cost_usd)
        serving = usd_text(scenario.serving_usd_per_1000_predictions)
        print(f"  this run:   {run_cost}  ({words(inputs.run_cost_detail, 'en')})")
        print(f"  retraining: {retrain}  ({words(inputs.retrain_detail, 'en')})")
        print(f"  serving:    {serving} per 1,000 predictions  ({words(inputs.serving_detail, 'en')})")
    print(f"{scenario.horizon_months} months, discount rate {scenario.annual_discount_rate:.1%} a year")
    irr = f"{k.irr_annual:.1%}" if k.irr_annual is not None else f"none ({words(k.irr_reason, 'en')})"
    terminal = (
        f"{_usd(k.npv_with_terminal_usd)} ({_usd(k.terminal_value_usd)} beyond the horizon, "
        f"{scenario.terminal_value.replace('_', ' ')})"
        if k.npv_with_terminal_usd is not None
        else f"– ({words(k.reasons.get('npv_with_terminal_usd'), 'en')})"
    )
    lines = [
        ("NPV", _usd(k.npv_usd)),
        ("NPV + terminal", terminal),
        ("IRR (annual)", irr),
        ("break-even", _month_text(k.break_even_month)),
        ("payback", _month_text(k.payback_month)),
        ("runway", _month_text(k.runway_months) if k.runway_months is not None else "cash never below 0"),
        ("lowest cash", _usd(k.min_cash_usd)),
        ("ending ARR", _usd(k.ending_arr_usd)),
        ("gross margin", f"{k.gross_margin:.1%}" if k.gross_margin is not None else "–"),
        ("LTV / CAC", f"{k.ltv_to_cac:.2f}" if k.ltv_to_cac is not None else "–"),
    ]
    for label, value in lines:
        print(f"  {label:<14} {value}")
    header = ("month", "active", "revenue", "operating CF", "cash")
    months = sorted({1, 6, 12, 24, 36, 48, 60, 120, scenario.horizon_months} & set(frame.index))
    rows = [
        (
            str(m),
            f"{frame.at[m, 'active_customers']:,.0f}",
            _usd(frame.at[m, "revenue_usd"]),
            _usd(frame.at[m, "operating_cash_flow_usd"]),
            _usd(frame.at[m, "cash_usd"]),
        )
        for m in months
    ]
    print(_table(header, rows, right={0, 1, 2, 3, 4}))
    if mc is not None:
        npv = mc["npv_usd"]
        print(
            f"Monte Carlo, {mc['paths']:,} paths (seed {mc['seed']}): NPV P10 {_usd(npv['p10'])}, "
            f"P50 {_usd(npv['p50'])}, P90 {_usd(npv['p90'])}; P(out of cash) "
            f"{mc['probability_out_of_cash']:.1%}; P(break-even) {mc['probability_break_even']:.1%}"
        )
        gap = mc["median_gap"]
        parts = [
            f"{d['field']} {_signed_usd(d['npv_effect_usd'])}" for d in gap["drivers"] if d["npv_effect_usd"]
        ]
        print(
            f"  P50 − plan NPV {_signed_usd(gap['gap_usd'])} ({gap['verdict'].replace('_', ' ')}): "
            + "; ".join([*parts, f"the ranges together {_signed_usd(gap['interaction_usd'])}"])
        )
    print("(--json for every month and KPI)")


# --------------------------------------------------------------------------- report


def _check_target(path: Path) -> Path:
    """The file to write for ``path`` (a symbolic link's target, so the link is kept); exits 2
    unless it can be written: absent or a regular file you may write, in a writable folder. Only
    ``stat`` is used, so a device or FIFO is refused before anything opens it."""
    real = Path(os.path.realpath(path))
    try:
        info: os.stat_result | None = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):  # absent; the folder is checked below
        info = None
    except OSError as exc:
        if real.is_symlink():  # realpath stops at a link it cannot follow (a loop)
            _fail(f"cannot write {path}: it is a symbolic link that cannot be resolved")
        _fail(f"cannot write {path}: {exc.strerror or exc}")
    if info is None and real.is_symlink():
        _fail(f"cannot write {path}: it is a symbolic link that cannot be resolved")
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            _fail(f"cannot write {path}: it is a directory")
        if not stat.S_ISREG(info.st_mode):
            _fail(f"cannot write {path}: it is not a regular file (a device, FIFO or socket); name a file")
        if not os.access(real, os.W_OK):
            _fail(
                f"cannot write {path}: the file is read-only for you; make it writable or name another file"
            )
    folder = real.parent
    if folder.exists() and not folder.is_dir():
        _fail(f"cannot write {path}: {folder} is not a folder")
    if not folder.is_dir():
        _fail(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        _fail(f"cannot write {path}: the folder {folder} is not writable")
    return real


def _write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``'s file, then rename it: never half a file.

    ``path`` is checked again (:func:`_check_target`) right before; a symbolic link is kept and its
    target written, and a file replaced keeps its permission bits (a new one gets 0666 − umask).
    """
    real = _check_target(path)
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode) & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")
    try:
        fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    except OSError as exc:
        _fail(f"cannot write {path}: {exc.strerror or exc}")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        _fail(f"cannot write {path}: {exc.strerror or exc}")


def _size_text(n_bytes: int) -> str:
    """``4.9 MB`` or ``35 kB``."""
    return f"{n_bytes / 1e6:.1f} MB" if n_bytes >= 1e6 else f"{max(1, round(n_bytes / 1e3))} kB"


def load_run(run_id: str) -> Any:
    """The stored run ``run_id`` as a :class:`mlcore.specs.RunRecord`; exits 2 when it is unusable."""
    from mlcore.specs import RunRecord

    record = load_record(run_id)
    try:
        TechnicalBasis.from_record(record)
    except BasisError as exc:
        _fail(_why(exc))
    try:
        return RunRecord.from_dict(record)
    except (KeyError, TypeError, ValueError) as exc:
        _fail(f"run {run_id}'s record is unreadable ({exc}); train the run again")


def cmd_report(args: argparse.Namespace) -> int:
    from present.format import DEFAULT_USD_TO_CNY, NumberStyle

    targets = [p for p in (args.output, args.xlsx) if p is not None]
    if not targets:
        _fail("give -o FILE (the HTML report), --xlsx FILE (the workbook) or both")
    if len(targets) == 2 and targets[0].resolve() == targets[1].resolve():
        _fail("-o and --xlsx name the same file; give each its own")
    if args.rate is not None and args.currency != "CNY":
        _fail("--rate is CNY per USD: use it with --currency CNY")
    if args.paths > MAX_PATHS:
        _fail(f"--paths must be from 1 to {MAX_PATHS:,}; got {args.paths:,}")
    try:
        style = NumberStyle(
            language=args.lang,
            currency=args.currency,
            usd_to_cny=args.rate if args.rate is not None else DEFAULT_USD_TO_CNY,
        )
    except ValueError as exc:
        _fail(_why(exc))
    for path in targets:
        _check_target(path)
    scenario = read_scenario(args.scenario)
    catalog = load_catalog(args)
    run = load_run(args.run) if args.run else None

    from present.report_data import ReportOptions, build_report

    report = build_report(
        scenario,
        name=args.name if args.name is not None else args.scenario.stem,
        run=run,
        catalog=catalog,
        options=ReportOptions(paths=args.paths, seed=args.seed),
    )
    if "binding" in report.notes:
        _fail(words(report.notes["binding"], "en"))
    files: list[tuple[str, Path, bytes]] = []
    if args.output is not None:
        from present.report import render_html

        files.append(("HTML report", args.output, render_html(report, style).encode("utf-8")))
    if args.xlsx is not None:
        try:
            from present.workbook import workbook_bytes
        except ModuleNotFoundError as exc:
            if exc.name != "present.workbook":
                raise
            _fail(
                "this installation cannot write workbooks (present.workbook is missing); use -o for HTML",
                EXIT_FAILED,
            )
        files.append(("workbook", args.xlsx, workbook_bytes(report, style)))
    for kind, path, data in files:  # everything is built before anything is written
        _write_file(path, data)
        print(f"wrote {kind} {path} ({_size_text(len(data))})")
    return 0


# --------------------------------------------------------------------------- llm, optimal, validate


def _llm_instance(catalog: Catalog, accelerator: str, count: int) -> pd.Series | None:
    """The cheapest current on-demand instance with ``count`` × ``accelerator``, or None."""
    rows = catalog.instances
    match = rows[
        (rows["accelerator"] == accelerator) & (rows["count"] == count) & (rows["status"] == "current")
    ]
    if match.empty:
        return None
    return match.sort_values("on_demand_usd_per_hour", kind="stable").iloc[0]


def cmd_llm(args: argparse.Namespace) -> int:
    catalog = load_catalog(args)
    specs = catalog.accelerators.set_index("accelerator", drop=False)
    if args.accelerator not in specs.index:
        _fail(f"unknown accelerator {args.accelerator!r}; the catalog has: {', '.join(specs.index)}")
    if args.active_params is not None and args.active_params > args.params:
        _fail(
            f"--active-params {args.active_params:g} cannot exceed --params {args.params:g} (total "
            "parameters); for a dense model leave --active-params out"
        )
    instance = _llm_instance(catalog, args.accelerator, args.count)
    if instance is None:
        counts = sorted(
            {
                int(c)
                for c in catalog.instances.loc[catalog.instances["accelerator"] == args.accelerator, "count"]
            }
        )
        have = ", ".join(str(c) for c in counts) or "none"
        _fail(
            f"no current catalog instance has {args.count} × {args.accelerator} "
            f"(counts in the catalog: {have})"
        )
    try:
        workload = LlmWorkload(
            args.params,
            args.input_tokens,
            args.output_tokens,
            bytes_per_param=args.bytes,
            mfu=args.mfu,
            bandwidth_efficiency=args.bandwidth_efficiency,
            utilisation=args.utilisation,
            active_params=args.active_params,
            model=args.model,
            tpot_target_ms=None if args.no_latency_target else args.tpot_ms,
        )
        option = self_hosted_option(workload, instance, specs.loc[args.accelerator])
    except BuildBuyError as exc:
        _fail(_why(exc))
    shape = workload.shape
    document = {
        "catalog": _catalog_json(catalog, date.today()),
        "instance_type": option.instance_type,
        "provider": option.provider,
        "region": option.region,
        "usd_per_hour": option.usd_per_hour,
        "as_of": option.as_of,
        "accelerator": option.accelerator,
        "count": option.count,
        "model": {
            "params": workload.params,
            "active_params": workload.active,
            "shape": shape.key,
            "inferred": shape.inferred,
            "layers": shape.layers,
            "kv_bytes_per_token": shape.kv_bytes_per_token(workload.serving.kv_value_bytes),
        },
        "fits": option.fits_in_memory,
        "memory_needed_gib": option.memory_needed_gib,
        "memory_available_gib": option.memory_available_gib,
        "precision": option.precision,
        "peak_tflops_per_accelerator": option.peak_tflops,
        "batch": option.batch,
        "batch_reason": option.batch_reason,
        "tpot_ms": option.tpot_ms,
        "output_tokens_per_second": option.output_tokens_per_second,
        "input_tokens_per_second": option.input_tokens_per_second,
        "prefill_tokens_per_second": option.prefill_tokens_per_second,
        "requests_per_second": option.requests_per_second,
        "utilisation": workload.utilisation,
        "usd_per_1m_input_tokens": option.usd_per_1m_input_tokens,
        "usd_per_1m_output_tokens": option.usd_per_1m_output_tokens,
        "usd_per_1000_requests": option.usd_per_request * 1000.0,
    }
    if args.json:
        _dump(document)
        return 0
    what = f"{workload.params:.3g} parameters" + (
        f" ({workload.active:.3g} active)" if workload.active < workload.params else ""
    )
    source = "inferred shape" if shape.inferred else shape.key
    print(
        f"{what}, {shape.layers} layers ({source}), {option.precision} "
        f"on {option.count} × {option.accelerator}"
    )
    print(
        f"instance: {option.provider} {option.instance_type} ({option.region}) at "
        f"{_usd(option.usd_per_hour)}/hour, catalog as of {option.as_of}"
    )
    if not option.fits_in_memory:
        print(
            f"does not fit: needs {option.memory_needed_gib:,.0f} GiB, "
            f"has {option.memory_available_gib:,.0f} GiB "
            "(use more accelerators, 8-bit weights or a smaller model)"
        )
        return 0
    reasons = {
        "compute": "compute saturates at this batch; more would add latency, not throughput",
        "memory": "the KV caches fill the memory left after the weights",
        "latency": f"the time per output token target ({args.tpot_ms:g} ms) allows no more",
        "latency_unreachable": "even one sequence misses the time per output token target",
        "prefill_only": "no output tokens: prefill only",
    }
    print(f"batch {option.batch}: {reasons.get(option.batch_reason, option.batch_reason)}")
    print(
        f"{option.output_tokens_per_second:,.0f} output and "
        f"{option.input_tokens_per_second:,.0f} input tokens/s, "
        f"{option.requests_per_second:,.1f} requests/s, {option.tpot_ms:,.1f} ms per output token"
    )
    print(
        f"at {workload.utilisation:.0%} utilisation: {_usd(option.usd_per_1m_input_tokens)} per 1M input, "
        f"{_usd(option.usd_per_1m_output_tokens)} per 1M output tokens, "
        f"{_usd(option.usd_per_request * 1000)} per 1,000 requests"
    )
    return 0


def cmd_optimal(args: argparse.Namespace) -> int:
    law = EPOCH_2024 if args.law == "epoch" else HOFFMANN_2022
    try:
        params, tokens = compute_optimal(law, args.flops)
        predicted = float(loss(law, params, tokens))
    except ComputeError as exc:
        _fail(_why(exc))
    document = {
        "flops": args.flops,
        "params": float(params),
        "tokens": float(tokens),
        "tokens_per_param": float(tokens) / float(params),
        "loss": predicted,
        "law": {
            "name": law.name,
            "E": law.E,
            "A": law.A,
            "B": law.B,
            "alpha": law.alpha,
            "beta": law.beta,
            "source": law.source,
        },
    }
    if args.json:
        _dump(document)
        return 0
    print(
        f"{args.flops:.3g} FLOPs (C = 6·N·D): {float(params):.3g} parameters on {float(tokens):.3g} tokens "
        f"({float(tokens) / float(params):.1f} tokens per parameter), predicted loss {predicted:.3f}"
    )
    print(f"law: {law.name} — {law.source}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    table = validation_table()
    summaries = summarise(table)
    if args.json:
        _dump(
            {
                "band": {"low": BAND[0], "high": BAND[1], "median_abs_log_max": MEDIAN_BAND},
                "rows": _records(table),
                "summary": [dataclasses.asdict(s) for s in summaries],
            }
        )
        return 0
    rows = [
        (
            str(r["name"]),
            str(r["unit"]),
            f"{r['published']:.4g}",
            f"{r['estimate']:.4g}",
            f"{r['ratio']:.2f}",
        )
        for _, r in table.iterrows()
    ]
    print(_table(("published run", "unit", "published", "estimate", "ratio"), rows, right={2, 3, 4}))
    for s in summaries:
        print(
            f"{s.kind}: {s.rows} rows, {s.within_band} within ×{BAND[1]:g}; "
            f"median ratio {s.median_ratio:.2f}, "
            f"median |log ratio| {s.median_abs_log:.2f}; worst {s.worst} ({s.worst_ratio:.2f})"
        )
    return 0


COMMANDS = {
    "cost": cmd_cost,
    "llm": cmd_llm,
    "optimal": cmd_optimal,
    "validate": cmd_validate,
    "serving": cmd_serving,
    "data-value": cmd_data_value,
    "template": cmd_template,
    "project": cmd_project,
    "report": cmd_report,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except (SystemExit, BrokenPipeError):
        raise
    except Exception as exc:  # the contract: one line, never a traceback
        print(f"{PROG}: error: internal error ({type(exc).__name__}: {exc})", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
