"""Fixtures of the economics tests: a store of runs for the command line, and a scenario file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bizmodel.scenario import TEMPLATES
from store import Store
from tests.support.economics import CURVE_SIZES, PROFILE, converged_curve, insert_run, learning_curve


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``MOATLAB_HOME`` whose SQLite store holds the runs the command-line cases name: ``plain``,
    ``queued``, ``measured`` (inference profile and learning curve), ``short-curve`` (three sizes)
    and ``converged`` (a curve trained to convergence). One per test module."""
    home = tmp_path_factory.mktemp("bizmodel-cli-home")
    store = Store(f"sqlite:///{home / 'moatlab.db'}")
    insert_run(store, "plain")
    insert_run(store, "queued", status="queued")
    insert_run(store, "measured", inference=PROFILE, learning_curve=learning_curve(CURVE_SIZES))
    insert_run(store, "short-curve", learning_curve=learning_curve(CURVE_SIZES[:3]))
    insert_run(store, "converged", learning_curve=converged_curve(CURVE_SIZES))
    store.dispose()
    return home


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    """The base template saved as ``pitch.json``."""
    path = tmp_path / "pitch.json"
    path.write_text(json.dumps(TEMPLATES["base"]().to_dict()))
    return path
