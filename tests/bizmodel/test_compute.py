"""Training cost at scale: hand-computed cases, memory feasibility, Pareto, scaling laws, inverse budgets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel.compute import (
    FP16_ONLY_NOTE,
    Assumptions,
    cheapest,
    fastest,
    node_counts,
    pareto_front,
    precision_notes,
    training_options,
)
from bizmodel.compute_budget import attention_ratio, largest_within
from bizmodel.scaling_law import EPOCH_2024, HOFFMANN_2022, compute_optimal, loss
from bizmodel.training_work import ComputeError, TrainingWork

NAN = float("nan")
INSTANCE_FIELDS = (
    "provider region instance_type accelerator count vcpus memory_gib on_demand_usd_per_hour "
    "spot_usd_per_hour status as_of source notes cluster_interconnect"
).split()
# The last field is the cluster interconnect ("" = single node only). The first row is a test cluster
# of 8 × H100 nodes on InfiniBand at Lambda's on-demand price (Lambda's on-demand instances themselves
# have no cluster fabric in the bundled catalog).
INSTANCE_ROWS = [
    (
        "lambda",
        "us-east-1",
        "gpu_8x_h100_sxm5",
        "H100-SXM",
        8.0,
        208.0,
        1800.0,
        23.92,
        NAN,
        "current",
        "infiniband",
    ),
    ("aws", "us-east-1", "p5.48xlarge", "H100-SXM", 8.0, 192.0, 2048.0, 55.04, 20.99, "current", "efa"),
    ("aws", "us-east-1", "p5.48xlarge", "H100-SXM", 8.0, 192.0, 2048.0, 98.32, 20.99, "superseded", "efa"),
    ("gcp", "us-central1", "a2-highgpu-8g", "A100-40GB", 8.0, 96.0, 680.0, 29.39, 8.80, "current", ""),
    ("runpod", "global", "1x L4", "L4", 1.0, 8.0, NAN, 0.44, NAN, "current", ""),
    ("aws", "us-east-1", "c7i.8xlarge", NAN, 0.0, 32.0, 64.0, 1.43, 0.60, "current", ""),
    ("azure", "eastus", "ND_MI300X_v5", "MI300X", 8.0, 96.0, 1850.0, 48.0, NAN, "current", "infiniband"),
]
ACCELERATOR_FIELDS = (
    "accelerator fp32_tflops tf32_tflops bf16_tflops int8_tops memory_gib bandwidth_gbps tdp_watts "
    "as_of source notes"
).split()
ACCELERATOR_ROWS = [
    ("H100-SXM", 67.0, 494.5, 989.0, 1979.0, 80.0, 3350.0, 700.0),
    ("A100-40GB", 19.5, 156.0, 312.0, 624.0, 40.0, 1555.0, 400.0),
    ("L4", 30.3, 60.0, 121.0, 242.0, 24.0, 300.0, 72.0),
    ("MI300X", 163.4, 653.7, NAN, 2615.0, 192.0, 5300.0, 750.0),  # no bf16 peak: skipped
    ("CPU", 1.0, NAN, NAN, NAN, NAN, NAN, NAN),
]
CLI_FIELDS = [
    "provider",
    "instance_type",
    "accelerator",
    "count",
    "pricing",
    "gpu_hours",
    "cost_usd",
    "days",
    "feasible",
]


def make_instances(rows=INSTANCE_ROWS) -> pd.DataFrame:
    full = [(*row[:10], "2025-06-30", "test table", "", row[10] if len(row) > 10 else "") for row in rows]
    return pd.DataFrame(full, columns=INSTANCE_FIELDS)


def make_accelerators(rows=ACCELERATOR_ROWS) -> pd.DataFrame:
    full = [(*row, "2025-06-30", "test table", "") for row in rows]
    return pd.DataFrame(full, columns=ACCELERATOR_FIELDS)


INSTANCES = make_instances()
ACCELERATORS = make_accelerators()
LAMBDA_ONLY = make_instances(INSTANCE_ROWS[:1])
SEVEN_B = TrainingWork.pretrain(7e9, 140e9, sequence=0)  # 6·N·D only, as in the reference's example


def pick(options: pd.DataFrame, **where) -> pd.DataFrame:
    mask = np.ones(len(options), dtype=bool)
    for column, value in where.items():
        mask &= options[column].to_numpy() == value
    return options[mask]


# --- the worked example (REFERENCE.md §4.5) -------------------------------------------------------------


def test_seven_b_on_140b_tokens_by_hand():
    assert SEVEN_B.flops == pytest.approx(5.88e21) and SEVEN_B.attention_flops == 0
    options = training_options(SEVEN_B, LAMBDA_ONLY, ACCELERATORS, Assumptions(max_nodes=1))
    assert len(options) == 1
    row = options.iloc[0]
    # 5.88e21 / (0.4 × 989e12 FLOP/s) = 14,863,498 GPU-seconds = 4,128.75 GPU-hours.
    assert row.gpu_hours == pytest.approx(4128.75, abs=0.01)
    assert round(row.gpu_hours) == 4129
    # 8 GPUs in parallel: 516.09 h = 21.50 days; $23.92/h for the node = $2.99 per GPU-hour.
    assert row.days == pytest.approx(4128.75 / 8 / 24, rel=1e-6)
    assert row.usd_per_gpu_hour == pytest.approx(2.99)
    assert row.cost_usd == pytest.approx(12344.96, abs=0.01)
    # 112 GB of training state fits on 2 × 80 GiB; one 8-GPU node is feasible.
    assert (row.min_gpus, bool(row.feasible)) == (2, True)
    # Energy: 8 × 700 W × PUE 1.2 × 516.09 h = 3,468.1 kWh; CO₂ at 400 g/kWh = 1,387 kg.
    assert row.energy_kwh == pytest.approx(8 * 700 * 1.2 * 516.0937 / 1000, rel=1e-5)
    assert row.co2_kg == pytest.approx(row.energy_kwh * 0.4)
    assert row.energy_usd == pytest.approx(row.energy_kwh * 0.12)
    assert row.as_of == "2025-06-30" and row.source == "test table" and row.status == "current"
    # One node: the scaling efficiency does not apply; H100 supports bf16.
    assert row.nodes == 1 and row.scaling_efficiency == 1.0 and row.precision_note == ""


@pytest.mark.parametrize(
    ("price_per_gpu_hour", "expected_usd"),
    [(2.99, 12_345), (6.88, 28_406), (10.98, 45_334), (12.29, 50_742)],
)
def test_reference_price_table(price_per_gpu_hour, expected_usd):
    instances = LAMBDA_ONLY.assign(on_demand_usd_per_hour=8 * price_per_gpu_hour)
    row = training_options(SEVEN_B, instances, ACCELERATORS, Assumptions(max_nodes=1)).iloc[0]
    assert row.cost_usd == pytest.approx(expected_usd, abs=1.0)


def test_linear_scaling_more_nodes_same_gpu_hours_fewer_days():
    assumptions = Assumptions(max_nodes=8, scaling_efficiency=1.0)
    options = training_options(SEVEN_B, LAMBDA_ONLY, ACCELERATORS, assumptions)
    options = options.sort_values("nodes")
    assert options["nodes"].tolist() == [1, 2, 4, 8]
    assert options["count"].tolist() == [8, 16, 32, 64]
    assert np.allclose(options["gpu_hours"], 4128.75, atol=0.01)
    assert np.allclose(options["days"] * options["nodes"], 4128.75 / 8 / 24, rtol=1e-6)
    assert np.allclose(options["cost_usd"], 12344.96, atol=0.01)


@pytest.mark.parametrize(
    ("nodes", "factor"),
    [(1, 1.0), (2, 0.95), (4, 0.9025), (8, 0.857375)],  # 0.95 ** log2(nodes)
)
def test_scaling_efficiency_by_hand(nodes, factor):
    assumptions = Assumptions(max_nodes=8, scaling_efficiency=0.95)
    options = training_options(SEVEN_B, LAMBDA_ONLY, ACCELERATORS, assumptions)
    row = pick(options, nodes=nodes).iloc[0]
    assert row.scaling_efficiency == pytest.approx(factor)
    # Throughput 8·n GPUs × 0.4 × 989 TFLOP/s × factor: GPU-hours and cost grow by 1/factor, days shrink.
    assert row.gpu_hours == pytest.approx(4128.75 / factor, abs=0.01)
    assert row.cost_usd == pytest.approx(12344.96 / factor, abs=0.01)
    assert row.days == pytest.approx(4128.75 / (8 * nodes * factor) / 24, rel=1e-6)


def test_scaling_efficiency_three_quarters_on_twelve_nodes():
    options = training_options(
        SEVEN_B, LAMBDA_ONLY, ACCELERATORS, Assumptions(max_nodes=12, scaling_efficiency=0.75)
    )
    row = pick(options, nodes=12).iloc[0]
    factor = 0.75 ** math.log2(12)  # 0.2893
    assert row.scaling_efficiency == pytest.approx(factor)
    assert row["count"] == 96 and row.gpu_hours == pytest.approx(4128.75 / factor, rel=1e-6)


def test_only_instances_with_a_cluster_interconnect_span_nodes():
    # The 1 × L4 and the 8 × A100 box without a cluster fabric stay one node; EFA and InfiniBand span.
    options = training_options(SEVEN_B, INSTANCES, ACCELERATORS, Assumptions(max_nodes=64))
    assert set(pick(options, accelerator="L4")["nodes"]) == {1}
    assert set(pick(options, instance_type="a2-highgpu-8g")["nodes"]) == {1}
    for instance in ("p5.48xlarge", "gpu_8x_h100_sxm5"):
        assert set(pick(options, instance_type=instance)["nodes"]) == {1, 2, 4, 8, 16, 32, 64}
    assert set(pick(options, nodes=64)["at_node_cap"]) == {True}
    assert not pick(options, nodes=32)["at_node_cap"].any()
    # An 8 × L40S PCIe box is not a training cluster, whatever its size.
    pcie = make_instances([("x", "r", "8xL40S", "H100-SXM", 8.0, 96.0, 900.0, 12.0, NAN, "current", "")])
    assert training_options(SEVEN_B, pcie, ACCELERATORS)["nodes"].tolist() == [1]
    # A table without the column (an older catalog) prices every instance as one node.
    old = INSTANCES.drop(columns="cluster_interconnect")
    assert set(training_options(SEVEN_B, old, ACCELERATORS)["nodes"]) == {1}


def test_interconnect_names_are_read_case_insensitively():
    loud = LAMBDA_ONLY.assign(cluster_interconnect=" InfiniBand ")
    options = training_options(SEVEN_B, loud, ACCELERATORS, Assumptions(max_nodes=4))
    assert options["nodes"].tolist() == [1, 2, 4] or set(options["nodes"]) == {1, 2, 4}
    unknown = LAMBDA_ONLY.assign(cluster_interconnect="carrier pigeon")
    assert training_options(SEVEN_B, unknown, ACCELERATORS)["nodes"].tolist() == [1]


# --- work definitions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("work", "flops", "memory_bytes", "method"),
    [
        (TrainingWork.pretrain(7e9, 140e9, sequence=0), 6 * 7e9 * 140e9, 16 * 7e9, "pretrain"),
        (TrainingWork.finetune(7e9, 1e9, sequence=0), 6 * 7e9 * 1e9, 16 * 7e9, "finetune_full"),
        (
            TrainingWork.finetune(7e9, 1e9, method="adapter", sequence=0),
            4 * 7e9 * 1e9,
            2.16 * 7e9,
            "finetune_adapter",
        ),
        (
            TrainingWork.finetune(7e9, 1e9, method="adapter", adapter_fraction=0.05, sequence=0),
            4 * 7e9 * 1e9,
            2.8 * 7e9,
            "finetune_adapter",
        ),
        (
            TrainingWork.scaled_run(2e6, 5_000, 10, params=1e5, data_factor=10, model_factor=4),
            3 * 2e6 * 5_000 * 10 * 10 * 4,
            16 * 4e5,
            "scaled_run",
        ),
        (TrainingWork.scaled_run(1e3, 100, 1, params=10), 3e5, 160, "scaled_run"),
    ],
)
def test_work_cases(work, flops, memory_bytes, method):
    assert work.flops == pytest.approx(flops)
    assert work.memory_bytes == pytest.approx(memory_bytes)
    assert work.method == method


def test_adapter_finetune_costs_two_thirds_of_full():
    full = TrainingWork.finetune(13e9, 2e9, method="full")
    adapter = TrainingWork.finetune(13e9, 2e9, method="adapter")
    assert adapter.dense_flops / full.dense_flops == pytest.approx(4 / 6)
    assert adapter.attention_flops == pytest.approx(full.attention_flops)
    assert adapter.memory_bytes < full.memory_bytes


def test_scaled_run_counts_samples_and_scaled_params():
    work = TrainingWork.scaled_run(1e6, 1_000, 3, params=2e5, data_factor=5, model_factor=2)
    assert work.tokens == 1_000 * 3 * 5
    assert work.params == 4e5


@pytest.mark.parametrize(
    "make",
    [
        lambda: TrainingWork.pretrain(0, 1e9),
        lambda: TrainingWork.pretrain(1e9, -1),
        lambda: TrainingWork.pretrain(float("nan"), 1e9),
        lambda: TrainingWork.finetune(1e9, 1e9, method="qlora"),
        lambda: TrainingWork.finetune(1e9, 1e9, method="adapter", adapter_fraction=0),
        lambda: TrainingWork.scaled_run(1e6, 100, 1, params=1e3, data_factor=0),
    ],
)
def test_bad_work_is_refused(make):
    with pytest.raises(ComputeError):
        make()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mfu": 0},
        {"mfu": 1.2},
        {"discount": 1.0},
        {"discount": -0.1},
        {"spot_overhead": -0.5},
        {"pue": 0.9},
        {"max_nodes": 0},
        {"max_nodes": 2.5},
        {"hours_per_day": 25},
        {"grid_g_co2_per_kwh": -1},
        {"scaling_efficiency": 0.5},
        {"scaling_efficiency": 1.01},
        {"scaling_efficiency": 0.0},
    ],
)
def test_bad_assumptions_are_refused(kwargs):
    with pytest.raises(ComputeError):
        Assumptions(**kwargs)


def test_missing_catalog_column_is_named():
    with pytest.raises(ComputeError, match="bf16_tflops"):
        training_options(SEVEN_B, INSTANCES, ACCELERATORS.drop(columns="bf16_tflops"))


# --- memory feasibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "accelerator", "min_gpus"),
    [
        (7e9, "H100-SXM", 2),  # 112 GB / 85.9 GB
        (70e9, "H100-SXM", 14),  # 1.12 TB / 85.9 GB = 13.04
        (70e9, "A100-40GB", 27),  # 1.12 TB / 42.9 GB = 26.08
        (175e9, "H100-SXM", 33),  # 2.8 TB / 85.9 GB = 32.6
        (1e9, "L4", 1),  # 16 GB on 24 GiB
    ],
)
def test_min_gpus_from_sixteen_bytes_per_param(params, accelerator, min_gpus):
    options = training_options(TrainingWork.pretrain(params, 20 * params), INSTANCES, ACCELERATORS)
    rows = pick(options, accelerator=accelerator)
    assert set(rows["min_gpus"]) == {min_gpus}
    assert (rows["feasible"] == (rows["count"] >= min_gpus)).all()


def test_seventy_b_needs_two_h100_nodes():
    options = training_options(TrainingWork.pretrain(70e9, 1.4e12), LAMBDA_ONLY, ACCELERATORS)
    assert options["at_node_cap"].tolist().count(True) == 1
    feasible = dict(zip(options["nodes"], options["feasible"], strict=True))
    assert feasible == {1: False, 2: True, 4: True, 8: True, 16: True, 32: True, 64: True}
    # Infeasible options are listed after every feasible one and carry no rank.
    assert options["feasible"].tolist() == sorted(options["feasible"].tolist(), reverse=True)
    assert options.loc[~options["feasible"], "cost_rank"].isna().all()


def test_adapter_fits_where_full_finetune_does_not():
    full = training_options(
        TrainingWork.finetune(13e9, 1e9), LAMBDA_ONLY, ACCELERATORS, Assumptions(max_nodes=1)
    )
    adapter = training_options(
        TrainingWork.finetune(13e9, 1e9, method="adapter"),
        LAMBDA_ONLY,
        ACCELERATORS,
        Assumptions(max_nodes=1),
    )
    assert full.iloc[0].min_gpus == 3 and adapter.iloc[0].min_gpus == 1


# --- the option table -----------------------------------------------------------------------------------


def test_option_table_contract():
    options = training_options(SEVEN_B, INSTANCES, ACCELERATORS, Assumptions(max_nodes=4))
    assert set(CLI_FIELDS) <= set(options.columns)
    assert set(options["pricing"]) == {"on_demand", "spot"}
    # CPU-only, superseded and no-bf16-peak rows are skipped.
    assert set(options["accelerator"]) == {"H100-SXM", "A100-40GB", "L4"}
    assert set(options["status"]) == {"current"}
    assert not (options["instance_type"] == "c7i.8xlarge").any()
    # Spot only where the catalog has a spot price: the two clustered 8-GPU instances on 3 node counts
    # × (2 on-demand + 1 spot), the 8 × A100 box on one node (on demand and spot) and the 1 × L4 on one
    # node, on demand only.
    assert len(options) == 3 * 3 + 2 + 1
    assert set(options["precision_note"]) == {""}
    assert pick(options, provider="lambda", pricing="spot").empty
    assert np.allclose(options["gpu_hours"], options["count"] * 24 * options["days"])
    feasible = options[options["feasible"]]
    assert feasible["cost_usd"].is_monotonic_increasing
    assert feasible["cost_rank"].iloc[0] == 1


def test_superseded_rows_on_request():
    options = training_options(SEVEN_B, INSTANCES, ACCELERATORS, statuses=("current", "superseded"))
    assert set(options["status"]) == {"current", "superseded"}


def test_spot_overhead_and_discount():
    assumptions = Assumptions(max_nodes=1, spot_overhead=0.25, discount=0.3)
    options = training_options(SEVEN_B, INSTANCES, ACCELERATORS, assumptions)
    p5 = pick(options, instance_type="p5.48xlarge")
    on_demand = p5[p5["pricing"] == "on_demand"].iloc[0]
    spot = p5[p5["pricing"] == "spot"].iloc[0]
    hours = 4128.75 / 8
    assert on_demand.days * 24 == pytest.approx(hours, rel=1e-5)
    assert spot.days == pytest.approx(on_demand.days * 1.25)
    assert on_demand.cost_usd == pytest.approx(55.04 * hours * 0.7, rel=1e-5)
    assert spot.cost_usd == pytest.approx(20.99 * hours * 1.25 * 0.7, rel=1e-5)
    assert spot.usd_per_gpu_hour == pytest.approx(20.99 * 0.7 / 8)


def test_hours_per_day_stretches_days_not_gpu_hours():
    base = training_options(SEVEN_B, LAMBDA_ONLY, ACCELERATORS, Assumptions(max_nodes=1)).iloc[0]
    office = training_options(
        SEVEN_B, LAMBDA_ONLY, ACCELERATORS, Assumptions(max_nodes=1, hours_per_day=8)
    ).iloc[0]
    assert office.days == pytest.approx(3 * base.days)
    assert office.gpu_hours == pytest.approx(base.gpu_hours)
    assert office.gpu_hours == pytest.approx(office["count"] * 8 * office.days)


@pytest.mark.parametrize(
    ("accelerator", "notes", "expected"),
    [
        ("T4", "", FP16_ONLY_NOTE),
        ("V100-32GB", "", FP16_ONLY_NOTE),
        ("NEW-GPU", "fp16 tensor only; no bf16/tf32 support", FP16_ONLY_NOTE),
        ("NEW-GPU", "No BF16", FP16_ONLY_NOTE),
        ("H100-SXM", "bf16 dense", ""),
        ("A100-40GB", float("nan"), ""),
    ],
)
def test_precision_notes(accelerator, notes, expected):
    table = pd.DataFrame({"accelerator": [accelerator], "notes": [notes]})
    assert precision_notes(table).tolist() == [expected]
    assert precision_notes(table.drop(columns="notes")).tolist() == [
        FP16_ONLY_NOTE if accelerator in {"T4", "V100-32GB"} else ""
    ]


def test_fp16_only_accelerators_are_kept_and_flagged():
    t4 = make_instances([("azure", "eastus", "NC4as_T4_v3", "T4", 1.0, 4.0, 28.0, 0.526, NAN, "current")])
    accelerators = make_accelerators([("T4", 8.1, NAN, 65.0, 130.0, 16.0, 320.0, 70.0)])
    row = training_options(TrainingWork.pretrain(1e8, 2e9), t4, accelerators).iloc[0]
    assert row.precision_note == FP16_ONLY_NOTE and row.nodes == 1 and bool(row.feasible)


def test_missing_tdp_gives_missing_energy_not_an_error():
    accelerators = ACCELERATORS.assign(tdp_watts=ACCELERATORS["tdp_watts"].where(ACCELERATORS.index != 0))
    options = training_options(SEVEN_B, LAMBDA_ONLY, accelerators)
    assert options["energy_kwh"].isna().all() and options["cost_usd"].notna().all()


def test_empty_catalog_gives_empty_table_and_no_highlight():
    options = training_options(SEVEN_B, INSTANCES.iloc[0:0], ACCELERATORS)
    assert options.empty and set(CLI_FIELDS) <= set(options.columns)
    assert cheapest(options) is None and fastest(options) is None


@pytest.mark.parametrize("node_limit, expected", [(1, [1]), (8, [1, 2, 4, 8]), (12, [1, 2, 4, 8, 12])])
def test_node_counts(node_limit, expected):
    assert node_counts(node_limit).tolist() == expected


# --- Pareto, cheapest, fastest -------------------------------------------------------------------------

PARETO_CASES = pd.DataFrame(
    {
        "name": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "cost_usd": [100.0, 200.0, 300.0, 250.0, 100.0, 50.0, 400.0, 200.0],
        "days": [10.0, 5.0, 1.0, 6.0, 12.0, 0.5, 1.0, 5.0],
        "feasible": [True, True, True, True, True, False, True, True],
    }
)


def test_pareto_front_on_a_small_table():
    front = pareto_front(PARETO_CASES)
    # a, b, c trade cost for days; h ties b exactly (neither dominates); d (b is cheaper and faster),
    # e (a is as cheap and faster), g (c is cheaper, as fast) are dominated; f is infeasible.
    assert PARETO_CASES.loc[front, "name"].tolist() == ["a", "b", "c", "h"]


def test_pareto_matches_brute_force_on_random_tables():
    rng = np.random.default_rng(7)
    for _ in range(20):
        df = pd.DataFrame(
            {
                "cost_usd": rng.integers(1, 8, 30).astype(float),
                "days": rng.integers(1, 8, 30).astype(float),
                "feasible": rng.random(30) < 0.8,
            }
        )
        f = df[df["feasible"]]
        expected = [
            bool(df.feasible[i])
            and not (
                (f.cost_usd <= df.cost_usd[i])
                & (f.days <= df.days[i])
                & ((f.cost_usd < df.cost_usd[i]) | (f.days < df.days[i]))
            ).any()
            for i in df.index
        ]
        assert pareto_front(df).tolist() == expected


def test_float_noise_does_not_split_a_cost_tie():
    df = pd.DataFrame({"cost_usd": [1.0 + 2e-16 * 8, 1.0], "days": [1.0, 8.0], "feasible": True})
    assert pareto_front(df).tolist() == [True, False]
    assert fastest(df).days == 1.0 and cheapest(df).days == 1.0


def test_under_linear_scaling_equal_cost_options_list_the_faster_first():
    options = training_options(SEVEN_B, LAMBDA_ONLY, ACCELERATORS, Assumptions(scaling_efficiency=1.0))
    assert options["nodes"].tolist() == [64, 32, 16, 8, 4, 2, 1]
    assert options["pareto"].tolist() == [True] + [False] * 6
    assert (options["cost_rank"] == 1).all() and options["days_rank"].tolist() == list(range(1, 8))


def test_without_a_scale_loss_more_nodes_cost_the_same_and_finish_sooner():
    options = training_options(SEVEN_B, LAMBDA_ONLY, ACCELERATORS)  # the default: no scale loss
    assert Assumptions().scaling_efficiency == 1.0
    assert np.allclose(options["cost_usd"], 12344.96, atol=0.01)
    assert options["nodes"].tolist() == [64, 32, 16, 8, 4, 2, 1]  # equal cost: the faster first
    assert fastest(options).nodes == 64 and bool(fastest(options).at_node_cap)


def test_with_scaling_losses_every_node_count_is_a_real_trade_off():
    options = training_options(SEVEN_B, LAMBDA_ONLY, ACCELERATORS, Assumptions(scaling_efficiency=0.95))
    assert options["nodes"].tolist() == [1, 2, 4, 8, 16, 32, 64]  # cheapest first
    assert options["pareto"].all()
    assert options["cost_usd"].is_monotonic_increasing and options["days"].is_monotonic_decreasing
    assert cheapest(options).nodes == 1 and fastest(options).nodes == 64
    assert options["days_rank"].tolist() == list(range(7, 0, -1))


def test_cheapest_and_fastest_skip_infeasible():
    assert cheapest(PARETO_CASES)["name"] == "a"
    assert fastest(PARETO_CASES)["name"] == "c"  # c and g both take 1 day; c is cheaper
    assert cheapest(PARETO_CASES.assign(feasible=False)) is None


def test_catalog_highlights_are_on_the_front():
    options = training_options(TrainingWork.pretrain(70e9, 1.4e12), INSTANCES, ACCELERATORS)
    front = options[options["pareto"]]
    best_cost, best_time = cheapest(options), fastest(options)
    assert best_cost.cost_usd == front["cost_usd"].min()
    assert best_time.days == front["days"].min()
    assert best_cost.feasible and best_time.feasible
    assert front["days"].is_monotonic_decreasing  # sorted by cost, the front gets faster


# --- properties ----------------------------------------------------------------------------------------

positive = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False, allow_infinity=False)
factor = st.floats(min_value=1.0, max_value=100.0, allow_nan=False)
mfu = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)
property_settings = settings(max_examples=40, deadline=None)


def _key(options):
    return options.sort_values(["provider", "instance_type", "nodes", "pricing"]).reset_index(drop=True)


@property_settings
@given(price_factor=factor, params=st.floats(min_value=1e6, max_value=5e11), tokens_per_param=positive)
def test_cost_rises_with_price(price_factor, params, tokens_per_param):
    work = TrainingWork.pretrain(params, params * tokens_per_param)
    dearer = INSTANCES.assign(
        on_demand_usd_per_hour=INSTANCES["on_demand_usd_per_hour"] * price_factor,
        spot_usd_per_hour=INSTANCES["spot_usd_per_hour"] * price_factor,
    )
    base = _key(training_options(work, INSTANCES, ACCELERATORS, Assumptions(max_nodes=4)))
    high = _key(training_options(work, dearer, ACCELERATORS, Assumptions(max_nodes=4)))
    assert (high["cost_usd"] >= base["cost_usd"] * (1 - 1e-12)).all()
    assert np.allclose(high["cost_usd"], base["cost_usd"] * price_factor)
    assert np.allclose(high["days"], base["days"])


@property_settings
@given(
    params=st.floats(min_value=1e6, max_value=5e11),
    tokens=st.floats(min_value=1e6, max_value=1e13),
    more=factor,
)
def test_cost_rises_with_flops(params, tokens, more):
    small = _key(training_options(TrainingWork.pretrain(params, tokens), INSTANCES, ACCELERATORS))
    large = _key(training_options(TrainingWork.pretrain(params, tokens * more), INSTANCES, ACCELERATORS))
    assert (large["cost_usd"] >= small["cost_usd"] * (1 - 1e-12)).all()
    assert (large["days"] >= small["days"] * (1 - 1e-12)).all()


@property_settings
@given(low=mfu, high=mfu, spot_overhead=st.floats(min_value=0, max_value=1))
def test_cost_falls_with_mfu(low, high, spot_overhead):
    low, high = sorted((low, high))
    slow = _key(
        training_options(SEVEN_B, INSTANCES, ACCELERATORS, Assumptions(mfu=low, spot_overhead=spot_overhead))
    )
    fast = _key(
        training_options(SEVEN_B, INSTANCES, ACCELERATORS, Assumptions(mfu=high, spot_overhead=spot_overhead))
    )
    assert (fast["cost_usd"] <= slow["cost_usd"] * (1 + 1e-12)).all()
    assert (fast["days"] <= slow["days"] * (1 + 1e-12)).all()


@property_settings
@given(
    params=st.floats(min_value=1e6, max_value=1e12),
    tokens_per_param=positive,
    chosen_mfu=mfu,
    efficiency=st.floats(min_value=0.501, max_value=1.0),
)
def test_more_gpus_never_more_days_when_feasible(params, tokens_per_param, chosen_mfu, efficiency):
    work = TrainingWork.pretrain(params, params * tokens_per_param)
    assumptions = Assumptions(mfu=chosen_mfu, scaling_efficiency=efficiency)
    options = training_options(work, INSTANCES, ACCELERATORS, assumptions)
    feasible = options[options["feasible"]]
    for _, group in feasible.groupby(["accelerator", "pricing"]):
        days = group.sort_values(["count", "days"])["days"].to_numpy()
        assert (np.diff(days) <= 1e-12 * days.max()).all()
    # More memory-feasible GPUs never turn an option infeasible.
    for _, group in options.groupby(["provider", "instance_type", "pricing"]):
        flags = group.sort_values("count")["feasible"].to_numpy()
        assert (np.diff(flags.astype(int)) >= 0).all()


# --- scaling laws --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("law", "flops", "tokens_per_param"),
    [
        (EPOCH_2024, 1e21, 21.6),
        (EPOCH_2024, 1e23, 19.2),
        (EPOCH_2024, 1e24, 18.1),
        (HOFFMANN_2022, 1e21, 50.1),
        (HOFFMANN_2022, 1e23, 78.2),
        (HOFFMANN_2022, 1e24, 97.7),
    ],
)
def test_compute_optimal_tokens_per_param(law, flops, tokens_per_param):
    params, tokens = compute_optimal(law, flops)
    assert 6 * params * tokens == pytest.approx(flops)
    assert tokens / params == pytest.approx(tokens_per_param, abs=0.05)


@pytest.mark.parametrize("law", [EPOCH_2024, HOFFMANN_2022])
@pytest.mark.parametrize("flops", [1e19, 1e22, 1e25])
def test_compute_optimal_minimises_loss_on_the_iso_flop_line(law, flops):
    params, tokens = compute_optimal(law, flops)
    best = loss(law, params, tokens)
    others = params * np.array([0.5, 0.8, 0.95, 1.05, 1.25, 2.0])
    assert (loss(law, others, flops / (6 * others)) > best).all()


def test_compute_optimal_is_vectorised_and_loss_falls_with_scale():
    params, tokens = compute_optimal(EPOCH_2024, np.array([1e20, 1e22, 1e24]))
    assert params.shape == (3,) and np.all(np.diff(params) > 0) and np.all(np.diff(tokens) > 0)
    assert np.all(np.diff(loss(EPOCH_2024, params, tokens)) < 0)
    assert loss(EPOCH_2024, 1e30, 1e30) == pytest.approx(EPOCH_2024.E, abs=1e-6)
    with pytest.raises(ComputeError):
        compute_optimal(EPOCH_2024, 0)
    with pytest.raises(ComputeError):
        loss(EPOCH_2024, -1, 1e9)


# --- inverse budgeting ---------------------------------------------------------------------------------


def test_budget_limited_inverse_of_the_hand_case():
    answer = largest_within(12344.96, 365.0, LAMBDA_ONLY, ACCELERATORS, Assumptions(max_nodes=1), sequence=0)
    assert answer.limited_by == "budget"
    assert answer.flops == pytest.approx(5.88e21, rel=1e-6)
    assert answer.cost_usd == pytest.approx(12344.96, rel=1e-9)
    assert 6 * answer.params * answer.tokens == pytest.approx(answer.flops)
    params, tokens = compute_optimal(EPOCH_2024, 5.88e21)
    assert (answer.params, answer.tokens) == pytest.approx((params, tokens), rel=1e-6)
    assert answer.tokens / answer.params == pytest.approx(20.6, abs=0.05)  # Epoch allocation at 5.88e21
    assert answer.predicted_loss == pytest.approx(loss(EPOCH_2024, answer.params, answer.tokens))
    assert answer.option["instance_type"] == "gpu_8x_h100_sxm5" and bool(answer.option["feasible"])


def test_deadline_limited():
    single = make_instances([(*INSTANCE_ROWS[0][:10], "")])  # no cluster fabric: one node only
    answer = largest_within(1e9, 10.0, single, ACCELERATORS, Assumptions(max_nodes=4))
    assert answer.limited_by == "deadline"
    assert answer.days == pytest.approx(10.0)
    assert answer.flops == pytest.approx(8 * 0.4 * 989e12 * 10 * 86400)


def test_a_deadline_on_an_option_at_the_node_cap_says_node_cap():
    answer = largest_within(1e9, 10.0, LAMBDA_ONLY, ACCELERATORS, Assumptions(max_nodes=1))
    assert answer.limited_by == "node_cap" and bool(answer.option["at_node_cap"])
    bigger = largest_within(1e9, 10.0, LAMBDA_ONLY, ACCELERATORS, Assumptions(max_nodes=8))
    assert bigger.flops == pytest.approx(8 * answer.flops) and bigger.limited_by == "node_cap"


def test_budget_with_attention_splits_hardware_flops_into_law_and_attention():
    answer = largest_within(50_000.0, 365.0, LAMBDA_ONLY, ACCELERATORS, Assumptions(max_nodes=1))
    assert answer.limited_by == "budget"
    assert answer.cost_usd == pytest.approx(50_000.0, rel=1e-9)
    work = answer.work
    assert work.flops == pytest.approx(answer.flops) and work.attention_flops > 0
    # The law allocates the dense part; attention is the inferred shape's share on top.
    assert 6 * answer.active_params * answer.tokens == pytest.approx(answer.dense_flops, rel=1e-9)
    ratio = attention_ratio(answer.active_params, 4096)
    assert answer.flops == pytest.approx(answer.dense_flops * (1 + ratio), rel=1e-6)
    params, _tokens = compute_optimal(EPOCH_2024, answer.dense_flops)
    assert answer.active_params == pytest.approx(params, rel=1e-6)


def test_moe_budget_sizes_active_params_and_holds_the_total():
    one_node = Assumptions(max_nodes=1)
    dense = largest_within(1e3, 365.0, LAMBDA_ONLY, ACCELERATORS, one_node)
    moe = largest_within(1e3, 365.0, LAMBDA_ONLY, ACCELERATORS, one_node, active_share=0.1)
    # Same compute, same active parameters; the Mixture-of-Experts holds ten times as many.
    assert moe.limited_by == dense.limited_by == "budget"
    assert moe.active_params == pytest.approx(dense.active_params, rel=1e-9)
    assert moe.params == pytest.approx(10 * moe.active_params)
    assert moe.work.memory_bytes == pytest.approx(16 * moe.params)
    # With more money the total no longer fits one node: memory binds, on the total parameters.
    big = largest_within(1e5, 365.0, LAMBDA_ONLY, ACCELERATORS, one_node, active_share=0.1)
    assert big.limited_by == "memory"
    assert 16 * big.params == pytest.approx(8 * 80 * 2**30, rel=1e-6)
    with pytest.raises(ComputeError, match="active_share"):
        largest_within(1e5, 365.0, LAMBDA_ONLY, ACCELERATORS, active_share=1.5)


def test_memory_limited_and_feasible():
    # One L4 (24 GiB) holds 1.61e9 params; with plenty of money and time, memory binds.
    l4 = make_instances([INSTANCE_ROWS[4]])
    answer = largest_within(1e9, 1e5, l4, ACCELERATORS, Assumptions(max_nodes=1))
    assert answer.limited_by == "memory"
    assert answer.params == pytest.approx(24 * 2**30 / 16, rel=1e-9)
    assert bool(answer.option["feasible"]) and answer.option["min_gpus"] == 1


def test_fixed_tokens_per_param_and_per_accelerator_table():
    answer = largest_within(1e5, 30.0, INSTANCES, ACCELERATORS, tokens_per_param=20.0)
    assert answer.tokens / answer.params == pytest.approx(20.0)
    table = answer.per_accelerator
    assert set(table["accelerator"]) == {"H100-SXM", "A100-40GB", "L4"}
    assert table["max_flops"].is_monotonic_decreasing
    assert table.iloc[0]["max_flops"] == pytest.approx(answer.flops)
    assert (table["cost_usd"] <= 1e5 * (1 + 1e-9)).all() and (table["days"] <= 30 * (1 + 1e-9)).all()


@property_settings
@given(
    budget=st.floats(min_value=10.0, max_value=1e8),
    more=factor,
    deadline=st.floats(min_value=0.1, max_value=1000.0),
    later=factor,
)
def test_more_budget_or_time_never_gives_a_smaller_model(budget, more, deadline, later):
    base = largest_within(budget, deadline, INSTANCES, ACCELERATORS)
    richer = largest_within(budget * more, deadline, INSTANCES, ACCELERATORS)
    patient = largest_within(budget, deadline * later, INSTANCES, ACCELERATORS)
    assert richer.params >= base.params * (1 - 1e-9) and richer.flops >= base.flops * (1 - 1e-9)
    assert patient.params >= base.params * (1 - 1e-9)
    for answer, money, time in ((base, budget, deadline), (richer, budget * more, deadline)):
        assert answer.cost_usd <= money * (1 + 1e-9) and answer.days <= time * (1 + 1e-9)
        assert bool(answer.option["feasible"])


@pytest.mark.parametrize(("budget", "deadline"), [(0.0, 10.0), (100.0, -1.0), (math.inf, 10.0)])
def test_bad_budget_is_refused(budget, deadline):
    with pytest.raises(ComputeError):
        largest_within(budget, deadline, INSTANCES, ACCELERATORS)


def test_no_usable_option_is_an_error():
    with pytest.raises(ComputeError, match="no priced accelerator"):
        largest_within(1e4, 10.0, make_instances([INSTANCE_ROWS[5]]), ACCELERATORS)


# --- the bundled catalog, when it exists ---------------------------------------------------------------


def test_bundled_catalog_prices_the_hand_case():
    catalog_module = pytest.importorskip("bizmodel.catalog")
    catalog = catalog_module.load_bundled()
    options = training_options(SEVEN_B, catalog.instances, catalog.accelerators)
    assert not options.empty and set(CLI_FIELDS) <= set(options.columns)
    assert cheapest(options) is not None and fastest(options) is not None
    peaks = catalog.accelerators.set_index("accelerator")["bf16_tflops"]
    at_989 = options[
        (options["accelerator"].map(peaks) == 989.0)
        & (options["pricing"] == "on_demand")
        & (options["nodes"] == 1)
    ]
    assert not at_989.empty  # H100 SXM / H200 rows, one node (no scaling losses)
    assert np.allclose(at_989["gpu_hours"], 4128.75, rtol=1e-4)
    # Only clustered instances span nodes; the frontier trades cost for time.
    assert (options.loc[options["cluster_interconnect"] == "", "nodes"] == 1).all()
    assert set(options.loc[options["nodes"] > 1, "cluster_interconnect"]) <= {
        "infiniband",
        "efa",
        "roce",
        "tcpx",
    }
    assert not options.loc[options["accelerator"] == "L40S", "nodes"].gt(1).any()
    front = options[options["pareto"]]
    assert front["nodes"].nunique() > 1 and front["cost_usd"].nunique() == len(front)
    fp16 = set(options.loc[options["precision_note"] == FP16_ONLY_NOTE, "accelerator"])
    assert fp16 <= {"T4", "V100-16GB", "V100-32GB"}


# --- dense and Mixture-of-Experts, attention ---------------------------------------------------------


def test_moe_flops_from_active_params_memory_from_total():
    # DeepSeek-V3-like: 671B total, 37B active, 14.8T tokens; no attention term to isolate the rule.
    moe = TrainingWork.pretrain(671e9, 14.8e12, active_params=37e9, sequence=0)
    assert moe.flops == pytest.approx(6 * 37e9 * 14.8e12)
    assert moe.memory_bytes == pytest.approx(16 * 671e9)
    assert moe.is_moe and moe.params == 671e9 and moe.active_params == 37e9
    dense = TrainingWork.pretrain(37e9, 14.8e12, sequence=0)
    assert dense.flops == pytest.approx(moe.flops) and not dense.is_moe
    # 10.7 TB of training state needs at least 125 H100s; 37B alone would fit on 7.
    options = training_options(moe, LAMBDA_ONLY, ACCELERATORS, Assumptions(max_nodes=16))
    assert set(options["min_gpus"]) == {125}
    assert set(options.loc[options["feasible"], "nodes"]) == {16}


def test_adapter_finetune_of_a_moe_model():
    work = TrainingWork.finetune(671e9, 1e9, method="adapter", active_params=37e9, sequence=0)
    assert work.flops == pytest.approx(4 * 37e9 * 1e9)
    assert work.memory_bytes == pytest.approx((2 + 16 * 0.01) * 671e9)


@pytest.mark.parametrize(
    "make",
    [
        lambda: TrainingWork.pretrain(37e9, 1e12, active_params=671e9),
        lambda: TrainingWork.pretrain(1e9, 1e12, active_params=0),
        lambda: TrainingWork.pretrain(1e9, 1e12, active_params=float("nan")),
        lambda: TrainingWork.pretrain(1e9, 1e12, sequence=-1),
        lambda: TrainingWork.pretrain(1e9, 1e12, shape="no-such-model"),
    ],
)
def test_bad_moe_and_shape_inputs_are_refused(make):
    with pytest.raises(ComputeError):
        make()


def test_attention_term_follows_the_palm_convention():
    # Llama 2 7B (32 layers, 32 heads × 128) on 2T tokens at T = 4,096:
    # 6·N·D = 8.09e22 and 12·L·H·Q·T·D = 12·32·4096·4096·2e12 = 1.29e22.
    work = TrainingWork.pretrain(6.74e9, 2e12, shape="llama-2-7b")
    assert work.shape_key == "llama-2-7b" and work.sequence == 4096
    assert work.dense_flops == pytest.approx(6 * 6.74e9 * 2e12)
    assert work.attention_flops == pytest.approx(12 * 32 * 32 * 128 * 4096 * 2e12)
    assert work.flops == pytest.approx(work.dense_flops + work.attention_flops)
    # Longer sequences cost more; sequence 0 leaves attention out.
    longer = TrainingWork.pretrain(6.74e9, 2e12, shape="llama-2-7b", sequence=8192)
    assert longer.attention_flops == pytest.approx(2 * work.attention_flops)
    assert TrainingWork.pretrain(6.74e9, 2e12, sequence=0).attention_flops == 0


@given(
    params=st.floats(1e6, 1e13),
    share=st.floats(0.01, 1.0),
    tokens=st.floats(1e6, 1e14),
    sequence=st.sampled_from([0, 2048, 4096, 8192]),
)
@settings(max_examples=60, deadline=None)
def test_moe_work_properties(params, share, tokens, sequence):
    work = TrainingWork.pretrain(params, tokens, active_params=params * share, sequence=sequence)
    dense = TrainingWork.pretrain(params * share, tokens, sequence=sequence)
    # FLOPs follow the active parameters (the inferred shape comes from them), memory the total.
    assert work.flops == pytest.approx(dense.flops, rel=1e-9)
    assert work.memory_bytes == pytest.approx(16 * params)
    assert work.attention_flops >= 0 and work.dense_flops == pytest.approx(6 * params * share * tokens)
