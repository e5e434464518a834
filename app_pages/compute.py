"""Compute cost: the measured run in dollars, training at scale on every catalog option, serving.

Each plan priced and each budget answered is recorded for the report (``present.explored``)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from present.explored import MAX_EXPLORED
from ui.components.catalog import active_catalog
from ui.components.run_picker import optional_run
from ui.session.i18n import t
from ui.session.state import store_or_error
from ui.views.catalog import catalog_panel
from ui.views.compute import (
    assumptions_form,
    production_panel,
    render_advice,
    render_budget,
    render_options,
    render_validation,
    work_form,
)
from ui.views.serving import run_cost_section, serving_section

st.title(t("compute.title"))
st.caption(t("compute.lead"))
catalog = active_catalog()
catalog_panel(catalog)
run = optional_run(key="compute_run")
store = store_or_error()
factors = production_panel(store, run) if store is not None else (1.0, 1.0)
assumptions = assumptions_form(run)

scale_tab, budget_tab, serving_tab, run_tab = st.tabs(
    [t("compute.tab.scale"), t("compute.tab.budget"), t("compute.tab.serving"), t("compute.tab.run")]
)
with scale_tab:
    plan, label = work_form(run, factors)
    if plan is not None and assumptions is not None:
        plan = replace(plan, assumptions=assumptions)
        render_options(plan, label, catalog)
        with st.expander(t("compute.advice_title")):
            render_advice(plan.work())
    with st.expander(t("compute.validation.title"), icon=":material/fact_check:"):
        render_validation(catalog)
with budget_tab:
    if assumptions is not None:
        render_budget(catalog, assumptions)
st.caption(t("compute.in_report"), help=t("compute.in_report_help", count=MAX_EXPLORED))
with serving_tab:
    if run is None:
        st.info(t("compute.needs_run"), icon=":material/model_training:")
    else:
        serving_section(run, catalog)
with run_tab:
    if run is None:
        st.info(t("compute.needs_run"), icon=":material/model_training:")
    else:
        run_cost_section(run, catalog)
