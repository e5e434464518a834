"""The bridge from a measured run to production: what production trains, and its price."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel.basis import TechnicalBasis
from bizmodel.production import (
    GPU_ESTIMATE_MIN_PARAMS,
    JOB_OVERHEAD_SECONDS,
    MONTHS_OF_DATA,
    ProductionScale,
    factor_text,
    production_retraining,
    production_scale,
    scale_serving_rows,
    usd_text,
)
from bizmodel.reasons import Reason
from bizmodel.scenario import base_template
from tests.support.economics import catalog, record


@pytest.mark.parametrize(
    ("changes", "samples", "data", "model", "derived"),
    [
        ({}, 3_500, (3_500 + 12 * 5_000) / 3_500, (3_500 + 12 * 5_000) / 3_500, (True, True)),
        ({"data_samples_per_month": 0.0}, 3_500, 1.0, 1.0, (True, True)),
        ({"production_data_factor": 100.0}, 3_500, 100.0, 100.0, (False, True)),
        ({"production_model_factor": 3.0}, 1_000, 61.0, 3.0, (True, False)),
        ({"production_data_factor": 0.5, "production_model_factor": 0.25}, 1_000, 0.5, 0.25, (False, False)),
    ],
)
def test_production_scale_case_table(
    changes: dict[str, float], samples: int, data: float, model: float, derived: tuple[bool, bool]
) -> None:
    scale = production_scale(base_template().with_values(**changes), samples, 55_050)
    assert scale.data_factor == pytest.approx(data) and scale.model_factor == pytest.approx(model)
    assert (scale.data_derived, scale.model_derived) == derived
    assert scale.production_samples == pytest.approx(samples * data)
    assert scale.production_params == pytest.approx(55_050 * model)
    assert scale.flops_factor == pytest.approx(data * model)
    assert MONTHS_OF_DATA == 12


def test_measured_scaled_by_hand() -> None:
    basis = TechnicalBasis.from_record(record())  # 3,000 s training, 3,600 s wall, $3.60/h
    job = production_retraining(basis, catalog(), ProductionScale(3.0, 2.0, False, False, 1000, 1000))
    seconds = 3000 * 6 + 600 + JOB_OVERHEAD_SECONDS
    assert job.method == "measured_scaled" and job.nodes == 1
    assert job.hours == pytest.approx(seconds / 3600)
    assert job.cost_usd == pytest.approx(seconds / 3600 * 3.6)
    assert job.work.params == 2000 and job.work.tokens == 1000 * 2 * 3
    first = job.detail.params["parts"][0]  # type: ignore[index]
    assert first.code == "production_retraining" and first.params["cost_usd"] == pytest.approx(job.cost_usd)
    how = first.params["how"]
    assert how.code == "retrain_measured_scaled"
    assert (how.params["seconds"], how.params["factor"]) == (3000.0, 6.0)


def test_nothing_to_price_says_why() -> None:
    basis = TechnicalBasis.from_record(record(device="NVIDIA X-9", device_kind="gpu"))
    job = production_retraining(basis, catalog(), ProductionScale(1.0, 1.0, False, False, 1000, 1000))
    assert job.cost_usd is None and job.hours is None and job.method == ""
    parts = job.detail.params["parts"]
    assert isinstance(parts, tuple)
    assert parts[0] == Reason("retrain_no_accelerator", run_id="run-1", device="NVIDIA X-9")


@settings(max_examples=40, deadline=None)
@given(st.floats(1.0, 1e4), st.floats(1.0, 1e4), st.floats(1.0, 10.0))
def test_more_data_or_a_larger_model_never_costs_less(data: float, model: float, more: float) -> None:
    basis = TechnicalBasis.from_record(record())
    priced = catalog()
    base = production_retraining(basis, priced, ProductionScale(data, model, False, False, 1000, 1000))
    bigger = production_retraining(
        basis, priced, ProductionScale(data * more, model, False, False, 1000, 1000)
    )
    larger = production_retraining(
        basis, priced, ProductionScale(data, model * more, False, False, 1000, 1000)
    )
    assert base.cost_usd is not None and bigger.cost_usd is not None and larger.cost_usd is not None
    assert bigger.cost_usd >= base.cost_usd * (1 - 1e-12)
    assert larger.cost_usd >= base.cost_usd * (1 - 1e-12)
    if 1000 * model * more < GPU_ESTIMATE_MIN_PARAMS:
        assert larger.method == "measured_scaled"


def test_scale_serving_rows_is_compute_bound() -> None:
    rows = pd.DataFrame(
        {
            "samples_per_second": [1000.0, 0.0],
            "p50_ms": [1.0, 2.0],
            "p95_ms": [2.0, 3.0],
            "usd_hour": [1.0, 1.0],
        }
    )
    assert scale_serving_rows(rows, 1.0) is rows
    out = scale_serving_rows(rows, 10.0)
    assert out["samples_per_second"].tolist() == [100.0, 0.0]
    assert out["p95_ms"].tolist() == [20.0, 30.0] and out["usd_hour"].tolist() == [1.0, 1.0]
    assert rows["p95_ms"].tolist() == [2.0, 3.0]  # the input is not changed


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (12_345.6, "$12,346"),
        (3.6, "$3.60"),
        (0.0853427, "$0.08534"),
        (0.000209094, "$0.0002091"),
        (1.363e-06, "$0.0000014"),
        (-2.5e-08, "$-0.000000025"),
        (0.0, "$0"),
    ],
)
def test_usd_text_never_uses_scientific_notation(value: float, text: str) -> None:
    assert usd_text(value) == text
    assert "e" not in usd_text(value).lower()


@given(st.floats(1e-12, 1e12))
def test_money_and_factors_read_without_exponents(value: float) -> None:
    for text in (usd_text(value), factor_text(value)):
        assert "e" not in text.lower()
    assert float(factor_text(value).replace(",", "")) == pytest.approx(value, rel=0.05)
