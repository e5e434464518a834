"""Task parameters and results (client side): validation, JSON round trips, summaries."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlcore.specs import SpecError
from mlcore.tasks import (
    CURVE_MAX_EPOCHS,
    CURVE_PATIENCE_EPOCHS,
    CURVE_RULE,
    LEGACY_CURVE_RULE,
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
    curve_rule_line,
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


def test_a_curve_says_how_its_points_were_trained_through_json() -> None:
    point = CurvePoint(0.1, 126, 0.9, 0.01, 2.0, 2, (0.89, 0.91), steps=580, epochs_run=147.5, capped=1)
    curve = LearningCurve(
        "t", (point,), 5, rule=CURVE_RULE, patience=CURVE_PATIENCE_EPOCHS, max_epochs=CURVE_MAX_EPOCHS
    )
    again = LearningCurve.from_dict(json.loads(json.dumps(curve.to_dict())))
    assert again == curve and not again.legacy
    assert again.points[0].steps == 580 and again.capped == 1 and again.trainings == 2
    line = curve_rule_line(again)
    assert line.startswith("rule: early-stopping") and "1 of 2 trainings reached the cap" in line


def test_a_curve_stored_before_the_rule_was_recorded_reads_as_the_old_rule() -> None:
    stored = {  # what earlier versions wrote: no rule, no steps per point
        "measured_at": "2026-11-29T10:00:00Z",
        "points": [
            {"fraction": 0.1, "n_train": 126, "accuracy_mean": 0.469, "accuracy_std": 0.17,
             "train_seconds": 1.0, "seeds": 2, "accuracies": [0.59, 0.35]},
            {"fraction": 1.0, "n_train": 1259, "accuracy_mean": 0.908, "accuracy_std": 0.008,
             "train_seconds": 0.8, "seeds": 2, "accuracies": [0.914, 0.903]},
        ],
        "epochs": 5,
        "complete": True,
    }  # fmt: skip
    curve = LearningCurve.from_dict(stored)
    assert curve.legacy and curve.rule == LEGACY_CURVE_RULE
    assert curve.patience is None and curve.max_epochs is None and curve.capped == 0
    assert all(p.steps is None and p.epochs_run is None and p.capped is None for p in curve.points)
    assert LearningCurve.from_dict(json.loads(json.dumps(curve.to_dict()))) == curve
    assert "old rule" in curve_rule_line(curve) and "5 epochs" in curve_rule_line(curve)
    from mlcore.specs import RunRecord, TrainRequest

    record = RunRecord("r1", "r", "t", "completed", TrainRequest(), learning_curve=curve)
    raw = json.loads(record.to_json())
    for key in ("rule", "patience", "max_epochs"):
        del raw["learning_curve"][key]
    assert RunRecord.from_dict(raw).learning_curve.legacy
