"""The load-test bench in its smallest form (CI's smoke run): 3 lightweight sessions on one replica.

``bench/load.py`` starts the app (``streamlit run app.py`` on 127.0.0.1, SQLite in a temporary
home), drives 3 websocket sessions over the six economics pages (one visit each), and 2 of them
train ``digits`` for 1 epoch through the Train page. No browser: the sessions speak Streamlit's
own protocol. The figures it writes must show no error, no session seeing another's scenario,
and every job served exactly once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load import PAGES

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_three_sessions_two_jobs_one_replica(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MOATLAB_OFFLINE"] = "1"
    proc = subprocess.run(
        [
            sys.executable,
            "bench/load.py",
            "--sessions",
            "3",
            "--visits",
            str(len(PAGES)),
            "--train-sessions",
            "2",
            "--timeout",
            "240",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = proc.stdout[-4000:] + proc.stderr[-4000:]
    assert out.exists(), report
    summary = json.loads(out.read_text())
    assert proc.returncode == 0, report
    assert summary["passed"], report
    assert summary["sessions"] == summary["sessions_held"] == 3
    assert summary["errors"] == 0, summary["error_details"]
    assert summary["isolation_violations"] == 0, summary["violation_details"]
    # one visit per economics page per session
    rows = {row["page"]: row for row in summary["latency"]}
    for label, _ in PAGES:
        assert rows[label]["visits"] == 3, rows
    assert summary["economics_visits"] == 3 * len(PAGES)
    jobs = summary["jobs"]
    assert (jobs["submitted"], jobs["served"], jobs["served_twice"], jobs["lost"]) == (2, 2, 0, 0), report
    assert jobs["left_active"] == 0
    assert len({job["job"] for job in jobs["jobs"]}) == 2
    for job in jobs["jobs"]:
        assert job["status"] == "completed"
        assert job["starts"] == 1  # one start line in the worker logs
        assert job["runs_with_name"] == 1
        assert job["served_by"] == 0
