"""Shared fixtures: an isolated MOATLAB_HOME per test, offline mode, and an AppTest home with a
replaying worker (used by the app, fault and hostile-input tests).

Plain helpers live in :mod:`tests.support`; service gates (PostgreSQL, Chromium) in
:mod:`tests.support.services`, which skip locally and fail in CI (``MOATLAB_REQUIRE_SERVICES=1``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from store import Store
from tests.support.app import ReplayWorker

# Property tests judge results, not speed: this machine and CI are shared and noisy, so no
# per-example deadline (speed is checked by the benchmarks under bench/).
settings.register_profile("moatlab", deadline=None, print_blob=True)
settings.load_profile("moatlab")

# Tests never download: the keras.datasets path must answer "not available offline".
os.environ["MOATLAB_OFFLINE"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh MOATLAB_HOME with the default SQLite store, and an empty Keras cache."""
    h = tmp_path / "moatlab-home"
    h.mkdir()
    monkeypatch.setenv("MOATLAB_HOME", str(h))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    yield h


@pytest.fixture
def app_env(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``home`` for AppTest: no real worker is started, and Streamlit's caches start empty."""
    monkeypatch.setenv("MOATLAB_START_WORKER", "0")
    # Each test gets fresh cached resources for its own MOATLAB_HOME.
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    return home


@pytest.fixture
def replay(app_env: Path) -> Iterator[ReplayWorker]:
    """A worker that serves the queue with the recorded run, step by step."""
    yield ReplayWorker(Store())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that renders pages through AppTest (it uses ``app_env``, or lives in
    ``tests/app``) as ``app``: the
    fast loop, ``-m "not slow and not browser and not app"``, leaves them to the full run."""
    app_tests = Path(__file__).parent / "app"
    for item in items:
        if "app_env" in getattr(item, "fixturenames", ()) or app_tests in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.app)
