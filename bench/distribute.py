"""One tiny run on one device against the same run mirrored over logical CPU devices.

    python bench/distribute.py [--devices 2] [--rounds 2] [--epochs 3] [--batch-size 64]

Splits the CPU into ``--devices`` logical devices (as a worker started with
``MOATLAB_CPU_DEVICES=N`` does), then trains the article MLP on the bundled ``digits`` data with
``distribute="none"`` and ``distribute="mirrored"`` alternately for ``--rounds`` rounds (so
machine noise hits both alike) and prints each run's wall seconds and training samples/s, the
median of each and the ratio mirrored ÷ one device. Logical CPU devices share the same cores:
the mirrored path is expected to be slower here; it only pays with several GPUs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=2, help="logical CPU devices (default 2)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64, help="the global batch")
    args = parser.parse_args()

    from mlcore.engine.distribute import split_cpu_devices_tf_only

    have = split_cpu_devices_tf_only(args.devices)  # before TensorFlow initialises

    from mlcore.datasets import load
    from mlcore.engine.devices import choose_device, probe_peak
    from mlcore.engine.train import TrainContext, train
    from mlcore.specs import TrainRequest, preset_spec

    data = load("digits")
    device = choose_device(force_cpu=True)
    peak = probe_peak(device, size=1024, repeats=3)
    spec = preset_spec("article-mlp", epochs=args.epochs, batch_size=args.batch_size)
    figures: dict[str, list[tuple[float, float]]] = {"none": [], "mirrored": []}
    print(f"digits, article MLP, {args.epochs} epochs, global batch {args.batch_size}, {have} CPU devices")
    with tempfile.TemporaryDirectory() as home:
        for r in range(args.rounds):
            for mode in ("none", "mirrored"):
                request = TrainRequest(spec=spec, dataset="digits", distribute=mode)
                ctx = TrainContext(f"bench-{mode}-{r}", "", Path(home), device, peak)
                rec = train(request, data, ctx)
                wall, sps = rec.wall_seconds or 0.0, rec.samples_per_second or 0.0
                figures[mode].append((wall, sps))
                replicas = rec.distribution.replicas if rec.distribution else 1
                print(
                    f"round {r + 1}  {mode:8s}  replicas {replicas}  wall {wall:6.2f} s  "
                    f"{sps:8.0f} samples/s  test acc {rec.test_accuracy or 0:.3f}"
                )
    med = {
        m: (statistics.median(w for w, _ in v), statistics.median(s for _, s in v))
        for m, v in figures.items()
    }
    for mode, (wall, sps) in med.items():
        print(f"median    {mode:8s}  wall {wall:6.2f} s  {sps:8.0f} samples/s")
    print(
        f"mirrored ÷ one device: wall ×{med['mirrored'][0] / med['none'][0]:.2f}, "
        f"samples/s ×{med['mirrored'][1] / med['none'][1]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
