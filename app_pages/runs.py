"""Runs: every run ever made; filter, sort, rename, delete, download, compare."""

from __future__ import annotations

import streamlit as st

from mlcore.runs import list_runs
from present.page_registry import page_file
from present.tables import csv_bytes, filter_runs, runs_frame
from ui.components.widgets import empty_state
from ui.session.i18n import t
from ui.session.state import store_guard, store_or_error
from ui.views.runs import actions, compare, filters, table

st.title(t("runs.title"))
st.caption(t("runs.lead"))
store = store_or_error()
if store is None:
    st.stop()
with store_guard():
    runs = list_runs(store)
if not runs:
    empty_state(t("runs.empty"), page=page_file("train"), link_label=t("overview.go_train"))
    st.stop()

text, datasets, statuses = filters(runs)
shown = filter_runs(runs, text=text, datasets=datasets, statuses=statuses)
st.caption(t("runs.count", shown=len(shown), total=len(runs)))
selected = table(shown)
st.download_button(
    t("runs.download_csv"),
    data=lambda: csv_bytes(runs_frame(shown, t)),
    file_name="moatlab-runs.csv",
    mime="text/csv",
    on_click="ignore",
    key="download_runs_csv",
    icon=":material/download:",
)
if not selected:
    st.info(t("runs.select_hint"), icon=":material/touch_app:")
elif len(selected) == 1:
    with store_guard():
        actions(store, selected[0])
else:
    compare(selected)
