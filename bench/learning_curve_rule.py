"""How a learning-curve sweep trains its fractions: the rules side by side against a converged model.

    python bench/learning_curve_rule.py [--datasets digits,mnist-5k] [--epochs 10] [--seeds 2]
                                        [--fractions 0.1,0.25,0.5,1] [--rules all] [--buy 5000]

Trains the article MLP (the default spec, ``--epochs`` epochs) on every fraction × seed of the
run's training split, by each rule, through the sweep's own code (plan, ``fit_and_score``,
gathering), and prints per dataset and rule the mean test accuracy at every fraction, the mean
optimizer steps per training, the wall seconds of the whole sweep, and what the fitted curve
says 5,000 more labels (``--buy``) are worth in accuracy points. Rules:

* ``run-epochs``: every fraction for the run's epochs (the old rule: fraction *f* gets *f* of
  the run's optimizer steps);
* ``equal-steps``: every fraction for the run's optimizer steps (its subset repeated within an
  epoch, the run's epochs);
* ``early-stopping``: the rule sweeps use (:func:`mlcore.tasks.curve_budget`);
* ``converged``: the reference: up to 300 epochs, early stopping with patience 20, best weights
  restored (an epoch of every fraction about one pass of the full split in steps).

No assertion: accuracies move with the seeds and timings with the machine (its load average is
printed); run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MOATLAB_OFFLINE", "1")

RULES = ("run-epochs", "equal-steps", "early-stopping", "converged")


def _budget(rule: str, planned: object, epochs: int) -> object:
    from mlcore.tasks import FitBudget

    repeats = planned.repeats  # type: ignore[attr-defined]
    if rule == "run-epochs":
        return FitBudget(epochs=epochs)
    if rule == "equal-steps":
        return FitBudget(epochs=epochs, repeats=repeats)
    if rule == "converged":
        return FitBudget(epochs=300, repeats=repeats, patience=20)
    return planned


def _gain(points: tuple, n_train: int, buy: int) -> str:
    from bizmodel.data_value import CurvePointIn, DataEconomics, DataValueError, buy_data, fit_learning_curve

    try:
        fit = fit_learning_curve(
            [CurvePointIn(p.n_train, p.accuracy_mean, p.accuracy_std, p.seeds) for p in points]
        )
        econ = DataEconomics(
            value_usd_per_point_per_year=20_000.0, label_cost_usd_per_sample=0.05, current_n=n_train
        )
        return f"{buy_data(fit, econ, buy).gain_points:+.2f}"
    except DataValueError as exc:
        return f"no fit ({str(exc)[:40]}…)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", default="digits,mnist-5k")
    parser.add_argument("--epochs", type=int, default=10, help="the run's epochs (default spec: 10)")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--fractions", default="0.1,0.25,0.5,1")
    parser.add_argument("--rules", default="all", help=f"comma-separated of {', '.join(RULES)}")
    parser.add_argument("--buy", type=int, default=5000, help="labels to price on each fitted curve")
    args = parser.parse_args()
    rules = RULES if args.rules == "all" else tuple(args.rules.split(","))

    from mlcore.datasets import load
    from mlcore.engine.devices import choose_device
    from mlcore.engine.experiments import InOrder, gather_curve, sweep_plan
    from mlcore.specs import TrainRequest, preset_spec
    from mlcore.tasks import SweepParams

    device = choose_device(force_cpu=True)
    params = SweepParams(fractions=tuple(float(f) for f in args.fractions.split(",")), seeds=args.seeds)
    print(
        f"article MLP, {args.epochs}-epoch run, seeds {args.seeds}, load average "
        f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}"
    )
    for name in args.datasets.split(","):
        data = load(name)
        request = TrainRequest(spec=preset_spec("article-mlp", epochs=args.epochs), dataset=name)
        planned = sweep_plan(request, data, params)
        header = " | ".join(f"{f:>5.0%}" for f in params.fractions)
        print(
            f"\n{name}: rule           | {header} | steps per training      | sweep s | +{args.buy:,} labels"
        )
        for rule in rules:
            tasks = [dataclasses.replace(t, budget=_budget(rule, t.budget, args.epochs)) for t in planned]
            t0 = time.perf_counter()
            scores = InOrder(device)(request, data, tasks, report=lambda _s, _m: None, stop_event=None)
            seconds = time.perf_counter() - t0
            curve = gather_curve(request, params, scores)
            accs = " | ".join(f"{100 * p.accuracy_mean:5.1f}" for p in curve.points)
            steps = "/".join(str(p.steps) for p in curve.points)
            capped = sum(p.capped or 0 for p in curve.points)
            gain = _gain(curve.points, curve.points[-1].n_train, args.buy)
            note = f" ({capped} capped)" if capped else ""
            print(f"{name}: {rule:<14} | {accs} | {steps:<22} | {seconds:7.1f} | {gain}{note}", flush=True)
    print(f"\nload average now {', '.join(f'{v:.1f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
