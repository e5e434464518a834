"""Overview: the active scenario's business case as a dashboard, ready to share, and the
article's chain (AI → large model → startup → economic advantage) as the map of the app."""

from __future__ import annotations

import streamlit as st

from ui.session.i18n import t

# The title first: on a cold server the dashboard's modules (the economics, the report builder,
# plotly) take about half a second to load, and the page should not stay blank meanwhile.
st.title(t("overview.title"))
st.markdown(t("overview.lead"))

from mlcore.runs import latest_completed  # noqa: E402
from present.chain import ChainNode, chain_html  # noqa: E402
from present.page_registry import page_file  # noqa: E402
from ui.components.scenario_work import current_work  # noqa: E402
from ui.components.widgets import empty_state  # noqa: E402
from ui.session.state import store_guard, store_or_error  # noqa: E402
from ui.views.overview import dashboard  # noqa: E402

store = store_or_error()
if store is not None:
    st.subheader(t("overview.case_title"))
    dashboard(store, current_work(store))  # the active scenario, chosen in the sidebar
    with store_guard():
        any_run = latest_completed(store) is not None
    if not any_run:
        empty_state(t("overview.no_runs"), page=page_file("train"), link_label=t("overview.go_train"))

steps = [("ai", "train"), ("model", "train"), ("startup", "runs"), ("advantage", "runs")]
st.subheader(t("overview.chain"))
st.markdown(
    chain_html(
        [ChainNode(t(f"chain.{k}"), t(f"chain.{k}.caption"), path) for k, path in steps],
        title=t("overview.chain"),
    ),
    unsafe_allow_html=True,
)
cols = st.columns(len(steps))
for col, (key, path) in zip(cols, steps, strict=True):
    with col:
        st.page_link(page_file(path), label=t(f"chain.{key}.link"), icon=":material/arrow_forward:")
        st.caption(t(f"chain.{key}.about"))
