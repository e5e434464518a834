"""Browser fixtures: the real app served by ``streamlit run`` and Debian's headless Chromium.

One server (with its training worker) and one browser serve the whole session; each test gets
a fresh tab. Without Chromium or playwright the tests skip locally and fail in CI
(``MOATLAB_REQUIRE_SERVICES=1``), through :func:`tests.conftest.require_service`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.browser import AppServer, Browser, chromium_missing, start_server
from tests.support.services import require_service


def _require_browser() -> None:
    reason = chromium_missing()
    require_service(reason is None, reason or "")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """``streamlit run app.py`` with a fresh MOATLAB_HOME, offline, on a free port."""
    _require_browser()
    server = start_server(tmp_path_factory.mktemp("e2e") / "moatlab-home")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, 1400×900, with a throw-away profile."""
    _require_browser()
    b = Browser()
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh tab; page errors are collected in ``page.moatlab_errors``."""
    tab = browser.new_page()
    tab.set_default_timeout(30_000)
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.moatlab_errors = errors
    try:
        yield tab
    finally:
        tab.close()
