"""Hostile-input tests share the AppTest fixture of ``tests/app`` (an app with its own MOATLAB_HOME)."""

from tests.app.conftest import app_env

__all__ = ["app_env"]
