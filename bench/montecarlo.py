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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bizmodel import finance
from bizmodel.montecarlo import sample_inputs, simulate
from bizmodel.projection import project
from bizmodel.scenario import base_template

TARGET_SECONDS = 0.5
AGREEMENT_RTOL = 1e-9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7, help="timed simulate() runs; the best counts")
    parser.add_argument("--loop-paths", type=int, default=200, help="paths run through the Python loop")
    parser.add_argument("--loop-repeats", type=int, default=3, help="timed loop runs; the best counts")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    scenario = base_template()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
        f"load average {load:.2f}"
    )
    fields = ", ".join(sorted(r.field for r in scenario.ranges))
    print(f"base template: {scenario.horizon_months} months, ranged inputs: {fields}")

    simulate(scenario, paths=min(args.paths, 1000), seed=args.seed)  # warm-up (imports, caches)
    times = []
    result = None
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = simulate(scenario, paths=args.paths, seed=args.seed)
        times.append(time.perf_counter() - t0)
    assert result is not None
    best = min(times)

    n_loop = min(args.loop_paths, args.paths)
    inputs = sample_inputs(scenario, paths=args.paths, seed=args.seed)
    columns = ("cash_usd", "revenue_usd", "operating_cash_flow_usd")
    loop = {name: np.empty((n_loop, scenario.horizon_months)) for name in columns}
    loop_npv = np.empty(n_loop)
    loop_times = []
    for _ in range(args.loop_repeats):
        t0 = time.perf_counter()
        for i in range(n_loop):
            single = scenario.with_values(**{name: float(values[i]) for name, values in inputs.items()})
            frame = project(single)
            for name in columns:
                loop[name][i] = frame[name].to_numpy()
            flows = frame["operating_cash_flow_usd"].to_numpy()
            loop_npv[i] = finance.npv(flows, single.annual_discount_rate)
        loop_times.append(time.perf_counter() - t0)
    loop_seconds = min(loop_times)
    per_path = loop_seconds / n_loop
    loop_extrapolated = per_path * args.paths

    worst = 0.0
    for name in columns:
        vectorised = getattr(result, name)[:n_loop]
        scale = np.maximum(np.abs(loop[name]), 1.0)
        worst = max(worst, float(np.max(np.abs(vectorised - loop[name]) / scale)))
    npv_scale = np.maximum(np.abs(loop_npv), 1.0)
    worst = max(worst, float(np.max(np.abs(result.npv_usd[:n_loop] - loop_npv) / npv_scale)))
    agree = worst <= AGREEMENT_RTOL

    print()
    print(f"{'':>36} {'seconds':>10} {'ms per 1,000 paths':>20}")
    print(
        f"{'simulate(), best of ' + str(args.repeats):>36} {best:>10.4f} {best / args.paths * 1e6:>20.2f}"
        f"   (median {sorted(times)[len(times) // 2]:.4f} s)"
    )
    print(
        f"{'Python loop, ' + f'{n_loop} paths, best of {args.loop_repeats}':>36} {loop_seconds:>10.4f} "
        f"{per_path * 1e6:>20.2f}"
    )
    print(
        f"{'Python loop, ' + f'extrapolated to {args.paths:,}':>36} {loop_extrapolated:>10.2f} "
        f"{per_path * 1e6:>20.2f}   ({per_path * 1e3:.3f} ms per path × {args.paths:,})"
    )
    print()
    print(f"vectorised vs loop: {loop_extrapolated / best:,.0f}× faster (loop time extrapolated per path)")
    print(
        f"agreement on the first {n_loop} paths (cash, revenue, operating cash flow, NPV): worst relative "
        f"difference {worst:.1e} (≤ {AGREEMENT_RTOL:.0e}: {'PASS' if agree else 'FAIL'})"
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
