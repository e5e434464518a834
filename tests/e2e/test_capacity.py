"""Issue 20, D9, on a real server: a replica admits ``MOATLAB_MAX_SESSIONS`` sessions, counted by
Streamlit's own session manager (connected tabs), and shows the next one the "at capacity" page;
when a tab closes its place frees. Lightweight websocket sessions (``bench/load.py``'s client)
stand in for browser tabs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bench.load import Client
from tests.support.browser import TEST_SERVER_ARGS, AppServer

pytestmark = pytest.mark.slow
T = TypeVar("T")
NO_TAGS = re.compile(rb"(?!x)x")
FULL = "at capacity"


def _run_in_own_loop(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own (a browser test may hold the main thread's loop)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[AppServer]:
    app = AppServer(
        tmp_path / "home",
        extra_env={"MOATLAB_MAX_SESSIONS": "2", "MOATLAB_START_WORKER": "0"},
        extra_args=TEST_SERVER_ARGS,
    )
    app.start()
    try:
        app.wait_healthy(timeout=90)
        yield app
    finally:
        app.stop()


async def _sessions(url: str) -> dict[str, bool]:
    tabs = [Client(url, tag_pattern=NO_TAGS, visit_timeout=90) for _ in range(4)]
    seen: dict[str, bool] = {}
    for tab in tabs:
        await tab.open()
    try:
        for i, tab in enumerate(tabs[:3]):
            visit = await tab.visit("scenarios")
            assert visit.status == "ok" and not visit.errors, visit.errors
            seen[f"tab {i} full"] = any(FULL in text for text in visit.texts)
            seen[f"tab {i} has KPIs"] = any(label == "NPV" for label, _ in visit.metrics)
        await tabs[0].close()  # the first person closes their tab
        await asyncio.sleep(1.0)  # the server notices the closed websocket
        again = await tabs[2].visit("scenarios")
        seen["tab 2 after a place freed"] = any(label == "NPV" for label, _ in again.metrics)
        late = await tabs[3].visit("overview")
        seen["tab 3 full"] = any(FULL in text for text in late.texts)
    finally:
        for tab in tabs:
            await tab.close()
    return seen


def test_a_full_replica_turns_the_next_session_away_until_a_place_frees(server: AppServer) -> None:
    seen = _run_in_own_loop(asyncio.wait_for(_sessions(server.url), 240))
    assert seen == {
        "tab 0 full": False,
        "tab 0 has KPIs": True,
        "tab 1 full": False,
        "tab 1 has KPIs": True,
        "tab 2 full": True,
        "tab 2 has KPIs": False,
        "tab 2 after a place freed": True,
        "tab 3 full": True,
    }
