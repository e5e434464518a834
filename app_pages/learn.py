"""Learn: the article's sections 3–4 made interactive, on the run's own network."""

from __future__ import annotations

import streamlit as st

from ui.session.i18n import t
from ui.views.learn import render_gradient_descent, render_loss_functions, render_network

st.title(t("learn.title"))
st.caption(t("learn.lead"))

loss_tab, descent_tab, network_tab = st.tabs(
    [t("learn.tab.loss"), t("learn.tab.descent"), t("learn.tab.network")]
)
with loss_tab:
    render_loss_functions()
with descent_tab:
    render_gradient_descent()
with network_tab:
    render_network()
