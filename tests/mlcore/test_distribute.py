"""One run mirrored across devices (``TrainRequest.distribute="mirrored"``).

The multi-device run goes through the command line's foreground path in a subprocess started
with ``MOATLAB_CPU_DEVICES=2`` (the CPU must be split before TensorFlow initialises, which this
test process may already have done). The rest is the spec, the record's JSON and the pure rules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.training import UsageError, build_parser, prepare, request_from_args
from mlcore.engine.distribute import (
    check_global_batch,
    cpu_devices_requested,
    distributed_peak,
)
from mlcore.specs import Distribution, RunRecord, SpecError, TrainRequest, preset_spec

ROOT = Path(__file__).resolve().parents[2]
RECORDED = ROOT / "tests" / "app" / "data" / "recorded_run.json"


def _cli(home: Path, *args: str, cpu_devices: int) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        MOATLAB_HOME=str(home),
        MOATLAB_OFFLINE="1",
        KERAS_HOME=str(home / "keras"),
        MOATLAB_CPU_DEVICES=str(cpu_devices),
        KERAS_BACKEND="tensorflow",
    )
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "mlcore", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.slow
def test_a_mirrored_run_on_two_logical_cpu_devices_records_both(tmp_path: Path) -> None:
    proc = _cli(
        tmp_path,
        "train",
        "--dataset",
        "digits",
        "--epochs",
        "1",
        "--batch-size",
        "64",
        "--distribute",
        "mirrored",
        "--json",
        cpu_devices=2,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    record = RunRecord.from_json(proc.stdout)
    assert record.status == "completed" and record.error is None
    assert record.request.distribute == "mirrored"
    d = record.distribution
    assert d is not None
    assert d.strategy == "MirroredStrategy"
    assert d.replicas == 2
    assert d.devices == ("/cpu:0", "/cpu:1")
    assert (d.global_batch_size, d.per_replica_batch_size) == (64, 32)
    assert "logical CPU" in d.note
    assert record.test_accuracy is not None and record.samples_per_second
    # Logical CPU devices share the cores the one probe measured: the peak is not doubled.
    assert record.peak_flops_method and "not multiplied" in record.peak_flops_method
    assert record.mfu == pytest.approx(record.achieved_flops_per_second / record.peak_flops_per_second)
    # The saved run holds the same distribution (the store round trip).
    listed = _cli(tmp_path, "runs", "--json", cpu_devices=2)
    assert listed.returncode == 0, listed.stderr[-2000:]
    saved = [RunRecord.from_dict(r) for r in json.loads(listed.stdout)]
    assert [r.distribution for r in saved] == [d]


def test_mirrored_on_one_device_still_runs_and_says_so(tmp_path: Path) -> None:
    """A strategy over the single default CPU device, in this process (no CPU split)."""
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "tensorflow":
        pytest.skip("MirroredStrategy is TensorFlow only; this process runs another Keras backend")
    from mlcore.datasets import load
    from mlcore.engine.devices import Device, PeakProbe
    from mlcore.engine.train import TrainContext, train

    cpu = Device("cpu:0", "cpu", "CPU")
    ctx = TrainContext("run-d1", "2026-01-01T00:00:00Z", tmp_path, cpu, PeakProbe(cpu, 1e11, "probe"))
    request = TrainRequest(
        spec=preset_spec("article-mlp", epochs=1, batch_size=64), dataset="digits", distribute="mirrored"
    )
    record = train(request, load("digits"), ctx)
    assert record.status == "completed"
    assert record.distribution is not None
    assert record.distribution.replicas == 1 and record.distribution.devices == ("/cpu:0",)
    assert "split nothing" in record.distribution.note
    assert (record.peak_flops_per_second, record.peak_flops_method) == (1e11, "probe")


def test_mirrored_is_refused_under_another_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    keras = pytest.importorskip("keras")
    from mlcore.engine.distribute import mirrored_strategy_tf_only

    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(SpecError, match=r"needs the TensorFlow backend.*runs Keras on jax"):
        mirrored_strategy_tf_only("cpu", 32)


def test_the_cli_refuses_mirrored_under_another_backend_before_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    args = build_parser().parse_args(["train", "--dataset", "digits", "--distribute", "mirrored"])
    with pytest.raises(UsageError, match="TensorFlow backend"):
        prepare(args, tmp_path)


def test_the_cli_option_maps_onto_the_request() -> None:
    parse = build_parser().parse_args
    assert request_from_args(parse(["train"])).distribute == "none"
    assert request_from_args(parse(["train", "--distribute", "mirrored"])).distribute == "mirrored"
    with pytest.raises(SystemExit):
        parse(["train", "--distribute", "multiworker"])


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("none", True),
        ("mirrored", True),
        ("Mirrored", False),
        ("multiworker", False),
        ("", False),
        (None, False),
    ],
)
def test_distribute_is_validated(value: object, ok: bool) -> None:
    if ok:
        assert TrainRequest(distribute=value).distribute == value  # type: ignore[arg-type]
    else:
        with pytest.raises(SpecError, match="distribute must be one of none, mirrored"):
            TrainRequest(distribute=value)  # type: ignore[arg-type]


def test_request_and_record_round_trip_through_json() -> None:
    request = TrainRequest(dataset="digits", distribute="mirrored")
    assert TrainRequest.from_dict(json.loads(json.dumps(request.to_dict()))) == request
    dist = Distribution("MirroredStrategy", 2, ("/cpu:0", "/cpu:1"), 64, 32, "a note")
    record = RunRecord(
        id="r", name="r", created_at="2026-01-01T00:00:00Z", status="completed", request=request
    ).replace(distribution=dist)
    data = json.loads(record.to_json())
    assert data["distribution"] == {
        "strategy": "MirroredStrategy",
        "replicas": 2,
        "devices": ["/cpu:0", "/cpu:1"],
        "global_batch_size": 64,
        "per_replica_batch_size": 32,
        "note": "a note",
    }
    assert RunRecord.from_json(record.to_json()) == record


def test_old_requests_and_records_without_the_field_still_load() -> None:
    data = json.loads(RECORDED.read_text())["record"]
    data.pop("distribution", None)
    data["request"].pop("distribute", None)
    old = RunRecord.from_dict(data)
    assert old.distribution is None and old.request.distribute == "none"
    assert TrainRequest.from_dict({"dataset": "digits"}).distribute == "none"


@pytest.mark.parametrize(
    ("env", "expected"),
    [({}, 1), ({"MOATLAB_CPU_DEVICES": "2"}, 2), ({"MOATLAB_CPU_DEVICES": " 4 "}, 4)]
    + [({"MOATLAB_CPU_DEVICES": bad}, 1) for bad in ("0", "-2", "two", "99")],
)
def test_cpu_devices_env(env: dict[str, str], expected: int) -> None:
    assert cpu_devices_requested(env) == expected


@pytest.mark.parametrize(
    ("batch", "replicas", "ok"), [(32, 1, True), (32, 2, True), (33, 2, False), (1, 2, False), (30, 4, False)]
)
def test_the_global_batch_must_split_evenly(batch: int, replicas: int, ok: bool) -> None:
    if ok:
        check_global_batch(batch, replicas)
    else:
        with pytest.raises(SpecError, match=f"multiple of {replicas}"):
            check_global_batch(batch, replicas)


@pytest.mark.parametrize(
    ("kind", "replicas", "peak", "marker"),
    [("gpu", 4, 400.0, "× 4 GPUs"), ("cpu", 2, 100.0, "not multiplied"), ("gpu", 1, 100.0, None)],
)
def test_peak_accounts_for_the_devices(kind: str, replicas: int, peak: float, marker: str | None) -> None:
    flops, method = distributed_peak(100.0, "probe", device_kind=kind, replicas=replicas)
    assert flops == peak
    if marker is None:
        assert method == "probe"
    else:
        assert method is not None and method.startswith("probe; ") and marker in method
    assert distributed_peak(None, None, device_kind=kind, replicas=replicas) == (None, None)
