"""One load-test session: its own scenario, the economics pages it walks, and a training job.

Every session opens its own revenue scenario (a share link or a saved scenario) whose name
carries the session's tag; each page visit is checked for errors and for any other session's tag.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import websockets  # a dependency of streamlit

from bench.loadlib.client import Client, Visit, number_state, query_value, string_state, trigger

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
