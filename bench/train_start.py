"""Train start benchmark: from pressing Start to the first progress a user sees, side by side.

The journey's default run (the article MLP on MNIST-5k, the form's defaults) is started in headless
Chromium against ``streamlit run app.py`` on a fresh server and ``MOATLAB_HOME`` (offline), for
two source trees: ``--before`` (a git revision, exported to a temporary folder; default ``main``)
and this checkout, interleaved per repeat so that load drifts hit both. Three ways to press Start:

* ``direct``: a cold server, the Train page opened directly, Start pressed as soon as it shows
  (the worst case: the training worker starts with the page);
* ``journey``: a cold server, the Overview opened first (as the README's link does), then Train in
  the sidebar, then Start at once (no time spent reading);
* ``warm``: on the ``journey`` server after its run has finished, "Train another model", Start
  (the worker has trained before).

Times are seconds from the click on Start, read from the page every 50 ms:

* ``status``: the first line that says what the job is doing (any progress text other than the
  generic "waiting" / "starting" placeholders the old page showed);
* ``batch``: the first "Epoch i/n · batch …" progress;
* ``epoch``: epoch 1 finished (the progress shows its last batch or a later epoch).

Usage: ``.venv/bin/python bench/train_start.py [--before main] [--repeats 3] [--scenarios
direct,journey,warm] [--target 5.0] [--json-out FILE]``. Prints every repeat, the medians, their
ratios to the target and PASS/FAIL lines for this checkout (exit status 1 when one fails). Needs
``/usr/bin/chromium`` and the playwright package; about 40 s per server.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._chromium import warmed_browser  # noqa: E402
from tests.support.browser import AppServer, Browser, chromium_missing  # noqa: E402

#: Texts of the progress bar that say nothing about what the job does (the old page's only texts
#: before the first batch): waiting for a worker, or the generic "starting".
PLACEHOLDERS = (
    "Waiting for the worker…",
    "Starting: loading the data and building the model…",
)
PROGRESS = re.compile(r"Epoch (\d+)/(\d+) · batch (\d+)/(\d+)")
SCENARIOS = ("direct", "journey", "warm")
FIGURES = ("status", "batch", "epoch")
READ_PROGRESS = """() => Array.from(document.querySelectorAll("[data-testid='stProgress']"))
    .map(e => e.innerText.trim()).filter(Boolean).join(' | ')"""


def export_tree(revision: str, into: Path) -> Path:
    """The source tree of ``revision`` (``git archive``), unpacked under ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "tree.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", revision], cwd=ROOT, stdout=out, check=True)
    tree = into / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    archive.unlink()
    return tree


def watch_start(page: Any, *, timeout: float = 120.0) -> tuple[dict[str, float | None], list]:
    """Press Start on the Train form and time what the page shows (see the module docstring)."""
    page.locator(".st-key-start button").wait_for(timeout=60_000)
    page.locator(".st-key-start button").click()
    t0 = time.perf_counter()
    found: dict[str, float | None] = dict.fromkeys(FIGURES)
    timeline: list[tuple[float, str]] = []
    while time.perf_counter() - t0 < timeout and found["epoch"] is None:
        try:
            text = page.evaluate(READ_PROGRESS)
        except Exception:  # the fragment replaced the element while it was read
            text = ""
        now = time.perf_counter() - t0
        if text and (not timeline or timeline[-1][1] != text):
            timeline.append((round(now, 2), text))
        if text and found["status"] is None and not any(text.startswith(p) for p in PLACEHOLDERS):
            found["status"] = now
        match = PROGRESS.search(text or "")
        if match:
            epoch, _, batch, batches = (int(g) for g in match.groups())
            found["batch"] = found["batch"] if found["batch"] is not None else now
            if epoch > 1 or batch >= batches:
                found["epoch"] = now
        if page.locator("[data-testid='stMetricLabel']", has_text="Test accuracy").count():
            found["epoch"] = found["epoch"] if found["epoch"] is not None else now
            break
        time.sleep(0.05)
    return found, timeline


def wait_summary(page: Any, timeout: float = 120.0) -> None:
    page.locator("[data-testid='stMetricLabel']", has_text="Test accuracy").first.wait_for(
        timeout=timeout * 1000
    )


def measure(browser: Browser, root: Path, home: Path, scenarios: list[str]) -> dict[str, Any]:
    """Run the scenarios on one fresh server of ``root``; their figures and timelines."""
    out: dict[str, Any] = {}
    for journey in (False, True):
        wanted = [s for s in scenarios if (s != "direct") == journey]
        if not wanted:
            continue
        server = AppServer(home / ("journey" if journey else "direct"), root=root)
        page = browser.new_page()
        server.start()
        try:
            server.wait_healthy(timeout=60)
            if journey:
                page.goto(server.url + "/", wait_until="commit")
                page.get_by_role("heading", name="Moatlab").first.wait_for(timeout=60_000)
                page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Train").click()
            else:
                page.goto(server.url + "/train", wait_until="commit")
            first = "journey" if journey else "direct"
            if first in wanted or "warm" in wanted:
                figures, timeline = watch_start(page)
                if first in wanted:
                    out[first] = {"figures": figures, "timeline": timeline}
            if journey and "warm" in wanted:
                wait_summary(page)
                page.locator(".st-key-new_run button").click()
                figures, timeline = watch_start(page)
                out["warm"] = {"figures": figures, "timeline": timeline}
        finally:
            page.close()
            server.stop()
    return out


#: Per tree, per scenario: the median seconds of each figure (None: never seen).
Medians = dict[str, dict[str, dict[str, float | None]]]


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """The command line (see the module docstring) and the scenarios it asks for."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="main", help="git revision to compare with (default main)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--target", type=float, default=5.0, help="seconds to the first progress (5.0)")
    parser.add_argument("--json-out", help="write every figure and timeline to this JSON file")
    args = parser.parse_args(argv)
    scenarios = [s for s in args.scenarios.split(",") if s]
    if unknown := set(scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenarios {sorted(unknown)}; choose from {', '.join(SCENARIOS)}")
    return args, scenarios


def measure_trees(
    trees: dict[str, Path], base: Path, scenarios: list[str], repeats: int
) -> dict[str, list[dict[str, Any]]]:
    """Every tree's scenarios, ``repeats`` times, interleaved per repeat so that drifts hit both;
    per tree one dict of figures and timelines per repeat."""
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    with warmed_browser() as browser:
        for i in range(repeats):
            for name, root in trees.items():  # interleaved: drifts hit both
                home = base / f"home-{i}-{len(results[name])}"
                results[name].append(measure(browser, root, home, scenarios))
                print(f"repeat {i + 1} {name}: done", file=sys.stderr, flush=True)
    return results


def _cell(v: float | None) -> str:
    """Seconds in a 7-wide column, or a dash when the figure was never seen."""
    return f"{v:>7.2f}" if v is not None else f"{'—':>7}"


def print_repeats(results: dict[str, list[dict[str, Any]]], scenarios: list[str], repeats: int) -> Medians:
    """Print every repeat's figures (seconds from Start) and their medians; return the medians."""
    print(
        f"Start → first progress on the Train page ({os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f}), {repeats} repeats, seconds from the click on Start"
    )
    header = f"{'tree':<20} {'scenario':<8} {'repeat':>6}  " + "  ".join(f"{f:>7}" for f in FIGURES)
    print(header)
    print("-" * len(header))
    medians: Medians = {}
    for name, rows in results.items():
        medians[name] = {}
        for scenario in scenarios:
            cols: dict[str, list[float]] = {f: [] for f in FIGURES}
            for i, row in enumerate(rows, 1):
                figures = row[scenario]["figures"]
                print(f"{name:<20} {scenario:<8} {i:>6}  " + "  ".join(_cell(figures[f]) for f in FIGURES))
                for f in FIGURES:
                    if figures[f] is not None:
                        cols[f].append(figures[f])
            med = {f: (statistics.median(v) if v else None) for f, v in cols.items()}
            medians[name][scenario] = med
            print(f"{name:<20} {scenario:<8} {'median':>6}  " + "  ".join(_cell(med[f]) for f in FIGURES))
    return medians


def print_timelines_and_ratios(
    results: dict[str, list[dict[str, Any]]], medians: Medians, scenarios: list[str]
) -> None:
    """Print the first repeat's timeline (seconds, progress text) of each tree and scenario, then
    this checkout's medians divided by the earlier tree's."""
    print("first timeline of each (seconds, progress text):")
    for name, rows in results.items():
        for scenario in scenarios:
            print(f"  {name} · {scenario}:")
            for at, text in rows[0][scenario]["timeline"]:
                print(f"    {at:6.2f}  {text[:110]}")
    before, after = list(results)
    for scenario in scenarios:
        b, a = medians[before][scenario], medians[after][scenario]
        parts = [
            f"{f} {a[f] / b[f]:.2f}" for f in FIGURES if a[f] is not None and b[f] is not None and b[f] > 0
        ]
        print(f"this checkout ÷ before, {scenario}: " + ", ".join(parts))


def print_checks(medians: dict[str, dict[str, float | None]], scenarios: list[str], target: float) -> bool:
    """One PASS/FAIL line per scenario: this checkout's median seconds to the first status
    within ``target``; True when all pass."""
    ok = True
    for scenario in scenarios:
        status = medians[scenario]["status"]
        passed = status is not None and status <= target
        ok = ok and passed
        shown = f"{status:.2f} s" if status is not None else "never"
        print(
            f"{'PASS' if passed else 'FAIL'} {scenario}: the first progress within {target:.1f} s "
            f"of Start (this checkout, median {shown}; ratio "
            f"{(status or float('inf')) / target:.2f})"
        )
    return ok


def main(argv: list[str] | None = None) -> int:
    """Measure both trees, print the figures and the checks; 0 when every check passes."""
    args, scenarios = parse_args(argv)
    missing = chromium_missing()
    if missing:
        print(f"FAIL cannot run: {missing}")
        return 1
    base = Path(tempfile.mkdtemp(prefix="moatlab-bench-train-start-"))
    trees = {f"before ({args.before})": export_tree(args.before, base / "before"), "this checkout": ROOT}
    try:
        results = measure_trees(trees, base, scenarios, args.repeats)
    finally:
        shutil.rmtree(base / "before", ignore_errors=True)
    medians = print_repeats(results, scenarios, args.repeats)
    print_timelines_and_ratios(results, medians, scenarios)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"results": results, "medians": medians}, indent=2))
    return 0 if print_checks(medians["this checkout"], scenarios, args.target) else 1


if __name__ == "__main__":
    sys.exit(main())
