"""Fixtures of the fault tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def shared(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The artifact folder (``MOATLAB_ARTIFACT_DIR``), as on a shared volume; not created yet."""
    folder = tmp_path / "shared-artifacts"
    monkeypatch.setenv("MOATLAB_ARTIFACT_DIR", str(folder))
    return folder
