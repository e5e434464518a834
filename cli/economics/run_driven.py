"""Commands driven by a saved run's measurements: ``serving`` (its inference profile priced on
catalog hardware, with a capacity plan) and ``data-value`` (its learning curve fitted and more
labels priced against their value)."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

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
from bizmodel.run_cost import RunCostError, run_cpu_instance
from bizmodel.serving import ServingAssumptions, ServingError, best_serving, capacity_plan, serving_options
from cli.economics.argtypes import MAX_WHOLE, fits
from cli.economics.errors import fail, why
from cli.economics.output import dump, num, records, table, usd
from cli.economics.sources import catalog_json, catalog_lines, load_basis, load_catalog, load_record
from mlcore.tasks import LearningCurve, curve_rule_line
from present.explain import words

if TYPE_CHECKING:
    from bizmodel.data_value import CurveFit, CurvePointIn, OptimalSize, Purchase

CURVE_GRID_POINTS = 25
"""Sizes on the log grid of the ``data-value`` curve (besides the current, optimal and bought ones)."""


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
        fail(
            f"--requests-per-month {requests_per_month:g} needs {needed:.3g} instances of the slowest option "
            f"(peak requests/s ÷ (samples/s × utilisation)), more than {MAX_WHOLE:,}; give a smaller volume"
        )


def cmd_serving(args: argparse.Namespace) -> int:
    """``serving``: the run's inference priced on catalog hardware and planned for a volume and p95 target."""
    catalog = load_catalog(args)
    try:
        assumptions = ServingAssumptions(utilisation=args.utilisation, efficiency=args.efficiency)
    except ServingError as exc:
        fail(why(exc))
    basis = load_basis(args.run)
    if not basis.has_inference:
        fail(
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
        fail(why(exc))
    best = best_serving(plan)
    today = date.today()
    cpu_json = None
    if cpu is not None:
        keys = ("provider", "region", "instance_type", "vcpus", "on_demand_usd_per_hour", "as_of", "source")
        cpu_json = {k: cpu.get(k) for k in keys}
    if args.json:
        dump(
            {
                "catalog": catalog_json(catalog, today),
                "run_id": basis.run_id,
                "target": {"requests_per_month": args.requests_per_month, "p95_target_ms": args.p95_ms},
                "assumptions": dataclasses.asdict(assumptions),
                "cpu_instance": cpu_json,
                "best": best,
                "plan": records(plan),
            }
        )
        return 0
    print(
        f"run {basis.run_id}: {args.requests_per_month:,.0f} requests a month at p95 ≤ {args.p95_ms:g} ms "
        f"(utilisation {args.utilisation:.0%} at peak, estimates at {args.efficiency:.0%} of peak)"
    )
    for line in catalog_lines(catalog, today):
        print(line)
    if best is None:
        print(f"no priced option meets the p95 target of {args.p95_ms:g} ms: relax it or measure on a GPU")
    else:
        print(
            f"best: {words(best['option'], 'en')} ({best['provenance']}): "
            f"{int(best['instances'])} instance(s), "
            f"{usd(best['monthly_usd'])} a month, {usd(best['usd_per_1000_at_load'])} per 1,000 requests, "
            f"p95 per request {num(best['p95_request_ms'], ',.2f')} ms (batch fill included)"
        )
    header = ("option", "source", "p95 ms", "samples/s", "instances", "per month", "per 1,000", "meets")
    rows = [
        (
            words(r["option"], "en"),
            str(r["provenance"]),
            num(r["p95_request_ms"], ",.2f"),
            num(r["samples_per_second"], ",.0f"),
            str(int(r["instances"])),
            usd(r["monthly_usd"]),
            usd(r["usd_per_1000_at_load"]),
            "yes" if r["meets_p95_target"] else "no",
        )
        for _, r in plan.head(10).iterrows()
    ]
    print(table(header, rows, right={2, 3, 4, 5, 6}))
    print(f"({len(rows)} of {len(plan)} options; --json for all)")
    return 0


# --------------------------------------------------------------------------- data value


def _int_or_none(value: object) -> int | None:
    """``value`` as a whole number, or None when it is missing or not a number."""
    try:
        return int(value) if value is not None else None  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _curve_grid(n_min: int, max_n: int, extra: Sequence[int]) -> np.ndarray:
    """A log grid of training-set sizes from ``n_min`` to ``max_n``, plus the ``extra`` sizes."""
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


@dataclasses.dataclass(frozen=True)
class _DataValue:
    """What ``data-value`` computes from a run's learning curve and the typed economics."""

    points: tuple[CurvePointIn, ...]
    fit: CurveFit
    current: int
    econ: DataEconomics
    max_n: int
    optimal: OptimalSize
    purchase: Purchase | None
    curve: pd.DataFrame


def _value_data(args: argparse.Namespace, record: dict[str, Any]) -> _DataValue:
    """Fit the run's learning curve, find the optimal size, price ``--buy``; exits 2 when it cannot."""
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
        fits(
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
        fail(why(exc))
    return _DataValue(points, fit, current, econ, max_n, optimal, purchase, curve)


def cmd_data_value(args: argparse.Namespace) -> int:
    """``data-value``: the training-set size worth buying to, and what ``--buy N`` more labels are worth."""
    record = load_record(args.run)
    value = _value_data(args, record)
    rule_fields, rule_line = _curve_rule(record)
    if args.json:
        dump(_data_value_document(record, value, rule_fields))
        return 0
    _print_data_value(args, record, value, rule_line)
    return 0


def _data_value_document(
    record: dict[str, Any], value: _DataValue, rule_fields: dict[str, Any]
) -> dict[str, Any]:
    """``data-value --json``."""
    fit, purchase = value.fit, value.purchase
    fit_json = {f.name: getattr(fit, f.name) for f in dataclasses.fields(fit) if f.name != "boot_params"}
    fit_json["max_accuracy"] = fit.max_accuracy
    current = value.current
    return {
        "run_id": str(record.get("id")),
        "economics": {**dataclasses.asdict(value.econ), "current_n": current, "max_n": value.max_n},
        "curve_rule": rule_fields,
        "points": [dataclasses.asdict(p) for p in value.points],
        "fit": fit_json,
        "optimal": {**dataclasses.asdict(value.optimal), "buy": value.optimal.buy},
        "purchase": (
            None if purchase is None else {**dataclasses.asdict(purchase), "summary": purchase.summary()}
        ),
        "curve": records(value.curve),
    }


def _print_data_value(
    args: argparse.Namespace, record: dict[str, Any], value: _DataValue, rule_line: str
) -> None:
    """``data-value`` for people: the fit, the economics, the optimum, the purchase and the curve."""
    fit, optimal, purchase = value.fit, value.optimal, value.purchase
    print(
        f"run {record.get('id')}: error(n) = {fit.a:.4g}·n^(−{fit.b:.3g}) + {fit.c:.3g} fitted to "
        f"{fit.n_points} points ({fit.n_min:,}–{fit.n_max:,} samples), RMSE {fit.rmse_points:.2f} points; "
        f"accuracy can reach {100 * fit.max_accuracy:.1f} % at most"
    )
    print(f"learning curve {rule_line}")
    print(
        f"now: {value.current:,} samples; value ${args.value_per_point_usd:,.0f} per point a year for "
        f"{args.horizon_years:g} year(s); labels ${args.label_cost_usd:,.4g} each"
    )
    if optimal.buy:
        print(
            f"optimal: buy {optimal.extra_samples:,} more → {optimal.n_train:,} samples, accuracy "
            f"{100 * optimal.accuracy:.2f} % (+{optimal.gain_points:.2f} points), net value "
            f"{usd(optimal.net_value_usd)} ({optimal.bound}"
            f"{', extrapolated' if optimal.extrapolated else ''})"
        )
    else:
        print("optimal: buy nothing: the next label is worth less than it costs")
    if purchase is not None:
        print(
            f"purchase: {purchase.summary()}; costs {usd(purchase.labelling_cost_usd)}, net value "
            f"{usd(purchase.net_value_usd)} over {purchase.horizon_years:g} year(s)"
        )
    header = ("n_train", "accuracy", "gain (points)", "interval", "net value", "value of +1 sample")
    rows = [
        (
            f"{int(r['n_train']):,}" + ("*" if r["extrapolated"] else ""),
            f"{100 * r['accuracy']:.2f} %",
            num(r["gain_points"], "+.2f"),
            f"{num(r['gain_points_low'], '.2f')}–{num(r['gain_points_high'], '.2f')}",
            usd(r["net_value_usd"]),
            usd(r["marginal_value_usd_per_sample"]),
        )
        for _, r in value.curve.iterrows()
    ]
    print(table(header, rows, right={0, 1, 2, 3, 4, 5}))
    print(f"* beyond the largest measured size; intervals are {100 * fit.interval_level:.0f} %")
    for note in fit.notes:
        print(f"note: {words(note, 'en')}")
