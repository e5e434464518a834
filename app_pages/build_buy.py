"""Build vs buy: your own model against a per-call API, a self-hosted open LLM against paid APIs, and
the economic-advantage scorecard, all for the active scenario (chosen in the sidebar, ``?scenario=``)."""

from __future__ import annotations

import streamlit as st

from ui.components.catalog import active_catalog
from ui.session.i18n import t
from ui.session.state import store_or_error
from ui.views.build_buy import active_chosen, advantage_tab, own_vs_api_tab
from ui.views.build_buy_llm import llm_tab

st.title(t("buildbuy.title"))
st.caption(t("buildbuy.lead"))

store = store_or_error()
if store is None:
    st.stop()
chosen = active_chosen(store)
if chosen is None:
    st.stop()

own_tab, llm_tab_, advantage_tab_ = st.tabs(
    [t("buildbuy.tab.own"), t("buildbuy.tab.llm"), t("buildbuy.tab.advantage")]
)
with own_tab:
    own_vs_api_tab(chosen)
with llm_tab_:
    llm_tab(active_catalog())
with advantage_tab_:
    advantage_tab(chosen)
