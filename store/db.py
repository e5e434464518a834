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
import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, Engine

from store.engine import Clock, Database, DatabaseDamaged, StoreError, default_home, default_url, redact_url
from store.jobs import RUN_GONE, JobRepository
from store.migrations import SCHEMA_VERSION, initialise
from store.owners import Scope, owner_id
from store.runs import RunRepository
from store.scenarios import ScenarioRepository
from store.schema import jobs_table, meta_table, runs_table, scenarios_table

#: What ``from store.db import …`` offered before the store was split into modules.
__all__ = [
    "RUN_GONE",
    "SCHEMA_VERSION",
    "DatabaseDamaged",
    "Store",
    "StoreError",
    "default_home",
    "default_url",
    "jobs_table",
    "meta_table",
    "redact_url",
    "runs_table",
    "scenarios_table",
]

F = TypeVar("F", bound=Callable[..., Any])


def _delegate(repository: str, method: F) -> F:
    """A :class:`Store` method that calls ``method`` on the store's ``repository`` attribute
    (``runs``, ``jobs`` or ``scenarios``), with its name, signature and docstring."""

    @functools.wraps(method)
    def call(self: Store, *args: Any, **kwargs: Any) -> Any:
        return method(getattr(self, repository), *args, **kwargs)

    return call  # type: ignore[return-value]


class Store:
    """Runs, jobs and saved revenue scenarios in one database. Safe to share between threads and processes.

    Every method is one transaction: a run record and its job change together or not at all.
    Methods raise :class:`~store.engine.StoreError` when the database is unreachable or locked too long.
    ``clock`` gives the time of every write (Unix epoch seconds; default :func:`time.time`).

    **Owners.** Runs, jobs and scenarios belong to an owner (a signed-in user's id, or
    :data:`~store.owners.LOCAL_OWNER` when nobody signs in; NULL in the database). ``Store(url)`` is
    *unscoped*: it reads every owner's rows (the worker, recovery sweeps) and what it creates
    belongs to the local user. :meth:`scoped` gives an owner's view of the same database (same
    engine): its reads, renames, deletes, stops and run bindings only see that owner's rows
    (another owner's id behaves as "not found"), and everything it creates is stamped with the
    owner. The worker-side methods (see :class:`~store.jobs.JobRepository`) act on the ids the
    queue handed out and ignore the scope; a worker writes the run row its submitter created,
    whose owner was set at submit time.

    Each query method is its repository's (:attr:`runs`, :attr:`jobs`, :attr:`scenarios`),
    under the same name, signature and docstring.
    """

    def __init__(
        self, url: str | None = None, *, busy_timeout_seconds: float = 30.0, clock: Clock = time.time
    ) -> None:
        self._db = Database(url or default_url(), busy_timeout_seconds=busy_timeout_seconds, clock=clock)
        db = self._db
        #: The URL, its dialect and (SQLite) the database file (None for PostgreSQL and memory).
        self.url, self.is_sqlite, self.is_postgres, self.sqlite_path = (
            db.url,
            db.is_sqlite,
            db.is_postgres,
            db.sqlite_path,
        )
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
        """This database as ``owner`` sees it (None: the local user, :data:`~store.owners.LOCAL_OWNER`).

        Cheap (no new connection pool): the view shares this store's engine, so
        :meth:`dispose` on either closes both. ValueError for an empty or too long owner id.
        """
        view = copy.copy(self)
        view._compose(Scope(owner_id(owner)))
        return view

    # ------------------------------------------------------------------ runs
    insert_run = _delegate("runs", RunRepository.insert_run)
    patch_run_record = _delegate("runs", RunRepository.patch_run_record)
    get_run = _delegate("runs", RunRepository.get_run)
    list_runs = _delegate("runs", RunRepository.list_runs)
    update_run = _delegate("runs", RunRepository.update_run)
    rename_run = _delegate("runs", RunRepository.rename_run)
    delete_run = _delegate("runs", RunRepository.delete_run)

    # ------------------------------------------------------------------ scenarios
    unique_scenario_name = _delegate("scenarios", ScenarioRepository.unique_scenario_name)
    save_scenario = _delegate("scenarios", ScenarioRepository.save_scenario)
    get_scenario = _delegate("scenarios", ScenarioRepository.get_scenario)
    list_scenarios = _delegate("scenarios", ScenarioRepository.list_scenarios)
    rename_scenario = _delegate("scenarios", ScenarioRepository.rename_scenario)
    duplicate_scenario = _delegate("scenarios", ScenarioRepository.duplicate_scenario)
    delete_scenario = _delegate("scenarios", ScenarioRepository.delete_scenario)

    # ------------------------------------------------------------------ jobs
    submit = _delegate("jobs", JobRepository.submit)
    submit_job = _delegate("jobs", JobRepository.submit_job)
    start_job = _delegate("jobs", JobRepository.start_job)
    get_job = _delegate("jobs", JobRepository.get_job)
    job_for_run = _delegate("jobs", JobRepository.job_for_run)
    active_jobs = _delegate("jobs", JobRepository.active_jobs)
    queue_position = _delegate("jobs", JobRepository.queue_position)
    claim_job = _delegate("jobs", JobRepository.claim_job)
    release_claim = _delegate("jobs", JobRepository.release_claim)
    heartbeat = _delegate("jobs", JobRepository.heartbeat)
    request_stop = _delegate("jobs", JobRepository.request_stop)
    save_progress = _delegate("jobs", JobRepository.save_progress)
    finish_job = _delegate("jobs", JobRepository.finish_job)
    finish_task = _delegate("jobs", JobRepository.finish_task)
    fail_running = _delegate("jobs", JobRepository.fail_running)
    prune_jobs = _delegate("jobs", JobRepository.prune_jobs)
    running_worker_ids = _delegate("jobs", JobRepository.running_worker_ids)
