"""Scenarios: the business case of a run — projection, KPIs, Monte Carlo and sensitivity.

The page edits the active scenario (chosen in the sidebar, ``?scenario=``: a template or a saved
one); the run that drives its accuracy, retraining and serving cost is chosen here and saved with it.
"""

from __future__ import annotations

import streamlit as st

from ui.components.exports import export_buttons, share_button
from ui.components.scenario_work import current_work, manager_bar
from ui.session.i18n import t
from ui.session.state import store_or_error
from ui.views.scenarios import editor, results, run_binding
from ui.views.share import import_box

st.title(t("scenario.title"))
st.caption(t("scenario.lead"))

store = store_or_error()
if store is None:
    st.stop()
work = current_work(store)  # the active scenario, chosen in the sidebar
manager_bar(store, work)
share_col, export_col = st.columns([1, 3], vertical_alignment="center")
with share_col:
    share_button(work, "scenarios")
with export_col, st.expander(t("scenario.export_import"), icon=":material/ios_share:"):
    export_buttons(store, work)
    import_box()
run_binding(store, work)
with st.expander(t("scenario.edit"), expanded=False, icon=":material/edit:"):
    editor(work)
results(store, work)
