"""A job on a finished run (evaluate, benchmark, sweep, repeat) as a page sees it: a start
button, then live progress with Stop, then how it ended. The work runs in the worker process;
this only submits and polls (:func:`ui.components.job_watch.watch_job` while it runs)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from mlcore.jobs import JobView
from mlcore.specs import RunRecord, SpecError
from present import format as fmt
from safetext import for_markdown
from store.schema import JobStatus
from ui.components.job_watch import watch_job
from ui.session.i18n import t
from ui.session.state import get_jobs, store_guard


def task_panel(
    run: RunRecord,
    kind: str,
    *,
    params: dict[str, Any] | None = None,
    start_label: str,
    key: str,
) -> JobView | None:
    """Show the newest ``kind`` job of ``run``: progress while it runs, its outcome after, and a
    button that starts a new one with ``params``. Returns the newest job's view (None: never run).
    """
    with store_guard():
        view = get_jobs().latest_task(run.id, kind)
    if view is not None and not view.finished:
        _watch(view.job_id, key=key)
        return view
    if view is not None and view.status == JobStatus.FAILED:
        st.error(t("task.failed", error=for_markdown(view.error or "?")), icon=":material/error:")
    elif view is not None and view.status in (JobStatus.STOPPED, JobStatus.INTERRUPTED):
        st.warning(
            t(f"task.{view.status}", error=for_markdown(view.error or "")), icon=":material/stop_circle:"
        )
    elif view is not None and view.status == JobStatus.COMPLETED and view.stop_requested:
        st.info(t("task.stop_too_late"), icon=":material/info:")  # the Stop came after the work
    if st.button(start_label, key=f"{key}_start", icon=":material/play_arrow:", type="primary"):
        try:
            with store_guard():
                get_jobs().submit_task(run.id, kind, params)
        except SpecError as exc:
            st.error(t("task.refused", reason=for_markdown(str(exc))))
            return view
        st.rerun()
    return view


def _watch(job_id: str, *, key: str) -> None:
    watch_job(
        job_id,
        lambda view, jobs: render_task_progress(view, worker_problem=jobs.worker_problem),
        stop=(t("task.stop"), f"{key}_stop"),
    )


def render_task_progress(view: JobView, *, worker_problem: str | None = None) -> None:
    """Queue position or progress bar with the current step, elapsed time and ETA."""
    if worker_problem and view.status == JobStatus.QUEUED:
        st.error(t("live.worker_problem", problem=for_markdown(worker_problem)), icon=":material/error:")
    if view.status == JobStatus.QUEUED:
        st.info(t("task.queued", position=view.queue_position or 1), icon=":material/schedule:")
        st.progress(0.0, text=t("live.waiting"))
        return
    p = view.task
    if p is None:
        st.progress(0.0, text=t("live.starting"))
    else:
        eta = fmt.fmt_duration(p.eta_seconds) if p.eta_seconds is not None else t("live.estimating")
        text = t(
            "task.progress",
            step=p.step,
            steps=p.steps,
            message=p.message,
            elapsed=fmt.fmt_duration(p.elapsed_seconds),
            eta=eta,
        )
        st.progress(p.fraction, text=text)
    if view.stop_requested:
        st.caption(t("live.stopping"))
