"""Learning curve (sweep) and seed variance (repeat) of a run: settings, the job, the results.

Both re-train the run's spec in the worker; results are stored with the run (``learning_curve``,
``repeat``) and read later by the data-value and scenario pages. A sweep trains every fraction
until its validation loss stops improving (:data:`mlcore.tasks.CURVE_RULE`); the page says how a
stored curve was trained, and warns when it comes from the old rule (every fraction for the run's
epochs), whose small fractions read low."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mlcore.specs import RunRecord
from present import format as fmt
from present.summary import short_id
from ui.components.sweep import sweep_section
from ui.components.task_panel import task_panel
from ui.components.widgets import Provenance, metric
from ui.session.i18n import t


def repeat_section(run: RunRecord) -> None:
    """Repeat settings, the job, and the spread of accuracy and throughput over seeds."""
    st.caption(t("repeat.lead"))
    seeds = int(st.number_input(t("repeat.seeds"), min_value=2, max_value=20, value=3, key="repeat_seeds"))
    label = t("repeat.rerun") if run.repeat else t("repeat.start")
    task_panel(run, "repeat", params={"seeds": seeds}, start_label=label, key="repeat")
    rep = run.repeat
    if rep is None or not rep.accuracies:
        st.info(t("repeat.none_yet"), icon=":material/repeat:")
        return
    prov = Provenance("measured", f"{short_id(run.id)} · {rep.measured_at[:10]}")
    cols = st.columns(3)
    with cols[0]:
        metric(
            t("repeat.m.accuracy"),
            f"{fmt.fmt_pct(rep.accuracy_mean)} ± "
            + t("data_value.points", value=f"{100 * rep.accuracy_std:.2f}"),
            prov,
            help=t("repeat.help.std"),
        )
    with cols[1]:
        metric(
            t("repeat.m.throughput"),
            f"{fmt.fmt_number(rep.throughput_mean)} ± {fmt.fmt_number(rep.throughput_std)}",
            prov,
            help=t("repeat.help.std"),
        )
    with cols[2]:
        low, high = min(rep.accuracies), max(rep.accuracies)
        metric(t("repeat.m.range"), f"{fmt.fmt_pct(low)} – {fmt.fmt_pct(high)}", prov)
    st.dataframe(
        pd.DataFrame(
            {
                t("repeat.col.seed"): list(rep.seeds),
                t("repeat.col.accuracy"): [fmt.fmt_pct(a, decimals=2) for a in rep.accuracies],
                t("repeat.col.throughput"): [round(s, 1) for s in rep.samples_per_second],
            }
        ),
        hide_index=True,
    )


def render_experiments(run: RunRecord) -> None:
    """Both sections, one under the other."""
    st.subheader(t("sweep.title"))
    sweep_section(run)
    st.subheader(t("repeat.title"))
    repeat_section(run)
