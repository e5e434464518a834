"""Long-lived handles shared by every session of this app process (``st.cache_resource``).

The store (database engine) and the job manager (training worker process) are created once
per process. Never mutate what these return from a page; call their methods.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import streamlit as st

from mlcore.jobs import JobManager
from store import Store, StoreError, default_home


def home() -> Path:
    """``MOATLAB_HOME`` (created when missing)."""
    h = default_home()
    h.mkdir(parents=True, exist_ok=True)
    return h


@st.cache_resource(show_spinner=False)
def _store(url_key: str, home_key: str) -> Store:
    return Store()


def get_store() -> Store:
    """The process's store for the current ``MOATLAB_HOME`` / ``DATABASE_URL``."""
    return _store(os.environ.get("DATABASE_URL", ""), str(home()))


@st.cache_resource(show_spinner=False)
def _jobs(url_key: str, home_key: str) -> JobManager:
    start = os.environ.get("MOATLAB_START_WORKER", "1") != "0"
    return JobManager(get_store(), home(), start_worker=start)


def get_jobs() -> JobManager:
    """The process's job manager (starts the training worker on first use)."""
    return _jobs(os.environ.get("DATABASE_URL", ""), str(home()))


def store_or_error() -> Store | None:
    """The store, or None after showing what to fix when the database cannot be opened."""
    from ui.i18n import t

    try:
        return get_store()
    except StoreError as exc:
        st.error(t("error.store", reason=str(exc)))
        return None


@contextlib.contextmanager
def store_guard() -> Iterator[None]:
    """Show a store failure inside the block as a clear message and end this (fragment) run.

    A database that is down or locked mid-session must never become a traceback; the next
    rerun (or the next poll of a fragment) tries again.
    """
    from ui.i18n import t

    try:
        yield
    except StoreError as exc:
        st.error(t("error.store", reason=str(exc)), icon=":material/database:")
        st.stop()
