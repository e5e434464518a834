"""Startup benchmark: how soon after ``streamlit run app.py`` a user sees Moatlab.

For each repeat, with a fresh ``MOATLAB_HOME`` (offline), it starts the server exactly as the
README does (headless, on a free port) and measures, from the moment the process is started:

* ``health``: until ``/_stcore/health`` answers ``ok``;
* ``first paint``: until the Overview's "Moatlab" title heading is visible in Debian's headless
  Chromium (the browser loaded from the server's start: what a user waits for before the page is
  no longer blank);
* ``overview``: until the whole Overview has rendered (its last section, the map of the app,
  present);
* ``reload``: a reload of that page (a new session on the warm server), from the reload, until
  the whole Overview has rendered again.

Each repeat runs the README's command and, interleaved, a bare Streamlit page with the same
headings: the framework's floor.

Then it checks that the web process does not import TensorFlow or Keras: an AppTest in a
fresh subprocess renders Overview and Runs (with one saved run) and reports ``sys.modules``,
and the real server's memory map (``/proc/<pid>/maps``) is searched for TensorFlow's libraries
after it served Overview and Runs.

Usage: ``.venv/bin/python bench/startup.py [--repeats 3] [--target 2.0] [--variants all|readme]
[--no-seed] [--json-out FILE]``.
Prints a table, the ratio of each figure to the target, and PASS/FAIL lines (exit status 1
when a check fails). Needs ``/usr/bin/chromium`` and the playwright package.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._chromium import warmed_browser  # noqa: E402
from tests.support.browser import AppServer, Browser, chromium_missing  # noqa: E402

#: The Overview's last section heading (``overview.chain``): once present the page has rendered.
OVERVIEW_LAST = "From AI to economic advantage: the map of this app"

#: A bare Streamlit page with the same two headings: the framework's own floor on this machine
#: (server start, the browser loading Streamlit's front end, one script run), measured beside
#: the app so the app's own share of the start-up is the difference of the two.
BASELINE_SCRIPT = (
    'import streamlit as st\nst.title("Moatlab")\nst.subheader("Your business case")\n'
    f'st.subheader("{OVERVIEW_LAST}")\n'
)

#: (name, extra server arguments, script). The README's command first.
VARIANTS: list[tuple[str, list[str], str | None]] = [
    ("README command", [], None),
    ("bare Streamlit page", [], BASELINE_SCRIPT),
]

APPTEST_PROBE = r"""
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=60).run()
errors = [str(e.value) for e in at.exception]
titles = [t.value for t in at.title]
at.switch_page("app_pages/runs.py").run()
errors += [str(e.value) for e in at.exception]
titles += [t.value for t in at.title]
print(json.dumps({
    "tensorflow": "tensorflow" in sys.modules,
    "keras": "keras" in sys.modules,
    "errors": errors,
    "titles": titles,
}))
"""


def measure_once(
    browser: Browser, home: Path, extra_args: list[str], script: str | None = None, timeout: float = 60.0
) -> tuple[float, float, float, float, AppServer]:
    """(s to health ok, s to first paint, s to Overview rendered, s for a reload of Overview, the
    running server).

    ``script`` replaces ``app.py`` by that source (the bare-Streamlit baseline).
    """
    if script is not None:
        path = home / "baseline_app.py"
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(script)
        server = AppServer(home, extra_args=extra_args, script=str(path))
    else:
        server = AppServer(home, extra_args=extra_args)
    page = browser.new_page()
    ms = timeout * 1000

    def painted() -> None:
        page.get_by_role("heading", name="Moatlab").first.wait_for(state="visible", timeout=ms)

    def overview_shown() -> None:
        painted()
        page.get_by_role("heading", name=OVERVIEW_LAST).first.wait_for(state="attached", timeout=ms)

    server.start()
    try:
        health = server.wait_healthy(timeout=timeout)
        page.goto(server.url + "/", wait_until="commit", timeout=ms)
        painted()
        first_paint = time.perf_counter() - server.started_at
        overview_shown()
        rendered = time.perf_counter() - server.started_at
        t0 = time.perf_counter()
        page.reload(wait_until="commit", timeout=ms)
        overview_shown()
        reload = time.perf_counter() - t0
    except BaseException:
        page.close()
        server.stop()
        raise
    page.close()
    return health, first_paint, rendered, reload, server


def server_maps_tensorflow(server: AppServer, browser: Browser) -> list[str]:
    """Serve Overview and Runs once more, then list TensorFlow/Keras libraries the server mapped."""
    page = browser.new_page()
    try:
        for path, heading in (("/", "Moatlab"), ("/runs", "Runs")):
            page.goto(server.url + path)
            page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
            time.sleep(1.0)  # let the script run finish
    finally:
        page.close()
    assert server.proc is not None
    maps = Path(f"/proc/{server.proc.pid}/maps").read_text()
    libs = {line.split()[-1] for line in maps.splitlines() if len(line.split()) >= 6}
    return sorted(p for p in libs if "tensorflow" in p.lower() or "/keras/" in p.lower())


def seed_run(home: Path) -> str:
    """Train 1 epoch on digits through the CLI, so Runs and Overview show a real run."""
    env = dict(os.environ, MOATLAB_HOME=str(home), MOATLAB_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "mlcore",
            "train",
            "--dataset",
            "digits",
            "--preset",
            "article-mlp",
            "--epochs",
            "1",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout)["id"]


def apptest_probe(home: Path) -> dict:
    env = dict(os.environ, MOATLAB_HOME=str(home), MOATLAB_OFFLINE="1", MOATLAB_START_WORKER="0")
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", APPTEST_PROBE],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"tensorflow": None, "keras": None, "errors": [out.stderr[-2000:]], "titles": []}
    return json.loads(lines[-1])


#: The figures of one start, seconds (see the module docstring).
COLUMNS = ("health ok", "first paint", "Overview rendered", "reload Overview")

Figures = tuple[float, ...]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--target", type=float, default=2.0, help="seconds (default 2.0)")
    parser.add_argument(
        "--variants",
        choices=("all", "readme"),
        default="all",
        help="'readme': only the README's command; 'all' also a bare Streamlit page (the floor)",
    )
    parser.add_argument("--no-seed", action="store_true", help="skip training a run for the import check")
    parser.add_argument("--json-out", help="write the figures to this JSON file")
    return parser.parse_args(argv)


def measure_variants(
    base: Path, variants: list[tuple[str, list[str], str | None]], repeats: int
) -> tuple[dict[str, list[Figures]], list[str]]:
    """Each variant's figures (seconds) per repeat, interleaved so that drifts hit all, and the
    TensorFlow/Keras libraries the README command's server mapped in the last repeat."""
    results: dict[str, list[Figures]] = {name: [] for name, _, _ in variants}
    tf_libs: list[str] = []
    with warmed_browser() as browser:
        for i in range(repeats):
            for v, (name, extra, script) in enumerate(variants):  # interleaved: drifts hit both
                *figures, server = measure_once(browser, base / f"home-{i}-{v}", extra, script)
                try:
                    if i == repeats - 1 and v == 0:
                        tf_libs = server_maps_tensorflow(server, browser)
                finally:
                    server.stop()
                results[name].append(tuple(figures))
    return results, tf_libs


def print_startup_table(
    results: dict[str, list[Figures]], *, repeats: int, target: float
) -> dict[str, Figures]:
    """Print every repeat, the medians and their ratios to ``target`` (seconds), then the app
    against the bare page when both ran; return the medians per variant."""
    print(
        f"Startup of `streamlit run app.py` (fresh MOATLAB_HOME, offline, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}), {repeats} repeats, target {target:.1f} s; "
        "seconds from process start"
    )
    header = f"{'variant':<22} {'repeat':>6}  " + "  ".join(f"{c:>17}" for c in COLUMNS)
    print(header)
    print("-" * len(header))
    medians: dict[str, Figures] = {}
    for name, rows in results.items():
        for i, row in enumerate(rows, 1):
            print(f"{name:<22} {i:>6}  " + "  ".join(f"{x:>17.2f}" for x in row))
        med = tuple(statistics.median(col) for col in zip(*rows, strict=True))
        medians[name] = med
        print(f"{name:<22} {'median':>6}  " + "  ".join(f"{x:>17.2f}" for x in med))
        print(
            f"{name:<22} {'ratio':>6}  "
            + "  ".join(f"{x / target:>17.2f}" for x in med)
            + f"   (median ÷ {target:.1f} s target; ≤ 1 meets it)"
        )
    if len(medians) > 1:
        (hs_med, fp_med, rs_med, rl_med), (b_h, b_fp, b_r, b_rl) = list(medians.values())[:2]
        print(
            f"app ÷ bare Streamlit page: health {hs_med / b_h:.2f}, first paint {fp_med / b_fp:.2f}, "
            f"Overview rendered {rs_med / b_r:.2f}, reload {rl_med / b_rl:.2f}; "
            f"the app's own share: first paint {fp_med - b_fp:+.2f} s, whole Overview {rs_med - b_r:+.2f} s"
        )
    return medians


def import_check(probe_home: Path, *, seed: bool, tf_libs: list[str]) -> dict:
    """Render Overview and Runs through AppTest (after training one run when ``seed``), print
    what it found in ``sys.modules`` and the server's mapped TensorFlow libraries; the probe."""
    seeded = seed_run(probe_home) if seed else None
    probe = apptest_probe(probe_home)
    print(
        f"AppTest (Overview + Runs{', 1 saved run ' + seeded if seeded else ', no runs'}): "
        f"tensorflow in sys.modules = {probe['tensorflow']}, keras = {probe['keras']}, "
        f"titles = {probe['titles']}, exceptions = {len(probe['errors'])}"
    )
    for err in probe["errors"]:
        print(f"  exception: {err[:500]}")
    print(f"server /proc/<pid>/maps TensorFlow/Keras libraries: {tf_libs or 'none'}")
    return probe


def startup_checks(readme: Figures, probe: dict, tf_libs: list[str], target: float) -> list[tuple[str, bool]]:
    """The PASS/FAIL lines: health and first paint of the README command (median seconds) within
    ``target``, and no TensorFlow/Keras in the web process."""
    hs_med, fp_med = readme[0], readme[1]
    return [
        (
            f"health answers ok within {target:.1f} s of start (README command, median {hs_med:.2f} s)",
            hs_med <= target,
        ),
        (
            f"first paint within {target:.1f} s of start (README command, median {fp_med:.2f} s)",
            fp_med <= target,
        ),
        (
            "web process renders Overview and Runs without importing TensorFlow/Keras (AppTest)",
            probe["tensorflow"] is False and probe["keras"] is False and not probe["errors"],
        ),
        ("server process has no TensorFlow library mapped", not tf_libs),
    ]


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table and the checks; 0 when every check passes."""
    args = parse_args(argv)
    missing = chromium_missing()
    if missing:
        print(f"FAIL cannot run: {missing}")
        return 1

    base = Path(tempfile.mkdtemp(prefix="moatlab-bench-startup-"))
    variants = VARIANTS if args.variants == "all" else VARIANTS[:1]
    results, tf_libs = measure_variants(base, variants, args.repeats)
    medians = print_startup_table(results, repeats=args.repeats, target=args.target)
    if args.json_out:
        Path(args.json_out).write_text(
            json.dumps({"columns": COLUMNS, "results": results, "medians": medians}, indent=2)
        )
    probe = import_check(base / "probe-home", seed=not args.no_seed, tf_libs=tf_libs)
    ok = True
    for label, passed in startup_checks(medians[variants[0][0]], probe, tf_libs, args.target):
        print(f"{'PASS' if passed else 'FAIL'} {label}")
        ok = ok and passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
