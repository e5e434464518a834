"""The same tiny learning-curve sweep served by the local worker and by the Ray executor.

    python bench/ray_sweep.py [--cpus 2] [--fractions 0.5,1] [--seeds 2] [--epochs 1] [--rounds 2]

Trains one article MLP on the bundled ``digits`` data, then submits the sweep (every fraction ×
every seed) as a queued job, first to the local worker (one process, trainings one after
another), then to a local Ray instance with ``--cpus`` CPUs (one Ray task per training). Each
executor runs ``--rounds`` sweeps; the first round of each includes starting its workers (the
local worker process, or Ray's worker processes, each importing TensorFlow once), the later
rounds are warm. Prints the wall seconds from submit to the stored curve, per round, and the
ratio Ray ÷ local for the warm rounds. No assertion: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("MOATLAB_OFFLINE", "1")


def _wait(manager: object, job_id: str, timeout: float = 900.0) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = manager.view(job_id)  # type: ignore[attr-defined]
        if view is not None and view.finished:
            return view
        time.sleep(0.05)
    raise SystemExit(f"job {job_id} did not finish within {timeout:.0f} s")


def _rounds(manager: object, run_id: str, params: dict, rounds: int) -> list[float]:
    seconds = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        view = _wait(manager, manager.submit_task(run_id, "sweep", params).job_id)  # type: ignore[attr-defined]
        seconds.append(time.perf_counter() - t0)
        if view.status != "completed":  # type: ignore[attr-defined]
            raise SystemExit(f"the sweep ended {view.status}: {view.error}")  # type: ignore[attr-defined]
    return seconds


def _fmt(seconds: list[float]) -> str:
    return ", ".join(f"{s:.1f}" for s in seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray instance")
    parser.add_argument("--fractions", default="0.5,1", help="comma-separated fractions")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from mlcore.jobs import JobManager
    from mlcore.ray_executor import RayJobManager
    from mlcore.specs import TrainRequest, preset_spec
    from store import Store

    home = Path(tempfile.mkdtemp(prefix="moatlab-ray-bench-"))
    store = Store(f"sqlite:///{home / 'moatlab.db'}")
    params = {"fractions": [float(f) for f in args.fractions.split(",")], "seeds": args.seeds}
    trainings = len(params["fractions"]) * args.seeds

    local = JobManager(store, home)
    request = TrainRequest(spec=preset_spec("article-mlp", epochs=args.epochs), dataset="digits")
    trained = _wait(local, local.submit(request).job_id)
    run_id = trained.run_id  # type: ignore[attr-defined]
    local_s = _rounds(local, run_id, params, args.rounds)
    local.close()

    os.environ["MOATLAB_RAY_CPUS"] = str(args.cpus)
    ray_manager = RayJobManager(store, home, num_cpus=args.cpus)
    if not ray_manager.wait_connected(120):
        raise SystemExit(f"Ray did not start: {ray_manager.worker_problem}")
    ray_s = _rounds(ray_manager, run_id, params, args.rounds)
    ray_manager.close()

    shape = f"{args.fractions} × {args.seeds} seeds, {args.epochs} epoch(s)"
    print(f"sweep on digits: {trainings} trainings ({shape})")
    print(f"  local worker : {_fmt(local_s)} s (its worker is already warm from training the run)")
    print(f"  Ray, {args.cpus} CPUs  : {_fmt(ray_s)} s (the first round starts Ray's workers)")
    if args.rounds > 1:
        warm_local, warm_ray = statistics.median(local_s[1:]), statistics.median(ray_s[1:])
        ratio = warm_ray / warm_local
        print(f"  warm median  : local {warm_local:.1f} s, Ray {warm_ray:.1f} s, Ray ÷ local {ratio:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
