"""Many sessions on one replica, and what a newcomer's real browser sees (issue 20, finding D9).

Starts the app (``streamlit run app.py`` on 127.0.0.1, a fresh ``MOATLAB_HOME``), opens
``--sessions`` lightweight websocket sessions (the protocol client of ``bench/load.py``) that
walk the six economics pages back to back for ``--duration`` seconds, and ``--browser-after``
seconds after they start opens the Scenarios page in a real headless Chromium (Debian's, through
playwright), as one more person arriving. Printed:

* for the browser: seconds until the page showed the scenario's KPIs ("NPV") or the replica's
  "full" page, and which of the two it was;
* for the scripted sessions: how many were admitted and how many got the "full" page, the page
  latency (p50 / p95 / max seconds) of the admitted ones' visits, errors and dropped connections;
* the server's peak resident memory (sampled every 50 ms).

No PASS/FAIL: the figures depend on the machine and its load. Run from the repository root::

    .venv/bin/python bench/sessions.py                          # 100 sessions, 60 s
    .venv/bin/python bench/sessions.py --sessions 100 --env MOATLAB_MAX_SESSIONS=0   # no cap

Exit status 0 when the run was made, 2 when it could not run (no Chromium: the browser part is
skipped with a note).
"""

from __future__ import annotations

import argparse
import asyncio
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

from bench.loadlib.client import Client  # noqa: E402
from bench.loadlib.report import percentile  # noqa: E402
from bench.loadlib.session import PAGES  # noqa: E402
from bench.memory import Sampler  # noqa: E402
from tests.support.browser import AppServer, Browser, chromium_missing  # noqa: E402

_NO_TAGS = re.compile(rb"(?!x)x")
#: What the replica's "full" page says (English), and what a rendered Scenarios page shows.
FULL_MARK = "at capacity"
READY_MARK = "NPV"


def _is_full(texts: list[str]) -> bool:
    return any(FULL_MARK in text for text in texts)


async def walker(url: str, index: int, stop_at: float, timeout: float, out: dict[str, Any]) -> None:
    """One scripted person: open Overview, then walk the economics pages until ``stop_at``."""
    client = Client(url, tag_pattern=_NO_TAGS, visit_timeout=timeout)
    try:
        await client.open()
    except Exception as exc:
        out["errors"].append(f"session {index}: could not connect: {exc}")
        return
    pages = [path for _, path in PAGES]
    try:
        step = index
        while time.monotonic() < stop_at:
            page = pages[step % len(pages)]
            step += 1
            visit = await client.visit(page)
            if visit.status != "ok":
                out["errors"].append(f"session {index}: {visit.status}: {visit.errors[:1]}")
                out["dropped"] += visit.status == "closed"
                return
            if _is_full(visit.texts):
                out["turned_away"].add(index)
                return  # a person who sees "full" leaves (or comes back later)
            out["admitted"].add(index)
            out["latencies"].append(visit.seconds)
            out["errors"].extend(f"session {index}: {e}" for e in visit.errors)
    finally:
        await client.close()


def browser_visit(url: str, result: dict[str, Any], timeout: float) -> None:
    """Open Scenarios in Chromium; seconds until KPIs or the "full" page show, and which."""
    browser = Browser()
    try:
        page = browser.new_page()
        t0 = time.perf_counter()
        page.goto(f"{url}/scenarios", wait_until="commit", timeout=timeout * 1000)
        page.wait_for_function(
            """([ready, full]) => {
                const text = document.body ? document.body.innerText : "";
                const metric = Array.from(document.querySelectorAll("[data-testid='stMetricLabel']"))
                    .some(m => m.innerText.trim() === ready);
                return metric || text.includes(full);
            }""",
            arg=[READY_MARK, FULL_MARK],
            timeout=timeout * 1000,
        )
        result["seconds"] = round(time.perf_counter() - t0, 2)
        result["saw"] = "full page" if FULL_MARK in page.inner_text("body") else "scenario KPIs"
    except Exception as exc:  # a timeout is the finding, not a crash of the bench
        result["seconds"] = None
        result["saw"] = f"nothing within {timeout:.0f} s ({type(exc).__name__})"
    finally:
        browser.close()


async def run(args: argparse.Namespace, url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    out: dict[str, Any] = {
        "latencies": [],
        "errors": [],
        "admitted": set(),
        "turned_away": set(),
        "dropped": 0,
    }
    seen: dict[str, Any] = {}
    stop_at = time.monotonic() + args.duration
    tasks = [
        asyncio.create_task(walker(url, i, stop_at, args.visit_timeout, out)) for i in range(args.sessions)
    ]
    thread = None
    if chromium_missing() is None:
        await asyncio.sleep(args.browser_after)
        thread = threading.Thread(target=browser_visit, args=(url, seen, args.browser_timeout), daemon=True)
        thread.start()
    else:
        seen["saw"] = f"skipped: {chromium_missing()}"
    await asyncio.gather(*tasks)
    if thread is not None:
        await asyncio.to_thread(thread.join)
    return out, seen


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=100, help="scripted sessions (default 100)")
    p.add_argument("--duration", type=float, default=60.0, help="seconds they walk pages (default 60)")
    p.add_argument("--browser-after", type=float, default=10.0, help="seconds before the browser arrives")
    p.add_argument("--browser-timeout", type=float, default=120.0, help="seconds the browser waits (120)")
    p.add_argument("--visit-timeout", type=float, default=180.0, help="seconds a page visit may take")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="server setting")
    p.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = p.parse_args(argv)
    extra = dict(item.split("=", 1) for item in args.env if "=" in item)
    server = AppServer(Path(tempfile.mkdtemp(prefix="moatlab-sessions-")), extra_env=extra)
    try:
        server.start()
        server.wait_healthy(timeout=90)
        assert server.proc is not None
        sampler = Sampler(server.proc.pid)
        t0 = time.perf_counter()
        with sampler:
            out, seen = asyncio.run(run(args, server.url))
        wall = time.perf_counter() - t0
    except (RuntimeError, OSError, TimeoutError) as exc:
        print(f"sessions bench could not run: {exc}", file=sys.stderr)
        return 2
    finally:
        server.stop()
    lat = out["latencies"]
    summary = {
        "sessions": args.sessions,
        "settings": extra,
        "browser": seen,
        "admitted": len(out["admitted"]),
        "turned_away": len(out["turned_away"]),
        "visits": len(lat),
        "p50_s": round(percentile(lat, 50), 2) if lat else None,
        "p95_s": round(percentile(lat, 95), 2) if lat else None,
        "max_s": round(max(lat), 2) if lat else None,
        "errors": len(out["errors"]),
        "error_details": out["errors"][:20],
        "dropped": out["dropped"],
        "rss_peak_mb": round(sampler.peak / 2**20),
        "wall_seconds": round(wall, 1),
    }
    print(f"{args.sessions} scripted sessions for {args.duration:.0f} s; settings {extra or 'default'}")
    print(
        f"browser opening Scenarios after {args.browser_after:.0f} s: "
        f"{seen.get('saw')} in {seen.get('seconds')} s"
    )
    print(
        f"admitted {summary['admitted']}, shown the full page {summary['turned_away']}; "
        f"{summary['visits']} visits of admitted sessions: p50 {summary['p50_s']} s, "
        f"p95 {summary['p95_s']} s, max {summary['max_s']} s"
    )
    print(
        f"errors {summary['errors']}, dropped connections {summary['dropped']}; "
        f"peak RSS {summary['rss_peak_mb']} MB"
    )
    for line in summary["error_details"][:5]:
        print(f"  ! {line}")
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
