"""What the Build vs buy views share: input checks, problem and refusal messages, money in Markdown,
and the break-even block that says which side is cheaper where.

Used by :mod:`ui.views.build_buy` (your model against an API, the advantage scorecard) and
:mod:`ui.views.build_buy_llm` (a self-hosted open LLM against paid APIs).
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from bizmodel.buildbuy import BreakEven
from present import format as fmt
from present.explain import words
from safetext import for_markdown
from ui.session.i18n import current_language, t


def bad(value: float | None, *, positive: bool = False) -> bool:
    """True when ``value`` is missing, not finite, negative, or (``positive``) zero.

    >>> bad(None), bad(float("nan")), bad(-1.0), bad(0.0), bad(0.0, positive=True), bad(2.5)
    (True, True, True, False, True, False)
    """
    if value is None or not math.isfinite(float(value)):
        return True
    return value < 0 or (positive and value == 0)


def show_problems(problems: list[str]) -> bool:
    """Show each problem as an error; True when there were any."""
    for problem in problems:
        st.error(problem, icon=":material/error:")
    return bool(problems)


def refused(exc: Exception) -> None:
    """Say that the model refused the inputs, and why."""
    st.error(t("buildbuy.refused", reason=for_markdown(str(exc))), icon=":material/error:")


def usd_md(value: float | None) -> str:
    """Dollars for Markdown text (escaped, so two amounts never read as a LaTeX formula)."""
    return for_markdown(fmt.fmt_usd(value))


def _requests(volume: float | None) -> str:
    """A monthly volume with its unit, e.g. ``2.3M requests/month``."""
    return t("buildbuy.requests_month", volume=fmt.fmt_number(volume))


def break_even_block(be: BreakEven, *, ours: str, api: str) -> None:
    """The break-even metric and the sentence that says which side is cheaper where (or why none)."""
    if be.volume_per_month is not None and be.volume_per_month < 1.0:
        st.metric(t("buildbuy.break_even"), t("buildbuy.below_one"), help=t("buildbuy.break_even_help"))
        side = ours if be.cheaper_above != "api" else api
        st.markdown(t("buildbuy.below_one_sentence", side=side, volume=fmt.fmt_number(be.volume_per_month)))
        return
    if be.volume_per_month is not None:
        st.metric(
            t("buildbuy.break_even"), _requests(be.volume_per_month), help=t("buildbuy.break_even_help")
        )
        st.markdown(
            t(
                "buildbuy.sentence",
                volume=fmt.fmt_number(be.volume_per_month),
                below=api if be.cheaper_below == "api" else ours,
                above=ours if be.cheaper_above != "api" else api,
            )
        )
        return
    st.metric(t("buildbuy.break_even"), t("buildbuy.none"), help=t("buildbuy.break_even_help"))
    if be.cheaper_above is None:
        st.markdown(t("buildbuy.same_everywhere"))
    else:
        st.markdown(t("buildbuy.always_cheaper", side=api if be.cheaper_above == "api" else ours))
    if be.reason:
        st.caption(t("buildbuy.reason", reason=for_markdown(words(be.reason, current_language()))))


def break_even_point(be: BreakEven, at_break_even: pd.Series | None) -> tuple[float, float] | None:
    """(volume per month, API $ per month) to mark on the chart; None without a break-even."""
    if at_break_even is None:
        return None
    return float(be.volume_per_month or 0), float(at_break_even["api_usd_month"])
