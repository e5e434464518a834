"""The LLM API price list of the Build vs buy page: the bundled list or an uploaded one, filtered,
shown with each model's cost per 1,000 requests of the workload, and one model picked."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from bizmodel.buildbuy import BuildBuyError, LlmWorkload, load_api_prices, read_api_prices
from present import format as fmt
from present.tables import csv_bytes, plain_table
from safetext import for_markdown, for_plain
from ui.session.i18n import t

DEFAULT_API_MODEL = ("openai", "gpt-4o-mini")


@st.cache_data(max_entries=1, show_spinner=False)
def _bundled_prices() -> pd.DataFrame:
    """The bundled LLM API price list (parsed once per process)."""
    return load_api_prices()


def price_list() -> tuple[pd.DataFrame, bool]:
    """The API price list: an uploaded CSV when one is given and valid, else the bundled one.

    Returns the list and whether it is the user's upload. A broken upload is explained (file, line,
    column) with an error, and the bundled list is used.
    """
    upload = st.file_uploader(
        t("buildbuy.llm.upload"), type=["csv"], key="bb_prices_upload", help=t("buildbuy.llm.upload_help")
    )
    st.download_button(
        t("buildbuy.llm.download"),
        data=lambda: csv_bytes(_bundled_prices(), index=False),
        file_name="llm_api_prices.csv",
        mime="text/csv",
        on_click="ignore",
        key="bb_prices_download",
        help=t("buildbuy.llm.download_help"),
    )
    if upload is not None:
        try:
            return read_api_prices(upload.getvalue(), name=upload.name), True
        except BuildBuyError as exc:
            st.error(t("buildbuy.llm.bad_upload", reason=for_markdown(str(exc))), icon=":material/error:")
    return _bundled_prices(), False


def api_key(row: pd.Series) -> str:
    """A price row's name: ``provider · model`` (unique in a validated list)."""
    return f"{row['provider']} · {row['model']}"


def per_1000_requests(prices: pd.DataFrame | pd.Series, workload: LlmWorkload) -> Any:
    """API $ per 1,000 requests of ``workload`` (a column for a price list, a number for one row)."""
    return (
        workload.input_tokens_per_request * prices["input_usd_per_1m_tokens"]
        + workload.output_tokens_per_request * prices["output_usd_per_1m_tokens"]
    ) / 1000.0


def pick_api(prices: pd.DataFrame, workload: LlmWorkload) -> pd.Series | None:
    """Filter the price list, show it, and pick one model (gpt-4o-mini by default)."""
    query = st.text_input(
        t("buildbuy.llm.filter"), key="bb_api_filter", placeholder=t("buildbuy.llm.filter_placeholder")
    )
    shown = prices
    if query.strip():
        needle = query.strip().lower()
        mask = prices["provider"].str.lower().str.contains(needle, regex=False) | prices[
            "model"
        ].str.lower().str.contains(needle, regex=False)
        shown = prices[mask]
    if shown.empty:
        st.info(t("buildbuy.llm.no_match", query=for_markdown(query)))
        return None
    words = fmt.currency_words()
    per_1m_in, per_1m_out = (
        t("buildbuy.col.per_1m_in_money", **words),
        t("buildbuy.col.per_1m_out_money", **words),
    )
    per_request = t("buildbuy.col.per_1000_requests_money", **words)
    style = fmt.current_style()
    st.dataframe(
        plain_table(
            pd.DataFrame(
                {
                    t("buildbuy.col.provider"): shown["provider"],
                    t("buildbuy.col.model"): shown["model"],
                    per_1m_in: style.from_usd(shown["input_usd_per_1m_tokens"]),
                    per_1m_out: style.from_usd(shown["output_usd_per_1m_tokens"]),
                    per_request: style.from_usd(per_1000_requests(shown, workload)),
                    t("buildbuy.col.as_of"): shown["as_of"],
                    t("buildbuy.col.source"): shown["source"],
                }
            )
        ),
        hide_index=True,
        height=240,
        column_config={
            per_1m_in: st.column_config.NumberColumn(format=fmt.money_printf(3)),
            per_1m_out: st.column_config.NumberColumn(format=fmt.money_printf(3)),
            per_request: st.column_config.NumberColumn(format=fmt.money_printf(4)),
        },
        key="bb_api_table",
    )
    rows = {api_key(row): row for _, row in shown.iterrows()}
    default = " · ".join(DEFAULT_API_MODEL)
    key = "bb_api_model"
    if st.session_state.get(key) not in rows:
        st.session_state[key] = default if default in rows else next(iter(rows))
    choice = st.selectbox(t("buildbuy.llm.api_model"), list(rows), format_func=for_plain, key=key)
    return rows[choice]
