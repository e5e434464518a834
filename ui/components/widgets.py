"""Shared Streamlit widgets: provenance badges, measured metrics, empty states, sidebar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from present import format as fmt
from present.i18n import LANGUAGE_NAMES, available_languages
from present.theme import APP_CSS
from safetext import for_markdown, hidden_character, shown
from ui.session.i18n import current_language, t

#: Badge colours by provenance (Streamlit's named colours; the report uses theme.PROVENANCE_COLOURS).
_BADGE_COLOURS = {"measured": "green", "catalog": "blue", "assumed": "orange"}


@dataclass(frozen=True)
class Provenance:
    """Where a number comes from: ``measured`` (a run), ``catalog`` (a dated table) or
    ``assumed`` (typed by the user or a default); ``detail`` is the run id, the as-of date
    or the assumption."""

    kind: str
    detail: str = ""

    def label(self) -> str:
        text = t(f"provenance.{self.kind}")
        return f"{text} · {for_markdown(self.detail)}" if self.detail else text


def name_refusal(name: str) -> str | None:
    r"""Why a run or scenario name someone typed cannot be used, in the UI language (Markdown), or
    None when it can: the name holds a control or invisible character (:func:`safetext.hidden_character`,
    the rule CSV column names and catalogs follow), such as a right-to-left override that makes
    ``"\u202eFDP.exe"`` read "exe.PDF"."""
    bad = hidden_character(name)
    if bad is None:
        return None
    return t("name.hidden_character", name=for_markdown(shown(name)), char=for_markdown(shown(bad)))


def house_style() -> None:
    """The layout rules every page shares (:data:`present.theme.APP_CSS`): texts wrap instead of being
    cut, rows of cards wrap. The router calls it once per script run."""
    st.html(f"<style>{APP_CSS}</style>")


def card_row(key: str, *, gap: str = "medium") -> DeltaGenerator:
    """A row of cards that wraps: each child (a bordered container, a metric) takes an equal share
    of the width, at least :data:`present.theme.CARD_MIN_REM` rem, and moves to the next line rather
    than squeeze its words. ``key`` names the row (unique on the page)."""
    return st.container(horizontal=True, gap=gap, key=f"cards_{key}")


def badge(prov: Provenance) -> None:
    """Show the provenance badge."""
    st.badge(prov.label(), color=_BADGE_COLOURS.get(prov.kind, "gray"))


def metric(label: str, value: str, prov: Provenance | None = None, *, help: str | None = None) -> None:
    """A headline number with its unit already formatted, and its provenance badge below."""
    st.metric(label, value, help=help)
    if prov is not None:
        badge(prov)


def empty_state(message: str, *, page: str, link_label: str, icon: str = ":material/arrow_forward:") -> None:
    """Say why there is nothing to show, and link to the page that fills it."""
    with st.container(border=True):
        st.info(message)
        st.page_link(page, label=link_label, icon=icon)


def sidebar_context(
    active_run_name: str | None,
    active_run_id: str | None,
    scenario_picker: Callable[[], None] | None = None,
) -> None:
    """The sidebar on every page: active run, active scenario (``scenario_picker`` draws its choice
    there) and language."""
    with st.sidebar:
        st.caption(t("sidebar.active_run"))
        if active_run_name:
            st.markdown(f"**{for_markdown(active_run_name)}**")
            st.caption(active_run_id or "")
        else:
            st.caption(t("sidebar.no_run"))
        if scenario_picker is not None:
            scenario_picker()
        langs = available_languages()
        current = current_language()
        choice = st.selectbox(
            t("sidebar.language"),
            langs,
            index=langs.index(current),
            format_func=lambda lang: LANGUAGE_NAMES.get(lang, lang),
            key="language",
        )
        if choice != current:
            st.query_params["lang"] = choice
            st.rerun()
        currency_picker()
        image_format_picker()


def image_format_picker() -> None:
    """What every chart's camera button saves: PNG or SVG (kept in the URL as ``img``)."""
    current = st.query_params.get("img", "png")
    choice = st.segmented_control(
        t("sidebar.image_format"),
        ["png", "svg"],
        default=current if current in ("png", "svg") else "png",
        format_func=str.upper,
        key="image_format",
        help=t("sidebar.image_format_help"),
    )
    if choice and choice != current:
        st.query_params["img"] = choice
        st.rerun()


def currency_picker() -> None:
    """Display currency and exchange rate, kept in the URL (``cur``, ``fx``) so a link keeps them."""
    style = fmt.current_style()
    currency = st.segmented_control(
        t("sidebar.currency"),
        list(fmt.CURRENCIES),
        default=style.currency,
        key="currency",
        help=t("sidebar.currency_help"),
    )
    if currency and currency != style.currency:
        st.query_params["cur"] = currency
        st.rerun()
    if style.currency == "CNY":
        low, high = fmt.USD_TO_CNY_BOUNDS
        rate = st.number_input(
            t("sidebar.rate"),
            min_value=low,
            max_value=high,
            value=float(style.usd_to_cny),
            step=0.01,
            format="%.4g",
            key="usd_to_cny",
            help=t("sidebar.rate_help", default=f"{fmt.DEFAULT_USD_TO_CNY:g}"),
        )
        rate = round(float(rate), 4)  # what the URL keeps; comparing the typed value would loop
        if rate != round(style.usd_to_cny, 4):
            st.query_params["fx"] = f"{rate:.4f}".rstrip("0").rstrip(".")
            st.rerun()
