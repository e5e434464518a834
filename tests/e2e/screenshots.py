"""README screenshots from the real app in headless Chromium (1400×900).

``.venv/bin/python -m tests.e2e.screenshots [OUT_DIR]`` (default ``docs/screenshots``) starts
the app with a fresh MOATLAB_HOME, trains two short runs on the bundled MNIST 5k through the
Train page, and writes:

* ``train-live.png``: training in progress, curves visible;
* ``train-summary.png``: the measured summary of the first run;
* ``overview.png``: Overview with the latest run;
* ``runs-compare.png``: Runs with two rows selected and their comparison (``runs.png`` when the
  rows cannot be selected);
* ``evaluate.png``: Evaluate on the newest run (confusion matrix, per-class table);
* ``inference.png``: Inference after a benchmark (headline numbers, latency and throughput);
* ``try-it.png``: a "7" drawn on the canvas and the model's answer;
* ``learn.png``: Learn, gradient descent on the loss surface;
* ``compute.png``: Compute cost for a 7B model on 140B tokens (cheapest, fastest, Pareto chart);
* ``data-value.png``: Data value after a learning-curve sweep of the newest run;
* ``scenarios.png``: the base scenario bound to the newest run and saved (KPIs, monthly P&L);
* ``monte-carlo.png``: its Monte Carlo tab (cash fan chart, NPV histogram);
* ``sensitivity.png``: its tornado of NPV;
* ``compare.png``: base, bull and bear side by side;
* ``build-vs-buy.png``: the open-LLM tab (self-hosted against a paid API);
* ``overview-case.png``: the Overview dashboard of that saved scenario, the active one (KPIs, the
  production figures of the run, narrative, cash fan, scorecard, share and exports);
* ``overview-zh.png``: the same in Chinese with amounts in CNY;
* ``report.png``: the downloaded HTML report opened from its file.

``--business`` takes only the last eight, on the bundled templates (no training; seconds).
``--sign-in`` takes only ``sign-in.png``: the page a visitor sees when sign-in is configured (an
``[auth]`` section with placeholder values; the provider is never contacted).

Not a test (pytest does not collect it); it takes about a minute.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.support.browser import ROOT, AppServer, Browser, chromium_missing

DATASET = "MNIST 5k (bundled)"
ROW_HEIGHT = 35  # px of a st.dataframe row (and its header) at the default font size


def _settle(page: Any, seconds: float = 1.0) -> None:
    page.wait_for_function(
        """() => !document.querySelector("[data-testid='stSkeleton']")
              && !document.querySelector("[data-stale='true']")""",
        timeout=30_000,
    )
    time.sleep(seconds)  # plotly draws after the element is there


def train(
    page: Any, server: AppServer, *, epochs: int, batch: int, name: str, live_shot: Path | None
) -> None:
    page.goto(server.url + "/train")
    combo = page.locator(".st-key-dataset").get_by_role("combobox")
    combo.wait_for()
    if combo.input_value() != DATASET:
        combo.click()
        page.get_by_role("option", name=DATASET).click()
    for key, value in (("epochs_article-mlp", epochs), ("batch_article-mlp", batch)):
        box = page.locator(f".st-key-{key} input")
        box.fill(str(value))
        box.press("Tab")
    page.locator("[data-testid='stExpander']").get_by_text("Split, device and name").click()
    name_box = page.locator(".st-key-run_name input")
    name_box.fill(name)
    name_box.press("Tab")
    page.locator(".st-key-start button").click()
    page.wait_for_url(re.compile(r"[?&]job="))
    if live_shot is not None:
        want = max(2, epochs // 2)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            bars = page.locator("[data-testid='stProgress']")
            text = bars.first.inner_text() if bars.count() else ""
            m = re.match(r"Epoch (\d+)/", text)
            if m and int(m.group(1)) >= want and page.locator(".st-key-live_curves .js-plotly-plot").count():
                time.sleep(0.3)
                page.screenshot(path=str(live_shot))
                break
            time.sleep(0.2)
    page.locator("[data-testid='stMetricLabel']", has_text="Test accuracy").wait_for(timeout=240_000)
    _settle(page)


def select_rows(page: Any, rows: list[int]) -> None:
    """Tick the selection checkboxes of rows of the runs grid (a canvas: click by position)."""
    canvas = page.locator(".st-key-runs_table canvas[data-testid='data-grid-canvas']")
    canvas.wait_for()
    box = canvas.bounding_box()
    for row in rows:
        page.mouse.click(box["x"] + 16, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
        time.sleep(1.0)


def draw_seven(page: Any) -> None:
    """Draw a 7 on the Try-it canvas: a top bar, then a diagonal down to the bottom."""
    canvas = page.locator(".st-key-digit_canvas canvas.upper-canvas")
    canvas.wait_for()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    points = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xy[0])
    page.mouse.down()
    for x, y in xy[1:]:
        page.mouse.move(x, y, steps=12)
    page.mouse.up()


def model_demos(page: Any, server: AppServer, out: Path, written: list[str]) -> None:
    """Evaluate, Inference (benchmark, then a drawn digit) and Learn screenshots."""
    page.goto(server.url + "/evaluate")
    page.get_by_role("heading", name="Evaluate").first.wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    _settle(page, 2.0)
    page.screenshot(path=str(out / "evaluate.png"))
    written.append("evaluate.png")

    page.goto(server.url + "/inference")
    page.locator(".st-key-bench_start button").click()
    page.locator("[data-testid='stMetricLabel']", has_text="Compiled vs model.predict").wait_for(
        timeout=240_000
    )
    _settle(page, 2.0)
    page.get_by_role("heading", name="Latency and throughput").scroll_into_view_if_needed()
    page.screenshot(path=str(out / "inference.png"))
    written.append("inference.png")
    page.get_by_role("heading", name="Try it").wait_for()
    _settle(page, 2.0)
    draw_seven(page)
    page.get_by_text(re.compile(r"The model says")).wait_for(timeout=60_000)
    _settle(page, 1.5)
    page.get_by_role("heading", name="Try it").scroll_into_view_if_needed()
    page.screenshot(path=str(out / "try-it.png"))
    written.append("try-it.png")

    page.goto(server.url + "/learn")
    page.get_by_role("heading", name="Learn").first.wait_for()
    _settle(page)
    page.get_by_role("tab").nth(1).click()
    _settle(page, 2.0)
    page.screenshot(path=str(out / "learn.png"))
    written.append("learn.png")


def economics(page: Any, server: AppServer, out: Path, written: list[str]) -> None:
    """Compute cost, then a sweep from the Evaluate page and the Data value page it feeds."""
    page.goto(server.url + "/compute")
    page.locator("[data-testid='stMetricLabel']", has_text="Cheapest feasible").wait_for(timeout=60_000)
    _settle(page, 2.0)
    page.locator("[data-testid='stMetricLabel']", has_text="Training FLOPs").scroll_into_view_if_needed()
    page.screenshot(path=str(out / "compute.png"))
    written.append("compute.png")

    page.goto(server.url + "/evaluate")
    page.get_by_role("tab", name="Learning curve and variance").click()
    page.locator(".st-key-sweep_start button").click()
    page.locator("[data-testid='stMetricLabel']", has_text="Gain from more data").wait_for(timeout=600_000)
    page.goto(server.url + "/data-value")
    page.locator("[data-testid='stMetricLabel']", has_text="Accuracy gain").wait_for(timeout=60_000)
    _settle(page, 2.0)
    page.screenshot(path=str(out / "data-value.png"))
    written.append("data-value.png")


def business(page: Any, server: AppServer, out: Path, written: list[str], *, run_id: str | None) -> None:
    """Scenarios (bound to ``run_id`` when given), its Monte Carlo and tornado, Compare, Build vs buy."""
    page.goto(server.url + "/scenarios?scenario=base")
    page.locator("[data-testid='stMetricLabel']", has_text="NPV").first.wait_for(timeout=60_000)
    scenario = "base"
    if run_id:
        box = page.locator("[class*='st-key-scn_run_']").get_by_role("combobox")
        box.click()
        page.get_by_role("option").nth(1).click()
        page.get_by_text("measured ·").first.wait_for()
        _settle(page, 1.0)
        # Saved, the bound scenario stays active and its id is in the link: the Overview shows it.
        page.locator(".st-key-scn_save button").click()
        page.wait_for_url(re.compile(r"[?&]scenario=(?!base\b)[^&]+"), timeout=60_000)
        found = re.search(r"[?&]scenario=([^&]+)", page.url)
        scenario = found.group(1) if found else "base"
    _settle(page, 2.0)
    page.screenshot(path=str(out / "scenarios.png"))
    written.append("scenarios.png")
    for tab, name, chart in (
        ("Monte Carlo", "monte-carlo.png", "scn_fan_chart"),
        ("Sensitivity", "sensitivity.png", "scn_tornado_npv"),
    ):
        page.get_by_role("tab", name=tab).click()
        page.locator(f".st-key-{chart} .js-plotly-plot").wait_for()
        _settle(page, 2.0)
        page.get_by_role("tab", name=tab).scroll_into_view_if_needed()
        page.mouse.wheel(0, 180)
        _settle(page, 1.0)
        page.screenshot(path=str(out / name))
        written.append(name)
    page.goto(server.url + "/compare?compare=base,bull,bear")
    page.get_by_role("heading", name="KPIs").wait_for(timeout=60_000)
    _settle(page, 2.0)
    page.get_by_role("heading", name="KPIs").scroll_into_view_if_needed()
    page.screenshot(path=str(out / "compare.png"))
    written.append("compare.png")
    page.goto(server.url + "/build-vs-buy?scenario=base")
    page.get_by_role("tab", name="Open LLM vs API").click()
    page.locator(".st-key-bb_llm_chart .js-plotly-plot").wait_for(timeout=60_000)
    _settle(page, 2.0)
    page.locator(".st-key-bb_llm_chart").scroll_into_view_if_needed()
    page.mouse.wheel(0, 250)
    _settle(page, 1.0)
    page.screenshot(path=str(out / "build-vs-buy.png"))
    written.append("build-vs-buy.png")
    share(page, server, out, written, scenario=scenario)


def share(page: Any, server: AppServer, out: Path, written: list[str], *, scenario: str = "base") -> None:
    """The Overview dashboard of ``scenario`` in English and in Chinese (CNY), and the HTML report."""
    for path, name in (
        (f"/?scenario={scenario}", "overview-case.png"),
        (f"/?lang=zh&cur=CNY&fx=7.1&scenario={scenario}", "overview-zh.png"),
    ):
        page.goto(server.url + path)
        page.locator(".st-key-overview_fan .js-plotly-plot").wait_for(timeout=60_000)
        _settle(page, 2.0)
        page.screenshot(path=str(out / name))
        written.append(name)
    page.goto(server.url + f"/?lang=en&scenario={scenario}")
    page.locator(".st-key-overview_fan .js-plotly-plot").wait_for(timeout=60_000)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="HTML report").click()
    report = Path(tempfile.mkdtemp()) / "report.html"
    download.value.save_as(report)
    page.goto(report.as_uri())
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    _settle(page, 2.0)
    page.screenshot(path=str(out / "report.png"))
    written.append("report.png")


PLACEHOLDER_AUTH = """[auth]
redirect_uri = "http://127.0.0.1/oauth2callback"
cookie_secret = "screenshot-only-not-a-secret"
client_id = "moatlab"
client_secret = "screenshot-only"
server_metadata_url = "https://id.example.com/.well-known/openid-configuration"
"""


def sign_in(out: Path) -> str:
    """``sign-in.png``: the sign-in gate of an app whose secrets hold an ``[auth]`` section
    (a user-level secrets file in a temporary HOME; nothing is sent to the provider)."""
    root = Path(tempfile.mkdtemp(prefix="moatlab-signin-"))
    (root / "user" / ".streamlit").mkdir(parents=True)
    (root / "user" / ".streamlit" / "secrets.toml").write_text(PLACEHOLDER_AUTH, encoding="utf-8")
    server = AppServer(root / "home", extra_env={"HOME": str(root / "user")})
    server.start()
    server.wait_healthy()
    browser = Browser()
    try:
        page = browser.new_page()
        page.goto(server.url + "/")
        page.locator(".st-key-auth_sign_in button").wait_for(timeout=30_000)
        _settle(page)
        page.screenshot(path=str(out / "sign-in.png"))
    finally:
        browser.close()
        server.stop()
    return "sign-in.png"


def main(out_dir: str | None = None, *, only_business: bool = False, only_sign_in: bool = False) -> int:
    missing = chromium_missing()
    if missing:
        print(f"cannot take screenshots: {missing}")
        return 1
    out = Path(out_dir or ROOT / "docs" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    if only_sign_in:
        print("wrote", sign_in(out), "to", out)
        return 0
    server = AppServer(
        Path(tempfile.mkdtemp(prefix="moatlab-shots-")) / "home",
        extra_args=["--server.fileWatcherType", "none"],
    )
    server.start()
    server.wait_healthy()
    browser = Browser()
    written = []
    try:
        page = browser.new_page()
        page.set_default_timeout(30_000)
        page.goto(server.url + "/")
        page.get_by_role("heading", name="Moatlab").first.wait_for()
        if only_business:
            business(page, server, out, written, run_id=None)
            print("wrote", ", ".join(written), "to", out)
            return 0

        train(
            page, server, epochs=8, batch=32, name="Article MLP, batch 32", live_shot=out / "train-live.png"
        )
        written.append("train-live.png")
        page.screenshot(path=str(out / "train-summary.png"))
        written.append("train-summary.png")
        train(page, server, epochs=8, batch=128, name="Article MLP, batch 128", live_shot=None)

        page.goto(server.url + "/")
        page.locator(".st-key-overview_fan .js-plotly-plot").wait_for(timeout=60_000)
        _settle(page, 2.0)
        page.screenshot(path=str(out / "overview.png"))
        written.append("overview.png")

        page.goto(server.url + "/runs")
        page.get_by_text(re.compile(r"^2 of 2 runs$")).wait_for()
        _settle(page)
        select_rows(page, [0, 1])
        try:
            page.get_by_role("heading", name="Comparing 2 runs").wait_for(timeout=15_000)
        except Exception:
            page.screenshot(path=str(out / "runs.png"))
            written.append("runs.png (rows could not be selected)")
        else:
            _settle(page, 2.0)
            page.locator(".st-key-runs_table").scroll_into_view_if_needed()
            page.screenshot(path=str(out / "runs-compare.png"))
            written.append("runs-compare.png")
        model_demos(page, server, out, written)
        economics(page, server, out, written)
        business(page, server, out, written, run_id="newest")
    finally:
        browser.close()
        server.stop()
    print("wrote", ", ".join(written), "to", out)
    return 0


if __name__ == "__main__":
    flags = {"--business", "--sign-in"}
    args = [a for a in sys.argv[1:] if a not in flags]
    sys.exit(
        main(
            args[0] if args else None,
            only_business="--business" in sys.argv[1:],
            only_sign_in="--sign-in" in sys.argv[1:],
        )
    )
