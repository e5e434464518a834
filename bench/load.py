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

The pieces live in ``bench/loadlib/``: ``client`` (the websocket session), ``session`` (what one
user does and what it must see), ``cluster`` (the replicas) and ``report`` (the audit and figures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import sys
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.loadlib.client import Client, Visit, number_state, query_value, string_state, trigger  # noqa: E402
from bench.loadlib.cluster import Cluster, start_cluster, warm_up  # noqa: E402
from bench.loadlib.report import (  # noqa: E402
    audit_jobs,
    latency_table,
    percentile,
    print_report,
    summarise,
)
from bench.loadlib.session import (  # noqa: E402
    PAGES,
    TRAIN_DATASET,
    TRAIN_PAGE,
    WITHOUT_SCENARIO_TEXT,
    Config,
    SessionResult,
    SessionSpec,
    check_visit,
    make_specs,
    page_sequence,
    run_session,
    submit_training,
    watch_job,
)

#: What the tests and the other benches import from here (the load test's building blocks).
__all__ = [
    "PAGES",
    "TRAIN_DATASET",
    "TRAIN_PAGE",
    "WITHOUT_SCENARIO_TEXT",
    "Client",
    "Cluster",
    "Config",
    "SessionResult",
    "SessionSpec",
    "Visit",
    "audit_jobs",
    "check_visit",
    "latency_table",
    "main",
    "make_specs",
    "number_state",
    "page_sequence",
    "percentile",
    "print_report",
    "query_value",
    "run_all",
    "run_session",
    "start_cluster",
    "string_state",
    "submit_training",
    "summarise",
    "trigger",
    "warm_up",
    "watch_job",
]


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
