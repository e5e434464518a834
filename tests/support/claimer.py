"""Run in separate processes by the concurrency test: claim jobs until the queue is empty."""

from __future__ import annotations

import time

from store import Store


def claim_all(url: str, worker_id: str, start_at: float) -> list[str]:
    """Claim jobs from ``url`` as ``worker_id`` (starting at ``start_at``) until none is left."""
    store = Store(url)
    time.sleep(max(0.0, start_at - time.time()))
    claimed = []
    try:
        while (job := store.claim_job(worker_id, max_running=1_000_000)) is not None:
            claimed.append(job["id"])
    finally:
        store.dispose()
    return claimed
