"""The training engine on real bundled data: tiny real models, seconds on CPU.

These tests import Keras (and TensorFlow) into the test process: only engine and worker tests
may. Tests that must prove the web process stays free of TensorFlow check in a subprocess.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from mlcore import flops, metrics  # noqa: E402
from mlcore.csv_data import validate_csv  # noqa: E402
from mlcore.datasets import Dataset, load, stratified_split  # noqa: E402
from mlcore.engine.devices import Device, PeakProbe, choose_device, probe_peak  # noqa: E402
from mlcore.engine.train import TrainContext, predict_proba, train  # noqa: E402
from mlcore.specs import EpochReport, RunRecord, TrainRequest, preset_spec  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digits() -> Dataset:
    return load("digits")


@pytest.fixture(scope="module")
def device_and_peak() -> tuple[Device, PeakProbe]:
    device = choose_device(force_cpu=True)
    return device, probe_peak(device, size=1024, repeats=3)


def _ctx(home: Path, device_and_peak: tuple[Device, PeakProbe], run_id: str = "run-1") -> TrainContext:
    device, peak = device_and_peak
    return TrainContext(run_id, "2026-01-01T00:00:00Z", home, device, peak)


def _test_split(data: Dataset, request: TrainRequest) -> tuple[np.ndarray, np.ndarray]:
    split = stratified_split(
        data.y,
        val_fraction=request.val_fraction,
        test_fraction=request.test_fraction,
        seed=request.split_seed,
    )
    return data.x[split.test], data.y[split.test]


@pytest.fixture(scope="module")
def article_run(
    tmp_path_factory: pytest.TempPathFactory, digits: Dataset, device_and_peak: tuple[Device, PeakProbe]
) -> tuple[RunRecord, Path, list[EpochReport], TrainRequest, list[RunRecord]]:
    home = tmp_path_factory.mktemp("engine-home")
    request = TrainRequest(spec=preset_spec("article-mlp", epochs=5), dataset="digits")
    reports: list[EpochReport] = []
    saved: list[RunRecord] = []
    started: list[RunRecord] = []
    stages: list[str] = []

    def on_stage(stage: str) -> None:
        assert not reports, "stages come before the first progress report"
        stages.append(stage)

    record = train(
        request,
        digits,
        _ctx(home, device_and_peak),
        on_report=reports.append,
        on_epoch=saved.append,
        on_start=started.append,
        on_stage=on_stage,
        report_every_seconds=0.0,
    )
    assert stages == ["building_model", "first_batch"]
    assert [len(r.history) for r in saved] == [1, 2, 3, 4, 5]
    assert all(r.status == "running" for r in saved + started)
    assert len(started) == 1
    return record, home, reports, request, started


def test_article_mlp_learns_digits_and_measures_the_run(article_run, digits) -> None:
    record, _, _, request, _ = article_run
    assert record.status == "completed"
    assert record.error is None
    assert record.test_accuracy is not None and record.test_accuracy > 0.5
    assert len(record.history) == record.epochs_completed == 5
    assert [h.epoch for h in record.history] == [1, 2, 3, 4, 5]
    assert all(h.val_accuracy is not None and h.seconds > 0 for h in record.history)
    assert record.history[-1].loss < record.history[0].loss
    assert record.n_train + record.n_val + record.n_test == len(digits.y)
    assert record.params == flops.count_params(request.spec, (8, 8), 10)
    assert record.flops_per_sample == flops.flops_per_sample(request.spec, (8, 8), 10)
    assert record.samples_per_second is not None and record.samples_per_second > 0
    assert record.samples_per_second == pytest.approx(record.n_train * 5 / record.train_seconds)
    assert record.achieved_flops_per_second == pytest.approx(
        3 * record.flops_per_sample * record.samples_per_second
    )
    assert record.mfu is not None and 0 < record.mfu <= 1
    assert record.wall_seconds >= record.train_seconds > 0
    assert record.peak_memory_bytes is not None and record.peak_memory_bytes > 0
    assert record.energy_kwh is not None and record.energy_kwh >= 0 and record.energy_method
    assert record.device_kind == "cpu" and record.mixed_precision is False
    assert record.class_names == tuple(str(i) for i in range(10))
    assert record.dataset == "digits" and record.dataset_fingerprint == digits.fingerprint
    cm = np.array(record.confusion_matrix)
    assert cm.shape == (10, 10)
    assert cm.sum() == record.n_test
    assert np.trace(cm) / cm.sum() == pytest.approx(record.test_accuracy)


def test_saved_model_loads_safely_and_predicts_from_raw_inputs(article_run, digits) -> None:
    record, home, _, request, _ = article_run
    path = home / record.model_path
    assert record.model_path == "models/run-1.keras" and path.is_file()
    model = keras.saving.load_model(path, safe_mode=True)
    x_test, y_test = _test_split(digits, request)
    assert x_test.max() > 1.0  # raw pixels 0–16: the model rescales them itself
    y_pred = predict_proba(model, x_test).argmax(axis=1)
    again = metrics.scores(y_test, y_pred, 10)
    assert again.confusion == record.confusion_matrix
    assert again.accuracy == pytest.approx(record.test_accuracy)


def test_the_record_before_the_first_epoch_has_what_the_run_is_measured_against(article_run) -> None:
    """A watcher can show utilisation and cost from the first batch: device, peak, FLOPs per sample."""
    record, _, _, _, started = article_run
    first = started[0]
    assert first.history == () and first.status == "running"
    assert first.flops_per_sample == record.flops_per_sample > 0
    assert first.peak_flops_per_second == record.peak_flops_per_second > 0
    assert first.device == record.device and first.device_kind == "cpu"


def test_live_reports_measure_each_epochs_wall_time(article_run) -> None:
    """epoch_seconds grows within an epoch and equals the epoch's recorded seconds when it closes,
    so the live cost of an epoch and its cost after the run are the same number."""
    record, _, reports, _, _ = article_run
    assert all(r.epoch_seconds is not None and r.epoch_seconds >= 0 for r in reports)
    for epoch in range(1, 6):
        mid = [r.epoch_seconds for r in reports if r.epoch == epoch and r.finished_epoch is None]
        assert mid == sorted(mid)
    closing = [r for r in reports if r.finished_epoch is not None]
    assert [r.projected_epoch_seconds for r in closing] == [h.seconds for h in record.history]
    assert [r.epoch_seconds for r in closing] == [h.seconds for h in record.history]


def test_the_final_mfu_is_the_live_formula_at_the_runs_throughput(article_run) -> None:
    record = article_run[0]
    used = flops.utilisation(record.flops_per_sample, record.samples_per_second, record.peak_flops_per_second)
    assert record.mfu == used.mfu and record.achieved_flops_per_second == used.achieved_flops_per_second


def test_record_round_trips_through_json(article_run) -> None:
    record = article_run[0]
    assert RunRecord.from_json(record.to_json()) == record


def test_progress_reports_arrive_per_batch_and_close_each_epoch(article_run) -> None:
    record, _, reports, _, _ = article_run
    steps = int(np.ceil(record.n_train / 32))
    assert reports and all(r.batches == steps and r.epochs == 5 for r in reports)
    mid_epoch = [r for r in reports if r.finished_epoch is None]
    assert any(0 < r.batch < steps for r in mid_epoch)  # per-batch progress within an epoch
    assert len(mid_epoch) >= 5 * steps // 2
    closing = [r for r in reports if r.finished_epoch is not None]
    assert [r.finished_epoch for r in closing] == list(record.history)
    assert all(r.batch == steps for r in closing)
    assert closing[-1].fraction == 1.0
    assert all(r.samples_per_second >= 0 and r.elapsed_seconds >= 0 for r in reports)


def test_stop_event_after_the_first_epoch_keeps_its_history(tmp_path, digits, device_and_peak) -> None:
    stop = threading.Event()
    request = TrainRequest(spec=preset_spec("article-mlp", epochs=20), dataset="digits")
    record = train(
        request,
        digits,
        _ctx(tmp_path, device_and_peak),
        on_epoch=lambda _record: stop.set(),
        stop_event=stop,
    )
    assert record.status == "stopped"
    assert record.epochs_completed == 1 and len(record.history) == 1
    assert record.test_accuracy is not None  # the model as it is was still evaluated
    assert sum(map(sum, record.confusion_matrix)) == record.n_test
    assert (tmp_path / record.model_path).is_file()


def test_stop_before_the_first_epoch_ends_records_no_epoch(tmp_path, digits, device_and_peak) -> None:
    stop = threading.Event()
    stop.set()
    request = TrainRequest(spec=preset_spec("article-mlp", epochs=5), dataset="digits")
    record = train(request, digits, _ctx(tmp_path, device_and_peak), stop_event=stop)
    assert record.status == "stopped"
    assert record.history == () and record.epochs_completed == 0
    assert record.samples_per_second is not None and record.samples_per_second > 0


def test_early_stopping_ends_before_the_planned_epochs(tmp_path, digits, device_and_peak) -> None:
    spec = preset_spec("custom", learning_rate=0.05, epochs=40, early_stopping_patience=1)
    record = train(TrainRequest(spec=spec, dataset="digits"), digits, _ctx(tmp_path, device_and_peak))
    assert record.status == "completed"
    assert 2 <= record.epochs_completed < 40
    assert len(record.history) == record.epochs_completed


def test_small_cnn_trains_on_digits(tmp_path, digits, device_and_peak) -> None:
    spec = preset_spec("small-cnn", epochs=2)
    record = train(TrainRequest(spec=spec, dataset="digits"), digits, _ctx(tmp_path, device_and_peak))
    assert record.status == "completed"
    assert record.epochs_completed == 2
    assert record.params == flops.count_params(spec, (8, 8), 10)
    assert record.flops_per_sample == flops.flops_per_sample(spec, (8, 8), 10)
    assert record.model == "small-cnn"
    assert record.test_accuracy is not None and record.test_accuracy > 0.2


def _table_csv(rng: np.random.Generator, n_per_class: int = 60) -> bytes:
    """Three classes separated on features with a large offset and scale (needs standardising)."""
    lines = ["income,age,score,label"]
    for cls, name in enumerate(("low", "mid", "high")):
        for _ in range(n_per_class):
            income = 50_000 + 20_000 * cls + rng.normal(0, 4_000)
            age = 40 + rng.normal(0, 8)
            score = 0.001 * cls + rng.normal(0, 0.0002)
            lines.append(f"{income:.2f},{age:.1f},{score:.6f},{name}")
    return ("\n".join(lines) + "\n").encode()


def test_csv_table_is_standardised_inside_the_model(tmp_path, device_and_peak) -> None:
    data = validate_csv(_table_csv(np.random.default_rng(0)), label_column="label").to_dataset()
    spec = preset_spec("custom", hidden_units=(32,), epochs=15, batch_size=16)
    request = TrainRequest(
        spec=spec, dataset="csv", csv_path=str(tmp_path / "t.csv"), csv_name="t.csv", label_column="label"
    )
    record = train(request, data, _ctx(tmp_path, device_and_peak))
    assert record.status == "completed"
    assert record.dataset == "csv:t.csv"
    assert record.class_names == ("high", "low", "mid")
    assert record.input_shape == (3,)
    assert record.test_accuracy is not None and record.test_accuracy > 0.8

    model = keras.saving.load_model(tmp_path / record.model_path, safe_mode=True)
    norm = model.get_layer("standardise")
    split = stratified_split(data.y, val_fraction=0.1, test_fraction=0.2, seed=0)
    train_mean = data.x[split.train].mean(axis=0)
    np.testing.assert_allclose(np.ravel(norm.mean), train_mean, rtol=1e-3)
    x_test, y_test = _test_split(data, request)
    y_pred = predict_proba(model, x_test).argmax(axis=1)  # raw incomes in, classes out
    assert metrics.scores(y_test, y_pred, 3).confusion == record.confusion_matrix


def test_a_model_that_cannot_be_built_raises(tmp_path, digits, device_and_peak) -> None:
    spec = dataclasses.replace(preset_spec("custom"), architecture="cnn", conv_filters=(8, 8, 8, 8))
    with pytest.raises(ValueError):
        train(TrainRequest(spec=spec, dataset="digits"), digits, _ctx(tmp_path, device_and_peak))


@pytest.mark.parametrize("kernel", [True, False], ids=["kernel VmHWM", "sampling thread"])
def test_memory_sampler_sees_the_peak_between_start_and_stop(monkeypatch, kernel: bool) -> None:
    from mlcore import hardware

    if kernel and not hardware._reset_kernel_peak_rss():
        pytest.skip("this kernel cannot reset the peak resident size (/proc/self/clear_refs)")
    if not kernel:
        monkeypatch.setattr(hardware, "_reset_kernel_peak_rss", lambda: False)
    sampler = hardware.MemorySampler(interval_seconds=0.01)
    sampler.start()
    before = sampler.sample()
    block = np.ones(60_000_000 // 8)  # 60 MB, touched
    time.sleep(0.2)
    del block
    peak = sampler.stop()
    assert peak >= before + 50_000_000
    assert sampler.stop() == peak  # idempotent
