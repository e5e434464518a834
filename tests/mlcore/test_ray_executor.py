"""The Ray executor against a real local Ray instance (loopback, no dashboard, 2 CPUs) and a
SQLite store: a training job, a sweep fanned out into one Ray task per training, a stop request,
a Ray worker that dies, and how ``MOATLAB_EXECUTOR`` selects the executor.

One Ray instance serves the whole module; its Ray worker processes import TensorFlow, this
(test = web) process never does.
"""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlcore.datasets import load, request_split, subsample_stratified
from mlcore.jobs import EXECUTORS, ExecutorError, JobManager, make_job_manager
from mlcore.runs import get_run
from mlcore.specs import TrainRequest, preset_spec
from mlcore.tasks import CURVE_RULE
from store import Store
from tests.support.services import require_service
from tests.support.worker import saved_epochs, wait_finished, wait_for

pytestmark = pytest.mark.slow

HAVE_RAY = importlib.util.find_spec("ray") is not None
START_SECONDS = 120.0  # a fresh Ray worker process imports TensorFlow (seconds, more under load)
ROOT = Path(__file__).resolve().parents[2]


def _engine_modules() -> set[str]:
    return {m for m in sys.modules if m.split(".")[0] in {"tensorflow", "keras"}}


@pytest.fixture(scope="module")
def ray_instance() -> Iterator[set[str]]:
    """One local Ray instance for the module; yields the engine modules loaded before it."""
    require_service(HAVE_RAY, "ray is not installed (pip install -r requirements-ray.txt)")
    from mlcore.ray_executor import connect

    before = _engine_modules()
    started = connect(num_cpus=2)
    yield before
    if started:
        import ray

        ray.shutdown()


@pytest.fixture(scope="module")
def manager(ray_instance: set[str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[JobManager]:
    from mlcore.ray_executor import RayJobManager

    home = tmp_path_factory.mktemp("ray-home")
    jm = RayJobManager(Store(f"sqlite:///{home / 'moatlab.db'}"), home)
    assert jm.wait_connected(60), jm.worker_problem
    yield jm
    jm.close()


@pytest.fixture(scope="module")
def trained(manager: JobManager) -> str:
    """A one-epoch article MLP on digits trained through Ray; returns its run id."""
    view = manager.submit(TrainRequest(spec=preset_spec("article-mlp", epochs=1), dataset="digits"))
    done = wait_finished(manager, view.job_id, timeout=START_SECONDS)
    assert done.status == "completed", done.error
    return done.run_id


def served_record(manager: JobManager, job_id: str) -> dict:
    """What the dispatcher filed for a job it served. The Ray task marks the job completed in the
    store before the dispatcher reaps it, so the record may come a moment after the status."""
    wait_for(lambda: job_id in manager.served, timeout=30, what="the dispatcher's record")
    return manager.served[job_id]


def test_a_training_job_runs_on_ray_with_the_local_record_fields(
    manager: JobManager, trained: str, ray_instance: set[str]
) -> None:
    import ray

    run = get_run(manager.store, trained)
    assert run is not None and run.status == "completed" and run.error is None
    assert run.epochs_completed == 1 and len(run.history) == 1
    assert run.test_accuracy is not None and run.test_accuracy > 0.3
    assert run.peak_flops_per_second and run.peak_flops_method and 0 < run.mfu <= 1
    assert run.peak_memory_bytes and run.wall_seconds >= run.train_seconds
    assert run.n_train and run.n_test and run.confusion_matrix is not None
    assert (manager.home / run.model_path).is_file()
    assert run.name == "article-mlp on digits"
    assert run.versions["executor"] == "ray" and run.versions["ray"] == ray.__version__
    assert run.versions["keras"] and run.versions["backend"]
    job = manager.store.job_for_run(trained)
    served = served_record(manager, job["id"])
    assert served["status"] == "completed" and served["pid"] != os.getpid()
    assert "/ray-" in job["worker_id"], "each Ray job is claimed under its own worker id"
    assert _engine_modules() <= ray_instance, "the web process never imports TensorFlow or Keras"


def test_a_sweep_fans_out_into_one_ray_task_per_training(manager: JobManager, trained: str) -> None:
    view = manager.submit_task(trained, "sweep", {"fractions": [0.5, 1.0], "seeds": 2, "max_epochs": 3})
    done = wait_finished(manager, view.job_id, timeout=START_SECONDS)
    assert done.status == "completed", done.error
    fan_out = served_record(manager, view.job_id)["fan_out"]
    assert len(fan_out) == 4 and len(set(fan_out)) == 4, "one Ray task per (fraction × seed)"
    run = get_run(manager.store, trained)
    curve = run.learning_curve
    assert curve is not None and curve.complete and curve.epochs == 1
    assert [p.fraction for p in curve.points] == [0.5, 1.0]
    # Every Ray task trained by its planned budget: the half split repeated twice per epoch (at
    # least one epoch of the whole split's steps, where the run's single epoch gave it half), at
    # most 3 epochs.
    assert (curve.rule, curve.max_epochs) == (CURVE_RULE, 3)
    full_epoch = math.ceil(run.n_train / run.request.spec.batch_size)
    half, full = curve.points
    assert full_epoch <= half.steps <= 3 * full_epoch and full.steps <= 3 * full_epoch
    # The same plan as the local worker: the run's split, the subset drawn with seed k.
    data = load("digits")
    train_idx = request_split(data.y, run.request).train
    expected = [len(subsample_stratified(data.y, train_idx, f, seed=0)) for f in (0.5, 1.0)]
    assert [p.n_train for p in curve.points] == expected and expected[1] == run.n_train
    assert all(p.seeds == 2 and len(p.accuracies) == 2 for p in curve.points)
    assert all(0.0 <= a <= 1.0 for p in curve.points for a in p.accuracies)
    assert done.result == curve.to_dict()


def test_a_repeat_fans_out_per_seed(manager: JobManager, trained: str) -> None:
    view = manager.submit_task(trained, "repeat", {"seeds": 2})
    done = wait_finished(manager, view.job_id, timeout=START_SECONDS)
    assert done.status == "completed", done.error
    assert len(set(served_record(manager, view.job_id)["fan_out"])) == 2
    run = get_run(manager.store, trained)
    assert run.repeat is not None and run.repeat.seeds == (run.request.spec.seed, run.request.spec.seed + 1)
    assert len(run.repeat.accuracies) == 2 and run.repeat.throughput_mean > 0


def test_a_stop_request_reaches_a_ray_run_job(manager: JobManager) -> None:
    view = manager.submit(TrainRequest(spec=preset_spec("article-mlp", epochs=300), dataset="digits"))
    wait_for(lambda: saved_epochs(manager, view.run_id) >= 1, timeout=START_SECONDS, what="one epoch")
    assert manager.stop(view.job_id) == "running"
    done = wait_finished(manager, view.job_id, timeout=60)
    assert done.status == "stopped" and done.stop_requested
    run = done.run
    assert run is not None and run.status == "stopped" and run.error is None
    assert 1 <= run.epochs_completed < 300 and len(run.history) == run.epochs_completed
    assert run.versions["executor"] == "ray"


def test_a_ray_worker_that_dies_fails_its_job_with_a_reason(manager: JobManager) -> None:
    import psutil

    view = manager.submit(TrainRequest(spec=preset_spec("article-mlp", epochs=300), dataset="digits"))
    wait_for(lambda: saved_epochs(manager, view.run_id) >= 1, timeout=START_SECONDS, what="one epoch")
    task_name = f"moatlab-train-{view.job_id}"
    victims = [
        p
        for p in psutil.process_iter(["cmdline"])
        if any(task_name in part for part in p.info["cmdline"] or ())
    ]
    assert len(victims) == 1, "the Ray worker process running the job names its task"
    victims[0].kill()
    done = wait_finished(manager, view.job_id, timeout=60)
    assert done.status == "failed"
    assert done.error.startswith("the Ray task running this job stopped unexpectedly (")
    assert "\n" not in done.error and "WorkerCrashedError" in done.error
    run = done.run
    assert run is not None and run.status == "failed" and run.error == done.error
    assert run.epochs_completed >= 1 and len(run.history) >= 1, "the saved history is kept"


def test_the_executor_is_chosen_by_moatlab_executor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(f"sqlite:///{tmp_path / 'moatlab.db'}")
    monkeypatch.delenv("MOATLAB_EXECUTOR", raising=False)
    local = make_job_manager(store, tmp_path, start_worker=False)
    assert type(local) is JobManager and local.executor == "local"
    monkeypatch.setenv("MOATLAB_EXECUTOR", "spark")
    with pytest.raises(ExecutorError, match=r"MOATLAB_EXECUTOR='spark'.*choose one of: local, ray"):
        make_job_manager(store, tmp_path, start_worker=False)
    assert EXECUTORS == ("local", "ray")
    if not HAVE_RAY:
        monkeypatch.setenv("MOATLAB_EXECUTOR", "ray")
        with pytest.raises(ExecutorError, match=r"requirements-ray\.txt"):
            make_job_manager(store, tmp_path, start_worker=False)
        return
    from mlcore.ray_executor import RayJobManager

    monkeypatch.setenv("MOATLAB_EXECUTOR", "Ray")
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.9:6379")
    monkeypatch.setenv("MOATLAB_RAY_ADDRESS", "10.0.0.7:6379")
    chosen = make_job_manager(store, tmp_path, start_worker=False)
    assert isinstance(chosen, RayJobManager) and chosen.executor == "ray"
    assert chosen.address == "10.0.0.7:6379", "MOATLAB_RAY_ADDRESS wins over RAY_ADDRESS"
    monkeypatch.delenv("MOATLAB_RAY_ADDRESS")
    monkeypatch.setenv("MOATLAB_RAY_CPUS", "3")
    chosen = make_job_manager(store, tmp_path, start_worker=False)
    assert chosen.address == "10.0.0.9:6379" and chosen.num_cpus == 3
    monkeypatch.setenv("MOATLAB_RAY_CPUS", "lots")
    with pytest.raises(ExecutorError, match="MOATLAB_RAY_CPUS='lots'"):
        make_job_manager(store, tmp_path, start_worker=False)


def test_the_local_executor_never_imports_ray(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from mlcore.jobs import make_job_manager\n"
        "from store import Store\n"
        f"home = Path({str(tmp_path)!r})\n"
        "jm = make_job_manager(Store(f'sqlite:///{home}/m.db'), home, start_worker=False)\n"
        "print(jm.executor, 'ray' in sys.modules, 'tensorflow' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MOATLAB_EXECUTOR"}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["local", "False", "False"]
