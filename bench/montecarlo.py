"""Monte Carlo speed: the vectorised simulation against a per-path Python loop, same inputs.

    python bench/montecarlo.py [--paths 10000] [--repeats 7] [--loop-paths 200] [--loop-repeats 3]

Times ``bizmodel.montecarlo.simulate(base_template(), paths=--paths)`` (60 months, the base
template's five ranged inputs) as the best of ``--repeats`` runs after one warm-up, against the
straightforward loop: for each path, a ``Scenario`` built with ``with_values`` from that path's
sampled inputs, then ``project()`` and ``finance.npv`` on it. The loop runs on the first
``--loop-paths`` paths of the *same* sample (``sample_inputs`` with the same seed, which is what
``simulate`` draws), best of ``--loop-repeats`` runs; its time per path is extrapolated to
``--paths`` paths (stated in the output). ``--seed`` picks the sample. Both must agree on those
paths: cash, revenue, operating cash flow and NPV to 1e-9 relative (of max(|value|, $1)).

Target: the simulation of 10,000 paths in under 0.5 s. Exit status 1 when the target is missed or
the two disagree.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bizmodel import finance
from bizmodel.montecarlo import MonteCarloResult, sample_inputs, simulate
from bizmodel.projection import project
from bizmodel.scenario import Scenario, base_template

TARGET_SECONDS = 0.5
AGREEMENT_RTOL = 1e-9


#: The projected series compared between the vectorised simulation and the loop (USD per month).
COLUMNS = ("cash_usd", "revenue_usd", "operating_cash_flow_usd")


@dataclass(frozen=True)
class LoopRun:
    """The per-path loop on the first ``paths`` paths: each series (paths, months) in USD, each
    path's NPV in USD, and the best wall seconds of the timed runs."""

    paths: int
    series: dict[str, np.ndarray]
    npv_usd: np.ndarray
    seconds: float


def parse_args() -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7, help="timed simulate() runs; the best counts")
    parser.add_argument("--loop-paths", type=int, default=200, help="paths run through the Python loop")
    parser.add_argument("--loop-repeats", type=int, default=3, help="timed loop runs; the best counts")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def time_simulate(
    scenario: Scenario, *, paths: int, repeats: int, seed: int
) -> tuple[list[float], MonteCarloResult]:
    """Wall seconds of each of ``repeats`` ``simulate()`` runs of ``paths`` paths after one warm-up
    (imports, caches), and the last run's result."""
    simulate(scenario, paths=min(paths, 1000), seed=seed)  # warm-up (imports, caches)
    times = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = simulate(scenario, paths=paths, seed=seed)
        times.append(time.perf_counter() - t0)
    assert result is not None
    return times, result


def time_loop(scenario: Scenario, *, paths: int, loop_paths: int, repeats: int, seed: int) -> LoopRun:
    """The straightforward loop on the first ``loop_paths`` of the same ``paths``-path sample:
    for each path a ``Scenario`` with that path's values, ``project()`` and ``finance.npv``;
    best wall seconds of ``repeats`` runs."""
    n_loop = min(loop_paths, paths)
    inputs = sample_inputs(scenario, paths=paths, seed=seed)
    series = {name: np.empty((n_loop, scenario.horizon_months)) for name in COLUMNS}
    npv_usd = np.empty(n_loop)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(n_loop):
            single = scenario.with_values(**{name: float(values[i]) for name, values in inputs.items()})
            frame = project(single)
            for name in COLUMNS:
                series[name][i] = frame[name].to_numpy()
            flows = frame["operating_cash_flow_usd"].to_numpy()
            npv_usd[i] = finance.npv(flows, single.annual_discount_rate)
        times.append(time.perf_counter() - t0)
    return LoopRun(paths=n_loop, series=series, npv_usd=npv_usd, seconds=min(times))


def worst_difference(result: MonteCarloResult, loop: LoopRun) -> float:
    """The largest relative difference between the simulation and the loop on the loop's paths,
    over the series and the NPV (relative to max(|loop value|, $1))."""
    worst = 0.0
    for name in COLUMNS:
        vectorised = getattr(result, name)[: loop.paths]
        scale = np.maximum(np.abs(loop.series[name]), 1.0)
        worst = max(worst, float(np.max(np.abs(vectorised - loop.series[name]) / scale)))
    npv_scale = np.maximum(np.abs(loop.npv_usd), 1.0)
    return max(worst, float(np.max(np.abs(result.npv_usd[: loop.paths] - loop.npv_usd) / npv_scale)))


def print_timings(args: argparse.Namespace, times: list[float], loop: LoopRun) -> None:
    """The table of seconds and milliseconds per 1,000 paths: simulate(), the loop, the loop
    extrapolated to ``--paths``, and the speed-up."""
    best = min(times)
    per_path = loop.seconds / loop.paths
    loop_extrapolated = per_path * args.paths
    print()
    print(f"{'':>36} {'seconds':>10} {'ms per 1,000 paths':>20}")
    print(
        f"{'simulate(), best of ' + str(args.repeats):>36} {best:>10.4f} {best / args.paths * 1e6:>20.2f}"
        f"   (median {sorted(times)[len(times) // 2]:.4f} s)"
    )
    print(
        f"{'Python loop, ' + f'{loop.paths} paths, best of {args.loop_repeats}':>36} {loop.seconds:>10.4f} "
        f"{per_path * 1e6:>20.2f}"
    )
    print(
        f"{'Python loop, ' + f'extrapolated to {args.paths:,}':>36} {loop_extrapolated:>10.2f} "
        f"{per_path * 1e6:>20.2f}   ({per_path * 1e3:.3f} ms per path × {args.paths:,})"
    )
    print()
    print(f"vectorised vs loop: {loop_extrapolated / best:,.0f}× faster (loop time extrapolated per path)")


def main() -> int:
    """Time both, check they agree, print the figures; 0 when the target is met and they agree."""
    args = parse_args()
    scenario = base_template()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
        f"load average {load:.2f}"
    )
    fields = ", ".join(sorted(r.field for r in scenario.ranges))
    print(f"base template: {scenario.horizon_months} months, ranged inputs: {fields}")

    times, result = time_simulate(scenario, paths=args.paths, repeats=args.repeats, seed=args.seed)
    loop = time_loop(
        scenario, paths=args.paths, loop_paths=args.loop_paths, repeats=args.loop_repeats, seed=args.seed
    )
    worst = worst_difference(result, loop)
    agree = worst <= AGREEMENT_RTOL
    best = min(times)

    print_timings(args, times, loop)
    print(
        f"agreement on the first {loop.paths} paths (cash, revenue, operating cash flow, NPV): "
        f"worst relative difference {worst:.1e} (≤ {AGREEMENT_RTOL:.0e}: {'PASS' if agree else 'FAIL'})"
    )
    ok = best < TARGET_SECONDS
    print(
        f"simulate({args.paths:,} paths): {best:.3f} s "
        f"(target < {TARGET_SECONDS} s: {'PASS' if ok else 'FAIL'})"
    )
    print(
        f"P(out of cash) {result.probability_out_of_cash:.3f}, "
        f"P(break even) {result.probability_break_even:.3f}, "
        f"NPV P50 ${result.npv_percentiles()['p50']:,.0f}"
    )
    return 0 if ok and agree else 1


if __name__ == "__main__":
    sys.exit(main())
