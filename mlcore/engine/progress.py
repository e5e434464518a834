"""Task progress and timestamps shared by the inference benchmark and the experiments."""

from __future__ import annotations

import time
from collections.abc import Callable

from mlcore.tasks import TaskProgress

ProgressFn = Callable[[TaskProgress], None]


def report_progress(on_progress: ProgressFn | None, t0: float, step: int, steps: int, message: str) -> None:
    """Hand ``on_progress`` a :class:`~mlcore.tasks.TaskProgress`: ``step`` of ``steps`` done,
    seconds since ``t0`` (a ``time.perf_counter()`` reading) and the seconds left at that pace
    (None before the first step). Nothing when ``on_progress`` is None."""
    if on_progress is None:
        return
    elapsed = time.perf_counter() - t0
    eta = elapsed / step * (steps - step) if step else None
    on_progress(TaskProgress(step, steps, message, elapsed, eta))


def utc_now_iso() -> str:
    """The current UTC time to the second, ISO 8601 (``2026-11-29T14:03:07Z``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
