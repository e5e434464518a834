"""Two app replicas on one PostgreSQL and one shared model folder (deployment for many users).

Both replicas are ``streamlit run app.py`` on 127.0.0.1 with their own ``MOATLAB_HOME`` (logs),
the same ``DATABASE_URL`` (a fresh PostgreSQL schema, dropped afterwards) and the same
``MOATLAB_ARTIFACT_DIR``. Lightweight websocket sessions (``bench/load.py``'s client, no browser)
act as users: a job submitted on replica A is served exactly once (either replica's worker may
take it); the run it trained is listed on replica B, whose Inference page finds its model file;
a scenario saved on B is offered on A.

Needs PostgreSQL (``MOATLAB_TEST_DATABASE_URL``; ``eval "$(bash .ci/services.sh)"``): skipped
with the reason when absent, failed under ``MOATLAB_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import re
import secrets
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bench.load import (
    Client,
    Cluster,
    Config,
    SessionResult,
    SessionSpec,
    audit_jobs,
    start_cluster,
    string_state,
    submit_training,
    trigger,
    warm_up,
    watch_job,
)
from store import Store
from tests.support.services import postgres_schema

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
EN = json.loads((ROOT / "present" / "locales" / "en.json").read_text(encoding="utf-8"))


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL schema, dropped afterwards."""
    with postgres_schema("moatlab_replicas") as url:
        yield url


@pytest.fixture
def cluster(pg_url: str) -> Iterator[Cluster]:
    started = start_cluster(2, pg_url, keep=False)
    try:
        yield started
    finally:
        started.stop()


def _widget_like(visit: object, prefix: str) -> tuple[str, object] | None:
    for wid, found in visit.widgets.items():  # type: ignore[attr-defined]
        if wid.rsplit("-", 1)[-1].startswith(prefix):
            return found
    return None


async def _scenario(cluster: Cluster, nonce: str) -> None:
    tag = re.compile(rb"LT" + nonce.encode() + rb"S(\d{3})")
    a, b = (Client(url, tag_pattern=tag, visit_timeout=90) for url in cluster.urls)
    await a.open()
    await b.open()
    try:
        # A user on replica A trains digits for 1 epoch.
        spec = SessionSpec(
            index=0,
            url=cluster.urls[0],
            replica=0,
            name="",
            accuracy_text="",
            link_query="",
            via="saved",
            train=True,
        )
        cfg = Config(
            visits=0,
            duration=None,
            visit_timeout=90,
            job_timeout=150,
            poll_seconds=0.5,
            tag_pattern=tag,
            nonce=nonce,
        )
        result = SessionResult(index=0, replica=0, via="saved", train=True)
        await submit_training(a, spec, result, cfg)
        assert result.job_id, result.errors
        await watch_job(a, result, cfg)
        assert result.job_seen_finished, result.errors
        assert not result.errors, result.errors

        audit = audit_jobs([result], cluster.database_url, cluster.worker_logs())
        assert (audit["submitted"], audit["served"], audit["served_twice"], audit["lost"]) == (1, 1, 0, 0), (
            audit
        )
        assert audit["left_active"] == 0
        job = audit["jobs"][0]
        assert job["status"] == "completed" and job["starts"] == 1
        assert job["served_by"] in (0, 1)

        store = Store(cluster.database_url)
        try:
            run_id = store.get_job(result.job_id)["run_id"]  # type: ignore[index]
        finally:
            store.dispose()

        # Replica B lists the run and finds its model file in the shared folder.
        seen = await b.visit("inference", query=f"run={run_id}")
        assert seen.status == "ok" and not seen.errors, seen.errors
        picker = seen.widget("run_picker")
        assert picker is not None, seen.texts
        assert any(result.run_name in option for option in picker[1].options)
        assert EN["inference.model_missing"] not in seen.texts
        download = EN["inference.download_model"].split("{")[0]
        assert any(
            kind == "download_button" and proto.label.startswith(download)
            for kind, proto in seen.widgets.values()
        ), [proto.label for kind, proto in seen.widgets.values() if kind == "download_button"]

        # A scenario saved on replica B is offered on replica A.
        name = f"Replica scenario {nonce}"
        page = await b.visit("scenarios")
        name_box, save_new = _widget_like(page, "scn_name_"), page.widget("scn_save_new")
        assert name_box is not None and save_new is not None
        saved = await b.visit(
            "scenarios",
            query=page.query,
            widgets=[string_state(name_box[1].id, name), trigger(save_new[1].id)],
        )
        assert saved.status == "ok" and not saved.errors, saved.errors
        other = await a.visit("scenarios")
        assert other.status == "ok" and not other.errors, other.errors
        pick = _widget_like(other, "active_scenario")  # the sidebar's choice of the active scenario
        assert pick is not None
        assert name in list(pick[1].options), list(pick[1].options)
    finally:
        await a.close()
        await b.close()


def _run_in_own_loop(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: a browser test earlier in this pytest process may
    keep Playwright's event loop running in the main thread, where ``asyncio.run`` refuses."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_two_replicas_share_queue_models_and_scenarios(cluster: Cluster) -> None:
    nonce = secrets.token_hex(3)
    _run_in_own_loop(warm_up(cluster.urls, re.compile(rb"LT" + nonce.encode() + rb"S(\d{3})"), 90))
    _run_in_own_loop(asyncio.wait_for(_scenario(cluster, nonce), 240))
