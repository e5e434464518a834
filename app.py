"""Moatlab: the router. Page config, navigation sections, the sidebar context, then the page."""

from __future__ import annotations

import streamlit as st

from mlcore.runs import get_run, latest_completed
from present.page_registry import sections
from present.theme import FAVICON
from store import StoreError
from ui.components.scenario_work import active_scenario_picker, show_notice
from ui.components.widgets import house_style, sidebar_context
from ui.session.auth import account_sidebar, sign_in_gate
from ui.session.capacity import script_slot, session_gate
from ui.session.i18n import apply_url_style, t
from ui.session.share_gate import link_pending
from ui.session.state import get_store, start_worker_early

st.set_page_config(page_title="Moatlab", page_icon=str(FAVICON), layout="wide")  # bundled: no outside request
ignored = apply_url_style()  # every number this run writes (language, currency, rate), chart images
house_style()  # texts wrap instead of being cut, rows of cards wrap

pages = {
    t(section): [
        st.Page(p.file, title=t(p.title_key), icon=p.icon, default=p.default, url_path=p.key) for p in specs
    ]
    for section, specs in sections().items()
}
admitted = session_gate()  # this replica full (MOATLAB_MAX_SESSIONS): the "at capacity" page only
signed_in = admitted and sign_in_gate()  # sign-in configured and nobody signed in: the sign-in page only
navigation = st.navigation(pages, position="sidebar" if signed_in else "hidden")
if not signed_in:
    st.stop()
if link_pending(st.query_params, st.session_state):  # the sharing code loads only for a link
    from ui.views.share import open_shared_link, show_link_problem

    open_shared_link(navigation.url_path or "overview")  # a ?share= link, once per session
    show_link_problem()
if ignored:
    st.warning(t("sidebar.bad_style", params=", ".join(ignored)), icon=":material/currency_exchange:")

active = None
store = None
try:  # a store problem is explained by the page itself; the sidebar just shows no run
    store = get_store()
    run_param = st.query_params.get("run")
    active = get_run(store, run_param) if run_param else latest_completed(store)
except StoreError:
    active = None
sidebar_context(
    active.name if active else None,
    active.id if active else None,
    lambda: active_scenario_picker(store),  # the active scenario, chosen here on every page
)
show_notice()  # why the link's scenario could not be opened, whichever page it opens
account_sidebar()

with script_slot():  # at most MOATLAB_SCRIPT_SLOTS page scripts at once on this replica
    navigation.run()
start_worker_early()  # the page is drawn: the training worker loads TensorFlow while the user reads
