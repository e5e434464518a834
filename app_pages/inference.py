"""Inference: how fast a run's model answers (CPU, GPU when present; compiled vs predict vs int8),
try it on a drawn digit, download the model."""

from __future__ import annotations

import streamlit as st

from ui.components.run_picker import pick_run
from ui.components.try_it import render as try_it
from ui.session.i18n import t
from ui.views.inference import bench_section, download_model

st.title(t("inference.title"))
st.caption(t("inference.lead"))
run = pick_run()
if run is None:
    st.stop()

st.subheader(t("inference.bench"))
bench_section(run)

st.subheader(t("try.title"))
try_it(run)

st.subheader(t("inference.model"))
download_model(run)
