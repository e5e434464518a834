"""After a load test: the job queue's audit (store and worker logs), page latencies, the summary
and its printed report."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.loadlib.session import PAGES, SessionResult


def _worker_starts(logs: Sequence[Path]) -> tuple[dict[str, list[int]], dict[str, int]]:
    """From the replicas' worker logs: job id -> replicas whose worker started it (one entry per
    start), and worker id -> replica."""
    starts: dict[str, list[int]] = {}
    workers: dict[str, int] = {}
    ready = re.compile(r"worker (\S+) ready")
    started = re.compile(r"job (\S+) \((\w+), run (\S+)\) starts")
    for replica, path in enumerate(logs):
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            if m := ready.search(line):
                workers[m.group(1)] = replica
            elif m := started.search(line):
                starts.setdefault(m.group(1), []).append(replica)
    return starts, workers


def audit_jobs(
    results: Sequence[SessionResult], database_url: str | None, logs: Sequence[Path]
) -> dict[str, Any]:
    """Every submitted job: present once, its run once, ``completed``, claimed by one worker,
    started once (from the logs); nothing left queued or running."""
    from store import Store

    submitted = [r for r in results if r.job_id]
    audit: dict[str, Any] = {
        "submitted": len(submitted),
        "expected": sum(1 for r in results if r.train),
        "served": 0,
        "served_twice": 0,
        "lost": 0,
        "left_active": None,
        "checked_logs": bool(logs),
        "jobs": [],
        "problems": [],
    }
    if database_url is None:
        audit["problems"].append("no database URL: the queue was not audited (pass --database-url)")
        return audit
    starts, workers = _worker_starts(logs)
    store = Store(database_url)
    try:
        runs_by_name: dict[str, int] = {}
        for row in store.list_runs():
            runs_by_name[row["name"]] = runs_by_name.get(row["name"], 0) + 1
        for r in results:
            if r.train and r.job_id is None:
                audit["lost"] += 1
                audit["problems"].append(f"session {r.index}: its job was not submitted")
        for r in submitted:
            assert r.job_id is not None
            _audit_job(
                audit,
                r,
                store.get_job(r.job_id),
                started_on=starts.get(r.job_id, []),
                workers=workers,
                run_rows=runs_by_name.get(r.run_name or "", 0),
                checked_logs=bool(logs),
            )
        active = store.active_jobs(include_quick=True)
        audit["left_active"] = len(active)
        if active:
            audit["problems"].append(
                f"{len(active)} job(s) left queued or running: {[j['id'] for j in active]}"
            )
    finally:
        store.dispose()
    return audit


def _audit_job(
    audit: dict[str, Any],
    r: SessionResult,
    job: dict[str, Any] | None,
    *,
    started_on: list[int],
    workers: dict[str, int],
    run_rows: int,
    checked_logs: bool,
) -> None:
    """Add one submitted job to ``audit``: its entry (status, worker and replica, starts, runs
    with its name, seconds from claim to finish) and whether it was served once, twice or lost.

    ``started_on`` lists the replica of each start line in the worker logs, ``workers`` maps a
    worker id to its replica, ``run_rows`` counts the stored runs with the session's run name.
    """
    entry: dict[str, Any] = {"session": r.index, "job": r.job_id, "submitted_on": r.replica}
    audit["jobs"].append(entry)
    if job is None:
        audit["lost"] += 1
        audit["problems"].append(f"job {r.job_id} (session {r.index}) is not in the store")
        return
    entry.update(
        status=job["status"],
        worker=job["worker_id"],
        served_by=workers.get(job["worker_id"] or ""),
        starts=len(started_on) if checked_logs else None,
        runs_with_name=run_rows,
        seconds=(
            round(job["finished_at"] - job["claimed_at"], 2)
            if job["finished_at"] and job["claimed_at"]
            else None
        ),
    )
    twice = (checked_logs and len(started_on) > 1) or run_rows > 1
    if twice:
        audit["served_twice"] += 1
        audit["problems"].append(
            f"job {r.job_id}: started {len(started_on)} times, {run_rows} runs named {r.run_name!r}"
        )
    ok = job["status"] == "completed" and job["worker_id"] and (not checked_logs or len(started_on) == 1)
    if ok and not twice:
        audit["served"] += 1
    elif not twice:
        audit["lost"] += 1
        audit["problems"].append(
            f"job {r.job_id}: status {job['status']}, worker {job['worker_id']}, "
            f"started {len(started_on)} times; error: {job.get('error')}"
        )


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between order statistics."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_table(results: Sequence[SessionResult]) -> list[dict[str, Any]]:
    """Per page and overall: visits, p50 / p95 / max seconds."""
    by_page: dict[str, list[float]] = {}
    for r in results:
        for v in r.visits:
            by_page.setdefault(v.page, []).append(v.seconds)
    order = [label for label, _ in PAGES] + ["train", "train (submit)", "train (watch)"]
    rows = []
    for page in order + sorted(set(by_page) - set(order)):
        if page in by_page:
            rows.append(_row(page, by_page[page]))
    econ = [s for label, _ in PAGES for s in by_page.get(label, [])]
    if econ:
        rows.append(_row("economics pages", econ))
    every = [s for values in by_page.values() for s in values]
    if every:
        rows.append(_row("all visits", every))
    return rows


def _row(page: str, values: Sequence[float]) -> dict[str, Any]:
    return {
        "page": page,
        "visits": len(values),
        "p50_s": round(percentile(values, 50), 3),
        "p95_s": round(percentile(values, 95), 3),
        "max_s": round(max(values), 3),
    }


def summarise(
    results: Sequence[SessionResult], audit: dict[str, Any], peak: int, wall: float, args: argparse.Namespace
) -> dict[str, Any]:
    errors = [f"session {r.index}: {e}" for r in results for e in r.errors]
    violations = [f"session {r.index}: {v}" for r in results for v in r.violations]
    checks = {
        "all sessions held": all(r.held for r in results) and len(results) == args.sessions,
        "no errors": not errors,
        "no isolation violation": not violations,
        "every job served exactly once": (
            audit["submitted"] == audit["expected"] == args.train_sessions
            and audit["served"] == audit["submitted"]
            and audit["served_twice"] == 0
            and audit["lost"] == 0
        ),
        "no job left queued or running": audit["left_active"] == 0,
        "every session saw its job end": all(r.job_seen_finished for r in results if r.train),
    }
    return {
        "sessions": len(results),
        "think_seconds": args.think,
        "sessions_held": sum(1 for r in results if r.held),
        "peak_concurrent_sessions": peak,
        "replicas": args.replicas if not args.url else len(args.url),
        "page_visits": sum(len(r.visits) for r in results),
        "economics_visits": sum(1 for r in results for v in r.visits if not v.page.startswith("train")),
        "wall_seconds": round(wall, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "latency": latency_table(results),
        "errors": len(errors),
        "error_details": errors[:50],
        "isolation_violations": len(violations),
        "violation_details": violations[:50],
        "jobs": {k: v for k, v in audit.items() if k != "problems"},
        "job_problems": audit["problems"],
        "checks": checks,
        "passed": all(checks.values()),
    }


def print_report(summary: dict[str, Any]) -> None:
    print()
    print(
        f"sessions {summary['sessions']} (held {summary['sessions_held']}, peak concurrent "
        f"{summary['peak_concurrent_sessions']}) on {summary['replicas']} replica(s); "
        f"{summary['page_visits']} page visits in {summary['wall_seconds']} s "
        f"(think time {summary['think_seconds']} s); "
        f"load average {summary['load_average']}"
    )
    print()
    print(f"{'page':<18} {'visits':>7} {'p50 s':>8} {'p95 s':>8} {'max s':>8}")
    for row in summary["latency"]:
        print(
            f"{row['page']:<18} {row['visits']:>7} "
            f"{row['p50_s']:>8.3f} {row['p95_s']:>8.3f} {row['max_s']:>8.3f}"
        )
    jobs = summary["jobs"]
    print()
    print(
        f"errors {summary['errors']}; isolation violations {summary['isolation_violations']}; "
        f"jobs submitted {jobs['submitted']}, served {jobs['served']}, served twice "
        f"{jobs['served_twice']}, lost {jobs['lost']}, left queued/running {jobs['left_active']}"
    )
    for job in jobs["jobs"]:
        print(
            f"  job {job['job']} from session {job['session']} (replica {job['submitted_on']}): "
            f"{job.get('status')} on worker {job.get('worker')} (replica {job.get('served_by')}), "
            f"started {job.get('starts')}×, {job.get('seconds')} s"
        )
    for line in (
        summary["error_details"][:10] + summary["violation_details"][:10] + summary["job_problems"][:10]
    ):
        print(f"  ! {line}")
    print()
    for name, ok in summary["checks"].items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
