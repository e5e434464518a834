"""Specs and records: JSON round trips, validation, schema versions, no NaN in JSON."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore.specs import (
    SCHEMA_VERSION,
    TRAIN_STAGES,
    EpochRecord,
    EpochReport,
    ModelSpec,
    RunRecord,
    SpecError,
    StageReport,
    TrainRequest,
    clean_name,
    preset_spec,
)


def through_json(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, allow_nan=False))


CUSTOM_SPEC = ModelSpec(
    preset="custom",
    architecture="cnn",
    hidden_units=(128, 32),
    conv_filters=(8, 16, 32),
    activation="gelu",
    dropout=0.25,
    l2=1e-4,
    optimizer="sgd",
    learning_rate=0.05,
    momentum=0.8,
    lr_schedule="cosine",
    batch_size=128,
    epochs=7,
    early_stopping_patience=3,
    seed=1234,
)
CSV_REQUEST = TrainRequest(
    spec=preset_spec("article-mlp", epochs=2),
    dataset="csv",
    name="  churn\tmodel  ",
    csv_path="/home/u/.moatlab/uploads/abc.csv",
    csv_name="churn.csv",
    label_column="churned",
    val_fraction=0.15,
    test_fraction=0.25,
    split_seed=9,
    force_cpu=True,
    mixed_precision=False,
)
EPOCH = EpochRecord(
    epoch=2, loss=0.31, accuracy=0.9, val_loss=None, val_accuracy=0.88, seconds=1.5, learning_rate=1e-3
)
FULL_RECORD = RunRecord(
    id="20250101-120000-abcdef",
    name="full run ünïcödé 数字",
    created_at="2025-01-01T12:00:00Z",
    status="completed",
    request=TrainRequest(spec=CUSTOM_SPEC, dataset="digits", name="x"),
    error=None,
    started_at="2025-01-01T12:00:01Z",
    finished_at="2025-01-01T12:01:00Z",
    dataset="digits",
    dataset_fingerprint="0123456789abcdef",
    split_seed=3,
    class_names=tuple(str(i) for i in range(3)),
    input_shape=(8, 8),
    n_train=1257,
    n_val=180,
    n_test=360,
    params=12345,
    flops_per_sample=185_162,
    epochs_completed=2,
    train_seconds=12.5,
    wall_seconds=15.25,
    samples_per_second=201.1,
    achieved_flops_per_second=1.1e8,
    peak_flops_per_second=2.5e11,
    peak_flops_method="matmul probe float32 1024²",
    mfu=0.00044,
    device="CPU (2 cores)",
    device_kind="cpu",
    mixed_precision=False,
    peak_memory_bytes=987_654_321,
    energy_kwh=1.2e-4,
    energy_method="TDP share",
    test_loss=0.2,
    test_accuracy=0.95,
    test_precision_macro=0.951,
    test_recall_macro=0.949,
    test_f1_macro=0.95,
    confusion_matrix=((10, 1, 0), (0, 11, 1), (2, 0, 9)),
    history=(
        EpochRecord(1, 0.9, 0.7, 0.8, 0.72, 6.0, 1e-3),
        EpochRecord(2, None, 0.9, 0.5, None, 6.5, None),
    ),
    model_path="models/20250101-120000-abcdef.keras",
    versions={"keras": "3.0", "numpy": "2.0"},
)


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    "spec",
    [ModelSpec(), preset_spec("small-cnn"), preset_spec("custom", hidden_units=[16]), CUSTOM_SPEC],
    ids=["default", "small-cnn", "custom list units", "custom cnn"],
)
def test_model_spec_round_trip(spec: ModelSpec) -> None:
    again = ModelSpec.from_dict(through_json(spec.to_dict()))
    assert again == spec
    assert isinstance(again.hidden_units, tuple) and isinstance(again.conv_filters, tuple)


def test_model_spec_ignores_unknown_keys_and_fills_defaults() -> None:
    assert ModelSpec.from_dict({"epochs": 3, "from_the_future": True}) == ModelSpec(epochs=3)


@pytest.mark.parametrize("request_", [TrainRequest(), CSV_REQUEST], ids=["default", "csv"])
def test_train_request_round_trip(request_: TrainRequest) -> None:
    assert TrainRequest.from_dict(through_json(request_.to_dict())) == request_


def test_train_request_cleans_its_name() -> None:
    assert CSV_REQUEST.name == "churnmodel"
    assert clean_name("  a\x00b\x1fc\x7f  ") == "abc"
    assert len(clean_name("x" * 500)) == 80


def test_epoch_record_and_report_round_trip() -> None:
    assert EpochRecord.from_dict(through_json(EPOCH.to_dict())) == EPOCH
    for finished in (None, EPOCH):
        report = EpochReport(
            epoch=2,
            epochs=4,
            batch=5,
            batches=10,
            loss=0.4,
            accuracy=None,
            samples_per_second=1234.5,
            elapsed_seconds=3.0,
            eta_seconds=None,
            finished_epoch=finished,
        )
        assert EpochReport.from_dict(through_json(report.to_dict())) == report


def test_epoch_seconds_round_trip_and_older_reports_have_none() -> None:
    report = EpochReport(1, 4, 5, 10, None, None, 0.0, 0.0, None, epoch_seconds=1.5)
    assert EpochReport.from_dict(through_json(report.to_dict())) == report
    older = report.to_dict()
    del older["epoch_seconds"]
    assert EpochReport.from_dict(older).epoch_seconds is None
    assert EpochReport.from_dict(older).projected_epoch_seconds is None


@pytest.mark.parametrize(
    ("batch", "seconds", "finished", "projected"),
    [(0, 0.0, None, None), (5, 1.5, None, 3.0), (10, 2.9, None, 2.9), (10, 2.9, EPOCH, EPOCH.seconds)],
)
def test_projected_epoch_seconds(
    batch: int, seconds: float, finished: EpochRecord | None, projected: float | None
) -> None:
    """Measured once the epoch closes; before, its time so far scaled to all its batches."""
    report = EpochReport(1, 4, batch, 10, None, None, 0.0, 0.0, None, finished, epoch_seconds=seconds)
    assert report.projected_epoch_seconds == (pytest.approx(projected) if projected is not None else None)


@pytest.mark.parametrize("stage", TRAIN_STAGES)
def test_stage_report_round_trip(stage: str) -> None:
    report = StageReport(stage, 1.25)
    assert StageReport.from_dict(through_json(report.to_dict())) == report


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown training stage"):
        StageReport.from_dict({"stage": "mining bitcoin", "elapsed_seconds": 1.0})


@pytest.mark.parametrize(
    ("epoch", "batch", "fraction"), [(1, 0, 0.0), (1, 5, 0.125), (3, 10, 0.75), (4, 10, 1.0), (5, 10, 1.0)]
)
def test_report_fraction(epoch: int, batch: int, fraction: float) -> None:
    report = EpochReport(epoch, 4, batch, 10, None, None, 0.0, 0.0, None)
    assert report.fraction == pytest.approx(fraction)


def test_full_run_record_round_trip() -> None:
    text = FULL_RECORD.to_json(indent=2)
    again = RunRecord.from_json(text)
    assert again == FULL_RECORD
    assert again.to_json(indent=2) == text
    data = json.loads(text)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["confusion_matrix"] == [[10, 1, 0], [0, 11, 1], [2, 0, 9]]
    assert data["history"][1]["loss"] is None
    assert "数字" in text  # ensure_ascii=False: names stay readable


def test_minimal_run_record_round_trip() -> None:
    record = RunRecord(
        id="r1", name="q", created_at="2025-01-01T00:00:00Z", status="queued", request=TrainRequest()
    )
    again = RunRecord.from_json(record.to_json())
    assert again == record and again.confusion_matrix is None and again.history == ()


def test_record_from_an_older_writer_without_new_fields() -> None:
    data = FULL_RECORD.to_dict()
    for key in ("energy_kwh", "energy_method", "versions", "schema_version", "history"):
        del data[key]
    again = RunRecord.from_dict(data)
    assert again.energy_kwh is None and again.versions == {} and again.history == ()
    assert again.schema_version == SCHEMA_VERSION


def test_newer_schema_is_refused() -> None:
    data = FULL_RECORD.to_dict() | {"schema_version": SCHEMA_VERSION + 1}
    with pytest.raises(SpecError, match="newer"):
        RunRecord.from_dict(data)


def test_to_json_never_emits_nan() -> None:
    # Unknown values are None and stay null.
    text = FULL_RECORD.replace(mfu=None, test_loss=None).to_json()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text)["mfu"] is None
    # A NaN that slipped in is an error, not invalid JSON in the database.
    with pytest.raises(ValueError):
        FULL_RECORD.replace(test_loss=math.nan).to_json()
    with pytest.raises(ValueError):
        FULL_RECORD.replace(history=(EpochRecord(1, math.inf, None, None, None, 1.0),)).to_json()


def test_model_label() -> None:
    assert FULL_RECORD.model == "custom (cnn 8-16-32-128-32)"
    assert RunRecord("a", "b", "c", "queued", TrainRequest()).model == "article-mlp"


@settings(max_examples=80, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 4096), min_size=1, max_size=8),
    dropout=st.floats(0.0, 0.94),
    lr=st.floats(1e-6, 10.0),
    batch=st.integers(1, 8192),
    seed=st.integers(0, 2**31 - 1),
    name=st.text(max_size=120),
    loss=st.none() | st.floats(allow_nan=False, allow_infinity=False),
)
def test_round_trip_property(
    *, hidden: list[int], dropout: float, lr: float, batch: int, seed: int, name: str, loss: float | None
) -> None:
    spec = ModelSpec(
        preset="custom",
        hidden_units=tuple(hidden),
        dropout=dropout,
        learning_rate=lr,
        batch_size=batch,
        seed=seed,
    )
    request = TrainRequest(spec=spec, name=name)
    record = RunRecord(
        "id", request.name, "t", "completed", request, history=(EpochRecord(1, loss, None, loss, None, 0.5),)
    )
    assert RunRecord.from_json(record.to_json()) == record


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"preset": "huge"}, "preset"),
        ({"architecture": "rnn"}, "architecture"),
        ({"hidden_units": ()}, "hidden layers"),
        ({"hidden_units": (8,) * 9}, "hidden layers"),
        ({"hidden_units": (0,)}, "hidden units"),
        ({"hidden_units": (4097,)}, "hidden units"),
        ({"architecture": "cnn", "conv_filters": ()}, "convolution"),
        ({"architecture": "cnn", "conv_filters": (8,) * 5}, "convolution"),
        ({"architecture": "cnn", "conv_filters": (513,)}, "filters"),
        ({"activation": "swishy"}, "activation"),
        ({"dropout": -0.1}, "dropout"),
        ({"dropout": 0.95}, "dropout"),
        ({"l2": 1.5}, "L2"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"learning_rate": 0.0}, "learning rate"),
        ({"learning_rate": 11.0}, "learning rate"),
        ({"momentum": 1.0}, "momentum"),
        ({"lr_schedule": "linear"}, "schedule"),
        ({"batch_size": 0}, "batch size"),
        ({"batch_size": 8193}, "batch size"),
        ({"epochs": 0}, "epochs"),
        ({"epochs": 501}, "epochs"),
        ({"early_stopping_patience": -1}, "patience"),
        ({"early_stopping_patience": 101}, "patience"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**31}, "seed"),
    ],
    ids=lambda v: str(v) if isinstance(v, str) else None,
)
def test_model_spec_out_of_range(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SpecError, match=fragment):
        ModelSpec(**changes)
    with pytest.raises(SpecError, match=fragment):
        ModelSpec.from_dict(ModelSpec().to_dict() | changes)


def test_cnn_may_have_no_dense_head() -> None:
    assert ModelSpec(architecture="cnn", conv_filters=(8,), hidden_units=()).hidden_units == ()


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"val_fraction": 0.0}, "validation fraction"),
        ({"val_fraction": 0.5}, "validation fraction"),
        ({"test_fraction": 0.0}, "test fraction"),
        ({"test_fraction": 0.6}, "test fraction"),
        ({"val_fraction": 0.4, "test_fraction": 0.45}, "20%"),
        ({"dataset": "csv"}, "CSV"),
        ({"dataset": "csv", "csv_path": "/x.csv"}, "label column"),
        ({"split_seed": -3}, "split seed"),
    ],
)
def test_train_request_out_of_range(changes: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SpecError, match=fragment):
        TrainRequest(**changes)


def test_unknown_preset() -> None:
    with pytest.raises(SpecError, match="unknown preset"):
        preset_spec("resnet")


def test_presets_match_the_article() -> None:
    article = preset_spec("article-mlp")
    assert (article.hidden_units, article.activation, article.optimizer) == ((64, 64), "relu", "adam")
    assert (article.learning_rate, article.batch_size, article.epochs) == (0.001, 32, 10)
    cnn = preset_spec("small-cnn")
    assert (cnn.architecture, cnn.conv_filters, cnn.hidden_units) == ("cnn", (16, 32), (64,))
