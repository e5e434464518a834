"""Evaluate: where a run errs on its test split, and a metrics calculator from four counts."""

from __future__ import annotations

import streamlit as st

from mlcore.evaluation import EvaluationError, evaluation_path
from safetext import for_markdown
from ui.components.analysis import load_analysis
from ui.components.run_picker import pick_run
from ui.components.task_panel import task_panel
from ui.session.i18n import t
from ui.session.state import home
from ui.views.evaluate import render_analysis, render_calculator
from ui.views.experiments import render_experiments

st.title(t("evaluate.title"))
st.caption(t("evaluate.lead"))

run = pick_run()
if run is None:
    # The calculator needs no run: it works from typed counts.
    st.subheader(t("evaluate.tab_calculator"))
    render_calculator()
    st.stop()

errors_tab, curve_tab, calculator_tab = st.tabs(
    [t("evaluate.tab_errors"), t("evaluate.tab_curve"), t("evaluate.tab_calculator")]
)
with errors_tab:
    path = evaluation_path(home(), run.id)
    try:
        analysis = load_analysis(path)
    except EvaluationError as exc:
        reason = t("evaluate.not_computed") if not path.is_file() else for_markdown(str(exc))
        st.info(t("evaluate.missing", reason=reason), icon=":material/info:")
        task_panel(run, "evaluate", start_label=t("evaluate.compute"), key="evaluate_task")
    else:
        render_analysis(run, analysis)
with curve_tab:
    render_experiments(run)
with calculator_tab:
    render_calculator()
