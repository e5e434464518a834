"""The app replicas of a load test: started on loopback (one shared database and model folder)
or given, and warmed up once each."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.loadlib.client import Client
from bench.loadlib.session import TRAIN_PAGE
from tests.support.browser import AppServer


@dataclass
class Cluster:
    """The app replicas this script started (or was given) and where their state lives."""

    urls: list[str]
    database_url: str | None
    servers: list[AppServer] = field(default_factory=list)
    artifact_dir: Path | None = None
    temp: Path | None = None

    def worker_logs(self) -> list[Path]:
        return [s.home / "logs" / "worker.log" for s in self.servers]

    def stop(self) -> None:
        for server in self.servers:
            with contextlib.suppress(Exception):
                server.stop()
        if self.temp is not None:
            shutil.rmtree(self.temp, ignore_errors=True)


def start_cluster(replicas: int, database_url: str | None, *, keep: bool) -> Cluster:
    """Start ``replicas`` app processes on loopback that share one database and one model folder."""
    temp = Path(tempfile.mkdtemp(prefix="moatlab-load-"))
    artifacts = temp / "artifacts"
    artifacts.mkdir()
    url = database_url or f"sqlite:///{temp / 'shared' / 'moatlab.db'}"
    cluster = Cluster(urls=[], database_url=url, artifact_dir=artifacts, temp=None if keep else temp)
    for n in range(replicas):
        server = AppServer(
            temp / f"replica-{n}",
            extra_env={"DATABASE_URL": url, "MOATLAB_ARTIFACT_DIR": str(artifacts)},
            extra_args=["--server.fileWatcherType", "none"],
        )
        cluster.servers.append(server)
        server.start()
    for server in cluster.servers:
        server.wait_healthy(timeout=90)
        cluster.urls.append(server.url)
    return cluster


async def warm_up(urls: Sequence[str], tag_pattern: re.Pattern[bytes], timeout: float) -> list[float]:
    """One untimed visit of Overview and Train per replica: imports the pages and starts the
    training worker, as the first user of a fresh server would. Returns seconds per replica."""
    seconds = []
    for url in urls:
        client = Client(url, tag_pattern=tag_pattern, visit_timeout=timeout)
        await client.open()
        t0 = time.perf_counter()
        try:
            for page in ("", TRAIN_PAGE):
                visit = await client.visit(page)
                if visit.status != "ok":
                    raise RuntimeError(f"warm-up of {url} failed: {visit.errors}")
        finally:
            await client.close()
        seconds.append(time.perf_counter() - t0)
    return seconds
