"""Compare: two to four scenarios side by side — KPIs and their differences, cash and revenue
overlaid, and the assumptions that differ."""

from __future__ import annotations

import streamlit as st

from ui.session.i18n import t
from ui.session.state import store_or_error
from ui.views.compare import render

st.title(t("compare.title"))
st.caption(t("compare.lead"))

store = store_or_error()
if store is None:
    st.stop()
render(store)
