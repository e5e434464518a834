"""The one polling fragment: a running job redrawn every :data:`POLL_SECONDS` with a Stop button,
and the whole page rerun once the job has ended (so the page shows how it ended).

The work itself runs in the worker process; a page only reads the job's state from the store.
Streamlit cannot change a fragment's ``run_every`` from inside (see the field notes), so the page
calls :func:`watch_job` only while the job runs, and the fragment's first poll that sees the job
finished reruns the page, which then draws it without polling.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from mlcore.jobs import JobView
from ui.session.i18n import apply_url_style
from ui.session.state import OwnerJobs, get_jobs, store_guard

#: Seconds between two polls of a running job.
POLL_SECONDS = 0.5


def watch_job(
    job_id: str,
    render: Callable[[JobView, OwnerJobs], None],
    *,
    stop: tuple[str, str] | None = None,
    every_seconds: float = POLL_SECONDS,
) -> None:
    """Poll job ``job_id`` every ``every_seconds`` while it runs and draw it with
    ``render(view, jobs)``.

    ``stop`` is ``(label, widget key)`` of a Stop button under the drawing (None: no button);
    the button is disabled once a stop was asked for.
    """

    @st.fragment(run_every=every_seconds)
    def live() -> None:
        apply_url_style()  # a fragment rerun starts in a fresh context
        with store_guard():
            jobs = get_jobs()
            view = jobs.view(job_id)
        if view is None or view.finished:
            st.rerun()
        render(view, jobs)
        if stop is not None and st.button(
            stop[0], key=stop[1], icon=":material/stop:", disabled=view.stop_requested
        ):
            with store_guard():
                jobs.stop(job_id)
            st.rerun(scope="fragment")

    live()
