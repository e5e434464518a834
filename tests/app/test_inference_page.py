"""AppTest of the Inference page: benchmark job, the stored profile, try-it, model download.

No worker runs here: tests play the worker's part by closing jobs in the store."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mlcore.evaluation import build_evaluation, evaluation_path, save_evaluation
from store import Store
from tests.support.app import make_app, no_errors, profile, seed_runs

PAGE = "app_pages/inference.py"


def with_evaluation(home: Path, run_id: str = "run-0") -> None:
    rng = np.random.default_rng(0)
    y = np.arange(20) % 10
    probs = np.full((20, 10), 0.01)
    probs[np.arange(20), y] = 0.91
    x = rng.integers(0, 17, size=(20, 8, 8)).astype(np.float32)
    ev = build_evaluation(run_id, tuple(str(i) for i in range(10)), y, probs, x, pixel_max=16.0)
    save_evaluation(evaluation_path(home, run_id), ev)


def test_no_runs_points_to_train(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    assert any("Train one first" in i.value for i in at.info)


def test_starting_the_benchmark_queues_a_job_with_the_settings(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert any("No inference profile yet" in i.value for i in at.info)
    at.multiselect(key="bench_batches").set_value([1, 256])
    at.checkbox(key="bench_int8").uncheck()
    at.button(key="bench_start").click().run()
    no_errors(at)
    job = Store().job_for_run("run-0", kind="bench")
    assert job is not None and job["status"] == "queued"
    assert json.loads(job["request"])["batch_sizes"] == [1, 256]
    assert json.loads(job["request"])["include_int8"] is False
    assert any("position 1" in i.value for i in at.info), "the queued job shows its place"


def test_a_stored_profile_shows_numbers_charts_and_table(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 1)
    store.patch_run_record("run-0", inference=profile().to_dict())
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Compiled vs model.predict"] == f"{95.002 / 0.702:,.0f}×"
    assert metrics["int8: smaller · accuracy change"] == "4.0× · -1.0 pts"
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert "Latency per call (p50; whisker to p95)" in titles and "Throughput" in titles
    assert any("never model.predict per request" in c.value for c in at.caption)
    assert any("measured" in m.value for m in at.markdown)


def test_picking_a_test_image_asks_the_worker_and_shows_the_answer(app_env: Path) -> None:
    store = Store()
    run = seed_runs(store, 1)[0]
    with_evaluation(app_env)
    at = make_app(PAGE, run="run-0")
    at.get("button_group")[0].set_value("pick").run()
    no_errors(at)
    assert at.get("image"), "the model's input is shown"
    job = store.job_for_run("run-0", kind="predict")
    assert job is not None and job["status"] == "queued"
    x = json.loads(job["request"])["inputs"][0]
    assert len(x) == 64 and max(x) <= 16
    result = {"predictions": [{"classes": [7, 1, 9], "probabilities": [0.8, 0.15, 0.05]}]}
    result["class_names"] = list(run.class_names)
    store.finish_task(job["id"], status="completed", result=json.dumps(result))
    at.run()
    no_errors(at)
    assert any("The model says **7** (80.0 %)" in m.value for m in at.markdown)
    assert store.job_for_run("run-0", kind="predict")["id"] == job["id"], "the same input is not asked twice"


def test_a_failed_prediction_says_why(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 1)
    with_evaluation(app_env)
    at = make_app(PAGE, run="run-0")
    at.get("button_group")[0].set_value("pick").run()
    job = store.job_for_run("run-0", kind="predict")
    store.finish_task(job["id"], status="failed", error="this run's model file is missing")
    at.run()
    no_errors(at)
    assert any("model file is missing" in e.value for e in at.error)


def test_the_model_can_be_downloaded(app_env: Path) -> None:
    run = seed_runs(Store(), 1)[0]
    path = app_env / run.model_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK" + b"\0" * 2046)
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the model (.keras, 2 KiB)" in labels


@pytest.mark.parametrize("param", ["nope", "run-0%27%3B--"])
def test_an_unknown_run_in_the_link_falls_back(app_env: Path, param: str) -> None:
    seed_runs(Store(), 2)
    at = make_app(PAGE, run=param)
    no_errors(at)
    assert any("does not exist" in w.value for w in at.warning)


@pytest.mark.parametrize("tampered", ["../moatlab.db", "/etc/passwd", "models/../moatlab.db", "models/x.txt"])
def test_a_tampered_model_path_is_never_served(app_env: Path, tampered: str) -> None:
    store = Store()
    seed_runs(store, 1)
    store.patch_run_record("run-0", model_path=tampered)
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert not at.get("download_button") or all(
        "Download the model" not in b.proto.label for b in at.get("download_button")
    )
    assert any("model file of this run is missing" in c.value for c in at.caption)


def test_a_link_cannot_inject_markdown(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="[click](https://example.com)")
    no_errors(at)
    warning = " ".join(w.value for w in at.warning)
    assert "does not exist" in warning and "](https" not in warning.replace("\\]\\(", "")
