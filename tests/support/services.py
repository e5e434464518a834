"""System services the tests gate on: PostgreSQL (``MOATLAB_TEST_DATABASE_URL``) and Chromium.

Without one a test skips locally with the reason; in CI (``MOATLAB_REQUIRE_SERVICES=1``) it fails.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url


def require_service(available: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI, ``MOATLAB_REQUIRE_SERVICES=1``) when a service is missing."""
    if available:
        return
    if os.environ.get("MOATLAB_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason)


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None


PG_ENV = "MOATLAB_TEST_DATABASE_URL"


def postgres_base_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    require_service(bool(url), f'{PG_ENV} is not set; start PostgreSQL with: eval "$(bash .ci/services.sh)"')
    return url


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
