"""AppTest: every page renders without exception; Train drives a job; Runs acts on runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from store import Store
from tests.support.app import PAGES, ReplayWorker, make_app, no_errors, seed_runs
from tests.support.inert import markdown_problems, markdown_text


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_empty(app_env: Path, page: str) -> None:
    at = make_app(page)
    no_errors(at)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_with_runs(app_env: Path, page: str) -> None:
    seed_runs(Store(), 3)
    at = make_app(page)
    no_errors(at)


def test_overview_empty_state_points_to_train(app_env: Path) -> None:
    at = make_app()
    assert any("No run has finished yet" in i.value for i in at.info)


def test_overview_names_the_latest_run_and_asks_to_bind_it(app_env: Path) -> None:
    runs = seed_runs(Store(), 2)
    at = make_app()
    latest = max(runs, key=lambda r: r.created_at)
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert latest.name in sidebar  # the active run, on every page
    labels = {m.label: m.value for m in at.metric}
    assert labels["Test accuracy"] == "92.0 %"  # the base template's typed accuracy, badged assumed
    badges = " ".join(m.value for m in at.markdown if "-badge[" in m.value)
    assert "assumed · " in badges and "measured" not in badges
    assert any("No run drives this scenario yet" in i.value for i in at.info)


@pytest.mark.slow  # starts a process
def test_web_process_never_imports_tensorflow() -> None:
    """Render every page (with runs) in a fresh interpreter; TF/Keras must stay unloaded."""
    code = f"""
import os, sys, tempfile
os.environ['MOATLAB_HOME'] = tempfile.mkdtemp()
os.environ['MOATLAB_START_WORKER'] = '0'
sys.path.insert(0, {str(Path.cwd())!r})
from tests.support.app import make_app, seed_runs
from store import Store
seed_runs(Store(), 2)
for page in {list(PAGES)!r}:
    at = make_app(page)
    assert not at.exception, page
print(sorted(m for m in ('tensorflow', 'keras', 'mlcore.engine', 'mlcore.engine.train') if m in sys.modules))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=180, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


def test_train_drives_a_job_to_completion(replay: ReplayWorker) -> None:
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("digits").run()
    at.number_input(key="epochs_article-mlp").set_value(3)
    at.button(key="start").click().run()
    no_errors(at)
    job_id = at.query_params["job"]
    job_id = job_id[0] if isinstance(job_id, list) else job_id
    # queued: position shown
    assert any("position 1" in i.value for i in at.info)
    replay.claim()
    seen_progress = []
    while replay.advance(3):
        at.run()
        no_errors(at)
        seen_progress += [p.proto.text for p in at.get("progress")]
        chart = at.get("plotly_chart")
        assert chart, "live curves are shown while training"
    assert any(t.startswith("Epoch ") and "samples/s" in t for t in seen_progress), seen_progress
    replay.finish()
    at.run()
    at.run()
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Test accuracy"].endswith("%")
    for label in (
        "Precision (macro)",
        "Recall (macro)",
        "F1 (macro)",
        "Wall time",
        "Samples/s",
        "Parameters",
        "FLOPs per sample",
        "Achieved FLOP/s",
        "Peak FLOP/s",
        "FLOP utilisation (MFU)",
        "Peak memory",
        "Device",
        "Energy",
    ):
        assert label in metrics, label
    assert any("completed" in s.value for s in at.success)


def test_train_stop_button_requests_stop(replay: ReplayWorker) -> None:
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("digits").run()
    at.button(key="start").click().run()
    replay.claim()
    replay.advance(2)
    at.run()
    at.button(key="stop_job").click().run()
    job = Store().get_job(replay.job["id"])
    assert job["stop_requested"]
    while replay.advance(1):
        pass
    at.run()
    at.run()
    assert any("stopped by you" in w.value for w in at.warning)


def test_train_reload_restores_live_view(replay: ReplayWorker) -> None:
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("digits").run()
    at.button(key="start").click().run()
    job_id = at.query_params["job"]
    job_id = job_id[0] if isinstance(job_id, list) else job_id
    replay.claim()
    replay.advance(4)
    fresh = make_app("app_pages/train.py", job=job_id)  # a reload is a new session with the URL
    no_errors(fresh)
    assert fresh.get("progress"), "the live view comes back from the URL"


def test_unknown_job_in_url_is_explained(app_env: Path) -> None:
    at = make_app("app_pages/train.py", job="doesnotexist")
    no_errors(at)
    assert any("does not exist" in w.value for w in at.warning)


def test_offline_dataset_is_refused_within_seconds(app_env: Path) -> None:
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("mnist").run()
    assert any("not available offline" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "start"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"a;b;y\n1;2;x\n", "semicolons"),
        (b"\x00\x01\x02binary", "binary"),
    ],
)
def test_bad_csv_upload_is_refused_with_reason(app_env: Path, content: bytes, message: str) -> None:
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("csv").run()
    at.get("file_uploader")[0].set_value(("data.csv", content, "text/csv")).run() if hasattr(
        at.get("file_uploader")[0], "set_value"
    ) else pytest.skip("file_uploader not drivable in this Streamlit")
    no_errors(at)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]


def test_runs_compare_rename_delete(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 3)
    at = make_app("app_pages/runs.py")
    no_errors(at)
    assert any("3 of 3 runs" in c.value for c in at.caption)
    # select two rows -> compare
    at.session_state["runs_table"] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    at.run()
    no_errors(at)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert any(s["data"][0]["type"] == "parcoords" for s in specs)
    assert any("Comparing 2 runs" in s.value for s in at.subheader)
    # select one row -> rename then delete with confirmation
    at.session_state["runs_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    first_id = store.list_runs()[0]["id"]
    at.text_input(key=f"rename_{first_id}").set_value("Renamed run")
    at.button(key="rename_run").click().run()
    assert store.get_run(first_id)["name"] == "Renamed run"
    at.session_state["runs_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    at.button(key="delete_run").click().run()
    assert store.get_run(first_id) is not None, "nothing is deleted before confirmation"
    at.button(key="confirm_delete").click().run()
    assert store.get_run(first_id) is None
    assert len(store.list_runs()) == 2


def test_runs_filter(app_env: Path) -> None:
    seed_runs(Store(), 3)
    at = make_app("app_pages/runs.py")
    at.text_input(key="runs_search").set_value("Run 1").run()
    assert any("1 of 3 runs" in c.value for c in at.caption)


@pytest.mark.parametrize("page", PAGES)
def test_unreachable_database_is_explained_without_secrets(
    app_env: Path, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://moat:s3cret-pw@127.0.0.1:1/nowhere")
    at = make_app(page)
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "database cannot be used right now" in errors
    assert "s3cret-pw" not in errors


def test_cnn_too_deep_for_digits_is_refused_before_submit(app_env: Path) -> None:
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("digits").run()
    at.radio(key="preset").set_value("custom").run()
    at.selectbox(key="architecture").set_value("cnn")
    at.text_input(key="filters").set_value("8,8,8,8")
    at.button(key="start").click().run()
    no_errors(at)
    assert any("shrink" in e.value for e in at.error), [e.value for e in at.error]
    assert "job" not in at.query_params
    assert Store().list_runs() == []


def test_user_text_is_shown_as_text_not_markdown(app_env: Path) -> None:
    """A run name or error with Markdown/HTML must render literally (not as a link or bold)."""
    store = Store()
    runs = seed_runs(store, 1)
    nasty = "**bold** [click](https://evil.example) <b>x</b>"
    from mlcore.runs import rename_run

    rename_run(store, runs[0].id, nasty)
    failed = runs[0].replace(id="run-failed", name="failing", status="failed", error="column '__id__' is bad")
    from mlcore.runs import run_row

    store.insert_run(run_row(failed))
    at = make_app("app_pages/train.py", run=runs[0].id)
    no_errors(at)
    banner = at.success[0].value
    assert not markdown_problems(banner) and "<b>" not in banner
    assert "**bold** [click](https://evil.example) <b>x</b>" in markdown_text(banner)
    at = make_app("app_pages/train.py", run="run-failed")
    assert "\\_\\_id\\_\\_" in at.error[0].value


def test_the_custom_preset_submits_what_the_form_says(app_env: Path) -> None:
    """Every custom field and advanced option reaches the queued run's spec and request."""
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("digits").run()
    at.radio(key="preset").set_value("custom").run()
    at.text_input(key="hidden").set_value("32,16")
    at.selectbox(key="activation").set_value("tanh")
    at.selectbox(key="optimizer").set_value("sgd")
    at.number_input(key="dropout").set_value(0.1)
    at.number_input(key="patience").set_value(3)
    at.number_input(key="epochs_custom").set_value(7)
    at.number_input(key="split_seed").set_value(5)
    at.text_input(key="run_name").set_value("custom one")
    at.button(key="start").click().run()
    no_errors(at)
    assert "job" in at.query_params
    (row,) = Store().list_runs()
    record = json.loads(row["record"])
    request = record["request"]
    spec = request["spec"]
    assert (spec["hidden_units"], spec["activation"], spec["optimizer"]) == ([32, 16], "tanh", "sgd")
    assert (spec["dropout"], spec["early_stopping_patience"], spec["epochs"]) == (0.1, 3, 7)
    assert spec["conv_filters"] == []  # filters are for CNNs only
    assert (record["name"], request["split_seed"], request["dataset"]) == ("custom one", 5, "digits")
