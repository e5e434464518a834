"""Choose the run a page works on: the URL's ``?run=`` first, else the newest finished run.

The choice is written back to the URL, so a reload or a shared link opens the same run, and
the sidebar's "active run" follows it.
"""

from __future__ import annotations

import streamlit as st

from mlcore.runs import finished_runs
from mlcore.specs import RunRecord
from present.page_registry import page_file
from present.summary import short_id
from safetext import for_markdown, for_plain
from ui.components.widgets import empty_state
from ui.session.i18n import t
from ui.session.state import store_guard, store_or_error


def pick_run(*, key: str = "run_picker") -> RunRecord | None:
    """A select box of finished runs (those with a test accuracy and a saved model).

    Returns the chosen run, or None after showing an empty state that links to Train.
    """
    return _pick(key=key, required=True)


def optional_run(*, key: str = "run_picker") -> RunRecord | None:
    """Like :func:`pick_run`, for pages that also work without a run: with none, a short caption."""
    return _pick(key=key, required=False)


def _pick(*, key: str, required: bool) -> RunRecord | None:
    store = store_or_error()
    if store is None:
        return None
    with store_guard():
        runs = finished_runs(store)
    if not runs:
        if required:
            empty_state(t("picker.no_runs"), page=page_file("train"), link_label=t("overview.go_train"))
        else:
            st.caption(t("picker.none_optional"))
        return None
    ids = [r.id for r in runs]
    by_id = {r.id: r for r in runs}
    wanted = st.query_params.get("run")
    if wanted and wanted not in by_id:
        st.warning(t("picker.unknown_run", run=for_markdown(wanted[:40])))
        wanted = None
    if st.session_state.get(key) not in by_id or (wanted and st.session_state.get(key) != wanted):
        st.session_state[key] = wanted or ids[0]

    def _remember() -> None:
        st.query_params["run"] = st.session_state[key]

    chosen = st.selectbox(
        t("picker.label"),
        ids,
        format_func=lambda rid: for_plain(
            t(
                "picker.option",
                name=by_id[rid].name,
                id=short_id(rid),
                accuracy=f"{(by_id[rid].test_accuracy or 0) * 100:.1f}",
            )
        ),
        key=key,
        on_change=_remember,
    )
    if st.query_params.get("run") != chosen:
        st.query_params["run"] = chosen
    return by_id[chosen]
