"""The Train page's "Distribute across devices" option reaches the queued request, and a
mirrored run's summary shows its strategy and replicas."""

from __future__ import annotations

import json
from pathlib import Path

from mlcore.runs import run_row
from mlcore.specs import Distribution, TrainRequest
from store import Store
from tests.support.app import ReplayWorker, make_app, recorded
from tests.support.inert import markdown_text


def _start(at_distribute: bool) -> dict:
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("digits").run()
    if at_distribute:
        at.checkbox(key="distribute").check()
    at.button(key="start").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return json.loads(ReplayWorker(Store()).claim()["request"])


def test_the_form_sends_the_distribute_option(app_env: Path) -> None:
    assert TrainRequest.from_dict(_start(True)).distribute == "mirrored"


def test_the_form_defaults_to_one_device(app_env: Path) -> None:
    assert TrainRequest.from_dict(_start(False)).distribute == "none"


def test_a_mirrored_run_summary_shows_strategy_and_replicas(app_env: Path) -> None:
    _, final = recorded()
    run = final.replace(
        id="run-mirrored",
        distribution=Distribution("MirroredStrategy", 2, ("/cpu:0", "/cpu:1"), 32, 16, ""),
    )
    Store().insert_run(run_row(run))
    at = make_app("app_pages/train.py", run=run.id)
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Device"].endswith("× 2")
    details = " ".join(markdown_text(m.value) for m in at.markdown)  # what the Markdown shows
    assert "MirroredStrategy, 2 replicas (/cpu:0, /cpu:1)" in details
    assert "global batch 32 = 16 per replica" in details
