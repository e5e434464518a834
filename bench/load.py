"""Load test: many lightweight sessions on the economics pages, training jobs from several at once.

Each session is one websocket to ``/_stcore/stream`` that speaks Streamlit's own protocol (the
protobuf classes shipped in the streamlit package), as a browser tab does: a page visit sends a
``rerun_script`` BackMsg (query string, page, widget states) and reads ForwardMsgs until
``script_finished``; the visit's latency is the wall time between the two (seconds). No browser
runs, so dozens of sessions fit on a small machine.

What it checks:

* **State isolation.** Every session opens its own revenue scenario: even sessions through a
  share link (``?share=<token>``, the scenario then lives only in that session's state), odd
  sessions through a scenario saved in the store beforehand (``?scenario=<id>``). Each scenario
  has a distinct name carrying a tag (``LT<run nonce>S<session>``) and a distinct model accuracy.
  After the first visit the session moves like a sidebar click (no query string), so the scenario
  comes from its session state. No page may show another session's tag; every page that presents
  the active scenario in its text must show its own (the sidebar's picker lists every saved
  scenario, so it does not count); Data value presents it only beside a learning curve, which
  these runs do not have, so there only the first rule applies. Overview must show its own
  accuracy.
* **Errors.** An exception element, an error alert or the text ``Traceback (most recent call
  last)`` anywhere in a visit's messages, a visit that times out or a dropped connection.
* **The job queue.** ``--train-sessions`` sessions also train a model through the Train page like a
  user (dataset ``digits``, 1 epoch, a distinct run name, the Start button's trigger), then poll
  the job's page until it ends. Afterwards, from the store: every submitted job is present once,
  its run name once, it ended ``completed`` and was claimed by one worker; from the workers' logs
  (when this script started the apps): each job started exactly once, and on which replica; and
  no job is left queued or running.

It starts the app itself (``streamlit run app.py`` on 127.0.0.1, a fresh ``MOATLAB_HOME`` per
replica, one ``DATABASE_URL`` and one ``MOATLAB_ARTIFACT_DIR`` shared by all replicas), or uses
running replicas given with ``--url``. Everything stays on 127.0.0.1, ``--timeout`` bounds the
whole run, and every process it started is stopped on exit, on Ctrl-C and on SIGTERM.

Run from the repository root::

    .venv/bin/python bench/load.py                         # 20 sessions, one replica, SQLite
    .venv/bin/python bench/load.py --replicas 2 --database-url postgresql://...
    .venv/bin/python bench/load.py --sessions 3 --visits 6 --train-sessions 2 --json out.json

Exit status 0 when every check passes, 1 when one fails, 2 when the run could not be made.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import random
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402  (a dependency of streamlit)
from streamlit.proto.Alert_pb2 import Alert  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from tests.support.browser import AppServer  # noqa: E402

#: The economics pages: (label, url path). Overview is the default page (url path "").
PAGES: tuple[tuple[str, str], ...] = (
    ("overview", ""),
    ("scenarios", "scenarios"),
    ("compute", "compute"),
    ("data-value", "data-value"),
    ("compare", "compare"),
    ("build-vs-buy", "build-vs-buy"),
)
TRAIN_PAGE = "train"
#: Pages that state the active scenario only beside a learning curve (the load test's runs have none).
WITHOUT_SCENARIO_TEXT = frozenset({"data-value"})
TRACEBACK = b"Traceback (most recent call last)"
#: The Train form's dataset for the load test: the smallest bundled one.
TRAIN_DATASET = "digits"


# ---------------------------------------------------------------------------- protocol client


@dataclass
class Visit:
    """One page run as a session saw it: latency (seconds) and what the page rendered."""

    page: str
    seconds: float
    status: str  # "ok", "compile-error", "timeout", "closed"
    query: str  # the URL's query string after the run (page_info_changed), as a browser keeps it
    tags: set[int] = field(default_factory=set)  # session numbers whose tag appeared
    errors: list[str] = field(default_factory=list)
    widgets: dict[str, tuple[str, Any]] = field(default_factory=dict)  # id -> (element type, proto)
    metrics: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    texts: list[str] = field(default_factory=list)  # markdown, headings, captions, alerts

    def widget(self, key: str) -> tuple[str, Any] | None:
        """The widget whose user key is ``key`` (its id ends in ``-<key>``), or None."""
        for wid, found in self.widgets.items():
            if wid.endswith(f"-{key}"):
                return found
        return None


def _text_of(kind: str, proto: Any) -> str | None:
    """The text an element shows as prose (markdown, headings, alerts, a text box's value)."""
    if kind in ("markdown", "heading", "text", "alert"):
        return str(proto.body)
    if kind == "text_input":
        return str(proto.value if proto.HasField("value") else proto.default)
    return None


class Client:
    """A browser tab reduced to its websocket: one Streamlit session on one app replica."""

    def __init__(self, base_url: str, *, tag_pattern: re.Pattern[bytes], visit_timeout: float) -> None:
        parsed = urllib.parse.urlparse(base_url)
        self.ws_url = f"ws://{parsed.netloc}{parsed.path.rstrip('/')}/_stcore/stream"
        self.tag_pattern = tag_pattern
        self.visit_timeout = visit_timeout
        self.page_hashes: dict[str, str] = {}  # url path -> page script hash (from navigation)
        self.ws: Any = None

    async def open(self) -> None:
        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, ping_interval=None, open_timeout=30
        )

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
            self.ws = None

    async def visit(
        self, page: str, *, query: str = "", widgets: Sequence[WidgetState] = (), label: str | None = None
    ) -> Visit:
        """Run ``page`` (a url path) with ``query`` and ``widgets``; wait for the run to finish."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        if page in self.page_hashes:  # like a click in the sidebar
            msg.rerun_script.page_script_hash = self.page_hashes[page]
        else:  # like typing the page's URL
            msg.rerun_script.page_name = page
        msg.rerun_script.widget_states.widgets.extend(widgets)
        visit = Visit(page=label or page or "overview", seconds=0.0, status="ok", query=query)
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._read_until_finished(visit), self.visit_timeout)
        except TimeoutError:
            visit.status = "timeout"
            visit.errors.append(f"no script_finished within {self.visit_timeout:.0f} s")
        except websockets.ConnectionClosed as exc:
            visit.status = "closed"
            visit.errors.append(f"connection closed: {exc}")
        visit.seconds = time.perf_counter() - start
        return visit

    async def _read_until_finished(self, visit: Visit) -> None:
        while True:
            raw = await self.ws.recv()
            data = raw if isinstance(raw, bytes) else raw.encode()
            if TRACEBACK in data:
                visit.errors.append("a traceback in the page")
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(visit, fwd.delta.new_element)
            elif kind == "page_info_changed":
                visit.query = fwd.page_info_changed.query_string
            elif kind == "navigation":
                self.page_hashes = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun(): the next run follows on the same request
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    visit.status = "compile-error"
                    visit.errors.append("the page script did not compile")
                return

    def _element(self, visit: Visit, element: Any) -> None:
        kind = element.WhichOneof("type")
        if kind is None:
            return
        proto = getattr(element, kind)
        if kind == "exception":
            visit.errors.append(f"exception: {proto.type}: {proto.message}"[:300])
        elif kind == "alert" and proto.format == Alert.ERROR:
            visit.errors.append(f"error alert: {proto.body}"[:300])
        if kind == "metric":
            visit.metrics.append((str(proto.label), str(proto.body)))
        text = _text_of(kind, proto)
        if text is not None:
            visit.texts.append(text)
            # What the page says is this session's: text, not the choices of a picker (which list
            # every saved scenario) nor tables or charts.
            for match in self.tag_pattern.finditer(text.encode()):
                visit.tags.add(int(match.group(1)))
        if "id" in proto.DESCRIPTOR.fields_by_name and proto.id:
            visit.widgets[str(proto.id)] = (kind, proto)


def trigger(widget_id: str) -> WidgetState:
    """A button press."""
    state = WidgetState(id=widget_id)
    state.trigger_value = True
    return state


def string_state(widget_id: str, value: str) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.string_value = value
    return state


def number_state(widget_id: str, value: float) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.double_value = float(value)
    return state


def query_value(query: str, name: str) -> str | None:
    values = urllib.parse.parse_qs(query).get(name)
    return values[0] if values else None


# ---------------------------------------------------------------------------- the scenario


@dataclass
class SessionSpec:
    """What one session does and what it must see."""

    index: int
    url: str
    replica: int
    name: str  # the scenario name (carries the session's tag)
    accuracy_text: str  # how Overview shows the scenario's accuracy ("85.3 %")
    link_query: str  # the first visit's query string (share link or saved scenario)
    via: str  # "share-link" or "saved"
    train: bool


@dataclass
class SessionResult:
    index: int
    replica: int
    via: str
    train: bool
    visits: list[Visit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    job_id: str | None = None
    run_name: str | None = None
    job_seen_finished: bool = False
    held: bool = False  # connected for the whole scenario, never dropped


@dataclass
class Config:
    visits: int
    duration: float | None
    visit_timeout: float
    job_timeout: float
    poll_seconds: float
    tag_pattern: re.Pattern[bytes]
    nonce: str
    think_seconds: float = 0.0


def page_sequence(index: int) -> Iterator[str]:
    """Overview first (the link), then the other five, then all six again and again; rotated by
    the session's number so that sessions hit different pages at the same moment."""
    rest = [path for _, path in PAGES[1:]]
    shift = index % len(rest)
    yield from rest[shift:] + rest[:shift]
    every = [path for _, path in PAGES]
    shift = index % len(every)
    while True:
        yield from every[shift:] + every[:shift]


def check_visit(spec: SessionSpec, visit: Visit, result: SessionResult, *, own_accuracy: bool) -> None:
    """Errors and state isolation of one economics-page visit."""
    for err in visit.errors:
        result.errors.append(f"{visit.page}: {err}")
    if visit.status != "ok":
        return
    foreign = sorted(visit.tags - {spec.index})
    if foreign:
        result.violations.append(f"{visit.page}: shows the scenario of session(s) {foreign}")
    if spec.index not in visit.tags and visit.page not in WITHOUT_SCENARIO_TEXT:
        result.violations.append(f"{visit.page}: does not show this session's scenario {spec.name!r}")
    if own_accuracy and spec.accuracy_text not in {value for _, value in visit.metrics}:
        result.violations.append(f"{visit.page}: does not show this session's accuracy {spec.accuracy_text}")


async def submit_training(client: Client, spec: SessionSpec, result: SessionResult, cfg: Config) -> None:
    """Open Train, choose the digits dataset, set 1 epoch and a run name, press Start."""
    logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)  # no runtime here
    from ui.components.train_form import DATASET_CHOICES

    first = await client.visit(TRAIN_PAGE, label="train")
    result.visits.append(first)
    result.errors += [f"train: {e}" for e in first.errors]
    dataset = first.widget("dataset")
    if dataset is None:
        result.errors.append("train: no dataset selector on the Train page")
        return
    option = dataset[1].options[DATASET_CHOICES.index(TRAIN_DATASET)]
    chosen = await client.visit(TRAIN_PAGE, widgets=[string_state(dataset[1].id, option)], label="train")
    result.visits.append(chosen)
    result.errors += [f"train: {e}" for e in chosen.errors]
    epochs, name, start = (
        chosen.widget("epochs_article-mlp"),
        chosen.widget("run_name"),
        chosen.widget("start"),
    )
    if epochs is None or name is None or start is None:
        result.errors.append("train: the Train form (epochs, run name, Start) is not on the page")
        return
    result.run_name = f"load {cfg.nonce} session {spec.index:03d}"
    states = [
        string_state(dataset[1].id, option),
        number_state(epochs[1].id, 1),
        string_state(name[1].id, result.run_name),
        trigger(start[1].id),
    ]
    submitted = await client.visit(TRAIN_PAGE, query=chosen.query, widgets=states, label="train (submit)")
    result.visits.append(submitted)
    result.errors += [f"train (submit): {e}" for e in submitted.errors]
    result.job_id = query_value(submitted.query, "job")
    if result.job_id is None:
        result.errors.append("train (submit): pressing Start gave no job in the page's URL")


async def watch_job(client: Client, result: SessionResult, cfg: Config) -> None:
    """Reload the job's page until it shows the finished run (the "New run" button)."""
    assert result.job_id is not None
    deadline = time.monotonic() + cfg.job_timeout
    while time.monotonic() < deadline:
        seen = await client.visit(TRAIN_PAGE, query=f"job={result.job_id}", label="train (watch)")
        result.visits.append(seen)
        result.errors += [f"train (watch): {e}" for e in seen.errors]
        if seen.status != "ok":
            return
        if seen.widget("new_run") is not None:
            result.job_seen_finished = True
            return
        if seen.widget("new_run_unknown") is not None:
            result.errors.append(f"train (watch): job {result.job_id} is unknown to the page")
            return
        await asyncio.sleep(cfg.poll_seconds)
    result.errors.append(f"train (watch): job {result.job_id} did not end within {cfg.job_timeout:.0f} s")


async def run_session(spec: SessionSpec, cfg: Config, started: float, gauge: list[int]) -> SessionResult:
    """One user: open the scenario's link, maybe start a training run, walk the economics pages."""
    result = SessionResult(index=spec.index, replica=spec.replica, via=spec.via, train=spec.train)
    client = Client(spec.url, tag_pattern=cfg.tag_pattern, visit_timeout=cfg.visit_timeout)
    try:
        await client.open()
    except (OSError, websockets.WebSocketException, TimeoutError) as exc:
        result.errors.append(f"could not connect: {exc}")
        return result
    gauge[0] += 1
    gauge[1] = max(gauge[1], gauge[0])
    try:
        first = await client.visit("", query=spec.link_query, label="overview")
        result.visits.append(first)
        check_visit(spec, first, result, own_accuracy=True)
        if spec.train:
            await submit_training(client, spec, result, cfg)
        done = 1
        pause = random.Random(spec.index)  # the same think times for the same session number
        for page in page_sequence(spec.index):
            if done >= cfg.visits or (cfg.duration is not None and time.monotonic() - started > cfg.duration):
                break
            if cfg.think_seconds > 0:  # a person reads the page before the next click
                await asyncio.sleep(pause.uniform(0.5, 1.5) * cfg.think_seconds)
            visit = await client.visit(page)
            result.visits.append(visit)
            check_visit(spec, visit, result, own_accuracy=page == "")
            done += 1
            if visit.status in ("closed", "timeout"):
                break
        if spec.train and result.job_id:
            await watch_job(client, result, cfg)
        result.held = not any(v.status == "closed" for v in result.visits)
    finally:
        gauge[0] -= 1
        await client.close()
    return result


# ---------------------------------------------------------------------------- replicas


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


# ---------------------------------------------------------------------------- after the run


def _worker_starts(logs: Sequence[Path]) -> tuple[dict[str, list[int]], dict[str, int]]:
    """From the replicas' worker logs: job id -> replicas whose worker started it (one entry per
    start), and worker id -> replica."""
    starts: dict[str, list[int]] = {}
    workers: dict[str, int] = {}
    ready = re.compile(r"worker (\S+) ready")
    started = re.compile(r"job (\S+) \((\w+), run (\S+)\) starts")
    for replica, path in enumerate(logs):
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            if m := ready.search(line):
                workers[m.group(1)] = replica
            elif m := started.search(line):
                starts.setdefault(m.group(1), []).append(replica)
    return starts, workers


def audit_jobs(
    results: Sequence[SessionResult], database_url: str | None, logs: Sequence[Path]
) -> dict[str, Any]:
    """Every submitted job: present once, its run once, ``completed``, claimed by one worker,
    started once (from the logs); nothing left queued or running."""
    from store import Store

    submitted = [r for r in results if r.job_id]
    audit: dict[str, Any] = {
        "submitted": len(submitted),
        "expected": sum(1 for r in results if r.train),
        "served": 0,
        "served_twice": 0,
        "lost": 0,
        "left_active": None,
        "checked_logs": bool(logs),
        "jobs": [],
        "problems": [],
    }
    if database_url is None:
        audit["problems"].append("no database URL: the queue was not audited (pass --database-url)")
        return audit
    starts, workers = _worker_starts(logs)
    store = Store(database_url)
    try:
        runs_by_name: dict[str, int] = {}
        for row in store.list_runs():
            runs_by_name[row["name"]] = runs_by_name.get(row["name"], 0) + 1
        for r in results:
            if r.train and r.job_id is None:
                audit["lost"] += 1
                audit["problems"].append(f"session {r.index}: its job was not submitted")
        for r in submitted:
            assert r.job_id is not None
            job = store.get_job(r.job_id)
            entry: dict[str, Any] = {"session": r.index, "job": r.job_id, "submitted_on": r.replica}
            audit["jobs"].append(entry)
            if job is None:
                audit["lost"] += 1
                audit["problems"].append(f"job {r.job_id} (session {r.index}) is not in the store")
                continue
            run_rows = runs_by_name.get(r.run_name or "", 0)
            started_on = starts.get(r.job_id, [])
            entry.update(
                status=job["status"],
                worker=job["worker_id"],
                served_by=workers.get(job["worker_id"] or ""),
                starts=len(started_on) if logs else None,
                runs_with_name=run_rows,
                seconds=(
                    round(job["finished_at"] - job["claimed_at"], 2)
                    if job["finished_at"] and job["claimed_at"]
                    else None
                ),
            )
            twice = (logs and len(started_on) > 1) or run_rows > 1
            if twice:
                audit["served_twice"] += 1
                audit["problems"].append(
                    f"job {r.job_id}: started {len(started_on)} times, {run_rows} runs named {r.run_name!r}"
                )
            ok = job["status"] == "completed" and job["worker_id"] and (not logs or len(started_on) == 1)
            if ok and not twice:
                audit["served"] += 1
            elif not twice:
                audit["lost"] += 1
                audit["problems"].append(
                    f"job {r.job_id}: status {job['status']}, worker {job['worker_id']}, "
                    f"started {len(started_on)} times; error: {job.get('error')}"
                )
        active = store.active_jobs(include_quick=True)
        audit["left_active"] = len(active)
        if active:
            audit["problems"].append(
                f"{len(active)} job(s) left queued or running: {[j['id'] for j in active]}"
            )
    finally:
        store.dispose()
    return audit


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between order statistics."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_table(results: Sequence[SessionResult]) -> list[dict[str, Any]]:
    """Per page and overall: visits, p50 / p95 / max seconds."""
    by_page: dict[str, list[float]] = {}
    for r in results:
        for v in r.visits:
            by_page.setdefault(v.page, []).append(v.seconds)
    order = [label for label, _ in PAGES] + ["train", "train (submit)", "train (watch)"]
    rows = []
    for page in order + sorted(set(by_page) - set(order)):
        if page in by_page:
            rows.append(_row(page, by_page[page]))
    econ = [s for label, _ in PAGES for s in by_page.get(label, [])]
    if econ:
        rows.append(_row("economics pages", econ))
    every = [s for values in by_page.values() for s in values]
    if every:
        rows.append(_row("all visits", every))
    return rows


def _row(page: str, values: Sequence[float]) -> dict[str, Any]:
    return {
        "page": page,
        "visits": len(values),
        "p50_s": round(percentile(values, 50), 3),
        "p95_s": round(percentile(values, 95), 3),
        "max_s": round(max(values), 3),
    }


def summarise(
    results: Sequence[SessionResult], audit: dict[str, Any], peak: int, wall: float, args: argparse.Namespace
) -> dict[str, Any]:
    errors = [f"session {r.index}: {e}" for r in results for e in r.errors]
    violations = [f"session {r.index}: {v}" for r in results for v in r.violations]
    checks = {
        "all sessions held": all(r.held for r in results) and len(results) == args.sessions,
        "no errors": not errors,
        "no isolation violation": not violations,
        "every job served exactly once": (
            audit["submitted"] == audit["expected"] == args.train_sessions
            and audit["served"] == audit["submitted"]
            and audit["served_twice"] == 0
            and audit["lost"] == 0
        ),
        "no job left queued or running": audit["left_active"] == 0,
        "every session saw its job end": all(r.job_seen_finished for r in results if r.train),
    }
    return {
        "sessions": len(results),
        "think_seconds": args.think,
        "sessions_held": sum(1 for r in results if r.held),
        "peak_concurrent_sessions": peak,
        "replicas": args.replicas if not args.url else len(args.url),
        "page_visits": sum(len(r.visits) for r in results),
        "economics_visits": sum(1 for r in results for v in r.visits if not v.page.startswith("train")),
        "wall_seconds": round(wall, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "latency": latency_table(results),
        "errors": len(errors),
        "error_details": errors[:50],
        "isolation_violations": len(violations),
        "violation_details": violations[:50],
        "jobs": {k: v for k, v in audit.items() if k != "problems"},
        "job_problems": audit["problems"],
        "checks": checks,
        "passed": all(checks.values()),
    }


def print_report(summary: dict[str, Any]) -> None:
    print()
    print(
        f"sessions {summary['sessions']} (held {summary['sessions_held']}, peak concurrent "
        f"{summary['peak_concurrent_sessions']}) on {summary['replicas']} replica(s); "
        f"{summary['page_visits']} page visits in {summary['wall_seconds']} s "
        f"(think time {summary['think_seconds']} s); "
        f"load average {summary['load_average']}"
    )
    print()
    print(f"{'page':<18} {'visits':>7} {'p50 s':>8} {'p95 s':>8} {'max s':>8}")
    for row in summary["latency"]:
        print(
            f"{row['page']:<18} {row['visits']:>7} "
            f"{row['p50_s']:>8.3f} {row['p95_s']:>8.3f} {row['max_s']:>8.3f}"
        )
    jobs = summary["jobs"]
    print()
    print(
        f"errors {summary['errors']}; isolation violations {summary['isolation_violations']}; "
        f"jobs submitted {jobs['submitted']}, served {jobs['served']}, served twice "
        f"{jobs['served_twice']}, lost {jobs['lost']}, left queued/running {jobs['left_active']}"
    )
    for job in jobs["jobs"]:
        print(
            f"  job {job['job']} from session {job['session']} (replica {job['submitted_on']}): "
            f"{job.get('status')} on worker {job.get('worker')} (replica {job.get('served_by')}), "
            f"started {job.get('starts')}×, {job.get('seconds')} s"
        )
    for line in (
        summary["error_details"][:10] + summary["violation_details"][:10] + summary["job_problems"][:10]
    ):
        print(f"  ! {line}")
    print()
    for name, ok in summary["checks"].items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")


# ---------------------------------------------------------------------------- main


def make_specs(
    args: argparse.Namespace, urls: Sequence[str], database_url: str | None, nonce: str
) -> list[SessionSpec]:
    """Each session's own scenario: a distinct name (with its tag) and a distinct accuracy."""
    import dataclasses

    from bizmodel.scenario import base_template
    from present.sharelink import SharedView, encode

    store = None
    if database_url is not None:
        from store import Store

        store = Store(database_url)
    specs = []
    try:
        for i in range(args.sessions):
            accuracy = round(0.85 + (i % 100) / 1000.0, 3)
            name = f"Load test LT{nonce}S{i:03d}"
            scenario = dataclasses.replace(base_template(), model_accuracy=accuracy)
            if store is not None and i % 2 == 1:
                document = json.dumps(scenario.to_dict(), sort_keys=True, allow_nan=False)
                sid = store.save_scenario(name, document)
                link, via = f"scenario={sid}", "saved"
            else:
                token = encode(SharedView(scenario, page="overview", name=name))
                link, via = f"share={token}", "share-link"
            specs.append(
                SessionSpec(
                    index=i,
                    url=urls[i % len(urls)],
                    replica=i % len(urls),
                    name=name,
                    accuracy_text=f"{accuracy * 100:.1f} %",
                    link_query=link,
                    via=via,
                    train=i < args.train_sessions,
                )
            )
    finally:
        if store is not None:
            store.dispose()
    return specs


async def run_all(args: argparse.Namespace, cluster: Cluster) -> dict[str, Any]:
    nonce = secrets.token_hex(3)
    cfg = Config(
        visits=args.visits if args.visits is not None else (10**9 if args.duration else 12),
        duration=args.duration,
        visit_timeout=args.visit_timeout,
        job_timeout=args.job_timeout,
        poll_seconds=args.poll,
        tag_pattern=re.compile(rb"LT" + nonce.encode() + rb"S(\d{3})"),
        nonce=nonce,
        think_seconds=args.think,
    )
    warm = await warm_up(cluster.urls, cfg.tag_pattern, args.visit_timeout)
    print(f"warm-up (Overview + Train, untimed) per replica: {', '.join(f'{s:.2f} s' for s in warm)}")
    specs = make_specs(args, cluster.urls, cluster.database_url, nonce)
    gauge = [0, 0]  # open sessions now, peak
    started = time.monotonic()
    results = await asyncio.gather(*(run_session(s, cfg, started, gauge) for s in specs))
    wall = time.monotonic() - started
    # The workers' logs are flushed per line; a job's start line is written before it is claimed.
    audit = audit_jobs(results, cluster.database_url, cluster.worker_logs())
    return summarise(results, audit, gauge[1], wall, args)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    p.add_argument("--visits", type=int, default=None, help="page visits per session (default 12)")
    p.add_argument("--duration", type=float, default=None, help="walk pages for this many seconds instead")
    p.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a session waits between visits, uniform in 0.5–1.5× (default 0: back to back)",
    )
    p.add_argument("--train-sessions", type=int, default=4, help="sessions that also train (default 4)")
    p.add_argument("--replicas", type=int, default=1, help="app processes to start (default 1)")
    p.add_argument("--url", action="append", default=[], help="use this running replica (repeatable)")
    p.add_argument("--database-url", default=None, help="shared database (default: DATABASE_URL or SQLite)")
    p.add_argument("--timeout", type=float, default=900.0, help="hard limit for the whole run (s)")
    p.add_argument("--visit-timeout", type=float, default=120.0, help="limit per page visit (s)")
    p.add_argument("--job-timeout", type=float, default=300.0, help="limit for a job to end (s)")
    p.add_argument("--poll", type=float, default=1.0, help="seconds between job-page reloads")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    p.add_argument("--keep", action="store_true", help="keep the temporary homes (logs) after the run")
    args = p.parse_args(argv)
    if args.sessions < 1 or args.train_sessions > args.sessions or args.replicas < 1:
        p.error("need --sessions >= 1, --train-sessions <= --sessions and --replicas >= 1")
    for url in args.url:
        host = urllib.parse.urlparse(url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            p.error(f"--url must be on loopback (127.0.0.1), not {url}")
    return args


class _Stop(Exception):
    """SIGTERM, or the hard wall-clock limit."""


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    database_url = args.database_url or os.environ.get("DATABASE_URL") or None
    if database_url and database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]

    def _on_signal(signum: int, _frame: Any) -> None:
        raise _Stop(f"stopped by {signal.Signals(signum).name}")

    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGTERM, signal.SIGALRM)}
    signal.alarm(int(args.timeout) + 60)  # last resort, should asyncio's limit not fire
    cluster: Cluster | None = None
    try:
        if args.url:
            cluster = Cluster(urls=list(args.url), database_url=database_url)
        else:
            cluster = start_cluster(args.replicas, database_url, keep=args.keep)
            print(
                f"started {args.replicas} replica(s): {', '.join(cluster.urls)}; "
                f"homes under {cluster.servers[0].home.parent}"
            )
        summary = asyncio.run(asyncio.wait_for(run_all(args, cluster), args.timeout))
    except (KeyboardInterrupt, _Stop, TimeoutError) as exc:
        reason = "the time limit" if isinstance(exc, TimeoutError) else str(exc) or "Ctrl-C"
        print(f"load test aborted: {reason}", file=sys.stderr)
        return 2
    except (RuntimeError, OSError) as exc:
        print(f"load test could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        signal.alarm(0)
        if cluster is not None:
            cluster.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)
    print_report(summary)
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
