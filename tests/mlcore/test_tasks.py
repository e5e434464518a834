"""Task parameters and results (client side): validation, JSON round trips, summaries."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlcore.specs import SpecError
from mlcore.tasks import (
    BenchParams,
    CurvePoint,
    InferenceProfile,
    InferenceRow,
    LearningCurve,
    PredictParams,
    RepeatParams,
    RepeatResult,
    SweepParams,
    TaskProgress,
    parse_params,
    sample_std,
)


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("bench", {"batch_sizes": [0]}, "between 1 and 4096"),
        ("bench", {"batch_sizes": []}, "between 1 and 4096"),
        ("bench", {"min_calls": 1}, "3 to 10,000"),
        ("sweep", {"fractions": [0.5]}, "at least 2 distinct"),
        ("sweep", {"fractions": [0.5, 1.5]}, "in (0, 1]"),
        ("sweep", {"fractions": [0.5, 1], "seeds": 1}, "2 to 10"),
        ("repeat", {"seeds": 1}, "2 to 20"),
        ("predict", {"inputs": []}, "1 to 64 inputs"),
        ("predict", {"inputs": [[]]}, "at least one value"),
        ("predict", {"inputs": [[1.0], [1.0, 2.0]]}, "same number"),
        ("predict", {"inputs": [[float("nan")]]}, "finite"),
        ("predict", {"inputs": [[1e39]]}, "32-bit"),
        ("predict", {"inputs": [[1.0]], "top_k": 0}, "top-k"),
        ("fly", {}, "unknown task"),
    ],
)
def test_bad_parameters_are_refused_with_a_reason(kind: str, params: dict, message: str) -> None:
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_params(kind, params)


def test_parameters_are_normalised() -> None:
    assert BenchParams(batch_sizes=(32, 1, 32)).batch_sizes == (1, 32)
    assert SweepParams(fractions=(1, 0.25, 0.25)).fractions == (0.25, 1.0)
    assert parse_params("evaluate", None) is None
    assert parse_params("repeat", {"seeds": 4}) == RepeatParams(seeds=4)


@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3), min_size=1, max_size=64))
def test_predict_params_round_trip(rows: list[list[float]]) -> None:
    params = PredictParams(inputs=tuple(tuple(r) for r in rows))
    assert PredictParams.from_dict(json.loads(json.dumps(params.to_dict()))) == params


def test_results_round_trip_through_json() -> None:
    row = InferenceRow("CPU", "cpu", "compiled", 1, 0.5, 0.9, 1.2, 0.6, 1666.7, 20, 1000, False, 0.9)
    profile = InferenceProfile("2026-11-29T00:00:00Z", (row,), "tensorflow", ("note",), 0.9, None)
    assert InferenceProfile.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile
    curve = LearningCurve("t", (CurvePoint(0.5, 100, 0.8, 0.01, 1.0, 2, (0.79, 0.81)),), 3, complete=False)
    assert LearningCurve.from_dict(json.loads(json.dumps(curve.to_dict()))) == curve
    rep = RepeatResult("t", (1, 2, 3), (0.8, 0.9, 1.0), (10.0, 20.0, 30.0))
    again = RepeatResult.from_dict(json.loads(json.dumps(rep.to_dict())))
    assert again == rep and again.accuracy_mean == pytest.approx(0.9) and again.throughput_std == 10.0


def test_profile_lookups() -> None:
    rows = tuple(
        InferenceRow("CPU", "cpu", path, b, 1.0, 1.0, 1.0, 1.0, rate, 5, 1, path == "int8")
        for path, b, rate in (("compiled", 1, 100.0), ("compiled", 32, 900.0), ("int8", 32, 5000.0))
    )
    profile = InferenceProfile("t", rows, "tensorflow")
    assert profile.best().path == "int8" and profile.best(path="compiled").batch_size == 32
    assert profile.row(path="compiled", batch_size=1).samples_per_second == 100.0
    assert profile.row(path="predict", batch_size=1) is None
    assert profile.best(device_kind="gpu") is None


@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=30))
def test_sample_std_matches_the_definition(values: list[float]) -> None:
    mean = sum(values) / len(values)
    expected = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    assert sample_std(values) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_progress_fraction() -> None:
    assert TaskProgress(3, 4, "x", 1.0).fraction == 0.75
    assert TaskProgress(0, 0, "x", 0.0).fraction == 0.0
