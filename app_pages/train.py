"""Train: pick data and a model, press Start, watch it learn live, read the measured summary."""

from __future__ import annotations

import streamlit as st

from mlcore.runs import get_run
from present.page_registry import page_file
from safetext import for_markdown
from store.schema import JobStatus
from ui.components.job_watch import watch_job
from ui.components.train_form import choose_data, model_form
from ui.session.i18n import t
from ui.session.state import get_jobs, store_guard, store_or_error
from ui.views.train import live_progress, next_steps, render_summary

st.title(t("train.title"))
st.caption(t("train.lead"))
store = store_or_error()
if store is None:
    st.stop()


def new_run() -> None:
    for key in ("job", "run"):
        st.query_params.pop(key, None)


job_id = st.query_params.get("job")
run_id = st.query_params.get("run")
if job_id:
    with store_guard():
        view = get_jobs().view(job_id)
    if view is None:
        st.warning(t("train.unknown_job"))
        st.button(t("train.new"), on_click=new_run, key="new_run_unknown")
    elif not view.finished:
        st.subheader(for_markdown(view.run.name if view.run else view.run_id))
        watch_job(job_id, live_progress, stop=(t("train.stop"), "stop_job"))
    else:
        if view.stop_requested and view.status == JobStatus.COMPLETED:  # the Stop came after the last epoch
            st.info(t("train.stop_too_late"), icon=":material/info:")
        if view.run is not None:
            render_summary(view.run)
            next_steps(view.run)
        c1, c2 = st.columns(2)
        c1.button(t("train.new"), on_click=new_run, key="new_run", icon=":material/add:")
        with c2:
            st.page_link(page_file("runs"), label=t("train.to_runs"), icon=":material/table_rows:")
elif run_id:
    with store_guard():
        run = get_run(store, run_id)
    if run is None:
        st.warning(t("train.unknown_run"))
    else:
        render_summary(run)
        next_steps(run)
    st.button(t("train.new"), on_click=new_run, key="new_run_from_run", icon=":material/add:")
else:
    choice = choose_data()
    if choice is not None:
        request = model_form(choice)
        if request is not None:
            with store_guard():
                submitted = get_jobs().submit(request)
            st.query_params["job"] = submitted.job_id
            st.rerun()
    with store_guard():
        active = get_jobs().active()
    if active:
        with st.expander(t("train.queue", n=len(active)), expanded=False):
            for v in active:
                label = t(f"status.{v.status}")
                pos = f" · #{v.queue_position}" if v.queue_position else ""
                kind = t(f"job.kind.{v.kind}")
                st.markdown(f"- {label}{pos} — {kind}: {for_markdown(v.run.name if v.run else v.run_id)}")
