"""Store fixtures: every store test runs on SQLite (a temp file) and on PostgreSQL.

PostgreSQL comes from ``MOATLAB_TEST_DATABASE_URL`` (``eval "$(bash .ci/services.sh)"`` starts a
throwaway server and exports it). Each test gets its own PostgreSQL schema (through the
connection's ``search_path``), dropped afterwards, so tests never see each other's rows.
Where the variable is unset the PostgreSQL variants skip locally and fail in CI.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store import Store
from tests.support.services import postgres_schema
from tests.support.store import FakeClock


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database; several :class:`Store` objects may share it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh-dir' / 'moatlab.db'}"
        return
    with postgres_schema("moatlab_test") as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    """The time of the ``store`` fixture's writes; tests order rows with ``clock.advance()``."""
    return FakeClock()


@pytest.fixture
def store(store_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(store_url, clock=clock)
    try:
        yield s
    finally:
        s.dispose()
