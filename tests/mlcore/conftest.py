"""Fixtures of the training-lab tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty ``MOATLAB_HOME`` shared by the command-line cases of one test module."""
    return tmp_path_factory.mktemp("cli-home")
