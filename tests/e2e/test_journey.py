"""The founder's first ten minutes in a real browser: train live, read the summary, find the run.

Real headless Chromium against ``streamlit run app.py`` with a real training worker on the
bundled 8×8 digits (1,797 images, a couple of seconds per run). Widgets are found by their
Streamlit keys (``.st-key-<key>``), never by the label "Stop": Streamlit's own header has one.
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    RUN_NAME,
    AppServer,
    Browser,
    assert_clean,
    grid_cells,
    metric_value,
    open_app,
    start_server,
    start_training,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LIVE_CHART_TRACES = """() => Array.from(document.querySelectorAll('.st-key-live_curves .js-plotly-plot'))
    .map(g => (g.data || []).map(t => (t.x || []).length).join(','))"""


# ----------------------------------------------------------------------------- helpers


def progress_text(page: Any) -> str | None:
    bars = page.locator("[data-testid='stProgress']")
    try:
        return bars.first.inner_text(timeout=200) if bars.count() else None
    except Exception:  # the fragment replaced the element between count and read
        return None


# ----------------------------------------------------------------------------- tests
def test_train_live_then_summary_then_runs(app_server: AppServer, page: Any, tmp_path: Path) -> None:
    """Overview → Train 2 epochs on digits (live) → summary → reload keeps it → the run on Runs."""
    t0 = time.monotonic()
    open_app(page, app_server, "/")
    page.get_by_role("heading", name="Moatlab").first.wait_for()
    page.get_by_role("heading", name="Your business case").wait_for()
    wait_idle(page)
    assert_clean(page)

    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Train").click()
    page.wait_for_url(re.compile(r"/train(\?|$)"))
    page.get_by_role("heading", name="Train").first.wait_for()
    job_id = start_training(page, epochs=2)

    # Live: the progress bar and the curves appear and change while the worker trains.
    states: list[tuple[str | None, tuple[str, ...]]] = []
    saw_chart = False
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        if page.locator("[data-testid='stMetricLabel']", has_text="Test accuracy").count():
            break
        text = progress_text(page)
        try:
            traces = tuple(page.evaluate(LIVE_CHART_TRACES))
        except Exception:  # a rerun replaced the chart while we read it
            traces = ()
        saw_chart = saw_chart or bool(traces)
        if text is not None and (not states or states[-1] != (text, traces)):
            states.append((text, traces))
        time.sleep(0.15)
    else:
        pytest.fail(f"no summary within 150 s; states seen: {states}\n{app_server.log()}")
    texts = [s for s, _ in states if s]
    assert texts, "the progress bar never appeared"
    assert len(set(states)) >= 2, f"the live view never updated: {states}"
    assert any(re.match(r"Epoch [12]/2", s) for s in texts), f"no per-epoch progress seen: {texts}"
    assert saw_chart, "the live learning curves never appeared"

    # Summary: completed banner, accuracy as a percentage, the curves.
    page.get_by_text(f"{RUN_NAME} completed.").wait_for()
    accuracy = metric_value(page, "Test accuracy")
    assert re.fullmatch(r"\d{1,3}(\.\d)? %", accuracy), accuracy
    assert float(accuracy.split()[0]) > 20, f"2 epochs on digits should beat chance: {accuracy}"
    assert page.locator("[data-testid='stPlotlyChart'], .stPlotlyChart").count() >= 1
    assert f"job={job_id}" in page.url
    wait_idle(page)
    assert_clean(page)

    # Reload: a new session, the URL brings the same summary back.
    page.reload(wait_until="domcontentloaded")
    page.locator("[data-testid='stMetricLabel']", has_text="Test accuracy").wait_for()
    assert f"job={job_id}" in page.url
    assert metric_value(page, "Test accuracy") == accuracy
    page.get_by_text(f"{RUN_NAME} completed.").wait_for()
    wait_idle(page)
    assert_clean(page)
    run_id_class = page.locator("[class*='st-key-download_']").first.get_attribute("class") or ""
    run_id = re.search(r"st-key-download_(\S+)", run_id_class)
    assert run_id, run_id_class
    run_id = run_id.group(1)

    # Runs: the run's row is in the table and in its CSV.
    page.get_by_role("link", name="See all runs").click()
    page.wait_for_url(re.compile(r"/runs(\?|$)"))
    caption = page.get_by_text(re.compile(r"^\d+ of \d+ runs$"))
    caption.wait_for()
    shown, total = map(int, re.findall(r"\d+", caption.inner_text()))
    assert shown == total >= 1
    cells = grid_cells(page, "runs_table")
    assert RUN_NAME in cells and "completed" in cells and "digits" in cells, cells
    with page.expect_download() as download_info:
        page.locator(".st-key-download_runs_csv button").click()
    csv_path = tmp_path / "runs.csv"
    download_info.value.save_as(csv_path)
    rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    row = next((r for r in rows if r["id"] == run_id), None)
    assert row is not None, rows
    assert row["Name"] == RUN_NAME and row["Status"] == "completed" and row["Dataset"] == "digits"
    assert abs(float(row["Test accuracy"]) * 100 - float(accuracy.split()[0])) < 0.051
    wait_idle(page)
    assert_clean(page)
    assert not page.moatlab_errors, page.moatlab_errors
    assert time.monotonic() - t0 < 150


def test_stop_mid_run_keeps_the_run(app_server: AppServer, page: Any) -> None:
    """30 epochs on digits; press Stop after the first full epoch; the run ends 'stopped'."""
    open_app(page, app_server, "/train")
    page.get_by_role("heading", name="Train").first.wait_for()
    start_training(page, epochs=30)

    deadline = time.monotonic() + 120
    epoch = 0
    while time.monotonic() < deadline:
        text = progress_text(page) or ""
        m = re.match(r"Epoch (\d+)/30", text)
        epoch = int(m.group(1)) if m else 0
        if epoch >= 2:
            break
        assert not page.get_by_text("completed.").count(), "the run finished before it could be stopped"
        time.sleep(0.15)
    else:
        pytest.fail(f"epoch 2 never started; last progress: {progress_text(page)!r}\n{app_server.log()}")
    page.locator(".st-key-stop_job button").click()

    banner = page.get_by_text(re.compile(r"was stopped by you after \d+ full epochs"))
    banner.wait_for(timeout=60_000)
    done = int(re.search(r"after (\d+) full epochs", banner.inner_text()).group(1))
    assert 1 <= done < 30, banner.inner_text()
    assert "job=" in page.url
    wait_idle(page)
    assert_clean(page)
    assert not page.moatlab_errors, page.moatlab_errors


def test_unknown_job_and_run_links_explain_themselves(app_server: AppServer, page: Any) -> None:
    open_app(page, app_server, "/train?job=doesnotexist")
    page.get_by_text("This training job does not exist").wait_for()
    page.locator(".st-key-new_run_unknown button").wait_for()
    wait_idle(page)
    assert_clean(page)

    open_app(page, app_server, "/train?run=doesnotexist")
    page.get_by_text("This run does not exist").wait_for()
    wait_idle(page)
    assert_clean(page)


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "Moatlab"),
        ("/train", "Train"),
        ("/evaluate", "Evaluate"),
        ("/inference", "Inference"),
        ("/learn", "Learn"),
        ("/runs", "Runs"),
        ("/compute", "Compute cost"),
        ("/data-value", "Value of data"),
        ("/scenarios", "Revenue scenarios"),
        ("/compare", "Compare scenarios"),
        ("/build-vs-buy", "Build vs buy"),
        ("/?lang=zh", None),
    ],
)
def test_every_page_renders_without_traceback(
    app_server: AppServer, page: Any, path: str, heading: str | None
) -> None:
    open_app(page, app_server, path)
    page.locator("[data-testid='stSidebarNav']").wait_for()
    if heading:
        page.get_by_role("heading", name=heading).first.wait_for()
    else:
        page.locator("h1").first.wait_for()
    wait_idle(page)
    assert_clean(page)
    assert not page.moatlab_errors, page.moatlab_errors


def test_deep_link_as_first_visit_goes_through_the_router(browser: Browser, tmp_path: Path) -> None:
    """After a restart the first visitor may arrive by a shared link (/train?job=...)."""
    server = start_server(tmp_path / "moatlab-home")
    page = browser.new_page()
    try:
        open_app(page, server, "/train")
        page.get_by_role("heading", name="Train").first.wait_for()
        nav = page.locator("[data-testid='stSidebarNav']")
        nav.wait_for()
        wait_idle(page)
        nav_text = nav.inner_text()
        assert "Overview" in nav_text and "app" not in nav_text.split(), nav_text
        page.get_by_text("Active run").wait_for(timeout=5_000)
    finally:
        page.close()
        server.stop()
