"""The UI language and number style of this script run, read from the URL.

The translations themselves live in :mod:`present.i18n` (no Streamlit); this module adds what only
the web app knows: the URL's ``lang``, ``cur``, ``fx`` and ``img`` parameters.
"""

from __future__ import annotations

import streamlit as st

from present import format as fmt
from present.figures import set_image_format
from present.i18n import DEFAULT_LANGUAGE, available_languages, style_from_params, translate


def current_language() -> str:
    """The UI language from the URL's ``lang`` parameter (English when absent or unknown)."""
    lang = st.query_params.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in available_languages() else DEFAULT_LANGUAGE


def apply_url_style() -> list[str]:
    """Make the URL's number style (``lang``, ``cur``, ``fx``) and chart image format (``img``)
    current for this script run; returns the ignored parameters. The router calls it on every run,
    and every fragment at its start: a fragment rerun starts in a fresh context."""
    params = st.query_params.to_dict()
    style, ignored = style_from_params(params)
    fmt.set_style(style)
    set_image_format(params.get("img", "png"))
    return ignored


def t(key: str, **values: object) -> str:
    """Translate ``key`` into the current UI language."""
    return translate(key, current_language(), **values)
