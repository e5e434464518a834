"""Files of one run the user can download."""

from __future__ import annotations

import streamlit as st

from mlcore.runs import run_json
from mlcore.specs import RunRecord
from ui.session.i18n import t


def download_run_button(run: RunRecord, *, key: str) -> None:
    """Download one run's record as JSON (built only on click)."""
    st.download_button(
        t("run.download_json"),
        data=lambda: run_json(run),
        file_name=f"moatlab-run-{run.id}.json",
        mime="application/json",
        on_click="ignore",
        key=key,
        icon=":material/download:",
    )
