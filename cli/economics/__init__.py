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

This package is the one part of the economics that opens the store (``store.Store()``, in
:mod:`cli.economics.sources`: the SQLite file under ``MOATLAB_HOME``, or ``DATABASE_URL``); it
reads a run's record JSON and hands it to the pure models (:class:`bizmodel.basis.TechnicalBasis`,
:func:`bizmodel.data_value.points_from_record`).
``report`` alone also reaches into the shell's other side: it imports :mod:`present.report_data`,
:mod:`present.report` and :mod:`present.workbook` (pure, no Streamlit) when it runs, to write the same
report the app downloads.
The modules: :mod:`~cli.economics.parser` (the arguments, one function per subcommand, typed by
:mod:`~cli.economics.argtypes`), :mod:`~cli.economics.estimates` (``cost``, ``llm``, ``optimal``,
``validate``), :mod:`~cli.economics.run_driven` (``serving``, ``data-value``),
:mod:`~cli.economics.scenarios` (``template``, ``project``), :mod:`~cli.economics.report`
(``report``), with :mod:`~cli.economics.sources`, :mod:`~cli.economics.output` and
:mod:`~cli.economics.errors` beneath them.
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

import sys
from collections.abc import Callable, Sequence

from cli.economics.errors import EXIT_FAILED, PROG
from cli.economics.estimates import cmd_cost, cmd_llm, cmd_optimal, cmd_validate
from cli.economics.parser import build_parser
from cli.economics.report import cmd_report
from cli.economics.run_driven import cmd_data_value, cmd_serving
from cli.economics.scenarios import cmd_project, cmd_template

__all__ = ["COMMANDS", "PROG", "build_parser", "main"]

COMMANDS: dict[str, Callable[..., int]] = {
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
"""Each subcommand's function: it takes the parsed arguments and returns the exit status."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m bizmodel`` with ``argv`` (default: the process's arguments); the exit status.

    Bad input exits through :class:`SystemExit` (status 2, or 1 for an unusable store) with one
    line on stderr; any other error is reported in one line too, status 1, never a traceback.
    """
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
