"""The monitor of one running job: a background thread that beats the job's heart, publishes its
latest progress, saves the record after each epoch and picks up a stop request.

Times: ``HEARTBEAT_SECONDS`` between beats of a queued job's ``jobs`` row;
``FOREGROUND_BEAT_SECONDS`` at most between touches of a foreground run's ``runs`` row (the
command line has no ``jobs`` row for a training). Both in wall-clock seconds.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from mlcore.specs import EpochReport, RunRecord, StageReport
from mlcore.tasks import TaskProgress
from store import Store, StoreError

log = logging.getLogger("moatlab.worker")

HEARTBEAT_SECONDS = 0.3
FOREGROUND_BEAT_SECONDS = 5.0


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobMonitor:
    """Background thread for one job: heartbeat + latest progress, saved epochs, stop flag.

    The training thread only hands objects over (:meth:`publish`, :meth:`save_record`); this
    thread serialises them and talks to the database, so a slow database never stalls training.
    A queued job (``in_store=True``) beats its ``jobs`` row every ``HEARTBEAT_SECONDS``, which
    publishes the latest progress and picks up a stop request from the web. A foreground run
    (the command line, no ``jobs`` row) instead touches its ``runs`` row at least every
    ``FOREGROUND_BEAT_SECONDS``, so a killed command line is recognised as stale and marked
    ``interrupted`` by :func:`recover_interrupted`.
    """

    def __init__(
        self,
        store: Store,
        job_id: str,
        *,
        run_id: str | None = None,
        in_store: bool = True,
        stop_event: threading.Event | None = None,
        on_report: Callable[[Any], None] | None = None,
        parent_pid: int = 0,
    ) -> None:
        self.store = store
        self.job_id = job_id
        self.parent_pid = parent_pid
        self.orphaned = False
        self.run_id = run_id
        self.in_store = in_store
        self.stop_event = stop_event or threading.Event()
        self._on_report = on_report
        self._latest: EpochReport | TaskProgress | StageReport | None = None
        self._sent: EpochReport | TaskProgress | StageReport | None = None
        self._pending: RunRecord | None = None
        self.last_record: RunRecord | None = None
        self._last_touch = time.monotonic()
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="job-monitor", daemon=True)

    def publish(self, report: EpochReport | TaskProgress) -> None:
        """Keep the latest report (called from the training thread; never blocks on I/O)."""
        with self._lock:
            self._latest = report
        if self._on_report is not None:
            self._on_report(report)

    def publish_stage(self, report: StageReport) -> None:
        """Keep what the job does before its first progress report, for the next beat (the
        command line's ``on_report`` only takes progress, so it is not told)."""
        with self._lock:
            self._latest = report

    def save_record(self, record: RunRecord) -> None:
        """Queue the record so far (after an epoch) for the next beat; the newest one wins."""
        with self._lock:
            self._pending = record
            self.last_record = record

    def start(self) -> None:
        self._thread.start()

    def _beat(self) -> None:
        if self.parent_pid and not self.orphaned and not pid_alive(self.parent_pid):
            # The app that started this worker is gone: stop at the next batch, end interrupted.
            self.orphaned = True
            self.stop_event.set()
        self._flush_record()
        if not self.in_store:
            self._touch_run()
            return
        with self._lock:
            report = self._latest
        progress = None
        if report is not None and report is not self._sent:
            progress = json.dumps(report.to_dict(), allow_nan=False)
        try:
            if self.store.heartbeat(self.job_id, progress=progress):
                self.stop_event.set()
            self._sent = report if progress is not None else self._sent
        except StoreError as exc:
            log.warning("heartbeat failed: %s", exc)

    def _flush_record(self) -> None:
        with self._lock:
            record, self._pending = self._pending, None
        if record is None:
            return
        try:
            self.store.save_progress(self.job_id, record.id, record.to_json())
            self._last_touch = time.monotonic()
        except StoreError as exc:
            log.warning("saving progress of run %s failed: %s", record.id, exc)
            with self._lock:
                self._pending = self._pending or record  # retry on the next beat

    def _touch_run(self) -> None:
        now = time.monotonic()
        if self.run_id is None or now - self._last_touch < FOREGROUND_BEAT_SECONDS:
            return
        try:
            self.store.update_run(self.run_id)  # bumps updated_at only
            self._last_touch = now
        except StoreError as exc:
            log.warning("run heartbeat failed: %s", exc)

    def _run(self) -> None:
        while not self._done.wait(HEARTBEAT_SECONDS):
            self._beat()

    def close(self) -> None:
        """Stop the thread after a last beat (saves a pending record and the last progress)."""
        self._done.set()
        self._thread.join(timeout=60)  # a beat waits at most for the database's busy timeout
        if self._thread.is_alive():
            log.warning("the monitor of job %s is stuck on the database", self.job_id)
            return
        self._beat()
