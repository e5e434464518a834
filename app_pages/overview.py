"""Overview: what Moatlab does, the article's chain as the map of the app, the latest run."""

from __future__ import annotations

import streamlit as st

from mlcore.runs import latest_completed
from ui import format as fmt
from ui.chain import ChainNode, chain_html
from ui.i18n import t
from ui.state import store_guard, store_or_error
from ui.summary import short_id
from ui.widgets import Provenance, empty_state, escape_md, metric

st.title(t("overview.title"))
st.markdown(t("overview.lead"))

steps = [("ai", "train"), ("model", "train"), ("startup", "runs"), ("advantage", "runs")]
st.markdown(f"**{t('overview.chain')}**")
st.markdown(
    chain_html(
        [ChainNode(t(f"chain.{k}"), t(f"chain.{k}.caption"), path) for k, path in steps],
        title=t("overview.chain"),
    ),
    unsafe_allow_html=True,
)
cols = st.columns(len(steps))
for col, (key, path) in zip(cols, steps, strict=True):
    with col:
        st.page_link(f"app_pages/{path}.py", label=t(f"chain.{key}.link"), icon=":material/arrow_forward:")
        st.caption(t(f"chain.{key}.about"))

st.subheader(t("overview.latest"))
store = store_or_error()
with store_guard():
    run = latest_completed(store) if store is not None else None
if run is None:
    empty_state(t("overview.no_runs"), page="app_pages/train.py", link_label=t("overview.go_train"))
else:
    st.markdown(
        t(
            "overview.latest_line",
            name=escape_md(run.name),
            dataset=escape_md(run.dataset),
            model=escape_md(run.model),
        )
    )
    prov = Provenance("measured", short_id(run.id))
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        metric(t("m.test_accuracy"), fmt.fmt_pct(run.test_accuracy), prov)
    with c2:
        metric(
            t("m.samples_per_second"),
            fmt.fmt_number(run.samples_per_second),
            prov,
        )
    with c3:
        metric(t("m.mfu"), fmt.fmt_pct(run.mfu, decimals=2), prov, help=t("help.mfu"))
    with c4:
        metric(t("m.wall_time"), fmt.fmt_duration(run.wall_seconds), prov)
    st.page_link("app_pages/runs.py", label=t("overview.see_runs"), icon=":material/table_rows:")
