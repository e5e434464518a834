"""Fixtures of the shared pure layer's tests."""

from __future__ import annotations

import pytest

from bizmodel.catalog import Catalog, load_bundled


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_bundled()
