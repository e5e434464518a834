"""The Ray dispatcher's bookkeeping, without a Ray instance: what it ships to Ray's workers,
what it does when Ray refuses a task, and the heartbeat of jobs whose task waits for a CPU."""

from __future__ import annotations

import ast
import importlib.util
import time
from pathlib import Path
from typing import Any

import pytest

from mlcore.specs import TrainRequest, preset_spec
from store import Store

pytest.importorskip("ray", reason="Ray is not installed (pip install -r requirements-ray.txt)")

from mlcore import ray_executor

ROOT = Path(__file__).resolve().parents[2]


def _first_party_imports(package: str) -> set[str]:
    """Top-level packages of this repository that ``package``'s modules import."""
    found: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if (ROOT / top / "__init__.py").exists():
                    found.add(top)
    return found


def test_every_package_the_engine_imports_is_shipped_to_ray_workers() -> None:
    # A cluster node has no checkout: what mlcore imports must travel with the job.
    needed = _first_party_imports("mlcore") | _first_party_imports("store")
    assert needed <= set(ray_executor.SHIPPED_PACKAGES), needed - set(ray_executor.SHIPPED_PACKAGES)
    for name in ray_executor.SHIPPED_PACKAGES:
        assert importlib.util.find_spec(name) is not None


class _Refusing:
    def options(self, **_kw: Any) -> _Refusing:
        return self

    def remote(self, *_args: Any) -> Any:
        raise ConnectionError("the Ray cluster at head:6379 is unreachable")


@pytest.fixture
def manager(tmp_path: Path) -> ray_executor.RayJobManager:
    store = Store(f"sqlite:///{tmp_path / 'moatlab.db'}")
    return ray_executor.RayJobManager(store, tmp_path, start_worker=False, long_parallel=1)


def _submit(manager: ray_executor.RayJobManager) -> str:
    request = TrainRequest(spec=preset_spec("article-mlp", epochs=1), dataset="digits")
    return manager.submit(request).job_id


def test_a_refused_task_puts_the_job_back_in_the_queue_and_stops_claiming(
    manager: ray_executor.RayJobManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _submit(manager), _submit(manager)
    monkeypatch.setattr(ray_executor, "_remote_functions", lambda: (_Refusing(), _Refusing()))
    with pytest.raises(ray_executor.SubmitRefused, match="unreachable"):
        manager._launch()
    for job_id in (first, second):
        view = manager.view(job_id)
        assert view is not None and view.status == "queued", "no job fails or drains while Ray is away"
    assert manager.view(first).queue_position == 1  # type: ignore[union-attr]


def test_jobs_waiting_for_a_cpu_keep_a_fresh_heartbeat(manager: ray_executor.RayJobManager) -> None:
    job_id = _submit(manager)
    job = manager.store.claim_job("host:1/ray-1")
    assert job is not None and job["id"] == job_id
    manager._inflight[object()] = ray_executor._Claim(job, "host:1/ray-1", time.monotonic())
    manager._last_beat = time.monotonic() - 3600
    before = manager.store.get_job(job_id)["heartbeat_at"]  # type: ignore[index]
    time.sleep(0.01)
    manager._beat_inflight()
    after = manager.store.get_job(job_id)["heartbeat_at"]  # type: ignore[index]
    assert after > before
