"""The Runs page's parts: the filtered table, actions on one run, comparison of several."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from mlcore.runs import delete_run, rename_run
from mlcore.specs import RunRecord, SpecError
from present.figures import chart_config, compare_curves, hyperparameter_parallel
from present.page_registry import page_file
from present.tables import compare_frame, plain_table, runs_frame
from safetext import for_markdown, for_plain
from store import Store
from store.schema import ACTIVE_STATUSES
from ui.components.run_files import download_run_button
from ui.components.widgets import name_refusal
from ui.session.i18n import t
from ui.session.state import home

TABLE_KEY = "runs_table"


def column_config() -> dict:
    """Formats of the runs table (raw numbers in, readable units out; sorting stays numeric)."""
    cc = st.column_config
    return {
        t("col.name"): cc.TextColumn(t("col.name"), width="medium"),
        t("col.created"): cc.DatetimeColumn(t("col.created"), format="YYYY-MM-DD HH:mm"),
        t("m.test_accuracy"): cc.NumberColumn(t("m.test_accuracy"), format="percent"),
        t("m.f1"): cc.NumberColumn(t("m.f1"), format="%.3f"),
        t("m.wall_time"): cc.NumberColumn(t("m.wall_time"), format="%.1f s"),
        t("m.samples_per_second"): cc.NumberColumn(t("m.samples_per_second"), format="compact"),
        t("m.mfu"): cc.NumberColumn(t("m.mfu"), format="percent"),
        t("m.params"): cc.NumberColumn(t("m.params"), format="localized"),
    }


def filters(runs: Sequence[RunRecord]) -> tuple[str, list[str], list[str]]:
    """Search box and dataset / status filters above the table."""
    c1, c2, c3 = st.columns([2, 1, 1])
    text = c1.text_input(t("runs.search"), key="runs_search", placeholder=t("runs.search_hint"))
    datasets = c2.multiselect(
        t("col.dataset"), sorted({r.dataset for r in runs}), format_func=for_plain, key="runs_datasets"
    )
    statuses = c3.multiselect(
        t("col.status"),
        sorted({r.status for r in runs}),
        key="runs_statuses",
        format_func=lambda s: t(f"status.{s}"),
    )
    return text, datasets, statuses


def table(runs: Sequence[RunRecord]) -> list[RunRecord]:
    """The sortable runs table; returns the runs the user selected (in table order)."""
    frame = runs_frame(runs, t)
    event = st.dataframe(
        plain_table(frame),
        column_config=column_config(),
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        key=TABLE_KEY,
        width="stretch",
    )
    rows = list(getattr(event, "selection", {}).get("rows", [])) if event else []
    return [runs[i] for i in rows if 0 <= i < len(runs)]


def actions(store: Store, run: RunRecord) -> None:
    """Open, rename, download or delete (with confirmation) one run."""
    st.markdown(f"**{for_markdown(run.name)}** · `{run.id}`")
    c1, c2, c3 = st.columns([2, 1, 1])
    with c1:
        new_name = st.text_input(t("runs.rename"), run.name, max_chars=80, key=f"rename_{run.id}")
        if st.button(t("runs.rename_button"), key="rename_run", icon=":material/edit:"):
            refusal = name_refusal(new_name)
            if refusal is not None:
                st.error(refusal)
            else:
                try:
                    rename_run(store, run.id, new_name)
                except SpecError as exc:
                    st.error(for_markdown(str(exc)))
                else:
                    st.toast(t("runs.renamed"))
                    st.rerun()
    with c2:
        st.page_link(
            page_file("train"),
            label=t("runs.open"),
            query_params={"run": run.id},
            icon=":material/open_in_new:",
        )
        download_run_button(run, key="download_run_json")
    with c3:
        confirm_key = f"confirm_delete_{run.id}"
        if run.status in ACTIVE_STATUSES:
            st.caption(t("runs.cannot_delete_active"))
        elif not st.session_state.get(confirm_key):
            if st.button(t("runs.delete"), key="delete_run", icon=":material/delete:"):
                st.session_state[confirm_key] = True
                st.rerun()
        else:
            st.warning(t("runs.confirm_delete", name=for_markdown(run.name)))
            if st.button(t("runs.confirm_delete_button"), key="confirm_delete", type="primary"):
                st.session_state.pop(confirm_key, None)
                if delete_run(store, run.id, home=home()):
                    st.toast(t("runs.deleted"))
                else:
                    st.error(t("runs.delete_failed"))
                st.rerun()
            if st.button(t("runs.cancel"), key="cancel_delete"):
                st.session_state.pop(confirm_key, None)
                st.rerun()


def compare(runs: Sequence[RunRecord]) -> None:
    """Overlaid curves, measurements with differences, hyper-parameters against accuracy."""
    st.subheader(t("runs.compare", n=len(runs)))
    with_history = [r for r in runs if r.history]
    if with_history:
        c1, c2 = st.columns(2)
        for col, metric in ((c1, "accuracy"), (c2, "loss")):
            with col:
                st.plotly_chart(
                    compare_curves(
                        with_history,
                        metric=metric,
                        title=t(f"chart.compare_{metric}"),
                        epoch_label=t("chart.epoch"),
                        y_label=t(f"chart.{metric}"),
                        train_label=t("chart.train"),
                        val_label=t("chart.validation"),
                    ),
                    key=f"compare_{metric}",
                    config=chart_config(f"compare-runs-{metric}"),
                )
    st.dataframe(plain_table(compare_frame(runs, t)), width="stretch", key="compare_table")
    st.caption(t("runs.compare_note"))
    dims = {
        k: t(f"hp.{k}")
        for k in ("learning_rate", "batch_size", "epochs", "layers", "dropout", "params", "test_accuracy")
    }
    st.plotly_chart(
        hyperparameter_parallel(runs, title=t("chart.parallel"), dimension_labels=dims),
        key="parallel",
        config=chart_config("hyperparameters-vs-accuracy"),
    )
