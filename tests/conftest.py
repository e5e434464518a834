"""Shared fixtures: an isolated MOATLAB_HOME per test, offline mode, and service gates.

Tests that need a system service (PostgreSQL, Chromium) skip with a reason when it is absent.
CI sets ``MOATLAB_REQUIRE_SERVICES=1``: there a missing service fails the test instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests judge results, not speed: this machine and CI are shared and noisy, so no
# per-example deadline (speed is checked by the benchmarks under bench/).
settings.register_profile("moatlab", deadline=None, print_blob=True)
settings.load_profile("moatlab")

# Tests never download: the keras.datasets path must answer "not available offline".
os.environ["MOATLAB_OFFLINE"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def require_service(available: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI, ``MOATLAB_REQUIRE_SERVICES=1``) when a service is missing."""
    if available:
        return
    if os.environ.get("MOATLAB_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh MOATLAB_HOME with the default SQLite store, and an empty Keras cache."""
    h = tmp_path / "moatlab-home"
    h.mkdir()
    monkeypatch.setenv("MOATLAB_HOME", str(h))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    yield h


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None
