"""Value of data: fit a run's learning curve and price more labels against what they earn.

The run comes from the picker (``?run=``); the curve from its sweep. Without a usable curve the
page says why and offers the sweep; with one it shows the purchase, the optimum and the fit.
"""

from __future__ import annotations

import streamlit as st

from ui.components.run_picker import pick_run
from ui.session.i18n import t
from ui.views.data_value import render

st.title(t("data_value.title"))
st.caption(t("data_value.lead"))

run = pick_run(key="data_value_run")
if run is None:
    st.stop()

render(run)
