"""Estimates from typed numbers alone (no saved run needed, except ``cost --run``): ``cost`` (a
training run priced on every catalog option), ``llm`` (serving an open LLM), ``optimal`` (the
compute-optimal model for a FLOP budget) and ``validate`` (the estimates beside published runs)."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import date
from typing import Any

import pandas as pd

from bizmodel.buildbuy import BuildBuyError, LlmWorkload, self_hosted_option
from bizmodel.catalog import Catalog
from bizmodel.compute import Assumptions, cheapest, fastest, one_per_instance, training_options
from bizmodel.scaling_law import EPOCH_2024, HOFFMANN_2022, compute_optimal, loss
from bizmodel.training_work import ComputeError, TrainingWork
from bizmodel.validation import BAND, MEDIAN_BAND, summarise, validation_table
from cli.economics.argtypes import fits
from cli.economics.errors import fail, why
from cli.economics.output import dump, num, records, table, usd
from cli.economics.sources import catalog_json, catalog_lines, load_basis, load_catalog

DEFAULT_TOP = 20
"""Options ``cost`` shows unless ``--top`` says otherwise."""
METHODS = ("pretrain", "finetune-full", "finetune-adapter")
"""The training methods ``cost --method`` prices."""


# --------------------------------------------------------------------------- cost


def _cost_work(args: argparse.Namespace) -> tuple[TrainingWork, str, dict[str, Any] | None]:
    """The work to price, the method's CLI name and, for a scaled run, what it was scaled from."""
    given = [name for name in ("params", "tokens") if getattr(args, name) is not None]
    factors = args.data_factor is not None or args.model_factor is not None
    if args.run is not None and not given:
        if args.method is not None:
            fail("--method applies to --params/--tokens; a scaled run is priced as the run's own training")
        if args.active_params is not None or args.model is not None:
            fail("--active-params and --model apply to --params/--tokens, not to a scaled run")
        basis = load_basis(args.run)
        data_factor = args.data_factor if args.data_factor is not None else 1.0
        model_factor = args.model_factor if args.model_factor is not None else 1.0
        flops = (basis.flops_per_sample, basis.n_train, max(1, basis.epochs_completed))
        fits(
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
        fail(f"give {missing} (or --run ID alone to scale a saved run)")
    if factors:
        fail("--data-factor and --model-factor scale a saved run: use them with --run ID alone")
    if args.run is not None:
        load_basis(args.run)  # named in the output: it must exist and be usable
    method = args.method or "pretrain"
    fits(
        (f"{4 if method == 'finetune-adapter' else 6} × params × tokens (training FLOPs)",
         4.0 if method == "finetune-adapter" else 6.0, args.params, args.tokens),
        ("16 bytes × params (training memory)", 16.0, args.params),
    )  # fmt: skip
    _check_active_params(args)
    shape = {"active_params": args.active_params, "shape": args.model, "sequence": args.sequence}
    if method == "pretrain":
        work = TrainingWork.pretrain(args.params, args.tokens, **shape)
    else:
        work = TrainingWork.finetune(
            args.params, args.tokens, method=method.removeprefix("finetune-"), **shape
        )
    return work, method, None


def cmd_cost(args: argparse.Namespace) -> int:
    """``cost``: every catalog option for the training work, ranked; ``--json`` prints them all."""
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
        fail(why(exc))
    today = date.today()
    if args.json:
        shown = options if args.top == 0 else options.head(args.top)
        dump(
            {
                "catalog": catalog_json(catalog, today),
                "run_id": args.run,
                "work": _work_json(work, method, scaled_from),
                "assumptions": dataclasses.asdict(assumptions),
                "cheapest": cheapest(options),
                "fastest": fastest(options),
                "options_total": len(options),
                "feasible_options": _feasible(options),
                "options": records(shown),
            }
        )
        return 0
    print(_work_line(args, work, method, scaled_from))
    if work.attention_flops > 0:
        source = "inferred shape" if work.shape_key == "inferred" else work.shape_key
        print(
            f"attention at sequence {work.sequence:,.0f} ({source}): {work.attention_flops:.3g} FLOPs "
            f"({work.attention_flops / work.flops:.0%} of the total)"
        )
    for line in catalog_lines(catalog, today):
        print(line)
    _print_best(args, cheapest(options), fastest(options))
    _print_options(options, args.top)
    return 0


def _feasible(options: pd.DataFrame) -> int:
    """How many options have the memory for the work."""
    return int(options["feasible"].astype(bool).sum())


def _work_json(work: TrainingWork, method: str, scaled_from: dict[str, Any] | None) -> dict[str, Any]:
    """The priced work as ``cost --json`` prints it."""
    return {
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
    }


def _work_line(
    args: argparse.Namespace, work: TrainingWork, method: str, scaled_from: dict[str, Any] | None
) -> str:
    """One line for people: what is trained, its FLOPs and the memory it needs."""
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
    return (
        f"{what}: {work.flops:.3g} FLOPs; weights, gradients and optimizer state need "
        f"{work.memory_bytes / 1e9:,.3g} GB ({per_param:.3g} bytes per parameter; MFU {args.mfu:g} assumed)"
    )


def _print_best(args: argparse.Namespace, best_cost: Any, best_time: Any) -> None:
    """The cheapest and the fastest option, and what to change when the node cap or memory binds."""
    for label, row in (("cheapest", best_cost), ("fastest ", best_time)):
        if row is not None:
            print(
                f"{label}: {row['provider']} {row['instance_type']} × {int(row['nodes'])} "
                f"({int(row['count'])} {row['accelerator']}, {row['pricing']}): {usd(row['cost_usd'])} "
                f"in {num(row['days'])} days"
            )
    if best_time is not None and bool(best_time.get("at_node_cap", False)):
        print(
            f"the fastest option uses the node cap ({args.max_nodes} nodes): "
            "raise --max-nodes for a faster run"
        )
    if best_cost is None:
        print("no option has the memory for this work: raise --max-nodes or use fine-tuning with adapters")


def _print_options(options: pd.DataFrame, top: int) -> None:
    """The first ``top`` instances and pricings (0: all), each at its best node count, as a table."""
    distinct = one_per_instance(options)
    listed_rows = distinct if top == 0 else distinct.head(top)
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
            num(r["days"]),
            num(r["gpu_hours"]),
            usd(r["cost_usd"]),
            "yes" if r["feasible"] else "no",
        )
        for i, (_, r) in enumerate(listed_rows.iterrows(), start=1)
    ]
    print(table(header, rows, right={0, 4, 6, 7, 8}))
    print(
        f"({len(listed_rows)} of {len(distinct)} instances and pricings, each at its best node count; "
        f"{len(options)} options, {_feasible(options)} with enough memory; "
        "--top 0 shows all, --json every option)"
    )


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


def _llm_instance_or_fail(catalog: Catalog, accelerator: str, count: int) -> pd.Series:
    """:func:`_llm_instance`, or exit 2 naming the counts of ``accelerator`` the catalog has."""
    instance = _llm_instance(catalog, accelerator, count)
    if instance is None:
        counts = sorted(
            {int(c) for c in catalog.instances.loc[catalog.instances["accelerator"] == accelerator, "count"]}
        )
        have = ", ".join(str(c) for c in counts) or "none"
        fail(f"no current catalog instance has {count} × {accelerator} (counts in the catalog: {have})")
    return instance


def _check_active_params(args: argparse.Namespace) -> None:
    """Exit 2 when ``--active-params`` exceeds ``--params`` (the total)."""
    if args.active_params is not None and args.active_params > args.params:
        fail(
            f"--active-params {args.active_params:g} cannot exceed --params {args.params:g} (total "
            "parameters); for a dense model leave --active-params out"
        )


def _llm_workload(args: argparse.Namespace) -> LlmWorkload:
    """The workload ``llm``'s options describe; raises :class:`BuildBuyError`."""
    return LlmWorkload(
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


def cmd_llm(args: argparse.Namespace) -> int:
    """``llm``: one replica of an open LLM on ``--count`` × ``--accelerator``, batched and priced."""
    catalog = load_catalog(args)
    specs = catalog.accelerators.set_index("accelerator", drop=False)
    if args.accelerator not in specs.index:
        fail(f"unknown accelerator {args.accelerator!r}; the catalog has: {', '.join(specs.index)}")
    _check_active_params(args)
    instance = _llm_instance_or_fail(catalog, args.accelerator, args.count)
    try:
        workload = _llm_workload(args)
        option = self_hosted_option(workload, instance, specs.loc[args.accelerator])
    except BuildBuyError as exc:
        fail(why(exc))
    if args.json:
        dump(_llm_document(catalog, workload, option))
        return 0
    _print_llm(args, workload, option)
    return 0


def _llm_document(catalog: Catalog, workload: LlmWorkload, option: Any) -> dict[str, Any]:
    """``llm --json``: the instance, the model, the batch and the prices."""
    shape = workload.shape
    return {
        "catalog": catalog_json(catalog, date.today()),
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


def _print_llm(args: argparse.Namespace, workload: LlmWorkload, option: Any) -> None:
    """``llm`` for people: the model and instance, then the batch, throughput and prices if it fits."""
    shape = workload.shape
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
        f"{usd(option.usd_per_hour)}/hour, catalog as of {option.as_of}"
    )
    if not option.fits_in_memory:
        print(
            f"does not fit: needs {option.memory_needed_gib:,.0f} GiB, "
            f"has {option.memory_available_gib:,.0f} GiB "
            "(use more accelerators, 8-bit weights or a smaller model)"
        )
        return
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
        f"at {workload.utilisation:.0%} utilisation: {usd(option.usd_per_1m_input_tokens)} per 1M input, "
        f"{usd(option.usd_per_1m_output_tokens)} per 1M output tokens, "
        f"{usd(option.usd_per_request * 1000)} per 1,000 requests"
    )


def cmd_optimal(args: argparse.Namespace) -> int:
    """``optimal``: the compute-optimal parameters and tokens for ``--flops`` under a scaling law."""
    law = EPOCH_2024 if args.law == "epoch" else HOFFMANN_2022
    try:
        params, tokens = compute_optimal(law, args.flops)
        predicted = float(loss(law, params, tokens))
    except ComputeError as exc:
        fail(why(exc))
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
        dump(document)
        return 0
    print(
        f"{args.flops:.3g} FLOPs (C = 6·N·D): {float(params):.3g} parameters on {float(tokens):.3g} tokens "
        f"({float(tokens) / float(params):.1f} tokens per parameter), predicted loss {predicted:.3f}"
    )
    print(f"law: {law.name} — {law.source}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``validate``: every bundled published figure beside Moatlab's estimate, and a summary per kind."""
    published = validation_table()
    summaries = summarise(published)
    if args.json:
        dump(
            {
                "band": {"low": BAND[0], "high": BAND[1], "median_abs_log_max": MEDIAN_BAND},
                "rows": records(published),
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
        for _, r in published.iterrows()
    ]
    print(table(("published run", "unit", "published", "estimate", "ratio"), rows, right={2, 3, 4}))
    for s in summaries:
        print(
            f"{s.kind}: {s.rows} rows, {s.within_band} within ×{BAND[1]:g}; "
            f"median ratio {s.median_ratio:.2f}, "
            f"median |log ratio| {s.median_abs_log:.2f}; worst {s.worst} ({s.worst_ratio:.2f})"
        )
    return 0
