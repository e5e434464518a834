"""Store fixtures: every store test runs on SQLite (a temp file) and on PostgreSQL.

PostgreSQL comes from ``MOATLAB_TEST_DATABASE_URL`` (``eval "$(bash .ci/services.sh)"`` starts a
throwaway server and exports it). Each test gets its own PostgreSQL schema (through the
connection's ``search_path``), dropped afterwards, so tests never see each other's rows.
Where the variable is unset the PostgreSQL variants skip locally and fail in CI.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from store import Store
from tests.conftest import require_service
from tests.store.support import FakeClock

PG_ENV = "MOATLAB_TEST_DATABASE_URL"


def postgres_base_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    require_service(bool(url), f'{PG_ENV} is not set; start PostgreSQL with: eval "$(bash .ci/services.sh)"')
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database; several :class:`Store` objects may share it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh-dir' / 'moatlab.db'}"
        return
    with postgres_schema("moatlab_test") as url:
        yield url


@contextlib.contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema ``<prefix>_<random>`` (through the connection's
    ``search_path``), dropped with everything in it afterwards. Skips (or fails in CI) without
    PostgreSQL."""
    base = postgres_base_url()
    schema = f"{prefix}_{secrets.token_hex(6)}"
    admin = sa.create_engine(base, connect_args={"connect_timeout": 5})
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


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
