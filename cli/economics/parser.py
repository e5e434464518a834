"""The arguments of ``python -m bizmodel``: one small function per subcommand adds its parser.

Every option's type comes from :mod:`cli.economics.argtypes`, so numbers are checked while the
arguments are read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bizmodel.llm_serving import DEFAULT_TPOT_MS
from bizmodel.montecarlo import MAX_PATHS
from bizmodel.scenario import TEMPLATES
from bizmodel.shapes import DEFAULT_TRAIN_SEQUENCE
from cli.economics.argtypes import (
    cny_rate,
    count_from_0,
    count_from_1,
    discount,
    fraction,
    non_negative,
    paths,
    positive,
    request_tokens,
    scaling_efficiency,
    sequence,
)
from cli.economics.errors import PROG, Parser
from cli.economics.estimates import DEFAULT_TOP, METHODS
from cli.economics.report import REPORT_CURRENCIES, REPORT_LANGUAGES


def add_catalog_options(p: argparse.ArgumentParser) -> None:
    """``--catalog-instances`` and ``--catalog-accelerators``: your own prices instead of the bundled ones."""
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


def _add_json(p: argparse.ArgumentParser) -> None:
    """``--json``: print one JSON document instead of text for people."""
    p.add_argument("--json", action="store_true", help="print JSON")


def _add_scenario_and_run(p: argparse.ArgumentParser) -> None:
    """The scenario file and ``--run``, the saved run that drives its technical inputs."""
    p.add_argument("scenario", type=Path, metavar="SCENARIO.json", help="a scenario file")
    p.add_argument("--run", metavar="ID", help="a saved run that drives the technical inputs")


def _add_seed(p: argparse.ArgumentParser) -> None:
    """``--seed``: the Monte Carlo seed (the same seed gives the same output)."""
    p.add_argument("--seed", type=count_from_0, default=0, metavar="S", help="Monte Carlo seed (default 0)")


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m bizmodel`` with every subcommand (one-line errors, exit status 2)."""
    parser = Parser(
        prog=PROG,
        description=(
            "Training cost, serving cost, the value of data and revenue scenarios (Moatlab's economics)."
        ),
        epilog="Exit status: 0 done, 1 store unusable, 2 bad arguments, catalog, run, curve or scenario.",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    _add_cost(sub)
    _add_serving(sub)
    _add_llm(sub)
    _add_optimal(sub)
    _add_validate(sub)
    _add_data_value(sub)
    _add_template(sub)
    _add_project(sub)
    _add_report(sub)
    return parser


def _add_cost(sub: Any) -> None:
    """``cost``: training cost on every catalog option."""
    c = sub.add_parser(
        "cost",
        help="rank catalog options for a training run by cost and time",
        description=(
            "Price a training run on every catalog option. Give --params and --tokens, or --run ID "
            "alone to scale a saved run by --data-factor and --model-factor."
        ),
    )
    c.add_argument("--run", metavar="ID", help="a saved run (see: python -m mlcore runs)")
    c.add_argument("--params", type=positive, metavar="N", help="total model parameters, e.g. 7e9")
    c.add_argument("--tokens", type=positive, metavar="D", help="training tokens, e.g. 140e9")
    c.add_argument(
        "--active-params",
        type=positive,
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
        type=sequence,
        default=DEFAULT_TRAIN_SEQUENCE,
        metavar="T",
        help=f"training sequence length for the attention term (default {DEFAULT_TRAIN_SEQUENCE}; 0: none)",
    )
    c.add_argument("--method", choices=METHODS, help="default pretrain (FLOPs 6·A·D; adapter ≈ 4·A·D)")
    c.add_argument("--data-factor", type=positive, metavar="K", help="scaled run: × data (default 1)")
    c.add_argument("--model-factor", type=positive, metavar="M", help="scaled run: × model (default 1)")
    c.add_argument("--mfu", type=fraction, default=0.4, help="fraction of dense bf16 peak (default 0.4)")
    c.add_argument("--discount", type=discount, default=0.0, help="fraction off every price (default 0)")
    c.add_argument(
        "--spot-overhead", type=non_negative, default=0.1, help="extra wall time on spot (default 0.1)"
    )
    c.add_argument(
        "--max-nodes",
        type=count_from_1,
        default=64,
        help="the node cap for instances with a cluster interconnect (default 64)",
    )
    c.add_argument(
        "--scaling-efficiency",
        type=scaling_efficiency,
        default=1.0,
        help="throughput kept per doubling of nodes, in (0.5, 1] (default 1: the MFU is at cluster scale)",
    )
    c.add_argument(
        "--top", type=count_from_0, default=DEFAULT_TOP, help="options to show (default 20; 0 = all)"
    )
    add_catalog_options(c)
    _add_json(c)


def _add_serving(sub: Any) -> None:
    """``serving``: a run's serving options and capacity plan."""
    s = sub.add_parser(
        "serving",
        help="price a run's inference and plan capacity for a request volume and p95 target",
        description="Serving options and a capacity plan from the run's measured inference profile.",
    )
    s.add_argument("--run", required=True, metavar="ID", help="a run with an inference profile")
    s.add_argument("--requests-per-month", type=positive, required=True, metavar="R", help="predictions")
    s.add_argument("--p95-ms", type=positive, required=True, metavar="L", help="p95 latency target, ms")
    s.add_argument("--utilisation", type=fraction, default=0.5, help="busy share at peak (default 0.5)")
    s.add_argument(
        "--efficiency", type=fraction, default=0.05, help="share of peak for estimates (default 0.05)"
    )
    add_catalog_options(s)
    _add_json(s)


def _add_llm(sub: Any) -> None:
    """``llm``: serving an open LLM."""
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
    lm.add_argument("--params", type=positive, required=True, metavar="N", help="total parameters, e.g. 70e9")
    lm.add_argument("--active-params", type=positive, metavar="A", help="parameters per token (MoE)")
    lm.add_argument(
        "--model", metavar="KEY", help="a bundled model shape (layers, KV heads), e.g. llama-2-70b"
    )
    lm.add_argument(
        "--accelerator", required=True, metavar="KEY", help="a catalog accelerator, e.g. H100-SXM"
    )
    lm.add_argument("--count", type=count_from_1, required=True, metavar="K", help="accelerators per replica")
    lm.add_argument("--input-tokens", type=request_tokens, default=1000.0, metavar="I", help="default 1000")
    lm.add_argument("--output-tokens", type=request_tokens, default=300.0, metavar="O", help="default 300")
    lm.add_argument(
        "--bytes", type=int, choices=(2, 1), default=2, help="bytes per weight: 2 bf16 (default), 1 8-bit"
    )
    lm.add_argument(
        "--tpot-ms",
        type=positive,
        default=DEFAULT_TPOT_MS,
        metavar="MS",
        help=f"time per output token target (default {DEFAULT_TPOT_MS:g})",
    )
    lm.add_argument("--no-latency-target", action="store_true", help="no time per output token bound")
    lm.add_argument("--mfu", type=fraction, default=0.4, help="fraction of peak in compute (default 0.4)")
    lm.add_argument(
        "--bandwidth-efficiency", type=fraction, default=0.6, help="fraction of bandwidth (default 0.6)"
    )
    lm.add_argument("--utilisation", type=fraction, default=0.5, help="average load (default 0.5)")
    add_catalog_options(lm)
    _add_json(lm)


def _add_optimal(sub: Any) -> None:
    """``optimal``: the compute-optimal model for a FLOP budget."""
    op = sub.add_parser(
        "optimal",
        help="the compute-optimal parameters and tokens for a FLOP budget (Chinchilla law)",
        description="N and D that minimise L(N, D) = E + A/N^α + B/D^β under C = 6·N·D.",
    )
    op.add_argument("--flops", type=positive, required=True, metavar="C", help="training FLOPs, e.g. 1e23")
    op.add_argument(
        "--law",
        choices=("epoch", "hoffmann"),
        default="epoch",
        help="epoch: the Epoch AI refit (default); hoffmann: the rounded published constants",
    )
    _add_json(op)


def _add_validate(sub: Any) -> None:
    """``validate``: estimates beside published runs."""
    va = sub.add_parser(
        "validate",
        help="Moatlab's estimates beside published training runs and MLPerf results",
        description="Every bundled published figure with Moatlab's estimate of it and the ratio.",
    )
    _add_json(va)


def _add_data_value(sub: Any) -> None:
    """``data-value``: the value of more labelled data."""
    d = sub.add_parser(
        "data-value",
        help="fit a run's learning curve and price more labels against their value",
        description="Value of data from the run's learning curve (python -m mlcore sweep).",
    )
    d.add_argument("--run", required=True, metavar="ID", help="a run with a learning curve")
    d.add_argument(
        "--label-cost-usd", type=non_negative, required=True, metavar="C", help="USD per labelled sample"
    )
    d.add_argument(
        "--value-per-point-usd",
        type=non_negative,
        required=True,
        metavar="V",
        help="USD per accuracy point per year",
    )
    d.add_argument("--horizon-years", type=positive, default=1.0, help="years of value (default 1)")
    d.add_argument("--buy", type=count_from_0, metavar="N", help="price buying N more labels")
    d.add_argument(
        "--max-n", type=count_from_1, metavar="N", help="largest training set (default 100 × current)"
    )
    _add_json(d)


def _add_template(sub: Any) -> None:
    """``template``: a scenario to start from."""
    tp = sub.add_parser(
        "template",
        help="print a complete revenue scenario (base, bull or bear) as JSON",
        description="A complete, valid scenario to start from: edit it and pass it to `project`.",
    )
    tp.add_argument("--kind", choices=tuple(TEMPLATES), default="base", help="which template (default base)")
    tp.add_argument("--json", action="store_true", help="print JSON (the only format; accepted for symmetry)")


def _add_project(sub: Any) -> None:
    """``project``: a scenario's projection."""
    pj = sub.add_parser(
        "project",
        help="project a scenario month by month: KPIs, the monthly table and (with --paths) Monte Carlo",
        description=(
            "Project SCENARIO.json (see `template`). With --run ID the run's measured accuracy, "
            "training cost and serving cost replace the scenario's typed technical inputs."
        ),
    )
    _add_scenario_and_run(pj)
    pj.add_argument(
        "--spread",
        action="store_true",
        help=(
            "with --run: use the run's seed spread as Monte Carlo ranges for accuracy and serving cost "
            "(default: the scenario's use_run_spread)"
        ),
    )
    pj.add_argument("--paths", type=paths, metavar="N", help="Monte Carlo paths (e.g. 10000; default: none)")
    _add_seed(pj)
    add_catalog_options(pj)
    _add_json(pj)


def _add_report(sub: Any) -> None:
    """``report``: a scenario's HTML report and workbook."""
    rp = sub.add_parser(
        "report",
        help="write a scenario's business case as a self-contained HTML report and/or an Excel workbook",
        description=(
            "The business case of SCENARIO.json (driven by --run ID) as the app shares it: an HTML "
            "report that opens offline (-o) and/or an Excel workbook (--xlsx)."
        ),
    )
    _add_scenario_and_run(rp)
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
        type=cny_rate,
        metavar="R",
        help="CNY per USD, with --currency CNY (default: the app's default rate)",
    )
    rp.add_argument(
        "--paths",
        type=paths,
        default=10_000,
        metavar="N",
        help=f"Monte Carlo paths, 1–{MAX_PATHS:,} (default 10,000)",
    )
    _add_seed(rp)
    add_catalog_options(rp)
