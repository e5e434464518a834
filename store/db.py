"""The store facade: one :class:`Store` per database, composing the repositories.

The pieces live in their own modules: the engine, errors and clock (:mod:`store.engine`), the
tables (:mod:`store.schema`), the ordered migrations (:mod:`store.migrations`), owners and
scopes (:mod:`store.owners`) and one repository each for runs (:mod:`store.runs`), jobs and their
claims (:mod:`store.jobs`) and scenarios (:mod:`store.scenarios`). :class:`Store` keeps the
method names the app, the worker and the command lines call; each delegates to its repository.
The names below are re-exported so ``from store.db import …`` keeps working.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection, Engine

from store.engine import (
    Clock,
    Database,
    DatabaseDamaged,
    StoreError,
    damaged,
    default_home,
    default_url,
    redact_url,
)
from store.jobs import QUICK_KINDS, RUN_GONE, TRAIN_KIND, JobRepository, JobRow, JobStatus
from store.migrations import SCHEMA_VERSION, initialise
from store.owners import LOCAL_OWNER, OWNER_MAX, Scope, owner_id
from store.runs import RunRepository
from store.scenarios import OwnerError, ScenarioRepository
from store.schema import SCENARIO_NAME_MAX, jobs_table, meta_table, metadata, runs_table, scenarios_table

__all__ = [
    "LOCAL_OWNER",
    "OWNER_MAX",
    "QUICK_KINDS",
    "RUN_GONE",
    "SCENARIO_NAME_MAX",
    "SCHEMA_VERSION",
    "TRAIN_KIND",
    "DatabaseDamaged",
    "JobRow",
    "JobStatus",
    "OwnerError",
    "Store",
    "StoreError",
    "damaged",
    "default_home",
    "default_url",
    "jobs_table",
    "meta_table",
    "metadata",
    "redact_url",
    "runs_table",
    "scenarios_table",
]


class Store:
    """Runs, jobs and saved revenue scenarios in one database. Safe to share between threads and processes.

    Every method is one transaction: a run record and its job change together or not at all.
    Methods raise :class:`StoreError` when the database is unreachable or locked too long.
    ``clock`` gives the time of every write (Unix epoch seconds; default :func:`time.time`).

    **Owners.** Runs, jobs and scenarios belong to an owner (a signed-in user's id, or
    :data:`LOCAL_OWNER` when nobody signs in; NULL in the database). ``Store(url)`` is
    *unscoped*: it reads every owner's rows (the worker, recovery sweeps) and what it creates
    belongs to the local user. :meth:`scoped` gives an owner's view of the same database (same
    engine): its reads, renames, deletes, stops and run bindings only see that owner's rows
    (another owner's id behaves as "not found"), and everything it creates is stamped with the
    owner. The worker-side methods (see :class:`~store.jobs.JobRepository`) act on the ids the
    queue handed out and ignore the scope; a worker writes the run row its submitter created,
    whose owner was set at submit time.
    """

    def __init__(
        self, url: str | None = None, *, busy_timeout_seconds: float = 30.0, clock: Clock = time.time
    ) -> None:
        self._db = Database(url or default_url(), busy_timeout_seconds=busy_timeout_seconds, clock=clock)
        self._compose(Scope(None))
        try:
            initialise(self._db)
        finally:
            self._db.creating = False

    def _compose(self, scope: Scope) -> None:
        self._scope = scope
        self.runs = RunRepository(self._db, scope)
        self.jobs = JobRepository(self._db, scope, self.runs)
        self.scenarios = ScenarioRepository(self._db, scope, self.runs)

    # ------------------------------------------------------------------ the database
    @property
    def url(self) -> str:
        return self._db.url

    @property
    def is_sqlite(self) -> bool:
        return self._db.is_sqlite

    @property
    def is_postgres(self) -> bool:
        return self._db.is_postgres

    @property
    def sqlite_path(self) -> Any:
        """The SQLite file (None for PostgreSQL and in-memory SQLite)."""
        return self._db.sqlite_path

    @property
    def owner(self) -> str | None:
        """Whose rows this store sees: None for every owner (unscoped), else an owner id."""
        return self._scope.owner

    @property
    def _engine(self) -> Engine:
        return self._db.engine

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._db.tx() as conn:
            yield conn

    def check_integrity(self) -> None:
        """SQLite's integrity check of the file (:meth:`store.engine.Database.check_integrity`)."""
        self._db.check_integrity()

    def dispose(self) -> None:
        """Close pooled connections (call in a child process after fork/spawn)."""
        self._db.dispose()

    def scoped(self, owner: str | None) -> Store:
        """This database as ``owner`` sees it (None: the local user, :data:`LOCAL_OWNER`).

        Cheap (no new connection pool): the view shares this store's engine, so
        :meth:`dispose` on either closes both. ValueError for an empty or too long owner id.
        """
        view = copy.copy(self)
        view._compose(Scope(owner_id(owner)))
        return view

    # ------------------------------------------------------------------ runs
    def insert_run(self, row: dict[str, Any]) -> None:
        """:meth:`store.runs.RunRepository.insert_run`."""
        self.runs.insert_run(row)

    def patch_run_record(self, run_id: str, **fields: Any) -> bool:
        """:meth:`store.runs.RunRepository.patch_run_record`."""
        return self.runs.patch_run_record(run_id, **fields)

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """:meth:`store.runs.RunRepository.get_run`."""
        return self.runs.get_run(run_id)

    def list_runs(self) -> list[dict[str, Any]]:
        """:meth:`store.runs.RunRepository.list_runs`."""
        return self.runs.list_runs()

    def update_run(self, run_id: str, *, status: str | None = None, record: str | None = None) -> None:
        """:meth:`store.runs.RunRepository.update_run`."""
        self.runs.update_run(run_id, status=status, record=record)

    def rename_run(self, run_id: str, name: str) -> bool:
        """:meth:`store.runs.RunRepository.rename_run`."""
        return self.runs.rename_run(run_id, name)

    def delete_run(self, run_id: str) -> bool:
        """:meth:`store.runs.RunRepository.delete_run`."""
        return self.runs.delete_run(run_id)

    # ------------------------------------------------------------------ scenarios
    def unique_scenario_name(self, name: str) -> str:
        """:meth:`store.scenarios.ScenarioRepository.unique_scenario_name`."""
        return self.scenarios.unique_scenario_name(name)

    def save_scenario(
        self, name: str, document: str, *, run_id: str | None = None, scenario_id: str | None = None
    ) -> str:
        """:meth:`store.scenarios.ScenarioRepository.save_scenario`."""
        return self.scenarios.save_scenario(name, document, run_id=run_id, scenario_id=scenario_id)

    def get_scenario(self, scenario_id: str) -> dict[str, Any] | None:
        """:meth:`store.scenarios.ScenarioRepository.get_scenario`."""
        return self.scenarios.get_scenario(scenario_id)

    def list_scenarios(self) -> list[dict[str, Any]]:
        """:meth:`store.scenarios.ScenarioRepository.list_scenarios`."""
        return self.scenarios.list_scenarios()

    def rename_scenario(self, scenario_id: str, name: str) -> bool:
        """:meth:`store.scenarios.ScenarioRepository.rename_scenario`."""
        return self.scenarios.rename_scenario(scenario_id, name)

    def duplicate_scenario(self, scenario_id: str, name: str | None = None) -> str | None:
        """:meth:`store.scenarios.ScenarioRepository.duplicate_scenario`."""
        return self.scenarios.duplicate_scenario(scenario_id, name)

    def delete_scenario(self, scenario_id: str) -> bool:
        """:meth:`store.scenarios.ScenarioRepository.delete_scenario`."""
        return self.scenarios.delete_scenario(scenario_id)

    # ------------------------------------------------------------------ jobs
    def submit(self, run_row: dict[str, Any], job_row: dict[str, Any]) -> None:
        """:meth:`store.jobs.JobRepository.submit`."""
        self.jobs.submit(run_row, job_row)

    def submit_job(self, job_row: dict[str, Any]) -> None:
        """:meth:`store.jobs.JobRepository.submit_job`."""
        self.jobs.submit_job(job_row)

    def start_job(self, job_row: dict[str, Any], worker_id: str) -> None:
        """:meth:`store.jobs.JobRepository.start_job`."""
        self.jobs.start_job(job_row, worker_id)

    def get_job(self, job_id: str) -> JobRow | None:
        """:meth:`store.jobs.JobRepository.get_job`."""
        return self.jobs.get_job(job_id)

    def job_for_run(self, run_id: str, *, kind: str = TRAIN_KIND) -> JobRow | None:
        """:meth:`store.jobs.JobRepository.job_for_run`."""
        return self.jobs.job_for_run(run_id, kind=kind)

    def active_jobs(self, *, include_quick: bool = False) -> list[JobRow]:
        """:meth:`store.jobs.JobRepository.active_jobs`."""
        return self.jobs.active_jobs(include_quick=include_quick)

    def queue_position(self, job_id: str) -> int | None:
        """:meth:`store.jobs.JobRepository.queue_position`."""
        return self.jobs.queue_position(job_id)

    def claim_job(
        self, worker_id: str, *, max_running: int = 1, quick: bool = False, within: str = ""
    ) -> JobRow | None:
        """:meth:`store.jobs.JobRepository.claim_job`."""
        return self.jobs.claim_job(worker_id, max_running=max_running, quick=quick, within=within)

    def release_claim(self, job_id: str, worker_id: str) -> bool:
        """:meth:`store.jobs.JobRepository.release_claim`."""
        return self.jobs.release_claim(job_id, worker_id)

    def heartbeat(self, job_id: str, *, progress: str | None = None) -> bool:
        """:meth:`store.jobs.JobRepository.heartbeat`."""
        return self.jobs.heartbeat(job_id, progress=progress)

    def request_stop(self, job_id: str) -> str | None:
        """:meth:`store.jobs.JobRepository.request_stop`."""
        return self.jobs.request_stop(job_id)

    def save_progress(self, job_id: str, run_id: str, record: str) -> None:
        """:meth:`store.jobs.JobRepository.save_progress`."""
        self.jobs.save_progress(job_id, run_id, record)

    def finish_job(
        self, job_id: str, run_id: str, *, status: str, record: str, error: str | None = None
    ) -> None:
        """:meth:`store.jobs.JobRepository.finish_job`."""
        self.jobs.finish_job(job_id, run_id, status=status, record=record, error=error)

    def finish_task(
        self,
        job_id: str,
        *,
        status: str,
        result: str | None = None,
        error: str | None = None,
        run_id: str | None = None,
        run_fields: dict[str, Any] | None = None,
    ) -> bool:
        """:meth:`store.jobs.JobRepository.finish_task`."""
        return self.jobs.finish_task(
            job_id, status=status, result=result, error=error, run_id=run_id, run_fields=run_fields
        )

    def fail_running(
        self, *, status: str, reason: str, worker_id: str | None = None, stale_before: float | None = None
    ) -> list[str]:
        """:meth:`store.jobs.JobRepository.fail_running`."""
        return self.jobs.fail_running(
            status=status, reason=reason, worker_id=worker_id, stale_before=stale_before
        )

    def prune_jobs(self, kind: str, *, finished_before: float) -> int:
        """:meth:`store.jobs.JobRepository.prune_jobs`."""
        return self.jobs.prune_jobs(kind, finished_before=finished_before)

    def running_worker_ids(self) -> list[str]:
        """:meth:`store.jobs.JobRepository.running_worker_ids`."""
        return self.jobs.running_worker_ids()
