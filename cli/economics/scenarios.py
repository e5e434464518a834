"""Revenue scenarios: ``template`` (a complete scenario to start from) and ``project`` (its monthly
projection, KPIs and Monte Carlo, optionally driven by a saved run)."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from bizmodel.binding import BindingError, RunInputs, bind, inputs_for
from bizmodel.median_gap import median_gap
from bizmodel.montecarlo import MonteCarloError, simulate
from bizmodel.production import factor_text, usd_text
from bizmodel.projection import Kpis, kpis, project
from bizmodel.reasons import Reason
from bizmodel.scenario import TEMPLATES, Scenario
from bizmodel.scenario_bounds import ScenarioError
from cli.economics.errors import fail, why
from cli.economics.output import dump, records, signed_usd, table, usd
from cli.economics.sources import load_basis, load_catalog
from present.explain import words

MAX_SCENARIO_BYTES = 1_000_000


def cmd_template(args: argparse.Namespace) -> int:
    print(json.dumps(TEMPLATES[args.kind]().to_dict(), indent=2, ensure_ascii=False, allow_nan=False))
    return 0


def read_scenario(path: Path) -> Scenario:
    """The scenario in ``path``; exits 2 naming every invalid field (or the JSON error's place)."""
    try:
        size = path.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            fail(f"{path} is {size / 1e6:.1f} MB; a scenario file is at most {MAX_SCENARIO_BYTES / 1e6:g} MB")
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is allowed, as in the app
    except IsADirectoryError:
        fail(f"cannot read {path}: it is a directory")
    except UnicodeDecodeError:
        fail(f"{path} is not UTF-8 text; save the scenario as UTF-8 JSON")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        fail(f"{path} is not valid JSON: {exc}")
    except RecursionError:
        fail(f"{path} is nested too deeply (lists or objects inside each other); it is not a scenario")
    try:
        return Scenario.from_dict(data)
    except ScenarioError as exc:
        problems = "\n".join(f"  - {p}" for p in exc.problems)
        fail(f"{path} is not a valid scenario ({len(exc.problems)} problem(s)):\n{problems}")


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows; write a finite number")


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
            fail(f"run {args.run} cannot drive this scenario: {why(exc)}")
    elif args.spread:
        fail("--spread needs --run ID (the run whose seed spread gives the ranges)")
    frame = project(scenario)
    k = kpis(frame, scenario)
    result = None
    if args.paths:
        try:
            simulated = simulate(scenario, paths=args.paths, seed=args.seed)
            result = {**simulated.summary(), "median_gap": median_gap(scenario, simulated.npv_usd).to_dict()}
        except MonteCarloError as exc:
            fail(why(exc))
    if args.json:
        monthly = [{"month": int(m), **row} for m, row in zip(frame.index, records(frame), strict=True)]
        dump(
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
        f"{usd(k.npv_with_terminal_usd)} ({usd(k.terminal_value_usd)} beyond the horizon, "
        f"{scenario.terminal_value.replace('_', ' ')})"
        if k.npv_with_terminal_usd is not None
        else f"– ({words(k.reasons.get('npv_with_terminal_usd'), 'en')})"
    )
    lines = [
        ("NPV", usd(k.npv_usd)),
        ("NPV + terminal", terminal),
        ("IRR (annual)", irr),
        ("break-even", _month_text(k.break_even_month)),
        ("payback", _month_text(k.payback_month)),
        ("runway", _month_text(k.runway_months) if k.runway_months is not None else "cash never below 0"),
        ("lowest cash", usd(k.min_cash_usd)),
        ("ending ARR", usd(k.ending_arr_usd)),
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
            usd(frame.at[m, "revenue_usd"]),
            usd(frame.at[m, "operating_cash_flow_usd"]),
            usd(frame.at[m, "cash_usd"]),
        )
        for m in months
    ]
    print(table(header, rows, right={0, 1, 2, 3, 4}))
    if mc is not None:
        npv = mc["npv_usd"]
        print(
            f"Monte Carlo, {mc['paths']:,} paths (seed {mc['seed']}): NPV P10 {usd(npv['p10'])}, "
            f"P50 {usd(npv['p50'])}, P90 {usd(npv['p90'])}; P(out of cash) "
            f"{mc['probability_out_of_cash']:.1%}; P(break-even) {mc['probability_break_even']:.1%}"
        )
        gap = mc["median_gap"]
        parts = [
            f"{d['field']} {signed_usd(d['npv_effect_usd'])}" for d in gap["drivers"] if d["npv_effect_usd"]
        ]
        print(
            f"  P50 − plan NPV {signed_usd(gap['gap_usd'])} ({gap['verdict'].replace('_', ' ')}): "
            + "; ".join([*parts, f"the ranges together {signed_usd(gap['interaction_usd'])}"])
        )
    print("(--json for every month and KPI)")
