"""A bad ``MOATLAB_EXECUTOR`` is shown on the page as what to change, never as a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.app import make_app


def test_an_unknown_executor_is_explained_on_the_train_page(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOATLAB_EXECUTOR", "spark")
    at = make_app("app_pages/train.py")
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "MOATLAB_EXECUTOR='spark'" in errors and "local, ray" in errors
