"""Browser fixtures: the real app served by ``streamlit run`` and Debian's headless Chromium.

One server (with its training worker) and one browser serve the whole session; each test gets
a fresh tab. Without Chromium or playwright the tests skip locally and fail in CI
(``MOATLAB_REQUIRE_SERVICES=1``), through :func:`tests.conftest.require_service`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service
from tests.e2e.harness import AppServer, Browser, chromium_missing

#: Tests serve with the file watcher off: other people edit the sources while tests run, and
#: watching the repository (with its .venv) overflows inotify on this machine.
TEST_SERVER_ARGS = ["--server.fileWatcherType", "none"]


def _require_browser() -> None:
    reason = chromium_missing()
    require_service(reason is None, reason or "")


def start_server(home: Path) -> AppServer:
    """A started, healthy app server (stopped by the caller)."""
    server = AppServer(home, extra_args=TEST_SERVER_ARGS)
    server.start()
    try:
        server.wait_healthy(timeout=60)
    except BaseException:
        server.stop()
        raise
    return server


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
