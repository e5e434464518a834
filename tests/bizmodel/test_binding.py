"""A run drives a scenario: hand-priced retraining and serving, ranges from seeds, binding, JSON."""

from __future__ import annotations

import json
import math

import pytest

from bizmodel.basis import TechnicalBasis
from bizmodel.binding import (
    DEFAULT_P95_TARGET_MS,
    DEFAULT_REQUESTS_PER_MONTH,
    SERVING_RANGE_MAX_FACTOR,
    BindingError,
    RunInputs,
    bind,
    inputs_for,
    peak_requests_per_month,
    run_inputs,
    serving_volume,
)
from bizmodel.production import production_scale
from bizmodel.projection import project
from bizmodel.reasons import Reason
from bizmodel.scenario import Scenario, base_template
from bizmodel.scenario_ranges import Range
from bizmodel.serving import ServingAssumptions
from tests.support.economics import batch_run, catalog, inputs, profile_row, record, repeat


def test_cpu_run_without_profile_or_repeat() -> None:
    got = inputs(record())
    assert got.model_accuracy == 0.9
    assert got.run_cost_usd == pytest.approx(3.6)  # 3,600 s on the 2-vCPU instance at $3.60/h
    assert "cpu.small" in str(got.run_cost_detail) and "'retrain_priced" in str(got.run_cost_detail)
    # With no production scale, one retraining is the run itself plus ten minutes of job overhead.
    assert got.retrain_cost_usd == pytest.approx(3.6 + 600 / 3600 * 3.6)
    assert "cpu.small" in str(got.retrain_detail) and "'production_retraining'" in str(got.retrain_detail)
    assert got.retraining is not None and got.retraining.method == "measured_scaled"
    assert got.serving_usd_per_1000_predictions is None
    assert got.serving_detail == Reason("no_inference_profile", run_id="run-1")
    assert got.accuracy_range is None and got.serving_range is None
    assert got.range_detail == Reason("no_ranges")
    assert got.accuracy_detail == Reason(
        "accuracy_measured_on", run_id="run-1", accuracy_fraction=0.9, n_test=500
    )


def test_retraining_is_compute_only_not_energy() -> None:
    cheap_power = inputs(record(), usd_per_kwh=0.0)
    dear_power = inputs(record(), usd_per_kwh=5.0)
    assert cheap_power.retrain_cost_usd == dear_power.retrain_cost_usd
    assert cheap_power.run_cost_usd == dear_power.run_cost_usd
    assert isinstance(dear_power.run_cost_detail, Reason)
    assert dear_power.run_cost_detail.code == "retrain_priced_energy"
    assert dear_power.run_cost_detail.params["kwh_price_usd"] == 5.0


def test_core_count_picks_the_instance() -> None:
    big = inputs(record(device="CPU (Intel Xeon, 16 logical cores)"))
    assert big.run_cost_usd == pytest.approx(20.0)
    assert big.retrain_cost_usd == pytest.approx(20.0 * (1 + 600 / 3600))


@pytest.mark.parametrize(
    ("device", "expected_usd", "detail"),
    [
        ("NVIDIA L4", 0.8, "gpu.l4"),
        ("NVIDIA Unknown-9000", None, "'retrain_no_accelerator'"),
        ("NVIDIA H100 80GB HBM3", None, "'no_accelerator_instance'"),
    ],
)
def test_gpu_run(device: str, expected_usd: float | None, detail: str) -> None:
    got = inputs(record(device=device, device_kind="gpu"))
    if expected_usd is None:
        assert got.retrain_cost_usd is None and got.run_cost_usd is None
    else:
        assert got.run_cost_usd == pytest.approx(expected_usd)
        assert got.retrain_cost_usd == pytest.approx(expected_usd * (1 + 600 / 3600))
    assert detail in str(got.retrain_detail) and detail in str(got.run_cost_detail)


HOURS = 730.0  # ServingAssumptions' billed hours a month
#: 2,000 requests/s on average, as requests a month.
VOLUME_2000_RPS = 2000.0 * HOURS * 3600.0


def option_batch(detail: Reason | str) -> object:
    """The batch size of the serving option a serving detail names."""
    assert isinstance(detail, Reason) and isinstance(detail.params["option"], Reason), detail
    return detail.params["option"].params["batch"]


def test_serving_is_planned_for_the_volume_not_the_biggest_batch() -> None:
    # 1e6 requests a month = 0.38/s on average: one instance of any option is enough, and only batch 1
    # meets 100 ms per request (a batch of 32 takes 31 ÷ 0.38 s ≈ 81 s to fill). One $3.60/h instance
    # all month = $2,628 for 1,000 thousand requests = $2.628 per 1,000.
    got = batch_run(requests_per_month=1e6)
    assert got.serving_usd_per_1000_predictions == pytest.approx(3.6 * HOURS / 1000.0)
    assert got.serving_p95_ms == pytest.approx(0.5)  # no fill for a batch of 1
    detail = got.serving_detail
    assert isinstance(detail, Reason) and detail.code == "serving_detail"
    assert option_batch(detail) == 1 and detail.params["instances"] == 1
    assert detail.params["requests"] == 1_000_000 and detail.params["p95"] == pytest.approx(0.5)
    assert detail.params["verdict"] == Reason("verdict_met", target=100.0)


def test_a_larger_volume_fills_a_larger_batch() -> None:
    # 2,000/s on average (4,000/s at peak): batch 1 needs ceil(4,000 ÷ 250) = 16 instances, batch 32
    # one instance (5,000/s at 50 %) whose batch fills in 31 ÷ 2,000 s = 15.5 ms (+ 2 ms per call),
    # batch 1,024 one instance but 1,023 ÷ 2,000 s = 511.5 ms to fill: too slow.
    got = batch_run(requests_per_month=VOLUME_2000_RPS)
    assert got.serving_usd_per_1000_predictions == pytest.approx(3.6 * HOURS / (VOLUME_2000_RPS / 1000.0))
    assert got.serving_p95_ms == pytest.approx(15.5 + 2.0)
    detail = got.serving_detail
    assert isinstance(detail, Reason) and option_batch(detail) == 32
    assert detail.params["instances"] == 1 and detail.params["fill"] == pytest.approx(15.5)
    # Before volume planning the batch-1,024 row's full-load price and per-call p95 were bound:
    full_load_1024 = 3.6 / (100_000.0 * 3600.0 * 0.5) * 1000.0
    assert got.serving_usd_per_1000_predictions > 10 * full_load_1024
    assert got.serving_p95_ms != 4.0


def test_no_option_meets_the_target_takes_the_fastest_per_request() -> None:
    got = batch_run(requests_per_month=1e6, p95_target_ms=0.1)  # the int8 row is not the float model
    assert got.serving_p95_ms == pytest.approx(0.5)
    assert isinstance(got.serving_detail, Reason)
    assert got.serving_detail.params["verdict"] == Reason("verdict_unmet", target=0.1)


def test_default_volume_and_target() -> None:
    assert DEFAULT_REQUESTS_PER_MONTH == 1e6 and DEFAULT_P95_TARGET_MS == 100.0
    assert batch_run() == batch_run(requests_per_month=1e6, p95_target_ms=100.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"requests_per_month": 0.0},
        {"requests_per_month": -5.0},
        {"requests_per_month": math.nan},
        {"requests_per_month": math.inf},
        {"p95_target_ms": 0.0},
        {"p95_target_ms": math.nan},
    ],
)
def test_bad_volume_or_target(kwargs: dict[str, float]) -> None:
    with pytest.raises(BindingError):
        batch_run(**kwargs)


def test_serving_utilisation_is_an_assumption() -> None:
    rec = record(inference={"rows": [profile_row()]})  # batch 32, 1,000 predictions/s, p95 1 ms
    volume = 1000.0 * HOURS * 3600.0  # 1,000/s on average
    # Fully used, no peak: one instance, the batch fills in 31 ms; $2,628 ÷ 2.628e6 thousand requests.
    full = inputs(
        rec,
        requests_per_month=volume,
        serving_assumptions=ServingAssumptions(utilisation=1.0, peak_to_average=1.0),
    )
    assert full.serving_usd_per_1000_predictions == pytest.approx(0.001)
    assert full.serving_p95_ms == pytest.approx(31.0 + 1.0)
    # 50 % at a peak of 2×: four instances, four times the cost.
    half = inputs(rec, requests_per_month=volume)
    assert half.serving_usd_per_1000_predictions == pytest.approx(0.004)


def test_peak_requests_per_month() -> None:
    s = base_template()
    expected = float(project(s)["active_customers"].max()) * s.requests_per_user_month
    assert peak_requests_per_month(s) == pytest.approx(expected)
    assert peak_requests_per_month(s) > DEFAULT_REQUESTS_PER_MONTH
    assert peak_requests_per_month(s.with_values(requests_per_user_month=0.0)) == 1.0
    assert peak_requests_per_month(s.with_values(market_size=0.0, ranges=())) == 1.0


def test_unpriced_measured_rows_give_none() -> None:
    rows = [profile_row(device="NVIDIA Unknown-9000", device_kind="gpu")]
    got = inputs(record(inference={"rows": rows}))
    assert got.serving_usd_per_1000_predictions is None
    assert got.serving_detail == Reason("serving_no_row", run_id="run-1")


@pytest.mark.parametrize(
    ("accuracies", "throughputs", "accuracy_range", "serving_factors"),
    [
        # mean 0.92, sample std 0.02; throughput mean 1,000, std 100.
        ([0.90, 0.92, 0.94], [900.0, 1000.0, 1100.0], (0.88, 0.96), (1000 / 1200, 1000 / 800)),
        # mean ≈ 0.9867, std ≈ 0.0153: the upper end clips at 1.
        ([0.97, 0.99, 1.0], [1000.0, 1000.0, 1000.0], (0.9867 - 2 * 0.015275, 1.0), None),
        # throughput std 900 > mean / 2: the upper end is capped at 10×.
        ([0.9, 0.9], [100.0, 1372.79221], None, (None, SERVING_RANGE_MAX_FACTOR)),
        # a single seed: no range.
        ([0.9], [1000.0], None, None),
    ],
)
def test_ranges_from_seeds(
    accuracies: list[float],
    throughputs: list[float],
    accuracy_range: tuple[float, float] | None,
    serving_factors: tuple[float | None, float] | None,
) -> None:
    rec = record(inference={"rows": [profile_row()]}, repeat=repeat(accuracies, throughputs))
    got = inputs(rec)
    if accuracy_range is None:
        assert got.accuracy_range is None
    else:
        assert got.accuracy_range == pytest.approx(accuracy_range, abs=1e-4)
    value = got.serving_usd_per_1000_predictions
    assert value is not None and value > 0
    if serving_factors is None:
        assert got.serving_range is None
    else:
        assert got.serving_range is not None
        low, high = got.serving_range
        if serving_factors[0] is not None:
            assert low == pytest.approx(value * serving_factors[0])
        assert high == pytest.approx(value * serving_factors[1])
        assert low < value < high


def test_no_serving_range_without_serving_cost() -> None:
    got = inputs(record(repeat=repeat([0.90, 0.92, 0.94], [900.0, 1000.0, 1100.0])))
    assert got.accuracy_range is not None
    assert got.serving_range is None
    assert "'no_serving_range_cost'" in str(got.range_detail)


def test_bind_replaces_the_measured_fields() -> None:
    got = inputs(record(test_accuracy=0.93, inference={"rows": [profile_row()]}))
    base = base_template()
    bound = bind(base, got)
    assert bound.model_accuracy == 0.93
    assert bound.retrain_cost_usd == got.retrain_cost_usd == pytest.approx(3.6 * (1 + 600 / 3600))
    assert bound.serving_usd_per_1000_predictions == got.serving_usd_per_1000_predictions
    unchanged = {k: v for k, v in base.to_dict().items() if k not in CHANGED}
    assert {k: v for k, v in bound.to_dict().items() if k not in CHANGED} == unchanged
    assert base.model_accuracy == 0.92  # the original is not changed


CHANGED = {"model_accuracy", "retrain_cost_usd", "serving_usd_per_1000_predictions"}


def test_bind_keeps_assumptions_the_run_could_not_price() -> None:
    got = inputs(record(device="NVIDIA Unknown-9000", device_kind="gpu"))
    bound = bind(base_template(), got)
    assert bound.retrain_cost_usd == base_template().retrain_cost_usd
    assert bound.serving_usd_per_1000_predictions == base_template().serving_usd_per_1000_predictions
    assert bound.model_accuracy == 0.9


def test_bind_refuses_an_invalid_value() -> None:
    bad = RunInputs("r", "r", 1.5, None, "", None, "", None, None)
    with pytest.raises(BindingError, match="model_accuracy"):
        bind(base_template(), bad)


@pytest.mark.parametrize(("kwh", "grid"), [(-0.1, 400.0), (0.1, -1.0), (math.nan, 400.0)])
def test_bad_energy_assumptions(kwh: float, grid: float) -> None:
    with pytest.raises(BindingError):
        inputs(record(), usd_per_kwh=kwh, grid_g_co2_per_kwh=grid)


def test_to_dict_is_json() -> None:
    rec = record(
        inference={"rows": [profile_row()]}, repeat=repeat([0.90, 0.92, 0.94], [900.0, 1000.0, 1100.0])
    )
    got = inputs(rec)
    data = json.loads(json.dumps(got.to_dict(), allow_nan=False))
    assert data["run_id"] == "run-1"
    assert data["accuracy_range"] == pytest.approx([0.88, 0.96])
    assert isinstance(data["serving_range"], list) and len(data["serving_range"]) == 2
    assert set(data) == set(RunInputs.__dataclass_fields__)
    nan_inputs = RunInputs("r", "r", 0.9, math.nan, "", None, "", None, None)
    assert json.dumps(nan_inputs.to_dict(), allow_nan=False)


def test_bound_scenario_round_trips() -> None:
    bound = bind(base_template(), inputs(record(inference={"rows": [profile_row()]})))
    assert Scenario.from_dict(json.loads(json.dumps(bound.to_dict()))) == bound


SPREAD = repeat([0.90, 0.92, 0.94], [900.0, 1000.0, 1100.0])


def test_bind_with_ranges_adds_the_runs_spread() -> None:
    got = inputs(record(test_accuracy=0.92, inference={"rows": [profile_row()]}, repeat=SPREAD))
    bound = bind(base_template(), got, with_ranges=True)
    accuracy = bound.range_of("model_accuracy")
    serving = bound.range_of("serving_usd_per_1000_predictions")
    assert accuracy is not None and serving is not None
    assert (accuracy.low, accuracy.high) == pytest.approx((0.88, 0.96))
    assert accuracy.distribution == "triangular"
    value = got.serving_usd_per_1000_predictions
    assert value is not None
    assert (serving.low, serving.high) == pytest.approx((value * 1000 / 1200, value * 1000 / 800))
    assert serving.low <= bound.serving_usd_per_1000_predictions <= serving.high
    assert {r.field for r in base_template().ranges} <= {r.field for r in bound.ranges}
    assert bind(base_template(), got).range_of("model_accuracy") is None  # ranges only when asked


def test_bind_with_ranges_widens_to_hold_the_runs_own_accuracy() -> None:
    got = inputs(record(test_accuracy=0.85, repeat=SPREAD))  # outside the seeds' 0.88–0.96
    accuracy = bind(base_template(), got, with_ranges=True).range_of("model_accuracy")
    assert accuracy is not None and (accuracy.low, accuracy.high) == pytest.approx((0.85, 0.96))


def test_bind_with_ranges_replaces_an_assumed_range() -> None:
    assumed = base_template().with_values(
        ranges=(*base_template().ranges, Range("model_accuracy", 0.80, 0.97))
    )
    got = inputs(record(test_accuracy=0.92, repeat=SPREAD))
    replaced = bind(assumed, got, with_ranges=True).range_of("model_accuracy")
    assert replaced is not None and (replaced.low, replaced.high) == pytest.approx((0.88, 0.96))
    no_spread = inputs(record(test_accuracy=0.92))
    assert bind(assumed, no_spread, with_ranges=True).range_of("model_accuracy") == Range(
        "model_accuracy", 0.80, 0.97
    )


def test_bind_drops_an_assumed_range_the_measured_value_leaves() -> None:
    assumed = base_template().with_values(ranges=(Range("serving_usd_per_1000_predictions", 0.01, 0.05),))
    got = inputs(record(inference={"rows": [profile_row()]}))
    bound = bind(assumed, got)
    assert bound.serving_usd_per_1000_predictions == got.serving_usd_per_1000_predictions
    assert bound.range_of("serving_usd_per_1000_predictions") is None


def test_with_ranges_defaults_to_the_scenarios_use_run_spread() -> None:
    got = inputs(record(test_accuracy=0.92, repeat=SPREAD))
    off, on = base_template(), base_template().with_values(use_run_spread=True)
    assert bind(off, got).range_of("model_accuracy") is None
    assert bind(on, got).range_of("model_accuracy") is not None
    assert bind(off, got, with_ranges=True).range_of("model_accuracy") is not None  # asked: always
    assert bind(on, got, with_ranges=False).range_of("model_accuracy") is None  # refused: never
    assert bind(on, got).use_run_spread is True  # the flag itself is kept


def test_production_retraining_follows_the_scenario() -> None:
    basis = TechnicalBasis.from_record(record())  # 3,000 s training + 600 s start-up at $3.60/h
    typed = base_template().with_values(production_data_factor=10.0, production_model_factor=2.0)
    got = inputs_for(typed, basis, catalog())
    # 20× the FLOPs: 60,000 s + 600 s start-up + 600 s job overhead = 17 h at $3.60/h.
    assert got.retrain_cost_usd == pytest.approx(17 * 3.6)
    assert got.scale is not None and (got.scale.data_factor, got.scale.model_factor) == (10.0, 2.0)
    assert got.run_cost_usd == pytest.approx(3.6)  # the run's own cost is unchanged
    assert bind(typed, got).retrain_cost_usd == pytest.approx(17 * 3.6)
    derived = inputs_for(base_template(), basis, catalog())  # 1,000 samples + 12 × 5,000 bought
    assert derived.scale is not None and derived.scale.data_derived and derived.scale.model_derived
    assert derived.scale.data_factor == pytest.approx(61.0) and derived.scale.model_factor == pytest.approx(
        61.0
    )
    assert derived.retrain_cost_usd == pytest.approx((3000 * 61**2 + 1200) / 3600 * 3.6)
    assert derived.requests_per_month == serving_volume(base_template())
    unpriced = inputs_for(
        typed, TechnicalBasis.from_record(record(device="NVIDIA X-9", device_kind="gpu")), catalog()
    )
    kept = bind(typed, unpriced)
    assert kept.retrain_cost_usd == base_template().retrain_cost_usd  # a typed cost stays


def test_a_large_production_model_is_priced_on_accelerators() -> None:
    # 10⁵ × 1,000 parameters = 10⁸: an accelerator estimate is allowed and far cheaper than
    # 3 × 10⁸ s on the measured CPU.
    large = base_template().with_values(production_data_factor=1.0, production_model_factor=1e5)
    got = inputs_for(large, TechnicalBasis.from_record(record()), catalog())
    job = got.retraining
    assert job is not None and job.method == "gpu_estimate" and "gpu.l4" in job.instance
    assert job.measured_usd is not None and job.gpu_usd is not None and job.gpu_usd < job.measured_usd
    assert got.retrain_cost_usd == pytest.approx(job.gpu_usd)
    assert "'retrain_gpu_estimate'" in str(got.retrain_detail)
    assert "'retrain_other_way'" in str(got.retrain_detail)
    small = inputs_for(base_template(), TechnicalBasis.from_record(record()), catalog())
    assert small.retraining is not None and small.retraining.gpu_usd is None
    assert "'retrain_small_model'" in str(small.retrain_detail)


def test_production_serving_is_replanned_for_the_larger_model() -> None:
    rec = record(inference={"rows": [profile_row(batch_size=1, samples_per_second=1000.0, p95_ms=1.0)]})
    basis = TechnicalBasis.from_record(rec)
    volume = 1000.0 * 730 * 3600  # 1,000 requests/s: 4 instances at 500/s each (50 % utilisation, peak 2×)
    one = run_inputs(basis, catalog(), requests_per_month=volume)
    scale = production_scale(base_template().with_values(production_model_factor=4.0), 1000, 1000)
    four = run_inputs(basis, catalog(), requests_per_month=volume, scale=scale)
    assert (
        one.serving_usd_per_1000_predictions is not None and four.serving_usd_per_1000_predictions is not None
    )
    assert four.serving_usd_per_1000_predictions == pytest.approx(4 * one.serving_usd_per_1000_predictions)
    assert four.serving_p95_ms == pytest.approx(4.0)
    assert isinstance(four.serving_detail, Reason)
    assert (
        four.serving_detail.code == "serving_detail_production"
        and four.serving_detail.params["factor"] == 4.0
    )


def test_a_scaled_retraining_cost_beyond_the_bound_is_refused() -> None:
    dear = RunInputs("r", "r", 0.9, 5e13, "", None, "", None, None)
    with pytest.raises(BindingError, match="retrain_cost_usd"):
        bind(base_template(), dear)
