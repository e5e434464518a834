"""Long-lived handles shared by every session of this app process (``st.cache_resource``).

The store (database engine) and the job manager (training worker process) are created once
per process. Never mutate what these return from a page; call their methods.

Pages only ever get them through :func:`get_store` and :func:`get_jobs`, which scope them to
the session's owner (:func:`ui.session.auth.current_owner`: the signed-in user, or the one local user
without sign-in), so no page can list, open, change or bind another user's runs and scenarios.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import streamlit as st

import settings
from mlcore.jobs import ExecutorError, JobManager, JobView, executor_name, make_job_manager
from mlcore.specs import SpecError, TrainRequest
from store import DatabaseDamaged, Store, StoreError, default_home
from ui.session.auth import current_owner


def home() -> Path:
    """``MOATLAB_HOME`` (created when missing)."""
    h = default_home()
    h.mkdir(parents=True, exist_ok=True)
    return h


@st.cache_resource(show_spinner=False)
def _store(url_key: str, home_key: str) -> Store:
    return Store()


def _database_key() -> str:
    """The ``DATABASE_URL`` setting as a cache key (empty: SQLite under the home)."""
    return str(settings.read("DATABASE_URL") or "")


def _process_store() -> Store:
    """The process's unscoped store (every owner's rows): for the job manager only."""
    return _store(_database_key(), str(home()))


def get_store() -> Store:
    """The process's store for the current ``MOATLAB_HOME`` / ``DATABASE_URL``, scoped to this
    session's owner (a view on the one cached engine). Stops the script when sign-in is
    configured and nobody is signed in (the router's gate has already said why)."""
    owner = current_owner()
    if owner is None:
        st.stop()
    return _process_store().scoped(owner)


@st.cache_resource(show_spinner=False)
def _jobs(url_key: str, home_key: str, executor_key: str) -> JobManager:
    start = bool(settings.read("MOATLAB_START_WORKER"))
    return make_job_manager(_process_store(), home(), start_worker=start)  # MOATLAB_EXECUTOR


class OwnerJobs:
    """The process's :class:`~mlcore.jobs.JobManager` as one owner sees it: training runs are
    submitted as the owner, and only the owner's jobs can be watched, listed or stopped (another
    owner's job id reads as unknown). The worker and its supervisor stay shared."""

    def __init__(self, manager: JobManager, store: Store) -> None:
        self._manager = manager
        self.store = store  # the owner's scoped view

    @property
    def worker_problem(self) -> str | None:
        """Why the training worker keeps failing to start (None when it is fine)."""
        return self._manager.worker_problem

    @property
    def worker_starting(self) -> bool:
        """Whether the training worker is still loading TensorFlow (a queued job waits for it)."""
        return self._manager.worker_starting

    def submit(self, request: TrainRequest) -> JobView:
        """Queue a training run owned by this owner; returns its view."""
        return self._manager.submit(request, owner=self.store.owner)

    def submit_task(self, run_id: str, kind: str, params: dict[str, Any] | None = None) -> JobView:
        """Queue a job on one of the owner's finished runs; SpecError when the run is not theirs
        (or does not exist), like :meth:`JobManager.submit_task`."""
        if self.store.get_run(run_id) is None:
            raise SpecError(f"run {run_id} does not exist")
        return self._manager.submit_task(run_id, kind, params)

    def view(self, job_id: str) -> JobView | None:
        """The job's current state, or None for an unknown id or another owner's job."""
        if self.store.get_job(job_id) is None:
            return None
        return self._manager.view(job_id)

    def latest_task(self, run_id: str, kind: str) -> JobView | None:
        """The newest ``kind`` job on one of the owner's runs, or None."""
        job = self.store.job_for_run(run_id, kind=kind)
        return self._manager.view(job["id"]) if job else None

    def view_for_run(self, run_id: str) -> JobView | None:
        """The newest training job of one of the owner's runs, or None."""
        job = self.store.job_for_run(run_id)
        return self._manager.view(job["id"]) if job else None

    def stop(self, job_id: str) -> str | None:
        """Ask one of the owner's jobs to stop (None for an unknown or another owner's job)."""
        return self.store.request_stop(job_id)

    def active(self) -> list[JobView]:
        """The owner's queued and running jobs, oldest first (positions count everyone's)."""
        return [v for j in self.store.active_jobs() if (v := self._manager.view(j["id"])) is not None]


def get_jobs() -> OwnerJobs:
    """The process's job manager (starts the training worker on first use), scoped to this
    session's owner like :func:`get_store`. A bad ``MOATLAB_EXECUTOR`` setting is shown as what
    to change and ends the script run."""
    try:
        manager = _jobs(_database_key(), str(home()), executor_name())
    except ExecutorError as exc:
        from ui.session.i18n import t

        st.error(t("error.executor", reason=str(exc)), icon=":material/error:")
        st.stop()
    return OwnerJobs(manager, get_store())


def start_worker_early() -> None:
    """Create the process's job manager, which starts the training worker, if nothing has yet.

    The router calls this at the end of every script run, after the page has been drawn: the
    first visit to any page starts the worker, so it loads TensorFlow (seconds) while the user
    reads the Overview instead of after they press Start. Silent: a bad executor setting or a
    store that cannot be opened is explained by the page that needs them.
    """
    try:
        _jobs(_database_key(), str(home()), executor_name())
    except (ExecutorError, StoreError, OSError):
        pass


def store_problem(exc: StoreError) -> None:
    """Show why the database cannot be used: a damaged SQLite file says what is wrong and where its
    copy is (reloading will not help); anything else is passing (busy, unreachable)."""
    from ui.session.i18n import t

    if isinstance(exc, DatabaseDamaged):
        kept = (
            t("error.store_damaged_copy", backup=str(exc.backup))
            if exc.backup is not None
            else t("error.store_damaged_no_copy", reason=exc.copy_error or "?")
        )
        st.error(t("error.store_damaged", problem=exc.problem, kept=kept), icon=":material/error:")
        return
    st.error(t("error.store", reason=str(exc)), icon=":material/database:")


def store_or_error() -> Store | None:
    """The store, or None after showing what to fix when the database cannot be opened."""
    try:
        return get_store()
    except StoreError as exc:
        store_problem(exc)
        return None


@contextlib.contextmanager
def store_guard() -> Iterator[None]:
    """Show a store failure inside the block as a clear message and end this (fragment) run.

    A database that is down or locked mid-session must never become a traceback; the next
    rerun (or the next poll of a fragment) tries again.
    """
    try:
        yield
    except StoreError as exc:
        store_problem(exc)
        st.stop()
