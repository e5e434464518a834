"""Peak memory of the web process under heavy Monte Carlo links (issue 20, finding D8).

Starts the app (``streamlit run app.py`` on 127.0.0.1, a fresh ``MOATLAB_HOME``), then opens
``--sessions`` lightweight websocket sessions at the same moment (the protocol client of
``bench/load.py``), each on the Scenarios page through its own share link asking the heaviest
Monte Carlo a link may ask for: ``--paths`` paths (default 50,000, the share link's limit) ×
``--months`` months (default 120, the longest horizon) with every one of the 17 inputs that can
carry a range given one. Each link has its own seed, so no session is served from another's cache.

While the sessions run, the server's resident memory (RSS, the process and its threads; the
training worker is a separate process and is not counted) is sampled every 50 ms. Printed:

* the RSS before the sessions open (after one warm-up visit of Overview and Scenarios),
* the peak RSS while they run (sampled) and the kernel's high-water mark (``VmHWM``),
* per session: seconds until its page finished and what its Monte Carlo tab said (the P50 of
  NPV, or the "busy" message when admission control asked it to try again),
* the wall time.

No PASS/FAIL: the figure depends on the machine. Run from the repository root::

    .venv/bin/python bench/memory.py                     # 20 sessions × 50,000 paths × 120 months
    .venv/bin/python bench/memory.py --sessions 4 --paths 10000 --json out.json

Exit status 0 when the run was made (1 when a session saw an error), 2 when it could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (a dependency of the test tools)

from bench.loadlib.client import Client  # noqa: E402
from bizmodel.scenario import Scenario, base_template  # noqa: E402
from bizmodel.scenario_bounds import FIELD_BOUNDS  # noqa: E402
from bizmodel.scenario_ranges import Range  # noqa: E402
from present.sharelink import SharedView, encode  # noqa: E402
from tests.support.browser import AppServer  # noqa: E402

_NO_TAGS = re.compile(rb"(?!x)x")  # the client looks for session tags; none here


def heavy_scenario(months: int) -> Scenario:
    """The base template over ``months`` months with a triangular range (±20 %, within the
    field's bounds) on every field that can carry one."""
    base = base_template()
    ranges = []
    for name, (low, high) in FIELD_BOUNDS.items():
        value = float(getattr(base, name))
        lo, hi = max(low, value * 0.8), min(high, value * 1.2)
        if name == "model_accuracy":
            hi = min(0.99, hi)
        ranges.append(Range(name, lo, hi))
    heads = tuple(base.headcount_by_month[:months])
    return dataclasses.replace(base, horizon_months=months, headcount_by_month=heads, ranges=tuple(ranges))


def share_token(scenario: Scenario, *, paths: int, seed: int) -> str:
    return encode(SharedView(scenario, page="scenarios", name=f"Heavy {seed}", paths=paths, seed=seed))


class Sampler:
    """Samples a process's RSS every ``interval`` seconds in a thread; keeps the peak (bytes)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

    def high_water_mark(self) -> int | None:
        """The kernel's peak RSS of the process (``VmHWM``, bytes), or None when not readable."""
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, self.rss())
                self.samples += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> Sampler:
        self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclasses.dataclass
class Outcome:
    session: int
    seconds: float
    status: str
    p50: str | None
    busy: str | None
    errors: list[str]


async def one_session(url: str, index: int, token: str, timeout: float) -> Outcome:
    client = Client(url, tag_pattern=_NO_TAGS, visit_timeout=timeout)
    await client.open()
    try:
        visit = await client.visit("scenarios", query=f"share={token}")
    finally:
        await client.close()
    p50 = next((value for label, value in visit.metrics if label == "NPV, median"), None)
    busy = next((text for text in visit.texts if "busy" in text.lower()), None)
    return Outcome(index, round(visit.seconds, 2), visit.status, p50, busy, visit.errors)


async def run_sessions(url: str, tokens: list[str], timeout: float) -> list[Outcome]:
    return list(await asyncio.gather(*(one_session(url, i, tok, timeout) for i, tok in enumerate(tokens))))


async def warm_up(url: str, timeout: float) -> None:
    client = Client(url, tag_pattern=_NO_TAGS, visit_timeout=timeout)
    await client.open()
    try:
        for page in ("", "scenarios"):
            visit = await client.visit(page)
            if visit.status != "ok":
                raise RuntimeError(f"warm-up of {page or 'overview'} failed: {visit.errors}")
    finally:
        await client.close()


def mb(value: int | None) -> str:
    return "–" if value is None else f"{value / 2**20:,.0f} MB"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=20, help="concurrent share links (default 20)")
    p.add_argument("--paths", type=int, default=50_000, help="Monte Carlo paths per link (default 50,000)")
    p.add_argument("--months", type=int, default=120, help="horizon in months, 12–120 (default 120)")
    p.add_argument("--visit-timeout", type=float, default=600.0, help="seconds a page may take (600)")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="server setting")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = p.parse_args(argv)
    if args.sessions < 1 or not 100 <= args.paths <= 50_000 or not 12 <= args.months <= 120:
        p.error("need --sessions >= 1, --paths 100–50,000 and --months 12–120")
    extra = dict(item.split("=", 1) for item in args.env if "=" in item)
    scenario = heavy_scenario(args.months)
    tokens = [share_token(scenario, paths=args.paths, seed=1000 + i) for i in range(args.sessions)]
    server = AppServer(Path(tempfile.mkdtemp(prefix="moatlab-memory-")), extra_env=extra)
    try:
        server.start()
        server.wait_healthy(timeout=90)
        assert server.proc is not None
        asyncio.run(warm_up(server.url, args.visit_timeout))
        sampler = Sampler(server.proc.pid)
        before = sampler.rss()
        t0 = time.perf_counter()
        with sampler:
            outcomes = asyncio.run(run_sessions(server.url, tokens, args.visit_timeout))
        wall = time.perf_counter() - t0
        after, hwm = sampler.rss(), sampler.high_water_mark()
    except (RuntimeError, OSError, TimeoutError) as exc:
        print(f"memory bench could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        server.stop()
    served = [o for o in outcomes if o.p50 is not None]
    busy = [o for o in outcomes if o.busy is not None]
    failed = [o for o in outcomes if o.errors]
    print(
        f"{args.sessions} share links × {args.paths:,} paths × {args.months} months × "
        f"{len(scenario.ranges)} ranges at once; settings {extra or 'default'}"
    )
    print(f"{'session':>7} {'seconds':>8} {'status':>8}  Monte Carlo tab")
    for o in outcomes:
        said = (o.p50 and f"NPV P50 {o.p50}") or o.busy or "; ".join(o.errors)[:120] or "(nothing)"
        print(f"{o.session:>7} {o.seconds:>8.2f} {o.status:>8}  {said[:120]}")
    print()
    print(f"RSS before {mb(before)}; peak while running {mb(sampler.peak)} (sampled {sampler.samples}×),")
    print(f"kernel high-water mark {mb(hwm)}; after {mb(after)}; wall {wall:.1f} s")
    print(f"simulated {len(served)}, asked to try again {len(busy)}, errors {len(failed)}")
    summary: dict[str, Any] = {
        "sessions": args.sessions,
        "paths": args.paths,
        "months": args.months,
        "ranges": len(scenario.ranges),
        "settings": extra,
        "rss_before_bytes": before,
        "rss_peak_bytes": sampler.peak,
        "vm_hwm_bytes": hwm,
        "rss_after_bytes": after,
        "wall_seconds": round(wall, 2),
        "simulated": len(served),
        "busy": len(busy),
        "errors": len(failed),
        "outcomes": [dataclasses.asdict(o) for o in outcomes],
    }
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
