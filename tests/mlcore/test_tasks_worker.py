"""Jobs on a finished run served by a real spawned worker: evaluate, bench, sweep, repeat,
predict (quick lane, also while a training run holds the long lane), stop, and failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from mlcore.evaluation import evaluation_path, load_evaluation
from mlcore.jobs import JobManager
from mlcore.runs import get_run
from mlcore.specs import SpecError, TrainRequest, preset_spec
from store import Store
from tests.support.worker import START_SECONDS, wait_finished, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def task_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("task-home")


@pytest.fixture(scope="module")
def jm(task_home: Path) -> Iterator[JobManager]:
    manager = JobManager(Store(f"sqlite:///{task_home / 'moatlab.db'}"), task_home)
    yield manager
    manager.close()


@pytest.fixture(scope="module")
def trained(jm: JobManager) -> str:
    """A finished article MLP on digits (8×8 images); returns its run id."""
    request = TrainRequest(spec=preset_spec("article-mlp", epochs=8), dataset="digits")
    done = wait_finished(jm, jm.submit(request).job_id)
    assert done.status == "completed", done.error
    return done.run_id


def test_training_writes_the_evaluation_file(jm: JobManager, trained: str, task_home: Path) -> None:
    run = get_run(jm.store, trained)
    ev = load_evaluation(evaluation_path(task_home, trained))
    assert len(ev.y_true) == run.n_test and ev.probs.shape == (run.n_test, 10)
    assert abs(float((ev.y_pred == ev.y_true).mean()) - run.test_accuracy) < 1e-9
    assert ev.is_image and ev.pixel_max == 16.0 and ev.x_kept.shape[1:] == (8, 8)


def test_evaluate_task_rewrites_a_missing_evaluation(jm: JobManager, trained: str, task_home: Path) -> None:
    path = evaluation_path(task_home, trained)
    before = load_evaluation(path)
    path.unlink()
    view = wait_finished(jm, jm.submit_task(trained, "evaluate").job_id)
    assert view.status == "completed", view.error
    after = load_evaluation(path)
    np.testing.assert_allclose(after.probs, before.probs, atol=1e-5)
    assert jm.store.get_run(trained)["status"] == "completed", "a task never changes the run's status"


def test_bench_stores_the_inference_profile(jm: JobManager, trained: str) -> None:
    params = {"batch_sizes": [1, 32, 256], "min_calls": 5, "min_seconds": 0.05}
    view = wait_finished(jm, jm.submit_task(trained, "bench", params).job_id, timeout=240)
    assert view.status == "completed", view.error
    profile = get_run(jm.store, trained).inference
    assert profile is not None and profile.backend == "tensorflow"
    assert {r.path for r in profile.rows} == {"compiled", "predict", "int8"}
    compiled = [profile.row(path="compiled", batch_size=b) for b in (1, 32, 256)]
    assert all(r is not None and r.p50_ms <= r.p95_ms <= r.p99_ms for r in compiled)
    # Bigger batches amortise the per-call cost: throughput rises from batch 1 to 256.
    assert compiled[2].samples_per_second > compiled[0].samples_per_second
    assert profile.int8_accuracy is not None and abs(profile.int8_accuracy - profile.float_accuracy) < 0.05
    int8 = profile.row(path="int8", batch_size=1)
    assert int8.quantized and int8.model_bytes < compiled[0].model_bytes
    assert view.result is not None and view.result["rows"]


def test_sweep_stores_the_learning_curve(jm: JobManager, trained: str) -> None:
    view = wait_finished(
        jm,
        jm.submit_task(trained, "sweep", {"fractions": [0.1, 1.0], "seeds": 2, "max_epochs": 15}).job_id,
        timeout=240,
    )
    assert view.status == "completed", view.error
    curve = get_run(jm.store, trained).learning_curve
    assert curve is not None and curve.complete and [p.fraction for p in curve.points] == [0.1, 1.0]
    assert (curve.rule, curve.patience, curve.max_epochs) == ("early-stopping", 5, 15)
    small, full = curve.points
    assert small.n_train < full.n_train == get_run(jm.store, trained).n_train
    assert full.accuracy_mean > small.accuracy_mean
    assert len(small.accuracies) == 2 and small.accuracy_std >= 0


def test_repeat_stores_the_spread(jm: JobManager, trained: str) -> None:
    view = wait_finished(jm, jm.submit_task(trained, "repeat", {"seeds": 2}).job_id, timeout=240)
    assert view.status == "completed", view.error
    rep = get_run(jm.store, trained).repeat
    assert rep is not None and len(rep.accuracies) == 2 and rep.throughput_mean > 0
    run = get_run(jm.store, trained)
    assert abs(rep.accuracies[0] - run.test_accuracy) < 0.05, "seed 0 reproduces the run's own training"


def test_predict_answers_while_a_training_run_holds_the_long_lane(jm: JobManager, trained: str) -> None:
    long = jm.submit(TrainRequest(spec=preset_spec("article-mlp", epochs=60), dataset="digits"))
    wait_for(
        lambda: jm.view(long.job_id).status == "running", timeout=START_SECONDS, what="training to start"
    )
    digit = np.zeros(64)
    digit[[3, 4, 11, 12, 19, 20, 27, 28, 35, 36, 43, 44, 51, 52]] = 16.0  # a vertical stroke: a "1"
    asked = jm.submit_task(trained, "predict", {"inputs": [digit.tolist()]})
    view = wait_finished(jm, asked.job_id, timeout=60)
    assert view.status == "completed", view.error
    assert jm.view(long.job_id).status == "running", "the prediction did not wait for the training run"
    top = view.result["predictions"][0]
    assert len(top["classes"]) == 3 and 0.0 < sum(top["probabilities"]) <= 1.0 + 1e-6
    assert top["probabilities"] == sorted(top["probabilities"], reverse=True)
    assert view.result["class_names"] == [str(i) for i in range(10)]
    jm.stop(long.job_id)
    assert wait_finished(jm, long.job_id).status == "stopped"


def test_a_stopped_sweep_never_replaces_a_complete_curve(jm: JobManager, trained: str) -> None:
    before = get_run(jm.store, trained).learning_curve
    assert before is not None and before.complete  # from test_sweep_stores_the_learning_curve
    view = jm.submit_task(trained, "sweep", {"fractions": [0.1, 0.5, 1.0], "seeds": 2})
    wait_for(lambda: jm.view(view.job_id).status == "running", timeout=START_SECONDS, what="sweep start")
    jm.stop(view.job_id)
    done = wait_finished(jm, view.job_id, timeout=120)
    assert done.status == "stopped"
    after = get_run(jm.store, trained)
    assert after.status == "completed"
    assert after.learning_curve == before, "the complete curve is kept; partial points stay in the job"
    if done.result is not None:
        assert done.result["complete"] is False


def test_bad_tasks_are_refused_or_fail_with_a_reason(jm: JobManager, trained: str, task_home: Path) -> None:
    with pytest.raises(SpecError, match="unknown task"):
        jm.submit_task(trained, "mine-bitcoin")
    with pytest.raises(SpecError, match="fractions"):
        jm.submit_task(trained, "sweep", {"fractions": [0.5]})
    with pytest.raises(SpecError, match="does not exist"):
        jm.submit_task("no-such-run", "bench")
    view = wait_finished(jm, jm.submit_task(trained, "predict", {"inputs": [[1.0, 2.0]]}).job_id, timeout=60)
    assert view.status == "failed" and "64 values" in (view.error or "")
    with pytest.raises(SpecError, match="32-bit"):
        jm.submit_task(trained, "predict", {"inputs": [[1e39] * 64]})
    model = task_home / get_run(jm.store, trained).model_path
    model.rename(model.with_suffix(".moved"))
    try:
        view = wait_finished(jm, jm.submit_task(trained, "bench").job_id, timeout=60)
        assert view.status == "failed" and "model file is missing" in (view.error or "")
    finally:
        model.with_suffix(".moved").rename(model)


def test_a_result_with_non_finite_numbers_fails_the_job_instead_of_sticking(tmp_path: Path) -> None:
    """JSON cannot hold NaN: such a result must close the job as failed, never leave it running."""
    from mlcore import worker

    store = Store(f"sqlite:///{tmp_path / 'moatlab.db'}")
    store.submit_job({"id": "p1", "run_id": "r", "kind": "predict", "request": "{}"})
    store.claim_job("w", quick=True, max_running=5)
    worker._finish_task(
        store, "p1", "r", status="completed", result={"p": float("nan")}, error=None, fields=None
    )
    job = store.get_job("p1")
    assert job["status"] == "failed" and "non-finite" in job["error"] and job["result"] is None
