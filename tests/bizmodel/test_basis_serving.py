"""Technical basis, cost of the measured run and serving economics: hand-computed cases and properties."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizmodel.basis import BasisError, TechnicalBasis
from bizmodel.reasons import Reason
from bizmodel.run_cost import (
    RunCostError,
    accelerator_for_device,
    closest_instance,
    cpu_arch,
    device_cpu_arch,
    instance_for_device,
    price_run,
    rent_usd,
)
from bizmodel.serving import (
    OPTION_COLUMNS,
    ServingAssumptions,
    ServingError,
    best_serving,
    capacity_plan,
    float_vs_int8,
    serving_options,
    usd_per_1000,
)

RECORDED = Path(__file__).resolve().parents[1] / "app" / "data" / "recorded_run.json"


def recorded_record() -> dict[str, Any]:
    return json.loads(RECORDED.read_text(encoding="utf-8"))["record"]


def profile_row(**overrides: Any) -> dict[str, Any]:
    row = {
        "device": "CPU (Test CPU, 2 logical cores)",
        "device_kind": "cpu",
        "path": "compiled",
        "batch_size": 32,
        "p50_ms": 0.8,
        "p95_ms": 1.0,
        "p99_ms": 1.5,
        "mean_ms": 0.8,
        "samples_per_second": 40_000.0,
        "calls": 200,
        "model_bytes": 35_880,
        "quantized": False,
        "accuracy": 0.95,
    }
    row.update(overrides)
    return row


def record_with_extras() -> dict[str, Any]:
    rec = recorded_record()
    rec["inference"] = {
        "measured_at": "2026-11-29T06:00:00Z",
        "backend": "tensorflow",
        "notes": [],
        "float_accuracy": 0.95,
        "int8_accuracy": 0.94,
        "rows": [
            profile_row(batch_size=1, p50_ms=0.4, p95_ms=0.5, mean_ms=0.4, samples_per_second=2500.0),
            profile_row(),
            profile_row(path="predict", batch_size=32, p95_ms=45.0, samples_per_second=800.0),
            profile_row(
                path="int8",
                quantized=True,
                accuracy=0.94,
                p95_ms=0.6,
                samples_per_second=80_000.0,
                model_bytes=12_000,
            ),
        ],
    }
    rec["learning_curve"] = {
        "measured_at": "2026-11-29T06:10:00Z",
        "epochs": 3,
        "complete": True,
        "points": [
            {"fraction": 1.0, "n_train": 1259, "accuracy_mean": 0.86, "accuracy_std": 0.01,
             "train_seconds": 2.0, "seeds": 2},
            {"fraction": 0.1, "n_train": 125, "accuracy_mean": 0.6, "accuracy_std": 0.03,
             "train_seconds": 0.5, "seeds": 2},
        ],
    }  # fmt: skip
    rec["repeat"] = {
        "measured_at": "2026-11-29T06:20:00Z",
        "seeds": [1, 2, 3],
        "accuracies": [0.85, 0.86, 0.87],
        "samples_per_second": [1800.0, 1900.0, 2000.0],
    }
    return rec


def cpu_instance(**overrides: Any) -> pd.Series:
    row = {
        "provider": "aws",
        "region": "us-east-1",
        "instance_type": "c.test",
        "accelerator": np.nan,
        "count": 0.0,
        "vcpus": 2.0,
        "on_demand_usd_per_hour": 3.6,
        "status": "current",
        "as_of": "2025-12-01",
    }
    row.update(overrides)
    return pd.Series(row)


def instances_table() -> pd.DataFrame:
    rows = [
        ("aws", "c.small", np.nan, 0, 2, 0.10, "current"),
        ("aws", "c.medium", np.nan, 0, 4, 0.20, "current"),
        ("gcp", "c.medium-cheap", np.nan, 0, 4, 0.15, "current"),
        ("aws", "c.big", np.nan, 0, 16, 0.80, "current"),
        ("aws", "c.old", np.nan, 0, 4, 0.01, "superseded"),
        ("aws", "g.l4", "L4", 1, 4, 0.80, "current"),
        ("lambda", "g.l4-cheap", "L4", 1, 4, 0.50, "current"),
        ("aws", "g.l4x8", "L4", 8, 96, 13.0, "current"),
        ("aws", "g.h100x8", "H100-SXM", 8, 192, 55.04, "current"),
        ("aws", "g.t4-old", "T4", 1, 4, 0.40, "superseded"),
    ]
    return pd.DataFrame(
        [
            {
                "provider": p,
                "region": "us-east-1",
                "instance_type": t,
                "accelerator": a,
                "count": float(c),
                "vcpus": float(v),
                "memory_gib": np.nan,
                "on_demand_usd_per_hour": price,
                "spot_usd_per_hour": np.nan,
                "status": s,
                "as_of": "2025-12-01",
                "source": "test",
                "notes": "",
            }
            for p, t, a, c, v, price, s in rows
        ]
    )


def accelerators_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "accelerator": ["H100-SXM", "L4", "T4", "CPU"],
            "fp32_tflops": [67.0, 30.3, 8.1, 3.2],
            "tf32_tflops": [494.5, 60.0, np.nan, np.nan],
            "bf16_tflops": [989.0, 100.0, 65.0, np.nan],
            "int8_tops": [1979.0, 200.0, 130.0, np.nan],
            "memory_gib": [80.0, 24.0, 16.0, np.nan],
            "bandwidth_gbps": [3350.0, 300.0, 320.0, np.nan],
            "tdp_watts": [700.0, 72.0, 70.0, np.nan],
            "as_of": ["2025-01-01"] * 4,
            "source": ["test"] * 4,
            "notes": [""] * 4,
        }
    )


# ---------------------------------------------------------------------- basis


def test_basis_from_recorded_run_json() -> None:
    rec = recorded_record()
    basis = TechnicalBasis.from_json(json.dumps(rec))
    assert basis.run_id == "recorded"
    assert basis.status == "completed"
    assert basis.params == 8970
    assert basis.flops_per_sample == 17802
    assert (basis.n_train, basis.n_test, basis.epochs_completed) == (1259, 359, 3)
    assert basis.n_classes == 10
    assert basis.device_kind == "cpu"
    assert basis.cpu_logical_cores == 2
    assert basis.energy_kwh == pytest.approx(6.638888888888892e-06)
    assert basis.test_accuracy == pytest.approx(0.8635097493036211)
    assert basis.training_flops == 3 * 17802 * 1259 * 3
    assert basis.training_samples == 1259 * 3
    assert basis.billed_seconds == pytest.approx(rec["wall_seconds"])
    # the recorded run predates the inference / learning-curve / repeat jobs
    assert basis.inference == ()
    assert basis.learning_curve == ()
    assert basis.repeat is None
    assert not basis.has_inference and not basis.has_int8


def test_basis_with_inference_learning_curve_and_repeat() -> None:
    basis = TechnicalBasis.from_record(record_with_extras())
    assert len(basis.inference) == 4
    assert basis.has_int8
    int8 = [m for m in basis.inference if m.quantized]
    assert [(m.path, m.batch_size, m.samples_per_second) for m in int8] == [("int8", 32, 80_000.0)]
    assert basis.float_accuracy == 0.95 and basis.int8_accuracy == 0.94
    assert basis.inference_measured_at == "2026-11-29T06:00:00Z"
    assert [p.n_train for p in basis.learning_curve] == [125, 1259]  # sorted by size
    assert basis.repeat is not None
    assert basis.repeat.seeds == 3
    assert basis.repeat.accuracy_mean == pytest.approx(0.86)
    assert basis.repeat.accuracy_std == pytest.approx(0.01)
    assert basis.repeat.throughput_mean == pytest.approx(1900.0)
    assert basis.repeat.throughput_std == pytest.approx(100.0)


def test_old_record_without_new_keys_loads() -> None:
    rec = recorded_record()
    for key in (
        "inference",
        "learning_curve",
        "repeat",
        "schema_version",
        "wall_seconds",
        "energy_kwh",
        "energy_method",
        "mfu",
        "peak_flops_per_second",
        "achieved_flops_per_second",
        "class_names",
        "n_test",
    ):
        rec.pop(key, None)
    basis = TechnicalBasis.from_record(rec)
    assert basis.wall_seconds is None
    assert basis.billed_seconds == pytest.approx(rec["train_seconds"])
    assert basis.energy_kwh is None and basis.mfu is None and basis.n_classes is None
    assert basis.inference == () and basis.repeat is None


@pytest.mark.parametrize("status", ["queued", "running", "failed", "interrupted", ""])
def test_unfinished_run_is_refused(status: str) -> None:
    rec = recorded_record() | {"status": status}
    with pytest.raises(BasisError, match="not finished"):
        TechnicalBasis.from_record(rec)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"test_accuracy": None}, "no test accuracy"),
        ({"flops_per_sample": None}, "flops_per_sample"),
        ({"n_train": 0}, "n_train"),
        ({"epochs_completed": 0}, "no epoch"),
        ({"schema_version": 99}, "newer"),
        ({"params": "many"}, "must be a number"),
    ],
)
def test_unusable_records_are_refused_with_a_reason(change: dict[str, Any], message: str) -> None:
    with pytest.raises(BasisError, match=message):
        TechnicalBasis.from_record(recorded_record() | change)


def test_stopped_run_with_a_test_accuracy_is_usable() -> None:
    assert TechnicalBasis.from_record(recorded_record() | {"status": "stopped"}).status == "stopped"


@pytest.mark.parametrize("text", ["not json", "[1, 2]"])
def test_bad_json_is_refused(text: str) -> None:
    with pytest.raises(BasisError):
        TechnicalBasis.from_json(text)


def test_malformed_inference_row_is_refused() -> None:
    rec = record_with_extras()
    rec["inference"]["rows"][0]["samples_per_second"] = 0
    with pytest.raises(BasisError, match="inference row 0"):
        TechnicalBasis.from_record(rec)


# ---------------------------------------------------------------------- cost of the run


def test_closest_cpu_instance() -> None:
    inst = instances_table()
    # cheapest current CPU-only with ≥ 3 vCPUs (the superseded one at 0.01 is ignored)
    assert closest_instance(inst, vcpus=3, accelerator=None)["instance_type"] == "c.medium-cheap"
    assert closest_instance(inst, vcpus=2, accelerator=None)["instance_type"] == "c.small"
    assert closest_instance(inst, vcpus=None, accelerator=None)["instance_type"] == "c.small"
    # none large enough: the largest
    assert closest_instance(inst, vcpus=64, accelerator=None)["instance_type"] == "c.big"


def test_closest_gpu_instance() -> None:
    inst = instances_table()
    assert closest_instance(inst, vcpus=None, accelerator="L4")["instance_type"] == "g.l4-cheap"
    with pytest.raises(RunCostError, match="T4"):  # only a superseded row carries it
        closest_instance(inst, vcpus=None, accelerator="T4")


@pytest.mark.parametrize(
    ("device", "key"),
    [
        ("NVIDIA H100 80GB HBM3", "H100-SXM"),
        ("NVIDIA L4", "L4"),
        ("Tesla T4", "T4"),
        ("NVIDIA L40S", None),
        ("NVIDIA GeForce RTX 4090", None),
    ],
)
def test_accelerator_for_device(device: str, key: str | None) -> None:
    assert accelerator_for_device(device, accelerators_table()["accelerator"]) == key


@pytest.mark.parametrize(
    ("provider", "instance_type", "arch"),
    [
        # AWS: a "g" among the letters after the generation digit is Graviton
        ("aws", "m7g.xlarge", "arm"),
        ("aws", "m7gd.2xlarge", "arm"),
        ("aws", "c7gn.large", "arm"),
        ("aws", "r7g.metal", "arm"),
        ("aws", "t4g.micro", "arm"),
        ("aws", "im4gn.large", "arm"),
        ("aws", "g5g.xlarge", "arm"),  # Graviton host with a T4G
        ("aws", "a1.medium", "arm"),  # Graviton 1
        ("aws", "mac2.metal", "arm"),  # Apple M1
        ("aws", "mac1.metal", "x86"),
        ("aws", "g4dn.xlarge", "x86"),  # "g" is the family here
        ("aws", "g4ad.xlarge", "x86"),
        ("aws", "g6e.12xlarge", "x86"),
        ("aws", "m7i-flex.large", "x86"),
        ("aws", "p5en.48xlarge", "x86"),
        ("aws", "r5.xlarge", "x86"),
        # Azure: a "p" among the additive letters
        ("azure", "Standard_D2ps_v5", "arm"),
        ("azure", "Standard_E8pds_v6", "arm"),
        ("azure", "Standard_B2pls_v2", "arm"),
        ("azure", "Standard_E8s_v5", "x86"),
        ("azure", "Standard_E8as_v5", "x86"),
        ("azure", "Standard_E4-2ds_v4", "x86"),
        ("azure", "Standard_NP10s", "x86"),  # "P" of the family, not an additive letter
        ("azure", "Standard_ND96isr_H100_v5", "x86"),
        # GCP: t2a / c4a / n4a (Ampere, Axion), a4x (Grace)
        ("gcp", "t2a-standard-4", "arm"),
        ("gcp", "c4a-highcpu-8", "arm"),
        ("gcp", "a4x-highgpu-4g", "arm"),
        ("gcp", "t2d-standard-4", "x86"),
        ("gcp", "c3d-standard-4", "x86"),
        ("gcp", "a2-highgpu-8g", "x86"),  # "g" of the GPU count, not a family letter
        # any provider: names that say so
        ("lambda", "gpu_1x_gh200", "arm"),
        ("lambda", "gpu_1x_h100_sxm5", "x86"),
        ("runpod", "1x_H100_SECURE", "x86"),
        ("", "", "x86"),
    ],
)
def test_cpu_arch_from_naming_conventions(provider: str, instance_type: str, arch: str) -> None:
    assert cpu_arch(instance_type, provider) == arch


@pytest.mark.parametrize(
    ("device", "arch"),
    [
        ("CPU (Intel(R) Xeon(R) Processor, 2 logical cores)", "x86"),
        ("CPU (AMD EPYC 7R13, 8 logical cores)", "x86"),
        ("CPU (aarch64, 4 logical cores)", "arm"),
        ("CPU (ARMv8 Processor rev 1, 4 logical cores)", "arm"),
        ("CPU (AWS Graviton3, 4 logical cores)", "arm"),
        ("CPU (Neoverse-N1, 2 logical cores)", "arm"),
        ("NVIDIA L4", "x86"),
        ("", "x86"),
    ],
)
def test_device_cpu_arch(device: str, arch: str) -> None:
    assert device_cpu_arch(device) == arch


def with_arm_instances() -> pd.DataFrame:
    extra = instances_table().iloc[:2].copy()
    extra["instance_type"] = ["m7g.large", "m7g.xlarge"]
    extra["on_demand_usd_per_hour"] = [0.05, 0.09]  # cheaper than every x86 row
    return pd.concat([instances_table(), extra], ignore_index=True)


def test_closest_instance_keeps_to_the_runs_cpu_family() -> None:
    inst = with_arm_instances()
    # an x86 run is never matched to the cheaper Graviton
    assert closest_instance(inst, vcpus=2, accelerator=None)["instance_type"] == "c.small"
    assert closest_instance(inst, vcpus=3, accelerator=None)["instance_type"] == "c.medium-cheap"
    # an ARM run gets the ARM ones, sized the same way
    assert closest_instance(inst, vcpus=2, accelerator=None, arch="arm")["instance_type"] == "m7g.large"
    assert closest_instance(inst, vcpus=3, accelerator=None, arch="arm")["instance_type"] == "m7g.xlarge"
    assert closest_instance(inst, vcpus=64, accelerator=None, arch="arm")["instance_type"] == "m7g.xlarge"
    # with no instance of the run's family, the closest of the other one
    assert closest_instance(instances_table(), vcpus=2, accelerator=None, arch="arm")["instance_type"] == (
        "c.small"
    )
    only_arm = inst[inst["instance_type"].str.startswith("m7g")]
    assert closest_instance(only_arm, vcpus=2, accelerator=None)["instance_type"] == "m7g.large"


def test_closest_instance_for_the_recorded_x86_run_on_the_bundled_catalog() -> None:
    from bizmodel.catalog import load_bundled

    basis = TechnicalBasis.from_record(recorded_record())
    arch = device_cpu_arch(basis.device)
    assert arch == "x86"
    match = closest_instance(
        load_bundled().instances, vcpus=basis.cpu_logical_cores, accelerator=None, arch=arch
    )
    assert cpu_arch(match["instance_type"], match["provider"]) == "x86"


@pytest.mark.parametrize(
    ("device", "device_kind"),
    [("CPU (Intel(R) Xeon(R) Processor, 2 logical cores)", "cpu"), ("NVIDIA L4", "gpu")],
)
def test_the_live_epoch_cost_prices_on_the_instance_a_retraining_is_priced_on(
    device: str, device_kind: str
) -> None:
    """The Train page prices an epoch with instance_for_device + rent_usd; the same run's cost
    (bizmodel.binding, "this run") and price_run's compute cost come out the same for the same
    seconds, and a production retraining is priced on that instance too."""
    from bizmodel.binding import run_inputs
    from bizmodel.catalog import load_bundled

    catalog = load_bundled()
    basis = TechnicalBasis.from_record(recorded_record() | {"device": device, "device_kind": device_kind})
    instance = instance_for_device(
        catalog.instances, catalog.accelerator_keys, device=device, device_kind=device_kind
    )
    live = rent_usd(basis.billed_seconds, instance)
    inputs = run_inputs(basis, catalog)
    assert str(instance["instance_type"]) in str(inputs.run_cost_detail)
    assert str(instance["instance_type"]) in str(inputs.retrain_detail)
    assert live == pytest.approx(inputs.run_cost_usd)
    cost = price_run(basis, instance, usd_per_kwh=0.12, grid_g_co2_per_kwh=400)
    assert live == cost.compute_usd.value
    epochs = [h["seconds"] for h in recorded_record()["history"]]
    assert sum(rent_usd(s, instance) for s in epochs) <= live  # the run's wall time holds its epochs


def test_instance_for_an_unknown_gpu_is_refused_with_the_device() -> None:
    from bizmodel.catalog import load_bundled

    catalog = load_bundled()
    with pytest.raises(RunCostError, match="Unknown-9000"):
        instance_for_device(
            catalog.instances, catalog.accelerator_keys, device="NVIDIA Unknown-9000", device_kind="gpu"
        )


@given(a=st.floats(0, 1e6), b=st.floats(0, 1e6), price=st.floats(0.001, 500))
def test_rent_adds_up_over_stretches_of_a_run(a: float, b: float, price: float) -> None:
    row = cpu_instance(on_demand_usd_per_hour=price)
    assert rent_usd(a, row) + rent_usd(b, row) == pytest.approx(rent_usd(a + b, row))
    assert rent_usd(a, row) <= rent_usd(a + b, row)


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), float("inf")])
def test_rent_refuses_a_duration_that_is_not_one(seconds: float) -> None:
    with pytest.raises(RunCostError, match="seconds"):
        rent_usd(seconds, cpu_instance())


def test_run_cost_by_hand() -> None:
    rec = recorded_record() | {
        "id": "r42",
        "wall_seconds": 1800.0,
        "n_train": 1000,
        "epochs_completed": 4,
        "energy_kwh": 0.25,
        "energy_method": "RAPL",
    }
    cost = price_run(
        TechnicalBasis.from_record(rec), cpu_instance(), usd_per_kwh=0.20, grid_g_co2_per_kwh=400
    )
    assert cost.wall_seconds.value == 1800.0 and cost.wall_seconds.provenance == "measured"
    assert cost.wall_seconds.detail == Reason("wall_time_of", run_id="r42")
    assert cost.usd_per_hour.value == 3.6 and cost.usd_per_hour.provenance == "catalog"
    assert cost.usd_per_hour.detail.code == "on_demand_dated"
    assert cost.usd_per_hour.detail.params["as_of"] == "2025-12-01"
    assert cost.compute_usd.value == pytest.approx(1.8)  # 0.5 h × 3.60
    assert cost.energy_kwh.value == 0.25 and cost.energy_kwh.provenance == "measured"
    assert cost.energy_kwh.detail == Reason("run_any", run_id="r42", text_msg="RAPL")
    assert cost.compute_usd.detail == Reason("compute_formula", seconds=1800.0, hourly_usd=3.6)
    assert cost.energy_usd.value == pytest.approx(0.05) and cost.energy_usd.provenance == "assumed"
    assert cost.co2_kg.value == pytest.approx(0.1) and cost.co2_kg.provenance == "assumed"
    assert cost.usd_per_epoch.value == pytest.approx(0.45)
    assert cost.usd_per_1000_samples.value == pytest.approx(1.8 / 4000 * 1000)
    frame = cost.to_frame()
    assert list(frame.columns) == ["name", "value", "unit", "provenance", "detail"]
    assert set(frame["provenance"]) == {"measured", "catalog", "assumed"}


def test_run_cost_without_energy_or_catalog_date() -> None:
    rec = recorded_record() | {"energy_kwh": None}
    typed = cpu_instance(as_of=None)
    cost = price_run(TechnicalBasis.from_record(rec), typed, usd_per_kwh=0.2, grid_g_co2_per_kwh=400)
    assert cost.energy_kwh.value is None and cost.energy_usd.value is None and cost.co2_kg.value is None
    assert cost.usd_per_hour.provenance == "assumed"


@pytest.mark.parametrize(
    ("price", "kwh", "grid"), [(0.0, 0.2, 400), (float("nan"), 0.2, 400), (1.0, -0.1, 400), (1.0, 0.2, -1)]
)
def test_run_cost_rejects_bad_prices(price: float, kwh: float, grid: float) -> None:
    basis = TechnicalBasis.from_record(recorded_record())
    with pytest.raises(RunCostError):
        price_run(basis, cpu_instance(on_demand_usd_per_hour=price), usd_per_kwh=kwh, grid_g_co2_per_kwh=grid)


@given(
    hours=st.floats(0.01, 100),
    price=st.floats(0.01, 100),
    factor=st.floats(1.0, 10.0),
)
def test_run_cost_rises_with_price_and_time(hours: float, price: float, factor: float) -> None:
    basis = TechnicalBasis.from_record(recorded_record() | {"wall_seconds": hours * 3600})
    longer = TechnicalBasis.from_record(recorded_record() | {"wall_seconds": hours * 3600 * factor})
    base = price_run(basis, cpu_instance(on_demand_usd_per_hour=price), usd_per_kwh=0, grid_g_co2_per_kwh=0)
    dearer = price_run(
        basis, cpu_instance(on_demand_usd_per_hour=price * factor), usd_per_kwh=0, grid_g_co2_per_kwh=0
    )
    slower = price_run(
        longer, cpu_instance(on_demand_usd_per_hour=price), usd_per_kwh=0, grid_g_co2_per_kwh=0
    )
    assert base.compute_usd.value == pytest.approx(hours * price)
    assert dearer.compute_usd.value >= base.compute_usd.value  # type: ignore[operator]
    assert slower.compute_usd.value >= base.compute_usd.value  # type: ignore[operator]


# ---------------------------------------------------------------------- $ per 1,000 predictions


@pytest.mark.parametrize(
    ("sps", "usd_per_hour", "utilisation", "expected"),
    [
        (1000.0, 3.60, 1.0, 0.001),  # 3.6 M predictions per hour for $3.60
        (1000.0, 3.60, 0.5, 0.002),  # half busy: twice the cost
        (1.0, 3.60, 1.0, 1.0),  # 3,600 predictions per hour
        (2000.0, 3.60, 1.0, 0.0005),
        (1000.0, 0.0, 1.0, 0.0),
    ],
)
def test_usd_per_1000_by_hand(sps: float, usd_per_hour: float, utilisation: float, expected: float) -> None:
    assert usd_per_1000(sps, usd_per_hour, utilisation) == pytest.approx(expected)


def test_usd_per_1000_vectorised() -> None:
    out = usd_per_1000(np.array([1000.0, 2000.0]), 3.6, 1.0)
    np.testing.assert_allclose(out, [0.001, 0.0005])


@pytest.mark.parametrize(("sps", "price", "util"), [(0.0, 1.0, 0.5), (-1.0, 1.0, 0.5), (1.0, -1.0, 0.5),
                                                    (1.0, 1.0, 0.0), (1.0, 1.0, 1.5)])  # fmt: skip
def test_usd_per_1000_rejects_bad_inputs(sps: float, price: float, util: float) -> None:
    with pytest.raises(ServingError):
        usd_per_1000(sps, price, util)


@given(
    sps=st.floats(1e-3, 1e9),
    speedup=st.floats(1.0, 1e3),
    price=st.floats(0.0, 1e3),
    util=st.floats(0.01, 1.0),
)
def test_faster_option_never_costs_more_per_1000(
    sps: float, speedup: float, price: float, util: float
) -> None:
    slow = usd_per_1000(sps, price, util)
    fast = usd_per_1000(sps * speedup, price, util)
    assert fast <= slow * (1 + 1e-12)


@given(sps=st.floats(1e-3, 1e9), price=st.floats(0.0, 1e3), more=st.floats(1.0, 100.0))
def test_cost_per_1000_rises_with_price(sps: float, price: float, more: float) -> None:
    assert usd_per_1000(sps, price * more, 0.5) >= usd_per_1000(sps, price, 0.5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"utilisation": 0.0},
        {"utilisation": 1.2},
        {"efficiency": 0.0},
        {"hours_per_month": 0.0},
        {"peak_to_average": 0.5},
        {"cpu_usd_per_hour": 0.0},
        {"estimate_batch_size": 0},
        {"overhead_ms": -1.0},
    ],
)
def test_assumptions_are_validated(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ServingError):
        ServingAssumptions(**kwargs)


# ---------------------------------------------------------------------- serving options


def test_serving_options_measured_and_estimated() -> None:
    basis = TechnicalBasis.from_record(record_with_extras())
    assumptions = ServingAssumptions(
        utilisation=1.0, efficiency=0.05, estimate_batch_size=32, overhead_ms=1.0
    )
    opts = serving_options(
        basis, instances_table(), accelerators_table(), assumptions, cpu_instance=cpu_instance()
    )
    assert list(opts.columns) == list(OPTION_COLUMNS)
    measured = opts[opts["provenance"] == "measured"]
    assert len(measured) == 4
    # each measured row is priced on the CPU instance at $3.60/h
    row = measured[(measured["path"] == "compiled") & (measured["batch_size"] == 32)].iloc[0]
    assert row["usd_per_hour"] == 3.6
    assert row["usd_per_1000"] == pytest.approx(3.6 / (40_000 * 3600) * 1000)
    assert row["p95_ms"] == 1.0 and row["instance"] == "aws c.test"
    assert row["source"].params["parts"][0].params["run_id"] == "recorded"  # profile, then price
    # estimated: the L4 (cheapest current L4 instance, $0.50/h, 1 GPU): 100 TFLOP/s × 5 % ÷ 17,802
    est = opts[(opts["provenance"] == "assumed") & (opts["accelerator"] == "L4") & ~opts["quantized"]].iloc[0]
    compute_bound = 100e12 * 0.05 / 17802
    latency_ms = 32 / compute_bound * 1000 + 1.0  # arithmetic plus the 1 ms per-call overhead
    per_gpu = 32 / (latency_ms / 1000)  # one batch of 32 per call
    assert est["samples_per_second"] == pytest.approx(per_gpu)
    assert est["p95_ms"] == pytest.approx(latency_ms)
    assert est["usd_per_hour"] == 0.5
    assert est["usd_per_1000"] == pytest.approx(0.5 / (per_gpu * 3600) * 1000)
    peak = est["source"].params["parts"][0]
    assert peak.code == "estimate_peak" and peak.params["efficiency_fraction"] == 0.05
    # H100 only on an 8-GPU instance: 8 replicas
    h100 = opts[(opts["accelerator"] == "H100-SXM") & ~opts["quantized"]].iloc[0]
    assert h100["count"] == 8
    h100_latency_s = 32 / (989e12 * 0.05 / 17802) + 0.001
    assert h100["samples_per_second"] == pytest.approx(8 * 32 / h100_latency_s)
    # T4 has only a superseded instance, CPU is not an accelerator to estimate
    assert not opts["accelerator"].isin(["T4", "CPU"]).any()
    # sorted by $ per 1,000
    assert opts["usd_per_1000"].is_monotonic_increasing


def test_int8_and_float_rows_both_present_when_measured() -> None:
    basis = TechnicalBasis.from_record(record_with_extras())
    opts = serving_options(
        basis,
        instances_table(),
        accelerators_table().iloc[0:0],
        ServingAssumptions(),
        cpu_instance=cpu_instance(),
    )
    assert set(opts["provenance"]) == {"measured"}
    assert set(opts["path"]) == {"compiled", "predict", "int8"}
    assert opts["quantized"].any() and (~opts["quantized"]).any()
    cmp = float_vs_int8(opts)
    assert len(cmp) == 1
    pair = cmp.iloc[0]
    assert pair["batch_size"] == 32
    # the float side is the cheaper float path (compiled, 40k/s), int8 runs at 80k/s
    assert pair["int8_usd_per_1000"] == pytest.approx(pair["float_usd_per_1000"] / 2)
    assert pair["accuracy_change"] == pytest.approx(-0.01)


def test_cpu_price_override_and_no_profile() -> None:
    basis = TechnicalBasis.from_record(record_with_extras())
    opts = serving_options(
        basis,
        instances_table(),
        accelerators_table().iloc[0:0],
        ServingAssumptions(cpu_usd_per_hour=7.2, utilisation=1.0),
        cpu_instance=None,
    )
    row = opts[(opts["path"] == "compiled") & (opts["batch_size"] == 32)].iloc[0]
    assert row["usd_per_hour"] == 7.2 and Reason("price_assumed") in row["source"].params["parts"]
    bare = TechnicalBasis.from_record(recorded_record())
    empty = serving_options(bare, instances_table(), accelerators_table().iloc[0:0], ServingAssumptions(),
                            cpu_instance=cpu_instance())  # fmt: skip
    assert empty.empty and list(empty.columns) == list(OPTION_COLUMNS)


def test_measured_gpu_row_priced_on_matching_instance_and_not_estimated() -> None:
    rec = record_with_extras()
    rec["inference"]["rows"] = [
        profile_row(device="NVIDIA L4", device_kind="gpu", samples_per_second=500_000.0, p95_ms=0.3)
    ]
    opts = serving_options(
        TechnicalBasis.from_record(rec),
        instances_table(),
        accelerators_table(),
        ServingAssumptions(utilisation=1.0),
        cpu_instance=cpu_instance(),
    )
    l4 = opts[opts["accelerator"] == "L4"]
    assert list(l4["provenance"]) == ["measured"]  # the measured L4 replaces the estimate
    assert l4.iloc[0]["instance"] == "lambda g.l4-cheap"
    assert l4.iloc[0]["usd_per_1000"] == pytest.approx(0.5 / (500_000 * 3600) * 1000)


# ---------------------------------------------------------------------- capacity plan


def plan_options() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "option": ["cpu-b1", "cpu-b32", "gpu"],
            "provenance": ["measured", "measured", "assumed"],
            "samples_per_second": [100.0, 1000.0, 50_000.0],
            "batch_size": [1, 32, 1],
            "p95_ms": [2.0, 30.0, 5.0],
            "usd_per_hour": [0.1, 0.1, 1.0],
            "usd_per_1000": [0.1 / 360, 0.1 / 3600, 1.0 / 180_000],
        }
    )


@pytest.mark.parametrize(
    ("average_rps", "utilisation", "peak", "expected"),
    [
        # peak = average × peak_to_average; instances = ceil(peak ÷ (samples/s × utilisation))
        (100.0, 0.5, 2.0, {"cpu-b1": 4, "cpu-b32": 1, "gpu": 1}),
        (100.0, 1.0, 1.0, {"cpu-b1": 1, "cpu-b32": 1, "gpu": 1}),
        (101.0, 1.0, 1.0, {"cpu-b1": 2, "cpu-b32": 1, "gpu": 1}),
        (1000.0, 0.5, 3.0, {"cpu-b1": 60, "cpu-b32": 6, "gpu": 1}),
        (30_000.0, 0.5, 2.0, {"cpu-b1": 1200, "cpu-b32": 120, "gpu": 3}),
        (0.001, 0.5, 2.0, {"cpu-b1": 1, "cpu-b32": 1, "gpu": 1}),
    ],
)
def test_capacity_plan_instances_by_hand(
    average_rps: float, utilisation: float, peak: float, expected: dict[str, int]
) -> None:
    a = ServingAssumptions(utilisation=utilisation, peak_to_average=peak, hours_per_month=730)
    requests = average_rps * 730 * 3600
    plan = capacity_plan(plan_options(), requests_per_month=requests, p95_target_ms=1e9, assumptions=a)
    got = dict(zip(plan["option"], plan["instances"], strict=True))
    assert got == expected
    for _, row in plan.iterrows():
        assert row["monthly_usd"] == pytest.approx(row["instances"] * row["usd_per_hour"] * 730)
        assert row["usd_per_1000_at_load"] == pytest.approx(row["monthly_usd"] / requests * 1000)
    assert plan["average_rps"].iloc[0] == pytest.approx(average_rps)
    assert plan["peak_rps"].iloc[0] == pytest.approx(average_rps * peak)


def test_p95_target_filters_options() -> None:
    a = ServingAssumptions(utilisation=0.5, peak_to_average=2.0)
    requests = 100.0 * 730 * 3600  # 100/s average, 200/s peak
    plan = capacity_plan(plan_options(), requests_per_month=requests, p95_target_ms=10.0, assumptions=a)
    meets = dict(zip(plan["option"], plan["meets_p95_target"], strict=True))
    assert meets == {"cpu-b1": True, "cpu-b32": False, "gpu": True}
    assert list(plan["option"]) == ["cpu-b1", "gpu", "cpu-b32"]  # meeting first, then by monthly $
    best = best_serving(plan)
    assert best is not None and best["option"] == "cpu-b1"  # 4 × $0.10 < 1 × $1.00
    # batch 32 on one instance: 31 more requests at 100/s = 310 ms to fill, + 30 ms per call
    b32 = plan.set_index("option").loc["cpu-b32"]
    assert b32["p95_request_ms"] == pytest.approx(340.0)
    medium = capacity_plan(plan_options(), requests_per_month=requests, p95_target_ms=50.0, assumptions=a)
    assert best_serving(medium)["option"] == "cpu-b1"  # type: ignore[index]  # its 30 ms call is not enough
    # with a target the filled batch meets, the one-instance batch-32 CPU wins
    loose = capacity_plan(plan_options(), requests_per_month=requests, p95_target_ms=400.0, assumptions=a)
    assert best_serving(loose)["option"] == "cpu-b32"  # type: ignore[index]
    # nothing meets 1 ms
    strict = capacity_plan(plan_options(), requests_per_month=requests, p95_target_ms=1.0, assumptions=a)
    assert not strict["meets_p95_target"].any()
    assert best_serving(strict) is None


MONTH_S = 730 * 3600


@pytest.mark.parametrize(
    ("batch", "average_rps", "sizing", "expected"),
    [
        # sizing = (samples/s, utilisation, peak ÷ average); expected = (instances, fill_ms) with
        # fill_ms = (batch − 1) ÷ (average_rps ÷ instances) × 1000
        (1, 100.0, (1000.0, 1.0, 1.0), (1, 0.0)),
        (2, 100.0, (1000.0, 1.0, 1.0), (1, 10.0)),
        (32, 100.0, (1000.0, 1.0, 1.0), (1, 310.0)),
        (32, 100.0, (50.0, 0.5, 2.0), (8, 2480.0)),  # 8 instances share the stream: 12.5/s each
        (1024, 1e7 / MONTH_S, (1e6, 0.5, 2.0), (1, 1023 / (1e7 / MONTH_S) * 1000)),  # ≈ 269 s
        (1024, 100_000.0, (1e6, 0.5, 2.0), (1, 10.23)),
    ],
)
def test_batch_fill_time_by_hand(
    batch: int, average_rps: float, sizing: tuple[float, float, float], expected: tuple[int, float]
) -> None:
    sps, utilisation, peak = sizing
    instances, fill_ms = expected
    opts = pd.DataFrame(
        {"option": ["x"], "samples_per_second": [sps], "batch_size": [batch], "p95_ms": [30.0],
         "usd_per_hour": [1.0], "usd_per_1000": [0.0]}
    )  # fmt: skip
    a = ServingAssumptions(utilisation=utilisation, peak_to_average=peak)
    row = capacity_plan(
        opts, requests_per_month=average_rps * MONTH_S, p95_target_ms=50.0, assumptions=a
    ).iloc[0]
    assert row["instances"] == instances
    assert row["fill_ms"] == pytest.approx(fill_ms)
    assert row["p95_request_ms"] == pytest.approx(fill_ms + 30.0)
    assert row["p95_ms"] == 30.0  # the per-call figure is kept
    assert bool(row["meets_p95_target"]) == (fill_ms + 30.0 <= 50.0)


def batch_options() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "option": ["cpu · batch 1", "gpu · batch 1024"],
            "provenance": ["measured", "measured"],
            "samples_per_second": [500.0, 1e6],
            "batch_size": [1, 1024],
            "p95_ms": [2.0, 30.0],
            "usd_per_hour": [0.10, 1.00],
            "usd_per_1000": [0.10 / 1800 * 2, 1.00 / 3.6e6 * 2],
        }
    )


def test_a_big_batch_does_not_win_at_low_volume() -> None:
    a = ServingAssumptions(utilisation=0.5, peak_to_average=2.0)
    plan = capacity_plan(batch_options(), requests_per_month=10_000_000, p95_target_ms=50.0, assumptions=a)
    big = plan.set_index("option").loc["gpu · batch 1024"]
    assert big["p95_ms"] == 30.0 and big["p95_request_ms"] > 250_000  # minutes to fill 1,024 at ≈3.8/s
    assert not big["meets_p95_target"]
    assert best_serving(plan)["option"] == "cpu · batch 1"  # type: ignore[index]


def test_a_big_batch_can_win_at_high_volume() -> None:
    a = ServingAssumptions(utilisation=0.5, peak_to_average=2.0)
    plan = capacity_plan(
        batch_options(), requests_per_month=100_000 * MONTH_S, p95_target_ms=50.0, assumptions=a
    )
    by_option = plan.set_index("option")
    assert by_option.loc["gpu · batch 1024", "p95_request_ms"] == pytest.approx(40.23)  # 10.23 ms fill + 30
    assert by_option.loc["cpu · batch 1", "instances"] == 800  # 200,000/s peak ÷ 250/s
    assert best_serving(plan)["option"] == "gpu · batch 1024"  # type: ignore[index]


def test_ties_in_monthly_cost_go_to_the_lower_request_latency() -> None:
    # both need one instance at the same price; batch 32 is cheaper per 1,000 at full load, but at
    # this volume its batch takes seconds to fill
    opts = pd.DataFrame(
        {"option": ["batch 32", "batch 1"], "samples_per_second": [30_000.0, 1000.0], "batch_size": [32, 1],
         "p95_ms": [3.0, 2.0], "usd_per_hour": [0.1, 0.1], "usd_per_1000": [0.1 / 108_000, 0.1 / 3600]}
    )  # fmt: skip
    plan = capacity_plan(opts, requests_per_month=1e6, p95_target_ms=1e9, assumptions=ServingAssumptions())
    assert plan["meets_p95_target"].all() and (plan["instances"] == 1).all()
    assert best_serving(plan)["option"] == "batch 1"  # type: ignore[index]
    assert list(plan["option"]) == ["batch 1", "batch 32"]


@pytest.mark.parametrize("batch", [0, -1, float("nan")])
def test_capacity_plan_rejects_bad_batch_sizes(batch: float) -> None:
    opts = plan_options()
    opts.loc[0, "batch_size"] = batch
    with pytest.raises(ServingError, match="batch size"):
        capacity_plan(opts, requests_per_month=1e6, p95_target_ms=10.0, assumptions=ServingAssumptions())


@given(requests=st.floats(1.0, 1e12), batch=st.integers(1, 4096), p95=st.floats(0.01, 1000.0))
def test_request_latency_is_never_below_the_call_latency(requests: float, batch: int, p95: float) -> None:
    opts = plan_options().iloc[:1].assign(batch_size=batch, p95_ms=p95)
    row = capacity_plan(
        opts, requests_per_month=requests, p95_target_ms=50.0, assumptions=ServingAssumptions()
    ).iloc[0]
    assert row["p95_request_ms"] >= row["p95_ms"]
    assert (row["p95_request_ms"] == row["p95_ms"]) == (batch == 1)


def test_best_serving_skips_unpriced_options() -> None:
    opts = plan_options()
    opts.loc[0, "usd_per_hour"] = math.nan
    plan = capacity_plan(opts, requests_per_month=1e6, p95_target_ms=10.0, assumptions=ServingAssumptions())
    assert best_serving(plan)["option"] == "gpu"  # type: ignore[index]


@pytest.mark.parametrize(
    ("requests", "target"), [(0.0, 10.0), (-5.0, 10.0), (float("nan"), 10.0), (1e6, 0.0), (1e6, -1.0)]
)
def test_capacity_plan_rejects_bad_inputs(requests: float, target: float) -> None:
    with pytest.raises(ServingError):
        capacity_plan(plan_options(), requests_per_month=requests, p95_target_ms=target,
                      assumptions=ServingAssumptions())  # fmt: skip


@given(requests=st.floats(1.0, 1e12), more=st.floats(1.0, 100.0))
def test_more_requests_never_need_fewer_instances(requests: float, more: float) -> None:
    a = ServingAssumptions()
    few = capacity_plan(plan_options(), requests_per_month=requests, p95_target_ms=100, assumptions=a)
    many = capacity_plan(plan_options(), requests_per_month=requests * more, p95_target_ms=100, assumptions=a)
    by_option = few.set_index("option")["instances"]
    assert (many.set_index("option")["instances"] >= by_option.reindex(many["option"]).to_numpy()).all()


def test_end_to_end_serving_plan_from_a_record() -> None:
    basis = TechnicalBasis.from_record(record_with_extras())
    inst = instances_table()
    a = ServingAssumptions()
    cpu = closest_instance(inst, vcpus=basis.cpu_logical_cores, accelerator=None)
    opts = serving_options(basis, inst, accelerators_table(), a, cpu_instance=cpu)
    plan = capacity_plan(opts, requests_per_month=10_000_000, p95_target_ms=5.0, assumptions=a)
    best = best_serving(plan)
    assert best is not None
    assert best["meets_p95_target"]
    priced = plan[plan["meets_p95_target"]]
    assert best["monthly_usd"] == priced["monthly_usd"].min()
