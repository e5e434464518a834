"""Inputs for the economics: stored runs (the recorded digits run with an inference profile and a
learning curve added), small catalogs, run records for binding, a full run for the report, and
scenario documents with known mistakes."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

from bizmodel.basis import TechnicalBasis
from bizmodel.binding import RunInputs, run_inputs
from bizmodel.catalog import Catalog, read_catalog
from bizmodel.scenario import base_template
from mlcore.specs import RunRecord
from store import Store
from tests.support.app import RECORDED

CURVE_SIZES = (125, 314, 629, 1259)


def curve_accuracy(n: int) -> float:
    """A known curve: error = 8·n^(−0.6) + 0.02."""
    return 1.0 - (8.0 * n**-0.6 + 0.02)


def learning_curve(sizes: tuple[int, ...]) -> dict[str, Any]:
    points = [
        {
            "fraction": n / 1259,
            "n_train": n,
            "accuracy_mean": curve_accuracy(n),
            "accuracy_std": 0.004,
            "train_seconds": 1.0,
            "seeds": 2,
            "accuracies": [curve_accuracy(n)] * 2,
        }
        for n in sizes
    ]
    return {"measured_at": "2026-11-29T06:00:00Z", "points": points, "epochs": 3, "complete": True}


def inference_row(path: str, batch: int, p95_ms: float, sps: float) -> dict[str, Any]:
    return {
        "device": "CPU (Intel(R) Xeon(R) Processor, 2 logical cores)",
        "device_kind": "cpu",
        "path": path,
        "batch_size": batch,
        "p50_ms": p95_ms * 0.8,
        "p95_ms": p95_ms,
        "p99_ms": p95_ms * 1.2,
        "mean_ms": p95_ms * 0.85,
        "samples_per_second": sps,
        "calls": 200,
        "model_bytes": 35_880,
        "quantized": path == "int8",
        "accuracy": 0.8635,
    }


PROFILE = {
    "measured_at": "2026-11-29T06:00:00Z",
    "rows": [
        inference_row("compiled", 1, 0.4, 2_500.0),
        inference_row("compiled", 32, 0.8, 40_000.0),
        inference_row("int8", 32, 0.6, 55_000.0),
    ],
    "backend": "tensorflow",
    "notes": [],
    "float_accuracy": 0.8635,
    "int8_accuracy": 0.86,
}


def insert_run(store: Store, run_id: str, *, status: str = "completed", **extra: Any) -> dict[str, Any]:
    record = json.loads(RECORDED.read_text())["record"]
    record.update(id=run_id, name=run_id, status=status, **extra)
    store.insert_run(
        {
            "id": run_id,
            "name": run_id,
            "created_at": record["created_at"],
            "status": status,
            "dataset": record["dataset"],
            "model": "mlp",
            "record": json.dumps(record),
        }
    )
    return record


CATALOG_HEADER = (
    "provider,region,instance_type,accelerator,count,vcpus,memory_gib,"
    "on_demand_usd_per_hour,spot_usd_per_hour,status,as_of,source,notes\n"
)


CATALOG_ROWS = (
    "acme,eu,cpu.small,,0,2,4,3.6,,current,2026-01-31,test quote,\n"
    "acme,eu,cpu.big,,0,16,64,20.0,,current,2026-01-31,test quote,\n"
    "acme,eu,gpu.l4,L4,1,8,32,0.8,,current,2026-02-28,test quote,\n"
)


def catalog(rows: str = CATALOG_ROWS) -> Catalog:
    """Two CPU instances ($3.60/h for 2 vCPUs) and one L4 instance ($0.80/h), bundled specs."""
    return read_catalog((CATALOG_HEADER + rows).encode(), name="test")


def profile_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "device": "CPU (Test CPU, 2 logical cores)",
        "device_kind": "cpu",
        "path": "compiled",
        "batch_size": 32,
        "p50_ms": 0.8,
        "p95_ms": 1.0,
        "p99_ms": 1.2,
        "mean_ms": 0.8,
        "samples_per_second": 1000.0,
        "quantized": False,
        "accuracy": 0.9,
    }
    row.update(overrides)
    return row


def record(**overrides: Any) -> dict[str, Any]:
    """A finished CPU run of one hour's wall time, 90 % accurate, without profile or repeat."""
    rec: dict[str, Any] = {
        "id": "run-1",
        "name": "demo",
        "status": "completed",
        "params": 1_000,
        "flops_per_sample": 2_000,
        "n_train": 1_000,
        "n_test": 500,
        "epochs_completed": 2,
        "train_seconds": 3000.0,
        "wall_seconds": 3600.0,
        "energy_kwh": 0.05,
        "device": "CPU (Intel Xeon, 2 logical cores)",
        "device_kind": "cpu",
        "test_accuracy": 0.9,
    }
    rec.update(overrides)
    return rec


def inputs(rec: dict[str, Any], **kwargs: Any) -> RunInputs:
    return run_inputs(TechnicalBasis.from_record(rec), catalog(), **kwargs)


#: A batch of 1,024 is by far the cheapest at full load, but no realistic volume fills it in time.
BATCH_ROWS = [
    profile_row(batch_size=1024, samples_per_second=100_000.0, p95_ms=4.0),
    profile_row(batch_size=1, samples_per_second=500.0, p95_ms=0.5),
    profile_row(batch_size=32, samples_per_second=10_000.0, p95_ms=2.0),
    profile_row(
        path="int8", quantized=True, batch_size=1, samples_per_second=8000.0, p95_ms=0.1, accuracy=0.85
    ),
]


def batch_run(**kwargs: Any) -> RunInputs:
    return inputs(record(inference={"measured_at": "2026-11-01T00:00:00Z", "rows": BATCH_ROWS}), **kwargs)


def repeat(accuracies: list[float], throughputs: list[float]) -> dict[str, Any]:
    seeds = list(range(len(accuracies)))
    return {"seeds": seeds, "accuracies": accuracies, "samples_per_second": throughputs}


#: A scenario file with four mistakes: churn 2, a funding round in month 0 of −$5, an inverted
#: accuracy link and a CAC that is not a number.
FOUR_MISTAKES = {
    **base_template().to_dict(),
    "monthly_churn": 2,
    "funding_rounds": [{"month": 0, "amount_usd": -5}],
    "accuracy_link": {"minimum_viable_accuracy": 0.95, "delightful_accuracy": 0.8},
    "cac_usd": "x",
}


NOW = datetime(2026, 11, 29, 12, 30, tzinfo=UTC)


def full_run(**changes: object) -> RunRecord:
    """The recorded digits run with an inference profile and a learning curve (every section)."""
    record = json.loads(RECORDED.read_text())["record"]
    record.update(inference=PROFILE, learning_curve=learning_curve(CURVE_SIZES))
    return dataclasses.replace(RunRecord.from_dict(record), **changes)


def converged_curve(sizes: tuple[int, ...]) -> dict[str, Any]:
    """The same points, stored as sweeps store them now: the rule, and how each point trained."""
    curve = learning_curve(sizes)
    for i, point in enumerate(curve["points"]):
        point.update(steps=580 + 400 * i, epochs_run=40.0, capped=1 if i == 3 else 0)
    return {**curve, "rule": "early-stopping", "patience": 5, "max_epochs": 60}
